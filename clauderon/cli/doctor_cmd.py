"""``clauderon doctor``: presentation only (the checks live in clauderon.doctor)."""


import os
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from clauderon.doctor.model import Outcome


def doctor(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON (version 1).")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Apply the safe, idempotent repairs.")
                   ] = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="With --fix: also forget missing sessions and delete exited ones "
                        "(they could be restored or resurrected); says what first.")] = False,
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
    from clauderon.doctor.runner import exit_code

    env = dict(os.environ)
    if prune and not fix:
        from clauderon.errors import UsageError

        raise UsageError("--prune goes with --fix: clauderon doctor --fix --prune")
    outcomes = diagnose(env, only=check or (), fix=fix, prune=prune, timeout=timeout)
    _print_report(outcomes, as_json=json_out, verbose=verbose, fixing=fix, env=env)
    code = exit_code(outcomes, strict=strict)
    if code:
        raise typer.Exit(code)


def _print_report(outcomes: "Sequence[Outcome]", *, as_json: bool, verbose: bool,
                  fixing: bool, env: dict[str, str]) -> None:
    import sys

    from clauderon.cli import output
    from clauderon.doctor import report

    shown = report.cleaned(outcomes, env)
    if as_json:
        output.print_json(report.to_json(shown))
        return
    from clauderon.backend_advice import for_doctor

    advice = for_doctor(env)  # the default backend cannot run, another can
    if not output.is_tty():
        sys.stdout.write(report.render_text(shown, verbose=verbose, fixing=fixing,
                                            advice=advice))
        return
    report.print_rich(shown, verbose=verbose, fixing=fixing, color=output.use_color(),
                      advice=advice)


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to the main application."""
    app.command("doctor")(doctor)
