"""Masking of proxy credentials wherever a value is printed."""

from __future__ import annotations

import re
from collections.abc import Mapping

# scheme://user:password@ -> scheme://user:***@   (the password may be empty or odd)
_CREDENTIALS = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:)(?P<pw>[^@\s/]*)@")


def mask(text: str) -> str:
    """Replace every URL password in ``text`` with ``***``."""
    return _CREDENTIALS.sub(lambda m: f"{m.group('head')}***@", text)


def mask_env(variables: Mapping[str, str]) -> dict[str, str]:
    return {key: mask(value) for key, value in variables.items()}


def secrets_in(variables: Mapping[str, str]) -> list[str]:
    """The passwords held in ``variables`` (to check that no output leaks them)."""
    found: list[str] = []
    for value in variables.values():
        found.extend(m.group("pw") for m in _CREDENTIALS.finditer(value) if m.group("pw"))
    return found
