"""The entry point ends the process without the interpreter's teardown, and loses nothing
by it: exit statuses, buffered output, atexit handlers (the registry's close) all as with
sys.exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# stdout block-buffered, as for a user (this environment may set PYTHONUNBUFFERED)
BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

PROGRAM = """
import atexit, sys
from clauderon.__main__ import _exit_now
atexit.register(lambda: open(sys.argv[1], "w").write("closed"))
sys.stdout.write("buffered, not flushed")
_exit_now({code})
"""


@pytest.mark.parametrize("code,status,stderr", [
    ("None", 0, ""), ("0", 0, ""), ("2", 2, ""), ("256", 0, ""), ("-1", 255, ""),
    ("'a message'", 1, "a message\n"),
])
def test_exit_status_output_and_atexit_as_sys_exit(tmp_path: Path, code: str, status: int,
                                                   stderr: str) -> None:
    marker = tmp_path / "marker"
    done = subprocess.run([sys.executable, "-c", PROGRAM.format(code=code), str(marker)],
                          capture_output=True, text=True, timeout=30, env=BUFFERED)
    assert (done.returncode, done.stdout, done.stderr) == (status, "buffered, not flushed",
                                                           stderr)
    assert marker.read_text() == "closed"


def test_a_closed_stdout_is_status_120_without_a_traceback(tmp_path: Path) -> None:
    # (less than the buffer: the write itself succeeds, the flush at exit cannot)
    program = ("import sys, time\nfrom clauderon.__main__ import _exit_now\n"
               "sys.stdout.write('x' * 1000)\ntime.sleep(0.3)\n_exit_now(0)\n")
    child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=BUFFERED)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # nobody reads: the flush at exit fails with EPIPE
    err = child.stderr.read().decode()
    assert child.wait(timeout=30) == 120
    assert "Traceback" not in err


def test_the_cli_exits_with_its_statuses() -> None:
    ok = subprocess.run([sys.executable, "-m", "clauderon", "--version"], capture_output=True,
                        text=True, timeout=30)
    usage = subprocess.run([sys.executable, "-m", "clauderon", "new", "x", "--backend", "nope"],
                           capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0 and ok.stdout.startswith("clauderon ")
    assert usage.returncode == 2
    assert "'nope' is not a backend" in usage.stderr and "Traceback" not in usage.stderr
