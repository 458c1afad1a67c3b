from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from clauderon.registry import (
    CANT_OPEN,
    CORRUPT,
    FULL,
    IO,
    LOCKED,
    OTHER,
    PERMISSION,
    READ_ONLY,
    SCHEMA_VERSION,
    NameTaken,
    Record,
    Registry,
    RegistryError,
    error_kind,
    lock_holders,
)


def rec(name: str) -> Record:
    return Record(name=name, backend="zellij", workdir="/w", created_at=Record.now(),
                  shell="/bin/sh", env={"HTTP_PROXY": "http://u:p@h:1"})


def test_roundtrip_and_modes(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "data" / "sessions.db")
    reg.add(rec("app"))
    got = reg.get("app")
    assert got is not None and got.env == {"HTTP_PROXY": "http://u:p@h:1"} and got.ready
    assert stat.S_IMODE(os.stat(tmp_path / "data").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "sessions.db").st_mode) == 0o600
    assert reg.get("ap") is None


def test_name_unique(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "sessions.db")
    reg.reserve(rec("app"))
    with pytest.raises(NameTaken, match='"app" already exists'):
        reg.reserve(rec("app"))


def test_concurrent_reserve_has_one_winner(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "sessions.db")

    def attempt(_: int) -> bool:
        try:
            Registry(reg.path).reserve(rec("same"))
            return True
        except NameTaken:
            return False

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(20)))
    assert results.count(True) == 1


def test_reading_a_missing_registry_creates_nothing(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "none" / "sessions.db")
    assert reg.all() == []
    assert not (tmp_path / "none").exists()


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RegistryError, match="doctor --fix"):
        Registry(path).all()


def test_forget(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "sessions.db")
    reg.add(rec("a"))
    assert reg.forget("a") and not reg.forget("a")
    assert reg.all() == []


# -- SQLite errors, locks -------------------------------------------------------------------

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] != "wal":
    conn.execute("PRAGMA journal_mode=" + sys.argv[2])
conn.execute("BEGIN EXCLUSIVE")
conn.execute("UPDATE sessions SET ready = ready")
print("locked", flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def held(path: Path, journal: str) -> Iterator[int]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), journal],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield holder.pid
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)


def _made(tmp_path: Path) -> Registry:
    reg = Registry(tmp_path / "sessions.db")
    reg.add(rec("a"))
    reg.close()
    return reg


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_held_write_lock_is_found_quickly_with_its_holder(tmp_path: Path,
                                                            journal: str) -> None:
    reg = _made(tmp_path)
    with held(reg.path, journal) as pid:
        start = time.monotonic()
        with pytest.raises(sqlite3.OperationalError) as info:
            reg.probe_write(0.2)
        assert time.monotonic() - start < 2
        assert error_kind(info.value, reg.path) == LOCKED
        assert lock_holders(reg.path) == [pid]
        if journal == "delete":  # readers wait too: never read a file being written
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                reg.integrity(timeout=0.2)
        else:
            assert reg.integrity(timeout=0.2) == ("ok", SCHEMA_VERSION)
    reg.probe_write(0.2)
    assert lock_holders(reg.path) == []
    assert [r.name for r in reg.all()] == ["a"]


def test_a_locked_rollback_journal_registry_is_not_read_as_immutable(tmp_path: Path) -> None:
    """The immutable fallback (for a read-only or full disk) must not read a file a writer
    holds: that read could see half of its change."""
    from clauderon.registry import _open_read_only

    reg = _made(tmp_path)
    with held(reg.path, "delete"), pytest.raises(sqlite3.OperationalError, match="locked"):
        _open_read_only(reg.path, timeout=0.2)


@pytest.mark.parametrize(("message", "name", "kind"), [
    ("database is locked", "SQLITE_BUSY", LOCKED),
    ("database table is locked", "SQLITE_LOCKED", LOCKED),
    ("database is locked", None, LOCKED),
    ("attempt to write a readonly database", "SQLITE_READONLY", READ_ONLY),
    ("attempt to write a readonly database", None, READ_ONLY),
    ("database or disk is full", "SQLITE_FULL", FULL),
    ("database or disk is full", None, FULL),
    ("disk I/O error", "SQLITE_IOERR_WRITE", IO),
    ("disk I/O error", None, IO),
    ("access permission denied", "SQLITE_PERM", PERMISSION),
    ("database disk image is malformed", "SQLITE_CORRUPT", CORRUPT),
    ("file is not a database", "SQLITE_NOTADB", CORRUPT),
    ("file is not a database", None, CORRUPT),
    ("unable to open database file", "SQLITE_CANTOPEN", CANT_OPEN),
    ("no such table: sessions", "SQLITE_ERROR", OTHER),
])
def test_error_kinds(tmp_path: Path, message: str, name: str | None, kind: str) -> None:
    exc = sqlite3.OperationalError(message)
    if name is not None:
        exc.sqlite_errorname = name  # type: ignore[attr-defined]
    assert error_kind(exc, tmp_path / "sessions.db") == kind


def test_registry_messages_call_only_corruption_damaged(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "sessions.db")
    for message, name in (("disk I/O error", "SQLITE_IOERR"), ("database is locked", None),
                          ("unable to open database file", "SQLITE_CANTOPEN")):
        exc = sqlite3.OperationalError(message)
        exc.sqlite_errorname = name  # type: ignore[attr-defined]
        assert "damaged" not in str(reg._error("sessions.db", exc))
    exc = sqlite3.DatabaseError("database disk image is malformed")
    assert "damaged" in str(reg._error("sessions.db", exc))


NEW_FILE_WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("CREATE TABLE IF NOT EXISTS other (x)")
print("writing", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def test_a_new_registry_waits_for_another_command_setting_it_up(tmp_path: Path) -> None:
    # A registry file another command is still setting up (rollback journal, a write
    # under way): switching it to WAL got "database is locked" at once, without waiting,
    # and one `clauderon new` in fifteen failed when a few started together.
    path = tmp_path / "sessions.db"
    writer = subprocess.Popen([sys.executable, "-c", NEW_FILE_WRITER, str(path), "0.4"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        started = time.monotonic()
        Registry(path).reserve(rec("a"))
        waited = time.monotonic() - started
    finally:
        writer.wait(30)
    assert [r.name for r in Registry(path).all()] == ["a"]
    assert 0.2 < waited < 10
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
