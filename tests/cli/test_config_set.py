"""`clauderon config set KEY VALUE...` (issue 14 item 1): one key changed, the rest of the
file byte for byte; validated like a hand edit; a bad key or value is one line, exit 2, and
the file is untouched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.integration.conftest import Cli


def config_path(cli: Cli) -> Path:
    return Path(cli.env["CLAUDERON_CONFIG"])


def test_creates_the_file_and_its_directory(cli: Cli) -> None:
    done = cli.ok("config", "set", "default_backend", "tmux")
    assert done.stdout == 'Set default_backend = "tmux" in ~/.config/clauderon/config.toml\n'
    assert config_path(cli).read_text() == 'default_backend = "tmux"\n'
    assert cli.json("config", "show")["settings"][0] == {
        "key": "default_backend", "value": "tmux", "source": "file"}


def test_keeps_comments_and_layout(cli: Cli) -> None:
    cli.ok("config", "init")
    before = config_path(cli).read_text()
    cli.ok("config", "set", "tmux.socket", "clauderon")
    after = config_path(cli).read_text()
    lines_before, lines_after = before.splitlines(), after.splitlines()
    added = [line for line in lines_after if line not in lines_before]
    assert added == ['socket = "clauderon"']
    assert [line for line in lines_after if line != 'socket = "clauderon"'] == lines_before
    # the new line sits in [tmux]
    tmux_at = lines_after.index("[tmux]")
    next_table = next(i for i in range(tmux_at + 1, len(lines_after))
                      if lines_after[i].startswith("["))
    assert tmux_at < lines_after.index('socket = "clauderon"') < next_table


def test_replaces_a_value_keeping_its_comment(cli: Cli) -> None:
    text = ('# mine\ndefault_backend = "zellij"   # was zellij\n\n[zellij]\n'
            'layout = "compact"  # c\n')
    cli.write_config(text)
    cli.ok("config", "set", "default_backend", "tmux")
    cli.ok("config", "set", "zellij.env", "A=1", "B=two words")
    assert config_path(cli).read_text() == (
        '# mine\ndefault_backend = "tmux"   # was zellij\n\n[zellij]\nlayout = "compact"  # c\n'
        'env = ["A=1", "B=two words"]\n')


BAD = [
    (["default_backend", "screen"],
     "error: ~/.config/clauderon/config.toml: default_backend = 'screen' is not a backend; "
     "use one of: docker, tmux, zellij (nothing was changed)"),
    (["zellij.lyout", "compact"],
     "error: 'zellij.lyout' is not a config key; did you mean 'zellij.layout'?"),
    (["colour", "red"], "error: 'colour' is not a config key; `clauderon config show` lists them"),
    (["tmux.socket", "a", "b"],
     "error: tmux.socket takes one value, got 2 values; quote a value holding spaces: "
     "clauderon config set tmux.socket 'A VALUE'"),
    (["tmux.socket"],
     "error: tmux.socket takes one value, got no value; quote a value holding spaces: "
     "clauderon config set tmux.socket 'A VALUE'"),
    (["docker.network", "wifi"],
     "error: ~/.config/clauderon/config.toml: docker.network = 'wifi' is not supported; "
     "use one of: bridge, none, host (nothing was changed)"),
    (["zellij.env", "1A=x"],
     "error: ~/.config/clauderon/config.toml: zellij.env: '1A' in '1A=x' is not a valid "
     "variable name (letters, digits and _, not starting with a digit) (nothing was changed)"),
    ([], "error: missing argument 'KEY'; usage: clauderon config set [OPTIONS] KEY "
                 "[VALUE...]"),
]


@pytest.mark.parametrize("argv,line", BAD, ids=[" ".join(a) or "no key" for a, _ in BAD])
def test_bad_key_or_value_changes_nothing(cli: Cli, argv: list[str], line: str) -> None:
    original = b'# keep\n[zellij]\nlayout = "compact"\n'
    path = config_path(cli)
    path.parent.mkdir(parents=True)
    path.write_bytes(original)
    os.utime(path, (1_000_000, 1_000_000))
    result = cli.run("config", "set", *argv)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", line + "\n")
    assert path.read_bytes() == original and path.stat().st_mtime == 1_000_000
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]


def test_a_broken_file_is_not_rewritten(cli: Cli) -> None:
    path = cli.write_config('[zellij\nlayout = "x"\n')
    result = cli.run("config", "set", "default_backend", "tmux")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ~/.config/clauderon/config.toml: ")
    assert result.stderr.endswith("; fix it by hand first (nothing was changed)\n")
    assert path.read_text() == '[zellij\nlayout = "x"\n'


def test_proxy_credentials_are_private_and_masked(cli: Cli) -> None:
    path = cli.write_config("# mine\n")
    path.chmod(0o644)
    path.parent.chmod(0o755)
    done = cli.ok("config", "set", "proxy.http", "http://me:s3cret@proxy:3128")
    assert "s3cret" not in done.stdout + done.stderr
    assert done.stdout == ('Set proxy.http = "http://me:***@proxy:3128" in '
                           "~/.config/clauderon/config.toml\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text() == '# mine\n\n[proxy]\nhttp = "http://me:s3cret@proxy:3128"\n'


def test_a_symlinked_file_is_edited_through_the_link(cli: Cli) -> None:
    dotfiles = cli.home / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "clauderon.toml"
    real.write_text("# from my dotfiles\n")
    real.chmod(0o640)
    link = config_path(cli)
    link.parent.mkdir(parents=True)
    link.symlink_to(real)
    cli.ok("config", "set", "default_backend", "tmux")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == '# from my dotfiles\ndefault_backend = "tmux"\n'
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
