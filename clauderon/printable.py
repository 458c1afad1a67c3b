"""Text safe to show on a terminal: what a terminal would act on, written as an escape.

A config value, a session name or a path may hold characters a terminal interprets: C0
controls (ESC starts colour, cursor and title sequences; CR, BS and BEL), DEL, C1 controls
(U+009B is a one-character CSI), line and paragraph separators, and format characters such
as the bidirectional overrides that make text display in another order than it reads. Every
one of them is shown as its Python-style escape (``\\x1b``, ``\\u202e``): what is printed is
what is there, and nothing is acted on. Used by every CLI output function
(clauderon/cli/output.py).
"""

from __future__ import annotations


def printable(text: str, keep: str = "") -> str:
    """``text`` with every character that is not printable (``str.isprintable``, which
    also refuses every whitespace but the space) escaped, except those in ``keep``."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in keep
                   else ch.encode("unicode_escape").decode("ascii") for ch in text)


def json_printable(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with the characters
    json leaves raw (DEL, C1 controls, format characters, ...) as ``\\uXXXX`` escapes: the
    same data, nothing for a terminal to act on. Only newlines are left: json writes them as
    indentation, never inside a string."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == "\n":
            out.append(ch)
        elif ord(ch) > 0xFFFF:  # a surrogate pair, as JSON writes astral characters
            code = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)
