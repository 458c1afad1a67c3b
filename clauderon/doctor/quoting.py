"""Words for pasteable remedies: paths with the home directory as ``~``, commands quoted
word by word. Below both the check model and the context, which use it."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping


def shq(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> str:
    """``path`` for a pasteable command: the home directory as ``~`` (left unquoted so the
    shell expands it), the rest quoted only when it needs to be."""
    from clauderon import paths

    text = str(path)
    tidy = paths.tidy_home(text, env)
    if tidy == "~":
        return "~"
    if tidy.startswith("~/"):
        rest = tidy[2:]
        return "~/" + shlex.quote(rest) if rest else "~/"
    return shlex.quote(text)


def cmd(*argv: str) -> str:
    """A pasteable command line from words (each quoted as needed)."""
    return shlex.join(argv)


