"""The entry point exits the normal way (gc.freeze() first): statuses, buffered output,
atexit handlers and a closed stdout behave as with any Python program."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# stdout block-buffered, as for a user (this environment may set PYTHONUNBUFFERED)
BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

PROGRAM = """
import atexit, sys, threading, time
import clauderon.cli.app as app
from clauderon.__main__ import main
atexit.register(lambda: open(sys.argv[1], "a").write("atexit;"))
def late():
    time.sleep(0.2)
    open(sys.argv[1], "a").write("thread;")
def run():
    threading.Thread(target=late).start()   # a non-daemon thread's work is not lost
    sys.stdout.write("buffered, not flushed")
    sys.exit({code})
app.run = run
main()
"""


@pytest.mark.parametrize("code,status,stderr", [
    ("None", 0, ""), ("0", 0, ""), ("2", 2, ""), ("256", 0, ""), ("-1", 255, ""),
    ("'a message'", 1, "a message\n"),
])
def test_exit_status_output_atexit_and_threads(tmp_path: Path, code: str, status: int,
                                              stderr: str) -> None:
    marker = tmp_path / "marker"
    done = subprocess.run([sys.executable, "-c", PROGRAM.format(code=code), str(marker)],
                          capture_output=True, text=True, timeout=30, env=BUFFERED)
    assert (done.returncode, done.stdout, done.stderr) == (status, "buffered, not flushed",
                                                           stderr)
    assert marker.read_text() == "thread;atexit;"


def test_a_closed_stdout_is_status_120_without_a_traceback() -> None:
    # (less than the buffer: the write itself succeeds, the flush at exit cannot)
    program = ("import sys, time\nimport clauderon.cli.app as app\n"
               "from clauderon.__main__ import main\n"
               "app.run = lambda: (sys.stdout.write('x' * 1000), time.sleep(0.3))\nmain()\n")
    child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=BUFFERED)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # nobody reads: the flush at exit fails with EPIPE
    err = child.stderr.read().decode()
    assert child.wait(timeout=30) == 120
    assert err == ""


def test_the_cli_exits_with_its_statuses() -> None:
    ok = subprocess.run([sys.executable, "-m", "clauderon", "--version"], capture_output=True,
                        text=True, timeout=30)
    usage = subprocess.run([sys.executable, "-m", "clauderon", "new", "x", "--backend", "nope"],
                           capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0 and ok.stdout.startswith("clauderon ")
    assert usage.returncode == 2
    assert "'nope' is not a backend" in usage.stderr and "Traceback" not in usage.stderr


def test_no_private_exit_in_the_package() -> None:
    package = Path(__file__).resolve().parents[2] / "clauderon"
    text = "".join(p.read_text(encoding="utf-8") for p in package.rglob("*.py"))
    assert "_run_exitfuncs" not in text and "os._exit" not in text
