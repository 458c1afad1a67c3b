"""Safe edits of the user's shell rc files: one marked block, nothing else touched.

The block looks like this (with the file's own line endings, LF or CRLF)::

    # >>> clauderon >>>
    # Managed by `clauderon shell install`; removed by `clauderon shell uninstall`.
    [ -r '/home/me/.local/share/clauderon/shell/clauderon.bash' ] && . '/home/me/…/clauderon.bash' #
    # <<< clauderon <<<

The line sources clauderon's copy of the hook at a stable XDG path (``hookcopy.py``), never
the package's own file, whose path changes with the venv or the Python version. The ``#`` at
the end of the bash/zsh line keeps a CRLF file working: the ``\r`` lands in the comment.

Rules:

- Every byte outside the block stays as it was. A file without a trailing newline gets one
  before a new block (the only byte added outside a block, and only when appending); the
  block's notice then says so, and removing that block takes the newline off again, so
  install + uninstall leaves the file byte-identical.
- Idempotent: installing the same body again writes nothing (not even the mtime changes); a
  different body replaces the block in place. More than one block (e.g. pasted twice by hand):
  install keeps the first position, writes the new block there and deletes the others; remove
  deletes all of them.
- Lines a user added inside a block are kept: install, uninstall and ``doctor --fix`` move
  them out, right after the block (or where it was), under one comment line saying that
  clauderon moved them and on which day. clauderon's own lines (the markers, the notice, a
  hook line for any path, blank lines) are the only ones it drops. When the user added
  nothing, install + uninstall is still byte-identical.
- A BEGIN without its END (or an END without BEGIN) is an error naming the line to fix;
  nothing is changed and nothing is guessed.
- Atomic: the new text goes to a temporary file beside the target, is fsynced and then renamed
  over it with ``os.replace``; a crash before the rename leaves the old file intact (a stale
  temporary file from a real crash is deleted by the next run). The file's mode is kept, and
  its owner and group when running as root.
- A symlinked rc file (dotfile managers) is followed to its final target, which is edited; the
  link itself stays a link. A dangling link is refused (exit 2, nothing created). A file
  with more than one hard link is refused too (the rename would split it from its other
  links and an in-place write is not crash-safe).
- The first time clauderon changes a file it copies it to ``<file>.clauderon-backup`` beside the
  path it was given (where the user looks for it); an existing backup is never overwritten.
- Uninstall deletes a file that holds only clauderon's block and has no backup (install
  created it: it backs up every file that existed, an empty one too), and makes no backup
  of it.
- Read-only files or directories raise :class:`ClauderonError` naming the file and the fix.
- Concurrent runs are serialised with ``flock`` on ``.<name>.clauderon.lock`` beside the target.
  The lock file is deleted when the run ends (safely: a waiter that locked a deleted lock file
  notices and locks the new one).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import re
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import NoReturn

from clauderon import paths
from clauderon.errors import ClauderonError, ConfigError, UsageError
from clauderon.fileio import write_all
from clauderon.shellquote import quote_fish, quote_posix
from clauderon.words import plural

BEGIN = "# >>> clauderon >>>"
END = "# <<< clauderon <<<"
NOTICE = "# Managed by `clauderon shell install`; removed by `clauderon shell uninstall`."
# The notice of a block appended to a file that had no newline at its end: uninstall takes
# the line ending it added back off, so the file is byte-identical again.
NOTICE_NO_EOL = NOTICE + " (the file had no final newline)"
BACKUP_SUFFIX = ".clauderon-backup"
SHELLS = ("bash", "zsh", "fish")

# What clauderon itself writes inside a block, besides the markers and the notice: the hook
# line, for any hook path (older clauderons sourced the package's file, without the `#`).
_POSIX_HOOK = re.compile(r"\[ -r ('(?:[^']|'\\'')*') \] && \. \1(?: #)?")
_FISH_HOOK = re.compile(r"test -r ('(?:[^'\\]|\\.)*') && source \1(?: #)?")
MOVED_NOTE = ("# clauderon moved the line(s) below out of its block on {day}: they were added "
              "inside it, where clauderon keeps only its own lines")

_BEGIN_B = BEGIN.encode()
_END_B = END.encode()
_TMP_INFIX = ".clauderon-tmp-"


class Action(str, Enum):
    """What an install or remove did."""

    CREATED = "created"  # a new block was added (the file may have been created too)
    UPDATED = "updated"  # an existing block was replaced by one with a different body
    UNCHANGED = "unchanged"  # the block was already exactly right; nothing was written
    REMOVED = "removed"  # the block(s) were deleted
    ABSENT = "absent"  # remove: no file or no block; nothing was written


@dataclass(frozen=True)
class Change:
    """The outcome of :func:`install_block` or :func:`remove_block`."""

    action: Action
    path: Path  # the file that was (or would have been) edited: the symlink's final target
    backup: Path | None = None  # the backup made by this call, if any
    file_created: bool = False
    file_deleted: bool = False  # remove: the file held only our block and install made it
    moved: int = 0  # lines the user had added inside the block, now right after it

    @property
    def changed(self) -> bool:
        return self.action in (Action.CREATED, Action.UPDATED, Action.REMOVED)


# ---------------------------------------------------------------------------------------------
# where the rc files are and what goes into them


def rc_file(shell: str, env: Mapping[str, str] | None = None) -> Path:
    """The file ``clauderon shell install`` edits for ``shell``."""
    e = os.environ if env is None else env
    if shell == "bash":
        return paths.home(env) / ".bashrc"
    if shell == "zsh":
        zdotdir = e.get("ZDOTDIR", "")
        return (Path(zdotdir) if zdotdir else paths.home(env)) / ".zshrc"
    if shell == "fish":
        return paths.user_config_dir(env) / "fish" / "conf.d" / "clauderon.fish"
    raise UsageError(f"unsupported shell {shell!r}; clauderon supports {', '.join(SHELLS)}")


def hook_line(shell: str, hook_path: Path) -> str:
    """The one line that sources the static hook file, quoted exactly for ``shell``."""
    if shell in ("bash", "zsh"):
        q = quote_posix(str(hook_path))
        return f"[ -r {q} ] && . {q} #"
    if shell == "fish":
        q = quote_fish(str(hook_path))
        return f"test -r {q} && source {q}"
    raise UsageError(f"unsupported shell {shell!r}; clauderon supports {', '.join(SHELLS)}")


# ---------------------------------------------------------------------------------------------
# public edits


def install_block(path: Path, body: str) -> Change:
    """Make ``path`` contain exactly one clauderon block with ``body``."""
    _check_body(body)
    path = _absolute(path)
    target = _resolve(path)
    _refuse_dangling(path, target)
    _refuse_hardlinked(target)
    if _plan_install(target, body) is None:  # already right: not even a lock file is made
        return Change(Action.UNCHANGED, target)
    _make_parent(target)
    with _locked(target):
        plan = _plan_install(target, body)
        if plan is None:
            return Change(Action.UNCHANGED, target)
        old, new, had_block = plan
        backup = _commit(path, target, old, new)
    action = Action.UPDATED if had_block else Action.CREATED
    return Change(action, target, backup, file_created=old is None,
                  moved=_moved_count(old or b"", target))


def check_editable(path: Path, body: str) -> None:
    """Raise what :func:`install_block` would refuse ``path`` with (a dangling link, hard
    links, a broken block, a read-only file or directory), changing nothing; so a caller can
    refuse before writing anything else."""
    _check_body(body)
    path = _absolute(path)
    target = _resolve(path)
    _refuse_dangling(path, target)
    _refuse_hardlinked(target)
    if _plan_install(target, body) is None:
        return
    old_stat = _stat(target)
    if old_stat is not None or target.parent.is_dir():
        _check_writable(target, old_stat)


def _plan_install(target: Path, body: str) -> tuple[bytes | None, bytes, bool] | None:
    """``(old, new, had_block)``, or None when the file already holds exactly this block."""
    old = _read(target)
    data = old if old is not None else b""
    blocks = _find_blocks(data, target)
    new = _with_block(data, blocks, body)
    if old is not None and new == old:
        return None
    return old, new, bool(blocks)


def _moved_count(data: bytes, target: Path) -> int:
    """How many lines inside the blocks of ``data`` are the user's (moved out on a write)."""
    lines = _split_lines(data)
    return sum(len(_user_lines(lines, start, end)) for start, end in _find_blocks(data, target))


