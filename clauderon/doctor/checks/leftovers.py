"""sessions.leftovers: programs a killed clauderon left running (clauderon/children.py).

``kill -9`` of ``clauderon new`` while its backend hangs used to leave the backend command
running forever. Every program clauderon runs is recorded while it runs; a record whose
clauderon is gone and whose process group provably still runs is a finding; ``--fix`` ends
that group (the next clauderon command that runs a program does the same on its own).
"""

from __future__ import annotations

from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, ok, plural, warning

FIX = "clauderon doctor --fix --check sessions.leftovers"


def run_leftovers(ctx: Context) -> Result:
    from clauderon import children

    found, unreadable = children.leftovers(ctx.env)
    running = [e for e in found if children.provably_ours(e)]
    gone = [e for e in found if not children.provably_ours(e)]
    details = [f"{e.argv0} (process group {e.pgid}), started by clauderon process {e.parent} "
               "which is gone" for e in running]
    details += [f"{ctx.tidy(str(p))} is not a record clauderon can read; it is left alone "
                "(delete it once you know nothing it names is running)" for p in unreadable]
    if not running and not unreadable:
        # records of programs that finished meanwhile: the next command forgets them
        note = [f"{plural(len(gone), 'record')} of finished programs, forgotten by the next "
                "clauderon command"] if gone else []
        return ok("no program left running by a killed clauderon", note)
    if running:
        return warning(f"{plural(len(running), 'program')} left running by a killed "
                       "clauderon", details, remedy=FIX, fixable=True)
    return warning(f"{plural(len(unreadable), 'record')} of running programs cannot be read",
                   details, remedy=f"delete the file{'s' if len(unreadable) > 1 else ''} "
                                   "named above")


def fix_leftovers(ctx: Context, result: Result) -> list[str]:
    from clauderon import children

    found, _unreadable = children.leftovers(ctx.env)
    notes = []
    for entry in found:
        if children.end(entry):
            notes.append(f"ended {entry.argv0} (process group {entry.pgid})")
        elif not entry.path.exists():
            notes.append(f"forgot the record of {entry.argv0} (it had finished)")
    return notes


CHECKS = [
    Check("sessions.leftovers", "Sessions",
          "no program clauderon started is left running by a clauderon process that was "
          "killed", run_leftovers, fix_leftovers),
]
