"""Words for pasteable remedies: paths with the home directory as ``~``, commands quoted
word by word. Below both the check model and the context, which use it."""

from __future__ import annotations

import os
from collections.abc import Mapping


def shq(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> str:
    """``path`` for a pasteable command: the home directory as ``~`` (left unquoted so the
    shell expands it), the rest quoted only when it needs to be."""
    from clauderon import paths
    from clauderon.shellquote import quote_word, shell_kind

    text = str(path)
    tidy = paths.tidy_home(text, env)
    shell = shell_kind(env)
    if tidy == "~":
        return "~"
    if tidy.startswith("~/"):
        rest = tidy[2:]
        return "~/" + quote_word(rest, shell) if rest else "~/"
    return quote_word(text, shell)


def cmd(*argv: str, env: Mapping[str, str] | None = None) -> str:
    """A pasteable command line from words (each quoted as needed for the user's shell)."""
    from clauderon.shellquote import quote_word, shell_kind

    shell = shell_kind(env)
    return " ".join(quote_word(word, shell) for word in argv)


