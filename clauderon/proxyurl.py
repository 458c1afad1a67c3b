"""What a proxy address must look like: the one rule, used by the config file's validation
(a malformed ``[proxy]`` value is a config error) and by doctor's ``proxy.config`` (for the
values inherited from the environment).

No message here quotes the value or a piece of it: a malformed address may hold a password
anywhere (the caller shows the value through ``secrets.mask``).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal, NamedTuple
from urllib.parse import urlsplit

SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")
DEFAULT_PORTS = {"http": 80, "https": 443, "socks4": 1080, "socks4a": 1080, "socks5": 1080,
                 "socks5h": 1080}
# A host name (letters of any script, digits, '.', '-', '_', '~'); IPv6 goes in brackets.
_HOST = re.compile(r"[\w.~-]+\Z")
# (No '@' in messages: the masker hides everything from a '://' to the last '@' of the line.)
ENCODE_HINT = ("a password holding a slash, '#', '?', an at sign or a space must be "
               "percent-encoded (%2F, %23, %3F, %40, %20)")


class Endpoint(NamedTuple):
    scheme: str
    host: str
    port: int


class Problem(NamedTuple):
    level: Literal["error", "warning"]
    what: str  # "is empty", "has no host", ... (to follow the value's name)


def _parse(text: str) -> tuple[str, str, int | None, str] | Problem:
    """(scheme, host, port, path) of a stripped proxy address, or what is wrong with it."""
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        return Problem("error", "holds a space or a control character"
                       + ("; " + ENCODE_HINT if "@" in text else ""))
    schemeless = "://" not in text
    try:
        parts = urlsplit(f"http://{text}" if schemeless else text)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return Problem("error", "is not a valid URL: the port must be a number from 1 to 65535"
                       + ("; " + ENCODE_HINT if "@" in text else ""))
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        return Problem("error", f"has scheme {scheme!r}; use one of {', '.join(SCHEMES)}"
                       if re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme) else
                       f"has no valid scheme; use one of {', '.join(SCHEMES)}")
    if not host:
        return Problem("error", "has no host")
    bracketed = parts.netloc.rpartition("@")[2].startswith("[")
    if bracketed:
        try:
            ipaddress.IPv6Address(host.partition("%")[0])
        except ValueError:
            return Problem("error", "has an invalid IPv6 address in brackets")
    elif not _HOST.match(host):
        return Problem("error", "has an invalid host name"
                       + ("; " + ENCODE_HINT if "@" in text else ""))
    if port == 0:
        return Problem("error", "has port 0; the port must be a number from 1 to 65535")
    return scheme, host, port, parts.path


def problem(value: str) -> Problem | None:
    """What is wrong with proxy address ``value`` (an error, or a warning for what most tools
    accept anyway); None when it is fine."""
    text = value.strip()
    if not text:
        return Problem("error", "is empty")
    parsed = _parse(text)
    if isinstance(parsed, Problem):
        return parsed
    if "://" not in text:
        return Problem("warning", "has no scheme; most tools assume http, write http:// "
                                  "before it")
    if parsed[3] not in ("", "/"):
        return Problem("warning", "has a path, which proxy clients ignore")
    return None


def endpoint(value: str) -> Endpoint | None:
    """Where a valid proxy address connects to (the scheme's default port if none)."""
    parsed = _parse(value.strip())
    if isinstance(parsed, Problem):
        return None
    scheme, host, port, _path = parsed
    return Endpoint(scheme, host, port or DEFAULT_PORTS[scheme])


def config_error(values: dict[str, object], text: str, shown: str) -> str | None:
    """``FILE:LINE:COL: ...`` for the first malformed address in ``[proxy]`` (``values``: the
    validated dotted keys; ``text``: the file's text), with any password masked."""
    from clauderon.secrets import mask

    for key in ("http", "https", "all"):
        value = values.get(f"proxy.{key}")
        if not isinstance(value, str):
            continue
        found = problem(value)
        if found is not None and found.level == "error":
            line, col = locate(text, "proxy", key)
            return (f"{shown}:{line}:{col}: proxy.{key} = {mask(value, whole=True)!r} "
                    f"{found.what}; "
                    "write it as scheme://host:port, any user and password before the host")
    return None


def locate(text: str, table: str, key: str) -> tuple[int, int]:
    """(line, column), 1-based, of the value of ``key`` in ``[table]`` of a TOML document
    (also ``table.key = ...`` at the top level); (1, 1) when it cannot be found."""
    current = ""
    key_re = re.compile(rf"\s*(?:{re.escape(table)}\s*\.\s*)?[\"']?{re.escape(key)}[\"']?"
                        r"\s*=\s*")
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[\s*([^\]\s]+)\s*\]", line)
        if header:
            current = header.group(1).strip("\"'")
            continue
        match = key_re.match(line)
        if match and (current == table or (not current and "." in line[:match.end()])):
            return number, match.end() + 1
    return 1, 1