def plan_text(path: Path, body: str | None) -> list[str]:
    """What :func:`install_block` (``body``) or :func:`remove_block` (None) would change in
    ``path``, one phrase each, without changing anything: empty when nothing. For saying
    what will be done before doing it (``doctor --fix``)."""
    target = _resolve(_absolute(path))
    old = _read(target)
    data = old or b""
    blocks = _find_blocks(data, target)
    if body is None:
        if not blocks:
            return []
        said = ["remove the clauderon block" if len(blocks) == 1
                else f"remove the {len(blocks)} clauderon blocks"]
    else:
        new = _with_block(data, blocks, body)
        if old is not None and new == old:
            return []
        if old is None:
            said = ["create it with the clauderon block"]
        elif not blocks:
            said = ["append the clauderon block"]
        else:
            first = _body_lines(body)
            said = [f"replace the clauderon block's line with: {first[0] if first else ''}"]
            if len(blocks) > 1:
                said.append(f"remove {plural(len(blocks) - 1, 'more clauderon block')}")
    moved = _moved_count(data, target)
    if moved:
        said.append(f"move {plural(moved, 'line')} you added inside the block to just after "
                    "it")
    if old is not None and not os.path.lexists(_backup_path(path)):
        said.append(f"first back it up to {_show(_backup_path(path))}")
    return said


