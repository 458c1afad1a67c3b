"""``clauderon doctor``: what is wrong, and how to fix it.

- :mod:`.model`: statuses, ``Check``, ``Result``, ``Outcome``.
- :mod:`.context`: what checks may ask (config, Zellij, registry), shared between them.
- :mod:`.runner`: concurrency, time limits, crash capture, ``--fix`` and the re-runs.
- :mod:`.report`: the text, rich and JSON views of the same outcomes.
- :mod:`.checks`: one module per area; each exposes ``CHECKS``.

See docs/doctor.md for every check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clauderon.doctor.model import Outcome


def diagnose(env: Mapping[str, str], *, only: Sequence[str] = (), fix: bool = False,
             prune: bool = False, timeout: float | None = None) -> list[Outcome]:
    """Run the checks named by ``only`` (all when empty) and return their outcomes."""
    from clauderon import numbers, paths, proc
    from clauderon.doctor import checks, runner
    from clauderon.doctor.context import MAX_TIMEOUT, MIN_TIMEOUT, Context, timeout_from_env

    # bad input is one line (exit 2) before any check starts anything
    if timeout is not None:
        numbers.in_range(timeout, "--timeout", low=MIN_TIMEOUT, high=MAX_TIMEOUT)
    paths.check_locations(env)
    proc.leave_leftovers()  # sessions.leftovers reports them; --fix ends them
    chosen = checks.select(checks.all_checks(), list(only))
    ctx = Context(env, timeout=timeout if timeout is not None else timeout_from_env(env),
                  prune=prune)
    return runner.diagnose(chosen, ctx, fix=fix)
