"""shell.init and shell.completions for real bash, zsh and fish rc files."""

from __future__ import annotations

import pytest

from clauderon.resources import hook_file
from clauderon.shellrc import BEGIN, END, hook_line
from tests.doctor.world import World

INIT = ("--check", "shell.init")
COMP = ("--check", "shell.completions")


def _rc(world: World, shell: str) -> tuple[str, str]:
    """(path, as the report shows it) of the file `shell install` edits."""
    if shell == "fish":
        path = f"{world.env['XDG_CONFIG_HOME']}/fish/conf.d/clauderon.fish"
        return path, path
    name = ".bashrc" if shell == "bash" else ".zshrc"
    return f"{world.home}/{name}", f"~/{name}"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_missing_hook_is_installed_by_fix_once(world: World, shell: str) -> None:
    world.set_shell(shell)
    path, shown = _rc(world, shell)

    item = world.doctor(*INIT).check("shell.init")
    assert item["status"] == "warning"
    assert item["summary"] == f"the clauderon hook is not installed in {shown} ({shell})"
    assert item["remedy"] == f"clauderon shell install --shell {shell}"
    assert item["fixable"] is True

    item = world.doctor("--fix", *INIT).check("shell.init")
    assert item["fixed"] is True and item["status"] == "ok"
    assert item["summary"] == f"hook installed once in {shown} ({shell})"
    text = open(path, encoding="utf-8").read()
    # The line the installed clauderon writes (its hook file, wherever it is installed).
    expected = world.clauderon("shell", "init", shell).stdout.strip()
    assert text.count(BEGIN) == 1 and expected in text

    again = world.doctor("--fix", *INIT).check("shell.init")
    assert again["fixed"] is False and again["status"] == "ok"
    assert open(path, encoding="utf-8").read() == text


def test_hook_block_pasted_twice_is_deduplicated(world: World) -> None:
    block = f"{BEGIN}\n{hook_line('bash', hook_file('bash'))}\n{END}\n"
    rc = world.home / ".bashrc"
    rc.write_text(f"# mine\n{block}alias ll='ls -l'\n{block}")

    item = world.doctor(*INIT).check("shell.init")
    assert item["status"] == "warning"
    assert item["summary"] == "the clauderon hook block is in ~/.bashrc 2 times"

    world.doctor("--fix", *INIT)
    text = rc.read_text()
    assert text.count(BEGIN) == 1 and "alias ll='ls -l'" in text and text.startswith("# mine")


def test_block_sourcing_another_hook_is_updated(world: World) -> None:
    rc = world.home / ".bashrc"
    rc.write_text(f"{BEGIN}\n[ -r '/old/clauderon.bash' ] && . '/old/clauderon.bash'\n{END}\n")

    item = world.doctor(*INIT).check("shell.init")
    assert item["status"] == "warning"
    assert "does not source this clauderon's hook" in item["summary"]
    assert item["details"] == ["found: [ -r '/old/clauderon.bash' ] && . '/old/clauderon.bash'"]

    assert world.doctor("--fix", *INIT).check("shell.init")["status"] == "ok"


def test_broken_block_is_an_error_left_alone(world: World) -> None:
    rc = world.home / ".bashrc"
    original = f"echo hi\n{BEGIN}\n. /somewhere\n"
    rc.write_text(original)

    item = world.doctor("--fix", *INIT).check("shell.init")

    assert item["status"] == "error"
    assert item["summary"] == ("~/.bashrc:2 has a clauderon block marker without its partner")
    assert item["remedy"] == "${EDITOR:-vi} ~/.bashrc   # line 2"
    assert item["fixed"] is False and rc.read_text() == original


def test_inside_a_session_the_hook_must_be_loaded(world: World) -> None:
    world.install_hook("bash")
    world.new("work")
    session = {"CLAUDERON_SESSION": "work", "ZELLIJ_SESSION_NAME": "work"}

    item = world.doctor(*INIT, env=session).check("shell.init")
    assert item["status"] == "warning"
    assert item["summary"] == ("this shell (in session work) has not loaded the hook "
                               "(CLAUDERON_HOOK is unset)")
    assert item["remedy"] == "exec /usr/bin/bash"

    loaded = world.doctor(*INIT, env={**session, "CLAUDERON_HOOK": "1"}).check("shell.init")
    assert loaded["status"] == "ok"
    assert "loaded in this shell (session work)" in loaded["details"]


# -- shell.completions -------------------------------------------------------------------------


def test_missing_completions_are_installed_by_fix(world: World) -> None:
    world.set_shell("fish")
    target = f"{world.env['XDG_CONFIG_HOME']}/fish/completions/clauderon.fish"

    item = world.doctor(*COMP).check("shell.completions")
    assert item["status"] == "warning"
    assert item["summary"] == f"fish completions are not installed ({target})"
    assert item["remedy"] == "clauderon completions install --shell fish"

    item = world.doctor("--fix", *COMP).check("shell.completions")
    assert item["fixed"] is True and item["status"] == "ok"
    assert item["summary"] == f"fish completions installed at {target} and current"

    again = world.doctor("--fix", *COMP).check("shell.completions")
    assert again["fixed"] is False and again["status"] == "ok"


def test_stale_completions_are_replaced(world: World) -> None:
    world.set_shell("fish")
    world.install_completions()
    target = world.root / "config" / "fish" / "completions" / "clauderon.fish"
    target.write_text("# clauderon-completions 0.0.1\ncomplete -c clauderon\n")

    item = world.doctor(*COMP).check("shell.completions")
    assert item["status"] == "warning"
    assert "is stale (version 0.0.1; this clauderon is" in item["summary"]

    assert world.doctor("--fix", *COMP).check("shell.completions")["status"] == "ok"


def test_completions_zsh_cannot_find_warn_with_the_fpath_line(world: World) -> None:
    world.set_shell("zsh")
    assert world.clauderon("completions", "install", "--shell", "zsh").returncode == 0

    item = world.doctor(*COMP).check("shell.completions")

    assert item["status"] == "warning"
    assert item["summary"].endswith("but zsh will not find them yet")
    assert item["remedy"].startswith("fpath=(") and item["remedy"].endswith(" $fpath)")
    assert item["fixable"] is False
