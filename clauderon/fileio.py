"""Writing files: the one atomic writer, private directories, and the naming scheme of
short-lived files.

``atomic_write`` writes a new file beside the target under a transient name and renames it
over the target, so a crash leaves the old file or the new one, never a torn one. The file
has the given mode from its first moment and the directories it creates have theirs, whatever
the umask.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700

# Short-lived files (a file being written before its rename, tmux's source-file script,
# docker's --env-file) share one naming scheme, so that doctor can find those a killed
# clauderon process left behind: a dot, a label (unique within the process where it must
# be), the writer's pid, ".tmp".
TRANSIENT_NAME = re.compile(r"\..+\.(?P<pid>\d+)\.tmp")


def transient_path(directory: Path, label: str) -> Path:
    return directory / f".{label}.{os.getpid()}.tmp"


def writer_running(pid: int) -> bool:
    """Whether the process whose pid a transient name holds may still be writing it: False
    only when no such process exists (another user's process, or a pid that cannot be
    asked about, counts as running: its file is left alone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def ensure_dir(directory: Path, mode: int) -> None:
    """Create ``directory`` (and missing parents, with the same mode) and, when it is
    private, make sure it is exactly ``mode``."""
    missing = []
    probe = directory
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=mode)
        except FileExistsError:
            continue
        os.chmod(created, mode)  # mkdir's mode is filtered by the umask
    if mode == PRIVATE_DIR and (directory.stat().st_mode & 0o777) != mode:
        os.chmod(directory, mode)


def ensure_private_dir(directory: Path) -> None:
    ensure_dir(directory, PRIVATE_DIR)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write(path: Path, data: str | bytes, *, mode: int = 0o644,
                 dir_mode: int = 0o755, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8, newlines as given).

    ``durable`` fsyncs the data before the rename; derived state that clauderon can
    recompute (env files, caches) skips it."""
    ensure_dir(path.parent, dir_mode)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = transient_path(path.parent, f"{path.name}.{os.urandom(6).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 mode)
    try:
        try:
            os.fchmod(fd, mode)  # the umask may have removed bits
            write_all(fd, raw)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_private_file(path: Path, data: str | bytes, *, durable: bool = False) -> None:
    """``atomic_write`` of a file that may hold secrets: 0600 in a 0700 directory."""
    atomic_write(path, data, mode=PRIVATE_FILE, dir_mode=PRIVATE_DIR, durable=durable)
