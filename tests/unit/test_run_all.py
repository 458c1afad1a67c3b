"""proc.run_all: independent commands at the same time, each under run's rules (its own
process group, reaped whatever ends the wait), results in order. Real processes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clauderon import proc
from clauderon.errors import CommandError, CommandNotFound, CommandTimeout

ENV = {"PATH": "/usr/bin:/bin"}


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def test_results_come_back_in_order_with_their_own_output_and_status() -> None:
    results = proc.run_all([["sh", "-c", "sleep 0.2; echo first"],
                            ["sh", "-c", "echo second >&2; exit 3"],
                            ["echo", "third"]], env=ENV, check=False)
    assert [(r.stdout, r.stderr, r.returncode) for r in results] == [
        ("first\n", "", 0), ("", "second\n", 3), ("third\n", "", 0)]


def test_the_commands_run_at_the_same_time() -> None:
    start = time.monotonic()
    proc.run_all([["sleep", "0.4"]] * 3, env=ENV)
    assert time.monotonic() - start < 1.0  # one after the other: 1.2 s


def test_check_raises_the_first_failure_in_order() -> None:
    with pytest.raises(CommandError) as caught:
        proc.run_all([["true"], ["sh", "-c", "echo one >&2; exit 4"],
                      ["sh", "-c", "exit 5"]], env=ENV)
    assert "exit code 4" in str(caught.value) and "one" in str(caught.value)


def test_a_missing_program_ends_the_batch_and_reaps_what_started(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    with pytest.raises(CommandNotFound):
        proc.run_all([["sh", "-c", f"echo $$ > {marker}; exec sleep 30"],
                      ["no-such-program-clauderon"]], env=ENV)
    deadline = time.monotonic() + 5
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    if marker.exists():  # it had started: it must not be left running
        assert _gone(int(marker.read_text()))


def test_the_timeout_is_for_the_whole_batch_and_stops_every_group(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    start = time.monotonic()
    with pytest.raises(CommandTimeout):
        proc.run_all([["sh", "-c", "sleep 0.3"],
                      ["sh", "-c", f"sleep 30 & echo $! > {marker}; wait"]],
                     env=ENV, timeout=1.5)
    assert time.monotonic() - start < 10  # not the 30 s of the sleep
    assert _gone(int(marker.read_text()))  # the grandchild went with its group
