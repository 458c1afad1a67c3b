"""A small KDL v1 parser (the dialect Zellij reads: the ``kdl`` crate 4.x).

``parse(text)`` returns the top-level nodes. Each :class:`KdlNode` keeps its entries (positional
arguments and ``key=value`` properties) in source order, its children block (``None`` when the
node has no braces, a list, maybe empty, when it has), its optional type annotation and where it
starts (1-based line and column, counted in characters).

Supported: bare and quoted identifiers; strings with escapes (``\\n``, ``\\u{1F600}`` ...);
raw strings ``r"..."`` and ``r#"..."#``; decimal, hex (``0x``), octal (``0o``) and binary
(``0b``) numbers with ``_`` separators; ``true``/``false``/``null``; type annotations
``(type)``; comments ``//``, nested ``/* */`` and slashdash ``/-`` on a node, an argument, a
property or a children block; ``;`` terminators; ``\\`` line continuations.

KDL v2-only syntax (``#true``, ``#null``, bare-word arguments, ``#"raw"#``) is an error, as it is
for Zellij. Every error is a :class:`KdlError` carrying the message, line and column.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

__all__ = ["KdlEntry", "KdlError", "KdlNode", "KdlValue", "format_value", "parse"]

KdlValue = str | int | float | bool | None
"""A KDL value. Check ``bool`` before ``int``: in Python a bool is an int."""

_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1

# Line breaks (KDL v1 "newline"); CRLF counts as one.
_NEWLINES = frozenset("\r\n\x85\x0c\u2028\u2029")
# Unicode spaces (KDL v1 "unicode-space") plus the BOM.
_SPACES = frozenset(
    "\t \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000\ufeff"
)
_NON_IDENTIFIER = frozenset('\\/(){}<>;[]=,"') | _NEWLINES | _SPACES
_KEYWORDS = {"true": True, "false": False, "null": None}
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

_DECIMAL = re.compile(r"[+-]?[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9][0-9_]*)?")
_HEX = re.compile(r"[+-]?0x[0-9a-fA-F][0-9a-fA-F_]*")
_OCTAL = re.compile(r"[+-]?0o[0-7][0-7_]*")
_BINARY = re.compile(r"[+-]?0b[01][01_]*")
_UNICODE_ESCAPE = re.compile(r"u\{([0-9a-fA-F]{1,6})\}")


class KdlError(ValueError):
    """A KDL syntax error at a 1-based ``line`` and ``column``."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message, line, column)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.column})"


@dataclass(frozen=True)
class KdlEntry:
    """A positional argument (``name`` is None) or a ``name=value`` property."""

    value: KdlValue
    name: str | None = None
    type: str | None = None
    line: int = 0
    column: int = 0

    @property
    def is_property(self) -> bool:
        return self.name is not None


@dataclass
class KdlNode:
    name: str
    entries: list[KdlEntry] = field(default_factory=list)
    children: list[KdlNode] | None = None
    """``None`` without braces; a (possibly empty) list with them."""
    type: str | None = None
    line: int = 0
    column: int = 0

    @property
    def args(self) -> list[KdlValue]:
        return [e.value for e in self.entries if e.name is None]

    @property
    def props(self) -> dict[str, KdlValue]:
        """Properties by name; the rightmost of duplicates wins, as KDL says."""
        return {e.name: e.value for e in self.entries if e.name is not None}

    def arg(self, index: int = 0) -> KdlEntry | None:
        """The ``index``-th positional argument (properties are skipped)."""
        positional = [e for e in self.entries if e.name is None]
        return positional[index] if 0 <= index < len(positional) else None

    def prop(self, name: str) -> KdlEntry | None:
        """The rightmost property called ``name``."""
        found = None
        for entry in self.entries:
            if entry.name == name:
                found = entry
        return found

    def child(self, name: str) -> KdlNode | None:
        """The first child node called ``name``."""
        for node in self.children or ():
            if node.name == name:
                return node
        return None


