"""The TAB completion scripts: their text (stamped with this version) and installing them.

The scripts themselves are static files generated from the CLI definition by
``tools/gen_completions.py`` (``completions/`` in the repository, ``clauderon/completion_files``
when installed). A TAB never runs Python: session names come from the names cache file
(:func:`clauderon.paths.names_cache`) that the scripts read with shell builtins.

``install`` puts a script where each shell looks for it by itself:

- bash: ``$BASH_COMPLETION_USER_DIR/completions/clauderon``, else
  ``${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/clauderon`` (bash-completion
  2.x loads it on the first TAB after ``clauderon``);
- zsh: ``${XDG_DATA_HOME:-~/.local/share}/zsh/site-functions/_clauderon`` (that directory has to
  be on ``$fpath`` before ``compinit``; :func:`hints` says how);
- fish: ``${XDG_CONFIG_HOME:-~/.config}/fish/completions/clauderon.fish``.

Every script carries a ``# clauderon-completions VERSION`` line so ``clauderon doctor`` can tell
a stale copy (:func:`status`).
"""

from __future__ import annotations

import enum
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clauderon import __version__, paths
from clauderon.errors import UsageError

SHELLS = ("bash", "zsh", "fish")
VERSION_PREFIX = "# clauderon-completions "
_VERSION_LINE = re.compile(r"^# clauderon-completions (\S+)[ \t]*$", re.MULTILINE)

# Where bash-completion 2.x (whose loader reads the per-user directory) is commonly installed.
BASH_COMPLETION_SCRIPTS = (
    "/usr/share/bash-completion/bash_completion",
    "/usr/local/share/bash-completion/bash_completion",
    "/opt/homebrew/etc/profile.d/bash_completion.sh",
    "/usr/local/etc/profile.d/bash_completion.sh",
    "/etc/bash_completion",
)


class State(str, enum.Enum):
    MISSING = "missing"
    CURRENT = "current"
    STALE = "stale"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Installed:
    """What is at a shell's completion path. ``version`` is the file's version line (None when
    the file has none); ``changed`` is True when :func:`install` just wrote it."""

    shell: str
    path: Path
    state: State
    version: str | None = None
    changed: bool = False
    hints: tuple[str, ...] = field(default=(), compare=False)


def check_shell(shell: str, option: str = "--shell") -> str:
    """``shell`` if clauderon has completions for it; else a one-line UsageError (exit 2)."""
    if shell not in SHELLS:
        raise UsageError(f"{option} {shell!r} is not supported; use one of: {', '.join(SHELLS)}")
    return shell


def stamp(text: str, version: str = __version__) -> str:
    """``text`` with its version line saying ``version`` (added after any ``#compdef`` line
    when it has none)."""
    line = f"{VERSION_PREFIX}{version}"
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(line, text, count=1)
    if text.startswith("#compdef"):
        first, _, rest = text.partition("\n")
        return f"{first}\n{line}\n{rest}"
    return f"{line}\n{text}"


def script_version(text: str) -> str | None:
    match = _VERSION_LINE.search(text)
    return match.group(1) if match else None


def script_text(shell: str) -> str:
    """The completion script for ``shell`` as ``clauderon completions SHELL`` prints it."""
    from clauderon.resources import completion_file

    return stamp(completion_file(check_shell(shell)).read_text(encoding="utf-8"))


def install_path(shell: str, env: Mapping[str, str] | None = None) -> Path:
    """Where ``shell`` looks for clauderon's completions by itself."""
    check_shell(shell)
    if shell == "bash":
        user_dir = (os.environ if env is None else env).get("BASH_COMPLETION_USER_DIR", "")
        base = (Path(user_dir) if user_dir and os.path.isabs(user_dir)
                else paths.user_data_dir(env) / "bash-completion")
        return base / "completions" / "clauderon"
    if shell == "zsh":
        return paths.user_data_dir(env) / "zsh" / "site-functions" / "_clauderon"
    return paths.user_config_dir(env) / "fish" / "completions" / "clauderon.fish"


def status(shell: str, env: Mapping[str, str] | None = None) -> Installed:
    """Whether the installed script for ``shell`` is missing, current or stale (older version
    or different text)."""
    target = install_path(shell, env)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Installed(shell, target, State.MISSING)
    except (OSError, UnicodeDecodeError):
        return Installed(shell, target, State.STALE)
    state = State.CURRENT if text == script_text(shell) else State.STALE
    return Installed(shell, target, state, script_version(text))


def install(shell: str, env: Mapping[str, str] | None = None) -> Installed:
    """Write the script for ``shell`` (atomically; nothing is written when it is current)."""
    from clauderon.fileio import atomic_write

    before = status(shell, env)
    text = script_text(shell)
    if before.state is not State.CURRENT:
        atomic_write(before.path, text)
    return Installed(shell, before.path, State.CURRENT, script_version(text),
                     changed=before.state is not State.CURRENT, hints=tuple(hints(shell, env)))


def hints(shell: str, env: Mapping[str, str] | None = None) -> list[str]:
    """What else the user has to do for ``shell`` to pick the installed script up."""
    target = install_path(shell, env)
    if shell == "zsh":
        directory = target.parent
        if _zshrc_mentions(directory, env):
            return []
        intro = ("Add this line to ~/.zshrc before compinit runs (it puts the directory on "
                 "zsh's $fpath; skip it if your $fpath already has the directory):")
        return [intro, f"  fpath=({_shell_word(directory, env)} $fpath)"]
    if shell == "bash" and not any(os.path.isfile(p) for p in BASH_COMPLETION_SCRIPTS):
        quoted = _shell_word(target, env)
        intro = ("bash-completion (which loads this file) was not found; install it, or add "
                 "this line to ~/.bashrc:")
        return [intro, f"  [ -r {quoted} ] && . {quoted}"]
    return []


def _zshrc_mentions(directory: Path, env: Mapping[str, str] | None) -> bool:
    """True when ~/.zshrc (or $ZDOTDIR/.zshrc) already names ``directory``: then the fpath
    line is there. zsh's $fpath itself cannot be read from here without starting zsh."""
    e = os.environ if env is None else env
    zdotdir = e.get("ZDOTDIR") or str(paths.home(env))
    try:
        text = (Path(zdotdir) / ".zshrc").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    home = str(paths.home(env)).rstrip("/")
    spelled = {str(directory)}
    if home and str(directory).startswith(home + "/"):
        rest = str(directory)[len(home):]
        spelled |= {"~" + rest, "$HOME" + rest, "${HOME}" + rest}
    return any(s in text for s in spelled)


def _shell_word(path: Path, env: Mapping[str, str] | None) -> str:
    """``path`` for an rc file line: ``~/...`` when it is under HOME and needs no quoting."""
    shown = paths.tidy_home(str(path), env)
    if shown.startswith("~/") and shlex.quote(shown[2:]) == shown[2:]:
        return shown
    return shlex.quote(str(path))
