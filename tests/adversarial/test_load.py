"""Load: many concurrent ``clauderon new`` against the Zellij fake and a real tmux server, and a
registry of 1,000 sessions.

Concurrent creates: every distinct name is created exactly once, exactly one of the creates of
a shared name wins (the others fail with one line), and afterwards the registry, the
multiplexer and the env files agree (``clauderon doctor`` finds no orphan). With 1,000 sessions
``list`` and ``doctor`` finish within generous bounds (the ratios against a baseline are
measured by bench/).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fakes.fakezellij import FAKE_ZELLIJ, socket_dir
from realtools import require

from adversarial.stats import PROXY_URL, STATS
from adversarial.support import World, assert_one_line_error, elapsed

pytestmark = pytest.mark.adversarial("load")

DISTINCT = int(os.environ.get("CLAUDERON_ADVERSARIAL_DISTINCT", "50"))
SHARED = int(os.environ.get("CLAUDERON_ADVERSARIAL_SHARED", "20"))


def stampede(world: World, extra: list[str]) -> tuple[set[str], int]:
    """DISTINCT creates of distinct names and SHARED creates of one name, all at once."""
    names = [f"d{i:02d}" for i in range(DISTINCT)] + ["shared"] * SHARED
    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(lambda n: (n, world.run("new", *extra, n, timeout=180)),
                                names))
    distinct = {n for n in names if n != "shared"}
    for name, proc in results:
        if name != "shared":
            assert proc.returncode == 0, (name, proc.stderr)
    shared = [proc for name, proc in results if name == "shared"]
    winners = [proc for proc in shared if proc.returncode == 0]
    assert len(winners) == 1, [p.stderr for p in shared]
    for proc in shared:
        if proc.returncode:
            assert_one_line_error(proc, "already exists")
    creates = len(distinct) + len(winners)
    STATS.add("load:creates", creates)
    return distinct | {"shared"}, creates


def orphans_per_doctor(world: World) -> int:
    report = world.doctor("sessions.orphans", "sessions.env_files")
    orphans = report["sessions.orphans"]
    data = orphans["summary"]
    problems = 0 if orphans["status"] == "ok" else max(1, len(orphans["details"]))
    STATS.add("load:orphans", problems)
    assert orphans["status"] == "ok", data
    assert report["sessions.env_files"]["status"] == "ok", report["sessions.env_files"]
    return problems


def test_concurrent_new_against_zellij(world: World) -> None:
    expected, _ = stampede(world, [])
    assert world.registry_names() == expected
    assert world.zellij_running() == expected == world.zellij_sessions()
    assert world.env_file_names() == expected
    listed = {item["name"]: item["status"] for item in world.json("list")}
    assert listed == dict.fromkeys(expected, "running")
    assert orphans_per_doctor(world) == 0
    assert world.stray_files() == []


def test_concurrent_new_against_tmux(world: World) -> None:
    tmux = require("tmux", "the load test runs a real tmux server")
    expected, _ = stampede(world, ["--backend", "tmux", "--shell", "/bin/sh"])
    live = subprocess.run([tmux, "list-sessions", "-F", "#{session_name}"], env=world.env,
                          capture_output=True, text=True, check=True).stdout.split()
    assert sorted(live) == sorted(expected)  # each exactly once
    assert world.registry_names() == expected == world.env_file_names()
    listed = {item["name"]: item["status"] for item in world.json("list")}
    assert listed == dict.fromkeys(expected, "running")
    assert orphans_per_doctor(world) == 0


# -- 1,000 sessions -----------------------------------------------------------------------------

MANY = int(os.environ.get("CLAUDERON_ADVERSARIAL_MANY", "1000"))


def populate(world: World, count: int) -> list[str]:
    """``count`` healthy Zellij sessions as ``clauderon new`` leaves them (fake state, rows,
    env files), made in process for speed."""
    from clauderon.registry import Record, Registry
    from clauderon.shellquote import write_env_files

    first = "many-0000"
    subprocess.run([str(FAKE_ZELLIJ), "attach", "-b", first], env=world.env, check=True,
                   cwd=world.cwd, capture_output=True)
    sock = socket_dir(world.env)
    template = json.loads((sock / first).read_text())
    registry = Registry(world.registry)
    names = []
    try:
        for i in range(count):
            name = f"many-{i:04d}"
            names.append(name)
            variables = {"TERM": "xterm-256color", "http_proxy": PROXY_URL,
                         "HTTP_PROXY": PROXY_URL, "CLAUDERON_SESSION": name}
            if i:
                template["name"] = name
                (sock / name).write_text(json.dumps(template))
                os.chmod(sock / name, 0o1700)
            registry.add(Record(name=name, backend="zellij", workdir=str(world.cwd),
                                created_at=Record.now(), shell="/bin/bash", env=variables,
                                layout="default"))
            write_env_files(name, variables, world.env)
    finally:
        registry.close()
    return names


def test_a_thousand_sessions(world: World) -> None:
    names = populate(world, MANY)
    listed = world.run("list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert elapsed(listed) < 15, f"list took {elapsed(listed):.1f}s"
    rows = json.loads(listed.stdout)
    assert [r["name"] for r in rows] == names
    assert {r["status"] for r in rows} == {"running"}
    cache = Path(world.env["XDG_CACHE_HOME"]) / "clauderon" / "names"
    assert cache.read_text().splitlines() == sorted(names)  # what TAB completion reads
    start = time.monotonic()
    report = world.doctor()
    took = time.monotonic() - start
    assert took < 60, f"doctor took {took:.1f}s"
    assert report["sessions.orphans"]["status"] == "ok", report["sessions.orphans"]
    assert report["registry.db"]["status"] == "ok", report["registry.db"]
    assert report["sessions.env_files"]["status"] == "ok", report["sessions.env_files"]
    # TAB completion of session names (bash and fish read the cache file in pure shell).
    harness = _completion_harness()
    line = "clauderon attach many-09"
    expected = [n for n in names if n.startswith("many-09")]
    start = time.monotonic()
    bash = harness.complete_bash(require("bash"), [line], world.env)[line][0]
    fish = harness.complete_fish(require("fish"), [line], world.env,
                                 setup=harness.fish_setup())[line]
    assert time.monotonic() - start < 15
    assert sorted(bash) == expected and sorted(fish) == expected
    STATS.add("load:sessions listed", MANY)


def _completion_harness() -> Any:
    path = Path(__file__).resolve().parents[1] / "completions" / "completion_harness.py"
    spec = importlib.util.spec_from_file_location("adversarial_completion_harness", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
