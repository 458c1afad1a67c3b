"""A zero-length `sessions.db` is an error, not a new empty registry (issue 11): every command
says so in one line (exit 2) and writes nothing; doctor names it and `--fix` sets it aside and
records the running sessions again. And the race this must not trip: the very first `new`s of
a machine, started together with `list`s, never meet an empty file (clauderon makes a new
registry under another name and links it into place)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from adversarial.support import TRACEBACK, World, assert_one_line_error

pytestmark = pytest.mark.adversarial("faults")


def test_an_empty_registry_file_is_refused_by_every_command(world: World) -> None:
    world.ok("new", "live")  # a running Zellij session (the fake) with its env files
    for suffix in ("", "-wal", "-shm"):
        path = f"{world.registry}{suffix}"
        if os.path.exists(path):
            os.unlink(path)
    world.registry.write_bytes(b"")
    before = sorted(os.listdir(world.data_dir))
    for args in (["list"], ["list", "--json"], ["new", "other"], ["kill", "live"],
                 ["env", "live"], ["attach", "live"], ["restore", "live"], ["restore", "--all"],
                 ["kill", "--all", "--yes"]):
        proc = world.run(*args)
        assert_one_line_error(proc, "is an empty file (0 bytes)", "backup",
                              "clauderon doctor --fix --check registry.db", code=2)
        assert proc.stdout == "", (args, proc.stdout)
    assert world.registry.read_bytes() == b""
    assert sorted(os.listdir(world.data_dir)) == before  # nothing written beside it
    assert world.zellij_running() == {"live"} and world.env_file_names() == {"live"}

    report = world.doctor("registry.db")["registry.db"]
    assert report["status"] == "error" and report["fixable"], report
    assert "is an empty file (0 bytes), not a registry" in report["summary"]
    assert report["remedy"] == "clauderon doctor --fix --check registry.db"

    fixed = world.doctor("registry.db", fix=True)["registry.db"]
    assert fixed["status"] == "ok", fixed
    kept = [n for n in os.listdir(world.data_dir) if n.startswith("sessions.db.corrupt-")]
    assert len(kept) == 1 and (world.data_dir / kept[0]).read_bytes() == b""
    assert world.registry_names() == {"live"}  # recorded again from the live session
    world.ok("list")


@pytest.mark.parametrize("round_", range(3))
def test_the_first_commands_of_a_machine_never_meet_an_empty_registry(world: World,
                                                                      round_: int) -> None:
    assert not world.registry.exists()
    jobs = [("new", f"first-{round_}-{i}") for i in range(5)] + [("list",)] * 5
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda args: (args, world.run(*args, timeout=120)), jobs))
    for args, proc in results:
        assert proc.returncode == 0, (args, proc.stderr)
        assert TRACEBACK not in proc.stderr and "empty" not in proc.stderr
    assert world.registry_names() == {f"first-{round_}-{i}" for i in range(5)}
    assert [n for n in os.listdir(world.data_dir) if n.startswith(".")] == []
