"""Zellij: the binary (found, version, ≥ 0.40) and the socket directory."""

from __future__ import annotations

import os
import re
import socket
import stat
from collections.abc import Sequence
from pathlib import Path

from clauderon import paths
from clauderon.doctor.checks import _live
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, plural, shq, skipped, warning

RELEASES = "https://github.com/zellij-org/zellij/releases/latest"
_VERSION_DIR = re.compile(r"\d+\.\d+\.\d+\S*\Z")


# -- install hints -----------------------------------------------------------------------


def install_hint(platform: str, ids: Sequence[str], *, root: bool, machine: str = "x86_64"
                 ) -> str:
    """How to install (or upgrade) Zellij on this OS, as a command to paste (the backend's
    declared ``install`` commands)."""
    from clauderon.backends.zellij import INFO
    from clauderon.install_hints import hint

    return hint(INFO.install, platform, ids, root=root, machine=machine)


def hint_for_this_machine() -> str:
    from clauderon.backends.zellij import INFO
    from clauderon.install_hints import for_this_machine

    return for_this_machine(INFO.install)


LOCAL_BIN = "~/.local/bin"


def local_bin_note(ctx: Context, hint: str) -> list[str]:
    """When the install command puts zellij in ~/.local/bin and that directory is not on
    PATH: say so, with the line that adds it (a fresh HOME has neither)."""
    if LOCAL_BIN not in hint:
        return []
    local_bin = os.path.normpath(os.path.join(str(ctx.home), ".local", "bin"))
    if local_bin in {os.path.normpath(p) for p in ctx.env.get("PATH", "").split(os.pathsep)}:
        return []
    return [f"{LOCAL_BIN} is not on PATH: after installing there, add it to your shell's "
            'start-up file: export PATH="$HOME/.local/bin:$PATH" (fish: fish_add_path '
            "~/.local/bin)"]


# -- zellij.binary -----------------------------------------------------------------------


def _zellij_needed(ctx: Context) -> tuple[bool, str]:
    """Whether the user relies on Zellij, and why (or why not)."""
    backend = ctx.default_backend
    if backend == "zellij":
        return True, "the default backend is zellij"
    try:
        count = sum(1 for r in ctx.records() if r.backend == "zellij")
    except Exception:
        count = 0
    if count:
        return True, f"{plural(count, 'recorded session')} use zellij"
    return False, f"the default backend is {backend} and no recorded session uses zellij"


def run_binary(ctx: Context) -> Result:
    from clauderon.backends.zellij import MIN_VERSION

    info = ctx.zellij()
    minimum = ".".join(str(p) for p in MIN_VERSION)
    if info.path is None:
        needed, why = _zellij_needed(ctx)
        if not needed:
            return skipped(f"zellij is not installed (not needed: {why})",
                           remedy=hint_for_this_machine())
        hint = hint_for_this_machine()
        return error("zellij not found on PATH",
                     details=[f"needed because {why}", *local_bin_note(ctx, hint)],
                     remedy=hint)
    where = ctx.tidy(info.path)
    if info.version is None:
        said = info.raw.splitlines()[0][:100] if info.raw else "nothing"
        return error(f"cannot read the version of {where}: `zellij --version` printed {said!r}",
                     details=["expected a line like `zellij 0.44.1`"],
                     remedy=hint_for_this_machine())
    if info.version < MIN_VERSION:
        return error(f"zellij {info.shown_version} at {where} is too old: clauderon needs "
                     f"≥ {minimum} (background sessions with `attach --create-background`)",
                     remedy=hint_for_this_machine())
    details = [f"minimum supported: {minimum}"]
    if info.version < (0, 44, 0):
        details.append("zellij ≤ 0.43 keeps sessions per version: upgrading hides running "
                       "sessions until they end (see zellij.sockets)")
    return ok(f"zellij {info.shown_version} at {where}", details)


# -- zellij.sockets ----------------------------------------------------------------------


def _is_live_socket(path: Path) -> bool:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(0.2)
    try:
        sock.connect(str(path))
    except OSError:
        return False
    finally:
        sock.close()
    return True


