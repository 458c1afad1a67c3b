"""The SQLite store of the sessions clauderon created.

It records what clauderon made; live state always comes from the backend. WAL mode, a schema
version in ``PRAGMA user_version``, the name unique (a concurrent second ``new`` of the same
name fails on the primary key). Directory 0700, files 0600: rows hold the session
environment, which may carry proxy credentials.
"""

from __future__ import annotations

import atexit
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from clauderon import names, paths
from clauderon.errors import ClauderonError

# 1: sessions. 2: sessions.deleting (a kill under way or cut short) and the quarantine
# table (rows clauderon could not read, moved there by doctor --fix with the reason).
SCHEMA_VERSION = 2
BUSY_TIMEOUT = 15.0  # seconds a command waits for another one's write to finish
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    name TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    workdir TEXT NOT NULL,
    created_at TEXT NOT NULL,
    layout TEXT,
    shell TEXT NOT NULL,
    env TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    ready INTEGER NOT NULL DEFAULT 0,
    deleting TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
    name, backend, workdir, created_at, layout, shell, env, options, ready, deleting,
    reason TEXT NOT NULL,
    quarantined_at TEXT NOT NULL
);
"""
COLUMNS = ("name", "backend", "workdir", "created_at", "layout", "shell", "env", "options",
           "ready", "deleting")


class RegistryError(ClauderonError):
    """The registry cannot be used (locked, corrupt, unwritable)."""


class EmptyRegistry(RegistryError):
    """``sessions.db`` is a file of zero bytes that no command is setting up: not a new empty
    registry (clauderon makes a new one under another name and links it into place), but
    one whose content is gone. Nothing reads or writes it: exit 2."""

    exit_code = 2


class BadRowError(RegistryError):
    """The row of the session asked for cannot be read (see :class:`BadRow`): exit 2,
    nothing done."""

    exit_code = 2


class NameTaken(ClauderonError):
    """Another session (or a concurrent ``new``) holds the name."""


# NamedTuples, not frozen dataclasses: every command defines these, and a NamedTuple costs
# ~0.1 ms to define where a frozen dataclass costs ~0.5 ms (docs/performance.md).
class Record(NamedTuple):
    name: str
    backend: str
    workdir: str
    created_at: str
    shell: str
    env: dict[str, str]
    layout: str | None = None
    options: Mapping[str, Any] = MappingProxyType({})  # read-only: shared by every default
    ready: bool = True
    deleting: str | None = None  # when a `kill` marked it (the kill was cut short)

    @staticmethod
    def now() -> str:
        return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace(
            "+00:00", "Z")


class BadRow(NamedTuple):
    """A row SQLite holds but clauderon cannot read (a name no session can have, a backend
    this clauderon does not know, an env column that is not a JSON object of strings, ...).
    It is reported (list: ``unknown`` with the reason; doctor: registry.db), never used, and
    moved to the quarantine table by ``doctor --fix``."""

    rowid: int
    name: str | None  # None: the name is not text
    reason: str
    backend: str | None = None  # as stored, when it is text

    @property
    def shown(self) -> str:
        """The name for a message: quoted, every character a terminal acts on escaped."""
        return names.shown(self.name) if self.name is not None else f"<row {self.rowid}>"

    def describe(self) -> str:
        return f"the registry row of session {self.shown} cannot be read: {self.reason}"

    def error(self) -> BadRowError:
        return BadRowError(f"{self.describe()}; nothing was done; {QUARANTINE_HINT}")


QUARANTINE_HINT = ("`clauderon doctor --fix --check registry.db` moves it to the registry's "
                   "quarantine table (its data is kept)")


class Rows(NamedTuple):
    records: list[Record]
    bad: list[BadRow]


def is_empty_file(path: Path) -> bool:
    """``path`` is a database file of zero bytes that no command is setting up: no
    rollback journal and no (non-empty) write-ahead log beside it. clauderon itself never
    leaves one (it makes a new registry under another name and links it into place)."""
    try:
        if path.stat().st_size != 0:
            return False
    except OSError:
        return False
    if os.path.lexists(f"{path}-journal"):
        return False
    try:
        return Path(f"{path}-wal").stat().st_size == 0
    except OSError:
        return True


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put a new registry in WAL mode, waiting for other commands doing the same.

    Changing the journal mode needs the only lock on the file, and SQLite answers "database
    is locked" at once rather than wait for it (waiting could deadlock two such changes): a
    handful of `clauderon new` started together on a new registry failed about one time in
    fifteen. So: try again until the busy timeout, as a write would wait."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT
    pause = 0.002
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if error_kind(exc, None) != LOCKED or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def secure_dir(path: Path) -> None:
    """Create ``path`` (and parents) and make sure it is 0700, whatever the umask (the
    parents it creates too: Path.mkdir(parents=True) made them 0777 under umask 000)."""
    from clauderon.fileio import ensure_private_dir

    ensure_private_dir(path)


class Registry:
    """One connection per instance, opened on first use and kept (in WAL mode every close
    runs a checkpoint); a lock makes the instance safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._read_only = False  # _conn is a read-only fallback: a write must reopen
        self._lock = threading.RLock()

    @classmethod
    def default(cls, env: Mapping[str, str] | None = None) -> Registry:
        return cls(paths.registry_file(env))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def writable(self) -> bool:
        """Whether the registry's file and directory can be written (access(2) also says no
        on a read-only file system, even to root)."""
        directory = self.path.parent
        if directory.exists() and not os.access(directory, os.W_OK | os.X_OK):
            return False
        return not (self.path.exists() and not os.access(self.path, os.W_OK))

    def _read_only_error(self, shown: str) -> RegistryError:
        directory = paths.tidy_home(str(self.path.parent))
        return RegistryError(f"the registry {shown} is read-only; nothing was changed; make "
                             f"it and {directory} writable (chmod u+w, or remount the file "
                             "system read-write)")

    def _open(self, shown: str, *, write: bool = True) -> sqlite3.Connection:
        if self._conn is not None and write and self._read_only:
            self.close()  # the write gets its own connection (and its own error)
        if self._conn is not None:
            return self._conn
        self._read_only = False
        if not self.writable():
            if write:
                raise self._read_only_error(shown)
            self._conn = _open_read_only(self.path)
            self._read_only = True
            atexit.register(self.close)
            return self._conn
        if not self.path.exists():
            try:
                secure_dir(self.path.parent)
            except OSError as exc:
                raise RegistryError(f"cannot open the registry {shown}: {exc}; "
                                    "run `clauderon doctor` to find out why") from None
            old_umask = os.umask(0o077)
            try:
                self._create()  # a SQLite error: _connect's one line (full, read-only, ...)
            finally:
                os.umask(old_umask)
        try:
            secure_dir(self.path.parent)
            old_umask = os.umask(0o077)
            try:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                       check_same_thread=False)
            finally:
                os.umask(old_umask)
        except (OSError, sqlite3.Error) as exc:
            raise RegistryError(f"cannot open the registry {shown}: {exc}; "
                                "run `clauderon doctor` to find out why") from None
        try:
            self._prepare(conn, shown)
            # WAL + NORMAL: a commit survives a crash of clauderon; only a power cut can
            # lose the last one. Saves an fsync per change.
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError:
            conn.close()
            if write:
                raise
            # A full disk cannot take the -wal/-shm files a WAL database needs even to be
            # read; reading the main file alone still works when there is no -wal file.
            conn = _open_read_only(self.path)
            self._read_only = True
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        atexit.register(self.close)
        return conn

    def _create(self) -> None:
        """Make a new registry under another name and link it into place: the file at the
        registry's path is never seen empty or half set up (so an empty file there is an
        error, not a registry being made), and of two commands making it at once the first
        link wins and the other uses it. A file system without hard links: made in place."""
        from clauderon.fileio import transient_path

        self._sweep_new_files()
        temp = transient_path(self.path.parent, f"{self.path.name}-new-{os.urandom(4).hex()}")
        try:
            conn = sqlite3.connect(temp, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("BEGIN IMMEDIATE")
                _migrate(conn)
                conn.execute("COMMIT")
            finally:
                conn.close()  # checkpoints: everything is in the main file
            try:
                os.link(temp, self.path)
            except FileExistsError:
                pass  # another command made it first
            except OSError as exc:
                import errno

                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                    raise
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with suppress(FileNotFoundError):
                    os.unlink(f"{temp}{suffix}")

    def _sweep_new_files(self) -> None:
        """Remove what a command killed while making the registry left (its temporary
        file and companions: an empty schema, no rows), when its process is gone."""
        from clauderon.fileio import TRANSIENT_NAME, writer_running

        prefix = f".{self.path.name}-new-"
        try:
            entries = [e for e in os.scandir(self.path.parent) if e.name.startswith(prefix)]
        except OSError:
            return
        for entry in entries:
            base = entry.name
            for suffix in ("-wal", "-shm", "-journal"):
                base = base.removesuffix(suffix)
            match = TRANSIENT_NAME.fullmatch(base)
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            if writer_running(int(match["pid"])):
                continue  # still making it (or not ours to judge)
            with suppress(FileNotFoundError):
                os.unlink(entry.path)

    def empty_error(self) -> EmptyRegistry:
        shown = paths.tidy_home(str(self.path))
        return EmptyRegistry(
            f"the registry {shown} is an empty file (0 bytes), not a registry: its rows are "
            "gone; nothing was read or changed; restore it from a backup, or run `clauderon "
            "doctor --fix --check registry.db` to set it aside (kept) and record the running "
            "sessions again")

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        shown = paths.tidy_home(str(self.path))
        if self._conn is None and is_empty_file(self.path):
            raise self.empty_error()
        if not write and self._conn is None and not self.path.exists():
            conn = sqlite3.connect(":memory:")
            conn.executescript(_SCHEMA)
            try:
                yield conn
            finally:
                conn.close()
            return
        with self._lock:
            try:
                yield self._open(shown, write=write)
            except sqlite3.DatabaseError as exc:
                self.close()
                raise self._error(shown, exc) from None

    def _error(self, shown: str, exc: sqlite3.Error) -> RegistryError:
        """The one-line message for a SQLite error (only real corruption is "damaged")."""
        kind = error_kind(exc, self.path)
        if kind == LOCKED:
            return RegistryError(f"the registry {shown} is locked by another process; "
                                 "try again in a moment")
        if kind == READ_ONLY:
            return self._read_only_error(shown)
        if kind == FULL:
            return RegistryError(f"the disk holding the registry {shown} is full; nothing "
                                 "was changed; free some space and try again")
        if kind == PERMISSION:
            return RegistryError(f"the registry {shown} cannot be opened: permission "
                                 f"denied ({exc}); run `clauderon doctor` to find out why")
        if kind == CORRUPT:
            return RegistryError(f"the registry {shown} is damaged ({exc}); run "
                                 "`clauderon doctor --fix` to set it aside and rebuild it")
        return RegistryError(f"the registry {shown} failed: {exc}; run `clauderon doctor`")

    def _prepare(self, conn: sqlite3.Connection, shown: str) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise RegistryError(f"the registry {shown} has schema version {version}, newer "
                                f"than this clauderon ({SCHEMA_VERSION}); upgrade clauderon")
        _switch_to_wal(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Asked again under the write lock: another command may have upgraded it.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                _migrate(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists() and p.stat().st_mode & 0o077:
                p.chmod(0o600)

    # -- reading -----------------------------------------------------------------------

    def read(self) -> Rows:
        """Every row: the ones clauderon can read as records, the others as bad rows."""
        with self._connect(write=False) as conn:
            rows = _select(conn, "ORDER BY created_at, name", ())
        known = _known_backends()
        good: list[Record] = []
        bad: list[BadRow] = []
        for row in rows:
            checked = _checked(row, known)
            (good if isinstance(checked, Record) else bad).append(checked)  # type: ignore[arg-type]
        return Rows(good, bad)

    def all(self) -> list[Record]:
        """The rows clauderon can read (``read`` has the others too)."""
        return self.read().records

    def bad_rows(self) -> list[BadRow]:
        return self.read().bad

    def get(self, name: str) -> Record | None:
        """The session's record; None when there is no row; BadRowError (exit 2) when its
        row cannot be read."""
        names.given(name)  # every lookup by a typed name passes here: refuse non-UTF-8
        with self._connect(write=False) as conn:
            rows = _select(conn, "WHERE name = ?", (name,))
        if not rows:
            return None
        checked = _checked(rows[0], _known_backends())
        if isinstance(checked, BadRow):
            raise checked.error()
        return checked

    # -- writing -----------------------------------------------------------------------

    def reserve(self, record: Record) -> None:
        """Insert ``record`` not yet ready; NameTaken when the name is held."""
        with self._connect(write=True) as conn:
            try:
                conn.execute(
                    "INSERT INTO sessions (name, backend, workdir, created_at, shell, env, "
                    "layout, options, ready) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                    (record.name, record.backend, record.workdir, record.created_at,
                     record.shell, json.dumps(record.env), record.layout,
                     json.dumps(dict(record.options))))
            except sqlite3.IntegrityError:
                raise NameTaken(f'session "{record.name}" already exists in the clauderon '
                                f"registry; remove it with `clauderon kill {record.name}` "
                                "or pick another name") from None

    def mark_ready(self, name: str) -> None:
        with self._connect(write=True) as conn:
            conn.execute("UPDATE sessions SET ready = 1 WHERE name = ?", (name,))

    def add(self, record: Record) -> None:
        """Insert a complete record (doctor's rebuild)."""
        self.reserve(record)
        self.mark_ready(record.name)

    def update(self, record: Record) -> None:
        """Store what ``restore`` made of a session again: its environment and options."""
        with self._connect(write=True) as conn:
            conn.execute("UPDATE sessions SET env = ?, options = ?, ready = 1 WHERE name = ?",
                         (json.dumps(record.env), json.dumps(dict(record.options)), record.name))

    def mark_deleting(self, name: str) -> None:
        """Mark the row as being deleted (``kill``), before the backend is touched: this
        write is also the proof that the registry can be changed (a locked, read-only or
        full registry fails here, with nothing done). A row that is gone meanwhile (another
        kill): a ClauderonError."""
        with self._connect(write=True) as conn:
            cur = conn.execute("UPDATE sessions SET deleting = ? WHERE name = ?",
                               (Record.now(), name))
            if cur.rowcount == 0:
                raise ClauderonError(f"session {names.shown(name)} is no longer in the "
                                     "registry (killed meanwhile?); nothing was done")

    def unmark_deleting(self, name: str) -> None:
        with self._connect(write=True) as conn:
            conn.execute("UPDATE sessions SET deleting = NULL WHERE name = ?", (name,))

    def quarantine(self, rowid: int, reason: str) -> bool:
        """Move a row clauderon cannot read into the quarantine table, every value as it
        was, with the reason and the time: one transaction, so it is in one table or the
        other. False when the row is gone (or now readable: left in place)."""
        with self._connect(write=True) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = _select(conn, "WHERE rowid = ?", (rowid,))
                if not rows or not isinstance(_checked(rows[0], _known_backends()), BadRow):
                    conn.execute("ROLLBACK")
                    return False
                present = _present_columns(conn)
                cols = ", ".join(c for c in COLUMNS if c in present)
                conn.execute(f"INSERT INTO quarantine ({cols}, reason, quarantined_at) "
                             f"SELECT {cols}, ?, ? FROM sessions WHERE rowid = ?",
                             (reason, Record.now(), rowid))
                conn.execute("DELETE FROM sessions WHERE rowid = ?", (rowid,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return True

    def quarantined(self) -> list[tuple[Any, str, str]]:
        """(name, reason, quarantined_at) of every quarantined row."""
        with self._connect(write=False) as conn:
            try:
                return [tuple(r) for r in conn.execute(
                    "SELECT name, reason, quarantined_at FROM quarantine ORDER BY rowid")]
            except sqlite3.OperationalError:  # an old registry read-only: no such table
                return []

    def forget(self, name: str) -> bool:
        with self._connect(write=True) as conn:
            cur = conn.execute("DELETE FROM sessions WHERE name = ?", (name,))
            return cur.rowcount > 0

    def integrity(self, timeout: float = 5) -> tuple[str, int]:
        """(``PRAGMA integrity_check`` result, schema version) — for doctor. A lock held by
        a writer is waited for at most ``timeout`` seconds (then sqlite3 raises "locked")."""
        if not self.path.exists():
            return "ok", SCHEMA_VERSION
        conn = _open_read_only(self.path, timeout=timeout)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version:
                conn.execute("SELECT count(*) FROM sessions").fetchone()
            return str(result), int(version)
        finally:
            conn.close()

    def probe_write(self, timeout: float) -> None:
        """Take the write lock and let it go at once, changing nothing — for doctor: raises
        sqlite3 "database is locked" after ``timeout`` seconds when another process holds
        it (the error ``clauderon new`` would meet after 15 s)."""
        old_umask = os.umask(0o077)
        try:
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None,
                                   check_same_thread=False)
        finally:
            os.umask(old_umask)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()


# What a SQLite error means (error_kind): only CORRUPT is a damaged file.
LOCKED, READ_ONLY, FULL, IO, PERMISSION, CORRUPT, CANT_OPEN, OTHER = (
    "locked", "read-only", "full", "io", "permission", "corrupt", "cannot-open", "other")


def error_kind(exc: sqlite3.Error, path: Path | None = None) -> str:
    """Classify a SQLite error on the registry at ``path``: the result code when this
    Python has it (3.11+), else the message. An I/O error on a full disk is FULL; a file
    that cannot be opened for lack of permission is PERMISSION."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc).lower()
    directory = path.parent if path is not None else None
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or (
            not name and ("locked" in text or "busy" in text)):
        return LOCKED
    if name.startswith("SQLITE_READONLY") or (
            not name and ("readonly" in text or "read-only" in text)):
        return READ_ONLY
    if name == "SQLITE_FULL" or (not name and "full" in text):
        return FULL
    if name.startswith("SQLITE_IOERR") or (not name and "disk i/o" in text):
        return FULL if directory is not None and _no_space(directory) else IO
    if name.startswith(("SQLITE_PERM", "SQLITE_AUTH")) or "permission denied" in text:
        return PERMISSION
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
            not name and ("malformed" in text or "not a database" in text)):
        return CORRUPT
    if name.startswith("SQLITE_CANTOPEN") or (not name and "unable to open" in text):
        if path is not None and _denied(path):
            return PERMISSION
        if directory is not None and _no_space(directory):
            return FULL
        return CANT_OPEN
    return OTHER


def _denied(path: Path) -> bool:
    """The registry (or a companion file it needs) cannot be read or written by us."""
    directory = path.parent
    if directory.exists() and not os.access(directory, os.R_OK | os.X_OK):
        return True
    return any(p.exists() and not os.access(p, os.R_OK)
               for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")))


def lock_holders(path: Path) -> list[int]:
    """The processes holding the registry's write lock, from ``/proc/locks`` (Linux; an
    empty list elsewhere or when it cannot be read): a POSIX write lock on the database file
    (rollback journal) or on byte 120 of its ``-shm`` file (WAL's writer lock)."""
    wanted: dict[int, tuple[int, int, bool]] = {}  # inode -> (major, minor, is shm)
    for candidate, shm in ((path, False), (Path(f"{path}-shm"), True)):
        try:
            st = candidate.stat()
        except OSError:
            continue
        wanted[st.st_ino] = (os.major(st.st_dev), os.minor(st.st_dev), shm)
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    found: list[int] = []
    for line in lines:
        fields = line.split()
        if "->" in fields:  # a waiter: "1: -> POSIX ..."
            continue
        try:
            kind, mode, pid_text, where, start = fields[1], fields[3], fields[4], fields[5], \
                fields[6]
            major, minor, inode = where.split(":")
            pid, ino = int(pid_text), int(inode)
            dev = (int(major, 16), int(minor, 16))
        except (IndexError, ValueError):
            continue
        if kind != "POSIX" or mode != "WRITE" or ino not in wanted or pid <= 0:
            continue
        maj, mino, shm = wanted[ino]
        if dev != (maj, mino) or (shm and start != "120") or pid == os.getpid():
            continue
        if pid not in found:
            found.append(pid)
    return found


def _no_space(directory: Path) -> bool:
    try:
        return os.statvfs(directory).f_bavail == 0
    except OSError:
        return False


def _open_read_only(path: Path, timeout: float = 15) -> sqlite3.Connection:
    """A read-only connection. A WAL database needs its -shm file: when it cannot be created
    (a read-only directory, a full disk) and the -wal file is missing or empty, every change
    is in the main file, which is then opened as immutable."""
    uri = path.absolute().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout,
                           check_same_thread=False)
    try:
        conn.execute("PRAGMA user_version").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if error_kind(exc) == LOCKED:
            raise  # immutable would read a file a writer is changing
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=timeout,
                           check_same_thread=False)


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION in place (inside the caller's write transaction):
    the tables made when missing, the columns added to an older ``sessions`` table."""
    conn.execute(_SCHEMA.split(";")[0])  # sessions
    conn.execute(_SCHEMA.split(";")[1])  # quarantine
    if "deleting" not in _present_columns(conn):
        conn.execute("ALTER TABLE sessions ADD COLUMN deleting TEXT")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _present_columns(conn: sqlite3.Connection) -> set[str]:
    return {str(r[1]) for r in conn.execute("PRAGMA table_info(sessions)")}


def _select(conn: sqlite3.Connection, where: str, args: tuple[Any, ...]
            ) -> list[dict[str, Any]]:
    """The rows (rowid and every column, by name; a column an older schema lacks is
    None). Text that is not UTF-8 is read with its bytes escaped (it makes the row bad)
    instead of failing the whole read."""
    query = f"SELECT rowid AS rowid_, * FROM sessions {where}"
    try:
        cur = conn.execute(query, args)
        rows = cur.fetchall()
    except sqlite3.OperationalError as exc:
        if "decode" not in str(exc).lower():
            raise
        conn.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
        try:
            cur = conn.execute(query, args)
            rows = cur.fetchall()
        finally:
            conn.text_factory = str
    keys = [d[0] for d in cur.description]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _known_backends() -> tuple[str, ...]:
    from clauderon import backend_names

    return backend_names.names()


def _quoted(value: object) -> str:
    """A column's value for a reason: its repr, cut to 60 characters, passwords masked."""
    from clauderon.secrets import mask

    text = repr(value)
    return mask(text if len(text) <= 60 else text[:57] + "...")


def _text_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)


def _checked(row: Mapping[str, Any], known: tuple[str, ...]) -> Record | BadRow:
    """The row as a Record, or as a BadRow saying the first thing wrong with it."""
    rowid = int(row["rowid_"])
    name = row.get("name")
    text_name = name if isinstance(name, str) else None

    backend = row.get("backend")

    def bad(reason: str) -> BadRow:
        return BadRow(rowid, text_name, reason, backend if isinstance(backend, str) else None)

    if text_name is None:
        return bad(f"its name is not text ({_quoted(name)})")
    try:
        names.check(text_name)
    except ClauderonError as exc:
        # the rule's words without the remedy for `new` (after the last "; ")
        return bad(f"its name is not one clauderon makes ({str(exc).rsplit('; ', 1)[0]})")
    if backend not in known:
        return bad(f"its backend {_quoted(backend)} is not one this clauderon knows "
                   f"({', '.join(known)})")
    for column in ("workdir", "shell"):
        if not isinstance(row.get(column), str):
            return bad(f"its {column} {_quoted(row.get(column))} is not text")
    created = row.get("created_at")
    try:
        if not isinstance(created, str):
            raise ValueError
        datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return bad(f"its created time {_quoted(created)} is not a date and time")
    if not _text_or_none(row.get("layout")):
        return bad(f"its layout {_quoted(row.get('layout'))} is not text")
    env = _json_object(row.get("env"))
    if env is None or not all(isinstance(v, str) for v in env.values()):
        # never quoted: the environment may hold proxy passwords
        return bad("its env column is not a JSON object of strings")
    options = {} if row.get("options") in (None, "") else _json_object(row.get("options"))
    if options is None:
        return bad("its options column is not a JSON object")
    for key in ("repo", "branch", "base", "worktree", "agent"):  # worktrees.KEYS
        if not _text_or_none(options.get(key)):
            return bad(f"its {key} {_quoted(options.get(key))} is not text")
    ready = row.get("ready")
    if ready not in (0, 1) or isinstance(ready, float):
        return bad(f"its ready flag {_quoted(ready)} is not 0 or 1")
    deleting = row.get("deleting")
    if not _text_or_none(deleting):
        return bad(f"its deleting mark {_quoted(deleting)} is not text")
    return Record(name=text_name, backend=str(backend), workdir=row["workdir"],
                  created_at=created, shell=row["shell"], env=env, layout=row.get("layout"),
                  options=options, ready=bool(ready), deleting=deleting)


def _json_object(value: object) -> dict[str, Any] | None:
    if not isinstance(value, str):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
