"""``clauderon doctor``: presentation only (the checks live in clauderon.doctor)."""


import os
from typing import Annotated

import typer


def doctor(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON (version 1).")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Apply the safe, idempotent repairs.")
                   ] = False,
    check: Annotated[list[str] | None, typer.Option(
        "--check", metavar="ID", help="Run only this check (repeatable; a group prefix such "
                                      "as `proxy` selects all its checks).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                          help="Show details under every check.")] = False,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", hidden=True, min=0.05,
        help="Seconds per check (default 5, or $CLAUDERON_DOCTOR_TIMEOUT).")] = None,
) -> None:
    """Find what breaks sessions and say how to fix it; --fix repairs the safe things.

    Exit: 0 no errors (warnings are fine), 1 errors (warnings too with --strict), 2 usage errors.
    """
    from clauderon.doctor import diagnose
    from clauderon.doctor.report import print_report
    from clauderon.doctor.runner import exit_code

    env = dict(os.environ)
    outcomes = diagnose(env, only=check or (), fix=fix, timeout=timeout)
    print_report(outcomes, as_json=json_out, verbose=verbose, fixing=fix, env=env)
    code = exit_code(outcomes, strict=strict)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to the main application."""
    app.command("doctor")(doctor)
