"""Sessions: the registry against what the backends hold, and the per-session env files."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from clauderon.doctor.checks import _live
from clauderon.doctor.checks.propagation import PROBE_FILE
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, plural, skipped, warning
from clauderon.fileio import TRANSIENT_NAME

FIX_ALL = "clauderon doctor --fix --check sessions.orphans"


def _registry_rows(ctx: Context) -> list[Any] | Result:
    from clauderon.registry import RegistryError

    try:
        return list(ctx.records())
    except RegistryError as exc:
        return skipped(f"the registry cannot be read (see registry.db): {exc}",
                       remedy="clauderon doctor --fix --check registry.db")


# -- sessions.orphans ------------------------------------------------------------------------


def run_orphans(ctx: Context) -> Result:
    from clauderon.backends.base import State

    rows = _registry_rows(ctx)
    if isinstance(rows, Result):
        return rows
    live = _live.live_sessions(ctx)
    files = _live.env_files(ctx)
    recorded = {r.name for r in rows}
    needed = {ctx.default_backend} | {r.backend for r in rows}

    details: list[str] = []
    failed_needed: list[str] = []
    for backend, exc in sorted(live.failures.items()):
        details.append(f"cannot list {backend} sessions: {exc}")
        if backend in needed:
            failed_needed.append(backend)
    unchecked: list[str] = []
    for backend in live.absent:
        count = sum(1 for r in rows if r.backend == backend)
        if count:
            unchecked.append(backend)
            details.append(f"cannot check {plural(count, 'recorded session')} of {backend}: "
                           f"{backend} is not installed")

    missing: list[tuple[str, str]] = []
    exited: list[tuple[str, str]] = []
    adopt: list[tuple[str, str]] = []
    delete: list[tuple[str, str]] = []
    for row in rows:
        states = live.states.get(row.backend)
        if states is None:
            continue
        state = states.get(row.name)
        if state is None:
            if not row.ready and _young(row.created_at):
                continue  # a `clauderon new` in progress
            missing.append((row.backend, row.name))
            details.append(f"{row.name} ({row.backend}): recorded, but the session is gone "
                           "(missing)")
        elif state is State.EXITED:
            exited.append((row.backend, row.name))
            details.append(f"{row.name} ({row.backend}): exited (resurrectable); exited "
                           "sessions pile up")
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
    if live.complete:
        for name, path in sorted(files.items()):
            if name in recorded or live.anywhere(name) or _live.is_fresh(path):
                continue
            stale.append(name)
            details.append(f"{name}: env file left behind by a session that no longer exists")

    data = {"missing": missing, "exited": exited, "adopt": adopt, "delete": delete,
            "stale": stale}
    problems = len(missing) + len(exited) + len(adopt) + len(delete) + len(stale)
    counted = ", ".join(part for part in (
        f"{len(missing)} missing" if missing else "",
        f"{len(exited) + len(delete)} exited" if exited or delete else "",
        f"{len(adopt)} unrecorded" if adopt else "",
        f"{plural(len(stale), 'stale env file')}" if stale else "",
    ) if part)
    if failed_needed:
        backend = failed_needed[0]
        exc = live.failures[backend]
        return error(f"cannot list {backend} sessions: {exc}", details=details,
                     remedy=_failure_remedy(backend), fixable=problems > 0, data=data)
    checked = ", ".join(f"{b} ({plural(len(s), 'session')})"
                        for b, s in sorted(live.states.items())) or "no backend installed"
    if problems:
        return warning(f"{plural(problems, 'session problem')}: {counted}", details=details,
                       remedy=FIX_ALL, fixable=True, data=data)
    if unchecked:
        return warning(details[-1], details=details[:-1], remedy=_install_remedy(unchecked[0]))
    return ok(f"{plural(len(rows), 'recorded session')}, all accounted for; checked {checked}",
              details)


def _failure_remedy(backend: str) -> str:
    return {
        "zellij": "zellij list-sessions --no-formatting   # hangs? find the wedged server: "
                  "pgrep -a zellij",
        "tmux": "tmux list-sessions",
        "docker": "docker ps   # is the daemon running? (see docker checks)",
    }.get(backend, f"clauderon doctor --check sessions.orphans --verbose   # ({backend})")


def _install_remedy(backend: str) -> str:
    if backend == "zellij":
        from clauderon.doctor.checks.zellij import hint_for_this_machine

        return hint_for_this_machine()
    return {"tmux": "sudo apt-get install tmux   # or your system's package manager",
            "docker": "sudo apt-get install docker.io   # or install Docker Desktop"
            }.get(backend, f"install {backend}")


def _young(created_at: str) -> bool:
    from datetime import datetime, timezone

    try:
        then = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    return (datetime.now(timezone.utc) - then).total_seconds() < _live.GRACE_SECONDS


def _delete_exited(ctx: Context, backend: str, name: str) -> bool:
    """Delete an exited session; never one that runs (zellij refuses without --force)."""
    from clauderon import proc
    from clauderon.backends.base import State

    ctx.invalidate()
    if ctx.backend_states(backend).get(name) is not State.EXITED:
        return False
    if backend == "zellij":
        result = ctx.run(["zellij", "delete-session", name], timeout=15)
        if not result.ok:
            raise proc.failure(result)
        return True
    from clauderon.backends import get_backend

    get_backend(backend, ctx.config_or_default(), ctx.env).kill(name)
    return True


def fix_orphans(ctx: Context, result: Result) -> list[str]:
    from clauderon.registry import NameTaken

    data = result.data
    registry = ctx.registry()
    done: list[str] = []
    for backend, name in data.get("missing", []):
        ctx.invalidate()
        if name in ctx.backend_states(backend):
            continue  # it came back
        if registry.forget(name):
            done.append(f"forgot {name} ({backend}): its session is gone")
        _live.remove_env_files(ctx, name)
    for backend, name in [*data.get("exited", []), *data.get("delete", [])]:
        if _delete_exited(ctx, backend, name):
            registry.forget(name)
            _live.remove_env_files(ctx, name)
            done.append(f"deleted exited session {name} ({backend})")
    for backend, name in data.get("adopt", []):
        try:
            registry.add(_live.adopted_record(ctx, backend, name))
        except NameTaken:
            continue
        done.append(f"recorded running session {name} ({backend}) in the registry again")
    for name in data.get("stale", []):
        _live.remove_env_files(ctx, name)
        done.append(f"removed the leftover env files of {name}")
    _live.refresh_names(ctx)
    ctx.invalidate()
    return done


# -- sessions.env_files -----------------------------------------------------------------------


def _expected_files(ctx: Context, name: str, variables: dict[str, str]
                    ) -> list[tuple[Any, str]]:
    from clauderon.shellquote import env_file, render_env_file

    return [(env_file(name, shell, ctx.env), render_env_file(variables, shell, session=name))
            for shell in ("sh", "fish")]


TRANSIENT_MAX_AGE = 3600.0  # no clauderon command holds such a file this long


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a pid we can ask about: leave it
    return True


def leftover_files(directory: Path, now: float | None = None) -> list[Path]:
    """Transient files in the env file directory whose writer is gone (its pid is not running,
    or the file is older than an hour)."""
    now = time.time() if now is None else now
    found: list[Path] = []
    for entry in _live.entries(directory):
        # Written beside the env files and deleted moments later; a process killed (SIGKILL,
        # power loss) in between leaves them behind, possibly holding proxy passwords.
        match = TRANSIENT_NAME.fullmatch(entry.name) or PROBE_FILE.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if age > TRANSIENT_MAX_AGE or not _pid_alive(int(match["pid"])):
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


CHECKS = [
    Check("sessions.orphans", "Sessions",
          "registry rows whose session is gone or exited; clauderon sessions without a row; "
          "leftover env files", run_orphans, fix_orphans, affects=("sessions.env_files",),
          fix_order=20),
    Check("sessions.env_files", "Sessions",
          "every recorded session has private env files matching its recorded environment; "
          "no temporary file left by a killed clauderon process",
          run_env_files, fix_env_files, fix_order=30),
]

