"""The KDL v1 parser Zellij layouts are read with."""

from __future__ import annotations

import math

import pytest

from clauderon.kdl import KdlEntry, KdlError, KdlNode, format_value, parse


def one(text: str) -> KdlNode:
    nodes = parse(text)
    assert len(nodes) == 1, nodes
    return nodes[0]


def error(text: str) -> KdlError:
    with pytest.raises(KdlError) as info:
        parse(text)
    return info.value


# ----------------------------------------------------------------------------- documents


def test_empty_document_has_no_nodes() -> None:
    assert parse("") == []
    assert parse("  \n\n// only a comment\n/* and a block */\n") == []


def test_node_with_args_props_and_children() -> None:
    node = one('pane 1 "two" size=3 name="x" {\n  plugin location="tab-bar"\n}\n')
    assert node.name == "pane"
    assert node.args == [1, "two"]
    assert node.props == {"size": 3, "name": "x"}
    assert node.children is not None and [c.name for c in node.children] == ["plugin"]
    assert node.children[0].props == {"location": "tab-bar"}


def test_entries_keep_source_order_and_kind() -> None:
    node = one('n a=1 "b" c=true')
    assert [(e.name, e.value) for e in node.entries] == [("a", 1), (None, "b"), ("c", True)]
    assert [e.is_property for e in node.entries] == [True, False, True]


def test_node_without_braces_has_no_children_block() -> None:
    assert one("pane").children is None


def test_empty_braces_are_an_empty_children_block() -> None:
    assert one("pane {}").children == []
    assert one("pane {\n}").children == []


def test_rightmost_duplicate_property_wins() -> None:
    node = one("n a=1 a=2")
    assert node.props == {"a": 2}
    prop = node.prop("a")
    assert prop is not None and prop.value == 2


def test_helpers_arg_prop_child() -> None:
    node = one('n k=1 "first" "second" { c 1; c 2; }')
    first = node.arg(0)
    second = node.arg(1)
    assert first is not None and first.value == "first"
    assert second is not None and second.value == "second"
    assert node.arg(2) is None
    assert node.prop("missing") is None
    child = node.child("c")
    assert child is not None and child.args == [1]
    assert node.child("d") is None


def test_many_top_level_nodes() -> None:
    assert [n.name for n in parse("a\nb\r\nc;d; e\n")] == ["a", "b", "c", "d", "e"]


def test_nested_children() -> None:
    node = one("a { b { c { d; }; }; }")
    assert node.children is not None
    b = node.children[0]
    assert b.children is not None
    c = b.children[0]
    assert c.children is not None and c.children[0].name == "d"


def test_closing_brace_ends_the_last_child_without_terminator() -> None:
    node = one('pane { plugin location="x" }')
    assert node.children is not None and node.children[0].props == {"location": "x"}


def test_semicolon_separates_nodes_on_one_line() -> None:
    node = one("a { b 1; c 2 }")
    assert node.children is not None
    assert [(c.name, c.args) for c in node.children] == [("b", [1]), ("c", [2])]


def test_positions_are_one_based_line_and_column() -> None:
    nodes = parse('a\n  b x=1 "y"\n')
    assert (nodes[0].line, nodes[0].column) == (1, 1)
    assert (nodes[1].line, nodes[1].column) == (2, 3)
    assert [(e.line, e.column) for e in nodes[1].entries] == [(2, 5), (2, 9)]


def test_positions_count_crlf_as_one_line_break() -> None:
    nodes = parse("a\r\nb\rc\n")
    assert [(n.name, n.line) for n in nodes] == [("a", 1), ("b", 2), ("c", 3)]


def test_unicode_line_breaks_and_spaces() -> None:
    nodes = parse("a\u2028b\u00a0 1\u0085c")
    assert [(n.name, n.args, n.line) for n in nodes] == [("a", [], 1), ("b", [1], 2), ("c", [], 3)]


def test_bom_is_whitespace() -> None:
    assert one("\ufeffnode").name == "node"


# --------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize("name", ["pane", "tab-bar", "zellij:tab-bar", "a.b", "-", "--x", "+x",
                                  "node_1", "ünïcödé", "r", "r#x", "#hash", "x!?"])
def test_bare_identifiers(name: str) -> None:
    assert one(name).name == name


def test_quoted_node_name_and_property_key() -> None:
    node = one('"my node" "my key"=1 r"raw key"=2')
    assert node.name == "my node"
    assert node.props == {"my key": 1, "raw key": 2}