def remove_block(path: Path) -> Change:
    """Delete every clauderon block from ``path``; a missing file or block is fine."""
    path = _absolute(path)
    target = _resolve(path)
    if _plan_remove(target) is None:
        return Change(Action.ABSENT, target)
    _refuse_hardlinked(target)
    if _plan_remove(target) is None:
        return Change(Action.ABSENT, target)
    with _locked(target):
        plan = _plan_remove(target)
        if plan is None:
            return Change(Action.ABSENT, target)
        old, new = plan
        moved = _moved_count(old, target)
        if not new and not os.path.lexists(_backup_path(path)):
            _delete_created(target)
            return Change(Action.REMOVED, target, file_deleted=True)
        backup = _commit(path, target, old, new)
    return Change(Action.REMOVED, target, backup, moved=moved)


def _backup_path(path: Path) -> Path:
    return path.with_name(path.name + BACKUP_SUFFIX)


def _delete_created(target: Path) -> None:
    """A file holding only our block and never backed up: install created it, so it goes.
    (Install backs up every file that existed before it, an empty one too.)"""
    _check_writable(target, _stat(target))
    target.unlink()
    _fsync_dir(target.parent)


def _plan_remove(target: Path) -> tuple[bytes, bytes] | None:
    """``(old, new)``, or None when there is no file or no block."""
    old = _read(target)
    if old is None:
        return None
    blocks = _find_blocks(old, target)
    if not blocks:
        return None
    return old, _without_blocks(old, blocks)


# ---------------------------------------------------------------------------------------------
# text


def _body_lines(body: str) -> list[str]:
    """The body's lines; only ``\n`` separates them (str.splitlines would also split on
    characters such as U+2028 that may sit inside a quoted path)."""
    text = body.rstrip("\n")
    return [line.rstrip("\r") for line in text.split("\n")] if text else []


def _check_body(body: str) -> None:
    for line in _body_lines(body):
        if line.strip() in (BEGIN, END):
            raise ValueError("the block body must not contain the clauderon markers")


