"""config.file, config.layout and config.shell with real files."""

from __future__ import annotations

from pathlib import Path

from tests.doctor.world import World


def _editor(world: World, path: Path) -> str:
    home = str(world.home)
    shown = "~" + str(path)[len(home):] if str(path).startswith(home + "/") else str(path)
    return f"${{EDITOR:-vi}} {shown}"


# -- config.file -------------------------------------------------------------------------------


def test_no_config_file_means_defaults(world: World) -> None:
    item = world.doctor("--check", "config.file").check("config.file")

    assert item["status"] == "ok"
    assert "the defaults are in force" in item["summary"]


def test_valid_config_file(world: World) -> None:
    world.write_config('default_backend = "zellij"\n[zellij]\nlayout = "compact"\n')

    item = world.doctor("--check", "config.file").check("config.file")

    assert item["status"] == "ok"
    assert item["summary"].endswith("config.toml is valid (2 settings)")


def test_syntax_error_names_file_line_and_column(world: World) -> None:
    path = world.write_config('[zellij]\nshell = "/bin/bash\n')

    run = world.doctor("--check", "config.file")
    item = run.check("config.file")

    assert item["status"] == "error"
    assert f"{path}:2:" in item["summary"]
    assert item["remedy"] == _editor(world, path)
    assert run.returncode == 1


def test_wrong_type_is_an_error(world: World) -> None:
    world.write_config("[zellij]\nshell = 42\n")

    item = world.doctor("--check", "config.file").check("config.file")

    assert item["status"] == "error"
    assert "zellij.shell must be a string, not int" in item["summary"]


def test_unknown_keys_warn_with_suggestions(world: World) -> None:
    path = world.write_config('[zellij]\nshel = "/bin/bash"\n[proxxy]\nhttp = "x"\n')

    item = world.doctor("--check", "config.file").check("config.file")

    assert item["status"] == "warning"
    assert item["summary"].startswith("2 unknown keys in ")
    assert "unknown key 'shel' in [zellij]; did you mean 'shell'?" in item["details"]
    assert "unknown table 'proxxy'; did you mean 'proxy'?" in item["details"]
    assert item["remedy"] == _editor(world, path)


def test_config_with_proxy_password_readable_by_others_is_made_private(world: World) -> None:
    path = world.write_config('[proxy]\nhttp = "http://me:hunter2@proxy.example:3128"\n')
    path.chmod(0o644)

    run = world.doctor("--check", "config.file")
    item = run.check("config.file")
    assert item["status"] == "warning"
    assert "holds proxy passwords and is readable by others (mode 644)" in item["summary"]
    assert "hunter2" not in run.stdout

    item = world.doctor("--fix", "--check", "config.file").check("config.file")
    assert item["fixed"] is True and item["status"] == "ok"
    assert path.stat().st_mode & 0o777 == 0o600


# -- config.layout -----------------------------------------------------------------------------


def test_default_layout_is_a_builtin(world: World) -> None:
    item = world.doctor("--check", "config.layout").check("config.layout")

    assert item["status"] == "ok"
    assert item["summary"] == "layout 'default' is built into zellij 0.44.1"


def test_missing_clauderon_layout_is_fixed_by_layout_init(world: World) -> None:
    world.write_config('[zellij]\nlayout = "clauderon"\n')
    target = world.home / ".config" / "zellij" / "layouts" / "clauderon.kdl"

    item = world.doctor("--check", "config.layout").check("config.layout")
    assert item["status"] == "error"
    assert "layout 'clauderon' not found" in item["summary"]
    assert item["remedy"] == "clauderon layout init"
    assert item["fixable"] is True

    item = world.doctor("--fix", "--check", "config.layout").check("config.layout")
    assert item["fixed"] is True and item["status"] == "ok"
    assert target.is_file()
    assert item["summary"] == ("layout 'clauderon' is ~/.config/zellij/layouts/clauderon.kdl "
                               "and parses as a Zellij layout")

    written = target.read_bytes()
    again = world.doctor("--fix", "--check", "config.layout").check("config.layout")
    assert again["fixed"] is False and target.read_bytes() == written


def test_layout_zellij_would_refuse_is_an_error_with_positions(world: World) -> None:
    world.write_config('[zellij]\nlayout = "broken"\n')
    layouts = world.home / ".config" / "zellij" / "layouts"
    layouts.mkdir(parents=True)
    (layouts / "broken.kdl").write_text('layout {\n    pane size="abc"\n    bogus_node\n}\n')

    item = world.doctor("--check", "config.layout").check("config.layout")

    assert item["status"] == "error"
    assert item["summary"].startswith("Zellij would refuse layout 'broken' "
                                      "(~/.config/zellij/layouts/broken.kdl)")
    assert all(d.startswith("~/.config/zellij/layouts/broken.kdl:") for d in item["details"])
    assert any(":3:" in d for d in item["details"])
    assert item["remedy"] == "${EDITOR:-vi} ~/.config/zellij/layouts/broken.kdl"
    assert item["fixable"] is False


def test_unknown_layout_name_is_an_error(world: World) -> None:
    world.write_config('[zellij]\nlayout = "nosuch"\n')

    item = world.doctor("--check", "config.layout").check("config.layout")

    assert item["status"] == "error"
    assert "layout 'nosuch' not found" in item["summary"]


# -- config.shell ------------------------------------------------------------------------------


def test_shell_from_shell_variable_ok(world: World) -> None:
    item = world.doctor("--check", "config.shell").check("config.shell")

    assert item["status"] == "ok"
    assert item["summary"] == "zellij: /usr/bin/bash (from $SHELL)"


def test_configured_shell_missing_is_an_error(world: World) -> None:
    path = world.write_config('[zellij]\nshell = "/opt/nope/zsh"\n')

    item = world.doctor("--check", "config.shell").check("config.shell")

    assert item["status"] == "error"
    assert item["summary"] == ("the zellij session shell /opt/nope/zsh (from zellij.shell in "
                               "the config) does not exist")
    assert item["remedy"].startswith(_editor(world, path))


def test_shell_variable_not_executable_is_an_error(world: World) -> None:
    fake = world.root / "notashell"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o644)

    item = world.doctor("--check", "config.shell",
                        env={"SHELL": str(fake)}).check("config.shell")

    assert item["status"] == "error"
    assert item["summary"].endswith("(from $SHELL) is not executable")
    assert item["remedy"] in ("export SHELL=/bin/bash", "export SHELL=/usr/bin/bash")
