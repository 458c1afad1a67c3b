"""Kill is all-or-nothing from the user's point of view (issue 11): before touching the
backend, kill marks the row `deleting` (the write that proves the registry can be changed);
if a later step fails, the message says exactly what was done and what was not, `list` shows
the session as `deleting` with the reason, doctor names it, and a second `kill` (or `doctor
--fix`, when the backend confirms the session is gone) finishes.

The disk fills up (a small tmpfs) or turns read-only at the worst moment: a `tmux` shim runs
the real tmux, and right after the `kill-session` it fills the registry's disk or remounts the
env file directory read-only. Real tmux throughout."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from realtools import require

from adversarial.stats import STATS
from adversarial.support import TRACEBACK, World, _mount, _umount, assert_one_line_error, fill

pytestmark = pytest.mark.adversarial("faults")

SHIM = """#!/bin/bash
# the real tmux, then (after a kill-session) the fault of $KILL_FAULT
/usr/bin/tmux "$@"
rc=$?
for arg in "$@"; do
    if [ "$arg" = kill-session ]; then
        case "$KILL_FAULT" in
            fill:*) head -c 64M /dev/zero > "${KILL_FAULT#fill:}/.filler" 2>/dev/null ;;
            ro:*) mount -o remount,ro "${KILL_FAULT#ro:}" ;;
        esac
        break
    fi
