"""registry.db: the SQLite registry opens, is intact, has our schema, and is private."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from clauderon.doctor.checks import _live
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, plural, shq, warning

FIX = "clauderon doctor --fix --check registry.db"
RETRY = "clauderon doctor --check registry.db"
SUFFIXES = ("", "-wal", "-shm")
REBUILD_NOTE = ("--fix moves it aside (kept as sessions.db.corrupt-<time>) and rebuilds the rows "
                "from the live clauderon sessions")


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return None


def _probe_timeout(ctx: Context) -> float:
    """How long doctor waits for a lock: briefly (a `clauderon new` holds the write lock
    for milliseconds; `new` itself waits 15 s), and well within the check's limit."""
    return max(0.1, min(1.0, ctx.timeout / 5))


def _holders(path: Path) -> list[str]:
    """"pid N (command line)" for each process holding the registry's write lock."""
    from clauderon.registry import lock_holders

    shown = []
    for pid in lock_holders(path):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            raw = b""
        words = raw.rstrip(b"\0").decode("utf-8", "replace").split("\0")
        line = " ".join(w for w in words if w)
        if len(line) > 100:
            line = line[:97] + "..."
        shown.append(f"pid {pid} ({line})" if line else f"pid {pid}")
    return shown


def sqlite_problem(ctx: Context, exc: sqlite3.Error, path: Path) -> Result:
    """The finding for a SQLite error on the registry: only real corruption is called
    damaged (and only it is moved aside by --fix)."""
    from clauderon import registry as reg

    shown = ctx.tidy(str(path))
    directory = ctx.tidy(str(path.parent))
    q_path, q_dir = shq(path, ctx.env), shq(path.parent, ctx.env)  # for remedies
    kind = reg.error_kind(exc, path)
    if kind == reg.CORRUPT:
        return error(f"{shown} is damaged: {exc}", details=[REBUILD_NOTE],
                     remedy=FIX, fixable=True, data={"corrupt": True})
    if kind == reg.LOCKED:
        holders = _holders(path)
        who = f" ({', '.join(holders)})" if holders else ""
        details = [f"the write lock was still held after {_probe_timeout(ctx):g}s; "
                   "`clauderon new` and `kill` wait 15 s for it, then fail",
                   "a clauderon command holds it for milliseconds: a lock held longer "
                   "belongs to a stuck or paused process (or an sqlite3 shell left open)"]
        if holders:
            pid = holders[0].split()[1]
            remedy = (f"ps -o pid,etime,args -p {pid}   # end it if it is stuck: kill {pid}; "
                      f"then {RETRY}")
        else:
            remedy = (f"fuser -v {shq(path, ctx.env)}*   # who has it open; wait for it or "
                      f"end it, then {RETRY}")
        return error(f"{shown} is locked by another process{who}", details=details,
                     remedy=remedy)
    if kind == reg.READ_ONLY:
        return error(f"{shown} is read-only ({exc}): `clauderon new` and `kill` will fail",
                     remedy=f"chmod u+w {q_path} {q_dir}   # or fix the mount if it is "
                            "read-only")
    if kind == reg.FULL:
        return error(f"the disk holding {shown} is full ({_free(path.parent)}): "
                     "`clauderon new` and `kill` will fail",
                     details=[f"SQLite said: {exc}"],
                     remedy=f"df -h {q_dir}   # free some space there, then {RETRY}")
    if kind == reg.IO:
        return error(f"reading {shown} failed with an I/O error ({exc}); the file itself may "
                     "be fine", details=["a failing disk, a lost network mount or a full "
                                         "disk cause this; the file is not moved aside"],
                     remedy=f"dmesg | tail   # then {RETRY}")
    if kind == reg.PERMISSION:
        return error(f"{shown} cannot be opened: permission denied ({exc})",
                     details=[f"the registry, its -wal/-shm files and {directory} must be "
                              "readable and writable by you"],
                     remedy=f"ls -la {q_dir}   # then: sudo chown -R \"$(id -un)\" "
                            f"{q_dir}")
    return error(f"{shown} cannot be opened ({exc})",
                 details=["the file is not moved aside: nothing says it is damaged"],
                 remedy=f"ls -la {q_dir}   # then {RETRY}")


def _free(directory: Path) -> str:
    try:
        st = os.statvfs(directory)
    except OSError:
        return "free space unknown"
    return f"{st.f_bavail * st.f_frsize // 1024} KiB free"


