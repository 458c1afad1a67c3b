from __future__ import annotations

from pathlib import Path

import pytest

from clauderon import config
from clauderon.errors import ConfigError


def write(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return {"CLAUDERON_CONFIG": str(path), "HOME": str(tmp_path)}


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    cfg = config.load({"CLAUDERON_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path)})
    assert not cfg.loaded
    assert cfg.default_backend == "zellij"
    assert cfg.value("zellij.layout") == "default" and "zellij.layout" not in cfg.sources


def test_seed_page_config_loads(tmp_path: Path) -> None:
    env = write(tmp_path, '[zellij]\nshell = "/bin/zsh"\nlayout = "default"\n'
                          'env = ["TERM=xterm-256color"]\n')
    cfg = config.load(env)
    assert cfg.get("zellij.shell") == "/bin/zsh"
    assert cfg.env_entries("zellij") == [("TERM", "xterm-256color")]
    assert cfg.sources["zellij.shell"] == "file"
    assert cfg.warnings == ()


def test_invalid_toml_names_line_and_column(tmp_path: Path) -> None:
    env = write(tmp_path, '[zellij]\nshell = "/bin/zsh"\nlayout = \n')
    with pytest.raises(ConfigError) as err:
        config.load(env)
    assert str(err.value).startswith("~/config.toml:3:10: ")
    assert err.value.exit_code == 2


def test_wrong_type_names_key_and_expected_type(tmp_path: Path) -> None:
    env = write(tmp_path, "[zellij]\nenv = \"TERM=xterm\"\n")
    with pytest.raises(ConfigError, match=r"zellij\.env must be a list of strings, not str"):
        config.load(env)


def test_unknown_key_warns_with_suggestion(tmp_path: Path) -> None:
    env = write(tmp_path, '[zellij]\nlayuot = "compact"\n[proxxy]\n')
    cfg = config.load(env)
    assert any("unknown key 'layuot'" in w and "did you mean 'layout'" in w
               for w in cfg.warnings)
    assert any("unknown table 'proxxy'" in w and "did you mean 'proxy'" in w
               for w in cfg.warnings)


@pytest.mark.parametrize("entry, fragment", [
    ("NOEQUALS", "has no '='"),
    ("=value", "empty variable name"),
    ("1BAD=x", "is not a valid variable name"),
    ("BAD-NAME=x", "is not a valid variable name"),
])
def test_bad_env_entry_is_named(tmp_path: Path, entry: str, fragment: str) -> None:
    env = write(tmp_path, f'[zellij]\nenv = ["OK=1", "{entry}"]\n')
    with pytest.raises(ConfigError, match=fragment) as err:
        config.load(env)
    assert entry.split("=")[0] in str(err.value) or entry in str(err.value)


def test_unknown_backend_is_an_error(tmp_path: Path) -> None:
    env = write(tmp_path, 'default_backend = "screen"\n')
    with pytest.raises(ConfigError, match="'screen' is not a backend"):
        config.load(env)


def test_effective_shell_order(tmp_path: Path) -> None:
    env = write(tmp_path, '[zellij]\nshell = "/bin/zsh"\n')
    cfg = config.load(env)
    assert config.effective_shell(cfg, "zellij", "/bin/fish", {}) == ("/bin/fish", "--shell")
    assert config.effective_shell(cfg, "zellij", None, {}) == ("/bin/zsh", "file")
    assert config.effective_shell(cfg, "tmux", None, {"SHELL": "/bin/bash"}) == (
        "/bin/bash", "env:SHELL")
    assert config.effective_shell(cfg, "tmux", None, {}) == ("/bin/sh", "default")


def test_starter_file_is_valid_and_quiet(tmp_path: Path) -> None:
    env = write(tmp_path, config.starter_text())
    cfg = config.load(env)
    assert cfg.loaded and cfg.warnings == () and cfg.values == {}
