"""Printing: a rich table on a terminal, plain tab-separated text when piped, JSON for scripts.

rich is imported only when a terminal will show its output.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any


def is_tty() -> bool:
    return sys.stdout.isatty()


def use_color() -> bool:
    return is_tty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def echo(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def warn(text: str) -> None:
    err(f"warning: {text}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    if not is_tty():
        for row in rows:
            echo("\t".join(row))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(box=None, pad_edge=False, header_style="bold" if use_color() else "")
    for h in headers:
        t.add_column(h)
    for row in rows:
        t.add_row(*row)
    Console(no_color=not use_color(), highlight=False).print(t)