def run_registry(ctx: Context) -> Result:
    from clauderon.registry import SCHEMA_VERSION, RegistryError, is_empty_file

    registry = ctx.registry()
    path = registry.path
    shown = ctx.tidy(str(path))
    why = _live.unwritable(path.parent)
    if why:
        directory = shq(path.parent, ctx.env)
        return error(f"{ctx.tidy(str(path.parent))} cannot be written ({why}): `clauderon new` "
                     "and `kill` will fail", remedy=f"ls -ld {directory}   # make it yours and "
                                                    f"writable: chmod u+rwx {directory}")
    if not path.exists():
        return ok(f"no registry yet at {shown} (the first `clauderon new` creates it)")
    if is_empty_file(path):
        return error(f"{shown} is an empty file (0 bytes), not a registry: the rows it held "
                     "are gone, and every session command refuses it",
                     details=["restore it from a backup if you have one; else " + REBUILD_NOTE],
                     remedy=FIX, fixable=True, data={"corrupt": True})
    try:
        verdict, version = registry.integrity(timeout=_probe_timeout(ctx))
    except sqlite3.Error as exc:
        return sqlite_problem(ctx, exc, path)
    if verdict != "ok":
        lines = verdict.splitlines()
        return error(f"{shown} failed its integrity check: {lines[0]}", details=lines[1:6],
                     remedy=FIX, fixable=True, data={"corrupt": True})
    if version > SCHEMA_VERSION:
        return error(f"{shown} has schema version {version}, newer than this clauderon "
                     f"understands ({SCHEMA_VERSION})",
                     remedy="python3 -m pip install --upgrade clauderon")
    if version < SCHEMA_VERSION:
        return warning(f"{shown} has schema version {version}; clauderon upgrades it to "
                       f"{SCHEMA_VERSION} when it next opens it", remedy=FIX, fixable=True,
                       data={"upgrade": True})
    if not registry.writable():
        directory = shq(path.parent, ctx.env)
        return error(f"{shown} is read-only: `clauderon new` and `kill` will fail",
                     remedy=f"chmod u+w {shq(path, ctx.env)} {directory}   # or fix the mount "
                            "if it is "
                            "read-only")
    try:
        registry.probe_write(_probe_timeout(ctx))
    except sqlite3.Error as exc:
        return sqlite_problem(ctx, exc, path)
    try:
        count = len(ctx.records())
        bad = registry.bad_rows()
    except RegistryError as exc:
        return error(str(exc), remedy=exc.hint or RETRY)
    if bad:
        return error(f"{plural(len(bad), 'registry row')} cannot be read: "
                     + ", ".join(row.shown for row in bad[:5]) + (", ..." if len(bad) > 5
                                                                  else ""),
                     details=[*(f"{row.shown}: {row.reason}" for row in bad),
                              "list shows them as unknown; kill, env, attach and restore "
                              "refuse them; their env files are never deleted as leftovers",
                              "--fix moves each row, every value as it is, into the "
                              "registry's quarantine table (with the reason and the time)"],
                     remedy=FIX, fixable=True,
                     data={"quarantine": [[row.rowid, row.reason, row.shown] for row in bad]})
    loose = [p for p in (path.parent, *(Path(f"{path}{s}") for s in SUFFIXES))
             if (_mode(p) or 0) & 0o077]
    if loose:
        return warning(f"{shown} is readable by others; its rows hold session environments "
                       "(proxy credentials)",
                       details=[f"{ctx.tidy(str(p))}: mode {_mode(p):o}" for p in loose],
                       remedy=FIX, fixable=True, data={"chmod": [str(p) for p in loose]})
    quarantined = registry.quarantined()
    kept = [f"{_shown(q[0])}: {q[1]} (quarantined {q[2]})" for q in quarantined]
    return ok(f"{shown}: {plural(count, 'session')}, schema {version}, integrity ok"
              + (f"; {plural(len(kept), 'row')} in its quarantine table" if kept else ""),
              details=kept)


def _shown(name: object) -> str:
    """A quarantined row's name for a message (escaped; it may be anything)."""
    from clauderon.names import shown

    return shown(name) if isinstance(name, str) else repr(name)


def _aside(path: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while any(os.path.lexists(f"{target}{s}") for s in SUFFIXES):
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    return target


def _rebuild(ctx: Context) -> list[str]:
    from clauderon.registry import NameTaken

    ctx.invalidate()
    live = _live.live_sessions(ctx)
    files = _live.env_files(ctx)
    registry = ctx.registry()
    added: list[str] = []
    for backend, states in sorted(live.states.items()):
        for name in sorted(states):
            if not _live.is_clauderon(backend, name, files):
                continue
            try:
                registry.add(_live.adopted_record(ctx, backend, name))
            except NameTaken:
                continue
            added.append(f"{name} ({backend})")
    notes = [f"rebuilt {plural(len(added), 'row')} from live sessions"
             + (f": {', '.join(added)}" if added else "")]
    for backend, exc in live.failures.items():
        notes.append(f"could not list {backend} sessions, so none of them were recorded: {exc}")
    _live.refresh_names(ctx)
    return notes


def fix_registry(ctx: Context, result: Result) -> list[str]:
    registry = ctx.registry()
    path = registry.path
    if result.data.get("corrupt"):
        target = _aside(path)
        for suffix in SUFFIXES:
            source = Path(f"{path}{suffix}")
            if os.path.lexists(source):
                os.replace(source, f"{target}{suffix}")
        notes = [f"moved the damaged registry aside to {ctx.tidy(str(target))} (kept)"]
        return notes + _rebuild(ctx)
    if result.data.get("quarantine"):
        moved: list[str] = []
        for rowid, reason, shown in result.data["quarantine"]:
            if registry.quarantine(int(rowid), str(reason)):
                moved.append(f"moved the unreadable registry row {shown} ({reason}) into "
                             f"the quarantine table of {ctx.tidy(str(path))}, every value "
                             "kept")
        ctx.invalidate()
        _live.refresh_names(ctx)
        return moved
    if result.data.get("upgrade"):
        registry.all()  # opening it runs the schema upgrade
        return [f"upgraded {ctx.tidy(str(path))} to the current schema"]
    done: list[str] = []
    for name in result.data.get("chmod", []):
        p = Path(name)
        mode = 0o700 if p.is_dir() else 0o600
        if p.exists():
            p.chmod(mode)
            done.append(f"chmod {mode:o} {ctx.tidy(name)}")
    return done


CHECKS = [
    Check("registry.db", "Sessions",
          "the registry opens, passes PRAGMA integrity_check, has the expected schema, is "
          "private", run_registry, fix_registry,
          affects=("sessions.orphans", "sessions.env_files"), fix_order=10),
]
