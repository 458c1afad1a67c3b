"""Corrupt registry rows (issue 11): rows SQLite accepts but clauderon cannot read. Every
command says so in one line, nothing is changed on their strength, doctor names each one
(escaped) and `--fix` moves them to the quarantine table, every value kept; the env files of
a session whose row is unreadable are never deleted as leftovers.

Real tmux for the sessions, the rows written behind clauderon's back with sqlite3."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from typing import Any

import pytest
from realtools import require

from adversarial.stats import SECRET, STATS
from adversarial.support import TRACEBACK, World, assert_one_line_error

pytestmark = pytest.mark.adversarial("faults")

CONTROL = "ctl\x1b]0;pwned\x07x"  # an OSC title sequence inside a name

# (name as stored, the SQL that makes it bad, the reason's fragment)
KINDS: list[tuple[Any, str, str]] = [
    ("victim", "UPDATE sessions SET env = '{\"A\": ' WHERE name = 'victim'",
     "env column is not a JSON object"),
    ("../../evil", "", "contains '/'"),
    (CONTROL, "", "control or invisible character U+001B"),
    ("pod", "UPDATE sessions SET backend = 'podman' WHERE name = 'pod'",
     "backend 'podman' is not one"),
    ("when", "UPDATE sessions SET created_at = 'yesterday' WHERE name = 'when'",
     "created time 'yesterday'"),
    ("wt", "UPDATE sessions SET options = '{\"worktree\": 5}' WHERE name = 'wt'",
     "worktree 5 is not text"),
    (b"\xff\x00blob", "", "name is not text"),
]


def _sql(world: World, *statements: tuple[str, tuple[Any, ...]]) -> None:
    conn = sqlite3.connect(world.registry, isolation_level=None, timeout=30)
    try:
        for sql, args in statements:
            conn.execute(sql, args)
    finally:
        conn.close()


def _insert_like(world: World, template: str, name: Any) -> None:
    """A copy of a real row under another name (as a bug or a hand edit would leave it)."""
    _sql(world, ("INSERT INTO sessions SELECT ?, backend, workdir, created_at, layout, shell, "
                 "env, options, ready, deleting FROM sessions WHERE name = ?",
                 (name, template)))


def _dump(world: World, table: str = "sessions") -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(world.registry, timeout=30)
    try:
        return conn.execute(f"SELECT quote(name), quote(backend), quote(env), quote(options), "
                            f"quote(created_at), quote(deleting) FROM {table} "
                            "ORDER BY quote(name)").fetchall()
    finally:
        conn.close()


def _tmux(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["tmux", *args], env=world.env, capture_output=True, text=True)


def _no_raw_controls(*texts: str) -> None:
    for text in texts:
        assert "\x1b" not in text and "\x07" not in text, text
        assert TRACEBACK not in text, text


def test_corrupt_rows_of_each_kind(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    for name in ("good", "victim", "pod", "when", "wt"):
        world.ok("new", "--backend", "tmux", name)
    for name, _sql_text, _reason in KINDS:
        if name not in ("victim", "pod", "when", "wt"):
            _insert_like(world, "good", name)
    _sql(world, *((sql, ()) for _n, sql, _r in KINDS if sql))
    # victim's session ends behind clauderon's back: its env files alone say it existed
    assert _tmux(world, "kill-session", "-t", "=victim").returncode == 0
    env_files = {n: (world.env_dir / f"{n}.sh").read_bytes() for n in world.env_file_names()}
    assert "victim" in env_files
    rows_before = _dump(world)
    STATS.add("rows:kinds", len(KINDS))

    # list: every row, the bad ones unknown with the reason; exit 1; nothing raw
    plain = world.run("list")
    assert plain.returncode == 1, plain.stderr
    _no_raw_controls(plain.stdout, plain.stderr)
    lines = plain.stdout.splitlines()
    assert any(line.startswith("good\ttmux\trunning") for line in lines), lines
    for shown in ("victim\ttmux\tunknown", "../../evil\ttmux\tunknown", "pod\tpodman\tunknown",
                  "ctl\\x1b]0;pwned\\x07x\ttmux\tunknown"):
        assert any(line.startswith(shown) for line in lines), (shown, lines)
    for _name, _s, reason in KINDS:
        assert reason in plain.stderr, (reason, plain.stderr)
    assert plain.stderr.count("warning: the registry row of session") == len(KINDS)
    assert SECRET not in plain.stdout + plain.stderr

    listed = world.run("list", "--json")
    assert listed.returncode == 1
    _no_raw_controls(listed.stdout)
    items = json.loads(listed.stdout)
    by_name = {i["name"]: i for i in items}
    assert by_name["good"]["status"] == "running" and by_name["good"]["reason"] is None
    for name, _s, reason in KINDS:
        key = name if isinstance(name, str) else None
        item = by_name[key]
        assert item["status"] == "unknown" and reason in item["reason"], item
    assert by_name[CONTROL]["name"] == CONTROL  # JSON keeps the exact value (escaped)
    assert all(set(i) == set(by_name["good"]) for i in items)

    # each command on a bad row: one line, exit 2, nothing changed
    refusals = 0
    for name in ("victim", "../../evil", CONTROL, "pod", "when", "wt"):
        commands = [["kill", name], ["env", name], ["attach", name], ["restore", name]]
        if name.isalpha():  # (new refuses the other names by its own rule, exit 2 too)
            commands.append(["new", "--backend", "tmux", name])
        for args in commands:
            proc = world.run(*args)
            line = assert_one_line_error(proc, "cannot be read", "doctor --fix", code=2)
            _no_raw_controls(line, proc.stdout)
            refusals += 1
    STATS.add("rows:refusals", refusals)
    assert _dump(world) == rows_before
    assert {n: (world.env_dir / f"{n}.sh").read_bytes()
            for n in world.env_file_names()} == env_files
    assert _tmux(world, "has-session", "-t", "=pod").returncode == 0  # never killed

    # doctor names each one, escaped, with the remedy; no env file is called a leftover
    report = world.doctor("registry.db", "sessions.orphans", "sessions.env_files")
    reg = report["registry.db"]
    assert reg["status"] == "error" and reg["fixable"], reg
    assert reg["summary"].startswith(f"{len(KINDS)} registry rows cannot be read")
    text = json.dumps(reg)
    for _name, _s, reason in KINDS:
        assert reason in text
    assert "'ctl\\\\x1b]0;pwned\\\\x07x'" in text and "<row " in text
    assert "clauderon doctor --fix --check registry.db" == reg["remedy"]
    orphans = json.dumps(report["sessions.orphans"])
    assert "victim: env file left behind" not in orphans
    assert "a running clauderon session with no registry row" not in orphans

    # --fix: quarantined, every value kept; victim's env files are still there
    fixed = world.doctor("registry.db", "sessions.orphans", "sessions.env_files", fix=True)
    assert fixed["registry.db"]["status"] == "ok", fixed["registry.db"]
    assert fixed["registry.db"]["summary"].endswith(
        f"; {len(KINDS)} rows in its quarantine table")
    notes = [d for d in fixed["registry.db"]["details"] if d.startswith("fixed: ")]
    assert len(notes) == len(KINDS), notes
    assert all("into the quarantine table" in n and "every value kept" in n for n in notes)
    quarantined = _dump(world, "quarantine")
    assert sorted(quarantined) == sorted(r for r in rows_before if r[0] != "'good'")
    STATS.add("rows:quarantined", len(quarantined))
    assert (world.env_dir / "victim.sh").read_bytes() == env_files["victim"]
    lost = [n for n in env_files if not (world.env_dir / f"{n}.sh").exists()
            and n != "victim"]
    # pod, when, wt still run: their sessions are recorded again from their env files
    after = {i["name"]: i["status"] for i in world.json("list")}
    assert after["good"] == "running"
    assert {"pod", "when", "wt"} <= set(after) and "victim" not in after
    assert lost == [], lost
    STATS.add("rows:lost", len(lost))

    # kill --all never touches a row it cannot read
    _insert_like(world, "good", "../again")
    proc = world.run("kill", "--all", "--yes")
    assert proc.returncode == 1 and TRACEBACK not in proc.stderr
    assert "'../again'" in proc.stderr and "not killed" in proc.stderr
    assert world.registry_names() == {"../again"}


def test_kill_of_a_bad_row_leaves_the_backend_session_running(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    world.ok("new", "--backend", "tmux", "keep")
    _sql(world, ("UPDATE sessions SET env = 'null' WHERE name = 'keep'", ()))
    assert_one_line_error(world.run("kill", "keep"), "cannot be read", code=2)
    assert _tmux(world, "has-session", "-t", "=keep").returncode == 0
    assert world.env_file_names() == {"keep"} and world.registry_names() == {"keep"}
    assert os.path.exists(world.env_dir / "keep.fish")


def test_unknown_from_the_backend_has_its_reason_in_the_same_key(world: World) -> None:
    """One `reason` key for every unknown session: the backend's failure too."""
    world.ok("new", "z1")
    proc = world.run("list", "--json", env={"FAKE_ZELLIJ_GARBAGE": "ls"})
    assert proc.returncode == 1 and TRACEBACK not in proc.stderr
    [item] = json.loads(proc.stdout)
    assert item["status"] == "unknown"
    assert str(item["reason"]).startswith("cannot ask zellij: ")
    assert str(item["reason"])[len("cannot ask zellij: "):] in proc.stderr
    assert json.loads(world.ok("list", "--json").stdout)[0]["reason"] is None


