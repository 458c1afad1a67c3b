"""tmux says what happened, or clauderon does not claim it: a shell that exits at once (on a
machine with both cores busy), a directory tmux reads as a format, names and socket names
tmux would rewrite, and a `tmux` that prints what clauderon cannot read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from realtools import require

from adversarial.support import World, assert_one_line_error

pytestmark = pytest.mark.adversarial("faults")


@contextmanager
def busy_cores() -> Iterator[None]:
    """One busy loop per core for the duration (a loaded machine)."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def test_a_shell_that_exits_at_once_is_reported_50_times_in_a_row_under_load(
        world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    with busy_cores():
        for attempt in range(50):
            dies = world.run("new", "--backend", "tmux", "--shell", "/bin/false", f"t{attempt}")
            assert_one_line_error(dies, "exited at once", "nothing was kept")
    assert world.registry_names() == set() and world.env_file_names() == set()
    left = subprocess.run(["tmux", "list-sessions"], env=world.env, capture_output=True,
                          text=True, check=False)
    assert left.stdout == ""


def test_an_rc_file_that_exits_is_reported(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    require("bash", "the session shell")
    home = Path(world.env["HOME"])
    # (an rc file that first writes to a terminal tmux is slow to read, under load, can look
    # like a shell at its prompt: a known limit, docs/tmux.md)
    (home / ".bashrc").write_text("exit 3\n")
    with busy_cores():
        for attempt in range(10):
            dies = world.run("new", "--backend", "tmux", "--shell", "/bin/bash", f"b{attempt}")
            assert_one_line_error(dies, "exited at once")
    assert world.registry_names() == set()


@pytest.mark.parametrize("sub", ["#[fg=red]", "a#b", "x#Sy", "#{host}", "w#(touch PWNED)"])
def test_a_workdir_with_hashes_starts_there_or_nothing_is_made(world: World, sub: str) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    workdir = world.root / sub
    workdir.mkdir()
    made = world.run("new", "--backend", "tmux", "--workdir", str(workdir), "hw")
    assert not (world.root / "PWNED").exists() and not Path("PWNED").exists()
    if made.returncode == 0:
        listed = json.loads(world.ok("list", "--json").stdout)
        assert [(s["name"], s["status"]) for s in listed] == [("hw", "running")]
        pane = subprocess.run(["tmux", "display-message", "-p", "-t", "=hw:",
                               "#{pane_current_path}"], env=world.env, capture_output=True,
                              text=True, check=True)
        assert pane.stdout.strip() == str(workdir)
        world.ok("kill", "hw")
    else:
        assert_one_line_error(made, "instead of", "nothing was kept")
        assert world.registry_names() == set()


@pytest.mark.parametrize("name", ["#[fg=red]x", "a#b", "x#{host}", "y#(id)"])
def test_names_tmux_would_rewrite_are_refused(world: World, name: str) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    done = world.run("new", "--backend", "tmux", name)
    assert_one_line_error(done, "contains '#', which starts a tmux format", code=2)
    left = subprocess.run(["tmux", "list-sessions"], env=world.env, capture_output=True,
                          text=True, check=False)
    assert left.stdout == "" and world.registry_names() == set()


@pytest.mark.parametrize("socket", ["../../../../tmp/escaped", "a/b", "..", "x y"])
def test_a_socket_name_is_a_name(world: World, socket: str) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    world.write_config(f'[tmux]\nsocket = {json.dumps(socket)}\n')
    done = world.run("new", "--backend", "tmux", "s")
    assert_one_line_error(done, "tmux.socket", code=2)
    assert not Path("/tmp/escaped").exists() or socket != "../../../../tmp/escaped"
    assert world.registry_names() == set()


def _junk_tmux(world: World, real: str) -> dict[str, str]:
    """A `tmux` first on PATH that prints one line of junk for list-sessions (exit 0) and
    passes everything else to the real tmux."""
    shim = world.root / "shim"
    shim.mkdir()
    (shim / "tmux").write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do [ "$a" = list-sessions ] && { echo "garbage line"; exit 0; }; done\n'
        f'exec {real} "$@"\n')
    (shim / "tmux").chmod(0o755)
    return {"PATH": f"{shim}{os.pathsep}{world.env['PATH']}"}


def test_a_tmux_that_answers_junk_loses_nothing(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    real = subprocess.run(["sh", "-c", "command -v tmux"], env=world.env, capture_output=True,
                          text=True, check=True).stdout.strip()
    world.ok("new", "--backend", "tmux", "live1")
    world.ok("new", "--backend", "tmux", "live2")
    junk = _junk_tmux(world, real)

    listed = world.run("list", "--json", env=junk)
    assert [(s["name"], s["status"]) for s in json.loads(listed.stdout)] == [
        ("live1", "unknown"), ("live2", "unknown")]
    assert "cannot read the output of `tmux list-sessions`" in listed.stderr

    fixed = world.doctor("sessions.orphans", fix=True, env=junk)["sessions.orphans"]
    assert fixed["status"] == "error"
    assert not any(d.startswith("fixed: forgot") for d in fixed["details"])

    killed = world.run("kill", "live1", env=junk)
    assert killed.returncode != 0 and "Killed" not in killed.stdout

    # nothing was lost: rows, env files and both sessions are still there
    assert world.registry_names() == {"live1", "live2"}
    assert world.env_file_names() == {"live1", "live2"}
    sessions = subprocess.run(["tmux", "list-sessions", "-F", "#{session_name}"],
                              env=world.env, capture_output=True, text=True, check=True)
    assert set(sessions.stdout.split()) >= {"live2"}
