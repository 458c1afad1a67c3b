"""Running checks: concurrently, each within a time limit, crashes captured; then fixes.

Each check runs in its own daemon thread. The runner waits until every check has finished or
its time limit has passed; a check still running then becomes an error saying it timed out (its
thread is abandoned: a daemon thread never keeps the process alive). A check that raises
becomes an error naming the exception, never a traceback.

``--fix`` applies the fixes one at a time (``fix_order``, then report order), each within a
time limit too, and re-runs the check it repaired (and, before fixing them, the checks an
earlier fix ``affects``), so the report shows the state after the repairs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Outcome, Result, Status, error

T = TypeVar("T")

FIX_TIMEOUT_FACTOR = 6.0
FIX_TIMEOUT_MIN = 30.0


class _TimedOut(Exception):
    pass


def _describe(exc: BaseException) -> str:
    from clauderon.errors import ClauderonError

    if isinstance(exc, ClauderonError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:  # PermissionError, a full disk, ...
        where = f": {exc.filename}" if exc.filename is not None else ""
        return f"{exc.strerror}{where}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _where(exc: BaseException) -> str | None:
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return None
    code = last.tb_frame.f_code
    return f"raised in {code.co_name} ({code.co_filename.rsplit('/', 1)[-1]}:{last.tb_lineno})"


def _crash_result(check: Check, exc: BaseException) -> Result:
    from clauderon.errors import ClauderonError, CommandTimeout

    if isinstance(exc, CommandTimeout):
        return error(f"timed out: {exc}", remedy=check.timeout_remedy or _retry(check))
    if isinstance(exc, ClauderonError):
        return error(str(exc), remedy=exc.hint or _retry(check))
    where = _where(exc)
    return error(f"the check crashed: {_describe(exc)}",
                 details=[where] if where else [],
                 remedy="this is a bug in clauderon; please report it with the output of "
                        f"`clauderon doctor --check {check.id} --verbose`")


def _retry(check: Check) -> str:
    return f"clauderon doctor --check {check.id}"


def _call_all(jobs: Sequence[tuple[str, Callable[[], T]]], timeout: float
              ) -> dict[str, tuple[T | BaseException, float]]:
    """Run every job in its own daemon thread; a job still running after ``timeout``
    seconds maps to a _TimedOut exception."""
    results: dict[str, tuple[T | BaseException, float]] = {}
    cond = threading.Condition()
    started = time.monotonic()

    def worker(key: str, job: Callable[[], T]) -> None:
        begin = time.monotonic()
        value: T | BaseException
        try:
            value = job()
        except BaseException as exc:
            value = exc
        with cond:
            results[key] = (value, time.monotonic() - begin)
            cond.notify_all()

    for key, job in jobs:
        threading.Thread(target=worker, args=(key, job), name=f"doctor:{key}",
                         daemon=True).start()
    deadline = started + timeout
    with cond:
        while len(results) < len(jobs):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            cond.wait(left)
        final = dict(results)
    for key, _job in jobs:
        if key not in final:
            final[key] = (_TimedOut(), timeout)
    return final


def _to_result(check: Check, value: Result | BaseException, timeout: float) -> Result:
    if isinstance(value, _TimedOut):
        return error(f"timed out after {timeout:g}s (the check did not finish)",
                     remedy=check.timeout_remedy or _retry(check))
    if isinstance(value, BaseException):
        return _crash_result(check, value)
    if not isinstance(value, Result):
        return error(f"the check crashed: it returned {type(value).__name__}, not a Result",
                     remedy="this is a bug in clauderon; please report it")
    return value


def run_checks(checks: Sequence[Check], ctx: Context) -> dict[str, tuple[Result, float]]:
    """Run ``checks`` concurrently; every one ends with a Result within ctx.timeout."""
    jobs: list[tuple[str, Callable[[], Result]]] = [(c.id, partial(c.run, ctx)) for c in checks]
    raw = _call_all(jobs, ctx.timeout)
    return {c.id: (_to_result(c, raw[c.id][0], ctx.timeout), raw[c.id][1]) for c in checks}


def _outcome(check: Check, result: Result, seconds: float, *, fixed: bool = False,
             notes: Sequence[str] = ()) -> Outcome:
    details = tuple(f"fixed: {n}" for n in notes) + result.details
    return Outcome(id=check.id, group=check.group, status=result.status,
                   summary=result.summary, details=details, remedy=result.remedy,
                   fixable=result.fixable and check.fix is not None, fixed=fixed,
                   seconds=seconds)


def _needs_fix(check: Check, result: Result, prune: bool = False) -> bool:
    """A finding --fix repairs, or (with --prune) one only --prune may act on."""
    if check.fix is None:
        return False
    if prune and result.data.get("prunable"):
        return True
    return result.fixable and result.status in (Status.WARNING, Status.ERROR)


def apply_fixes(checks: Sequence[Check], results: dict[str, tuple[Result, float]],
                ctx: Context) -> dict[str, Outcome]:
    """Fix every fixable finding, re-run what changed, and return the final outcomes."""
    order = {c.id: i for i, c in enumerate(checks)}
    by_id = {c.id: c for c in checks}
    current = dict(results)
    fixed: dict[str, list[str]] = {}
    stale: set[str] = set()
    fix_timeout = max(FIX_TIMEOUT_MIN, ctx.timeout * FIX_TIMEOUT_FACTOR)
    for check in sorted(checks, key=lambda c: (c.fix_order, order[c.id])):
        if check.id in stale:
            current.update(run_checks([check], ctx))
            stale.discard(check.id)
        result, _seconds = current[check.id]
        if not _needs_fix(check, result, ctx.prune):
            continue
        fix = check.fix
        assert fix is not None
        job: Callable[[], list[str]] = partial(fix, ctx, result)
        raw = _call_all([(check.id, job)], fix_timeout)[check.id][0]
        ctx.invalidate()
        if isinstance(raw, BaseException):
            what = (f"timed out after {fix_timeout:g}s" if isinstance(raw, _TimedOut)
                    else _describe(raw))
            failed = error(f"the fix failed: {what}", details=(result.summary, *result.details),
                           remedy=result.remedy)
            current[check.id] = (failed, current[check.id][1])
            continue
        notes = [str(n) for n in raw] if isinstance(raw, list) else []
        fixed[check.id] = notes
        current.update(run_checks([check], ctx))
        stale.update(a for a in check.affects if a in by_id and a != check.id)
    for check_id in sorted(stale, key=lambda i: order[i]):
        current.update(run_checks([by_id[check_id]], ctx))
    return {c.id: _outcome(c, current[c.id][0], current[c.id][1], fixed=c.id in fixed,
                           notes=fixed.get(c.id, ())) for c in checks}


def diagnose(checks: Sequence[Check], ctx: Context, *, fix: bool = False) -> list[Outcome]:
    """Run the checks (and, with ``fix``, the repairs); outcomes in the given order."""
    results = run_checks(checks, ctx)
    if fix and any(_needs_fix(c, results[c.id][0], ctx.prune) for c in checks):
        outcomes = apply_fixes(checks, results, ctx)
        return [outcomes[c.id] for c in checks]
    return [_outcome(c, *results[c.id]) for c in checks]


def exit_code(outcomes: Sequence[Outcome], *, strict: bool = False) -> int:
    statuses = {o.status for o in outcomes}
    if Status.ERROR in statuses or (strict and Status.WARNING in statuses):
        return 1
    return 0