def test_env_files_of_unreadable_rows_are_never_leftovers(world: World) -> None:
    require("tmux", "the tmux backend runs a real tmux server")
    world.ok("new", "--backend", "tmux", "victim")
    world.ok("new", "--backend", "tmux", "stale")
    _sql(world, ("UPDATE sessions SET env = 'garbage' WHERE name = 'victim'", ()),
         ("DELETE FROM sessions WHERE name = 'stale'", ()))
    for name in ("victim", "stale"):
        assert _tmux(world, "kill-session", "-t", f"={name}").returncode == 0
        os.utime(world.env_dir / f"{name}.sh", (1, 1))  # past doctor's 30 s grace
    victim = (world.env_dir / "victim.sh").read_bytes()

    # victim's row cannot be read: its env files are not stale; stale's are
    report = world.doctor("sessions.orphans", fix=True)["sessions.orphans"]
    fixed = [d for d in report["details"] if d.startswith("fixed: ")]
    assert fixed == ["fixed: removed the leftover env files of stale"], report
    assert (world.env_dir / "victim.sh").read_bytes() == victim

    # quarantined: still kept (the row's data may be wanted back)
    world.doctor("registry.db", fix=True)
    assert world.registry_names() == set()
    report = world.doctor("sessions.orphans", fix=True)["sessions.orphans"]
    assert not any(d.startswith("fixed: ") for d in report["details"]), report
    assert (world.env_dir / "victim.sh").read_bytes() == victim

    # a row whose name is not text: no env file is called a leftover at all
    world.ok("new", "--backend", "tmux", "stale2")
    _insert_like(world, "stale2", b"\xfe")
    _sql(world, ("DELETE FROM sessions WHERE name = 'stale2'", ()))
    assert _tmux(world, "kill-session", "-t", "=stale2").returncode == 0
    os.utime(world.env_dir / "stale2.sh", (1, 1))
    report = world.doctor("sessions.orphans", fix=True)["sessions.orphans"]
    assert not any(d.startswith("fixed: ") for d in report["details"]), report
    assert any("whose name is not text" in d for d in report["details"]), report
    assert world.env_file_names() == {"victim", "stale2"}
