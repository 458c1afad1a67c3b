"""Leftover children and umask 000 (issue 12).

- ``kill -9`` of ``clauderon new`` while its backend hangs left the backend command running
  forever. Now every program clauderon runs is recorded while it runs (in a process group of
  its own); the next clauderon command that runs a program, or ``doctor --fix``, ends the
  group of a killed clauderon, but never a process that merely has the recorded pid.
- Under ``umask 000`` every file and directory clauderon creates has the mode it documents
  (docs/configuration.md): a real ``clauderon new`` with tmux and with the Zellij fake.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from realtools import require

from adversarial.stats import STATS
from adversarial.support import World, alive, clauderon_argv

pytestmark = pytest.mark.adversarial("homes")

SHIM = """#!/bin/sh
# a tmux that hangs while {mark} exists (recording its pid), else the real one
if [ -e {mark} ]; then echo $$ >> {mark}.pids; exec sleep 1000; fi
exec {tmux} "$@"
"""


def _shimmed(world: World) -> tuple[dict[str, str], Path]:
    require("tmux", "the tmux backend runs a real tmux server")
    shims = world.root / "shims"
    shims.mkdir()
    mark = world.root / "hang"
    (shims / "tmux").write_text(SHIM.format(mark=mark, tmux="/usr/bin/tmux"))
    (shims / "tmux").chmod(0o755)
    env = dict(world.env, PATH=f"{shims}{os.pathsep}{world.env['PATH']}")
    return env, mark


def _hang_and_kill(world: World, env: dict[str, str], mark: Path) -> int:
    """Start `clauderon new` with tmux hanging, kill -9 it once tmux runs; the tmux pid."""
    mark.touch()
    new = subprocess.Popen([*clauderon_argv(), "new", "--backend", "tmux", "hung"],
                           env=env, cwd=world.cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    pids = Path(f"{mark}.pids")
    deadline = time.monotonic() + 30
    while not (pids.exists() and pids.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    shim = int(pids.read_text().split()[0])
    new.send_signal(signal.SIGKILL)
    new.wait()
    time.sleep(0.2)
    assert alive(shim), "the hanging tmux should still run after kill -9 of clauderon"
    mark.unlink()
    world.cleanups.append(lambda: os.kill(shim, signal.SIGKILL) if alive(shim) else None)
    return shim


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def test_next_command_ends_what_a_killed_new_left_running(world: World) -> None:
    env, mark = _shimmed(world)
    shim = _hang_and_kill(world, env, mark)
    made = world.run("new", "--backend", "tmux", "next", env=env)
    assert made.returncode == 0, made.stderr
    assert _gone(shim), "the leftover tmux of the killed clauderon is still running"
    assert list((world.state_dir / "running").iterdir()) == []
    STATS.add("leftovers:ended")


def test_doctor_reports_a_leftover_and_fix_ends_it(world: World) -> None:
    env, mark = _shimmed(world)
    shim = _hang_and_kill(world, env, mark)
    found = world.doctor("sessions.leftovers", env=env)["sessions.leftovers"]
    assert found["status"] == "warning", found
    assert "tmux" in " ".join(found["details"]), found
    assert alive(shim), "doctor without --fix must not end anything"
    fixed = world.doctor("sessions.leftovers", env=env, fix=True)["sessions.leftovers"]
    assert fixed["status"] == "ok", fixed
    assert _gone(shim)
    STATS.add("leftovers:ended")


def test_a_reused_pid_is_never_killed(world: World) -> None:
    """A record naming a running process whose start time differs (its pid was reused, or
    the record lies): the process lives, the record is forgotten."""
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    world.cleanups.append(other.kill)
    running = world.state_dir / "running"
    running.mkdir(parents=True, mode=0o700)
    dead_parent = subprocess.Popen(["true"])
    dead_parent.wait()
    record = running / f"{dead_parent.pid}-{other.pid}"
    record.write_text(json.dumps({"parent": dead_parent.pid, "parent_start": 1,
                                  "pgid": other.pid, "argv0": "sleep", "start": 1}))
    found = world.doctor("sessions.leftovers")["sessions.leftovers"]
    assert found["status"] == "ok", found
    proc = world.run("new", "--backend", "zellij", "s1")
    assert proc.returncode == 0, proc.stderr
    assert other.poll() is None, "clauderon killed a process it could not prove was its own"
    assert not record.exists()


def test_an_unreadable_record_is_reported_and_left_alone(world: World) -> None:
    running = world.state_dir / "running"
    running.mkdir(parents=True, mode=0o700)
    (running / "1-2").write_text("{not json")
    found = world.doctor("sessions.leftovers", fix=True)["sessions.leftovers"]
    assert found["status"] == "warning" and "cannot be read" in found["summary"], found
    assert (running / "1-2").exists()


# -- umask 000 -------------------------------------------------------------------------------


def _umask_000() -> None:
    os.umask(0)


def _mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


@pytest.mark.parametrize("backend", ["tmux", "zellij"])
def test_umask_000_leaves_every_mode_as_documented(world: World, backend: str) -> None:
    if backend == "tmux":
        require("tmux", "the tmux backend runs a real tmux server")
    home = world.root / "fresh-home"  # nothing made beforehand: clauderon creates it all
    home.mkdir()
    env: dict[str, str | None] = {"HOME": str(home), "XDG_CONFIG_HOME": None,
                                  "XDG_DATA_HOME": None, "XDG_STATE_HOME": None,
                                  "XDG_CACHE_HOME": None, "CLAUDERON_CONFIG": None}
    proc = world.run("new", "--backend", backend, "s1", env=env, preexec_fn=_umask_000)
    assert proc.returncode == 0, proc.stderr
    world.run("list", env=env, preexec_fn=_umask_000)
    expected = {
        ".local/share/clauderon": "0o700", ".local/share/clauderon/sessions.db": "0o600",
        ".local/state/clauderon": "0o700", ".local/state/clauderon/sessions": "0o700",
        ".local/state/clauderon/sessions/s1.sh": "0o600",
        ".local/state/clauderon/sessions/s1.fish": "0o600",
        ".cache/clauderon": "0o700", ".cache/clauderon/names": "0o600",
    }
    if backend == "tmux":
        expected[".cache/clauderon/tmux-version"] = "0o600"
        expected[".local/state/clauderon/running"] = "0o700"
    seen = {rel: _mode(home / rel) for rel in expected}
    assert seen == expected
    # no directory clauderon made on the way is writable by others (with Zellij, ~/.cache
    # may be made first by zellij itself, which clauderon does not run under another umask)
    ours = (".local", ".local/share", ".local/state") + ((".cache",) if backend == "tmux"
                                                         else ())
    for rel in ours:
        assert not (home / rel).stat().st_mode & 0o022, (rel, _mode(home / rel))
    if backend == "zellij":
        layouts = world.run("layout", "init", env=env, preexec_fn=_umask_000)
        assert layouts.returncode == 0, layouts.stderr
        kdl = next((home / ".config/zellij/layouts").glob("*.kdl"))
        assert _mode(kdl) == "0o644" and not kdl.parent.stat().st_mode & 0o022
    world.run("kill", "s1", env=env)
    STATS.add(f"umask:000 {backend}")


def test_fileio_sets_modes_whatever_the_umask(tmp_path: Path) -> None:
    """The one atomic writer: the file and every directory it creates get the given modes."""
    code = ("import os, sys; from pathlib import Path; from clauderon import fileio;"
            "os.umask(0); r = Path(sys.argv[1]);"
            "fileio.write_private_file(r / 'a/b/secret', 'x');"
            "fileio.atomic_write(r / 'c/d/public', 'y', mode=0o644, dir_mode=0o755)")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    modes = {str(p.relative_to(tmp_path)): _mode(p) for p in sorted(tmp_path.rglob("*"))}
    assert modes == {"a": "0o700", "a/b": "0o700", "a/b/secret": "0o600",
                     "c": "0o755", "c/d": "0o755", "c/d/public": "0o644"}
    STATS.add("umask:000 fileio")


# -- doctor interrupted while zellij hangs ---------------------------------------------------

HANGING_ZELLIJ = """#!/bin/sh
echo $$ >> {pids}
exec sleep 1000
"""


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_doctor_stopped_while_zellij_hangs_leaves_nothing_running(world: World,
                                                                   how: str) -> None:
    """^C: doctor reaps its children on the way out. SIGTERM (no clean-up runs): the records
    remain, and the next `doctor --fix` ends what they name."""
    shims = world.root / "shims"
    shims.mkdir()
    pids = world.root / "zellij.pids"
    (shims / "zellij").write_text(HANGING_ZELLIJ.format(pids=pids))
    (shims / "zellij").chmod(0o755)
    env = dict(world.env, PATH=f"{shims}{os.pathsep}{world.env['PATH']}",
               CLAUDERON_DOCTOR_TIMEOUT="60")
    doctor = subprocess.Popen([*clauderon_argv(), "doctor"], env=env, cwd=world.cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (pids.exists() and pids.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    doctor.send_signal(getattr(signal, how))
    doctor.wait(timeout=30)
    started = [int(p) for p in pids.read_text().split()]
    assert started
    world.cleanups.append(lambda: [os.kill(p, signal.SIGKILL) for p in started if alive(p)])
    if how == "SIGTERM":
        fixed = world.doctor("sessions.leftovers", fix=True)["sessions.leftovers"]
        assert fixed["status"] == "ok", fixed
    assert all(_gone(p) for p in started), "a zellij doctor started is still running"
    assert list((world.state_dir / "running").iterdir()) == []
    STATS.add("leftovers:ended", len(started))
