"""Zellij layouts: where Zellij finds one, the built-in ones, and ours.

- :func:`resolve_layout` finds a layout the way ``zellij -l/-n LAYOUT`` does (URL, path relative
  to the cwd, ``<layout dir>/NAME.kdl``, built-in), or raises :class:`LayoutNotFound`.
- :data:`CLAUDERON_LAYOUT` is the layout ``clauderon layout init`` writes with
  :func:`write_clauderon_layout`.

This module is on the hot path (``clauderon new --backend zellij``): it reads no layout and
imports no parser. Whether Zellij would accept a layout's text is
:mod:`clauderon.layout_check` (doctor and the ``layout`` commands only).

See docs/zellij.md, "What clauderon relies on in Zellij's CLI": "Layout resolution".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from clauderon import paths
from clauderon.errors import ClauderonError, ConfigError, UsageError
from clauderon.fileio import atomic_write

__all__ = [
    "BUILTIN_LAYOUTS",
    "CLAUDERON_LAYOUT",
    "CLAUDERON_LAYOUT_NAME",
    "LayoutNotFound",
    "ResolvedLayout",
    "Version",
    "builtin_layout_text",
    "builtin_layouts",
    "clauderon_layout_path",
    "resolve_layout",
    "write_clauderon_layout",
]

Version = tuple[int, int, int]

# ---------------------------------------------------------------------------------- built-ins

BUILTIN_LAYOUTS: Mapping[str, Version] = MappingProxyType({
    "default": (0, 39, 0),
    "compact": (0, 39, 0),
    "strider": (0, 39, 0),
    "disable-status-bar": (0, 39, 0),
    "classic": (0, 41, 0),
    "welcome": (0, 40, 0),
})
"""Zellij's built-in layout names (for ``-l NAME``) and the first version that has each.

