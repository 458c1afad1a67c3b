"""The copy of the shell hook that the rc block sources, at a stable XDG path.

The package's own hook file (``resources.hook_file``) lives wherever Python installed
clauderon: a venv, pipx's, ``site-packages`` of one Python version. An rc block naming that
path goes stale when the venv is recreated or Python is upgraded, and the hook then silently
stops running. So ``clauderon shell install`` (and ``shell init``) copy the hook for the shell
to ``$XDG_DATA_HOME/clauderon/shell/clauderon.<shell>`` (:func:`paths.shell_hook_copy`) and
the block sources that copy; ``doctor --fix`` (``shell.init``) refreshes a copy that differs
from the packaged hook, and ``shell uninstall`` removes it.

Modes: the copy is 0644 (it holds no secret: the same bytes as the packaged file), in
clauderon's data directory, whose directories clauderon creates 0700 (the registry lives
there too); both whatever the umask (``fileio.atomic_write``).

A file at the copy's path is deleted only when it starts with the hook's own first line
(:data:`HEADER`): clauderon deletes only what it can prove it wrote.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from clauderon import paths
from clauderon.errors import ClauderonError
from clauderon.fileio import PRIVATE_DIR, atomic_write
from clauderon.resources import hook_file

HEADER = b"# clauderon shell hook for "
MODE = 0o644


class State(str, Enum):
    CURRENT = "current"  # the same bytes as the packaged hook
    MISSING = "missing"  # no file there
    STALE = "stale"  # a file there, with other bytes (another clauderon version, an edit)


@dataclass(frozen=True)
class Copy:
    shell: str
    path: Path
    state: State


def _show(path: Path, env: Mapping[str, str] | None) -> str:
    return paths.tidy_home(str(path), env)


def _packaged(shell: str) -> bytes:
    source = hook_file(shell)
    try:
        return source.read_bytes()
    except OSError as exc:
        raise ClauderonError(f"cannot read the packaged hook {source}: "
                             f"{exc.strerror or exc}; reinstall clauderon") from None


def _current(path: Path, env: Mapping[str, str] | None) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ClauderonError(f"{_show(path, env)} is a directory, where clauderon keeps its "
                             "copy of the shell hook; move it away and run the command again"
                             ) from None
    except OSError as exc:
        fix = f"chmod u+r {_show(path, env)}"
        raise ClauderonError(f"cannot read {_show(path, env)}: {exc.strerror or exc}; fix: "
                             f"{fix}", hint=fix) from None


def status(shell: str, env: Mapping[str, str] | None = None) -> Copy:
    """Whether the copy for ``shell`` is there and the same as the packaged hook."""
    path = paths.shell_hook_copy(shell, env)
    found = _current(path, env)
    if found is None:
        state = State.MISSING
    else:
        state = State.CURRENT if found == _packaged(shell) else State.STALE
    return Copy(shell, path, state)


def write(shell: str, env: Mapping[str, str] | None = None) -> Copy:
    """Make the copy for ``shell`` the packaged hook's bytes; returns its state *before*
    (``CURRENT``: nothing was written, not even the mtime changed)."""
    before = status(shell, env)
    if before.state is State.CURRENT:
        return before
    try:
        atomic_write(before.path, _packaged(shell), mode=MODE, dir_mode=PRIVATE_DIR)
    except OSError as exc:
        where = _show(before.path, env)
        fix = f"ls -ld {_show(before.path.parent, env)}   # it must be yours and writable"
        raise ClauderonError(f"cannot write the shell hook's copy {where}: "
                             f"{exc.strerror or exc}; nothing was changed", hint=fix) from None
    return before


def remove(shell: str, env: Mapping[str, str] | None = None) -> Path | None:
    """Delete the copy for ``shell`` when clauderon wrote it (it starts with the hook's
    first line); its directory too when that is left empty. The deleted path, or None."""
    path = paths.shell_hook_copy(shell, env)
    try:
        with path.open("rb") as handle:
            head = handle.read(len(HEADER))
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as exc:
        raise ClauderonError(f"cannot read {_show(path, env)}: {exc.strerror or exc}; it was "
                             "left in place") from None
    if head != HEADER:
        return None  # not ours to delete
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ClauderonError(f"cannot delete {_show(path, env)}: {exc.strerror or exc}",
                             hint=f"rm {_show(path, env)}") from None
    with contextlib.suppress(OSError):
        os.rmdir(path.parent)  # only when empty
    return path
