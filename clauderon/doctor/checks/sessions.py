"""Sessions: the registry against what the backends hold, the per-session env files, and the
disks and directories they live on."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from clauderon.doctor.checks import _live
from clauderon.doctor.context import Context
from clauderon.doctor.model import (
    Check,
    Result,
    Status,
    cmd,
    error,
    ok,
    plural,
    shq,
    skipped,
    warning,
)
from clauderon.fileio import TRANSIENT_NAME, writer_running

FIX_ALL = "clauderon doctor --fix --check sessions.orphans"


def _registry_rows(ctx: Context) -> list[Any] | Result:
    from clauderon.registry import RegistryError

    try:
        return list(ctx.records())
    except RegistryError as exc:
        return skipped(f"the registry cannot be read (see registry.db): {exc}",
                       remedy="clauderon doctor --fix --check registry.db")


class _Unreadable(NamedTuple):
    """Registry rows clauderon cannot read (registry.db reports them, --fix quarantines
    them). Their sessions are never adopted and their env files never deleted as leftovers;
    the env files of quarantined rows are kept too (the row's data may be wanted back)."""

    names: set[str]  # of the unreadable rows
    nameless: bool  # one has a name that is not text: any env file could be its
    kept_files: set[str]  # names whose env files are never leftovers


def _unreadable(ctx: Context) -> _Unreadable:
    from clauderon.registry import RegistryError

    def read() -> _Unreadable:
        registry = ctx.registry()
        bad = registry.bad_rows()
        names = {b.name for b in bad if b.name is not None}
        quarantined = {str(q[0]) for q in registry.quarantined() if isinstance(q[0], str)}
        return _Unreadable(names, any(b.name is None for b in bad), names | quarantined)

    try:
        return ctx.memo("registry.unreadable", read)
    except RegistryError:
        return _Unreadable(set(), True, set())


# -- sessions.orphans ------------------------------------------------------------------------
#
# What --fix may do here is what cannot lose anything: record a running session again, and
# remove env files clauderon provably wrote for a session that no backend holds. Forgetting a
# missing session (restore could bring it back) or deleting an exited one (the backend could
# resurrect it) needs --prune. Nothing is decided on a backend that could not be asked.


def _needed(ctx: Context, rows: list[Any]) -> dict[str, str]:
    """Backends the user relies on -> why."""
    needed: dict[str, str] = {}
    for name in ctx.backend_names():
        used, why = ctx.backend_used(name)
        if used:
            needed[name] = why
    return needed


def run_orphans(ctx: Context) -> Result:
    from clauderon.backends import get_backend
    from clauderon.backends.base import State
    from clauderon.sessions import deleting_reason

    rows = _registry_rows(ctx)
    if isinstance(rows, Result):
        return rows
    live = _live.live_sessions(ctx)
    files = _live.env_files(ctx)
    unreadable = _unreadable(ctx)
    nameless = unreadable.nameless
    recorded = {r.name for r in rows} | unreadable.names
    needed = _needed(ctx, rows)

    details: list[str] = []
    failed_needed: list[str] = []
    for backend, exc in sorted(live.failures.items()):
        if backend in needed:  # a backend nobody uses is not this check's business
            failed_needed.append(backend)
            count = sum(1 for r in rows if r.backend == backend)
            details.append(f"cannot list {backend} sessions: {exc}"
                           + (f"; its {plural(count, 'recorded session')} are unknown, "
                              "nothing is decided about them" if count else ""))
    unchecked: list[str] = []
    for backend in live.absent:
        count = sum(1 for r in rows if r.backend == backend)
        if count:
            unchecked.append(backend)
            details.append(f"cannot check {plural(count, 'recorded session')} of {backend}: "
                           f"{backend} is not installed")

    missing: list[tuple[str, str]] = []
    hidden: list[tuple[str, str]] = []
    exited: list[tuple[str, str]] = []
    adopt: list[tuple[str, str]] = []
    delete: list[tuple[str, str]] = []
    finish: list[tuple[str, str]] = []  # a cut-short kill whose session is gone
    unfinished: list[str] = []  # a cut-short kill whose session is still there
    for row in rows:
        states = live.states.get(row.backend)
        if row.deleting:
            state = None if states is None else states.get(row.name)
            why = deleting_reason(row, State.UNKNOWN if states is None
                                  else state or State.MISSING)
            details.append(f"{row.name} ({row.backend}): {why}"
                           + ("; --fix finishes it (its session is gone)"
                              if states is not None and state is None else ""))
            if states is not None and state is None:
                finish.append((row.backend, row.name))
            else:
                unfinished.append(row.name)
            continue
        if states is None:
            continue  # unknown: its backend could not be asked
        state = states.get(row.name)
        if state is None:
            if not row.ready and _young(row.created_at):
                continue  # a `clauderon new` in progress
            where = get_backend(row.backend, ctx.config_or_default(),
                                ctx.tool_env()).seen_elsewhere(row.name)
            if where:
                hidden.append((row.backend, row.name))
                details.append(f"{row.name} ({row.backend}): not listed by this "
                               f"{row.backend}, but not gone: {where}")
                continue
            missing.append((row.backend, row.name))
            details.append(f"{row.name} ({row.backend}): recorded, but the session is gone "
                           f"(missing); bring it back with: clauderon restore {cmd(row.name)}")
        elif state is State.EXITED:
            exited.append((row.backend, row.name))
            details.append(f"{row.name} ({row.backend}): exited; attaching resurrects it")
    for backend, states in sorted(live.states.items()):
        for name, state in sorted(states.items()):
            if name in recorded or not _live.is_clauderon(backend, name, files):
                continue
            if state is State.RUNNING:
                adopt.append((backend, name))
                details.append(f"{name} ({backend}): a running clauderon session with no "
                               "registry row (clauderon list/attach/kill cannot see it)")
            else:
                delete.append((backend, name))
                details.append(f"{name} ({backend}): an exited clauderon session with no "
                               "registry row")
    stale: list[str] = []
    if nameless:
        details.append("a registry row whose name is not text cannot be read (see "
                       "registry.db): no env file is called a leftover until it is "
                       "quarantined")
    if live.complete and not nameless:
        for name, path in sorted(files.items()):
            if (name in recorded or name in unreadable.kept_files or live.anywhere(name)
                    or _live.is_fresh(path) or not _live.written_by_clauderon(path)):
                continue
            stale.append(name)
            details.append(f"{name}: env file left behind by a session that no longer exists")

    data = {"missing": missing, "exited": exited, "adopt": adopt, "delete": delete,
            "stale": stale, "finish": finish, "prunable": bool(missing or exited or delete)}
    safe = len(adopt) + len(stale) + len(finish)
    problems = safe + len(missing) + len(delete) + len(hidden) + len(unfinished)
    counted = ", ".join(part for part in (
        f"{len(finish) + len(unfinished)} half-killed (deleting)"
        if finish or unfinished else "",
        f"{len(missing)} missing" if missing else "",
        f"{len(hidden)} visible only to another version" if hidden else "",
        f"{len(adopt)} unrecorded" if adopt else "",
        f"{len(delete)} exited without a row" if delete else "",
        f"{plural(len(stale), 'stale env file')}" if stale else "",
    ) if part)
    remedy = _orphans_remedy(missing, delete, safe)
    if unfinished:
        remedy = (cmd("clauderon", "kill", unfinished[0], env=ctx.env)
                  + "   # finishes the kill; " + remedy)
    if failed_needed:
        backend = failed_needed[0]
        exc = live.failures[backend]
        return error(f"cannot list {backend} sessions: {exc}", details=details,
                     remedy=_failure_remedy(backend), fixable=safe > 0, data=data)
    checked = ", ".join(f"{b} ({plural(len(s), 'session')})"
                        for b, s in sorted(live.states.items())) or "no backend installed"
    if problems:
        return warning(f"{plural(problems, 'session problem')}: {counted}", details=details,
                       remedy=remedy, fixable=safe > 0, data=data)
    if unchecked:
        return warning(details[-1], details=details[:-1], remedy=_install_remedy(unchecked[0]))
    summary = f"{plural(len(rows), 'recorded session')}, all accounted for; checked {checked}"
    if exited:
        summary += f" ({len(exited)} exited, resurrectable)"
    return Result(Status.OK, summary, tuple(details), data=data)


def _orphans_remedy(missing: list[tuple[str, str]], delete: list[tuple[str, str]],
                    safe: int) -> str:
    parts = []
    if missing:
        parts.append("clauderon restore --all   # or forget them: clauderon kill NAME")
    if safe:
        parts.append(FIX_ALL)
    if delete and not missing:
        parts.append("clauderon doctor --fix --prune --check sessions.orphans   # deletes them")
    return "; ".join(parts) or FIX_ALL


def _failure_remedy(backend: str) -> str:
    from clauderon import backends

    listing = backends.info(backend).list_command
    return (f"{listing}   # does it answer? then: clauderon doctor --check sessions.orphans"
            if listing else f"clauderon doctor --check sessions.orphans --verbose   # ({backend})")


def _install_remedy(backend: str) -> str:
    from clauderon import backends
    from clauderon.install_hints import for_this_machine

    return for_this_machine(backends.info(backend).install)


def _young(created_at: str) -> bool:
    from datetime import datetime, timezone

    try:
        then = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    return (datetime.now(timezone.utc) - then).total_seconds() < _live.GRACE_SECONDS


def _still(ctx: Context, backend: str, name: str) -> Any:
    """The session's state asked again (None: not listed); raises when the backend cannot
    answer or answers something unreadable: then nothing is done."""
    ctx.invalidate()
    return ctx.backend_states(backend).get(name)


def fix_orphans(ctx: Context, result: Result) -> list[str]:
    from clauderon.registry import NameTaken

    data = result.data
    registry = ctx.registry()
    done: list[str] = []
    for backend, name in data.get("adopt", []):
        try:
            registry.add(_live.adopted_record(ctx, backend, name))
        except NameTaken:
            continue
        done.append(f"recorded running session {name} ({backend}) in the registry again")
    ctx.invalidate()  # asked again: registry.db's fix may have quarantined rows
    unreadable = _unreadable(ctx)
    for name in data.get("stale", []):
        path = _live.env_dir(ctx) / f"{name}.sh"
        if (unreadable.nameless or name in unreadable.kept_files
                or not _live.written_by_clauderon(path)
                or _has_row(registry, name)):
            continue
        _live.remove_env_files(ctx, name)
        done.append(f"removed the leftover env files of {name}")
    for backend, name in data.get("finish", []):
        if _still(ctx, backend, name) is not None:
            continue  # it came back: a second `clauderon kill` decides
        record = registry.get(name)
        if record is None or not record.deleting:
            continue
        _live.remove_env_files(ctx, name)
        registry.forget(name)
        done.append(f"finished the kill of {name} ({backend}): its session is gone; removed "
                    "its env files and its registry row")
    if ctx.prune:
        done += _prune(ctx, data, registry)
    else:
        kept = sum(len(data.get(k, [])) for k in ("missing", "delete", "exited"))
        if kept:
            done.append(f"kept {plural(kept, 'session')} that could come back (restore or "
                        "resurrect); `--prune` forgets or deletes them")
    _live.refresh_names(ctx)
    ctx.invalidate()
    return done


def _has_row(registry: Any, name: str) -> bool:
    """A row of that name exists, readable or not."""
    from clauderon.registry import RegistryError

    try:
        return registry.get(name) is not None
    except RegistryError:
        return True  # unreadable, or the registry cannot be asked: keep its files


def _prune(ctx: Context, data: Any, registry: Any) -> list[str]:
    """--prune: forget missing sessions and delete exited ones, each asked again first."""
    from clauderon.backends import get_backend
    from clauderon.backends.base import State

    done: list[str] = []
    plan = [(b, n, "forget") for b, n in data.get("missing", [])]
    plan += [(b, n, "delete") for b, n in [*data.get("delete", []), *data.get("exited", [])]]
    for backend, name, what in plan:
        ctx.announce(f"--prune: will {what} {name} ({backend})"
                     + (": its record and env files" if what == "forget"
                        else ": an exited session the backend could resurrect"))
    for backend, name, what in plan:
        state = _still(ctx, backend, name)
        if what == "forget" and state is None:
            if registry.forget(name):
                done.append(f"forgot {name} ({backend}): its session is gone (--prune)")
            _live.remove_env_files(ctx, name)
        elif what == "delete" and state is State.EXITED:
            get_backend(backend, ctx.config_or_default(), ctx.tool_env()).kill(name)
            registry.forget(name)
            _live.remove_env_files(ctx, name)
            done.append(f"deleted exited session {name} ({backend}) (--prune)")
    return done


# -- sessions.env_files -----------------------------------------------------------------------


def _expected_files(ctx: Context, name: str, variables: dict[str, str]
                    ) -> list[tuple[Any, str]]:
    from clauderon.shellquote import env_file, render_env_file

    return [(env_file(name, shell, ctx.env), render_env_file(variables, shell, session=name))
            for shell in ("sh", "fish")]


TRANSIENT_MAX_AGE = 3600.0  # no clauderon command holds such a file this long


def leftover_files(directory: Path, now: float | None = None) -> list[Path]:
    """Transient files in the env file directory whose writer is gone (its pid is not running,
    or the file is older than an hour)."""
    now = time.time() if now is None else now
    found: list[Path] = []
    for entry in _live.entries(directory):
        # Written beside the env files and deleted moments later; a process killed (SIGKILL,
        # power loss) in between leaves them behind, possibly holding proxy passwords.
        match = TRANSIENT_NAME.fullmatch(entry.name) or _live.PROBE_FILE.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if age > TRANSIENT_MAX_AGE or not writer_running(int(match["pid"])):
            found.append(Path(entry.path))
    return sorted(found)


def run_env_files(ctx: Context) -> Result:
    rows = _registry_rows(ctx)
    if isinstance(rows, Result):
        return rows
    directory = _live.env_dir(ctx)
    details: list[str] = []
    rewrite: list[str] = []
    chmod_dir = False
    if directory.exists() and directory.stat().st_mode & 0o077:
        chmod_dir = True
        details.append(f"{ctx.tidy(str(directory))} is readable by others "
                       f"(mode {directory.stat().st_mode & 0o777:o}); it holds proxy "
                       "credentials")
    for row in rows:
        for path, text in _expected_files(ctx, row.name, row.env):
            shown = ctx.tidy(str(path))
            try:
                current = path.read_text(encoding="utf-8")
                mode = path.stat().st_mode & 0o777
            except FileNotFoundError:
                details.append(f"{row.name}: {shown} is missing (shells in the session do not "
                               "get its variables)")
                rewrite.append(row.name)
                continue
            except (OSError, UnicodeDecodeError) as exc:
                details.append(f"{row.name}: {shown} cannot be read: {exc}")
                rewrite.append(row.name)
                continue
            if current != text:
                details.append(f"{row.name}: {shown} differs from the session's recorded "
                               "environment")
                rewrite.append(row.name)
            elif mode & 0o077:
                details.append(f"{row.name}: {shown} is readable by others (mode {mode:o})")
                rewrite.append(row.name)
    rewrite = list(dict.fromkeys(rewrite))
    leftovers = leftover_files(directory)
    for path in leftovers:
        details.append(f"{ctx.tidy(str(path))} was left by a clauderon process that is gone "
                       "(it may hold proxy credentials)")
    if rewrite or chmod_dir or leftovers:
        if rewrite:
            summary = f"env files of {plural(len(rewrite), 'session')} need repair"
        elif chmod_dir:
            summary = "the env file directory is readable by others"
        else:
            summary = (f"{plural(len(leftovers), 'leftover temporary file')} "
                       "in the env file directory")
        return warning(summary, details=details,
                       remedy="clauderon doctor --fix --check sessions.env_files",
                       fixable=True, data={"rewrite": rewrite, "chmod_dir": chmod_dir,
                                           "leftovers": [str(p) for p in leftovers]})
    if not rows:
        return ok("no sessions, no env files to check")
    return ok(f"env files of {plural(len(rows), 'session')} match the registry", details)


def fix_env_files(ctx: Context, result: Result) -> list[str]:
    from clauderon.fileio import ensure_private_dir
    from clauderon.shellquote import write_env_files

    done: list[str] = []
    if result.data.get("chmod_dir"):
        ensure_private_dir(_live.env_dir(ctx))
        done.append(f"made {ctx.tidy(str(_live.env_dir(ctx)))} private (0700)")
    still_left = set(leftover_files(_live.env_dir(ctx)))
    for shown in result.data.get("leftovers", []):
        path = Path(shown)
        if path in still_left:
            path.unlink(missing_ok=True)
            done.append(f"removed {ctx.tidy(shown)}, left by a clauderon process that is gone")
    rows = {r.name: r for r in ctx.registry().all()}
    for name in result.data.get("rewrite", []):
        row = rows.get(name)
        if row is None:
            continue
        write_env_files(name, row.env, ctx.env)
        done.append(f"rewrote the env files of {name} from the registry")
    return done


# -- sessions.space --------------------------------------------------------------------------
#
# ``clauderon new`` writes a registry row, two env files and the names cache; on a full disk
# (or one out of inodes), a read-only mount or a directory it may not write, it fails, and
# SQLite's own message for that is often only "disk I/O error". This check asks ``statvfs``
# about the file system of each directory (the nearest existing ancestor when the directory
# is not made yet), once per file system, and writes and removes a probe file in each.


MIB = 1024 * 1024
ERROR_BYTES = 1 * MIB      # below this, the next `clauderon new` may well fail
WARNING_BYTES = 16 * MIB
ERROR_INODES = 64          # every session takes two env files (and their temporary files)
WARNING_INODES = 512


@dataclass(frozen=True)
class Space:
    dirs: tuple[tuple[str, Path], ...]  # (role, directory) sharing one file system
    probed: Path                         # the directory statvfs was asked about
    free: int                            # bytes available (as `df` says)
    total: int
    inodes: int | None                   # free inodes (None: the file system has no limit)
    read_only: bool


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def directories(ctx: Context) -> list[tuple[str, Path]]:
    from clauderon import paths

    return [("registry", paths.data_dir(ctx.env)),
            ("env files", paths.session_env_dir(ctx.env)),
            ("cache", paths.names_cache(ctx.env).parent)]


def measure(ctx: Context) -> tuple[list[Space], list[str]]:
    """The file systems under clauderon's directories, and the ones statvfs could not ask."""
    by_device: dict[int, list[tuple[str, Path]]] = {}
    probed: dict[int, Path] = {}
    failed: list[str] = []
    stats: dict[int, os.statvfs_result] = {}
    for role, directory in directories(ctx):
        where = _existing(directory)
        try:
            device = where.stat().st_dev
            if device not in stats:
                stats[device] = os.statvfs(where)
                probed[device] = where
        except OSError as exc:
            failed.append(f"{ctx.tidy(str(directory))} ({role}): {exc.strerror or exc}")
            continue
        by_device.setdefault(device, []).append((role, directory))
    spaces = []
    for device, dirs in by_device.items():
        st = stats[device]
        # What `df` shows as available (root may dip into a reserve beyond that).
        inodes = st.f_favail if st.f_files else None
        spaces.append(Space(tuple(dirs), probed[device], st.f_bavail * st.f_frsize,
                            st.f_blocks * st.f_frsize, inodes,
                            bool(st.f_flag & os.ST_RDONLY)))
    return spaces, failed


def _named(ctx: Context, space: Space) -> str:
    return " and ".join(f"{ctx.tidy(str(d))} ({role})" for role, d in space.dirs)


def run_space(ctx: Context) -> Result:
    spaces, failed = measure(ctx)
    errors: list[str] = []
    warnings: list[str] = []
    fine: list[str] = []
    remedies: list[str] = []
    for space in spaces:
        named = _named(ctx, space)
        shown = shq(space.probed, ctx.env)
        free = f"{_live.size(space.free)} free of {_live.size(space.total)}"
        inodes = "" if space.inodes is None else f", {space.inodes} inodes free"
        if space.read_only:
            errors.append(f"{named} is on a read-only file system")
            remedies.append(f"findmnt -T {shown}   # remount it read-write")
        elif space.free < ERROR_BYTES:
            errors.append(f"the disk under {named} is full: {free}")
            remedies.append(f"df -h {shown}   # free some space there")
        elif space.inodes is not None and space.inodes < ERROR_INODES:
            errors.append(f"the disk under {named} is out of inodes: {space.inodes} free")
            remedies.append(f"df -i {shown}   # delete some files there")
        elif space.free < WARNING_BYTES:
            warnings.append(f"the disk under {named} is nearly full: {free}")
            remedies.append(f"df -h {shown}   # free some space there")
        elif space.inodes is not None and space.inodes < WARNING_INODES:
            warnings.append(f"the disk under {named} is nearly out of inodes: "
                            f"{space.inodes} free")
            remedies.append(f"df -i {shown}   # delete some files there")
        else:
            fine.append(f"{named}: {free}{inodes}")
    for role, directory in directories(ctx):
        why = _live.unwritable(directory)
        if why:
            shown = shq(_existing(directory), ctx.env)
            errors.append(f"{ctx.tidy(str(directory))} ({role}) cannot be written: {why}")
            remedies.append(f"ls -ld {shown}   # make it yours and writable: "
                            f"chmod u+rwx {shown}")
    details = [*fine, *(f"cannot ask about {line}" for line in failed)]
    remedy = "; ".join(dict.fromkeys(remedies)) or None
    if errors:
        return error("; ".join(errors) + ": `clauderon new` and `kill` will fail",
                     details=[*warnings, *details], remedy=remedy)
    if warnings:
        return warning("; ".join(warnings), details=details, remedy=remedy)
    if failed:
        return warning(f"cannot ask about the disk under {failed[0]}", details=details,
                       remedy=f"ls -ld {shq(directories(ctx)[0][1], ctx.env)}")
    return ok(", ".join(fine))


CHECKS = [
    Check("sessions.orphans", "Sessions",
          "registry rows whose session is gone or exited; clauderon sessions without a row; "
          "leftover env files", run_orphans, fix_orphans, affects=("sessions.env_files",),
          fix_order=20),
    Check("sessions.env_files", "Sessions",
          "every recorded session has private env files matching its recorded environment; "
          "no temporary file left by a killed clauderon process",
          run_env_files, fix_env_files, fix_order=30),
    Check("sessions.space", "Sessions",
          "the registry, env file and cache directories are writable and their disks have "
          "free space and inodes", run_space),
]