Versions before 0.39 are out of scope (the oldest we support), so 0.39.0 means "always".
"""


def builtin_layouts(version: Version | None = None) -> tuple[str, ...]:
    """The built-in layout names of Zellij ``version`` (every known one when None)."""
    return tuple(
        name for name, since in BUILTIN_LAYOUTS.items() if version is None or version >= since
    )


def builtin_layout_text(name: str, version: Version | None = None) -> str:
    """The KDL of a built-in layout as Zellij ``version`` ships it (the newest when None).

    0.39 spells plugin locations ``zellij:<tag>`` (it has no aliases); 0.39 and 0.40 give the
    default layout's status bar two rows. Raises ``KeyError`` for a name that version lacks.
    """
    if name not in builtin_layouts(version):
        raise KeyError(name)
    old = version is not None and version < (0, 40, 0)

    def loc(tag: str) -> str:
        return f"zellij:{tag}" if old else tag

    status_rows = 2 if version is not None and version < (0, 41, 0) else 1
    if name == "default":
        return (
            "layout {\n"
            "    pane size=1 borderless=true {\n"
            f'        plugin location="{loc("tab-bar")}"\n'
            "    }\n"
            "    pane\n"
            f"    pane size={status_rows} borderless=true {{\n"
            f'        plugin location="{loc("status-bar")}"\n'
            "    }\n"
            "}\n"
        )
    if name == "compact":
        return (
            "layout {\n"
            "    pane\n"
            "    pane size=1 borderless=true {\n"
            f'        plugin location="{loc("compact-bar")}"\n'
            "    }\n"
            "}\n"
        )
    if name == "strider":
        return (
            "layout {\n"
            "    pane size=1 borderless=true {\n"
            f'        plugin location="{loc("tab-bar")}"\n'
            "    }\n"
            '    pane split_direction="Vertical" {\n'
            '        pane size="20%" {\n'
            f'            plugin location="{loc("strider")}"\n'
            "        }\n"
            "        pane\n"
            "    }\n"
            "    pane size=2 borderless=true {\n"
            f'        plugin location="{loc("status-bar")}"\n'
            "    }\n"
            "}\n"
        )
    if name == "disable-status-bar":
        return (
            "layout {\n"
            "    pane size=1 borderless=true {\n"
            f'        plugin location="{loc("tab-bar")}"\n'
            "    }\n"
            "    pane\n"
            "}\n"
        )
    if name == "classic":
        return (
            "layout {\n"
            "    pane size=1 borderless=true {\n"
            '        plugin location="tab-bar" {\n'
            "            hide_swap_layout_indication true\n"
            "        }\n"
            "    }\n"
            "    pane\n"
            "    pane size=2 borderless=true {\n"
            '        plugin location="status-bar" {\n'
            "            classic true\n"
            "        }\n"
            "    }\n"
            "}\n"
        )
    # welcome
    return (
        "layout {\n"
        "    pane borderless=true {\n"
        '        plugin location="welcome-screen"\n'
        "    }\n"
        "}\n"
        "session_serialization false\n"
    )


# ------------------------------------------------------------------------- our own layout

CLAUDERON_LAYOUT_NAME = "clauderon"

CLAUDERON_LAYOUT = """\
// Written by `clauderon layout init`; edit it freely (`clauderon layout init --force`
// writes this version again). clauderon starts sessions with it when its config.toml says
//     [zellij]
//     layout = "clauderon"
// Plugin locations use the zellij:<name> form, which every Zellij from 0.39 on accepts.
layout {
    pane size=1 borderless=true {
        plugin location="zellij:tab-bar"
    }
    pane {
        // Main working pane
    }
    pane size=10 {
        // Log/status pane
    }
    pane size=2 borderless=true {
        plugin location="zellij:status-bar"
    }
}
"""


def clauderon_layout_path(env: Mapping[str, str] | None = None) -> Path:
    """``<zellij layout dir>/clauderon.kdl``: where ``zellij -l clauderon`` looks."""
    return paths.zellij_layout_dir(env) / f"{CLAUDERON_LAYOUT_NAME}.kdl"


def write_clauderon_layout(env: Mapping[str, str] | None = None, *, force: bool = False) -> Path:
    """Write :data:`CLAUDERON_LAYOUT` to :func:`clauderon_layout_path`; return the path.

    Creates the directories. Refuses (``UsageError``) to replace an existing file unless
    ``force``. Written with :func:`clauderon.fileio.atomic_write` (0644: it holds no secret).
    """
    target = clauderon_layout_path(env)
    shown = paths.tidy_home(str(target), env)
    if os.path.lexists(target) and not force:
        raise UsageError(
            f"{shown} already exists; not overwriting it (use --force to replace it)"
        )
    try:
        atomic_write(target, CLAUDERON_LAYOUT, mode=0o644)
    except OSError as err:
        raise ClauderonError(f"cannot write {shown}: {err.strerror or err}") from err
    return target


# -------------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class ResolvedLayout:
    """What ``zellij -l LAYOUT`` would load.

    ``name`` is the layout as given; ``path`` is the file for ``kind == "file"``, else None.
    """

    kind: Literal["file", "builtin", "url"]
    name: str
    path: Path | None = None


class LayoutNotFound(ConfigError):
    """Zellij would stop with "The layout was not found" / "No such file or directory"."""

    def __init__(
        self, message: str, *, layout: str, searched: Iterable[Path] = (),
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.layout = layout
        self.searched = tuple(searched)


def _components(path: str) -> list[str]:
    """Rust's ``Path::components`` for a Unix path, as strings ("/" is the root)."""
    comps: list[str] = []
    rest = path
    if path.startswith("/"):
        comps.append("/")
        rest = path.lstrip("/")
    for index, part in enumerate(rest.split("/")):
        if part == "":
            continue
        if part == ".":
            if index == 0 and not comps:
                comps.append(".")  # a leading "." is kept, any other is dropped
            continue
        comps.append(part)
    return comps


def _file_name(path: str) -> str | None:
    comps = _components(path)
    if not comps or comps[-1] in ("/", ".", ".."):
        return None
    return comps[-1]