def _split_lines(data: bytes) -> list[bytes]:
    """Lines with their ``\\n`` kept; only ``\\n`` ends a line (as in every shell)."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _is_marker(line: bytes, marker: bytes) -> bool:
    return line.strip() == marker


def _find_blocks(data: bytes, target: Path) -> list[tuple[int, int]]:
    """``(first, last)`` line indexes of every block; ConfigError for a broken one."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    for index, line in enumerate(_split_lines(data)):
        if _is_marker(line, _BEGIN_B):
            if start is not None:
                _raise_unclosed(target, start)
            start = index
        elif _is_marker(line, _END_B):
            if start is None:
                _raise_unopened(target, index)
            blocks.append((start, index))
            start = None
    if start is not None:
        _raise_unclosed(target, start)
    return blocks


def _raise_unclosed(target: Path, index: int) -> NoReturn:
    where = f"{_show(target)}:{index + 1}"
    raise ConfigError(
        f"{where} has '{BEGIN}' without a matching '{END}'; nothing was changed",
        hint=f"delete the half-removed clauderon block starting at {where}, or add '{END}' "
        "after its last line, then run the command again",
    )


def _raise_unopened(target: Path, index: int) -> NoReturn:
    where = f"{_show(target)}:{index + 1}"
    raise ConfigError(
        f"{where} has '{END}' without a '{BEGIN}' before it; nothing was changed",
        hint=f"delete line {index + 1} of {_show(target)} (or restore the block's first line), "
        "then run the command again",
    )


def _eol(data: bytes) -> bytes:
    """CRLF when most of the file's lines end with CRLF, else LF."""
    crlf = data.count(b"\r\n")
    return b"\r\n" if crlf and crlf * 2 > data.count(b"\n") else b"\n"


def _block_lines(body: str, eol: bytes, notice: str = NOTICE) -> list[bytes]:
    lines = [BEGIN, notice, *_body_lines(body), END]
    return [line.encode("utf-8") + eol for line in lines]


def _had_no_eol(lines: list[bytes], start: int) -> bool:
    """Whether the block starting at ``start`` was appended to a file without a final newline."""
    return start + 1 < len(lines) and lines[start + 1].strip() == NOTICE_NO_EOL.encode()


def _ours(line: bytes) -> bool:
    """A line clauderon itself writes inside its block (or a blank one)."""
    return own_line(line.decode("utf-8", "surrogateescape"))


def own_line(line: str) -> bool:
    """Whether ``line``, found inside a clauderon block, is one clauderon writes there (the
    notice, a hook line for any hook path) or blank; any other line is the user's."""
    text = line.strip()
    return (not text or text in (NOTICE, NOTICE_NO_EOL)
            or _POSIX_HOOK.fullmatch(text) is not None
            or _FISH_HOOK.fullmatch(text) is not None)


def _user_lines(lines: list[bytes], start: int, end: int) -> list[bytes]:
    """The lines between the markers of the block ``start``..``end`` that the user added."""
    return [line for line in lines[start + 1:end] if not _ours(line)]


def _kept_lines(lines: list[bytes], start: int, end: int, eol: bytes) -> list[bytes]:
    """What takes a block's place when it goes: the user's lines, under a note saying so."""
    user = _user_lines(lines, start, end)
    if not user:
        return []
    note = MOVED_NOTE.format(day=time.strftime("%Y-%m-%d"))
    return [note.encode() + eol, *user]


def _rebuild(lines: list[bytes], blocks: list[tuple[int, int]], eol: bytes,
             first: list[bytes]) -> list[bytes]:
    """``lines`` with the first block replaced by ``first`` and every block's own lines
    dropped; the user's lines of each block stay right after where it was."""
    out: list[bytes] = []
    done = 0
    for number, (start, end) in enumerate(blocks):
        out.extend(lines[done:start])
        if number == 0:
            out.extend(first)
        out.extend(_kept_lines(lines, start, end, eol))
        done = end + 1
    out.extend(lines[done:])
    return out


