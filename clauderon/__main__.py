"""Entry point for ``clauderon`` and ``python -m clauderon``."""

from __future__ import annotations

import os
import sys


def main() -> None:
    from clauderon.cli.app import run

    try:
        run()
    except SystemExit as exc:
        _exit_now(exc.code)
    _exit_now(0)


def _exit_now(code: object) -> None:
    """End the process the way ``sys.exit(code)`` would, without the interpreter's teardown.

    Python's finalisation frees every object of every module (typer, click, sqlite3, ...):
    about 10 ms of every command, after the work is done and the output written. The parts
    of it a command can depend on run here, in the same order: the ``atexit`` handlers (the
    registry's connection closes, which checkpoints its WAL), then the flush of stdout and
    stderr. Every thread clauderon starts is a daemon thread (abandoned at exit either way)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message goes to stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    run_exitfuncs = getattr(__import__("atexit"), "_run_exitfuncs", None)
    if run_exitfuncs is None:  # not CPython: let the interpreter do it all
        sys.exit(status)
    run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            # a closed pipe (`clauderon list | head -1`): Python exits 120 when it cannot
            # flush stdout at exit
            if stream is sys.stdout and status == 0:
                status = 120
    os._exit(status & 0xFF)  # as the system takes sys.exit(256) or sys.exit(-1)


if __name__ == "__main__":
    main()