done
exit $rc
"""


@contextlib.contextmanager
def tmpfs(directory: Path, size: str) -> Iterator[Path]:
    """``directory`` on a tmpfs of its own (root); skipped when mounting is denied, failed
    under CLAUDERON_REQUIRE_REAL=1."""
    directory.mkdir(parents=True, exist_ok=True)
    denied = None
    if os.geteuid() != 0:
        denied = "mounting a tmpfs needs root"
    else:
        mounted = _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(directory))
        if mounted.returncode != 0:
            denied = f"cannot mount a tmpfs here: {mounted.stderr.strip()}"
    if denied:
        if os.environ.get("CLAUDERON_REQUIRE_REAL") == "1":
            pytest.fail(f"{denied} (CLAUDERON_REQUIRE_REAL=1)")
        pytest.skip(denied)
    try:
        yield directory
    finally:
        _umount(directory)


def _shim(world: World, fault: str) -> dict[str, str]:
    require("tmux", "the tmux backend runs a real tmux server")
    shim_dir = world.root / "shim"
    shim_dir.mkdir(exist_ok=True)
    (shim_dir / "tmux").write_text(SHIM, encoding="utf-8")
    (shim_dir / "tmux").chmod(0o755)
    return {"PATH": f"{shim_dir}{os.pathsep}{world.env['PATH']}", "KILL_FAULT": fault}


def _failing(world: World, program: str, word: str, said: str, status: int
             ) -> dict[str, str]:
    """PATH with a ``program`` first that fails (``said`` on stderr, ``status``) when one of
    its arguments is ``word``, and runs the real one otherwise."""
    shim_dir = world.root / f"failing-{program}"
    shim_dir.mkdir()
    (shim_dir / program).write_text(
        f'#!/bin/bash\nfor a in "$@"; do [ "$a" = {word} ] && {{ echo "{said}" >&2; '
        f'exit {status}; }}; done\nexec /usr/bin/{program} "$@"\n', encoding="utf-8")
    (shim_dir / program).chmod(0o755)
    return {"PATH": f"{shim_dir}{os.pathsep}{world.env['PATH']}"}


def _tmux_has(world: World, name: str) -> bool:
    return subprocess.run(["tmux", "has-session", "-t", f"={name}"], env=world.env,
                          capture_output=True).returncode == 0


def _listed(world: World) -> dict[str, dict[str, object]]:
    proc = world.run("list", "--json")
    assert TRACEBACK not in proc.stderr, proc.stderr
    return {i["name"]: i for i in json.loads(proc.stdout)}


def _rows(world: World) -> dict[str, object]:
    """name -> the deleting mark, read straight from the file."""
    import sqlite3

    uri = world.registry.as_uri()
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(uri + query, uri=True, timeout=30)
            try:
                return dict(conn.execute("SELECT name, deleting FROM sessions").fetchall())
            finally:
                conn.close()
        except sqlite3.OperationalError:
            continue
    raise AssertionError("cannot read the registry")


def test_a_full_registry_disk_before_kill_kills_nothing(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    with tmpfs(world.data_dir, "256k") as directory:
        world.ok("new", "--backend", "tmux", "full")
        filler = fill(directory)
        proc = world.run("kill", "full")
        line = assert_one_line_error(proc, "full")
        assert "nothing was changed" in line and "Killed" not in proc.stdout
        assert _tmux_has(world, "full")
        assert world.env_file_names() == {"full"} and _rows(world) == {"full": None}
        assert _listed(world)["full"]["status"] == "running"
        filler.unlink()
        world.ok("kill", "full")
        assert not _tmux_has(world, "full") and _rows(world) == {}
    STATS.add("kill:cut-short")


def test_the_registry_disk_fills_up_during_kill(world: World) -> None:
    with tmpfs(world.data_dir, "256k") as directory:
        fault = _shim(world, f"fill:{directory}")
        world.ok("new", "--backend", "tmux", "k1")
        world.ok("new", "--backend", "tmux", "k2")
        filler = directory / ".filler"

        proc = world.run("kill", "k1", env=fault)
        line = assert_one_line_error(proc, 'session "k1": killed the tmux session, removed '
                                           "its env files; could not remove its registry row",
                                     "is full", "marked `deleting`", "`clauderon kill k1` again")
        assert "Killed" not in proc.stdout and "nothing was changed" not in line
        # what it says is what happened: the session and env files are gone, the row is not
        assert not _tmux_has(world, "k1") and world.env_file_names() == {"k2"}
        assert _rows(world)["k1"] and _tmux_has(world, "k2")

        # the disk is still full: list reads it and tells the truth
        listed = _listed(world)
        assert listed["k1"]["status"] == "deleting"
        reason = str(listed["k1"]["reason"])
        assert "did not finish (its session is gone)" in reason
        assert "clauderon kill k1" in reason
        assert listed["k2"]["status"] == "running" and listed["k2"]["reason"] is None
        plain = world.run("list")
        assert any(line.startswith("k1\ttmux\tdeleting") for line in plain.stdout.splitlines())
        assert 'session "k1" is shown as deleting' in plain.stderr
        # restore does not bring back what is being killed
        assert_one_line_error(world.run("restore", "k1"), "is being deleted",
                              "clauderon kill k1")

        report = world.doctor("sessions.orphans")["sessions.orphans"]
        assert report["status"] == "warning" and report["fixable"], report
        assert "1 half-killed (deleting)" in report["summary"]
        assert any(d.startswith("k1 (tmux): a `clauderon kill` started at") and
                   "--fix finishes it" in d for d in report["details"]), report

        filler.unlink()
        fixed = world.doctor("sessions.orphans", fix=True)["sessions.orphans"]
        assert any("finished the kill of k1" in d for d in fixed["details"]), fixed
        assert "k1" not in _rows(world) and _tmux_has(world, "k2")

        # again, and this time a second `kill` finishes the job
        proc = world.run("kill", "k2", env=fault)
        assert_one_line_error(proc, "could not remove its registry row", "is full")
        assert not _tmux_has(world, "k2") and _listed(world)["k2"]["status"] == "deleting"
        filler.unlink()
        done = world.ok("kill", "k2")
        assert done.stdout.strip() == 'Killed session "k2"'
        assert _rows(world) == {} and world.env_file_names() == set()
        assert world.run("list", "--json").stdout.strip() == "[]"
    STATS.add("kill:cut-short", 2)


def test_the_env_file_directory_turns_read_only_during_kill(world: World) -> None:
    with tmpfs(world.env_dir, "1m") as directory:
        fault = _shim(world, f"ro:{directory}")
        world.ok("new", "--backend", "tmux", "ro1")
        proc = world.run("kill", "ro1", env=fault)
        assert_one_line_error(proc, 'session "ro1": killed the tmux session; could not remove '
                                    "its env files (Read-only file system), its registry row "
                                    "is kept, marked `deleting`", "`clauderon kill ro1` again")
        assert not _tmux_has(world, "ro1")
        assert world.env_file_names() == {"ro1"} and _rows(world)["ro1"]
        listed = _listed(world)["ro1"]
        assert listed["status"] == "deleting" and "its session is gone" in str(listed["reason"])
        report = world.doctor("sessions.orphans")["sessions.orphans"]
        assert "half-killed" in report["summary"], report
        assert _mount("-o", "remount,rw", str(directory)).returncode == 0
        world.ok("kill", "ro1")
        assert _rows(world) == {} and world.env_file_names() == set()
    STATS.add("kill:cut-short")


def test_a_failing_backend_kill_leaves_the_row_unmarked(world: World) -> None:
    """tmux itself fails: nothing was done, and the row is not left `deleting`."""
    require("tmux", "the tmux backend runs a real tmux server")
    world.ok("new", "--backend", "tmux", "stays")
    proc = world.run("kill", "stays",
                     env=_failing(world, "tmux", "kill-session", "server exploded", 1))
    assert_one_line_error(proc, "server exploded")
    assert _tmux_has(world, "stays") and _rows(world) == {"stays": None}
    assert world.env_file_names() == {"stays"}
    assert _listed(world)["stays"]["status"] == "running"
    STATS.add("kill:cut-short")


def test_a_deleting_row_whose_session_still_runs_is_left_to_kill(world: World) -> None:
    """A kill cut short before the session went (say, the machine lost power): doctor's
    --fix does not finish it (the backend says the session is there); a second kill does."""
    import sqlite3

    require("tmux", "the tmux backend runs a real tmux server")
    world.ok("new", "--backend", "tmux", "half")
    conn = sqlite3.connect(world.registry, isolation_level=None)
    conn.execute("UPDATE sessions SET deleting = '2026-12-05T10:00:00Z' WHERE name = 'half'")
    conn.close()
    listed = _listed(world)["half"]
    assert listed["status"] == "deleting"
    assert "its session is still running" in str(listed["reason"])
    report = world.doctor("sessions.orphans", fix=True)["sessions.orphans"]
    assert report["status"] == "warning" and not report["fixable"], report
    assert report["remedy"].startswith("clauderon kill half   # finishes the kill")
    assert not any(d.startswith("fixed: ") for d in report["details"])
    assert _tmux_has(world, "half") and _rows(world) == {"half": "2026-12-05T10:00:00Z"}
    # attach still reaches it (nothing is lost), and says the kill is unfinished first
    attached = world.run("attach", "half")  # through pipes: tmux refuses, no terminal
    assert attached.stderr.splitlines()[0] == (
        "warning: a `clauderon kill half` did not finish (begun 2026-12-05T10:00:00Z); "
        "`clauderon kill half` finishes it")
    assert world.ok("kill", "half").stdout.strip() == 'Killed session "half"'
    assert not _tmux_has(world, "half") and _rows(world) == {}
    STATS.add("kill:cut-short")


def test_a_worktree_that_cannot_be_removed_after_the_kill(world: World) -> None:
    """git refuses `worktree remove` after the session was killed: the line says so, the env
    files and the row stay (`deleting`); a second kill removes the worktree and finishes."""
    require("tmux", "the tmux backend runs a real tmux server")
    require("git", "worktree sessions use the real git")
    repo = world.root / "repo"
    ident = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
             "GIT_COMMITTER_EMAIL": "t@e"}
    genv = world.merged(ident)
    for args in (["init", "-q", "-b", "main", str(repo)],
                 ["-C", str(repo), "commit", "-q", "--allow-empty", "-m", "first"]):
        subprocess.run(["git", *args], env=genv, check=True, capture_output=True)
    world.ok("new", "--backend", "tmux", "--repo", str(repo), "wt1", env=ident)
    worktree = str(_listed(world)["wt1"]["worktree"])
    assert os.path.isdir(worktree)
    proc = world.run("kill", "wt1", env=_failing(world, "git", "remove", "fatal: simulated", 128))
    assert_one_line_error(proc, 'session "wt1": killed the tmux session; could not remove its '
                                "worktree", "fatal: simulated", "its env files and registry "
                                "row are kept, the row marked `deleting`",
                          "`clauderon kill wt1` again")
    assert not _tmux_has(world, "wt1") and os.path.isdir(worktree)
    assert world.env_file_names() == {"wt1"} and _rows(world)["wt1"]
    assert _listed(world)["wt1"]["status"] == "deleting"
    assert world.ok("kill", "wt1").stdout.strip().startswith('Killed session "wt1"')
    assert not os.path.exists(worktree) and _rows(world) == {}
    assert world.env_file_names() == set()
    STATS.add("kill:cut-short")


def test_kill_reads_the_record_not_the_config_file(world: World) -> None:
    """kill acts on what the record holds (the session's own tmux server): a config file
    changed since, or broken, neither stops it nor sends it to another server."""
    require("tmux", "the tmux backend runs a real tmux server")
    world.write_config('[tmux]\nsocket = "work"\n')
    world.ok("new", "--backend", "tmux", "onwork")
    assert "onwork" in subprocess.run(["tmux", "-L", "work", "list-sessions", "-F",
                                       "#{session_name}"], env=world.env, capture_output=True,
                                      text=True).stdout.split()
    world.write_config('[tmux]\nsocket = "other"\nthis is not toml\n')
    broken = world.run("list")
    assert broken.returncode == 2 and "config.toml:3:" in broken.stderr  # others refuse it
    assert world.ok("kill", "onwork").stdout.strip() == 'Killed session "onwork"'
    left = subprocess.run(["tmux", "-L", "work", "list-sessions", "-F", "#{session_name}"],
                          env=world.env, capture_output=True, text=True)
    assert "onwork" not in left.stdout.split()
    assert _rows(world) == {} and world.env_file_names() == set()
    subprocess.run(["tmux", "-L", "work", "kill-server"], env=world.env, capture_output=True)
