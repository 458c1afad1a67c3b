"""Masking of proxy credentials wherever a value is printed: ``mask`` is the one function.

A credential is the password of a proxy address, with or without a scheme:
``http://user:password@host``, ``user:password@host:3128``, ``user:pw@[::1]:3128``. Passwords
hold anything (base64 ones hold ``/``, ``+`` and ``=``; people type spaces and ``#``), written
correctly percent-encoded or not, so the rule does not trust a URL parser to find where the
user information ends:

- **After a scheme** (``http://``, ``socks5h://``, ...): the user information runs from the
  ``://`` to the *last* ``@`` before the end of the line or the next address with a scheme (a
  ``://`` whose scheme follows whitespace, a quote, ``(``, ``<``, ``,`` or ``=``: a password
  may itself hold ``://``); the password is what follows its first ``:``.
  ``http://u:pa/ss w#rd@host`` becomes ``http://u:***@host``. Where an address is followed
  by other text holding an ``@`` on the same line, more is masked than needed; never less.
- **Without a scheme**, in every run of characters without whitespace (before any ``://`` on
  its line): the text between its first ``:`` and its last ``@`` is the password
  (``user:***@host:3128``). ``user@host`` has no password and is left alone, and so is
  anything without an ``@``: ``host:3128``, ``no_proxy`` lists such as
  ``localhost,127.0.0.1,.corp``. (``user://x@host`` is an address with scheme ``user``,
  as urllib and curl read it.) The one exception is a container image digest
  (``image:tag@sha256:<64 hex digits>``), which is not a password.
- **A value known to be one** (``whole=True``: a variable's or a setting's value) is one
  address: after a leading ``scheme://``, or from its start, the text between the first
  ``:`` and the *last* ``@`` of the value is the password, whatever it holds (spaces, ``://``).

The password becomes ``***``. Every step scans a stretch of text that no other step scans
(a ``://``'s scheme is looked for back to the previous ``://`` only, its user information up
to the next one), so masking is linear in the length of the text (clauderon masks whole
command lines and config values, which may be hundreds of kilobytes long).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

# Without a scheme: a run starts at the start of the text or after whitespace. Group "pw":
# from the first ':' of the run to its last '@' (greedy, backtracking only within the run).
_CREDENTIAL = re.compile(r"(?<!\S)[^\s:]*:(?P<pw>\S*)@")
_DIGEST = re.compile(r"sha(?:256:[0-9a-f]{64}|384:[0-9a-f]{96}|512:[0-9a-f]{128})"
                     r"(?![0-9A-Za-z])")
_LEADING_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_BEFORE_ADDRESS = "'\"(<,="
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")


def _schemes(text: str) -> list[tuple[int, int]]:
    """``(start of the scheme, position of its "://")`` of every address with a scheme.

    A scheme is the run of scheme characters before a ``://``, from its first letter. A
    password may itself hold ``://`` (base64 ones may start with ``//``): on a line that
    already has an address, a ``://`` starts another one only when its scheme follows
    whitespace, a quote, ``(``, ``<``, ``,`` or ``=``."""
    found: list[tuple[int, int]] = []
    floor = 0
    for match in re.finditer("://", text):
        pos = first = match.start()
        while first > floor and text[first - 1] in _SCHEME_CHARS:
            first -= 1
        floor = pos + 3
        while first < pos and not (text[first].isascii() and text[first].isalpha()):
            first += 1
        if first == pos:
            continue
        if found and text.find("\n", found[-1][1], first) < 0 and first > 0 \
                and not (text[first - 1].isspace() or text[first - 1] in _BEFORE_ADDRESS):
            continue
        found.append((first, pos))
    return found


def _after_schemes(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(passwords after a ``scheme://``, the stretches those rules cover: from the scheme's
    first character to the end of its user information's search)."""
    passwords: list[tuple[int, int]] = []
    covered: list[tuple[int, int]] = []
    marks = _schemes(text)
    for i, (first, pos) in enumerate(marks):
        begin = pos + 3
        limit = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        newline = text.find("\n", begin, limit)
        end = limit if newline < 0 else newline
        covered.append((first, end))
        at = text.rfind("@", begin, end)
        if at < 0:
            continue
        colon = text.find(":", begin, at)
        if colon >= 0:
            passwords.append((colon + 1, at))
    return passwords, covered


def _passwords(text: str, whole: bool = False) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every password in ``text``, left to right, not overlapping."""
    if "@" not in text or ":" not in text:
        return
    if whole:  # one value, one address: neither whitespace nor a later "://" ends it
        scheme = _LEADING_SCHEME.match(text)
        begin, at = (scheme.end() if scheme else 0), text.rfind("@")
        colon = text.find(":", begin, at) if at > begin else -1
        if colon >= 0 and (scheme or not _DIGEST.match(text, at + 1)):
            yield (colon + 1, at)
        return
    spans, covered = _after_schemes(text) if "://" in text else ([], [])
    done = 0
    for seg_start, seg_end in [*covered, (len(text), len(text))]:
        # the text between two covered stretches: runs without a scheme
        for match in _CREDENTIAL.finditer(text, done, seg_start):
            if not _DIGEST.match(text, match.end()):  # image:tag@sha256:...
                spans.append(match.span("pw"))
        done = max(done, seg_end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:  # overlapping: one password to the furthest end
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    yield from merged


def mask(text: str, *, whole: bool = False) -> str:
    """Replace every proxy password in ``text`` with ``***``. ``whole``: ``text`` is one
    value (a variable's, a setting's), so an address without a scheme is the whole of it,
    spaces included (``user:pass word@host``)."""
    parts: list[str] = []
    done = 0
    for start, end in _passwords(text, whole):
        parts += [text[done:start], "***"]
        done = end
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def mask_env(variables: Mapping[str, str]) -> dict[str, str]:
    return {key: mask(value, whole=True) for key, value in variables.items()}


def secrets_in(variables: Mapping[str, str]) -> list[str]:
    """The passwords held in ``variables`` (to check that no output leaks them)."""
    found: list[str] = []
    for value in variables.values():
        found.extend(value[start:end] for start, end in _passwords(value, True)
                     if end > start)
    return found
