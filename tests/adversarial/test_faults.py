"""Faults: a multiplexer that is missing, hangs, crashes or prints garbage; a registry that is
locked, read-only, corrupt or deleted; a state directory that cannot be written; a full disk; a
proxy that accepts and never answers.

Each scenario: the command ends in bounded time with one clear line (no traceback), nothing is
left half-made (no orphan session, env file or process), no registry row is lost, and
``clauderon doctor --json`` names the problem. The scenarios that wait for a time limit (a hung
zellij, a locked registry) start together in the background when the module starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fakes.fakezellij import read_log
from realtools import require

from adversarial.support import (
    TRACEBACK,
    World,
    alive,
    assert_one_line_error,
    elapsed,
    fill,
    read_only,
    tiny_disk,
    world_at,
)

pytestmark = pytest.mark.adversarial("faults")

CREATE_TIMEOUT = 15  # clauderon's limit for `zellij attach --create-background`
LIST_TIMEOUT = 5     # ... for `zellij list-sessions`
SLACK = 10           # start-up, the kill grace, a loaded CI machine


def fake_pids(world: World) -> list[int]:
    return [int(entry["pid"]) for entry in read_log(world.env["FAKE_ZELLIJ_LOG"])]


def assert_no_fake_left(world: World) -> None:
    """Every zellij the commands started has ended (a timed-out one was killed)."""
    deadline = time.monotonic() + 5
    while left := [pid for pid in fake_pids(world) if alive(pid)]:
        assert time.monotonic() < deadline, f"zellij processes left running: {left}"
        time.sleep(0.05)


def assert_listed_as_unknown(proc: subprocess.CompletedProcess[str], name: str,
                             fragment: str) -> None:
    """`clauderon list` with a backend that cannot answer: the rows are shown with the
    status ``unknown`` and one warning line says why (exit 1 tells scripts)."""
    assert proc.returncode in (0, 1) and TRACEBACK not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], proc.stderr
    assert lines[0].startswith(("warning: ", "error: ")), lines
    row = next(line for line in proc.stdout.splitlines() if line.startswith(name + "\t"))
    assert row.split("\t")[2] == "unknown", row


def doctor_text(item: dict[str, Any]) -> str:
    return "\n".join([item["summary"], *item["details"], item["remedy"] or ""])


# -- the slow scenarios, started together --------------------------------------------------------


def hang_listing(world: World) -> None:
    world.ok("new", "keep")
    proc = world.run("list", env={"FAKE_ZELLIJ_HANG": "ls"})
    assert elapsed(proc) < LIST_TIMEOUT + SLACK
    assert_listed_as_unknown(proc, "keep", "timed out")
    assert world.registry_names() == {"keep"}  # nothing forgotten
    start = time.monotonic()
    report = world.doctor("sessions.orphans", env={"FAKE_ZELLIJ_HANG": "ls",
                                                   "CLAUDERON_DOCTOR_TIMEOUT": "3"})
    assert time.monotonic() - start < 3 + SLACK
    orphans = report["sessions.orphans"]
    assert orphans["status"] == "error" and "timed out" in doctor_text(orphans), orphans
    assert_no_fake_left(world)
    assert world.assert_consistent() == 1


def hang_create(world: World) -> None:
    proc = world.run("new", "stuck", env={"FAKE_ZELLIJ_HANG": "attach"})
    assert elapsed(proc) < CREATE_TIMEOUT + SLACK
    assert_one_line_error(proc, "timed out", "stopped")
    assert_no_fake_left(world)
    assert world.assert_consistent() == 0
    world.ok("new", "stuck")  # nothing of the failed attempt is in the way
    assert world.assert_consistent(doctor=False) == 1


SHIM = """#!/bin/sh
# A zellij whose listing hangs after starting a daemon that inherits (and holds) its pipes.
case "$1" in
  list-sessions|ls)
    setsid sleep 300 &
    echo $! > "$ADV_DAEMON_PID"
    exec sleep 300 ;;
