"""Session name rules shared by every backend, and close-match suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from clauderon.errors import UsageError

MAX_NAME_BYTES = 200
# repr writes a byte that was not UTF-8 (os.fsdecode's surrogate escape U+DC80..U+DCFF) as
# \udcXX: shown as the byte it was.
_UNDECODED = re.compile(r"\\udc([89a-f][0-9a-f])")


def full_name(session: str, project: str | None) -> str:
    """``PROJECT-SESSION`` when a project name is given, else ``SESSION``."""
    return f"{project}-{session}" if project else session


def shown(name: str) -> str:
    """``name`` quoted for a message, every character a terminal could act on (and every
    byte that was not UTF-8, which arrives as a lone surrogate) written as an escape:
    ``$'\\xff'`` is shown as ``'\\xff'``."""
    return _UNDECODED.sub(lambda m: f"\\x{int(m.group(1), 16):02x}", repr(name))


def given(name: str) -> str:
    """A session name typed to find a session (attach, env, kill, ...), as is; a UsageError
    (exit 2) when no session can have it: bytes that are not UTF-8 arrive from argv as lone
    surrogates, which the registry, the backends and the terminal cannot take."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"session name {shown(name)} is not valid UTF-8 (bytes a terminal or "
                         "a file name may hold, but no session name); use UTF-8 text, see "
                         "`clauderon list` for the names") from None
    return name


def check(name: str) -> None:
    """Reject names no backend can hold safely (exit 2, nothing created)."""
    given(name)
    shown_name = shown(name)
    if not name:
        raise UsageError("the session name is empty; give a name such as `fix-auth`")
    if name in (".", ".."):
        raise UsageError(f"{shown_name} is not a usable session name; pick a name such as "
                         "`fix-auth`")
    if name.startswith("-"):
        raise UsageError(f"session name {shown_name} starts with '-', which commands would "
                         "read as an option; drop the leading '-'")
    if "/" in name:
        raise UsageError(f"session name {shown_name} contains '/'; use '-' instead")
    for ch in name:
        if ch.isspace():
            raise UsageError(f"session name {shown_name} contains whitespace; use '-' "
                             "instead")
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise UsageError(f"session name {shown_name} contains the control or invisible "
                             f"character U+{ord(ch):04X}; remove it")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise UsageError(f"session name is {len(name.encode())} bytes long; keep it under "
                         f"{MAX_NAME_BYTES}")


def close_matches(name: str, candidates: Iterable[str]) -> list[str]:
    pool = sorted(set(candidates))
    near = difflib.get_close_matches(name, pool, n=3, cutoff=0.5)
    prefixed = [c for c in pool if c.startswith(name) or name.startswith(c)]
    return list(dict.fromkeys(near + prefixed))[:3]


def not_found_message(name: str, candidates: Iterable[str]) -> str:
    near = close_matches(name, candidates)
    hint = f"; did you mean {', '.join(near)}?" if near else "; see `clauderon list`"
    return f'no clauderon session named "{name}"{hint}'
