"""Kill checks the registry can be changed before it touches the backend: with the registry
locked by another process or read-only, `kill` fails with one line and the session still
runs, its row and env file kept (before, the session was killed and its row left behind)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from realtools import require

from adversarial.support import World, assert_one_line_error, read_only

pytestmark = pytest.mark.adversarial("faults")

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


def _tmux_running(world: World, name: str) -> bool:
    return subprocess.run(["tmux", "has-session", "-t", f"={name}"], env=world.env,
                          capture_output=True).returncode == 0


def test_kill_with_the_registry_locked_kills_nothing(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    world.ok("new", "--backend", "tmux", "keep")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(world.registry)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        assert_one_line_error(world.run("kill", "keep"), "locked by another process")
        assert _tmux_running(world, "keep")
        assert world.registry_names() == {"keep"} and world.env_file_names() == {"keep"}
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)
    world.ok("kill", "keep")
    assert not _tmux_running(world, "keep") and world.registry_names() == set()


def test_kill_with_a_read_only_registry_kills_nothing(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    world.ok("new", "--backend", "tmux", "keep")
    with read_only(world.data_dir):
        assert_one_line_error(world.run("kill", "keep"), "read-only")
        assert _tmux_running(world, "keep")
        assert world.registry_names() == {"keep"} and world.env_file_names() == {"keep"}
    world.ok("kill", "keep")
    assert not _tmux_running(world, "keep")
