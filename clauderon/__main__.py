"""Entry point for ``clauderon`` and ``python -m clauderon``."""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    from clauderon.cli.app import run

    try:
        run()
    finally:
        # Every object alive now lives until the process ends: moving them out of the
        # collector's reach spares the interpreter's shutdown most of its work (about 8 ms
        # of every command, docs/performance.md) while the exit stays the normal one:
        # atexit handlers, buffered files, non-daemon threads, -X dev warnings.
        gc.freeze()
        _flush_stdout()


def _flush_stdout() -> None:
    """Flush stdout now; a reader that went away (`clauderon list | head -1`) ends the
    command with status 120, as Python's own exit does, without its "Exception ignored"
    message (the recipe of the signal module's documentation)."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(120)


if __name__ == "__main__":
    main()
