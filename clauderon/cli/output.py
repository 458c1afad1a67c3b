"""Printing: a rich table on a terminal, plain tab-separated text when piped, JSON for scripts.

Every function here shows control characters and the like escaped (clauderon/printable.py),
whatever they print: a config value or a name never acts on the terminal. rich is imported
only when a terminal will show its output (cells as plain text: no rich markup).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from clauderon.printable import json_printable, printable


def is_tty() -> bool:
    return sys.stdout.isatty()


def use_color() -> bool:
    return is_tty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def echo(text: str = "") -> None:
    sys.stdout.write(printable(text, keep="\n\t") + "\n")


def err(text: str) -> None:
    """One message on stderr: a line break inside it is shown as ``\\n`` too."""
    sys.stderr.write(printable(text, keep="\t") + "\n")


def warn(text: str) -> None:
    err(f"warning: {text}")


def print_json(data: Any) -> None:
    sys.stdout.write(json_printable(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, wide: bool = False
          ) -> None:
    """``wide``: cells are never cut to the terminal's width (lines may wrap instead)."""
    if not is_tty():
        for row in rows:
            sys.stdout.write("\t".join(printable(cell) for cell in row) + "\n")
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    t = Table(box=None, pad_edge=False, header_style="bold" if use_color() else "")
    for h in headers:
        t.add_column(h, no_wrap=wide)
    for row in rows:
        t.add_row(*(Text(printable(cell)) for cell in row))
    console = Console(no_color=not use_color(), highlight=False)
    if wide:  # the table's natural width, however narrow the terminal is
        natural = Console(width=1 << 20).measure(t).maximum
        console.width = max(console.width, natural)
    console.print(t)
