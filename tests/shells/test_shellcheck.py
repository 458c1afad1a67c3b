"""shellcheck (and zsh's and fish's own syntax checks) on every shell file clauderon ships and
every snippet it writes, as tools/check_shell.py runs them in CI.

The snippets (env files, rc-file blocks) are rendered from hostile values by the real
``clauderon.shellquote`` and ``clauderon.shellrc``. Without shellcheck, zsh or fish the test
skips, or fails under ``CLAUDERON_REQUIRE_REAL=1``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from realtools import require

ROOT = Path(__file__).resolve().parents[2]
CHECKERS = {"sh": "shellcheck", "bash": "shellcheck", "zsh": "zsh", "fish": "fish"}


def _tool() -> Any:
    """tools/check_shell.py as a module (tools/ is not a package)."""
    if "check_shell" not in sys.modules:
        spec = importlib.util.spec_from_file_location("check_shell",
                                                      ROOT / "tools" / "check_shell.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["check_shell"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["check_shell"]


def _labels(targets: list[Any]) -> list[str]:
    return [t.label + f" [{t.tool}]" for t in targets]


SHIPPED = _tool().shipped()


@pytest.mark.parametrize("target", SHIPPED, ids=_labels(SHIPPED))
def test_shipped_shell_file_is_clean(target: Any) -> None:
    require(CHECKERS[target.tool], f"{target.label} is checked with it")
    assert _tool().check(target) == ""


def test_written_snippets_are_clean(tmp_path: Path) -> None:
    for program in ("shellcheck", "zsh", "fish"):
        require(program, "the written snippets are checked with it")
    targets = _tool().written(tmp_path)
    assert {t.tool for t in targets} == {"sh", "bash", "zsh", "fish"}
    found = {t.label + f" [{t.tool}]": _tool().check(t) for t in targets}
    assert {label: said for label, said in found.items() if said} == {}


def test_the_snippets_hold_the_hostile_values(tmp_path: Path) -> None:
    """What is checked is what clauderon writes for those values: each one reads back exactly
    in real bash (so the check above ran over the hard cases, not over an empty file)."""
    bash = require("bash", "the env file is sourced by real bash")
    import subprocess

    tool = _tool()
    env_sh = next(t for t in tool.written(tmp_path) if t.label == "env file (sh)").path
    script = ". \"$1\"; shift; for n; do printf '%s\\0' \"${!n}\"; done"
    names = list(tool.HOSTILE_VALUES)
    out = subprocess.run([bash, "--norc", "-c", script, "x", str(env_sh), *names],
                         capture_output=True, check=True, env={"PATH": "/usr/bin:/bin"})
    assert out.stdout.decode().split("\0")[:-1] == list(tool.HOSTILE_VALUES.values())
    hook = tmp_path / tool.HOSTILE_DIR / "clauderon.bash"  # the path the rc block sources
    hook.parent.mkdir()
    hook.write_text("echo hook ran\n")
    rc = tmp_path / "rc-bash" / ".bashrc"
    ran = subprocess.run([bash, "--norc", "-c", '. "$1"', "x", str(rc)], capture_output=True,
                         text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    assert ran.stdout == "hook ran\n"


def test_a_finding_fails_the_check(tmp_path: Path) -> None:
    """The check is not vacuous: an unquoted expansion and a zsh/fish syntax error fail."""
    require("shellcheck", "the check runs shellcheck")
    tool = _tool()
    bad = tmp_path / "bad.bash"
    bad.write_text('f() { rm -rf $1/*; }\n')
    assert "SC2086" in tool.check(tool.Target("bad", bad, "bash"))
    require("zsh", "the check runs zsh -n")
    bad_zsh = tmp_path / "bad.zsh"
    bad_zsh.write_text("if [[ -n $x ]]; then\n")
    assert tool.check(tool.Target("bad", bad_zsh, "zsh")) != ""
    require("fish", "the check runs fish --no-execute")
    bad_fish = tmp_path / "bad.fish"
    bad_fish.write_text("function f\n")
    assert tool.check(tool.Target("bad", bad_fish, "fish")) != ""