def _sessions_in(directory: Path) -> list[Path]:
    """Session entries in a socket dir: sockets (and plain files, as left by some tools)."""
    found: list[Path] = []
    for entry in _live.entries(directory):
        if entry.name.startswith("."):
            continue
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        if stat.S_ISSOCK(mode) or stat.S_ISREG(mode):
            found.append(Path(entry.path))
    return sorted(found)


def _sibling_dirs(base: Path, current: str) -> list[Path]:
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return []
    return [e for e in entries if e.name != current and e.is_dir()
            and (_VERSION_DIR.match(e.name) or e.name.startswith("contract_version_"))]


def _old_resurrectable(ctx: Context, current: str) -> list[tuple[str, list[str]]]:
    """(version dir, names) of exited sessions in other versions' cache folders."""
    cache = paths.zellij_cache_dir(ctx.env)
    found: list[tuple[str, list[str]]] = []
    for sibling in _sibling_dirs(cache, current):
        info = sibling / "session_info"
        try:
            names = sorted(p.name for p in info.iterdir()
                           if (p / "session-layout.kdl").exists())
        except OSError:
            continue
        if names:
            found.append((sibling.name, names))
    return found


def _names(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def run_sockets(ctx: Context) -> Result:
    from clauderon.backends.zellij import SOCKET_PATH_MAX

    info = ctx.zellij()
    if info.path is None or info.version is None:
        return skipped("zellij is not usable (see zellij.binary)",
                       remedy="clauderon doctor --check zellij.binary")
    env = ctx.tool_env()
    base, why = paths.zellij_socket_base(env)
    current = paths.zellij_socket_subdir(info.version)
    sock_dir = base / current
    room = SOCKET_PATH_MAX - len(str(sock_dir).encode()) - 1
    details = [f"session names up to {max(room, 0)} bytes fit in the socket path"]
    problems: list[str] = []
    remedies: list[str] = []

    if not env.get("ZELLIJ_SOCKET_DIR") and not os.path.isabs(env.get("XDG_RUNTIME_DIR", "")):
        problems.append("XDG_RUNTIME_DIR is unset: cron, ssh, su and desktop logins that do set "
                        "it use another socket dir and see other sessions (or none)")
        from clauderon.shellquote import quote_word, shell_kind

        line = f"export ZELLIJ_SOCKET_DIR={quote_word(str(base))}"  # ~/.profile is sh
        remedies.append(f"echo {quote_word(line, shell_kind(env))} >> ~/.profile")
    for sibling in _sibling_dirs(base, current):
        entries = _sessions_in(sibling)
        if not entries:
            continue
        live = [p.name for p in entries if _is_live_socket(p)]
        names = [p.name for p in entries]
        problems.append(f"{plural(len(names), 'session')} of Zellij {sibling.name} in "
                        f"{ctx.tidy(str(sibling))} are invisible to zellij "
                        f"{info.shown_version}: {_names(names)}")
        if live:
            remedies.append(f"attach or end {_names(live)} with zellij {sibling.name} "
                            f"(its binary), then: rm -r {shq(sibling, ctx.env)}")
        else:
            remedies.append(f"rm -r {shq(sibling, ctx.env)}   # no server is listening")
    for version_dir, names in _old_resurrectable(ctx, current):
        details.append(f"resurrection data of {plural(len(names), 'exited session')} of "
                       f"Zellij {version_dir} is not visible to {info.shown_version}: "
                       f"{_names(names)}")
    summary = f"{ctx.tidy(str(sock_dir))} ({why})"
    if problems:
        if len(problems) == 1:
            return warning(f"{summary}: {problems[0]}", details=details,
                           remedy="; ".join(remedies))
        return warning(f"{summary}: {plural(len(problems), 'problem')}",
                       details=[*problems, *details], remedy="; ".join(remedies))
    return ok(summary, details)


CHECKS = [
    Check("zellij.binary", "Zellij", "zellij is on PATH, its version is read and ≥ 0.40",
          run_binary,
          timeout_remedy="`zellij --version` hangs: reinstall zellij (" + RELEASES + ")"),
    Check("zellij.sockets", "Zellij",
          "the socket dir in use and why; sessions hidden in other versions' dirs",
          run_sockets),
]