esac
exec "$ADV_REAL_ZELLIJ" "$@"
"""


def hang_holding_pipes(world: World) -> None:
    shim_dir = world.root / "shim"
    shim_dir.mkdir()
    (shim_dir / "zellij").write_text(SHIM)
    (shim_dir / "zellij").chmod(0o755)
    pid_file = world.root / "daemon.pid"
    world.ok("new", "keep")
    env = {"PATH": f"{shim_dir}{os.pathsep}{world.env['PATH']}",
           "ADV_DAEMON_PID": str(pid_file),
           "ADV_REAL_ZELLIJ": str(Path(world.env["PATH"].split(os.pathsep)[0]) / "zellij")}
    try:
        proc = world.run("list", env=env, timeout=LIST_TIMEOUT + 60)
        assert elapsed(proc) < LIST_TIMEOUT + SLACK, "clauderon waited for the daemon"
        assert_listed_as_unknown(proc, "keep", "timed out")
    finally:
        if pid_file.exists():
            daemon = int(pid_file.read_text())
            with contextlib.suppress(ProcessLookupError):
                os.kill(daemon, signal.SIGKILL)
    assert world.registry_names() == {"keep"}


HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


def locked_registry(world: World) -> None:
    world.ok("new", "keep")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(world.registry)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        listed = world.run("list", "--json")  # readers are not blocked (WAL)
        assert listed.returncode == 0 and elapsed(listed) < 10
        assert [i["name"] for i in json.loads(listed.stdout)] == ["keep"]
        proc = world.run("new", "blocked")
        assert elapsed(proc) < 15 + SLACK
        assert_one_line_error(proc, "locked by another process")
        assert world.zellij_sessions() == {"keep"} and world.env_file_names() == {"keep"}
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)
    world.ok("new", "blocked")
    assert world.assert_consistent() == 2


SLOW: dict[str, Callable[[World], None]] = {
    "hang-listing": hang_listing,
    "hang-create": hang_create,
    "hang-holding-pipes": hang_holding_pipes,
    "locked-registry": locked_registry,
}


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory, system_bin: Path
         ) -> Iterator[dict[str, Future[None]]]:
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(len(SLOW)) as pool:
        futures = {}
        for key, job in SLOW.items():
            world = stack.enter_context(world_at(tmp_path_factory.mktemp(key), system_bin))
            futures[key] = pool.submit(job, world)
        yield futures
        for future in futures.values():
            with contextlib.suppress(Exception):
                future.result(timeout=120)


@pytest.mark.parametrize("scenario", list(SLOW))
def test_slow_fault(slow: dict[str, Future[None]], scenario: str) -> None:
    slow[scenario].result(timeout=180)


# -- the multiplexer ---------------------------------------------------------------------------


def test_zellij_missing(world: World) -> None:
    world.ok("new", "keep")
    no_zellij = {"PATH": world.env["PATH"].split(os.pathsep, 1)[1]}
    assert_one_line_error(world.run("new", "x", env=no_zellij), "zellij not found on PATH")
    assert_listed_as_unknown(world.run("list", env=no_zellij), "keep", "zellij not found")
    binary = world.doctor("zellij.binary", env=no_zellij)["zellij.binary"]
    assert binary["status"] == "error" and "not found" in binary["summary"]
    assert world.assert_consistent() == 1


def test_zellij_crashes_halfway_through_new(world: World) -> None:
    proc = world.run("new", "half", env={"FAKE_ZELLIJ_FAIL_AFTER_CREATE": "1"})
    assert_one_line_error(proc, "failed")
    assert world.assert_consistent() == 0
    world.ok("new", "half")
    assert world.assert_consistent(doctor=False) == 1


def test_zellij_prints_garbage(world: World) -> None:
    garbage = {"FAKE_ZELLIJ_GARBAGE": "ls"}
    assert_one_line_error(world.run("new", "g", env=garbage), "cannot read the output")
    assert world.assert_consistent() == 0
    world.ok("new", "keep")
    # garbage is not "no sessions": not "missing" but "unknown"
    assert_listed_as_unknown(world.run("list", env=garbage), "keep", "cannot read")
    report = world.doctor("sessions.orphans", env=garbage)["sessions.orphans"]
    assert report["status"] == "error" and "cannot read" in doctor_text(report)
    # --fix must not take garbage for "every session is gone" and forget them.
    world.doctor("sessions.orphans", env=garbage, fix=True)
    assert world.registry_names() == {"keep"} and world.env_file_names() == {"keep"}
    assert world.assert_consistent() == 1


@pytest.mark.parametrize("output", ["zellij 1.0.0 (2031-01-01, nightly build)\n",
                                    "Zellij v2 \u2014 the terminal workspace\n", "",
                                    "\x1b[31mzellij\x1b[0m 0.44.1\n"])
def test_zellij_unknown_version_format(world: World, output: str) -> None:
    env = {"FAKE_ZELLIJ_VERSION_OUTPUT": output}
    proc = world.run("new", "v", env=env)
    assert_one_line_error(proc, "cannot read the zellij version", "clauderon doctor")
    binary = world.doctor("zellij.binary", env=env)["zellij.binary"]
    assert binary["status"] == "error" and "version" in binary["summary"]
    assert world.assert_consistent() == 0


def test_tmux_missing_and_crashing_halfway(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    no_tmux = world.root / "no-tmux"
    no_tmux.mkdir()
    for entry in Path(world.env["PATH"].split(os.pathsep)[1]).iterdir():
        if entry.name != "tmux":
            (no_tmux / entry.name).symlink_to(entry)
    missing = world.run("new", "--backend", "tmux", "t", env={"PATH": str(no_tmux)})
    assert_one_line_error(missing, "tmux not found on PATH")
    # The session's shell exits at once: tmux reports success, the session is gone.
    dies = world.run("new", "--backend", "tmux", "--shell", "/bin/false", "t")
    assert_one_line_error(dies, "exited at once", "nothing was kept")
    assert world.registry_names() == set() and world.env_file_names() == set()
    servers = subprocess.run(["tmux", "list-sessions"], env=world.env, capture_output=True,
                             text=True, check=False)
    assert servers.stdout == ""
    world.ok("new", "--backend", "tmux", "t")
    assert world.registry_names() == {"t"}
    world.ok("kill", "t")


def test_environment_too_large_for_the_system(world: World) -> None:
    big = "x" * 200_000  # one variable over Linux's 128 KiB limit for a single string
    world.write_config(f'[zellij]\nenv = ["BIG={big}"]\n')
    proc = world.run("new", "big")
    assert_one_line_error(proc, "too large")
    assert world.assert_consistent() == 0


# -- the registry ------------------------------------------------------------------------------


def test_registry_read_only(world: World) -> None:
    world.ok("new", "keep")
    with read_only(world.data_dir):
        listed = world.run("list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [i["name"] for i in json.loads(listed.stdout)] == ["keep"]
        assert_one_line_error(world.run("new", "x"), "read-only", "nothing was changed")
        assert world.zellij_sessions() == {"keep"} and world.env_file_names() == {"keep"}
        registry = world.doctor("registry.db")["registry.db"]
        assert "damaged" not in doctor_text(registry), registry  # never "move it aside"
    assert world.assert_consistent() == 1


def test_doctor_names_a_read_only_registry(world: World) -> None:
    world.ok("new", "keep")
    with read_only(world.data_dir):
        registry = world.doctor("registry.db")["registry.db"]
    assert registry["status"] != "ok" and "read-only" in doctor_text(registry)


def test_registry_corrupt(world: World) -> None:
    world.ok("new", "a")
    world.ok("new", "b")
    for suffix in ("-wal", "-shm"):
        Path(f"{world.registry}{suffix}").unlink(missing_ok=True)
    world.registry.write_bytes(b"this is not a database\n" * 400)
    for args in (["list"], ["new", "c"], ["kill", "a"]):
        assert_one_line_error(world.run(*args), "damaged", "doctor --fix")
    assert world.zellij_sessions() == {"a", "b"}  # nothing was killed or made
    registry = world.doctor("registry.db")["registry.db"]
    assert registry["status"] == "error" and "damaged" in registry["summary"]
    world.doctor("registry.db", fix=True)
    kept = [p for p in world.data_dir.iterdir() if ".corrupt-" in p.name]
    assert kept and kept[0].read_bytes().startswith(b"this is not a database")
    assert {i["name"] for i in world.json("list")} == {"a", "b"}  # no row lost
    assert world.assert_consistent() == 2


def test_registry_deleted(world: World) -> None:
    world.ok("new", "a")
    world.ok("new", "b")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{world.registry}{suffix}").unlink(missing_ok=True)
    assert world.json("list") == []
    orphans = world.doctor("sessions.orphans")["sessions.orphans"]
    assert orphans["status"] == "warning" and "2 unrecorded" in orphans["summary"], orphans
    world.doctor("sessions.orphans", fix=True)
    assert {i["name"] for i in world.json("list")} == {"a", "b"}
    assert world.assert_consistent() == 2


# -- the state directory and the disk ------------------------------------------------------------


def test_state_directory_unwritable(world: World) -> None:
    world.ok("new", "keep")
    with read_only(world.state_dir):
        proc = world.run("new", "x")
        line = assert_one_line_error(proc, "cannot write the session's env files")
        assert "could not clean up" not in line  # nothing was half-made
        assert world.zellij_sessions() == {"keep"} and world.registry_names() == {"keep"}
        report = json.dumps(world.doctor())
        assert "Read-only file system" in report or "read-only" in report
    assert world.assert_consistent() == 1


def test_disk_full_for_the_env_files(world: World) -> None:
    world.ok("new", "keep")
    world.ok("kill", "keep")
    with tiny_disk(world.env_dir) as directory:
        filler = fill(directory)
        proc = world.run("new", "x")
        assert_one_line_error(proc, "No space left on device")
        assert world.zellij_sessions() == set() and world.registry_names() == set()
        assert sorted(os.listdir(directory)) == [".filler"]  # no half-written file
        filler.unlink()
        world.ok("new", "x")
        assert world.assert_consistent() == 1
        world.ok("kill", "x")


def test_disk_full_for_the_registry(world: World) -> None:
    with tiny_disk(world.data_dir, size="256k") as directory:
        world.ok("new", "keep")
        filler = fill(directory)
        results = [world.run("new", f"x{i}") for i in range(3)]
        for proc in results:
            if proc.returncode:
                assert_one_line_error(proc, "full", "nothing was changed")
        made = {f"x{i}" for i, proc in enumerate(results) if proc.returncode == 0}
        assert any(proc.returncode for proc in results), "the disk never filled up"
        assert world.registry_names() == {"keep"} | made  # no row lost or half-made
        assert world.zellij_sessions() == {"keep"} | made
        listed = world.json("list")  # reading still works on a full disk
        assert {item["name"] for item in listed} == {"keep"} | made
        registry = world.doctor("registry.db")["registry.db"]
        assert "damaged" not in doctor_text(registry), registry  # never "move it aside"
        filler.unlink()
        world.ok("new", "after")
        assert world.assert_consistent() == 2 + len(made)
        world.ok("kill", "--all", "--yes")


def test_doctor_names_a_full_disk(world: World) -> None:
    with tiny_disk(world.data_dir, size="256k") as directory:
        world.ok("new", "keep")
        fill(directory)
        report = world.doctor("registry.db", "sessions")
    space = report["sessions.space"]
    assert space["status"] == "error" and "is full: 0 bytes free" in space["summary"], space
    from clauderon.paths import tidy_home

    assert f"{tidy_home(str(world.data_dir), world.env)} (registry)" in space["summary"]
    assert space["remedy"].startswith("df -h ")
    registry = report["registry.db"]  # full, not "damaged"
    assert "full" in registry["summary"] and "damaged" not in doctor_text(registry), registry


def test_doctor_names_a_locked_registry(world: World) -> None:
    world.ok("new", "keep")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(world.registry)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        start = time.monotonic()
        registry = world.doctor("registry.db")["registry.db"]
        took = time.monotonic() - start
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)
    text = doctor_text(registry)
    assert registry["status"] == "error" and "locked by another process" in registry["summary"]
    assert f"pid {holder.pid}" in text  # who holds it, and how to proceed
    assert "damaged" not in text and not registry["fixable"]
    assert took < 10, took  # a short busy timeout, not the 15 s `new` waits
    assert world.doctor("registry.db")["registry.db"]["status"] == "ok"  # released


# -- a proxy that accepts and never answers -------------------------------------------------------


@pytest.fixture
def silent_proxy() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never sends a byte."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = server.accept()
                held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


def _silent_env(world: World, port: int) -> dict[str, str | None]:
    from adversarial.stats import SECRET

    url = f"http://alice:{SECRET}@127.0.0.1:{port}/"
    return {"http_proxy": url, "HTTPS_PROXY": url, "https_proxy": url, "HTTP_PROXY": url}


def test_proxy_that_never_answers(world: World, silent_proxy: int) -> None:
    env = _silent_env(world, silent_proxy)
    proc = world.run("new", "p", env=env)
    assert proc.returncode == 0 and elapsed(proc) < 15  # clauderon never waits on the proxy
    start = time.monotonic()
    report = world.doctor(env=env)
    assert time.monotonic() - start < 60
    assert "proxy.reachable" in report
    assert world.assert_consistent() == 1


def test_doctor_names_a_proxy_that_never_answers(world: World, silent_proxy: int) -> None:
    report = world.doctor("proxy.reachable", env=_silent_env(world, silent_proxy))
    assert report["proxy.reachable"]["status"] != "ok", report


def test_tmux_server_ending_between_commands(world: World) -> None:
    """A tmux server that is exiting (its last session was killed, or `tmux kill-server`)
    answers a command with "server exited unexpectedly": that means "no server" (listing)
    and "try again" (creating), never a failed `new` or `kill`."""
    tmux = require("tmux", "the tmux backend runs a real tmux server")
    from clauderon import config, session_env
    from clauderon.backends.base import SessionSpec
    from clauderon.backends.tmux import TmuxBackend

    cfg = config.Config(path=world.config_path, loaded=False)
    backend = TmuxBackend(cfg, world.env)
    for i in range(40):
        name = f"r{i}"
        senv = session_env.compute(name, config=cfg, backend="tmux", caller_env=world.env)
        spec = backend.prepare(SessionSpec(name=name, workdir=world.cwd, shell="/bin/sh",
                                           env=senv))
        backend.create(spec)  # right after the previous server was told to exit
        assert list(backend.states()) == [name]
        if i % 2:
            backend.kill(name)  # the last session: the server exits
            assert backend.states() == {}
        else:
            subprocess.run([tmux, "kill-server"], env=world.env, check=True)