def test_quoted_keyword_is_a_name() -> None:
    assert one('"true"').name == "true"


@pytest.mark.parametrize("text", ["true", "false", "null"])
def test_keyword_cannot_be_a_bare_node_name(text: str) -> None:
    assert "keyword" in error(text).message


def test_keyword_cannot_be_a_bare_property_key() -> None:
    assert "keyword" in error("n true=1").message


def test_node_name_cannot_start_with_a_digit() -> None:
    assert "digit" in error("1abc").message


def test_type_annotations_on_nodes_and_values() -> None:
    node = one('(layout)pane (u8)1 k=(date)"2024"')
    assert node.type == "layout"
    assert [(e.type, e.value) for e in node.entries] == [("u8", 1), ("date", "2024")]


def test_unclosed_type_annotation() -> None:
    assert "never closed" in error("(foo pane").message


# -------------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    ("source", "value"),
    [
        (r'"plain"', "plain"),
        (r'"a\"b"', 'a"b'),
        (r'"back\\slash"', "back\\slash"),
        (r'"\/"', "/"),
        (r'"\b\f\n\r\t"', "\b\f\n\r\t"),
        (r'"\u{41}\u{1F600}"', "A\U0001f600"),
        ('"multi\nline"', "multi\nline"),
        ('""', ""),
    ],
)
def test_escaped_strings(source: str, value: str) -> None:
    assert one(f"n {source}").args == [value]


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ('r"C:\\path\\n"', "C:\\path\\n"),
        ('r#"has "quotes""#', 'has "quotes"'),
        ('r##"has "# inside"##', 'has "# inside'),
        ('r""', ""),
    ],
)
def test_raw_strings(source: str, value: str) -> None:
    assert one(f"n {source}").args == [value]


def test_unterminated_string_points_at_opening_quote() -> None:
    err = error('n "abc')
    assert "never closed" in err.message
    assert (err.line, err.column) == (1, 3)


def test_unterminated_raw_string() -> None:
    assert "never closed" in error('n r#"abc"').message


@pytest.mark.parametrize("escape", [r"\q", r"\x41", r"\u0041", r"\u{}", r"\u{1234567}"])
def test_invalid_escapes(escape: str) -> None:
    assert "escape" in error(f'n "{escape}"').message


def test_surrogate_escape_is_rejected() -> None:
    assert "scalar" in error(r'n "\u{D800}"').message


# -------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("0", 0), ("42", 42), ("-7", -7), ("+7", 7), ("1_000_000", 1000000),
        ("0x1F", 31), ("0xff_ff", 65535), ("-0x10", -16), ("0o17", 15), ("0b1010", 10),
        ("0b1_0", 2),
    ],
)
def test_integers(source: str, value: int) -> None:
    (got,) = one(f"n {source}").args
    assert got == value and isinstance(got, int) and not isinstance(got, bool)


@pytest.mark.parametrize(
    ("source", "value"),
    [("1.5", 1.5), ("-0.25", -0.25), ("1e3", 1000.0), ("1.5E-2", 0.015), ("1_0.0_1", 10.01)],
)
def test_decimals(source: str, value: float) -> None:
    (got,) = one(f"n {source}").args
    assert isinstance(got, float) and math.isclose(got, value)


@pytest.mark.parametrize("source", ["1.", "1.e5", "0x", "0xg", "0o8", "0b2", "12abc", "1e", "1__"])
def test_invalid_numbers(source: str) -> None:
    if source == "1__":  # underscores after the first digit are fine
        assert one(f"n {source}").args == [1]
        return
    assert "number" in error(f"n {source}").message


def test_unquoted_percent_is_an_error_with_a_hint() -> None:
    err = error("pane size=50%")
    assert '"50%"' in err.message
    assert (err.line, err.column) == (1, 11)


def test_integer_outside_i64_is_an_error() -> None:
    assert one(f"n {2**63 - 1}").args == [2**63 - 1]
    assert "64-bit" in error(f"n {2**63}").message


# ------------------------------------------------------------------------------- keywords


def test_keywords() -> None:
    node = one("n true false null k=null")
    assert node.args == [True, False, None]
    assert node.props == {"k": None}


