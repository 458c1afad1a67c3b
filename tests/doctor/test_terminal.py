"""terminal.term: real terminfo files, found the way ncurses looks for them."""

from __future__ import annotations

from pathlib import Path

from clauderon.doctor.checks.terminal import find_terminfo
from tests.doctor.world import World

CHECK = ("--check", "terminal.term")


def test_term_with_an_entry_is_ok(world: World) -> None:
    item = world.doctor(*CHECK).check("terminal.term")

    assert item["status"] == "ok"
    assert item["summary"] == ("TERM=xterm-256color has a terminfo entry; sessions get the "
                               "same")


def test_unset_term_warns_and_sessions_get_the_default(world: World) -> None:
    item = world.doctor(*CHECK, env={"TERM": None}).check("terminal.term")

    assert item["status"] == "warning"
    assert item["summary"] == "TERM is not set in this shell"
    assert item["remedy"] == "export TERM=xterm-256color"
    assert any(d.startswith("sessions get TERM=xterm-256color (from clauderon's default")
               for d in item["details"])


def test_term_without_an_entry_is_an_error_for_sessions(world: World) -> None:
    run = world.doctor(*CHECK, env={"TERM": "no-such-terminal"})
    item = run.check("terminal.term")

    assert item["status"] == "error"
    assert item["summary"] == ("sessions get TERM=no-such-terminal (from this shell's TERM), "
                               "which has no terminfo entry: programs in them draw garbage")
    assert "TERM=no-such-terminal has no terminfo entry here" in item["details"]
    assert item["remedy"] == "export TERM=xterm-256color"
    assert run.returncode == 1


def test_configured_session_term_without_an_entry(world: World) -> None:
    world.write_config('[zellij]\nenv = ["TERM=xterm-ghostly"]\n')

    item = world.doctor(*CHECK).check("terminal.term")

    assert item["status"] == "error"
    assert "sessions get TERM=xterm-ghostly (from zellij.env in the config)" in item["summary"]
    assert item["remedy"].startswith("${EDITOR:-vi} ")
    assert item["remedy"].endswith('# env = ["TERM=xterm-256color"]')


def test_private_terminfo_dirs_are_searched(world: World) -> None:
    terminfo = world.root / "ti"
    (terminfo / "6d").mkdir(parents=True)  # hex of "m", as macOS lays them out
    (terminfo / "6d" / "myterm").write_bytes(b"\x1a\x01")
    dirs = world.root / "dirs"
    (dirs / "o").mkdir(parents=True)
    (dirs / "o" / "otherterm").write_bytes(b"\x1a\x01")

    item = world.doctor(*CHECK, env={"TERM": "myterm", "TERMINFO": str(terminfo)}
                        ).check("terminal.term")
    assert item["status"] == "ok"
    assert f"TERM=myterm: {terminfo}/6d/myterm" in item["details"]

    env = {"TERMINFO_DIRS": f"{dirs}:", "HOME": str(world.home)}
    assert find_terminfo("otherterm", env) == dirs / "o" / "otherterm"
    assert find_terminfo("xterm", env) is not None  # the empty entry: the system dirs
    assert find_terminfo("../etc/passwd", env) is None
    home_entry = world.home / ".terminfo" / "h" / "hometerm"
    home_entry.parent.mkdir(parents=True)
    home_entry.write_bytes(b"\x1a\x01")
    assert find_terminfo("hometerm", env) == Path(home_entry)