def _extension(path: str) -> str | None:
    """Rust's ``Path::extension``: ``a.b`` -> ``b``, ``a.`` -> ``""``, ``.a`` -> None."""
    name = _file_name(path)
    if name is None:
        return None
    before, dot, after = name.rpartition(".")
    if not dot or before == "":
        return None
    return after


def _with_kdl_extension(path: str) -> str:
    """Rust's ``Path::with_extension("kdl")``: appends ``.kdl`` or replaces the extension."""
    name = _file_name(path)
    if name is None:
        return path
    base = path.rstrip("/")
    head = base[: len(base) - len(name)] if base.endswith(name) else base + "/"
    ext = _extension(path)
    stem = name if ext is None else name[: len(name) - len(ext) - 1]
    return f"{head}{stem}.kdl"


NAME_MAX = 255
"""Bytes in one file name (Linux's NAME_MAX; ext4, btrfs, xfs, tmpfs): longer fails ENAMETOOLONG."""
PATH_MAX = 4096
"""Bytes in a whole path, its terminating NUL included (Linux's PATH_MAX)."""


def _shown(layout: str) -> str:
    """A layout as messages show it: a very long one cut, with its length in bytes."""
    if len(layout) <= 80:
        return layout
    return f"{layout[:60]}... ({len(os.fsencode(layout)):,} bytes)"


def _refuse_unusable(layout: str, *, is_path: bool, ldir: Path, env: Mapping[str, str] | None
                     ) -> None:
    """Refuse a layout no file system can hold, before asking the file system about it.

    A bare NAME is the file name ``NAME.kdl``: at most :data:`NAME_MAX` bytes. A path may have
    no component longer than that and at most :data:`PATH_MAX` - 1 bytes in all. A NUL cannot
    be in any file name. Raises :class:`LayoutNotFound` naming the value and the fix.
    """
    shown = _shown(layout)
    if "\0" in layout:
        raise LayoutNotFound(
            f"layout {shown!r} contains a NUL character, which no file name can hold; "
            "give a layout name or path without it", layout=layout)
    if is_path:
        longest = max((c for c in _components(layout)), key=lambda c: len(os.fsencode(c)))
        size = len(os.fsencode(longest))
        if size > NAME_MAX:
            raise LayoutNotFound(
                f"layout path {shown!r} has a component of {size:,} bytes; a file or "
                f"directory name has at most {NAME_MAX}: give the path of an existing .kdl file",
                layout=layout)
        if len(os.fsencode(layout)) >= PATH_MAX:
            raise LayoutNotFound(
                f"layout path {shown!r} is longer than {PATH_MAX - 1:,} bytes; give the path of "
                "an existing .kdl file", layout=layout)
        return
    size = len(os.fsencode(f"{layout}.kdl"))
    if size > NAME_MAX:
        where = paths.tidy_home(str(ldir), env)
        raise LayoutNotFound(
            f"layout name {shown!r} is too long: Zellij looks for NAME.kdl in {where} and a file "
            f"name has at most {NAME_MAX} bytes (this one {size:,}); give a name of at most "
            f"{NAME_MAX - 4} bytes or a built-in: {', '.join(builtin_layouts())}",
            layout=layout)


