"""Where clauderon keeps things: XDG locations, one function each.

Every function reads the environment when called, so tests (and users) can move everything
with HOME and the XDG variables. Every location goes through :func:`_xdg` or :func:`home`:
an unset, empty or relative HOME is refused (UsageError, exit 2) unless the XDG variable the
location needs is an absolute path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from clauderon.errors import UsageError
from clauderon.printable import printable


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _home_problem(env: Mapping[str, str] | None) -> str | None:
    """Why ``$HOME`` cannot be used as the home directory, or None when it can."""
    value = _env(env).get("HOME")
    if value is None:
        return "HOME is not set"
    if not value:
        return "HOME is empty"
    if not os.path.isabs(value):
        return f"HOME is the relative path {printable(value)!r}"
    return None


def home(env: Mapping[str, str] | None = None) -> Path:
    """``$HOME``, an absolute path; else a UsageError naming HOME (exit 2).

    One rule for every location: no guessing. An unset or empty HOME used to become ``~``
    or ``""``, and clauderon wrote ``./~/.local/...`` in the current directory or, as root,
    under ``/``."""
    problem = _home_problem(env)
    if problem is not None:
        raise UsageError(f"{problem}; set it to your home directory as an absolute path "
                         "(export HOME=/home/you) and retry")
    return Path(_env(env)["HOME"])


def home_or_none(env: Mapping[str, str] | None = None) -> Path | None:
    """``$HOME`` when it is usable, else None (for output and optional candidates)."""
    return None if _home_problem(env) is not None else Path(_env(env)["HOME"])


def _xdg(var: str, default: str, env: Mapping[str, str] | None) -> Path:
    """``$VAR`` when it is an absolute path, else ``$HOME/default``; when neither is
    usable, a UsageError naming both (exit 2): nothing is written anywhere else."""
    value = _env(env).get(var, "")
    if value and os.path.isabs(value):
        return Path(value)
    problem = _home_problem(env)
    if problem is not None:
        raise UsageError(f"{problem} and {var} is not an absolute path, so clauderon has "
                         f"nowhere to keep its files; set HOME to your home directory "
                         f"(export HOME=/home/you) or {var} to an absolute path")
    return Path(_env(env)["HOME"]) / default


def check_locations(env: Mapping[str, str] | None = None) -> None:
    """Raise the UsageError of the first location that cannot be known (doctor asks before
    running any check: one line, exit 2, rather than every check failing alike)."""
    for location in (config_file, data_dir, state_dir, names_cache):
        location(env)


def config_file(env: Mapping[str, str] | None = None) -> Path:
    """``$CLAUDERON_CONFIG``, else ``$XDG_CONFIG_HOME/clauderon/config.toml``."""
    explicit = _env(env).get("CLAUDERON_CONFIG")
    if explicit:
        return Path(explicit)
    return _xdg("XDG_CONFIG_HOME", ".config", env) / "clauderon" / "config.toml"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share", env) / "clauderon"


def registry_file(env: Mapping[str, str] | None = None) -> Path:
    return data_dir(env) / "sessions.db"


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state", env) / "clauderon"


def session_env_dir(env: Mapping[str, str] | None = None) -> Path:
    """Per-session env files read by the shell hooks (``<name>.sh``, ``<name>.fish``)."""
    return state_dir(env) / "sessions"


def shell_hook_copy(shell: str, env: Mapping[str, str] | None = None) -> Path:
    """The copy of the shell hook the rc block sources (``clauderon.bash``, ``.zsh``,
    ``.fish``): a stable path, whatever venv or Python clauderon is installed in."""
    return data_dir(env) / "shell" / f"clauderon.{shell}"


def names_cache(env: Mapping[str, str] | None = None) -> Path:
    """One session name per line, read by the completion scripts in pure shell."""
    return _xdg("XDG_CACHE_HOME", ".cache", env) / "clauderon" / "names"


def agents_cache(env: Mapping[str, str] | None = None) -> Path:
    """The agent names ``--agent`` completion reads (one a line), rewritten by ``new``."""
    return _xdg("XDG_CACHE_HOME", ".cache", env) / "clauderon" / "agents"


def worktree_root(env: Mapping[str, str] | None = None) -> Path:
    """Where worktree sessions' checkouts live unless ``[worktree] root`` says otherwise."""
    return data_dir(env) / "worktrees"


def user_config_dir(env: Mapping[str, str] | None = None) -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config", env)


def user_data_dir(env: Mapping[str, str] | None = None) -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share", env)


def zellij_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The config dir Zellij itself would use.

    ``$ZELLIJ_CONFIG_DIR``, else the first existing of ``~/.config/zellij``,
    ``$XDG_CONFIG_HOME/zellij`` and ``/etc/zellij``; when none exists, ``~/.config/zellij``
    (where Zellij creates it).
    """
    e = _env(env)
    explicit = e.get("ZELLIJ_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    own = home_or_none(env)
    candidates = ([own / ".config" / "zellij"] if own is not None else []) + [
        user_config_dir(env) / "zellij", Path("/etc/zellij")]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def zellij_layout_dir(env: Mapping[str, str] | None = None) -> Path:
    return zellij_config_dir(env) / "layouts"


def zellij_socket_base(env: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The Zellij socket base dir and the reason it was chosen."""
    e = _env(env)
    if e.get("ZELLIJ_SOCKET_DIR"):
        return Path(e["ZELLIJ_SOCKET_DIR"]), "ZELLIJ_SOCKET_DIR is set"
    runtime = e.get("XDG_RUNTIME_DIR", "")
    # Zellij uses a runtime dir on Linux only; macOS has none (docs/zellij.md, "Sockets,
    # the socket path and the 0.43 → 0.44 change").
    if runtime and os.path.isabs(runtime) and sys.platform != "darwin":
        return Path(runtime) / "zellij", "XDG_RUNTIME_DIR is set"
    tmp = e.get("TMPDIR") or "/tmp"
    return (Path(tmp) / f"zellij-{os.getuid()}",
            "neither ZELLIJ_SOCKET_DIR nor XDG_RUNTIME_DIR is set")


def zellij_socket_subdir(version: tuple[int, int, int]) -> str:
    """0.39–0.43 keep sockets under the exact version; 0.44+ under ``contract_version_1``."""
    if version >= (0, 44, 0):
        return "contract_version_1"
    return ".".join(str(p) for p in version)


def zellij_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache", env) / "zellij"


def tidy_home(text: str, env: Mapping[str, str] | None = None) -> str:
    """Show the home directory as ``~`` (people paste this output publicly)."""
    own = home_or_none(env)
    h = str(own).rstrip("/") if own is not None else ""
    if not h or h == "/":
        return text
    if text == h:
        return "~"
    return text.replace(h + "/", "~/")
