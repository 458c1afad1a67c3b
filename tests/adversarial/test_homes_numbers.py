"""Homes, encodings, numbers: what the environment and argv may hold that is not a path, not
UTF-8 or not a number (issue 12).

- No HOME, an empty HOME or a relative one: clauderon wrote ``./~/.local/share/...`` in the
  current directory, and as root with ``HOME=`` under ``/``; ``shell install`` crashed. Now one
  line (exit 2) and nothing written, unless the XDG variables give every directory.
- A session name that is not UTF-8 (``$'\\xff'``) crashed attach, env and kill with a
  UnicodeEncodeError traceback: one line, exit 2, the byte shown escaped.
- ``CLAUDERON_DOCTOR_TIMEOUT`` of ``inf``, ``1e308``, ``nan``, ``-1``, ``0``, ``abc``: an
  OverflowError traceback and a hung ``zellij list-sessions`` left running. One line naming the
  variable, the value and the range; nothing started.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fakes.fakezellij import read_log

from adversarial.stats import STATS
from adversarial.support import World, assert_one_line_error

pytestmark = pytest.mark.adversarial("homes")

XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
       "CLAUDERON_CONFIG")
HOMES = {"unset": None, "empty": "", "relative": "rel/home", "tilde": "~"}


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _root_clauderon_dirs() -> set[str]:
    return {p for p in ("/.local/share/clauderon", "/.local/state/clauderon",
                        "/.cache/clauderon", "/.config/clauderon", "/~") if os.path.lexists(p)}


@pytest.mark.parametrize("home", sorted(HOMES))
@pytest.mark.parametrize("command", [("list",), ("new", "s1", "--backend", "zellij"),
                                     ("kill", "s1"), ("shell", "install", "--shell", "bash"),
                                     ("doctor",), ("config", "path")])
def test_no_usable_home_refuses_and_writes_nothing(world: World, home: str,
                                                   command: tuple[str, ...]) -> None:
    before_cwd = _tree(world.cwd)
    before_root = _root_clauderon_dirs()
    env: dict[str, str | None] = {key: None for key in XDG}
    env["HOME"] = HOMES[home]
    proc = world.run(*command, env=env)
    line = assert_one_line_error(proc, "HOME", code=2)
    if HOMES[home]:
        assert repr(HOMES[home]) in line, line
    assert _tree(world.cwd) == before_cwd, "clauderon wrote into the current directory"
    assert _root_clauderon_dirs() == before_root, "clauderon wrote under /"
    assert world.zellij_sessions() == set()
    STATS.add(f"homevar:HOME {home}")


def test_xdg_variables_stand_in_for_home(world: World) -> None:
    """HOME empty, every XDG variable absolute: sessions work, everything lands under them."""
    env: dict[str, str | None] = {"HOME": ""}
    world.ok("new", "s1", "--backend", "zellij", env=env)
    assert world.registry_names() == {"s1"}
    assert world.env_file_names() == {"s1"}
    world.ok("kill", "s1", env=env)
    assert world.registry_names() == set()
    assert _tree(world.cwd) == set()
    # rc files live in HOME itself: shell install names HOME, changes nothing
    proc = world.run("shell", "install", "--shell", "bash", env=env)
    assert_one_line_error(proc, "HOME is empty", code=2)
    STATS.add("homevar:XDG without HOME")


# -- names that are not UTF-8 ----------------------------------------------------------------

UNDECODABLE = [b"\xff", b"a\xffb", b"\xc3", b"\xed\xa0\x80", b"ok-\x80\x1b[31m"]


@pytest.mark.parametrize("raw", UNDECODABLE, ids=lambda b: b.hex())
@pytest.mark.parametrize("command", ["env", "kill", "attach", "rm", "new"])
def test_a_name_that_is_not_utf8_is_one_line(world: World, raw: bytes, command: str) -> None:
    world.ok("new", "keep", "--backend", "zellij")
    name = os.fsdecode(raw)  # what argv holds for these bytes
    extra = ["--backend", "zellij"] if command == "new" else []
    proc = world.run(command, name, *extra)
    line = assert_one_line_error(proc, "not valid UTF-8", code=2)
    assert "\\x" in line and "\x1b" not in line, line  # shown escaped, never raw
    assert world.registry_names() == {"keep"}
    assert world.zellij_sessions() == {"keep"}
    STATS.add("names:rejected")


# -- numbers ---------------------------------------------------------------------------------

BAD_TIMEOUTS = ["inf", "1e308", "nan", "-1", "0", "abc", "-inf", "1e-9", "601"]


@pytest.mark.parametrize("value", BAD_TIMEOUTS)
def test_doctor_timeout_out_of_range_is_one_line(world: World, value: str) -> None:
    proc = world.run("doctor", env={"CLAUDERON_DOCTOR_TIMEOUT": value})
    assert_one_line_error(proc, "CLAUDERON_DOCTOR_TIMEOUT", repr(value), "0.05", "600",
                          code=2)
    assert read_log(Path(world.env["FAKE_ZELLIJ_LOG"])) == [], "doctor started zellij"
    assert world.stray_files() == []
    STATS.add("numbers:refused")


@pytest.mark.parametrize("value", ["inf", "nan", "1e308", "0"])
def test_doctor_timeout_option_out_of_range_is_one_line(world: World, value: str) -> None:
    proc = world.run("doctor", "--timeout", value)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "--timeout" in proc.stderr
    STATS.add("numbers:refused")

