"""The data of a doctor run: statuses, what a check returns, what the report shows.

A :class:`Check` is a plain object: an id (part of the interface, e.g. ``zellij.binary``), a
group, a ``run`` function returning a :class:`Result`, and optionally a ``fix`` function. The
runner turns each into an :class:`Outcome`, which both the text view and ``--json`` render.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# the remedy helpers, named here for the checks (they live below the context and the model)
from clauderon.doctor.quoting import cmd as cmd
from clauderon.doctor.quoting import shq as shq
from clauderon.words import plural as plural

if TYPE_CHECKING:
    from clauderon.doctor.context import Context


class Status(str, enum.Enum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return self.value


# Groups in report order after the backends' (each backend's checks form a group named by its
# label, first); a check may name another group (it is shown after these).
GROUPS = ("Sessions", "Agents", "Configuration", "Proxy", "Shell", "Terminal", "Doctor")


@dataclass(frozen=True)
class Result:
    """What one run of a check found.

    ``summary`` is one line; ``details`` are extra lines (shown under non-ok checks, and under
    every check with ``--verbose``); ``remedy`` is a command the user can paste. ``fixable``
    says ``--fix`` can repair this finding. ``data`` is for the check's own fix function and
    is never rendered.
    """

    status: Status
    summary: str
    details: tuple[str, ...] = ()
    remedy: str | None = None
    fixable: bool = False
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)


def ok(summary: str, details: Sequence[str] = ()) -> Result:
    return Result(Status.OK, summary, tuple(details))


def skipped(summary: str, details: Sequence[str] = (), remedy: str | None = None) -> Result:
    return Result(Status.SKIPPED, summary, tuple(details), remedy)


def warning(summary: str, details: Sequence[str] = (), remedy: str | None = None, *,
            fixable: bool = False, data: Mapping[str, Any] | None = None) -> Result:
    return Result(Status.WARNING, summary, tuple(details), remedy, fixable, data or {})


def error(summary: str, details: Sequence[str] = (), remedy: str | None = None, *,
          fixable: bool = False, data: Mapping[str, Any] | None = None) -> Result:
    return Result(Status.ERROR, summary, tuple(details), remedy, fixable, data or {})


RunFn = Callable[["Context"], Result]
# A fix gets the result it repairs and returns one line per repair it made.
FixFn = Callable[["Context", Result], list[str]]


@dataclass(frozen=True)
class Check:
    """One diagnostic. ``affects``: ids of other checks a fix here can change (the runner
    re-runs them before fixing them in turn). ``fix_order``: lower fixes first."""

    id: str
    group: str
    title: str
    run: RunFn
    fix: FixFn | None = None
    affects: tuple[str, ...] = ()
    fix_order: int = 50
    timeout_remedy: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A check's final state, as both views render it."""

    id: str
    group: str
    status: Status
    summary: str
    details: tuple[str, ...]
    remedy: str | None
    fixable: bool
    fixed: bool
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "group": self.group, "status": self.status.value,
                "summary": self.summary, "details": list(self.details),
                "remedy": self.remedy, "fixable": self.fixable, "fixed": self.fixed}
