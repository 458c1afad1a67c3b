"""Fixtures of the adversarial suite, its scenario bookkeeping and its closing figures.

Every test here is marked ``@pytest.mark.adversarial(AREA)`` (``injection``, ``rc``, ``faults``,
``load``, ``secrets``); each one is a scenario of its area, and its outcome is tallied. The
figures are printed at the end of the run, before pytest's own summary line (which stays the
last line: CI reads it).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from adversarial.stats import STATS
from adversarial.support import World, make_system_bin, world_at


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "adversarial(area): a scenario of the adversarial "
                                       "suite (injection, rc, faults, load, secrets)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Iterator[None]:
    report = yield
    marker = item.get_closest_marker("adversarial")
    if marker is not None and marker.args:
        area = str(marker.args[0])
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if hasattr(report, "wasxfail"):
                STATS.add(f"{area}:known-gaps")
            elif not report.skipped:
                STATS.scenario(area, report.passed)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not (STATS.scenarios or STATS.counts):
        return
    terminalreporter.write_sep("-", "adversarial suite")
    terminalreporter.write_line(STATS.summary())


@pytest.fixture(scope="session")
def system_bin() -> Iterator[Path]:
    farm = Path(tempfile.mkdtemp(prefix="adv-bin-", dir="/tmp"))
    try:
        yield make_system_bin(farm / "bin")
    finally:
        shutil.rmtree(farm, ignore_errors=True)


@pytest.fixture
def world(tmp_path: Path, system_bin: Path) -> Iterator[World]:
    """A fresh isolated world: HOME, the Zellij fake, a private tmux server dir, proxies
    holding the secret."""
    with world_at(tmp_path, system_bin) as w:
        yield w