def format_value(value: KdlValue) -> str:
    """A value as KDL source (how Zellij's messages quote a found value)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def parse(text: str) -> list[KdlNode]:
    """Parse a KDL v1 document into its top-level nodes. Raises :class:`KdlError`."""
    return _Parser(text).document()


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        starts = [0]
        i = 0
        while i < self.n:
            ch = text[i]
            if ch in _NEWLINES:
                if ch == "\r" and i + 1 < self.n and text[i + 1] == "\n":
                    i += 1
                starts.append(i + 1)
            i += 1
        self.line_starts = starts

    # ----------------------------------------------------------------- positions, errors

    def pos(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def error(self, message: str, index: int | None = None) -> KdlError:
        line, column = self.pos(self.i if index is None else index)
        return KdlError(message, line, column)

    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.s[j] if j < self.n else ""

    def startswith(self, prefix: str) -> bool:
        return self.s.startswith(prefix, self.i)

    def describe_here(self) -> str:
        if self.i >= self.n:
            return "end of input"
        ch = self.s[self.i]
        if ch in _NEWLINES:
            return "end of line"
        return repr(ch)

    # ------------------------------------------------------------------ whitespace

    def skip_block_comment(self) -> None:
        start = self.i
        self.i += 2
        depth = 1
        while depth:
            if self.i >= self.n:
                raise self.error("unterminated /* comment", start)
            if self.startswith("/*"):
                depth += 1
                self.i += 2
            elif self.startswith("*/"):
                depth -= 1
                self.i += 2
            else:
                self.i += 1

    def skip_line_comment(self) -> None:
        """Skip ``//`` up to and including the line break (or to the end)."""
        while self.i < self.n and self.s[self.i] not in _NEWLINES:
            self.i += 1
        self.skip_newline()

    def skip_newline(self) -> bool:
        if self.i >= self.n or self.s[self.i] not in _NEWLINES:
            return False
        if self.startswith("\r\n"):
            self.i += 2
        else:
            self.i += 1
        return True

    def skip_ws(self) -> bool:
        """Unicode spaces and ``/* */`` comments (no line breaks)."""
        start = self.i
        while self.i < self.n:
            ch = self.s[self.i]
            if ch in _SPACES:
                self.i += 1
            elif self.startswith("/*"):
                self.skip_block_comment()
            else:
                break
        return self.i != start

    def skip_node_space(self) -> bool:
        """Whitespace inside a node: spaces, ``/* */`` and ``\\`` line continuations."""
        start = self.i
        while True:
            self.skip_ws()
            if self.peek() == "\\":
                esc = self.i
                self.i += 1
                self.skip_ws()
                if self.startswith("//"):
                    self.skip_line_comment()
                elif not self.skip_newline() and self.i < self.n:
                    raise self.error(
                        "a line continuation '\\' must be followed by the end of the line", esc
                    )
                continue
            break
        return self.i != start

    def skip_linespace(self) -> None:
        """Between nodes: spaces, comments and line breaks."""
        while self.i < self.n:
            if self.skip_ws() or self.skip_newline():
                continue
            if self.startswith("//"):
                self.skip_line_comment()
                continue
            break

    # ---------------------------------------------------------------------- structure

    def document(self) -> list[KdlNode]:
        return self.nodes(None)

    def nodes(self, open_brace: int | None) -> list[KdlNode]:
        nodes: list[KdlNode] = []
        while True:
            self.skip_linespace()
            if self.i >= self.n:
                if open_brace is not None:
                    raise self.error("this '{' is never closed: missing '}'", open_brace)
                return nodes
            if self.peek() == "}":
                if open_brace is None:
                    raise self.error("unexpected '}' with no matching '{'")
                self.i += 1
                return nodes
            slashdash = False
            if self.startswith("/-"):
                slashdash = True
                self.i += 2
                self.skip_node_space()
            node = self.node()
            if not slashdash:
                nodes.append(node)

    def node(self) -> KdlNode:
        start = self.i
        type_name = self.type_annotation()
        if self.i >= self.n or self.s[self.i] in _NON_IDENTIFIER - {'"'}:
            raise self.error(f"expected a node name, found {self.describe_here()}")
        name_start = self.i
        name = self.identifier(what="a node name")
        if name is None:
            raise self.error(f"expected a node name, found {self.describe_here()}", name_start)
        line, column = self.pos(start)
        node = KdlNode(name=name, type=type_name, line=line, column=column)
        has_block = False
        while True:
            spaced = self.skip_node_space()
            ch = self.peek()
            if self.i >= self.n:
                return node
            if ch == ";":
                self.i += 1
                return node
            if ch in _NEWLINES:
                self.skip_newline()
                return node
            if self.startswith("//"):
                self.skip_line_comment()
                return node
            if ch == "}":
                return node  # the enclosing block's closing brace ends this node too
            slashdash = False
            if self.startswith("/-"):
                slashdash = True
                self.i += 2
                self.skip_node_space()
                ch = self.peek()
            if ch == "{":
                if not slashdash and has_block:
                    raise self.error("a node can have only one children block '{ ... }'")
                children = self.block()
                if not slashdash:
                    node.children = children
                    has_block = True
                continue
            if has_block and not slashdash:
                raise self.error(
                    "nothing but a terminator (';' or end of line) may follow a node's children "
                    "block; did you miss a ';' or a line break?"
                )
            if not spaced and not slashdash:
                raise self.error(
                    f"unexpected {self.describe_here()} after {node.name!r}: expected a space, "
                    "';' or the end of the line"
                )
            entry = self.entry()
            if not slashdash:
                node.entries.append(entry)

    def block(self) -> list[KdlNode]:
        open_brace = self.i
        self.i += 1
        return self.nodes(open_brace)

    def entry(self) -> KdlEntry:
        start = self.i
        line, column = self.pos(start)
        if self.peek() == "(":
            type_name = self.type_annotation()
            value = self.value()
            return KdlEntry(value=value, type=type_name, line=line, column=column)
        ch = self.peek()
        if ch == '"' or self.raw_string_ahead():
            text = self.string()
            if self.peek() == "=":
                self.i += 1
                vtype, value = self.typed_value()
                return KdlEntry(value=value, name=text, type=vtype, line=line, column=column)
            return KdlEntry(value=text, line=line, column=column)
        if self.number_ahead():
            return KdlEntry(value=self.number(), line=line, column=column)
        if ch == "" or ch in _NON_IDENTIFIER:
            raise self.error(f"unexpected {self.describe_here()}: expected an argument or property")
        word = self.bare_identifier_text()
        if self.peek() == "=":
            if word in _KEYWORDS:
                raise self.error(
                    f"{word!r} is a keyword and cannot be a property name; quote it", start
                )
            self.i += 1
            vtype, value = self.typed_value()
            return KdlEntry(value=value, name=word, type=vtype, line=line, column=column)
        if word in _KEYWORDS:
            return KdlEntry(value=_KEYWORDS[word], line=line, column=column)
        raise self.bare_word_error(word, start)

    def bare_word_error(self, word: str, index: int) -> KdlError:
        if word.startswith("#"):
            hint = {"#true": "true", "#false": "false", "#null": "null"}.get(word)
            fix = f"write {hint}" if hint else 'quote strings ("...") and write true/false/null'
            return self.error(
                f"{word!r} is KDL v2 syntax; Zellij reads KDL v1: {fix}", index
            )
        return self.error(
            f"bare word {word!r} is not a value in KDL v1; quote it: {format_value(word)}", index
        )

    def typed_value(self) -> tuple[str | None, KdlValue]:
        type_name = self.type_annotation()
        return type_name, self.value()

    def value(self) -> KdlValue:
        start = self.i
        ch = self.peek()
        if ch == '"' or self.raw_string_ahead():
            return self.string()
        if self.number_ahead():
            return self.number()
        if ch == "" or ch in _NON_IDENTIFIER:
            raise self.error(f"expected a value, found {self.describe_here()}")
        word = self.bare_identifier_text()
        if word in _KEYWORDS:
            return _KEYWORDS[word]
        raise self.bare_word_error(word, start)

    def type_annotation(self) -> str | None:
        if self.peek() != "(":
            return None
        open_paren = self.i
        self.i += 1
        name = self.identifier(what="a type name")
        if name is None:
            raise self.error(f"expected a type name, found {self.describe_here()}")
        if self.peek() != ")":
            raise self.error("this '(' type annotation is never closed: missing ')'", open_paren)
        self.i += 1
        return name

    # ------------------------------------------------------------------------ tokens

    def identifier(self, *, what: str) -> str | None:
        """A quoted, raw or bare identifier; None when none starts here."""
        ch = self.peek()
        if ch == '"' or self.raw_string_ahead():
            return self.string()
        if ch == "" or ch in _NON_IDENTIFIER:
            return None
        start = self.i
        if self.number_ahead():
            raise self.error(f"{what} cannot start with a digit; quote it", start)
        word = self.bare_identifier_text()
        if word in _KEYWORDS:
            raise self.error(f"{word!r} is a keyword and cannot be {what}; quote it", start)
        return word

    def bare_identifier_text(self) -> str:
        start = self.i
        while self.i < self.n and self.s[self.i] not in _NON_IDENTIFIER:
            self.i += 1
        return self.s[start:self.i]

    def number_ahead(self) -> bool:
        ch = self.peek()
        if ch.isascii() and ch.isdigit():
            return True
        nxt = self.peek(1)
        return ch in "+-" and nxt.isascii() and nxt.isdigit()

    def number(self) -> int | float:
        start = self.i
        token = self.bare_identifier_text()
        if _HEX.fullmatch(token):
            value: int | float = int(token.replace("_", ""), 16)
        elif _OCTAL.fullmatch(token):
            value = int(token.replace("_", ""), 8)
        elif _BINARY.fullmatch(token):
            value = int(token.replace("_", ""), 2)
        else:
            match = _DECIMAL.fullmatch(token)
            if match is None:
                hint = f'; quote percentages: "{token}"' if token.endswith("%") else ""
                raise self.error(f"invalid number {token!r}{hint}", start)
            clean = token.replace("_", "")
            if match.group(1) or match.group(2):
                value = float(clean)
            else:
                value = int(clean)
        if isinstance(value, int) and not _I64_MIN <= value <= _I64_MAX:
            raise self.error(f"number {token} does not fit in a 64-bit integer", start)
        return value

    def raw_string_ahead(self) -> bool:
        if self.peek() != "r":
            return False
        j = self.i + 1
        while j < self.n and self.s[j] == "#":
            j += 1
        return j < self.n and self.s[j] == '"'

    def string(self) -> str:
        if self.peek() == "r":
            return self.raw_string()
        start = self.i
        self.i += 1
        out: list[str] = []
        while True:
            if self.i >= self.n:
                raise self.error('this string is never closed: missing \'"\'', start)
            ch = self.s[self.i]
            if ch == '"':
                self.i += 1
                return "".join(out)
            if ch == "\\":
                esc_start = self.i
                self.i += 1
                code = self.peek()
                if code in _ESCAPES:
                    out.append(_ESCAPES[code])
                    self.i += 1
                elif code == "u":
                    match = _UNICODE_ESCAPE.match(self.s, self.i)
                    if match is None:
                        raise self.error(
                            "invalid unicode escape: write \\u{XXXX} with 1 to 6 hex digits",
                            esc_start,
                        )
                    codepoint = int(match.group(1), 16)
                    if codepoint > 0x10FFFF or 0xD800 <= codepoint <= 0xDFFF:
                        raise self.error(
                            f"\\u{{{match.group(1)}}} is not a Unicode scalar value", esc_start
                        )
                    out.append(chr(codepoint))
                    self.i = match.end()
                else:
                    shown = "end of input" if code == "" else repr("\\" + code)
                    raise self.error(
                        f"invalid escape {shown} in a string; use \\\\ for a backslash",
                        esc_start,
                    )
                continue
            out.append(ch)
            self.i += 1

    def raw_string(self) -> str:
        start = self.i
        self.i += 1
        hashes = 0
        while self.peek() == "#":
            hashes += 1
            self.i += 1
        self.i += 1  # the opening quote
        closing = '"' + "#" * hashes
        end = self.s.find(closing, self.i)
        if end < 0:
            raise self.error(f"this raw string is never closed: missing '{closing}'", start)
        text = self.s[self.i:end]
        self.i = end + len(closing)
        return text
