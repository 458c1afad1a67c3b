"""Run a program on a pseudo-terminal, type into it, and stop it within a time limit.

The proxy-propagation probe needs what :mod:`clauderon.proc` cannot give: an interactive shell
on a terminal of its own (fish refuses to run interactively without a controlling terminal,
and rc files often test ``[ -t 0 ]``). The same rules as ``proc.run`` apply: an argv list, a
timeout, the child in its own process group, killed with that group when time runs out.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

MAX_OUTPUT = 1 << 20
EXIT_GRACE = 0.5  # seconds a finished probe gets to exit on its own


@dataclass(frozen=True)
class PtyResult:
    output: bytes
    returncode: int | None  # None: it was still running and was killed
    timed_out: bool


def _controlling_tty() -> None:  # runs in the child, after setsid: make the pty its terminal
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_on_pty(argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None,
               typed: bytes, timeout: float,
               finished: Callable[[], bool] | None = None) -> PtyResult:
    """Start ``argv`` on a new pty (24x80), type ``typed``, read until it exits.

    ``finished`` (polled) may say the work is done; the program then gets EXIT_GRACE seconds
    to exit before it is killed. After ``timeout`` seconds it is killed regardless.
    """
    master, slave = pty.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        # preexec_fn with threads: it only calls fcntl.ioctl (imported already), so it
        # takes no lock another thread could hold at fork time.
        child = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env), cwd=cwd,
            start_new_session=True, close_fds=True,
            preexec_fn=_controlling_tty)
    except BaseException:
        os.close(master)
        os.close(slave)
        raise
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + timeout
    grace_until: float | None = None
    timed_out = False
    pending = typed
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if grace_until is None and finished is not None and finished():
                grace_until = now + EXIT_GRACE
            if grace_until is not None and now >= grace_until:
                break
            wants_write = [master] if pending else []
            readable, writable, _ = select.select([master], wants_write, [], 0.05)
            if writable and pending:
                try:
                    pending = pending[os.write(master, pending):]
                except OSError:
                    pending = b""
            if readable:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every holder of the slave side has closed it
                    chunk = b""
                if not chunk:
                    break
                if len(output) < MAX_OUTPUT:
                    output += chunk
            elif child.poll() is not None:
                break
    finally:
        returncode = child.poll()
        if returncode is None:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                child.kill()
            child.wait()
        else:
            try:  # leftovers of the shell (background jobs of an rc file) go too
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        os.close(master)
    return PtyResult(bytes(output), returncode, timed_out)