def resolve_layout(
    layout: str,
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    version: Version | None = None,
    layout_dir: Path | None = None,
) -> ResolvedLayout:
    """Find ``layout`` exactly as ``zellij -l LAYOUT`` / ``-n LAYOUT`` would.

    1. ``http://`` or ``https://``: a remote layout (kind ``"url"``), not fetched here.
    2. An extension or more than one path component (``foo.kdl``, ``./foo``, ``dir/foo``,
       ``/abs/x``): a file relative to ``cwd``, tried as given, then with the extension
       set to ``.kdl`` (Rust's ``with_extension``).
    3. A bare name: ``<layout dir>/NAME`` or ``<layout dir>/NAME.kdl``, used only when
       ``NAME.kdl`` exists there (Zellij checks that file, then opens ``NAME`` first); else a
       built-in of ``version`` (every known one when None). ``./NAME.kdl`` in the cwd is never
       found by the bare name.

    The layout dir is ``layout_dir`` (``options --layout-dir`` / config ``layout_dir``) or
    ``<zellij config dir>/layouts`` for ``env``. Raises :class:`LayoutNotFound`.
    """
    if layout.startswith(("http://", "https://")):
        return ResolvedLayout("url", layout)
    ldir = layout_dir if layout_dir is not None else paths.zellij_layout_dir(env)

    def show(p: Path) -> str:
        return paths.tidy_home(str(p), env)

    available = builtin_layouts(version)
    pick = (
        f"create {show(ldir / '<NAME>.kdl')} or pick a built-in: {', '.join(available)}"
    )
    if not layout or not layout.strip():
        raise LayoutNotFound(f"the layout name is empty; {pick}", layout=layout)
    is_path = _extension(layout) is not None or len(_components(layout)) > 1
    _refuse_unusable(layout, is_path=is_path, ldir=ldir, env=env)
    try:
        return _find(layout, is_path=is_path, cwd=cwd, ldir=ldir, available=available,
                     version=version, show=show)
    except OSError as err:  # e.g. a directory on the way that may not be searched
        where = f" ({_shown(show(Path(err.filename)))})" if err.filename else ""
        raise LayoutNotFound(
            f"cannot look for layout {_shown(layout)!r}: {err.strerror or err}{where}; "
            "make it readable or give another layout", layout=layout) from err


def _find(layout: str, *, is_path: bool, cwd: Path, ldir: Path, available: tuple[str, ...],
          version: Version | None, show: Callable[[Path], str]) -> ResolvedLayout:
    """:func:`resolve_layout` once the name is known to be usable."""
    if is_path:
        given = cwd / layout
        alt = cwd / _with_kdl_extension(layout)
        if given.is_file():
            return ResolvedLayout("file", layout, given)
        if given.is_dir():
            raise LayoutNotFound(
                f"layout {show(given)} is a directory, not a layout file; give the path of a "
                ".kdl file",
                layout=layout, searched=[given],
            )
        if alt != given and alt.is_file():
            return ResolvedLayout("file", layout, alt)
        tried = f" (nor {show(alt)})" if alt != given else ""
        raise LayoutNotFound(
            f"layout file {show(given)} not found{tried}; a layout with an extension or a '/' "
            f"is a path relative to the current directory: fix the path, or give a bare name "
            f"to use {show(ldir)}",
            layout=layout, searched=[given, alt] if alt != given else [given],
        )

    plain = ldir / layout
    with_kdl = ldir / f"{layout}.kdl"
    if with_kdl.exists():
        if plain.is_file():
            return ResolvedLayout("file", layout, plain)
        if with_kdl.is_file():
            return ResolvedLayout("file", layout, with_kdl)
        raise LayoutNotFound(
            f"layout '{layout}': {show(with_kdl)} is not a readable file; replace it with a "
            "layout file",
            layout=layout, searched=[plain, with_kdl],
        )
    if layout in available:
        return ResolvedLayout("builtin", layout)

    searched = [with_kdl]
    if layout == CLAUDERON_LAYOUT_NAME:
        raise LayoutNotFound(
            f"layout 'clauderon' not found: there is no clauderon.kdl in {show(ldir)}; run "
            "`clauderon layout init` to create it",
            layout=layout, searched=searched, hint="clauderon layout init",
        )
    fix = f"create {show(with_kdl)} or pick a built-in: {', '.join(available)}"
    if layout in BUILTIN_LAYOUTS and version is not None:
        since = ".".join(str(p) for p in BUILTIN_LAYOUTS[layout])
        have = ".".join(str(p) for p in version)
        raise LayoutNotFound(
            f"layout '{layout}' not found: it is built into Zellij {since}+ only (this is "
            f"{have}) and there is no {layout}.kdl in {show(ldir)}; {fix}",
            layout=layout, searched=searched,
        )
    raise LayoutNotFound(
        f"layout '{layout}' not found: no {layout}.kdl in {show(ldir)} and no built-in of that "
        f"name; {fix}",
        layout=layout, searched=searched,
    )
