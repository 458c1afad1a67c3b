"""registry.db: a real SQLite file, damaged, loose or from the future."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fakes.fakezellij import session_state

from clauderon.registry import SCHEMA_VERSION, Registry
from tests.doctor.world import World

CHECK = ("--check", "registry.db")


def test_no_registry_yet_is_fine(world: World) -> None:
    item = world.doctor(*CHECK).check("registry.db")

    assert item["status"] == "ok"
    assert item["summary"].startswith("no registry yet at ")


def test_registry_ok_counts_rows(world: World) -> None:
    world.new("one")

    item = world.doctor(*CHECK).check("registry.db")

    assert item["status"] == "ok"
    assert item["summary"].endswith(
        f"sessions.db: 1 session, schema {SCHEMA_VERSION}, integrity ok")


def test_corrupt_registry_is_set_aside_and_rebuilt_from_live_sessions(world: World) -> None:
    world.new("alpha")
    world.new("beta")
    expected = {r.name: r.env for r in Registry.default(world.env).all()}
    world.zellij("attach", "--create-background", "not-ours")  # no env file: not rebuilt
    db = world.registry_path
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    garbage = b"this is not a database\n" * 100
    db.write_bytes(garbage)

    run = world.doctor("--check", "registry.db", "--check", "sessions.orphans")
    item = run.check("registry.db")
    assert item["status"] == "error"
    assert "sessions.db is damaged: file is not a database" in item["summary"]
    assert item["remedy"] == "clauderon doctor --fix --check registry.db"
    assert item["fixable"] is True
    assert run.check("sessions.orphans")["status"] == "skipped"
    assert run.returncode == 1

    fixed = world.doctor("--fix", "--check", "registry.db", "--check", "sessions")
    item = fixed.check("registry.db")
    assert item["fixed"] is True and item["status"] == "ok", item
    assert item["summary"].endswith(f"2 sessions, schema {SCHEMA_VERSION}, integrity ok")
    assert any("moved the damaged registry aside" in d for d in item["details"])
    assert "fixed: rebuilt 2 rows from live sessions: alpha (zellij), beta (zellij)" \
        in item["details"]
    aside = [p for p in db.parent.iterdir() if p.name.startswith("sessions.db.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    rebuilt = {r.name: r.env for r in Registry.default(world.env).all()}
    assert rebuilt == expected
    assert fixed.check("sessions.orphans")["status"] == "ok"
    assert session_state(world.env, "not-ours") == "running"

    again = world.doctor("--fix", "--check", "registry.db", "--check", "sessions")
    assert not any(c["fixed"] for c in again.data["checks"])  # type: ignore[index]
    assert len([p for p in db.parent.iterdir() if "corrupt" in p.name]) == 1


def test_registry_readable_by_others_is_made_private(world: World) -> None:
    world.new("one")
    world.registry_path.chmod(0o644)

    item = world.doctor(*CHECK).check("registry.db")
    assert item["status"] == "warning"
    assert "readable by others" in item["summary"]
    assert any(d.endswith("sessions.db: mode 644") for d in item["details"])

    item = world.doctor("--fix", *CHECK).check("registry.db")
    assert item["fixed"] is True and item["status"] == "ok"
    assert world.registry_path.stat().st_mode & 0o777 == 0o600


def test_registry_from_a_newer_clauderon_is_an_error_not_fixed(world: World) -> None:
    world.new("one")
    with sqlite3.connect(world.registry_path) as conn:
        conn.execute("PRAGMA user_version = 99")

    item = world.doctor("--fix", *CHECK).check("registry.db")

    assert item["status"] == "error"
    assert (f"schema version 99, newer than this clauderon understands ({SCHEMA_VERSION})"
            in item["summary"])
    assert item["fixable"] is False and item["fixed"] is False
    assert item["remedy"] == "python3 -m pip install --upgrade clauderon"


# -- SQLite errors: only real corruption is "damaged" ------------------------------------------

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] != "wal":
    conn.execute("PRAGMA journal_mode=" + sys.argv[2])
conn.execute("BEGIN EXCLUSIVE")
conn.execute("UPDATE sessions SET ready = ready")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_locked_registry_is_named_with_its_holder_not_damaged(world: World,
                                                             journal: str) -> None:
    """WAL: readers go on, the write lock is probed; a rollback journal: even reading waits.
    Either way doctor waits a moment, not the 15 s `new` waits, and names the holder."""
    world.new("one", cli=True)  # no connection left open in this process
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(world.registry_path),
                               journal], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        start = time.monotonic()
        run = world.doctor(*CHECK)
        took = time.monotonic() - start
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)
    item = run.check("registry.db")
    assert item["status"] == "error", item
    assert "sessions.db is locked by another process (pid " in item["summary"]
    assert f"pid {holder.pid} (" in item["summary"] and "sqlite3" in item["summary"]
    assert item["remedy"].startswith(f"ps -o pid,etime,args -p {holder.pid}")
    assert any("wait 15 s" in d for d in item["details"])
    assert item["fixable"] is False and "damaged" not in run.text("registry.db")
    assert took < 8, took
    assert world.doctor(*CHECK).check("registry.db")["status"] == "ok"


def test_malformed_registry_is_damaged_and_fixable(world: World) -> None:
    world.new("one")
    for i in range(40):  # enough rows for a second page
        world.new(f"filler-{i}")
    db = world.registry_path
    from clauderon.registry import Registry as Reg

    Reg.default(world.env).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = 4096
    with db.open("r+b") as handle:
        handle.seek(page)
        handle.write(b"\xff" * 64)  # the header of the table's b-tree page

    item = world.doctor(*CHECK).check("registry.db")

    assert item["status"] == "error"
    assert "damaged" in item["summary"] or "integrity check" in item["summary"], item
    assert item["fixable"] is True
    assert item["remedy"] == "clauderon doctor --fix --check registry.db"


def _problem(tmp_path: Path, exc: sqlite3.Error, name: str | None = None) -> Any:
    """The registry.db finding for ``exc`` (in-process; the errors a test cannot provoke as
    root, or only on a failing disk)."""
    from clauderon.doctor.checks.registry import sqlite_problem
    from clauderon.doctor.context import Context

    if name is not None:
        exc.sqlite_errorname = name  # type: ignore[attr-defined]
    db = tmp_path / "data" / "sessions.db"
    db.parent.mkdir(exist_ok=True)
    db.write_bytes(b"")
    return sqlite_problem(Context({"HOME": str(tmp_path)}, timeout=5), exc, db)


@pytest.mark.parametrize(("message", "name", "expected"), [
    ("database is locked", "SQLITE_BUSY", "locked by another process"),
    ("database is locked", None, "locked by another process"),
    ("attempt to write a readonly database", "SQLITE_READONLY", "is read-only"),
    ("database or disk is full", "SQLITE_FULL", "the disk holding ~/data/sessions.db is full"),
    ("disk I/O error", "SQLITE_IOERR_READ", "failed with an I/O error"),
    ("disk I/O error", None, "failed with an I/O error"),
    ("access permission denied", "SQLITE_PERM", "permission denied"),
    ("unable to open database file", "SQLITE_CANTOPEN", "cannot be opened"),
    ("something new", "SQLITE_WHATEVER", "cannot be opened (something new)"),
])
def test_each_sqlite_error_has_its_own_message(tmp_path: Path, message: str, name: str | None,
                                               expected: str) -> None:
    result = _problem(tmp_path, sqlite3.OperationalError(message), name)

    assert result.status.value == "error"
    assert expected in result.summary, result.summary
    assert "damaged" not in result.summary and not result.fixable
    assert not result.data.get("corrupt") and result.remedy


@pytest.mark.parametrize(("message", "name"), [
    ("database disk image is malformed", "SQLITE_CORRUPT"),
    ("file is not a database", "SQLITE_NOTADB"),
    ("database disk image is malformed", None),
])
def test_only_corruption_is_damaged(tmp_path: Path, message: str, name: str | None) -> None:
    result = _problem(tmp_path, sqlite3.DatabaseError(message), name)

    assert result.summary == f"~/data/sessions.db is damaged: {message}"
    assert result.fixable and result.data["corrupt"] is True


def test_an_unreadable_registry_is_permission_denied(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite says only "unable to open database file"; access(2) says why (root passes every
    access check, so the refusal is simulated)."""
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)
    result = _problem(tmp_path, sqlite3.OperationalError("unable to open database file"),
                      "SQLITE_CANTOPEN")

    assert "permission denied" in result.summary and "chown" in (result.remedy or "")
