"""`new` finds a layout without the KDL parser or the layout validator (issue 10).

Resolving a layout (``clauderon.layouts``) needs neither; only doctor and the ``layout``
commands import ``clauderon.layout_check`` and, through it, ``clauderon.kdl``. Proven with
``python3 -X importtime``, whose stderr names every module the process imported.
"""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import Cli

SLOW = ("clauderon.kdl", "clauderon.layout_check")
_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|(?P<indent>\s*)(?P<name>\S+)$")


def imported(cli: Cli, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python3 -X importtime -m clauderon ARGS``; what it did and the modules it imported."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "clauderon", *args],
                            env=cli.env, cwd=cli.cwd, capture_output=True, text=True,
                            timeout=60)
    names = set()
    for line in result.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            names.add(match["name"])
    assert "clauderon.cli.app" in names, result.stderr[-2000:]  # the parse itself works
    return result, names


def test_new_with_a_layout_imports_neither_parser_nor_validator(cli: Cli) -> None:
    layouts = cli.home / ".config" / "zellij" / "layouts"
    layouts.mkdir(parents=True)
    (layouts / "mine.kdl").write_text("layout {\n    pane\n}\n", encoding="utf-8")
    for name, layout in (("hot-default", "default"), ("hot-file", "mine")):
        result, names = imported(cli, "new", name, "--backend", "zellij", "--layout", layout)
        assert result.returncode == 0, result.stderr[-2000:]
        assert f'Created Zellij session "{name}"' in result.stdout
        assert "clauderon.layouts" in names  # the layout was resolved ...
        assert not names & set(SLOW), sorted(names & set(SLOW))  # ... without these
    assert {"hot-default", "hot-file"} <= {row["name"] for row in cli.json("list")}


def test_new_help_imports_neither(cli: Cli) -> None:
    result, names = imported(cli, "new", "--help")
    assert result.returncode == 0
    assert "--layout" in result.stdout
    assert not names & set(SLOW), sorted(names & set(SLOW))


def test_doctor_layout_check_does_import_the_validator(cli: Cli) -> None:
    """The same parse sees the validator where it belongs (so the tests above can fail)."""
    result, names = imported(cli, "doctor", "--check", "config.layout")
    assert "layout" in result.stdout, result.stdout
    assert set(SLOW) <= names
