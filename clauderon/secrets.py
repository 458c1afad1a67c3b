"""Masking of proxy credentials wherever a value is printed.

A credential is the password of a URL: ``scheme://user:password@`` (scheme: a letter, then
letters, digits, ``+``, ``.``, ``-``; user: no ``/``, ``@``, ``:`` or whitespace; password:
no ``/``, ``@`` or whitespace; it may be empty). It becomes ``scheme://user:***@``.

The scan is linear in the length of the text. (A regular expression for the same rule
backtracks quadratically on long runs of letters, and clauderon masks whole command lines
and config values, which may be hundreds of kilobytes long.)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")


def _is_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _passwords(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every URL password in ``text``, left to right."""
    search = 0
    n = len(text)
    while True:
        sep = text.find("://", search)
        if sep < 0:
            return
        search = sep + 3
        start = sep  # the scheme: the longest run before "://" that starts with a letter
        while start > 0 and text[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < sep and not _is_letter(text[start]):
            start += 1
        if start == sep:
            continue
        colon = sep + 3  # the user: up to the first ':' (no '/', '@', whitespace before it)
        while colon < n and text[colon] not in "/@:" and not text[colon].isspace():
            colon += 1
        if colon >= n or text[colon] != ":":
            continue
        at = colon + 1  # the password: up to '@' (no '/' or whitespace before it)
        while at < n and text[at] not in "/@" and not text[at].isspace():
            at += 1
        if at >= n or text[at] != "@":
            continue
        yield colon + 1, at
        search = at + 1


def mask(text: str) -> str:
    """Replace every URL password in ``text`` with ``***``."""
    parts: list[str] = []
    done = 0
    for start, end in _passwords(text):
        parts += [text[done:start], "***"]
        done = end
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def mask_env(variables: Mapping[str, str]) -> dict[str, str]:
    return {key: mask(value) for key, value in variables.items()}


def secrets_in(variables: Mapping[str, str]) -> list[str]:
    """The passwords held in ``variables`` (to check that no output leaks them)."""
    found: list[str] = []
    for value in variables.values():
        found.extend(value[start:end] for start, end in _passwords(value) if end > start)
    return found
