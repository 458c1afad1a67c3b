"""Layout names as input (issue 12): too long, control characters, unreadable paths.

A layout no file system can hold, or one whose lookup fails, is refused with ONE line
(exit 2) that names the value (escaped, a long one cut with its length) and says what to do;
nothing is created. Through the installed CLI against the Zellij fake, from ``--layout`` and
from ``[zellij] layout`` in the config file, and through doctor's ``config.layout``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from adversarial.stats import STATS
from adversarial.support import TRACEBACK, World, assert_one_line_error

pytestmark = pytest.mark.adversarial("injection")

# (layout, fragments the one line must hold)
TOO_LONG = [
    ("a" * 5000, ["too long", "5,000 bytes", "at most 251 bytes"]),
    ("b" * 252, ["too long", "(this one 256)"]),  # 252 + ".kdl" = 256 > 255
    ("é" * 130, ["too long", "260 bytes"]),  # 130 characters, 260 bytes in UTF-8
    ("d/" + "c" * 300 + ".kdl", ["component of 304 bytes", "at most 255"]),
    ("e/" * 2100 + "x.kdl", ["longer than 4,095 bytes"]),
]
CONTROL = [("a\nb", "a\\nb"), ("esc\x1b[2Jx", "esc\\x1b[2Jx"), ("bell\x07", "bell\\x07"),
           ("cr\rx", "cr\\rx")]


def _nothing_made(world: World) -> None:
    assert world.registry_names() == set()
    assert world.zellij_sessions() == set()
    assert world.env_file_names() == set()
    assert world.stray_files() == []


def _refused(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    line = assert_one_line_error(proc, *fragments, code=2)
    assert len(line) < 700, line  # a 5,000-byte value is cut, not printed whole
    assert not any(ord(c) < 0x20 or c == "\x7f" for c in line), repr(line)
    STATS.add("injection:rejected")
    return line


@pytest.mark.parametrize("layout,fragments", TOO_LONG, ids=lambda v: str(len(v)))
def test_a_layout_no_file_system_can_hold_is_one_line(
        world: World, layout: str, fragments: list[str]) -> None:
    _refused(world.run("new", "--backend", "zellij", "--layout", layout, "long"), *fragments)
    world.write_config(f'[zellij]\nlayout = "{layout}"\n')
    _refused(world.run("new", "--backend", "zellij", "long"), *fragments)
    checked = world.doctor("config.layout")["config.layout"]
    assert checked["status"] == "error" and fragments[0] in checked["summary"], checked
    _nothing_made(world)
    STATS.add("cli:layout-names", 3)


def test_the_longest_usable_layout_name_works(world: World) -> None:
    """251 bytes + ".kdl" is exactly a file name's limit: used, not refused."""
    name = "L" * 251
    layouts = world.home / ".config" / "zellij" / "layouts"
    layouts.mkdir(parents=True)
    (layouts / f"{name}.kdl").write_text("layout {\n    pane\n}\n", encoding="utf-8")
    proc = world.ok("new", "--backend", "zellij", "--layout", name, "edge")
    assert '"edge"' in proc.stdout
    assert world.registry_names() == {"edge"}
    STATS.add("cli:layout-names")


def test_a_lookup_that_fails_is_one_line(world: World, tmp_path: Path) -> None:
    """A relative path that fits alone but not under the cwd: the file system's own
    "File name too long" (and any other error while looking) is one line, exit 2."""
    deep = tmp_path / ("w" * 200)
    deep.mkdir()
    layout = "f/" * 2000 + "x.kdl"  # 4,005 bytes: fits alone, not after cwd's ~300
    line = _refused(world.run("new", "--backend", "zellij", "--layout", layout, "deep", cwd=deep),
                    "cannot look for layout", "File name too long")
    assert "(4,005 bytes)" in line
    _nothing_made(world)
    STATS.add("cli:layout-names")


@pytest.mark.parametrize("layout,escaped", CONTROL, ids=[e for _, e in CONTROL])
def test_control_characters_in_a_layout_name_are_shown_escaped(
        world: World, layout: str, escaped: str) -> None:
    line = _refused(world.run("new", "--backend", "zellij", "-l", layout, "ctl"),
                    f"'{escaped}' not found")
    assert "pick a built-in" in line
    report = world.run("doctor", "--json", "--check", "config.layout",
                       env={"CLAUDERON_CONFIG": str(world.write_config(
                           "[zellij]\nlayout = " + json.dumps(layout) + "\n"))})
    assert TRACEBACK not in report.stderr
    assert json.loads(report.stdout)["checks"][0]["status"] == "error"
    _nothing_made(world)
    STATS.add("cli:layout-names", 2)
