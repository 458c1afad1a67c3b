"""The report, rendered from the outcomes: plain text, rich (on a terminal) or JSON.

Every string passes through :func:`clean` first, for every view alike: proxy passwords are
masked, the home directory is shown as ``~`` (people paste this output publicly) and control
characters (colour codes from a tool's stderr, say) are made visible instead of interpreted.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TextIO

from clauderon.doctor.model import Outcome, Status

JSON_VERSION = 1
MARKS = {Status.OK: "✓", Status.WARNING: "!", Status.ERROR: "✗", Status.SKIPPED: "-"}
ASCII_MARKS = {Status.OK: "+", Status.WARNING: "!", Status.ERROR: "x", Status.SKIPPED: "-"}
STYLES = {Status.OK: "green", Status.WARNING: "yellow", Status.ERROR: "bold red",
          Status.SKIPPED: "dim"}


def clean(text: str, env: Mapping[str, str] | None = None) -> str:
    from clauderon import paths
    from clauderon.secrets import mask

    shown = mask(paths.tidy_home(text, env))
    if shown.isprintable():
        return shown
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape")
                   .decode("ascii") for ch in shown)


def cleaned(outcomes: Sequence[Outcome], env: Mapping[str, str] | None = None
            ) -> list[Outcome]:
    return [replace(o, summary=clean(o.summary, env),
                    details=tuple(clean(d, env) for d in o.details),
                    remedy=clean(o.remedy, env) if o.remedy else None) for o in outcomes]


def counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    return {s.value: sum(1 for o in outcomes if o.status is s) for s in Status}


def ordered(outcomes: Sequence[Outcome]) -> list[tuple[str, list[Outcome]]]:
    """Outcomes grouped, groups in the order they first appear (the checks come sorted by
    group: see clauderon.doctor.checks.all_checks)."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.group, []).append(outcome)
    return list(groups.items())


def to_json(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    return {"version": JSON_VERSION, "checks": [o.to_json() for o in outcomes],
            "summary": counts(outcomes)}


def summary_line(outcomes: Sequence[Outcome]) -> str:
    c = counts(outcomes)
    parts = [f"{c['ok']} ok", f"{c['warning']} warning{'s' if c['warning'] != 1 else ''}",
             f"{c['error']} error{'s' if c['error'] != 1 else ''}", f"{c['skipped']} skipped"]
    return "Summary: " + ", ".join(parts)


def hint_line(outcomes: Sequence[Outcome], fixing: bool) -> str | None:
    fixable = [o for o in outcomes if o.fixable and o.status in (Status.WARNING, Status.ERROR)]
    if fixable and not fixing:
        ids = " ".join(f"--check {o.id}" for o in fixable)
        return f"{len(fixable)} can be repaired automatically: clauderon doctor --fix {ids}"
    fixed = [o for o in outcomes if o.fixed]
    if fixing and not fixed:
        return "Nothing to repair automatically."
    return None


@dataclass(frozen=True)
class Line:
    """One line of the text view: indent level, text, and the status it belongs to."""

    text: str
    status: Status | None = None
    kind: str = "plain"  # group | check | detail | remedy | summary | plain


def lines(outcomes: Sequence[Outcome], *, verbose: bool, fixing: bool, ascii_only: bool,
          advice: str | None = None) -> list[Line]:
    """``advice``: a line under the summary (another backend to use, backend_advice)."""
    marks = ASCII_MARKS if ascii_only else MARKS
    arrow = "->" if ascii_only else "→"
    width = max((len(o.id) for o in outcomes), default=0)
    out: list[Line] = []
    for group, members in ordered(outcomes):
        out.append(Line(group, kind="group"))
        for o in members:
            out.append(Line(f"  {marks[o.status]} {o.id:<{width}}  {o.summary}", o.status,
                            "check"))
            show_details = verbose or o.status is not Status.OK or o.fixed
            if show_details:
                for detail in o.details:
                    out.append(Line(f"      {detail}", o.status, "detail"))
            if o.remedy and o.status is not Status.OK:
                out.append(Line(f"      {arrow} {o.remedy}", o.status, "remedy"))
    out.append(Line(""))
    out.append(Line(summary_line(outcomes), kind="summary"))
    if advice:
        out.append(Line(advice))
    hint = hint_line(outcomes, fixing)
    if hint:
        out.append(Line(hint))
    return out


def _can_encode(stream: TextIO) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "✓✗→".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def render_text(outcomes: Sequence[Outcome], *, verbose: bool = False, fixing: bool = False,
                stream: TextIO | None = None, advice: str | None = None) -> str:
    stream = stream or sys.stdout
    return "".join(line.text + "\n" for line in lines(
        outcomes, verbose=verbose, fixing=fixing, ascii_only=not _can_encode(stream),
        advice=advice))


def print_rich(outcomes: Sequence[Outcome], *, verbose: bool, fixing: bool, color: bool,
               advice: str | None = None) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(no_color=not color, highlight=False, soft_wrap=True)
    ascii_only = not _can_encode(sys.stdout)
    for line in lines(outcomes, verbose=verbose, fixing=fixing, ascii_only=ascii_only,
                      advice=advice):
        text = Text(line.text)
        if not color:
            pass
        elif line.kind in ("group", "summary"):
            text.stylize("bold")
        elif line.kind == "check" and line.status is not None:
            text.stylize(STYLES[line.status], 0, 3)  # the mark
            text.stylize("bold", 4, 4 + line.text[4:].find("  "))  # the id
        elif line.kind == "remedy":
            text.stylize("cyan")
        elif line.kind == "detail" and line.status is Status.OK:
            text.stylize("dim")
        console.print(text)
