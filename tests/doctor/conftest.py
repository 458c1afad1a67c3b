"""Fixtures for the doctor tests (see world.py for the world they build)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.fakezellij import fake_env

from tests.doctor.world import SHELLS, VERSION, Listener, World


@pytest.fixture(scope="session")
def system_bin() -> Iterator[Path]:
    """/usr/bin and /bin without the Docker CLI, as a directory of symlinks: the machine's
    Docker daemon is shared with other tests, so its labelled containers must not show up
    here (the one Docker test puts the real directories back on PATH)."""
    farm = Path(tempfile.mkdtemp(prefix="cd-bin-", dir="/tmp"))
    for directory in ("/usr/bin", "/bin"):
        for entry in os.scandir(directory):
            target = farm / entry.name
            if entry.name.startswith("docker") or os.path.lexists(target):
                continue
            os.symlink(entry.path, target)
    try:
        yield farm
    finally:
        shutil.rmtree(farm, ignore_errors=True)


@pytest.fixture
def world(tmp_path: Path, system_bin: Path) -> Iterator[World]:
    short = Path(tempfile.mkdtemp(prefix="cd-", dir="/tmp"))
    root = tmp_path
    env = fake_env(root, version=VERSION, socket_dir=short / "zj", path=str(system_bin),
                   extra={
                       "SHELL": SHELLS["bash"],
                       "TERM": "xterm-256color",
                       "XDG_STATE_HOME": str(root / "state"),
                       "CLAUDERON_CONFIG": str(root / "config" / "clauderon" / "config.toml"),
                       "TMUX_TMPDIR": str(short / "tmux"),
                       "CLAUDERON_DOCTOR_TIMEOUT": "20",
                   })
    (short / "tmux").mkdir()
    w = World(root=root, env=env)
    try:
        yield w
    finally:
        tmux = shutil.which("tmux", path="/usr/bin:/bin")
        if tmux:
            subprocess.run([tmux, "kill-server"], env=env, capture_output=True, check=False,
                           timeout=10)
        shutil.rmtree(short, ignore_errors=True)


# -- a TCP "proxy" --------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A TCP server on 127.0.0.1 that accepts and closes connections."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield Listener(server.getsockname()[1], server)
    finally:
        stop.set()
        thread.join(2)
        server.close()


