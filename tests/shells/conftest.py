"""Fixtures for the real-shell tests: an isolated HOME per test and an interactive-shell runner.

The shells are the real ones from /usr/bin (Debian packages). A missing shell skips its tests
with the reason, unless ``CLAUDERON_REQUIRE_REAL=1``, which turns the skip into a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shellrun import RunShell, ShellResult, base_env, run_interactive, shell_path


@pytest.fixture
def home(isolated_home: Path) -> Path:
    """The test's own HOME (XDG dirs below it; see tests/conftest.py)."""
    return isolated_home


@pytest.fixture
def shell_env(home: Path) -> dict[str, str]:
    """The environment the shells under test get: no session, no proxy, TERM=xterm."""
    return base_env(home)


@pytest.fixture
def run_shell(shell_env: dict[str, str]) -> RunShell:
    """Run a real interactive shell with an rc file; return what it printed."""

    def run(
        shell: str, command: str, *, rc: str | None = None,
        env: dict[str, str | None] | None = None, cwd: Path | None = None,
    ) -> ShellResult:
        merged = dict(shell_env)
        for key, value in (env or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return run_interactive(shell, command, env=merged, rc=rc, cwd=cwd)

    return run


@pytest.fixture(params=["bash", "zsh", "fish"])
def shell(request: pytest.FixtureRequest) -> str:
    """Each real shell in turn (skipped when it is not installed)."""
    name: str = request.param
    shell_path(name)
    return name


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty directory for the shells to write their results into."""
    path = tmp_path / "out"
    path.mkdir()
    return path