def _with_block(data: bytes, blocks: list[tuple[int, int]], body: str) -> bytes:
    eol = _eol(data)
    lines = _split_lines(data)
    if not blocks:
        if lines and not lines[-1].endswith(b"\n"):
            lines[-1] += eol
            return b"".join(lines + _block_lines(body, eol, NOTICE_NO_EOL))
        return b"".join(lines + _block_lines(body, eol))
    first_start = blocks[0][0]
    notice = NOTICE_NO_EOL if _had_no_eol(lines, first_start) else NOTICE
    return b"".join(_rebuild(lines, blocks, eol, _block_lines(body, eol, notice)))


def _without_blocks(data: bytes, blocks: list[tuple[int, int]]) -> bytes:
    lines = _split_lines(data)
    kept = _rebuild(lines, blocks, _eol(data), [])
    last_start, last_end = blocks[-1]
    at_end = last_end == len(lines) - 1
    # The line install ended (the file had no final newline) is the last one again: the
    # block was the file's end, held none of the user's lines, and no block came just before.
    before_is_kept = last_start > 0 and not any(
        start <= last_start - 1 <= end for start, end in blocks)
    if (at_end and _had_no_eol(lines, last_start) and before_is_kept
            and not _user_lines(lines, last_start, last_end)):
        before = kept[-1]
        kept[-1] = before[:-2] if before.endswith(b"\r\n") else before[:-1]
    return b"".join(kept)


# ---------------------------------------------------------------------------------------------
# files


def _show(path: Path) -> str:
    return paths.tidy_home(str(path))


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path.expanduser()))


def _resolve(path: Path) -> Path:
    """The final target of a symlink chain (the path itself when it is no link)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as err:
        raise ClauderonError(
            f"cannot follow the symlinks of {_show(path)}: {err}",
            hint=f"fix or remove the link: ls -l {_show(path)}",
        ) from None


def _refuse_dangling(path: Path, target: Path) -> None:
    """A symlink whose target is missing: creating it (and its directories) would guess."""
    if path.is_symlink() and not os.path.lexists(target):
        fix = f"create {_show(target)} or remove the link {_show(path)}"
        raise ConfigError(
            f"{_show(path)} is a symlink to {_show(target)}, which does not exist; nothing was "
            f"changed; {fix}, then run the command again", hint=fix)


def _refuse_hardlinked(target: Path) -> None:
    """A file with other hard links: the atomic rename would split it from them, and an
    in-place write is not crash-safe, so it is refused (one line, nothing changed)."""
    st = _stat(target)
    if st is not None and stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
        fix = (f"add the line yourself (`clauderon shell init` prints it), or make "
               f"{_show(target)} a symlink to the shared file")
        raise ConfigError(
            f"{_show(target)} has {st.st_nlink} hard links; editing it would split it from the "
            f"others, so nothing was changed; {fix}", hint=fix)


def _read(target: Path) -> bytes | None:
    """The file's bytes; None when it does not exist. Never opens a FIFO or a device."""
    try:
        if not stat.S_ISREG(os.stat(target).st_mode):
            raise ClauderonError(f"{_show(target)} is not a regular file; nothing was changed")
        return target.read_bytes()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise ClauderonError(
            f"cannot use {_show(target)}: a parent of it is not a directory"
        ) from None
    except PermissionError:
        fix = f"chmod u+r {_show(target)}"
        raise ClauderonError(f"cannot read {_show(target)}; fix: {fix}", hint=fix) from None


