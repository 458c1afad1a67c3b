"""The masking rule of clauderon/secrets.py, written the plain (quadratic) way, for the tests
that compare the linear masker with it."""

from __future__ import annotations

import re
import string

SCHEME_CHARS = set(string.ascii_letters + string.digits + "+.-")
DIGEST_LENGTHS = {"sha256:": 64, "sha384:": 96, "sha512:": 128}


def is_digest(rest: str) -> bool:
    for prefix, n in DIGEST_LENGTHS.items():
        if rest.startswith(prefix):
            hexpart = rest[len(prefix):len(prefix) + n]
            after = rest[len(prefix) + n:len(prefix) + n + 1]
            return (len(hexpart) == n and all(c in "0123456789abcdef" for c in hexpart)
                    and not (after.isascii() and after.isalnum()))
    return False


def _marks(line: str) -> list[tuple[int, int]]:
    """(scheme start, position of "://") of each address with a scheme on one line."""
    marks: list[tuple[int, int]] = []
    previous_end = 0
    i = line.find("://")
    while i >= 0:
        scheme = ""
        j = i
        while j > previous_end and line[j - 1] in SCHEME_CHARS:
            scheme = line[j - 1] + scheme
            j -= 1
        letters = [k for k, c in enumerate(scheme) if c.isascii() and c.isalpha()]
        if letters:
            first = i - len(scheme) + letters[0]
            before = line[first - 1] if first else " "
            if not marks or before.isspace() or before in "'\"(<,=":
                marks.append((first, i))
        previous_end = i + 3
        i = line.find("://", i + 3)
    return marks


def _pieces(line: str) -> tuple[str, list[tuple[str, str]]]:
    """(the text before the first scheme, [(scheme + '://', what follows up to the next
    address)]) of one line."""
    marks = _marks(line)
    head = line[:marks[0][0]] if marks else line
    urls = [(line[first:pos + 3], line[pos + 3:marks[k + 1][0] if k + 1 < len(marks)
                                       else len(line)])
            for k, (first, pos) in enumerate(marks)]
    return head, urls


def _run(word: str) -> tuple[str, str | None]:
    head, at, rest = word.rpartition("@")
    user, colon, pw = head.partition(":")
    if at and colon and not is_digest(rest):
        return f"{user}:***@{rest}", pw
    return word, None


def _url(rest: str) -> tuple[str, str | None]:
    head, at, tail = rest.rpartition("@")
    user, colon, pw = head.partition(":")
    if at and colon:
        return f"{user}:***@{tail}", pw
    return rest, None


def reference(text: str) -> str:
    """Per line: the runs (no whitespace) before the first ``scheme://`` mask what lies
    between their first ':' and last '@'; after each ``scheme://``, the user information up
    to the last '@' before the next scheme masks what follows its first ':'."""
    lines = []
    for line in text.split("\n"):
        head, urls = _pieces(line)
        out = [_run(word)[0] for word in re.split(r"(\s)", head)]
        out += [scheme + _url(rest)[0] for scheme, rest in urls]
        lines.append("".join(out))
    return "\n".join(lines)


def reference_passwords(text: str) -> list[str]:
    found = []
    for line in text.split("\n"):
        head, urls = _pieces(line)
        found += [_run(word)[1] for word in re.split(r"\s", head)]
        found += [_url(rest)[1] for _scheme, rest in urls]
    return [pw for pw in found if pw]
