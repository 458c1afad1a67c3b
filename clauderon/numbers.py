"""Numbers users give (environment variables, options): one rule for reading them.

A value outside its range is refused with one line naming the variable, the value and the
range (UsageError, exit 2): ``inf``, ``1e308``, ``nan``, ``0``, a negative number or ``abc``
would otherwise reach a timer (OverflowError) or mean "never" without saying so.
"""

from __future__ import annotations

import math

from clauderon.errors import UsageError
from clauderon.printable import printable


def seconds(raw: str, what: str, *, low: float, high: float) -> float:
    """``raw`` read as seconds from ``low`` to ``high``; ``what`` names where it came from
    (``CLAUDERON_DOCTOR_TIMEOUT``, ``--timeout``)."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    return in_range(value, what, low=low, high=high, raw=raw)


def in_range(value: float, what: str, *, low: float, high: float,
             raw: str | None = None) -> float:
    """``value`` when it is a finite number from ``low`` to ``high``, else a UsageError."""
    if math.isfinite(value) and low <= value <= high:
        return value
    shown = printable(raw if raw is not None else f"{value:g}")
    example = f"{what} 10" if what.startswith("-") else f"{what}=10"
    raise UsageError(f"{what} is {shown!r}, not a number of seconds from {low:g} to {high:g}; "
                     f"give one in that range (e.g. {example}) or leave it unset")