def _make_parent(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ClauderonError(
            f"cannot create {_show(target.parent)}: {err.strerror}",
            hint=f"create it yourself: mkdir -p {_show(target.parent)}",
        ) from None


def _user_name() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def _on_read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _read_only_fs_error(path: Path) -> ClauderonError:
    fix = ("remount it read-write, or add the line yourself where your rc files are kept "
           "(`clauderon shell init` prints it)")
    return ClauderonError(
        f"cannot write {_show(path)}: it is on a read-only file system; nothing was changed; "
        f"{fix}", hint=fix)


def _dir_error(directory: Path, detail: str) -> ClauderonError:
    if _on_read_only_fs(directory):
        return _read_only_fs_error(directory)
    fix = f"chmod u+w {_show(directory)}"
    return ClauderonError(
        f"cannot write in {_show(directory)} ({detail}); nothing was changed; fix: {fix}",
        hint=fix,
    )


def _check_writable(target: Path, old_stat: os.stat_result | None) -> None:
    """Refuse read-only files (``os.replace`` would silently bypass their mode) and dirs."""
    if old_stat is not None:
        if not stat.S_ISREG(old_stat.st_mode):
            raise ClauderonError(f"{_show(target)} is not a regular file; nothing was changed")
        if _on_read_only_fs(target):
            raise _read_only_fs_error(target)
        if not old_stat.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
            owned = os.geteuid() in (0, old_stat.st_uid)
            fix = (f"chmod u+w {_show(target)}" if owned
                   else f"sudo chown {_user_name()} {_show(target)}")
            raise ClauderonError(
                f"{_show(target)} is read-only; nothing was changed; fix: {fix}", hint=fix
            )
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise _dir_error(target.parent, "permission denied")


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``.<name>.clauderon.lock`` beside ``target``."""
    lock_path = target.with_name(f".{target.name}.clauderon.lock")
    fd = _acquire(lock_path)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock_path.unlink()  # still holding the lock: nobody else can own this inode
        os.close(fd)


def _acquire(lock_path: Path) -> int:
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as err:
            raise _dir_error(lock_path.parent, err.strerror or str(err)) from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            held, current = os.fstat(fd), os.stat(lock_path)
            if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the previous holder deleted this lock file; lock the new one


def _stat(target: Path) -> os.stat_result | None:
    try:
        return os.stat(target)
    except FileNotFoundError:
        return None


def _remove_stale_temps(target: Path) -> None:
    """Temporary files left by a crashed run (we hold the lock: none is in use)."""
    prefix = f".{target.name}{_TMP_INFIX}"
    for name in os.listdir(target.parent):
        if name.startswith(prefix):
            with contextlib.suppress(OSError):
                (target.parent / name).unlink()


def _commit(path: Path, target: Path, old: bytes | None, new: bytes) -> Path | None:
    """Replace ``target`` with ``new`` atomically; back it up first if never backed up."""
    old_stat = _stat(target)
    _check_writable(target, old_stat)
    _remove_stale_temps(target)
    tmp = target.with_name(f".{target.name}{_TMP_INFIX}{os.urandom(6).hex()}")
    backup: Path | None = None
    try:
        _write_temp(tmp, new, old_stat)
        if old is not None:
            backup = _backup_once(path, old, old_stat)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return backup


def _write_temp(tmp: Path, data: bytes, old_stat: os.stat_result | None) -> None:
    """Write ``data`` to a new file ``tmp`` carrying the old file's mode and owner."""
    create_mode = 0o600 if old_stat is not None else 0o666  # new files: the umask decides
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, create_mode)
    except OSError as err:
        raise _dir_error(tmp.parent, err.strerror or str(err)) from None
    try:
        if old_stat is not None:
            _copy_owner(fd, old_stat)
            os.fchmod(fd, stat.S_IMODE(old_stat.st_mode))
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_owner(fd: int, old_stat: os.stat_result) -> None:
    if os.geteuid() == 0:
        os.fchown(fd, old_stat.st_uid, old_stat.st_gid)
    elif old_stat.st_gid != os.getegid():
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, old_stat.st_gid)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _backup_once(path: Path, old: bytes, old_stat: os.stat_result | None) -> Path | None:
    """Copy the original to ``<path>.clauderon-backup`` unless a backup already exists."""
    backup = _backup_path(path)
    if os.path.lexists(backup):
        return None
    tmp = backup.with_name(f".{backup.name}{_TMP_INFIX}{os.urandom(6).hex()}")
    try:
        _write_temp(tmp, old, old_stat)
        os.link(tmp, backup)  # never overwrites: fails if a backup appeared meanwhile
    except FileExistsError:
        return None
    except OSError as err:
        raise ClauderonError(
            f"cannot back up {_show(path)} to {_show(backup)}: {err.strerror}; "
            "nothing was changed",
            hint=f"chmod u+w {_show(backup.parent)}",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return backup
