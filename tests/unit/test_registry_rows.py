"""The registry tells the truth about its own rows (issue 11): rows SQLite holds but clauderon
cannot read are reported as bad rows (never a traceback, never used) and can be moved to the
quarantine table with every value kept; old registries are upgraded in place; an empty file
is an error, and a new registry is never seen empty, however many commands make it at once;
the ``deleting`` mark of an unfinished kill."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clauderon.registry import (
    SCHEMA_VERSION,
    BadRow,
    BadRowError,
    EmptyRegistry,
    Record,
    Registry,
    is_empty_file,
)

REPO = Path(__file__).resolve().parents[2]


def rec(name: str, **kw: Any) -> Record:
    values: dict[str, Any] = dict(name=name, backend="tmux", workdir="/w",
                                  created_at=Record.now(), shell="/bin/sh",
                                  env={"HTTP_PROXY": "http://u:pw@h:1"})
    values.update(kw)
    return Record(**values)


def raw_insert(path: Path, **columns: Any) -> None:
    """A row written behind clauderon's back (by hand, a bug, another version)."""
    values: dict[str, Any] = {"name": "x", "backend": "tmux", "workdir": "/w",
                              "created_at": "2026-01-01T00:00:00Z", "layout": None,
                              "shell": "/bin/sh", "env": "{}", "options": "{}", "ready": 1}
    values.update(columns)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        keys = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        conn.execute(f"INSERT INTO sessions ({keys}) VALUES ({marks})", tuple(values.values()))
    finally:
        conn.close()


def made(tmp_path: Path) -> Registry:
    reg = Registry(tmp_path / "sessions.db")
    reg.add(rec("good"))
    reg.close()
    return reg


# Each kind of row SQLite accepts and clauderon cannot read, with what the reason must say.
BAD_ROWS: list[tuple[str, dict[str, Any], str]] = [
    ("env-not-json", {"name": "e1", "env": "{not json"}, "env column is not a JSON object"),
    ("env-a-list", {"name": "e2", "env": '["a"]'}, "env column is not a JSON object"),
    ("env-number-value", {"name": "e3", "env": '{"A": 1}'}, "env column is not a JSON obj"),
    ("env-blob", {"name": "e4", "env": b"{}"}, "env column"),
    ("path-name", {"name": "../../evil"}, "contains '/'"),
    ("control-name", {"name": "a\x1b[31mred"}, "control or invisible character U+001B"),
    ("empty-name", {"name": ""}, "name is empty"),
    ("dash-name", {"name": "-rf"}, "starts with '-'"),
    ("blob-name", {"name": b"\xff\xfe"}, "name is not text"),
    ("podman", {"name": "p", "backend": "podman"}, "backend 'podman' is not one"),
    ("empty-backend", {"name": "p2", "backend": ""}, "backend '' is not one"),
    ("bad-created", {"name": "c1", "created_at": "yesterday"}, "created time 'yesterday'"),
    ("blob-created", {"name": "c2", "created_at": b"2026"}, "created time b'2026'"),
    ("blob-workdir", {"name": "w", "workdir": b"/x"}, "workdir b'/x' is not text"),
    ("blob-shell", {"name": "s", "shell": b"/bin/sh"}, "shell b'/bin/sh' is not text"),
    ("blob-layout", {"name": "l", "layout": b"x"}, "layout b'x' is not text"),
    ("options-not-json", {"name": "o1", "options": "nope"}, "options column is not a JSON"),
    ("worktree-not-text", {"name": "o2", "options": '{"worktree": ["/a"]}'},
     "worktree ['/a'] is not text"),
    ("agent-not-text", {"name": "o3", "options": '{"agent": 1}'}, "agent 1 is not text"),
    ("ready-2", {"name": "r", "ready": 2}, "ready flag 2"),
    ("deleting-blob", {"name": "d", "deleting": b"x"}, "deleting mark b'x'"),
]


