"""The programs clauderon is running, written down so that a clauderon killed meanwhile
(``kill -9``, a closed terminal) does not leave them running forever.

:func:`clauderon.proc.run` starts every program in a process group of its own and records
it here for as long as it runs: one small file per child under
``$XDG_STATE_HOME/clauderon/running/`` (0600 in 0700), named ``<clauderon pid>-<child pid>``,
holding clauderon's pid and start time, the child's process group, its argv[0] and its start
time. The record is removed when the child has been waited for.

A record whose clauderon is gone is a leftover. The next clauderon command that runs a
program (one listdir) and ``clauderon doctor --fix`` (``sessions.leftovers``) end its
process group, but only when they can prove the group is the one recorded: its leader still
exists, leads that group and started when the record says (a pid reused by another program
has another start time). Start times come from ``/proc``; where there is none, nothing is
ever ended on a guess. A record that cannot be read is reported and left alone.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

END_GRACE = 0.5  # seconds a leftover group gets between SIGTERM and SIGKILL


class Entry(NamedTuple):
    path: Path
    parent: int
    parent_start: int
    pgid: int
    argv0: str
    start: int


def directory(env: Mapping[str, str] | None = None) -> Path | None:
    """Where records live; None when clauderon has no state directory (HOME unusable)."""
    from clauderon import paths
    from clauderon.errors import UsageError

    try:
        return paths.state_dir(env) / "running"
    except UsageError:
        return None


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    # the command name is in parentheses and may hold anything, ')' included
    return raw[raw.rfind(b")") + 2:].decode("ascii", "replace").split()


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), or None when it does not exist or this
    system has no /proc."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def _group_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[2]) if fields and len(fields) > 2 else None


def _running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited (a zombie has)."""
    fields = _stat_fields(pid)
    return fields is not None and bool(fields) and fields[0] not in ("Z", "X")


def record(pid: int, argv0: str, env: Mapping[str, str] | None = None) -> Path | None:
    """Write down the child ``pid`` (leader of its own process group); its record's path,
    or None when it cannot be recorded (no state directory, no /proc, a full disk)."""
    from clauderon import fileio

    where = directory(env)
    start, own_start = start_time(pid), start_time(os.getpid())
    if where is None or start is None or own_start is None:
        return None
    path = where / f"{os.getpid()}-{pid}"
    data = json.dumps({"parent": os.getpid(), "parent_start": own_start, "pgid": pid,
                       "argv0": argv0, "start": start}, ensure_ascii=True)
    try:
        fileio.write_private_file(path, data + "\n")
    except OSError:
        return None
    return path


def forget(path: Path | None) -> None:
    if path is not None:
        try:
            path.unlink()
        except OSError:
            pass


def read(where: Path) -> tuple[list[Entry], list[Path]]:
    """Every record under ``where``, and the files there that are not readable records."""
    entries: list[Entry] = []
    unreadable: list[Path] = []
    try:
        found = sorted(os.scandir(where), key=lambda e: e.name)
    except OSError:
        return entries, unreadable
    for item in found:
        path = Path(item.path)
        if item.name.startswith("."):
            continue  # a record being written (fileio's transient name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue  # forgotten since the listing: its child has been reaped
        except OSError:
            unreadable.append(path)
            continue
        try:
            data = json.loads(text)
            entries.append(Entry(path, int(data["parent"]), int(data["parent_start"]),
                                 int(data["pgid"]), str(data["argv0"]), int(data["start"])))
        except (ValueError, KeyError, TypeError):
            unreadable.append(path)
    return entries, unreadable


def orphaned(entry: Entry) -> bool:
    """Whether the clauderon that recorded ``entry`` is gone (its pid is free or reused)."""
    return start_time(entry.parent) != entry.parent_start


def provably_ours(entry: Entry) -> bool:
    """Whether the recorded group still runs under the recorded leader: same pid, same start
    time, still leading that group."""
    return (start_time(entry.pgid) == entry.start and _group_of(entry.pgid) == entry.pgid
            and _running(entry.pgid))


def end(entry: Entry) -> bool:
    """End the leftover group of ``entry`` (SIGTERM, then SIGKILL) when it is provably the
    recorded one, and forget the record when its group is gone. True when it was ended."""
    ended = False
    if provably_ours(entry):
        try:
            os.killpg(entry.pgid, signal.SIGTERM)
            deadline = time.monotonic() + END_GRACE
            while time.monotonic() < deadline and _running(entry.pgid):
                time.sleep(0.02)
            if provably_ours(entry):
                os.killpg(entry.pgid, signal.SIGKILL)
            ended = True
        except (ProcessLookupError, PermissionError):
            pass
    if not provably_ours(entry):
        forget(entry.path)
    return ended


def leftovers(env: Mapping[str, str] | None = None) -> tuple[list[Entry], list[Path]]:
    """Records of children whose clauderon is gone, and unreadable records."""
    where = directory(env)
    if where is None:
        return [], []
    entries, unreadable = read(where)
    return [e for e in entries if orphaned(e)], unreadable


def sweep(env: Mapping[str, str] | None = None) -> list[Entry]:
    """End every leftover that is provably clauderon's; forget the records of those that
    are gone. Costs one listdir when there is nothing to do."""
    found, _unreadable = leftovers(env)
    return [entry for entry in found if end(entry)]
