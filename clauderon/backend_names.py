"""The names of the backends: the modules of the ``clauderon/backends`` package (but
``base``), from a directory listing, without importing anything.

Below everything that needs the names: the backend table (``backends.names``) and the
registry, which checks every row's backend when it reads it (and cannot import the table:
the backends' declarations use its records).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

NOT_BACKENDS = frozenset({"base"})
PACKAGE_DIR = Path(__file__).resolve().parent / "backends"


def listed(directories: Iterable[str | os.PathLike[str]]) -> tuple[str, ...]:
    """Every backend module's name in ``directories``, sorted."""
    found: set[str] = set()
    for directory in directories:
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            stem, dot, ext = entry.partition(".")
            if (dot and ext == "py" and stem.isidentifier() and not stem.startswith("_")
                    and stem not in NOT_BACKENDS):
                found.add(stem)
    return tuple(sorted(found))


def names() -> tuple[str, ...]:
    """Every backend's name, sorted."""
    return listed([PACKAGE_DIR])