@pytest.mark.parametrize("v2", ["#true", "#false", "#null"])
def test_kdl_v2_keywords_are_errors(v2: str) -> None:
    err = error(f"pane focus={v2}")
    assert "KDL v2" in err.message
    assert v2.lstrip("#") in err.message
    err = error(f"pane {v2}")
    assert "KDL v2" in err.message


def test_kdl_v2_bare_word_argument_is_an_error() -> None:
    err = error("pane foo")
    assert "bare word 'foo'" in err.message and '"foo"' in err.message
    assert (err.line, err.column) == (1, 6)


def test_bare_word_property_value_is_an_error() -> None:
    assert "bare word" in error("pane split_direction=vertical").message


def test_kdl_v2_raw_string_is_an_error() -> None:
    with pytest.raises(KdlError):
        parse('n #"raw"#')


# ------------------------------------------------------------------------------- comments


def test_line_comments() -> None:
    nodes = parse("// head\na 1 // tail\n// between\nb")
    assert [(n.name, n.args) for n in nodes] == [("a", [1]), ("b", [])]


def test_block_comments_anywhere_whitespace_is() -> None:
    node = one("a /* c */ 1 /* multi\nline */ k=2")
    assert node.args == [1] and node.props == {"k": 2}


def test_nested_block_comments() -> None:
    node = one("/* outer /* inner */ still comment */ a")
    assert node.name == "a"


def test_unterminated_block_comment() -> None:
    err = error("a /* /* */")
    assert "unterminated" in err.message
    assert (err.line, err.column) == (1, 3)


def test_slashdash_node() -> None:
    assert [n.name for n in parse("/-a\nb\n/- c { d; }\ne")] == ["b", "e"]


def test_slashdash_node_inside_children() -> None:
    node = one("p {\n  /-pane\n  pane\n}")
    assert node.children is not None and len(node.children) == 1


def test_slashdash_argument_and_property() -> None:
    node = one('n 1 /-2 3 /-k=4 j=5 /- "x"')
    assert node.args == [1, 3]
    assert node.props == {"j": 5}


def test_slashdash_children_block() -> None:
    node = one("n /-{ a; } 1")
    assert node.children is None and node.args == [1]
    node = one("n /-{ a; } { b; }")
    assert node.children is not None and [c.name for c in node.children] == ["b"]
    node = one("n { b; } /-{ a; }")
    assert node.children is not None and [c.name for c in node.children] == ["b"]


def test_slashdashed_node_must_still_parse() -> None:
    with pytest.raises(KdlError):
        parse('/-a "unterminated')


# -------------------------------------------------------------------------- continuations


def test_line_continuation() -> None:
    nodes = parse("pane \\\n    size=1 \\ // comment\n    borderless=true\nnext")
    assert [n.name for n in nodes] == ["pane", "next"]
    assert nodes[0].props == {"size": 1, "borderless": True}


def test_line_continuation_needs_end_of_line() -> None:
    assert "continuation" in error("pane \\ size=1").message


# ------------------------------------------------------------------------------ structure


def test_unclosed_children_block_points_at_brace() -> None:
    err = error("layout {\n  pane\n")
    assert "never closed" in err.message
    assert (err.line, err.column) == (1, 8)


def test_stray_closing_brace() -> None:
    err = error("a\n}")
    assert "unexpected '}'" in err.message
    assert (err.line, err.column) == (2, 1)


def test_entries_after_children_block_are_errors() -> None:
    assert "children block" in error("n { a; } 1").message


def test_two_children_blocks_are_an_error() -> None:
    assert "only one children block" in error("n { a; } { b; }").message


def test_entries_need_whitespace_between_them() -> None:
    assert "expected a space" in error('n "a""b"').message


def test_property_without_value() -> None:
    assert "expected a value" in error("n k=").message


def test_error_positions_on_later_lines() -> None:
    err = error('layout {\n    pane size=1 borderless=#true\n}')
    assert (err.line, err.column) == (2, 28)


def test_error_str_names_position() -> None:
    err = KdlError("boom", 3, 4)
    assert str(err) == "boom (line 3, column 4)"
    assert (err.message, err.line, err.column) == ("boom", 3, 4)
    assert isinstance(err, ValueError)


# ----------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "null"), (True, "true"), (False, "false"), (3, "3"), (1.5, "1.5"),
     ("a", '"a"'), ('q"\\\n', '"q\\"\\\\\\n"')],
)
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text  # type: ignore[arg-type]


def test_entry_defaults() -> None:
    entry = KdlEntry(1)
    assert entry.name is None and not entry.is_property
