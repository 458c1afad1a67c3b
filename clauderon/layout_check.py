"""Whether Zellij would accept a layout: its layout parser's rules, with its own messages.

:func:`validate_layout` checks a layout's text against the rules Zellij's layout parser
(``kdl_layout_parser.rs``) enforces. Only doctor (``config.layout``) and the ``layout``
commands import this module (and, through it, :mod:`clauderon.kdl`): finding a layout for
``new`` needs neither (:mod:`clauderon.layouts`).

See docs/zellij.md, "What clauderon relies on in Zellij's CLI": "KDL layouts".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, TypeVar

from clauderon.kdl import KdlEntry, KdlError, KdlNode, KdlValue, format_value, parse
from clauderon.layouts import Version

__all__ = ["LayoutProblem", "validate_layout"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class LayoutProblem:
    """One reason Zellij would refuse a layout, at a 1-based line and column."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


_RESERVED = frozenset({
    "pane", "layout", "pane_template", "tab_template", "default_tab_template",
    "new_tab_template", "command", "edit", "plugin", "children", "tab", "args",
    "close_on_exit", "start_suspended", "borderless", "focus", "name", "size", "cwd",
    "split_direction", "swap_tiled_layout", "swap_floating_layout", "hide_floating_panes",
    "contents_file",
})
_PANE_PROPERTIES = frozenset({
    "borderless", "focus", "name", "size", "plugin", "command", "edit", "cwd", "args",
    "close_on_exit", "start_suspended", "split_direction", "pane", "children", "stacked",
    "expanded", "exclude_from_sync", "contents_file",
})
_FLOATING_PANE_PROPERTIES = frozenset({
    "borderless", "focus", "name", "plugin", "command", "edit", "cwd", "args",
    "close_on_exit", "start_suspended", "x", "y", "width", "height", "pinned", "contents_file",
})
_COLOR_PROPERTIES = frozenset({"default_fg", "default_bg"})  # 0.44+
_TAB_PROPERTIES = frozenset({
    "focus", "name", "split_direction", "cwd", "floating_panes", "children", "max_panes",
    "min_panes", "exact_panes", "hide_floating_panes",
})
_FLOATING_GEOMETRY = ("height", "width", "x", "y")
_SPLIT_DIRECTIONS = {
    "horizontal": "horizontal", "Horizontal": "horizontal",
    "vertical": "vertical", "Vertical": "vertical",
}
_SIZE_HELP = 'should be a fixed number (eg. 1) or a quoted percent (eg. "50%")'


