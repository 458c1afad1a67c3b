"""Where clauderon keeps things: XDG locations, one function each.

Every function reads the environment when called, so tests (and users) can move everything
with HOME and the XDG variables.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def home(env: Mapping[str, str] | None = None) -> Path:
    e = _env(env)
    return Path(e.get("HOME") or os.path.expanduser("~"))


def _xdg(var: str, default: str, env: Mapping[str, str] | None) -> Path:
    value = _env(env).get(var, "")
    if value and os.path.isabs(value):
        return Path(value)
    return home(env) / default


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
    candidates = [home(env) / ".config" / "zellij", user_config_dir(env) / "zellij",
                  Path("/etc/zellij")]
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
    # Zellij uses a runtime dir on Linux only; macOS has none (zellij-cli.md §6).
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
    h = str(home(env)).rstrip("/")
    if not h or h == "/":
        return text
    if text == h:
        return "~"
    return text.replace(h + "/", "~/")
