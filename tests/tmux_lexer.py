"""What tmux's command parser (cmd-parse.y, tmux 3.2-3.5) makes of one line of a file read
by ``source-file``, written independently of clauderon's quoting so tests can check it.

Modelled: tokens separated by blanks, ``;`` between commands, single quotes (literal) and
double quotes with tmux's escapes (``\\a \\b \\e \\f \\s \\v \\r \\n \\t``, ``\\NNN`` octal,
``\\uXXXX``/``\\UXXXXXXXX``, any other escaped character as itself). Anything that would make
tmux change a value is refused with an AssertionError instead of modelled: ``$`` and ``~``
outside single quotes (expanded from tmux's environment), a raw newline inside
quotes (tmux drops the blanks after it), ``\\`` before a newline (a line continuation), a
token starting with ``#`` (a comment or a format) or ``%`` (a directive), braces, an octal
escape above 0177 (a raw byte, not a character).
"""

from __future__ import annotations

_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "s": " ", "v": "\v", "r": "\r",
            "n": "\n", "t": "\t"}


def parse_line(line: str) -> list[list[str]]:
    """The commands (each a list of arguments) of one line, as tmux receives them."""
    assert line.endswith("\n") and "\n" not in line[:-1], "one line, ending in a newline"
    assert "\\\n" not in line, "a backslash before the newline continues the line"
    text = line[:-1]
    commands: list[list[str]] = [[]]
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t":
            i += 1
            continue
        if ch == ";":
            commands.append([])
            i += 1
            continue
        assert ch not in "#%{}", f"{text[i:i + 20]!r}: a comment, format, directive or brace"
        token, i = _token(text, i)
        commands[-1].append(token)
    assert all(commands), "an empty command"
    return commands


def _token(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    state = None  # None, '"' or "'"
    while i < len(text):
        ch = text[i]
        if state is None and ch in " \t;":
            break
        if state == "'":
            if ch == "'":
                state = None
            else:
                out.append(ch)
            i += 1
            continue
        if ch == "\\":
            char, i = _escape(text, i + 1)
            out.append(char)
            continue
        assert ch != "$", f"{text[i:i + 20]!r}: tmux would expand a variable"
        # tmux expands "~" at the start of a token and after a quote: refuse it everywhere
        assert ch != "~", f"{text[i:i + 20]!r}: tmux may expand ~"
        assert not (ch == "}" and state is None), "an unmatched brace"
        if ch in "'\"" and state in (None, ch):
            state = None if state else ch
            i += 1
            continue
        out.append(ch)
        i += 1
    assert state is None, f"unterminated quote in {text!r}"
    return "".join(out), i


def _escape(text: str, i: int) -> tuple[str, int]:
    assert i < len(text), "a backslash at the end of the line"
    ch = text[i]
    if ch in "01234567":
        digits = text[i:i + 3]
        assert ch <= "3" and len(digits) == 3 and all(d in "01234567" for d in digits), \
            f"invalid octal escape {digits!r}"
        assert int(digits, 8) < 0x80, "an octal escape above 0177 is a raw byte"
        return chr(int(digits, 8)), i + 3
    if ch in "uU":
        size = 4 if ch == "u" else 8
        digits = text[i + 1:i + 1 + size]
        assert len(digits) == size, "a short unicode escape"
        return chr(int(digits, 16)), i + 1 + size
    return _ESCAPES.get(ch, ch), i + 1
