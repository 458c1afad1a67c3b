"""Helpers shared by the session and registry checks: live sessions, env files, adoption.

A session clauderon created leaves ``<name>.sh`` (and ``<name>.fish``) in
``paths.session_env_dir()``; that file is how doctor recognises a clauderon session that has
no registry row (Docker containers carry a label instead, so every one the backend lists is
clauderon's).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from clauderon import paths
from clauderon.doctor.context import Context

if TYPE_CHECKING:
    from clauderon.backends.base import State
    from clauderon.registry import Record

# Files younger than this may belong to a `clauderon new` still running.
GRACE_SECONDS = 30.0
# doctor's probe env files (proxy.propagation)
# the probe env files of proxy.propagation
PROBE_FILE = re.compile(r"\.doctor-probe-(?P<pid>\d+)-[0-9a-f]{6}\.(?:sh|fish)")
PROBE_PREFIX = "."  # doctor's own probe env files (and temporary files) start with a dot


@dataclass
class Live:
    """What the backends said: states per backend, the ones that could not answer (an
    error, a timeout, or an answer clauderon could not read: their sessions are *unknown*,
    never gone), and the ones not installed."""

    states: dict[str, dict[str, State]] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)  # backends not installed

    def state(self, backend: str, name: str) -> State | None:
        return self.states.get(backend, {}).get(name)

    def anywhere(self, name: str) -> bool:
        return any(name in s for s in self.states.values())

    @property
    def complete(self) -> bool:
        """Every installed backend answered (so "not listed anywhere" means gone)."""
        return not self.failures


def live_sessions(ctx: Context) -> Live:
    """Every installed backend's sessions, asked concurrently (each within the time limit)."""
    live = Live()
    names = ctx.backend_names()
    usable = [n for n in names if ctx.backend_installed(n)]
    live.absent = [n for n in names if n not in usable]
    lock = threading.Lock()

    def ask(name: str) -> None:
        try:
            states = ctx.backend_states(name)
        except Exception as exc:
            with lock:
                live.failures[name] = exc
            return
        with lock:
            live.states[name] = states

    threads = [threading.Thread(target=ask, args=(n,), daemon=True) for n in usable[1:]]
    for thread in threads:
        thread.start()
    if usable:
        ask(usable[0])
    for thread in threads:
        thread.join()
    return live


def size(count: int) -> str:
    """``0 bytes``, ``212 KiB``, ``3.2 MiB``, ``80 GiB``."""
    if count < 1024:
        return f"{count} bytes"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def env_dir(ctx: Context) -> Path:
    return paths.session_env_dir(ctx.env)


def entries(directory: Path) -> list[os.DirEntry[str]]:
    """The entries of ``directory``; none when it is missing or cannot be read (the checks
    that need it readable say so themselves)."""
    try:
        return list(os.scandir(directory))
    except OSError:
        return []


def env_files(ctx: Context) -> dict[str, Path]:
    """Session name -> its ``.sh`` env file (doctor's probe and temp files excluded)."""
    found: dict[str, Path] = {}
    for entry in entries(env_dir(ctx)):
        if entry.name.startswith(PROBE_PREFIX) or not entry.name.endswith(".sh"):
            continue
        found[entry.name[: -len(".sh")]] = Path(entry.path)
    return found


def shell_problem(shell: str) -> str | None:
    """What is wrong with ``shell`` as a session shell on this machine, or None."""
    if not os.path.isabs(shell):
        return "is not an absolute path"
    if not os.path.exists(shell):
        return "does not exist"
    if not os.path.isfile(shell):
        return "is not a file"
    if not os.access(shell, os.X_OK):
        return "is not executable"
    return None


def host_backend(ctx: Context) -> str:
    """The backend whose sessions' shells run on this machine that doctor probes: the
    default one, or (when the default runs its shell inside an image) the first such."""
    from clauderon import backends

    default = ctx.default_backend
    if backends.exists(default) and not backends.info(default).shell_in_image:
        return default
    return next((b for b in backends.names() if not backends.info(b).shell_in_image), default)


def unwritable(directory: Path) -> str | None:
    """Why clauderon cannot create files in ``directory`` (or in the nearest existing
    ancestor, where it would create it), or None: a probe file is written and removed."""
    from clauderon.fileio import transient_path

    target = directory
    while not target.exists() and target != target.parent:
        target = target.parent
    if not target.is_dir():
        return f"{target} is not a directory"
    # (unique: registry.db and sessions.space probe the same directory at the same time)
    probe = transient_path(target, f"doctor-write-probe.{os.urandom(4).hex()}")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return reason[:1].lower() + reason[1:]  # "read-only file system", in a sentence
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError as exc:
        return f"a file written there cannot be removed: {exc.strerror or exc}"
    return None


