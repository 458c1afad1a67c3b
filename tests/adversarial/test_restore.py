"""What a reboot took comes back: `clauderon restore` after `tmux kill-server` makes every
session again in its directory with its variables (read from the panes' real processes),
and `attach` to a missing session says so instead of passing tmux's text through."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from realtools import require

from adversarial.stats import PROXY_URL
from adversarial.support import World, assert_one_line_error

pytestmark = pytest.mark.adversarial("faults")


def _pane(world: World, name: str) -> tuple[dict[str, str], str]:
    """The environment and working directory of the session's first pane process."""
    pid = subprocess.run(["tmux", "display-message", "-p", "-t", f"={name}:", "#{pane_pid}"],
                         env=world.env, capture_output=True, text=True, check=True)
    proc = Path("/proc") / pid.stdout.strip()
    raw = (proc / "environ").read_bytes().split(b"\0")
    env = dict(item.decode().split("=", 1) for item in raw if b"=" in item)
    return env, str((proc / "cwd").resolve())


def test_restore_after_tmux_kill_server(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    dirs = {}
    for name in ("r1", "r2", "r3"):
        dirs[name] = world.root / f"work-{name}"
        dirs[name].mkdir()
    world.ok("new", "--backend", "tmux", "--workdir", str(dirs["r1"]), "r1")
    world.ok("new", "--backend", "tmux", "--workdir", str(dirs["r2"]), "--env", "FOO=bar baz",
             "r2")
    world.ok("new", "--backend", "tmux", "--workdir", str(dirs["r3"]), "r3")
    subprocess.run(["tmux", "kill-server"], env=world.env, check=True)

    listed = json.loads(world.ok("list", "--json").stdout)
    assert {(s["name"], s["status"]) for s in listed} == {
        ("r1", "missing"), ("r2", "missing"), ("r3", "missing")}
    attached = world.run("attach", "r1")
    assert_one_line_error(attached, 'session "r1" is missing', "clauderon restore r1",
                          "clauderon kill r1")

    # the proxy changed in the meantime: restore takes the current one, and says so
    new_proxy = "http://127.0.0.1:9/new"
    world.write_config(f'[proxy]\nhttp = "{new_proxy}"\n')
    done = world.ok("restore", "--all")
    lines = done.stdout.splitlines()
    for name in ("r1", "r2", "r3"):
        assert any(line.startswith(f'Restored tmux session "{name}" in ') for line in lines)
    assert any("changed: " in line and "http_proxy" in line for line in lines)
    assert PROXY_URL not in done.stdout

    listed = json.loads(world.ok("list", "--json").stdout)
    assert {s["status"] for s in listed} == {"running"}
    for name in ("r1", "r2", "r3"):
        env, cwd = _pane(world, name)
        assert cwd == str(dirs[name].resolve())
        assert env["CLAUDERON_SESSION"] == name
        assert env["http_proxy"] == env["HTTP_PROXY"] == new_proxy
    env, _cwd = _pane(world, "r2")
    assert env["FOO"] == "bar baz"  # given with --env at creation: kept

    again = world.run("restore", "r1")
    assert_one_line_error(again, 'session "r1" is running', "nothing to restore")
    world.ok("kill", "--all", "--yes")


def test_restore_refuses_when_the_backend_cannot_be_asked(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    world.ok("new", "--backend", "tmux", "k1")
    shim = world.root / "shim"
    shim.mkdir()
    (shim / "tmux").write_text("#!/bin/sh\necho 'not a listing'\n")
    (shim / "tmux").chmod(0o755)
    env = {"PATH": f"{shim}:{world.env['PATH']}"}
    done = world.run("restore", "k1", env=env)
    assert_one_line_error(done, "nothing was restored")
    assert world.registry_names() == {"k1"}
    world.ok("kill", "k1")
