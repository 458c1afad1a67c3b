"""proc.run_on_pty: what doctor's shell probe reports about a program on a terminal."""

from __future__ import annotations

from clauderon.proc import run_on_pty


def _sh(script: str, *, timeout: float = 10) -> tuple[bytes, int | None, bool]:
    done = run_on_pty(["/bin/sh", "-c", script], env={"PATH": "/usr/bin:/bin"}, cwd=None,
                      typed=b"", timeout=timeout)
    return done.output, done.returncode, done.timed_out


def test_exit_status_is_reported() -> None:
    output, status, timed_out = _sh("echo hello; exit 3")

    assert b"hello" in output
    assert (status, timed_out) == (3, False)


def test_a_program_that_closes_its_terminal_before_exiting_keeps_its_status() -> None:
    # The terminal closes a moment before the exit can be reaped; the status must not be lost
    # (doctor said "status None" for an rc file that ran `exit 3`, about one run in four).
    output, status, timed_out = _sh("echo bye; exec </dev/null >/dev/null 2>&1; sleep 0.3; exit 7")

    assert b"bye" in output
    assert (status, timed_out) == (7, False)


def test_a_program_that_never_exits_is_killed_at_the_timeout() -> None:
    _output, status, timed_out = _sh("sleep 30", timeout=0.5)

    assert timed_out is True
    assert status is None  # None: it was still running and was killed