def written_by_clauderon(path: Path) -> bool:
    """``path`` is a regular file (not a link) that starts with clauderon's env file header:
    only such files are ever deleted as leftovers."""
    from clauderon.shellquote import HEADER_PREFIX

    try:
        if not path.is_file() or path.is_symlink():
            return False
        with path.open("rb") as handle:
            return handle.read(len(HEADER_PREFIX)) == HEADER_PREFIX
    except OSError:
        return False


def is_fresh(path: Path, now: float | None = None) -> bool:
    try:
        age = (now or time.time()) - path.stat().st_mtime
    except OSError:
        return False
    return age < GRACE_SECONDS


def is_clauderon(backend: str, name: str, files: Mapping[str, Path]) -> bool:
    """A listed session is clauderon's when its backend labels every session it lists as
    clauderon's, or when clauderon's env file of that name exists."""
    from clauderon import backends

    return backends.info(backend).labelled or name in files


def remove_env_files(ctx: Context, name: str) -> None:
    from clauderon.shellquote import remove_env_files as remove

    remove(name, ctx.env)


# -- env files -------------------------------------------------------------------------------


_GUARDED = re.compile(r'\[ "\$\{([A-Za-z_][A-Za-z0-9_]*)\+x\}\$\{\1-\}" = x')


def _quoted(text: str, i: int) -> tuple[str, int] | None:
    """The value quoted at ``text[i:]`` (``'...'`` pieces and ``\\'``) and where it ends;
    None when the file is cut off inside it."""
    parts: list[str] = []
    n = len(text)
    while i < n:
        if text[i] == "'":
            end = text.find("'", i + 1)
            if end < 0:
                return None
            parts.append(text[i + 1:end])
            i = end + 1
        elif text.startswith("\\'", i):
            parts.append("'")
            i += 2
        else:
            break
    return "".join(parts), i


def parse_sh_env(text: str) -> dict[str, str]:
    """The variables of an env file as clauderon writes it (``export K='v'`` lines, with
    ``'\\''`` for a quote; values may span lines; TERM and the locale variables as
    ``[ "${K+x}${K-}" = x'v' ] && export K || export K='v'``). Other lines are ignored."""
    result: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        guarded = _GUARDED.match(text, i)
        if guarded:
            name = guarded.group(1)
            first = _quoted(text, guarded.end())
            if first is None:
                return result  # truncated file: keep what was complete
            tail = f" ] && export {name} || export {name}="
            if text.startswith(tail, first[1]):
                second = _quoted(text, first[1] + len(tail))
                if second is None:
                    return result
                result[name] = second[0]
                i = second[1]
            else:
                i = first[1]
        elif text.startswith("export ", i):
            i += len("export ")
            eq = text.find("=", i)
            if eq < 0:
                break
            name = text[i:eq]
            value = _quoted(text, eq + 1)
            if value is None:
                return result  # truncated file: keep what was complete
            result[name] = value[0]
            i = value[1]
        nl = text.find("\n", i)
        i = n if nl < 0 else nl + 1
    return result


def read_env_file(path: Path) -> dict[str, str] | None:
    try:
        return parse_sh_env(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


# -- adopting a live session into the registry ------------------------------------------------


def adopted_record(ctx: Context, backend: str, name: str) -> Record:
    """A registry row for a live clauderon session that lost its row: the env file gives
    the stored env; the workdir is unknown (empty) and the shell the configured one."""
    from clauderon.config import effective_shell
    from clauderon.registry import Record

    variables = read_env_file(env_dir(ctx) / f"{name}.sh") or {}
    cfg = ctx.config_or_default()
    shell, _source = effective_shell(cfg, backend, None, ctx.env)
    return Record(name=name, backend=backend, workdir="", created_at=Record.now(),
                  shell=shell, env=variables, options={"adopted_by": "clauderon doctor"})


def refresh_names(ctx: Context) -> None:
    from clauderon.sessions import refresh_names_cache

    refresh_names_cache(ctx.registry(), ctx.env)


def backend_of(records: Iterable[Record], name: str) -> str | None:
    return next((r.backend for r in records if r.name == name), None)
