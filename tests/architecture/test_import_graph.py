"""The package's layering, read from its import statements (all of them: module level,
inside functions, under TYPE_CHECKING): no circle, nothing below the CLI imports it, and the
hot commands do not pay for what they do not use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.architecture.importgraph import PACKAGE, cycles, graph


def test_the_import_graph_has_no_circle() -> None:
    assert cycles(graph()) == []


def test_a_planted_circle_is_found(tmp_path: Path) -> None:
    package = tmp_path / "clauderon"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from clauderon import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from clauderon.a import f\n")
    assert cycles(graph(package)) == [["clauderon.a", "clauderon.b"]]


def test_nothing_below_the_cli_imports_it() -> None:
    upward = sorted((a, b) for a, targets in graph().items() for b in targets
                    if b.startswith("clauderon.cli") and not a.startswith("clauderon.cli")
                    and a != "clauderon.__main__")
    assert upward == []


def test_the_backend_table_imports_no_backend() -> None:
    edges = graph()
    names = {p.stem for p in (PACKAGE / "backends").glob("*.py")} - {"__init__", "base"}
    assert {f"clauderon.backends.{n}" for n in names}.isdisjoint(edges["clauderon.backends"])


def _imported(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "clauderon", *args],
                          capture_output=True, text=True, timeout=60)
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:")}


def test_version_imports_no_backend_and_no_config() -> None:
    loaded = _imported("--version")
    assert not {m for m in loaded if m.startswith("clauderon.backends.")}
    assert "clauderon.config" not in loaded and "sqlite3" not in loaded