class _Fail(Exception):
    def __init__(self, problem: LayoutProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


Where = KdlNode | KdlEntry


def _fail(message: str, where: Where) -> NoReturn:
    raise _Fail(LayoutProblem(message, where.line, where.column))


@dataclass
class _Template:
    name: str
    kind: Literal["pane", "floating", "either", "tab"]
    node: KdlNode
    has_run: bool
    stacked: bool
    children_blocks: int


def _candidates(node: KdlNode, name: str) -> list[KdlEntry]:
    """``name=value`` on the node line, then the first argument of a child ``name value``."""
    found: list[KdlEntry] = []
    prop = node.prop(name)
    if prop is not None:
        found.append(prop)
    child = node.child(name)
    if child is not None:
        arg = child.arg(0)
        if arg is not None:
            found.append(arg)
    return found


def _is_int(value: KdlValue) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _lenient_string(node: KdlNode, name: str) -> str | None:
    for entry in _candidates(node, name):
        if isinstance(entry.value, str):
            return entry.value
    return None


def _lenient_bool(node: KdlNode, name: str) -> bool | None:
    for entry in _candidates(node, name):
        if isinstance(entry.value, bool):
            return entry.value
    return None


def _strict(node: KdlNode, name: str) -> KdlEntry | None:
    """The property, else the child's first argument; a bare child is None (checked apart)."""
    prop = node.prop(name)
    if prop is not None:
        return prop
    child = node.child(name)
    return child.arg(0) if child is not None else None


def _bool(node: KdlNode, name: str) -> bool | None:
    entry = _strict(node, name)
    if entry is not None:
        if isinstance(entry.value, bool):
            return entry.value
        _fail(f"{name} should be either true or false, found {format_value(entry.value)}", entry)
    bare = node.child(name)
    if bare is not None:
        _fail(f"{name} must have a value, eg. '{name} true'", bare)
    return None


def _string(node: KdlNode, name: str) -> str | None:
    entry = _strict(node, name)
    if entry is not None:
        if isinstance(entry.value, str):
            return entry.value
        _fail(f"{name} should be a string, found {format_value(entry.value)} - not a string", entry)
    bare = node.child(name)
    if bare is not None:
        _fail(f"{name} must have a value, eg. '{name} \"foo\"'", bare)
    return None


def _fixed_or_percent(text: str) -> tuple[str, int] | None:
    """``"N%"`` (N at most 100) or ``"N"``, as Zellij's SplitSize/PercentOrFixed read it."""
    digits = text.removesuffix("%").removeprefix("+")
    if not digits or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(digits)
    if text.endswith("%"):
        return ("percent", number) if number <= 100 else None
    return ("fixed", number)


class _Validator:
    def __init__(self, version: Version | None) -> None:
        self.version = version
        self.problems: list[LayoutProblem] = []
        self.pane_templates: dict[str, _Template] = {}
        self.tab_templates: dict[str, _Template] = {}
        self.default_tab_template: _Template | None = None

    # ------------------------------------------------------------------------ plumbing

    def guard(self, check: Callable[..., _T], *args: Any) -> _T | None:
        """Run one check; record its problem instead of stopping the whole validation."""
        try:
            return check(*args)
        except _Fail as failure:
            self.problems.append(failure.problem)
            return None

    def pane_properties(self) -> frozenset[str]:
        if self.version is None or self.version >= (0, 44, 0):
            return _PANE_PROPERTIES | _COLOR_PROPERTIES
        return _PANE_PROPERTIES

    def floating_properties(self) -> frozenset[str]:
        if self.version is None or self.version >= (0, 44, 0):
            return _FLOATING_PANE_PROPERTIES | _COLOR_PROPERTIES
        return _FLOATING_PANE_PROPERTIES

    def assert_properties(self, node: KdlNode, allowed: frozenset[str], label: str) -> None:
        for entry in node.entries:
            key = entry.name if entry.name is not None else entry.value
            if not isinstance(key, str):
                _fail(f"Unknown {label}", entry)
            if key not in allowed:
                _fail(f"Unknown {label}: {key}", entry)

    def assert_tab_properties(self, node: KdlNode) -> None:
        for entry in node.entries:
            if entry.name is not None and entry.name not in _TAB_PROPERTIES:
                _fail(f"Invalid tab property '{entry.name}'", entry)

    # --------------------------------------------------------------------- value rules

    def split_size(self, node: KdlNode) -> None:
        found = _candidates(node, "size")
        for entry in found:
            if isinstance(entry.value, str):
                parsed = _fixed_or_percent(entry.value)
                if parsed is None or parsed == ("percent", 0):
                    _fail(f"size {_SIZE_HELP}", entry)
                return
        for entry in found:
            if _is_int(entry.value):
                assert isinstance(entry.value, int)
                if entry.value <= 0:
                    _fail("size should be greater than 0", entry)
                return
        if found:
            _fail(f"size {_SIZE_HELP}", found[0])
        bare = node.child("size")
        if bare is not None:
            _fail(
                "size cannot be bare, it should have a value (eg. 'size 1', or 'size \"50%\"')",
                bare,
            )

    def percent_or_fixed(self, node: KdlNode, name: str, can_be_zero: bool) -> bool:
        found = _candidates(node, name)
        for entry in found:
            if isinstance(entry.value, str):
                parsed = _fixed_or_percent(entry.value)
                if parsed is None:
                    _fail(f"{name} {_SIZE_HELP}", entry)
                if not can_be_zero and parsed[1] == 0:
                    _fail(f"{name} should be greater than 0", entry)
                return True
        for entry in found:
            if _is_int(entry.value):
                assert isinstance(entry.value, int)
                if entry.value < 0 or (entry.value == 0 and not can_be_zero):
                    _fail(f"{name} should be greater than 0", entry)
                return True
        if found:
            _fail(f"{name} {_SIZE_HELP}", found[0])
        bare = node.child(name)
        if bare is not None:
            _fail(
                f"{name} cannot be bare, it should have a value (eg. 'size 1', or 'size \"50%\"')",
                bare,
            )
        return False

    def split_direction(self, node: KdlNode) -> str:
        direction = _string(node, "split_direction")
        if direction is None:
            return "horizontal"
        if direction not in _SPLIT_DIRECTIONS:
            where = _strict(node, "split_direction") or node
            _fail(
                'split_direction should be either "horizontal" or "vertical" found: '
                f"{direction}",
                where,
            )
        return _SPLIT_DIRECTIONS[direction]

    def args(self, node: KdlNode) -> list[str] | None:
        child = node.child("args")
        if child is None:
            return None
        if not child.entries:
            _fail(
                "args cannot be empty and should contain one or more command arguments "
                '(eg. args "-h" "-v")',
                child,
            )
        out: list[str] = []
        for entry in child.entries:
            if not isinstance(entry.value, str):
                _fail("Not a string", entry)
            out.append(entry.value)
        return out

    def plugin(self, block: KdlNode) -> None:
        _bool(block, "_allow_exec_host_cmd")
        location = _string(block, "location")
        if location is None:
            _fail("Plugins must have a location", block)
        if self.version is not None and self.version < (0, 40, 0):
            scheme, colon, _rest = location.partition(":")
            valid_scheme = bool(
                colon and scheme and scheme[0].isascii() and scheme[0].isalpha()
                and all(c.isascii() and (c.isalnum() or c in "+-.") for c in scheme)
            )
            if not valid_scheme:
                where = _strict(block, "location") or block
                _fail("Failed to parse plugin: relative URL without a base", where)

    def run(self, node: KdlNode, *, template: bool) -> str | None:
        """Zellij's ``parse_command_plugin_or_edit_block``: the pane's run kind, if any."""
        command = _string(node, "command")
        edit = _string(node, "edit")
        cwd = _string(node, "cwd")
        args = self.args(node)
        close_on_exit = _bool(node, "close_on_exit")
        start_suspended = _bool(node, "start_suspended")
        if not template and command is None:
            if close_on_exit is not None:
                _fail("close_on_exit can only be set if a command was specified", node)
            if start_suspended is not None:
                _fail("start_suspended can only be set if a command was specified", node)
            if args is not None:
                _fail("args can only be set if a command was specified", node)
        if command is not None and edit is not None:
            _fail("cannot have both a command and an edit instruction for the same pane", node)
        kind = (
            "command" if command is not None else "edit" if edit is not None
            else "cwd" if cwd is not None else None
        )
        block = node.child("plugin")
        if block is not None:
            if kind in ("command", "edit"):
                _fail("Cannot have both a command/edit and a plugin block for a single pane", block)
            self.plugin(block)
            kind = "plugin"
        return kind

    # ---------------------------------------------------------------------- structure

    def has_nested(self, node: KdlNode) -> bool:
        return any(
            c.name in ("pane", "children", "tab") or c.name in self.pane_templates
            for c in node.children or ()
        )

    def no_mixed_children_and_properties(self, node: KdlNode, run: str | None) -> None:
        if not self.has_nested(node):
            return
        offending = []
        if _bool(node, "borderless") is not None:
            offending.append("borderless")
        if run in ("command", "edit", "plugin"):
            offending.append("command/edit/plugin")
        if _string(node, "cwd") is not None:
            offending.append("cwd")
        if offending:
            _fail(f"Cannot have both properties ({', '.join(offending)}) and nested children", node)

    def children_blocks(self, node: KdlNode) -> int:
        """Zellij's ``children_block_count`` for a template body."""
        kids = node.children or []
        count = 1 if any(c.name == "children" for c in kids) else 0
        return count + sum(self.children_blocks(c) for c in kids if c.name == "pane")

    def child_panes_for_pane(self, children: list[KdlNode], stacked: bool) -> tuple[bool, int]:
        """Zellij's ``parse_child_pane_nodes_for_pane``: (has a children block, pane count)."""
        external = False
        count = 0
        for child in children:
            if child.name == "pane":
                count += 1
                self.guard(self.pane, child, stacked)
            elif child.name == "children":
                external = True
                grand = [g.name for g in child.children or ()]
                if grand:
                    self.guard(_fail, f"Invalid `children` properties: {', '.join(grand)}", child)
            elif child.name in self.pane_templates:
                count += 1
                self.guard(self.pane_with_template, child, self.pane_templates[child.name], False)
            elif child.name not in self.pane_properties():
                self.guard(_fail, f"Unknown pane property: {child.name}", child)
        return external, count

    def pane(self, node: KdlNode, part_of_stack: bool) -> None:
        self.assert_properties(node, self.pane_properties(), "pane property")
        stacked = bool(_bool(node, "stacked"))
        expanded = bool(_bool(node, "expanded"))
        for name in ("borderless", "focus"):
            _bool(node, name)
        _string(node, "name")
        _bool(node, "exclude_from_sync")
        _string(node, "contents_file")
        self.split_size(node)
        run = self.run(node, template=False)
        direction = self.split_direction(node)
        external, count = False, 0
        if node.children is not None:
            if part_of_stack:
                for child in node.children:
                    if child.name == "pane" or child.name in self.pane_templates:
                        _fail("Stacked panes cannot have children", child)
            external, count = self.child_panes_for_pane(node.children, stacked)
        if stacked and not external and count == 0:
            _fail(
                'A stacked pane must have children nodes or possibly a "children" node if in a '
                "swap_layout",
                node,
            )
        if stacked and direction == "vertical":
            _fail("Stacked panes cannot be vertical", node)
        if expanded and not part_of_stack:
            _fail("An expanded pane must be part of a stack", node)
        self.no_mixed_children_and_properties(node, run)

    def pane_with_template(self, node: KdlNode, template: _Template, mark_children: bool) -> None:
        if template.kind == "floating":
            _fail(
                f"pane_template {template.name}, is a floating pane template (derived from its "
                "properties) and cannot be applied to a tiled pane",
                node,
            )
        for name in ("borderless", "focus"):
            _bool(node, name)
        _string(node, "name")
        _bool(node, "stacked")
        _bool(node, "expanded")
        self.template_consumer_run(node, template, size=True, mark_children=mark_children)
        stacked = _bool(node, "stacked")
        self.split_direction(node)
        if node.children is not None:
            _external, count = self.child_panes_for_pane(
                node.children, template.stacked if stacked is None else stacked
            )
            if count and template.children_blocks != 1:
                _fail(
                    f"This template has {template.children_blocks} children blocks, only 1 is "
                    "allowed when used to insert child panes",
                    node,
                )

    def template_consumer_run(
        self, node: KdlNode, template: _Template, *, size: bool, mark_children: bool,
    ) -> None:
        args = self.args(node)
        close_on_exit = _bool(node, "close_on_exit")
        start_suspended = _bool(node, "start_suspended")
        if size:
            self.split_size(node)
        run = self.run(node, template=True)
        if size:
            _bool(node, "exclude_from_sync")
        if mark_children:
            for child in node.children or ():
                if child.name == "children" and child.children:
                    names = ", ".join(g.name for g in child.children)
                    _fail(f"Invalid `children` properties: {names}", child)
        if run is None and not template.has_run:
            suffix = (
                "can only be specified if a command was specified either in the pane_template "
                "or in the pane"
            )
            if args is not None:
                _fail(f"args {suffix}", node)
            if close_on_exit is not None:
                _fail(f"close_on_exit {suffix}", node)
            if start_suspended is not None:
                _fail(f"start_suspended {suffix}", node)

    def floating_pane(self, node: KdlNode) -> None:
        self.assert_properties(node, self.floating_properties(), "floating pane property")
        self.percent_or_fixed(node, "height", False)
        self.percent_or_fixed(node, "width", False)
        self.percent_or_fixed(node, "x", True)
        self.percent_or_fixed(node, "y", True)
        _bool(node, "pinned")
        run = self.run(node, template=False)
        _bool(node, "focus")
        _string(node, "name")
        _string(node, "contents_file")
        self.no_mixed_children_and_properties(node, run)

    def floating_pane_with_template(self, node: KdlNode, template: _Template) -> None:
        if template.kind == "pane":
            _fail(
                f"pane_template {template.name}, is a non-floating pane template (derived from "
                "its properties) and cannot be applied to a floating pane",
                node,
            )
        _bool(node, "focus")
        _string(node, "name")
        self.template_consumer_run(node, template, size=False, mark_children=False)
        self.percent_or_fixed(node, "height", False)
        self.percent_or_fixed(node, "width", False)
        self.percent_or_fixed(node, "x", True)
        self.percent_or_fixed(node, "y", True)
        _bool(node, "pinned")

    def floating_panes(self, node: KdlNode) -> None:
        for child in node.children or ():
            if child.name == "pane":
                self.guard(self.floating_pane, child)
            elif child.name in self.pane_templates:
                self.guard(self.floating_pane_with_template, child, self.pane_templates[child.name])
            else:
                self.guard(
                    _fail, f"floating_panes can only contain pane nodes, found: {child.name}", child
                )

    def child_panes_for_tab(self, children: list[KdlNode], mark_children: bool) -> None:
        for child in children:
            if child.name == "pane":
                self.guard(self.pane, child, False)
            elif child.name in self.pane_templates:
                self.guard(
                    self.pane_with_template, child, self.pane_templates[child.name], mark_children
                )
            elif child.name == "floating_panes":
                self.guard(self.floating_panes, child)
            elif child.name in _TAB_PROPERTIES:
                self.guard(
                    _fail,
                    f"Tab property '{child.name}' must be placed on the tab title line and not in "
                    "the child braces",
                    child,
                )
            else:
                self.guard(_fail, f"Invalid tab property: {child.name}", child)

    def tab(self, node: KdlNode, *, mark_children: bool = False) -> bool:
        self.assert_tab_properties(node)
        _string(node, "cwd")
        self.split_direction(node)
        if node.children is not None:
            self.child_panes_for_tab(node.children, mark_children)
        return bool(_lenient_bool(node, "focus"))

    def tab_with_template(self, node: KdlNode, template: _Template, mark_children: bool) -> bool:
        _string(node, "cwd")
        self.split_direction(node)
        if node.children is not None:
            self.child_panes_for_tab(node.children, mark_children)
            if template.children_blocks != 1:
                _fail(
                    f"This template has {template.children_blocks} children blocks, only 1 is "
                    "allowed when used to insert child panes",
                    node,
                )
        return bool(_lenient_bool(node, "focus"))

    def tab_template_body(self, node: KdlNode) -> None:
        self.assert_tab_properties(node)
        self.split_direction(node)
        for child in node.children or ():
            if child.name == "pane":
                self.guard(self.pane, child, False)
            elif child.name == "children":
                if child.entries or child.children:
                    self.guard(
                        _fail,
                        "The `children` node must be bare. All properties should be places on "
                        "the node consuming this template.",
                        child,
                    )
            elif child.name in self.pane_templates:
                self.guard(self.pane_with_template, child, self.pane_templates[child.name], False)
            elif child.name == "floating_panes":
                self.guard(self.floating_panes, child)
            elif child.name in _TAB_PROPERTIES:
                self.guard(
                    _fail,
                    f"Tab property '{child.name}' must be placed on the tab_template title line "
                    "and not in the child braces",
                    child,
                )
            else:
                self.guard(_fail, f"Invalid tab_template property: {child.name}", child)

    # ---------------------------------------------------------------------- templates

    def legal_template_name(self, name: str, node: KdlNode) -> None:
        if any(c.isspace() for c in name):
            _fail(f"Node names ({name}) cannot contain whitespace.", node)
        if name in _RESERVED:
            _fail(f"Node name '{name}' is a reserved word.", node)
        if not name:
            _fail("Template names cannot be empty", node)
        if "(" in name or ")" in name:
            _fail("Template names cannot contain parantheses", node)
        if name[0].isnumeric():
            _fail("Template names cannot start with numbers", node)

    def template_kind(self, node: KdlNode) -> Literal["pane", "floating", "either"]:
        tiled = any(_candidates(node, k) for k in ("borderless", "stacked", "expanded", "size",
                                                    "split_direction"))
        tiled = tiled or any(
            c.name in ("pane", "children") or c.name in self.pane_templates
            for c in node.children or ()
        )
        floating = any(
            _candidates(node, k) or node.child(k) is not None
            for k in (*_FLOATING_GEOMETRY, "pinned")
        )
        if floating and not tiled:
            return "floating"
        if tiled:
            return "pane"
        return "either"

    def register_pane_templates(self, children: list[KdlNode], layout: KdlNode) -> None:
        defs = [c for c in children if c.name == "pane_template"]
        deps: dict[str, set[str]] = {}
        for node in defs:
            name = _lenient_string(node, "name")
            if name is None:
                self.guard(_fail, "Pane templates must have a name", node)
                continue
            if name in self.pane_templates:
                self.guard(_fail, f'Duplicate definition of the "{name}" pane_template', node)
                continue
            self.pane_templates[name] = _Template(
                name=name, kind="either", node=node, has_run=False, stacked=False,
                children_blocks=0,
            )
            deps[name] = set(self.dependencies(node))
        for template in self.pane_templates.values():
            node = template.node
            template.kind = self.template_kind(node)
            template.has_run = any(
                _candidates(node, k) for k in ("command", "edit", "cwd")
            ) or node.child("plugin") is not None
            template.stacked = bool(_lenient_bool(node, "stacked"))
            template.children_blocks = self.children_blocks(node)
        pending = {name: {d for d in ds if d in deps} for name, ds in deps.items()}
        while pending:
            ready = [name for name, ds in pending.items() if not ds]
            if not ready:
                self.guard(_fail, "Circular dependency detected between pane templates.", layout)
                break
            for name in ready:
                del pending[name]
            for ds in pending.values():
                ds.difference_update(ready)

    def dependencies(self, node: KdlNode) -> list[str]:
        out: list[str] = []
        for child in node.children or ():
            if child.name == "pane":
                out.extend(self.dependencies(child))
            elif child.name not in _RESERVED:
                out.append(child.name)
                out.extend(self.dependencies(child))
        return out

    def pane_template(self, node: KdlNode) -> None:
        name = _lenient_string(node, "name")
        template = self.pane_templates.get(name) if name is not None else None
        if name is None or template is None or template.node is not node:
            return  # no name or a duplicate: reported while registering
        self.legal_template_name(name, node)
        _bool(node, "focus")
        run = self.run(node, template=False)
        kind = self.template_kind(node)
        if kind == "pane" and any(
            _candidates(node, k) or node.child(k) is not None
            for k in (*_FLOATING_GEOMETRY, "pinned")
        ):
            self.mixed_template(node)
        if kind == "either":
            both = self.pane_properties() & self.floating_properties()
            self.assert_properties(node, both, "pane property")
        elif kind == "floating":
            self.assert_properties(node, self.floating_properties(), "floating pane property")
            for geometry in _FLOATING_GEOMETRY:
                self.percent_or_fixed(node, geometry, geometry in ("x", "y"))
            _bool(node, "pinned")
        else:
            self.assert_properties(node, self.pane_properties(), "pane property")
            _bool(node, "borderless")
            stacked = bool(_bool(node, "stacked"))
            _bool(node, "expanded")
            self.split_size(node)
            self.split_direction(node)
            if node.children is not None:
                self.child_panes_for_pane(node.children, stacked)
            self.no_mixed_children_and_properties(node, run)

    def mixed_template(self, node: KdlNode) -> NoReturn:
        pane_props = [
            label for key, label in (
                ("borderless", "borderless"), ("stacked", "stacked"), ("expanded", "expanded"),
                ("size", "split_size"), ("split_direction", "split_direction"),
            ) if _candidates(node, key)
        ]
        if any(c.name in ("pane", "children") or c.name in self.pane_templates
               for c in node.children or ()):
            pane_props.append("child nodes")
        floating_props = [
            k for k in (*_FLOATING_GEOMETRY, "pinned")
            if _candidates(node, k) or node.child(k) is not None
        ]
        _fail(
            f"A pane_template cannot have both pane ({', '.join(pane_props)}) and floating pane "
            f"({', '.join(floating_props)}) properties",
            node,
        )

    def tab_templates_and_defaults(self, children: list[KdlNode]) -> None:
        for node in children:
            if node.name == "tab_template":
                self.guard(self.tab_template, node)
            elif node.name == "default_tab_template":
                template = _Template(
                    name="default_tab_template", kind="tab", node=node, has_run=False,
                    stacked=False, children_blocks=self.children_blocks(node),
                )
                self.default_tab_template = template
                self.guard(self.tab_template_body, node)
            elif node.name == "new_tab_template":
                self.guard(self.tab, node)

    def tab_template(self, node: KdlNode) -> None:
        name = _string(node, "name")
        if name is None:
            _fail("Tab templates must have a name", node)
        self.legal_template_name(name, node)
        if name in self.tab_templates:
            _fail(f'Duplicate definition of the "{name}" tab_template', node)
        if name in self.pane_templates:
            _fail(
                f'There is already a pane_template with the name "{name}" - can\'t have a '
                "tab_template with the same name",
                node,
            )
        self.tab_templates[name] = _Template(
            name=name, kind="tab", node=node, has_run=False, stacked=False,
            children_blocks=self.children_blocks(node),
        )
        self.tab_template_body(node)

    # ------------------------------------------------------------------- swap layouts

    def constraint(self, node: KdlNode) -> None:
        count = 0
        for key in ("max_panes", "min_panes", "exact_panes"):
            text = _lenient_string(node, key)
            if text is not None:
                _fail(
                    f'{key} should be a fixed number (eg. 1) and not a quoted string ("{text}")',
                    node,
                )
            if any(_is_int(e.value) for e in _candidates(node, key)):
                count += 1
        if count > 1:
            _fail("cannot have more than one constraint (eg. max_panes + min_panes)'", node)

    def swap_tiled_layout(self, node: KdlNode) -> None:
        for child in node.children or ():
            if child.name == "tab":
                self.guard(self.swap_tab, child)
            elif child.name in self.tab_templates:
                self.guard(self.swap_tab_with_template, child, self.tab_templates[child.name], True)
            else:
                self.guard(_fail, f"Unknown layout node: '{child.name}'", child)

    def swap_tab(self, node: KdlNode) -> None:
        self.constraint(node)
        if self.default_tab_template is not None:
            self.tab_with_template(node, self.default_tab_template, True)
        else:
            self.tab(node, mark_children=True)

    def swap_tab_with_template(self, node: KdlNode, template: _Template, mark: bool) -> None:
        self.constraint(node)
        self.tab_with_template(node, template, mark)

    def swap_floating_layout(self, node: KdlNode) -> None:
        for child in node.children or ():
            if child.name == "floating_panes":
                self.guard(self.swap_floating_panes, child)
            elif child.name in self.tab_templates:
                self.guard(
                    self.swap_tab_with_template, child, self.tab_templates[child.name], False
                )
            else:
                self.guard(_fail, f"Unknown layout node: '{child.name}'", child)

    def swap_floating_panes(self, node: KdlNode) -> None:
        self.constraint(node)
        self.assert_tab_properties(node)
        self.floating_panes(node)

    # ------------------------------------------------------------------------- layout

    def document(self, nodes: list[KdlNode]) -> None:
        layouts = [n for n in nodes if n.name == "layout"]
        if not layouts:
            self.problems.append(LayoutProblem("No layout found", 1, 1))
            return
        for node in nodes:
            if node.name != "layout" and node.name in _RESERVED:
                self.problems.append(LayoutProblem(
                    'This node should be inside the main "layout" node', node.line, node.column
                ))
        for extra in layouts[1:]:
            self.problems.append(LayoutProblem(
                "Only one layout node per file allowed", extra.line, extra.column
            ))
        if self.problems:
            return
        self.layout(layouts[0])

    def layout(self, layout: KdlNode) -> None:
        children = layout.children
        if children is None:
            return
        self.guard(_string, layout, "cwd")
        self.register_pane_templates(children, layout)
        for node in children:
            if node.name == "pane_template":
                self.guard(self.pane_template, node)
        self.tab_templates_and_defaults(children)
        for node in children:
            if node.name == "swap_tiled_layout":
                self.swap_tiled_layout(node)
            elif node.name == "swap_floating_layout":
                self.swap_floating_layout(node)
        tiled = floating = tabs = False
        focused: list[KdlNode] = []
        mixed = "Cannot have both tabs and panes in the same node"
        for child in children:
            name = child.name
            if name == "pane":
                if tabs:
                    self.guard(_fail, mixed, child)
                    continue
                tiled = True
                self.guard(self.pane, child, False)
            elif name == "floating_panes":
                if tabs:
                    self.guard(_fail, mixed, child)
                    continue
                floating = floating or bool(child.children)
                self.guard(self.floating_panes, child)
            elif name == "tab" or name in self.tab_templates:
                if tiled or (name == "tab" and floating):
                    self.guard(_fail, mixed, child)
                    continue
                tabs = True
                template = (
                    self.default_tab_template if name == "tab" else self.tab_templates[name]
                )
                if template is None:
                    result = self.guard(self.tab, child)
                else:
                    result = self.guard(self.tab_with_template, child, template, False)
                if result:
                    focused.append(child)
            elif name in self.pane_templates:
                if tabs:
                    self.guard(_fail, mixed, child)
                    continue
                tiled = True
                self.guard(self.pane_with_template, child, self.pane_templates[name], False)
            elif name not in _RESERVED:
                self.guard(_fail, f"Unknown layout node: '{name}'", child)
        if len(focused) > 1:
            second = focused[1]
            self.problems.append(
                LayoutProblem("Only one tab can be focused", second.line, second.column)
            )


def validate_layout(text: str, *, version: Version | None = None) -> list[LayoutProblem]:
    """Why Zellij would refuse this layout; an empty list when it would accept it.

    Mirrors ``kdl_layout_parser.rs`` and uses its messages. Zellij stops at its first error;
    this keeps going with the next sibling node so one run shows every independent problem (a
    node is checked until its own first problem). A KDL syntax error is the only problem.
    ``version`` (None means the newest) enables the version-specific rules: no plugin aliases
    before 0.40 (write ``zellij:tab-bar``), ``default_fg``/``default_bg`` from 0.44.
    """
    try:
        nodes = parse(text)
    except KdlError as err:
        return [LayoutProblem(err.message, err.line, err.column)]
    validator = _Validator(version)
    validator.document(nodes)
    return sorted(validator.problems, key=lambda p: (p.line, p.column))
