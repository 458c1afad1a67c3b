"""Masking of proxy credentials wherever a value is printed.

A credential is the password of a proxy address, with or without a scheme:
``http://user:password@host``, ``user:password@host:3128``, ``user:pw@[::1]:3128``. The rule
reads a run of text the way a URL parser reads the part after ``//`` (``urllib``: the user
information is everything before the *last* ``@``, the user is what comes before its first
``:``): in every run of characters without whitespace or ``/``, the text between its first
``:`` and its last ``@`` (after that ``:``) is the password. It becomes ``***``:
``http://user:***@host``, ``user:***@host:3128``; a password that itself holds ``@``
(``user:p@ss@host``) is masked whole. ``user@host`` has no password and is left alone, and so
is anything without an ``@``: ``host:3128``, ``no_proxy`` lists such as
``localhost,127.0.0.1,.corp``. The one exception is a container image digest
(``image:tag@sha256:<64 hex digits>``), which is not a password.

The rule is written as a regular expression that can only start a match at the start of a
run, so each run is scanned a bounded number of times: masking is linear in the length of the
text (clauderon masks whole command lines and config values, which may be hundreds of
kilobytes long).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

# A run starts at the start of the text or after whitespace or '/'. Group "pw": from the
# first ':' of the run to its last '@' (greedy, backtracking only within the run).
_CREDENTIAL = re.compile(r"(?<![^\s/])[^\s/:]*:(?P<pw>[^\s/]*)@")
_DIGEST = re.compile(r"sha(?:256:[0-9a-f]{64}|384:[0-9a-f]{96}|512:[0-9a-f]{128})"
                     r"(?![0-9A-Za-z])")


def _passwords(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every password in ``text``, left to right."""
    if "@" not in text or ":" not in text:
        return
    for match in _CREDENTIAL.finditer(text):
        if _DIGEST.match(text, match.end()):
            continue  # image:tag@sha256:...
        yield match.span("pw")


def mask(text: str) -> str:
    """Replace every proxy password in ``text`` with ``***``."""
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