@pytest.mark.parametrize(("kind", "columns", "reason"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_each_kind_of_bad_row_is_reported_not_raised(tmp_path: Path, kind: str,
                                                     columns: dict[str, Any],
                                                     reason: str) -> None:
    reg = made(tmp_path)
    raw_insert(reg.path, **columns)
    rows = Registry(reg.path).read()
    assert [r.name for r in rows.records] == ["good"]  # the good row is still read
    assert len(rows.bad) == 1
    bad = rows.bad[0]
    assert reason in bad.reason, bad.reason
    assert "pw" not in bad.reason  # the env column is never quoted
    name = columns["name"]
    assert bad.name == (name if isinstance(name, str) else None)
    if isinstance(name, str):
        assert bad.shown.startswith("'") and "\x1b" not in bad.shown
        with pytest.raises(BadRowError) as caught:
            Registry(reg.path).get(name)
        assert caught.value.exit_code == 2
        assert "cannot be read" in str(caught.value) and "doctor --fix" in str(caught.value)
        assert "nothing was done" in str(caught.value)
    else:
        assert bad.shown == f"<row {bad.rowid}>"


def test_text_that_is_not_utf8_makes_a_bad_row_not_a_failed_read(tmp_path: Path) -> None:
    reg = made(tmp_path)
    conn = sqlite3.connect(reg.path, isolation_level=None)
    # CAST(x'..' AS TEXT): text whose bytes are not UTF-8 (sqlite3 cannot decode it)
    conn.execute("INSERT INTO sessions (name, backend, workdir, created_at, shell, env, "
                 "options, ready) VALUES (CAST(x'6162ff' AS TEXT), 'tmux', '/w', "
                 "'2026-01-01T00:00:00Z', '/bin/sh', '{}', '{}', 1)")
    conn.close()
    rows = Registry(reg.path).read()
    assert [r.name for r in rows.records] == ["good"]
    assert len(rows.bad) == 1 and "not valid UTF-8" in rows.bad[0].reason
    assert rows.bad[0].shown == "'ab\\xff'"


def test_quarantine_moves_the_row_with_every_value_kept(tmp_path: Path) -> None:
    reg = made(tmp_path)
    raw_insert(reg.path, name="../../evil", env='{"A": "b"', options="opt", ready=1)
    raw_insert(reg.path, name=b"\x00\xff", backend="podman")

    def dump(table: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(reg.path)
        try:
            return conn.execute(
                f"SELECT quote(name), quote(backend), quote(workdir), quote(created_at), "
                f"quote(layout), quote(shell), quote(env), quote(options), quote(ready), "
                f"quote(deleting) FROM {table} WHERE name != 'good' ORDER BY rowid").fetchall()
        finally:
            conn.close()

    before = dump("sessions")
    registry = Registry(reg.path)
    bad = registry.bad_rows()
    assert len(bad) == 2
    for row in bad:
        assert registry.quarantine(row.rowid, row.reason)
    assert dump("quarantine") == before  # byte for byte, types included
    assert dump("sessions") == []
    assert [r.name for r in registry.all()] == ["good"] and registry.bad_rows() == []
    kept = registry.quarantined()
    assert [k[0] for k in kept] == ["../../evil", b"\x00\xff"]
    assert "contains '/'" in kept[0][1] and kept[0][2].endswith("Z")
    assert not registry.quarantine(bad[0].rowid, "again")  # gone: nothing happens


def test_quarantine_leaves_a_readable_row_alone(tmp_path: Path) -> None:
    reg = made(tmp_path)
    rowid = sqlite3.connect(reg.path).execute(
        "SELECT rowid FROM sessions WHERE name = 'good'").fetchone()[0]
    assert not Registry(reg.path).quarantine(rowid, "not bad")
    assert [r.name for r in Registry(reg.path).all()] == ["good"]


V1_SCHEMA = """
CREATE TABLE sessions (
    name TEXT PRIMARY KEY, backend TEXT NOT NULL, workdir TEXT NOT NULL,
    created_at TEXT NOT NULL, layout TEXT, shell TEXT NOT NULL, env TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}', ready INTEGER NOT NULL DEFAULT 0);
PRAGMA user_version = 1;
"""


def test_a_schema_1_registry_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(V1_SCHEMA)
    conn.execute("INSERT INTO sessions VALUES ('old', 'zellij', '/w', '2026-01-01T00:00:00Z', "
                 "'default', '/bin/bash', '{\"TERM\": \"xterm\"}', '{}', 1)")
    conn.close()
    reg = Registry(path)
    [old] = reg.all()
    assert old.name == "old" and old.env == {"TERM": "xterm"} and old.deleting is None
    reg.mark_deleting("old")
    reg.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    columns = [r[1] for r in conn.execute("PRAGMA table_info(sessions)")]
    assert columns[-1] == "deleting"
    assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    conn.close()
    again = Registry(path).get("old")
    assert again is not None and again.deleting is not None and again.deleting.endswith("Z")


def test_a_schema_1_registry_read_only_is_read_without_upgrading(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(V1_SCHEMA)
    conn.execute("INSERT INTO sessions VALUES ('old', 'tmux', '/w', '2026-01-01T00:00:00Z', "
                 "NULL, '/bin/bash', '{}', '{}', 1)")
    conn.close()
    reg = Registry(path)
    reg.writable = lambda: False  # type: ignore[method-assign]  # as on a read-only mount
    assert [r.name for r in reg.all()] == ["old"] and reg.quarantined() == []
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1


# -- the deleting mark ------------------------------------------------------------------------


def test_mark_and_unmark_deleting(tmp_path: Path) -> None:
    reg = made(tmp_path)
    registry = Registry(reg.path)
    registry.mark_deleting("good")
    got = registry.get("good")
    assert got is not None and got.deleting
    registry.unmark_deleting("good")
    got = registry.get("good")
    assert got is not None and got.deleting is None
    with pytest.raises(Exception, match="no longer in the registry"):
        registry.mark_deleting("gone")


# -- an empty file ----------------------------------------------------------------------------


def test_an_empty_registry_file_is_an_error_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(b"")
    for attempt in (lambda r: r.all(), lambda r: r.get("x"), lambda r: r.add(rec("x")),
                    lambda r: r.mark_deleting("x")):
        with pytest.raises(EmptyRegistry) as caught:
            attempt(Registry(path))
        assert caught.value.exit_code == 2
        assert "empty file (0 bytes)" in str(caught.value)
        assert "doctor --fix" in str(caught.value) and "backup" in str(caught.value)
    assert path.read_bytes() == b"" and sorted(os.listdir(tmp_path)) == ["sessions.db"]


def test_an_empty_file_being_set_up_by_another_program_is_not_called_empty(
        tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(b"")
    Path(f"{path}-journal").write_bytes(b"")  # a rollback-journal transaction under way
    assert not is_empty_file(path)
    Path(f"{path}-journal").unlink()
    Path(f"{path}-wal").write_bytes(b"x" * 32)  # a WAL holding what the file will get
    assert not is_empty_file(path)
    Path(f"{path}-wal").write_bytes(b"")
    assert is_empty_file(path)


def test_a_new_registry_is_made_aside_and_linked_complete(tmp_path: Path) -> None:
    path = tmp_path / "data" / "sessions.db"
    Registry(path).reserve(rec("a"))
    assert sorted(os.listdir(path.parent)) == ["sessions.db", "sessions.db-shm",
                                               "sessions.db-wal"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for name in ("sessions.db", "sessions.db-wal", "sessions.db-shm"):
        assert (path.parent / name).stat().st_mode & 0o777 == 0o600


RACER = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from clauderon.registry import Record, Registry, RegistryError
path, me = sys.argv[1], sys.argv[2]
seen = []
deadline = time.monotonic() + 0.3
while time.monotonic() < deadline:  # a reader racing the first writers
    try:
        seen.append(len(Registry(__import__("pathlib").Path(path)).all()))
    except RegistryError as exc:
        print(json.dumps({"error": str(exc)})); sys.exit(1)
    if me.startswith("w"):
        Registry(__import__("pathlib").Path(path)).add(Record(
            name=me, backend="tmux", workdir="/", created_at=Record.now(), shell="/bin/sh",
            env={}))
        break
print(json.dumps({"ok": me}))
"""


@pytest.mark.parametrize("round_", range(4))
def test_concurrent_first_writers_and_readers_never_see_an_empty_registry(
        tmp_path: Path, round_: int) -> None:
    path = tmp_path / f"r{round_}" / "sessions.db"
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(path), who, str(REPO)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for who in ("r1", "w1", "r2", "w2", "w3", "r3", "w4", "w5")]
    outs = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, (out, err)
        assert "error" not in json.loads(out)
    names = sorted(r.name for r in Registry(path).all())
    assert names == ["w1", "w2", "w3", "w4", "w5"]
    assert not [n for n in os.listdir(path.parent) if n.startswith(".")]  # no temp left


def test_bad_row_is_a_dataclass_with_a_shown_name() -> None:
    row = BadRow(3, "a\x07b", "why")
    assert row.shown == "'a\\x07b'" and "why" in row.describe()


def test_what_a_killed_first_command_left_is_swept_when_the_registry_is_made(
        tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    left = [tmp_path / f".sessions.db-new-0badc0de.{dead}.tmp{s}" for s in ("", "-wal", "-shm")]
    alive = tmp_path / f".sessions.db-new-5eed5eed.{os.getppid()}.tmp"  # a running process
    mine = tmp_path / ".notes.123.tmp"  # not the registry's
    for path in (*left, alive, mine):
        path.write_bytes(b"")
    Registry(tmp_path / "sessions.db").reserve(rec("a"))
    assert not any(p.exists() for p in left)
    assert alive.exists() and mine.exists()
