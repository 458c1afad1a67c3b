"""Layout resolution, validation and `clauderon layout init`, as Zellij sees layouts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from clauderon import layouts
from clauderon.errors import ConfigError, UsageError
from clauderon.kdl import KdlNode, parse
from clauderon.layout_check import LayoutProblem, validate_layout
from clauderon.layouts import (
    BUILTIN_LAYOUTS,
    CLAUDERON_LAYOUT,
    LayoutNotFound,
    ResolvedLayout,
    builtin_layout_text,
    builtin_layouts,
    clauderon_layout_path,
    resolve_layout,
    write_clauderon_layout,
)

# The layout on the user-facing seed page (docs: "Zellij Layouts"), verbatim.
SEED_LAYOUT = """\
layout {
    pane size=1 borderless=true {
        plugin location="tab-bar"
    }
    pane {
        // Main working pane
    }
    pane size=10 {
        // Log/status pane
    }
    pane size=2 borderless=true {
        plugin location="status-bar"
    }
}
"""

# A fuller layout using most of the rules of docs/zellij.md, "KDL layouts".
REFERENCE_EXAMPLE = """\
layout {
    cwd "/home/u/proj"                 // global cwd; relative pane/tab cwds are joined to it
    default_tab_template {
        pane size=1 borderless=true { plugin location="zellij:tab-bar"; }
        children                        // where each tab's panes go
        pane size=2 borderless=true { plugin location="zellij:status-bar"; }
    }
    pane_template name="logs" { command "tail"; }
    tab name="main" focus=true split_direction="vertical" {
        pane command="htop" name="top" {
            args "-d" "10"              // args must be a child node, non-empty
            cwd "sub"                   // ~ and $VARS are shell-expanded
            close_on_exit true
            start_suspended false
        }
        logs { args "-f" "/var/log/syslog"; }
        pane size="30%"
    }
    tab name="two" cwd="other" { pane; }
}
"""

VERSIONS = [(0, 39, 0), (0, 39, 2), (0, 40, 1), (0, 41, 2), (0, 42, 0), (0, 43, 1), (0, 44, 0),
            (0, 45, 0)]


def messages(text: str, version: tuple[int, int, int] | None = None) -> list[str]:
    return [p.message for p in validate_layout(text, version=version)]


def layout(body: str) -> str:
    return "layout {\n" + body + "\n}\n"


def assert_fails(body: str, message: str, *, version: tuple[int, int, int] | None = None) -> None:
    got = messages(layout(body), version)
    assert message in got, got


def assert_ok(body: str, *, version: tuple[int, int, int] | None = None) -> None:
    assert validate_layout(layout(body), version=version) == []


# ============================================================================ built-ins


def test_builtin_names_by_version() -> None:
    assert builtin_layouts((0, 39, 0)) == ("default", "compact", "strider", "disable-status-bar")
    assert builtin_layouts((0, 40, 0)) == (
        "default", "compact", "strider", "disable-status-bar", "welcome",
    )
    assert builtin_layouts((0, 41, 0)) == (
        "default", "compact", "strider", "disable-status-bar", "classic", "welcome",
    )
    assert builtin_layouts() == tuple(BUILTIN_LAYOUTS)
    assert BUILTIN_LAYOUTS["classic"] == (0, 41, 0)
    assert BUILTIN_LAYOUTS["welcome"] == (0, 40, 0)


def test_builtin_mapping_is_read_only() -> None:
    with pytest.raises(TypeError):
        BUILTIN_LAYOUTS["mine"] = (0, 1, 0)  # type: ignore[index]


@pytest.mark.parametrize("version", [*VERSIONS, None])
def test_every_builtin_passes_validation(version: tuple[int, int, int] | None) -> None:
    for name in builtin_layouts(version):
        assert validate_layout(builtin_layout_text(name, version), version=version) == [], name


def test_builtin_text_follows_version() -> None:
    assert 'location="zellij:tab-bar"' in builtin_layout_text("default", (0, 39, 0))
    assert "size=2 borderless" in builtin_layout_text("default", (0, 40, 0))
    assert 'location="tab-bar"' in builtin_layout_text("default", (0, 40, 0))
    newest = builtin_layout_text("default")
    assert "size=1 borderless=true {\n        plugin location=\"status-bar\"" in newest
    assert 'location="compact-bar"' in builtin_layout_text("compact")


def test_builtin_text_missing_in_version_is_key_error() -> None:
    with pytest.raises(KeyError):
        builtin_layout_text("classic", (0, 40, 0))
    with pytest.raises(KeyError):
        builtin_layout_text("nope")


# ============================================================= validation: whole documents


def test_seed_page_layout_passes_on_040_and_later() -> None:
    for version in VERSIONS:
        if version >= (0, 40, 0):
            assert validate_layout(SEED_LAYOUT, version=version) == [], version
    assert validate_layout(SEED_LAYOUT) == []


def test_seed_page_layout_fails_on_039_bare_plugin_alias() -> None:
    problems = validate_layout(SEED_LAYOUT, version=(0, 39, 2))
    assert [p.message for p in problems] == [
        "Failed to parse plugin: relative URL without a base",
    ] * 2
    assert [(p.line, p.column) for p in problems] == [(3, 16), (12, 16)]


def test_reference_example_passes() -> None:
    assert validate_layout(REFERENCE_EXAMPLE) == []


@pytest.mark.parametrize("version", [*VERSIONS, None])
def test_clauderon_layout_passes_on_every_version(version: tuple[int, int, int] | None) -> None:
    assert validate_layout(CLAUDERON_LAYOUT, version=version) == []


def _shape(nodes: list[KdlNode]) -> list[object]:
    return [
        (n.name, [(e.name, e.value) for e in n.entries],
         None if n.children is None else _shape(n.children))
        for n in nodes
    ]


def test_clauderon_layout_is_the_seed_layout_with_zellij_locations() -> None:
    assert 'location="zellij:tab-bar"' in CLAUDERON_LAYOUT
    assert 'location="zellij:status-bar"' in CLAUDERON_LAYOUT
    assert 'location="tab-bar"' not in CLAUDERON_LAYOUT
    expected = SEED_LAYOUT.replace('"tab-bar"', '"zellij:tab-bar"').replace(
        '"status-bar"', '"zellij:status-bar"'
    )
    assert _shape(parse(CLAUDERON_LAYOUT)) == _shape(parse(expected))


def test_clauderon_layout_header_says_who_wrote_it() -> None:
    header = CLAUDERON_LAYOUT.split("layout {")[0]
    assert header.startswith("//")
    assert "Written by `clauderon layout init`" in header


def test_kdl_syntax_error_is_one_problem_with_position() -> None:
    problems = validate_layout('layout {\n    pane size=1 borderless=#true\n}\n')
    assert len(problems) == 1
    assert (problems[0].line, problems[0].column) == (2, 28)
    assert "KDL v2" in problems[0].message


def test_unclosed_brace_is_a_problem() -> None:
    problems = validate_layout("layout {\n    pane\n")
    assert len(problems) == 1 and problems[0].line == 1


def test_unquoted_percent_is_a_syntax_problem() -> None:
    (problem,) = validate_layout(layout("pane size=50%"))
    assert '"50%"' in problem.message and problem.line == 2


def test_independent_problems_are_all_reported_in_source_order() -> None:
    problems = validate_layout(layout("pane foo=1\npane size=0\nbogus"))
    assert [(p.line, p.message) for p in problems] == [
        (2, "Unknown pane property: foo"),
        (3, "size should be greater than 0"),
        (4, "Unknown layout node: 'bogus'"),
    ]


def test_problem_str() -> None:
    assert str(LayoutProblem("No layout found", 1, 1)) == "line 1, column 1: No layout found"


# =========================================================================== root rules


def test_no_layout_found() -> None:
    assert messages("") == ["No layout found"]
    assert messages('pane_frames false\ntheme "x"\n') == ["No layout found"]
    (problem,) = validate_layout("")
    assert (problem.line, problem.column) == (1, 1)


def test_an_empty_layout_is_fine() -> None:
    assert validate_layout("layout") == []
    assert validate_layout("layout {}") == []


def test_only_one_layout_node() -> None:
    problems = validate_layout("layout { pane; }\nlayout { pane; }\n")
    assert [(p.message, p.line) for p in problems] == [
        ("Only one layout node per file allowed", 2),
    ]


@pytest.mark.parametrize("word", ["pane", "tab", "pane_template", "command", "cwd", "children"])
def test_reserved_words_at_root(word: str) -> None:
    problems = validate_layout(f"layout {{ pane; }}\n{word}\n")
    assert [(p.message, p.line) for p in problems] == [
        ('This node should be inside the main "layout" node', 2),
    ]


def test_other_root_nodes_are_config_and_fine() -> None:
    text = 'default_shell "fish"\nkeybinds { normal; }\nsession_name "x"\nlayout { pane; }\n'
    assert validate_layout(text) == []


# ================================================================ children of `layout`


def test_unknown_layout_node() -> None:
    assert_fails("pain", "Unknown layout node: 'pain'")


@pytest.mark.parametrize(
    "body",
    [
        "pane",
        "floating_panes { pane; }",
        "tab",
        'cwd "/tmp"',
        'pane_template name="t"\nt',
        'tab_template name="tt" { children; }\ntt',
        "default_tab_template { children; }",
        "new_tab_template { pane; }",
        "swap_tiled_layout { tab { pane; }; }",
        "swap_floating_layout { floating_panes { pane; }; }",
    ],
)
def test_allowed_layout_children(body: str) -> None:
    assert_ok(body)


@pytest.mark.parametrize(
    "body",
    ["pane\ntab", "tab\npane", "floating_panes { pane; }\ntab", "tab\nfloating_panes { pane; }",
     'pane_template name="t"\ntab\nt', 'tab_template name="tt" { children; }\npane\ntt'],
)
def test_tabs_and_panes_cannot_be_siblings(body: str) -> None:
    assert_fails(body, "Cannot have both tabs and panes in the same node")


def test_tabs_alone_and_panes_alone_are_fine() -> None:
    assert_ok("tab\ntab")
    assert_ok("pane\npane")


def test_only_one_tab_can_be_focused() -> None:
    problems = validate_layout(layout("tab focus=true\ntab\ntab focus=true"))
    assert [(p.message, p.line) for p in problems] == [("Only one tab can be focused", 4)]
    assert_ok("tab focus=true\ntab\ntab focus=false")


def test_layout_cwd_must_be_a_string() -> None:
    assert_fails("cwd 1\npane", "cwd should be a string, found 1 - not a string")


# ================================================================== pane properties


@pytest.mark.parametrize(
    "prop",
    ["borderless=true", "focus=true", 'name="n"', "size=1", 'command="ls"', 'edit="f"',
     'cwd="/"', "split_direction=\"vertical\"", "exclude_from_sync=true",
     'contents_file="x"', 'default_fg="#ff0000"', 'default_bg="#000000"'],
)
def test_allowed_pane_properties_on_the_node_line(prop: str) -> None:
    assert_ok(f"pane {prop}")


@pytest.mark.parametrize(
    "child",
    ["borderless true", "focus true", 'name "n"', "size 1", 'command "ls"', 'edit "f"',
     'cwd "/"', 'split_direction "vertical"', 'command "ls"; args "-l"',
     'command "ls"; close_on_exit true', 'command "ls"; start_suspended true',
     "exclude_from_sync false", 'plugin location="zellij:strider"', "pane", "children"],
)
def test_allowed_pane_properties_as_child_nodes(child: str) -> None:
    assert_ok(f"pane {{ {child}; }}")


def test_unknown_pane_property_on_node_line() -> None:
    problems = validate_layout(layout("pane foo=1"))
    assert [(p.message, p.line, p.column) for p in problems] == [
        ("Unknown pane property: foo", 2, 6),
    ]


def test_unknown_pane_property_as_child_node() -> None:
    problems = validate_layout(layout("pane {\n    foo 1\n}"))
    assert [(p.message, p.line, p.column) for p in problems] == [
        ("Unknown pane property: foo", 3, 5),
    ]


def test_unknown_pane_property_as_positional_argument() -> None:
    assert_fails('pane "foo"', "Unknown pane property: foo")
    assert_fails("pane 1", "Unknown pane property")


def test_default_colors_need_044() -> None:
    assert_fails('pane default_fg="red"', "Unknown pane property: default_fg", version=(0, 43, 1))
    assert_ok('pane default_fg="red"', version=(0, 44, 0))


def test_bool_properties_must_be_bools() -> None:
    assert_fails('pane borderless="yes"', 'borderless should be either true or false, found "yes"')
    assert_fails("pane { focus 1; }", "focus should be either true or false, found 1")


def test_bare_bool_child_needs_a_value() -> None:
    assert_fails("pane { focus; }", "focus must have a value, eg. 'focus true'")


def test_string_properties_must_be_strings() -> None:
    assert_fails("pane name=1", "name should be a string, found 1 - not a string")
    assert_fails("pane { command; }", "command must have a value, eg. 'command \"foo\"'")


# ============================================================================ size


@pytest.mark.parametrize("size", ["1", "10", '"1"', '"50%"', '"100%"', '"1%"'])
def test_valid_sizes(size: str) -> None:
    assert_ok(f"pane size={size}")
    assert_ok(f"pane {{ size {size}; }}")


def test_size_zero() -> None:
    assert_fails("pane size=0", "size should be greater than 0")
    assert_fails("pane { size 0; }", "size should be greater than 0")


def test_negative_size() -> None:
    assert_fails("pane size=-1", "size should be greater than 0")


@pytest.mark.parametrize("size", ['"abc"', '"0%"', '"101%"', '"50 %"', "1.5", "true", "null"])
def test_invalid_sizes(size: str) -> None:
    assert_fails(
        f"pane size={size}",
        'size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")',
    )


def test_bare_size() -> None:
    assert_fails(
        "pane { size; }",
        "size cannot be bare, it should have a value (eg. 'size 1', or 'size \"50%\"')",
    )


# =================================================================== split_direction


@pytest.mark.parametrize("direction", ["vertical", "horizontal", "Vertical", "Horizontal"])
def test_valid_split_directions(direction: str) -> None:
    assert_ok(f'pane split_direction="{direction}" {{ pane; pane; }}')


def test_invalid_split_direction() -> None:
    assert_fails(
        'pane split_direction="diagonal"',
        'split_direction should be either "horizontal" or "vertical" found: diagonal',
    )
    assert_fails(
        'tab split_direction="up"',
        'split_direction should be either "horizontal" or "vertical" found: up',
    )


# ================================================================ command-only keys


@pytest.mark.parametrize("key", ["close_on_exit true", "start_suspended true", 'args "-l"'])
def test_command_only_keys_need_a_command(key: str) -> None:
    name = key.split()[0]
    assert_fails(f"pane {{ {key}; }}", f"{name} can only be set if a command was specified")
    assert_ok(f'pane command="ls" {{ {key}; }}')
    assert_ok(f'pane {{ command "ls"; {key}; }}')


def test_command_only_props_on_node_line_need_a_command() -> None:
    assert_fails(
        "pane close_on_exit=true", "close_on_exit can only be set if a command was specified"
    )
    assert_ok('pane command="ls" close_on_exit=true start_suspended=true')


@pytest.mark.parametrize("key", ["close_on_exit true", "start_suspended true", 'args "-l"'])
def test_command_only_keys_on_template_consumers(key: str) -> None:
    name = key.split()[0]
    assert_fails(
        f'pane_template name="plain"\nplain {{ {key}; }}',
        f"{name} can only be specified if a command was specified either in the pane_template "
        "or in the pane",
    )
    assert_ok(f'pane_template name="runner" {{ command "tail"; }}\nrunner {{ {key}; }}')
    assert_ok(f'pane_template name="plain"\nplain command="ls" {{ {key}; }}')


def test_args_in_a_template_need_the_templates_command() -> None:
    assert_fails(
        'pane_template name="t" { args "-f"; }\nt',
        "args can only be set if a command was specified",
    )


def test_empty_args() -> None:
    assert_fails(
        'pane command="ls" { args; }',
        'args cannot be empty and should contain one or more command arguments '
        '(eg. args "-h" "-v")',
    )


def test_args_must_be_strings() -> None:
    assert_fails('pane command="ls" { args "-n" 10; }', "Not a string")
    assert_ok('pane command="ls" { args "-n" "10"; }')


# ======================================================================== conflicts


def test_command_and_edit_conflict() -> None:
    assert_fails(
        'pane command="ls" edit="f"',
        "cannot have both a command and an edit instruction for the same pane",
    )
    assert_ok('pane edit="f"')


@pytest.mark.parametrize("run", ['command="ls"', 'edit="file.txt"'])
def test_command_or_edit_and_plugin_conflict(run: str) -> None:
    assert_fails(
        f'pane {run} {{ plugin location="zellij:strider"; }}',
        "Cannot have both a command/edit and a plugin block for a single pane",
    )


def test_cwd_and_plugin_are_fine_together() -> None:
    assert_ok('pane cwd="/tmp" { plugin location="zellij:strider"; }')


# ========================================================================== plugins


def test_plugin_needs_location() -> None:
    assert_fails("pane { plugin; }", "Plugins must have a location")
    assert_fails("pane { plugin { foo 1; }; }", "Plugins must have a location")


def test_plugin_location_as_child_node() -> None:
    assert_ok('pane { plugin { location "zellij:tab-bar"; }; }')


def test_plugin_location_must_be_a_string() -> None:
    assert_fails(
        "pane { plugin location=1; }", "location should be a string, found 1 - not a string"
    )


@pytest.mark.parametrize(
    "location",
    ["zellij:tab-bar", "file:/abs/p.wasm", "file:~/x.wasm", "https://example.com/p.wasm"],
)
def test_plugin_urls_work_on_039(location: str) -> None:
    assert_ok(f'pane {{ plugin location="{location}"; }}', version=(0, 39, 0))


@pytest.mark.parametrize("alias", ["tab-bar", "status-bar", "compact-bar", "strider"])
def test_plugin_aliases_need_040(alias: str) -> None:
    body = f'pane {{ plugin location="{alias}"; }}'
    assert_fails(body, "Failed to parse plugin: relative URL without a base", version=(0, 39, 2))
    assert_ok(body, version=(0, 40, 0))
    assert_ok(body)


def test_plugin_configuration_children_are_free_form() -> None:
    assert_ok('pane { plugin location="tab-bar" { anything "goes"; classic true; }; }')


# ===================================================================== stacks, nesting


def test_stacked_pane_needs_children() -> None:
    assert_fails(
        "pane stacked=true",
        'A stacked pane must have children nodes or possibly a "children" node if in a '
        "swap_layout",
    )
    assert_ok("pane stacked=true { pane; pane expanded=true; }")


def test_stacked_pane_cannot_be_vertical() -> None:
    assert_fails(
        'pane stacked=true split_direction="vertical" { pane; }', "Stacked panes cannot be vertical"
    )


def test_expanded_only_in_a_stack() -> None:
    assert_fails("pane expanded=true", "An expanded pane must be part of a stack")


def test_panes_in_a_stack_cannot_have_children() -> None:
    assert_fails("pane stacked=true { pane { pane; }; }", "Stacked panes cannot have children")


@pytest.mark.parametrize(
    ("props", "named"),
    [('command="htop"', "command/edit/plugin"), ("borderless=true", "borderless"),
     ('cwd="/tmp"', "cwd"), ('borderless=false cwd="x"', "borderless, cwd")],
)
def test_properties_and_nested_children_conflict(props: str, named: str) -> None:
    assert_fails(
        f"pane {props} {{ pane; pane; }}",
        f"Cannot have both properties ({named}) and nested children",
    )


def test_split_properties_with_nested_children_are_fine() -> None:
    assert_ok('pane size="50%" split_direction="vertical" name="x" focus=true { pane; pane; }')


# ============================================================================= tabs


@pytest.mark.parametrize(
    "props",
    ['name="a"', "focus=true", 'split_direction="vertical"', 'cwd="/tmp"',
     "hide_floating_panes=true"],
)
def test_tab_properties_on_the_title_line(props: str) -> None:
    assert_ok(f"tab {props} {{ pane; }}")


def test_invalid_tab_property_on_title_line() -> None:
    assert_fails('tab name="a" size=1', "Invalid tab property 'size'")


@pytest.mark.parametrize(
    "prop", ['name "a"', "focus true", 'cwd "/"', 'split_direction "vertical"'],
)
def test_tab_properties_inside_braces(prop: str) -> None:
    name = prop.split()[0]
    assert_fails(
        f"tab {{ {prop}; pane; }}",
        f"Tab property '{name}' must be placed on the tab title line and not in the child braces",
    )


def test_unknown_child_of_tab() -> None:
    assert_fails("tab { bogus; }", "Invalid tab property: bogus")


def test_tab_children_may_be_panes_templates_and_floating_panes() -> None:
    assert_ok('pane_template name="t"\ntab { pane; t; floating_panes { pane; }; }')


# =================================================================== floating panes


def test_floating_panes_only_contain_panes() -> None:
    assert_fails(
        "floating_panes { tab; }", "floating_panes can only contain pane nodes, found: tab"
    )


def test_floating_pane_properties() -> None:
    assert_ok('floating_panes { pane x=0 y="10%" width="50%" height=10 pinned=true; }')
    assert_fails("floating_panes { pane size=1; }", "Unknown floating pane property: size")
    assert_fails("floating_panes { pane height=0; }", "height should be greater than 0")
    assert_fails(
        'floating_panes { pane width="wide"; }',
        'width should be a fixed number (eg. 1) or a quoted percent (eg. "50%")',
    )


# ======================================================================== templates


@pytest.mark.parametrize(
    "word", ["pane", "tab", "layout", "command", "args", "cwd", "name", "size", "focus",
             "children", "plugin", "edit", "borderless", "split_direction"],
)
def test_template_name_cannot_be_a_reserved_word(word: str) -> None:
    assert_fails(f'pane_template name="{word}"', f"Node name '{word}' is a reserved word.")
    assert_fails(
        f'tab_template name="{word}" {{ children; }}', f"Node name '{word}' is a reserved word."
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Template names cannot be empty"),
     ("a(b)", "Template names cannot contain parantheses"),
     ("1st", "Template names cannot start with numbers"),
     ("my template", "Node names (my template) cannot contain whitespace.")],
)
def test_template_name_rules(name: str, message: str) -> None:
    assert_fails(f'pane_template name="{name}"', message)


def test_valid_template_names() -> None:
    assert_ok('pane_template name="editor-2" { command "vim"; }\neditor-2')


def test_templates_need_a_name() -> None:
    assert_fails("pane_template { pane; }", "Pane templates must have a name")
    assert_fails("tab_template { children; }", "Tab templates must have a name")


def test_duplicate_templates() -> None:
    assert_fails(
        'pane_template name="a"\npane_template name="a"',
        'Duplicate definition of the "a" pane_template',
    )
    assert_fails(
        'tab_template name="a" { children; }\ntab_template name="a" { children; }',
        'Duplicate definition of the "a" tab_template',
    )


def test_tab_template_cannot_share_a_pane_template_name() -> None:
    assert_fails(
        'pane_template name="x"\ntab_template name="x" { children; }',
        'There is already a pane_template with the name "x" - can\'t have a tab_template '
        "with the same name",
    )


def test_children_in_a_tab_template_must_be_bare() -> None:
    message = (
        "The `children` node must be bare. All properties should be places on the node consuming "
        "this template."
    )
    assert_fails('tab_template name="t" { children size=1; }', message)
    assert_fails("default_tab_template { children { pane; }; }", message)
    assert_ok("default_tab_template { pane; children; }")


def test_children_in_a_pane_template_must_be_bare() -> None:
    assert_fails(
        'pane_template name="t" { pane; children { pane; pane; }; }',
        "Invalid `children` properties: pane, pane",
    )
    assert_ok('pane_template name="t" split_direction="vertical" { pane; children; }\nt { pane; }')


def test_tab_template_children_rules() -> None:
    assert_fails(
        'tab_template name="t" { name "x"; children; }',
        "Tab property 'name' must be placed on the tab_template title line and not in the child "
        "braces",
    )
    assert_fails(
        'tab_template name="t" { bogus; children; }', "Invalid tab_template property: bogus"
    )


def test_default_tab_template_without_children_rejects_tabs_with_panes() -> None:
    assert_fails(
        "default_tab_template { pane; }\ntab { pane; }",
        "This template has 0 children blocks, only 1 is allowed when used to insert child panes",
    )
    assert_ok("default_tab_template { pane; }\ntab")
    assert_ok("default_tab_template { pane; children; pane; }\ntab { pane; }")


def test_pane_template_children_count_when_inserting() -> None:
    assert_fails(
        'pane_template name="t" { pane; }\nt { pane; }',
        "This template has 0 children blocks, only 1 is allowed when used to insert child panes",
    )


def test_template_used_before_definition_order_does_not_matter() -> None:
    assert_ok('pane_template name="a" { b; }\npane_template name="b"\na')


def test_circular_templates() -> None:
    assert_fails(
        'pane_template name="a" { b; }\npane_template name="b" { a; }',
        "Circular dependency detected between pane templates.",
    )


def test_pane_template_cannot_mix_pane_and_floating_properties() -> None:
    assert_fails(
        'pane_template name="t" borderless=true x=1',
        "A pane_template cannot have both pane (borderless) and floating pane (x) properties",
    )


def test_floating_and_tiled_templates_are_not_interchangeable() -> None:
    assert_fails(
        'pane_template name="f" x=1\nf',
        "pane_template f, is a floating pane template (derived from its properties) and cannot "
        "be applied to a tiled pane",
    )
    assert_fails(
        'pane_template name="p" borderless=true\nfloating_panes { p; }',
        "pane_template p, is a non-floating pane template (derived from its properties) and "
        "cannot be applied to a floating pane",
    )
    assert_ok('pane_template name="either" { command "ls"; }\neither\nfloating_panes { either; }')


def test_tab_template_use() -> None:
    assert_ok('tab_template name="t" { pane; children; }\nt name="a" { pane; }\nt')


def test_new_tab_template_is_checked_like_a_tab() -> None:
    assert_fails("new_tab_template { bogus; }", "Invalid tab property: bogus")


# ===================================================================== swap layouts


def test_swap_layouts() -> None:
    assert_ok(
        "swap_tiled_layout name=\"v\" { tab max_panes=4 { pane split_direction=\"vertical\" "
        "{ pane; children; }; }; }\n"
        "swap_floating_layout { floating_panes exact_panes=2 { pane x=1; }; }"
    )
    assert_fails("swap_tiled_layout { pane; }", "Unknown layout node: 'pane'")
    assert_fails("swap_floating_layout { tab; }", "Unknown layout node: 'tab'")
    assert_fails(
        'swap_tiled_layout { tab max_panes="4"; }',
        'max_panes should be a fixed number (eg. 1) and not a quoted string ("4")',
    )
    assert_fails(
        "swap_tiled_layout { tab max_panes=4 min_panes=1; }",
        "cannot have more than one constraint (eg. max_panes + min_panes)'",
    )


# ======================================================================= resolution


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def env(home: Path, tmp_path: Path) -> dict[str, str]:
    """An isolated environment whose Zellij config dir is ``<tmp>/zcfg``."""
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "ZELLIJ_CONFIG_DIR": str(tmp_path / "zcfg"),
    }


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


def put(path: Path, text: str = "layout { pane; }\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def ldir(env: dict[str, str]) -> Path:
    return Path(env["ZELLIJ_CONFIG_DIR"]) / "layouts"


@pytest.mark.parametrize("url", ["https://example.com/l.kdl", "http://h/x"])
def test_url_is_remote(url: str, env: dict[str, str], cwd: Path) -> None:
    assert resolve_layout(url, cwd=cwd, env=env) == ResolvedLayout("url", url, None)


def test_bare_name_finds_layout_dir_file(env: dict[str, str], cwd: Path) -> None:
    path = put(ldir(env) / "mine.kdl")
    assert resolve_layout("mine", cwd=cwd, env=env) == ResolvedLayout("file", "mine", path)


def test_layout_dir_file_beats_builtin(env: dict[str, str], cwd: Path) -> None:
    path = put(ldir(env) / "default.kdl")
    assert resolve_layout("default", cwd=cwd, env=env) == ResolvedLayout("file", "default", path)


@pytest.mark.parametrize("name", ["default", "compact", "strider", "disable-status-bar"])
def test_builtins_when_no_file(name: str, env: dict[str, str], cwd: Path) -> None:
    result = resolve_layout(name, cwd=cwd, env=env, version=(0, 39, 0))
    assert result == ResolvedLayout("builtin", name, None)


def test_builtins_follow_version(env: dict[str, str], cwd: Path) -> None:
    assert resolve_layout("classic", cwd=cwd, env=env, version=(0, 41, 0)).kind == "builtin"
    assert resolve_layout("classic", cwd=cwd, env=env).kind == "builtin"
    assert resolve_layout("welcome", cwd=cwd, env=env, version=(0, 40, 0)).kind == "builtin"
    with pytest.raises(LayoutNotFound) as info:
        resolve_layout("classic", cwd=cwd, env=env, version=(0, 40, 1))
    assert "0.41.0+" in str(info.value) and "0.40.1" in str(info.value)
    with pytest.raises(LayoutNotFound):
        resolve_layout("welcome", cwd=cwd, env=env, version=(0, 39, 2))


def test_bare_name_never_finds_a_file_in_cwd(env: dict[str, str], cwd: Path) -> None:
    put(cwd / "foo.kdl")
    put(cwd / "foo")
    with pytest.raises(LayoutNotFound):
        resolve_layout("foo", cwd=cwd, env=env)
    put(cwd / "compact.kdl")
    assert resolve_layout("compact", cwd=cwd, env=env).kind == "builtin"


def test_name_with_extension_is_a_path_relative_to_cwd(env: dict[str, str], cwd: Path) -> None:
    put(ldir(env) / "foo.kdl")
    path = put(cwd / "foo.kdl")
    assert resolve_layout("foo.kdl", cwd=cwd, env=env) == ResolvedLayout("file", "foo.kdl", path)


def test_dot_slash_name_appends_kdl(env: dict[str, str], cwd: Path) -> None:
    path = put(cwd / "foo.kdl")
    assert resolve_layout("./foo", cwd=cwd, env=env) == ResolvedLayout("file", "./foo", path)


def test_path_tried_as_given_first(env: dict[str, str], cwd: Path) -> None:
    given = put(cwd / "foo")
    put(cwd / "foo.kdl")
    assert resolve_layout("./foo", cwd=cwd, env=env).path == given


def test_subdir_path_appends_kdl(env: dict[str, str], cwd: Path) -> None:
    path = put(cwd / "dir" / "foo.kdl")
    assert resolve_layout("dir/foo", cwd=cwd, env=env).path == path


def test_other_extension_is_replaced_by_kdl_like_rust(env: dict[str, str], cwd: Path) -> None:
    path = put(cwd / "my.kdl")
    assert resolve_layout("my.layout", cwd=cwd, env=env).path == path


def test_absolute_path(env: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    path = put(tmp_path / "elsewhere" / "abs.kdl")
    assert resolve_layout(str(tmp_path / "elsewhere" / "abs"), cwd=cwd, env=env).path == path
    assert resolve_layout(str(path), cwd=cwd, env=env).path == path


def test_missing_path_names_both_tries(env: dict[str, str], cwd: Path) -> None:
    with pytest.raises(LayoutNotFound) as info:
        resolve_layout("./nope", cwd=cwd, env=env)
    message = str(info.value)
    assert str(cwd / "nope") in message and str(cwd / "nope.kdl") in message
    assert "\n" not in message
    assert info.value.searched == (cwd / "nope", cwd / "nope.kdl")


def test_directory_is_not_a_layout(env: dict[str, str], cwd: Path) -> None:
    (cwd / "d.kdl").mkdir()
    with pytest.raises(LayoutNotFound, match="directory"):
        resolve_layout("d.kdl", cwd=cwd, env=env)


def test_layout_dir_name_without_kdl_alone_is_not_used(env: dict[str, str], cwd: Path) -> None:
    put(ldir(env) / "compact")
    assert resolve_layout("compact", cwd=cwd, env=env).kind == "builtin"
    put(ldir(env) / "mine")
    with pytest.raises(LayoutNotFound):
        resolve_layout("mine", cwd=cwd, env=env)


def test_layout_dir_prefers_extensionless_file_when_kdl_exists(
    env: dict[str, str], cwd: Path,
) -> None:
    plain = put(ldir(env) / "mine")
    put(ldir(env) / "mine.kdl")
    assert resolve_layout("mine", cwd=cwd, env=env).path == plain


def test_zellij_config_dir_is_honoured(env: dict[str, str], cwd: Path, home: Path) -> None:
    put(home / ".config" / "zellij" / "layouts" / "x.kdl")
    path = put(Path(env["ZELLIJ_CONFIG_DIR"]) / "layouts" / "x.kdl")
    assert resolve_layout("x", cwd=cwd, env=env).path == path


def test_home_config_zellij_preferred_when_it_exists(
    env: dict[str, str], cwd: Path, home: Path, tmp_path: Path,
) -> None:
    env["ZELLIJ_CONFIG_DIR"] = ""
    xdg = put(tmp_path / "xdg" / "zellij" / "layouts" / "x.kdl")
    assert resolve_layout("x", cwd=cwd, env=env).path == xdg
    (home / ".config" / "zellij").mkdir(parents=True)
    with pytest.raises(LayoutNotFound) as info:
        resolve_layout("x", cwd=cwd, env=env)
    assert "~/.config/zellij/layouts" in str(info.value)
    mine = put(home / ".config" / "zellij" / "layouts" / "x.kdl")
    assert resolve_layout("x", cwd=cwd, env=env).path == mine


def test_explicit_layout_dir_wins(env: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    put(ldir(env) / "x.kdl")
    custom = put(tmp_path / "custom" / "x.kdl")
    assert resolve_layout("x", cwd=cwd, env=env, layout_dir=tmp_path / "custom").path == custom


def test_missing_clauderon_layout_says_run_layout_init(
    env: dict[str, str], cwd: Path,
) -> None:
    with pytest.raises(LayoutNotFound) as info:
        resolve_layout("clauderon", cwd=cwd, env=env)
    message = str(info.value)
    assert "`clauderon layout init`" in message
    assert str(ldir(env)) in message
    assert "'clauderon'" in message and "\n" not in message


def test_missing_other_layout_says_create_or_pick_builtin(
    env: dict[str, str], cwd: Path,
) -> None:
    with pytest.raises(LayoutNotFound) as info:
        resolve_layout("mylayout", cwd=cwd, env=env, version=(0, 41, 0))
    message = str(info.value)
    assert "'mylayout'" in message
    assert f"create {ldir(env) / 'mylayout.kdl'}" in message
    assert message.endswith(
        "pick a built-in: default, compact, strider, disable-status-bar, classic, welcome"
    )
    assert "\n" not in message
    assert info.value.layout == "mylayout"
    assert info.value.searched == (ldir(env) / "mylayout.kdl",)


def test_missing_layout_message_lists_builtins_of_the_version(
    env: dict[str, str], cwd: Path,
) -> None:
    with pytest.raises(LayoutNotFound) as info:
        resolve_layout("x", cwd=cwd, env=env, version=(0, 39, 0))
    assert str(info.value).endswith(
        "pick a built-in: default, compact, strider, disable-status-bar"
    )


def test_messages_show_home_as_tilde(home: Path, cwd: Path) -> None:
    env = {"HOME": str(home), "XDG_CONFIG_HOME": "", "ZELLIJ_CONFIG_DIR": ""}
    (home / ".config" / "zellij").mkdir(parents=True)
    with pytest.raises(LayoutNotFound) as info:
        resolve_layout("clauderon", cwd=cwd, env=env)
    assert "~/.config/zellij/layouts" in str(info.value)
    assert str(home) not in str(info.value)


def test_layout_not_found_is_a_config_error(env: dict[str, str], cwd: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_layout("nope", cwd=cwd, env=env)
    assert isinstance(info.value, LayoutNotFound)
    assert info.value.exit_code == 2


def test_empty_layout_name(env: dict[str, str], cwd: Path) -> None:
    with pytest.raises(LayoutNotFound, match="empty"):
        resolve_layout("", cwd=cwd, env=env)


def test_rust_path_helpers() -> None:
    assert layouts._components("./foo") == [".", "foo"]
    assert layouts._components("foo/") == ["foo"]
    assert layouts._components("a/./b") == ["a", "b"]
    assert layouts._components("/x") == ["/", "x"]
    assert layouts._extension("foo") is None
    assert layouts._extension(".hidden") is None
    assert layouts._extension("foo.") == ""
    assert layouts._extension("a.tar.gz") == "gz"
    assert layouts._with_kdl_extension("foo") == "foo.kdl"
    assert layouts._with_kdl_extension("a.tar.gz") == "a.tar.kdl"
    assert layouts._with_kdl_extension("dir/x.y") == "dir/x.kdl"
    assert layouts._with_kdl_extension(".hidden") == ".hidden.kdl"


# ============================================================= write_clauderon_layout


def test_write_creates_dirs_and_file(env: dict[str, str], cwd: Path) -> None:
    path = write_clauderon_layout(env)
    assert path == ldir(env) / "clauderon.kdl" == clauderon_layout_path(env)
    assert path.read_text() == CLAUDERON_LAYOUT
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(os.listdir(path.parent)) == ["clauderon.kdl"]
    assert resolve_layout("clauderon", cwd=cwd, env=env) == ResolvedLayout(
        "file", "clauderon", path,
    )


def test_write_refuses_to_overwrite(env: dict[str, str]) -> None:
    path = put(ldir(env) / "clauderon.kdl", "mine\n")
    with pytest.raises(UsageError) as info:
        write_clauderon_layout(env)
    message = str(info.value)
    assert str(path) in message and "--force" in message and "\n" not in message
    assert info.value.exit_code == 2
    assert path.read_text() == "mine\n"
    assert sorted(os.listdir(path.parent)) == ["clauderon.kdl"]


def test_write_refuses_over_a_dangling_symlink(env: dict[str, str], tmp_path: Path) -> None:
    link = ldir(env) / "clauderon.kdl"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "missing")
    with pytest.raises(UsageError):
        write_clauderon_layout(env)


def test_write_force_overwrites(env: dict[str, str]) -> None:
    path = put(ldir(env) / "clauderon.kdl", "mine\n")
    assert write_clauderon_layout(env, force=True) == path
    assert path.read_text() == CLAUDERON_LAYOUT
    assert sorted(os.listdir(path.parent)) == ["clauderon.kdl"]


def test_write_is_atomic_when_replace_fails(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = put(ldir(env) / "clauderon.kdl", "mine\n")

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(Exception, match="No space left"):
        write_clauderon_layout(env, force=True)
    assert path.read_text() == "mine\n"
    assert sorted(os.listdir(path.parent)) == ["clauderon.kdl"]


def test_write_uses_home_config_when_no_zellij_config_dir(home: Path) -> None:
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "xdg"), "ZELLIJ_CONFIG_DIR": ""}
    (home / ".config" / "zellij").mkdir(parents=True)
    path = write_clauderon_layout(env)
    assert path == home / ".config" / "zellij" / "layouts" / "clauderon.kdl"


def test_swap_layout_template_children_marker_must_be_bare() -> None:
    assert_fails(
        'pane_template name="t" { pane; children; }\n'
        "swap_tiled_layout { tab { t { children { pane; }; }; }; }",
        "Invalid `children` properties: pane",
    )


def test_swap_tabs_use_the_default_tab_template() -> None:
    assert_fails(
        "default_tab_template { pane; }\nswap_tiled_layout { tab { pane; }; }",
        "This template has 0 children blocks, only 1 is allowed when used to insert child panes",
    )
    assert_ok("default_tab_template { children; }\nswap_tiled_layout { tab { pane; }; }")


@pytest.mark.parametrize("layout,fragment", [
    ("a\0b", "NUL character"),
    ("n" * 252, "too long"),
    ("dir/" + "c" * 256, "component of 256 bytes"),
])
def test_a_layout_no_file_system_can_hold_is_refused_before_looking(
        tmp_path: Path, layout: str, fragment: str) -> None:
    with pytest.raises(LayoutNotFound) as caught:
        resolve_layout(layout, cwd=tmp_path, layout_dir=tmp_path)
    assert fragment in str(caught.value)
    assert len(str(caught.value)) < 500
    assert caught.value.exit_code == 2
