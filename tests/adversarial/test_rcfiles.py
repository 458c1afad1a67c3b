"""The user's rc files, through the real CLI: ``clauderon shell install/uninstall --shell X``.

Every scenario runs for bash (~/.bashrc), zsh (~/.zshrc) and fish
(~/.config/fish/conf.d/clauderon.fish) at the same time, each in its own file. After each one:
the user's own bytes are identical, there is exactly one clauderon block (or none), a backup
of the original exists whenever an existing file was changed, and nothing is left behind
(temporary files, lock files). A crash between writing the new file and renaming it over the
old one (a real SIGKILL of a real process) leaves the original intact.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from adversarial.stats import STATS
from adversarial.support import World, assert_one_line_error, read_only
from clauderon import shellrc
from clauderon.shellrc import BACKUP_SUFFIX, BEGIN, END

pytestmark = pytest.mark.adversarial("rc")

SHELLS = ("bash", "zsh", "fish")
USER = (b"# my rc \xe9\xff (not UTF-8)\nexport EDITOR=vim\n"
        b"alias ll='ls -l'   \t\nPS1='$ '\n# >>> clauderon >>> (not quite a marker)\n")


@dataclass
class Rc:
    world: World
    shell: str

    @property
    def path(self) -> Path:
        return shellrc.rc_file(self.shell, self.world.env)

    @property
    def backup(self) -> Path:
        return self.path.with_name(self.path.name + BACKUP_SUFFIX)

    def cli(self, verb: str) -> subprocess.CompletedProcess[str]:
        STATS.add("rc:cli-runs")
        return self.world.run("shell", verb, "--shell", self.shell)

    def install(self) -> subprocess.CompletedProcess[str]:
        proc = self.cli("install")
        assert proc.returncode == 0, (self.shell, proc.stderr)
        return proc

    def uninstall(self) -> subprocess.CompletedProcess[str]:
        proc = self.cli("uninstall")
        assert proc.returncode == 0, (self.shell, proc.stderr)
        return proc

    def write(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(data)

    def leftovers(self) -> list[str]:
        target = self.path.resolve()
        mine = f".{target.name}."  # bash and zsh share a directory: only this file's
        return sorted(n for n in os.listdir(target.parent) if n.startswith(mine)
                      and ("clauderon-tmp" in n or n.endswith(".clauderon.lock")))


def split_block(data: bytes) -> tuple[bytes, int]:
    """``data`` without its clauderon blocks, and how many there were."""
    kept: list[bytes] = []
    inside = False
    blocks = 0
    for line in data.splitlines(keepends=True):
        if line.strip() == BEGIN.encode():
            inside, blocks = True, blocks + 1
        elif line.strip() == END.encode() and inside:
            inside = False
        elif not inside:
            kept.append(line)
    return b"".join(kept), blocks


def assert_user_bytes_kept(rc: Rc, original: bytes, *, blocks: int) -> None:
    data = rc.path.read_bytes()
    user, found = split_block(data)
    assert found == blocks, (rc.shell, data)
    # The one byte clauderon may add outside its block: a newline ending a last line
    # that had none, before an appended block.
    expected = [original]
    if original and not original.endswith(b"\n"):
        eol = b"\r\n" if b"\r\n" in original else b"\n"
        expected.append(original + eol)
    assert user in expected, (rc.shell, user[:200], original[:200])
    assert rc.leftovers() == [], rc.leftovers()


def assert_backup(rc: Rc, original: bytes | None) -> None:
    if original is None:
        assert not rc.backup.exists()
    else:
        assert rc.backup.read_bytes() == original


def each_shell(world: World, scenario: Callable[[Rc], None]) -> None:
    """Run ``scenario`` for bash, zsh and fish at the same time (each has its own file)."""
    with ThreadPoolExecutor(len(SHELLS)) as pool:
        futures = [pool.submit(scenario, Rc(world, shell)) for shell in SHELLS]
        for future in futures:
            future.result()


def roundtrip(rc: Rc, original: bytes | None) -> None:
    """install (one block, user bytes kept, backup) -> install again (nothing written)
    -> uninstall (no block, user bytes kept)."""
    proc = rc.install()
    assert "Added the clauderon hook" in proc.stdout, proc.stdout
    assert_user_bytes_kept(rc, original or b"", blocks=1)
    assert_backup(rc, original)
    before = rc.path.stat()
    again = rc.install()
    assert "already" in again.stdout
    after = rc.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    removed = rc.uninstall()
    assert ("Deleted" in removed.stdout) == (original is None), removed.stdout
    if original is not None:
        assert_user_bytes_kept(rc, original, blocks=0)
        # byte-identical: even a missing final newline is restored
        assert rc.path.read_bytes() == original, (rc.shell, rc.path.read_bytes()[-80:])
    if original is None:  # a file install created is removed, with no backup of our block
        assert not os.path.lexists(rc.path) and not os.path.lexists(rc.backup)
        assert rc.leftovers() == []
    else:
        assert_backup(rc, original)


# -- the scenarios ------------------------------------------------------------------------------


def missing(rc: Rc) -> None:
    assert not rc.path.exists()
    roundtrip(rc, None)


def empty(rc: Rc) -> None:
    rc.write(b"")
    roundtrip(rc, b"")


def no_trailing_newline(rc: Rc) -> None:
    rc.write(b"export A=1\nexport B='no newline at the end'")
    roundtrip(rc, b"export A=1\nexport B='no newline at the end'")
    STATS.add("eol:no final newline")


def crlf(rc: Rc) -> None:
    original = b"export A=1\r\nexport B=2\r\n"
    rc.write(original)
    rc.install()
    assert rc.path.read_bytes().endswith(f"{END}\r\n".encode())
    assert b"\n" not in rc.path.read_bytes().replace(b"\r\n", b"")
    rc.uninstall()
    assert rc.path.read_bytes() == original
    STATS.add("eol:CRLF")


def huge(rc: Rc) -> None:
    line = b"export VAR_%07d='" + b"x" * 90 + b"'\n"
    original = b"".join(line % i for i in range(50_000))  # ~5 MB
    rc.write(original)
    roundtrip(rc, original)


def binary_junk(rc: Rc) -> None:
    original = USER + bytes(range(256)) + b"\n\0\0\n" + b"\r" * 10 + b"\xef\xbb\xbf BOM\n"
    rc.write(original)
    roundtrip(rc, original)


def symlinked(rc: Rc) -> None:
    """A dotfile manager: ~/.bashrc -> ~/dotfiles/link -> ~/dotfiles/store/bashrc."""
    store = rc.world.home / "dotfiles" / "store" / f"{rc.shell}rc"
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(USER)
    middle = rc.world.home / "dotfiles" / f"{rc.shell}-link"
    middle.symlink_to(store)
    rc.path.parent.mkdir(parents=True, exist_ok=True)
    rc.path.symlink_to(middle)
    rc.install()
    assert rc.path.is_symlink() and os.readlink(rc.path) == str(middle)
    assert middle.is_symlink() and os.readlink(middle) == str(store)
    user, blocks = split_block(store.read_bytes())
    assert (user, blocks) == (USER, 1)
    assert rc.backup.read_bytes() == USER and not rc.backup.is_symlink()
    rc.uninstall()
    assert store.read_bytes() == USER and rc.path.is_symlink()


def dangling_symlink(rc: Rc) -> None:
    """A link to a file (and directories) that do not exist: refused, nothing created."""
    gone = rc.world.home / "dotfiles-gone" / "deeper" / f"{rc.shell}rc"
    rc.path.parent.mkdir(parents=True, exist_ok=True)
    rc.path.symlink_to(gone)
    proc = rc.cli("install")
    assert proc.returncode == 2, proc
    line = assert_one_line_error(proc, "does not exist")
    assert "remove the link" in line, line
    assert rc.path.is_symlink() and os.readlink(rc.path) == str(gone)
    assert not (rc.world.home / "dotfiles-gone").exists()
    assert not rc.backup.exists()


def hardlinked(rc: Rc) -> None:
    """A hard-linked rc file: refused with one line, both links still one file."""
    rc.write(USER)
    other = rc.path.with_name(rc.path.name + ".other-link")
    os.link(rc.path, other)
    line = assert_one_line_error(rc.cli("install"), "hard links", code=2)
    assert "nothing was changed" in line, line
    assert os.path.samefile(rc.path, other) and rc.path.read_bytes() == USER
    with_block = USER + f"{BEGIN}\necho hook\n{END}\n".encode()
    rc.write(with_block)  # written through the link: still one file
    line = assert_one_line_error(rc.cli("uninstall"), "hard links", code=2)
    assert os.path.samefile(rc.path, other) and rc.path.read_bytes() == with_block
    assert not rc.backup.exists()


def read_only_file(rc: Rc) -> None:
    rc.write(USER)
    rc.path.chmod(0o444)
    for verb in ("install", "uninstall"):
        proc = rc.cli(verb)
        if verb == "install":
            assert_one_line_error(proc, "read-only", "nothing was changed")
        else:
            assert proc.returncode == 0 and "nothing to do" in proc.stdout
    assert rc.path.read_bytes() == USER
    assert stat.S_IMODE(rc.path.stat().st_mode) == 0o444
    assert not rc.backup.exists() and rc.leftovers() == []


def hand_edited_block(rc: Rc) -> None:
    edited = (USER + f"{BEGIN}\n# I changed this\nsource ~/somewhere-else\n{END}\n".encode()
              + b"export AFTER=1\n")
    rc.write(edited)
    proc = rc.install()
    assert "Updated" in proc.stdout and "Moved 2 lines you had added" in proc.stdout
    data = rc.path.read_bytes()
    user, blocks = split_block(data)
    # The user's lines inside the block are kept: moved to just after it, under a note.
    mine = b"# I changed this\nsource ~/somewhere-else\n"
    note = shellrc.MOVED_NOTE.format(day=time.strftime("%Y-%m-%d")).encode() + b"\n"
    assert (user, blocks) == (USER + note + mine + b"export AFTER=1\n", 1)
    assert data.index(BEGIN.encode() + b"\n") == len(USER)  # in place, not at the end
    assert rc.backup.read_bytes() == edited
    rc.uninstall()
    assert rc.path.read_bytes() == USER + note + mine + b"export AFTER=1\n"


def half_deleted_block(rc: Rc) -> None:
    for broken in (USER + f"{BEGIN}\nsource x\n".encode() + b"export AFTER=1\n",
                   USER + f"source x\n{END}\n".encode() + b"export AFTER=1\n"):
        rc.write(broken)
        for verb in ("install", "uninstall"):
            line = assert_one_line_error(rc.cli(verb), "nothing was changed", code=2)
            assert f"{rc.path.name}:" in line  # FILE:LINE to fix
            assert rc.path.read_bytes() == broken
        assert not rc.backup.exists() and rc.leftovers() == []


def pasted_twice(rc: Rc) -> None:
    block = f"{BEGIN}\n[ -r '/old/hook' ] && . '/old/hook'\n{END}\n".encode()
    original = USER + block + b"middle\n" + block + b"end\n"
    rc.write(original)
    rc.install()
    user, blocks = split_block(rc.path.read_bytes())
    assert (user, blocks) == (USER + b"middle\nend\n", 1)
    assert rc.backup.read_bytes() == original
    rc.uninstall()
    assert rc.path.read_bytes() == USER + b"middle\nend\n"


def idempotent_many(rc: Rc) -> None:
    rc.write(USER)
    for _ in range(3):
        rc.install()
    assert_user_bytes_kept(rc, USER, blocks=1)
    for _ in range(2):
        rc.uninstall()
    assert rc.path.read_bytes() == USER
    assert rc.backup.read_bytes() == USER


def concurrent_installs(rc: Rc) -> None:
    rc.write(USER)
    with ThreadPoolExecutor(6) as pool:
        procs = list(pool.map(lambda _: rc.cli("install"), range(6)))
    assert [p.returncode for p in procs] == [0] * 6, [p.stderr for p in procs]
    added = sum("Added" in p.stdout for p in procs)
    assert added == 1, [p.stdout for p in procs]
    assert_user_bytes_kept(rc, USER, blocks=1)
    assert rc.backup.read_bytes() == USER
    with ThreadPoolExecutor(4) as pool:
        procs = list(pool.map(lambda _: rc.cli("uninstall"), range(4)))
    assert sum("Removed" in p.stdout for p in procs) == 1
    assert rc.path.read_bytes() == USER and rc.leftovers() == []


def not_a_regular_file(rc: Rc) -> None:
    rc.path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(rc.path)
    assert_one_line_error(rc.cli("install"), "not a regular file")
    assert stat.S_ISFIFO(os.lstat(rc.path).st_mode)
    rc.path.unlink()
    loop = rc.path.with_name(rc.path.name + ".loop")
    loop.symlink_to(rc.path)
    rc.path.symlink_to(loop)
    assert_one_line_error(rc.cli("install"), "symlink")
    assert rc.path.is_symlink() and loop.is_symlink()


SCENARIOS: dict[str, Callable[[Rc], None]] = {
    "missing file": missing,
    "empty file": empty,
    "no trailing newline": no_trailing_newline,
    "CRLF line ends": crlf,
    "huge (5 MB)": huge,
    "binary junk, NUL, not UTF-8": binary_junk,
    "symlink chain (dotfile manager)": symlinked,
    "dangling symlink": dangling_symlink,
    "hard-linked file": hardlinked,
    "read-only file": read_only_file,
    "hand-edited block": hand_edited_block,
    "half-deleted block": half_deleted_block,
    "block pasted twice": pasted_twice,
    "repeated install/uninstall": idempotent_many,
    "concurrent installs": concurrent_installs,
    "FIFO and symlink loop": not_a_regular_file,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_rc_scenario(world: World, scenario: str) -> None:
    each_shell(world, SCENARIOS[scenario])


def test_rc_read_only_directory(world: World) -> None:
    rcs = [Rc(world, shell) for shell in SHELLS]
    for rc in rcs:
        rc.write(USER)
    directories = sorted({rc.path.parent for rc in rcs})
    with contextlib.ExitStack() as stack:
        how = {stack.enter_context(read_only(directory)) for directory in directories}
        for rc in rcs:
            line = assert_one_line_error(rc.cli("install"), "nothing was changed")
            expected = "read-only file system" if how == {"read-only bind mount"} else "chmod"
            assert expected in line, line
    for rc in rcs:
        assert rc.path.read_bytes() == USER and not rc.backup.exists()
        assert rc.leftovers() == []


# -- a real crash between writing the new file and renaming it ---------------------------------

CRASHER = r"""
import os, sys, time
flag, target, shell = sys.argv[1:4]
real_replace = os.replace

def stalled_replace(src, dst, *args, **kwargs):
    if os.path.abspath(str(dst)) == target:  # the rc file (not the hook's copy)
        with open(flag + ".part", "w") as handle:
            handle.write(str(src))
        os.rename(flag + ".part", flag)
        time.sleep(600)  # killed here: the new text is written and fsynced, not renamed
    return real_replace(src, dst, *args, **kwargs)

os.replace = stalled_replace
sys.argv = ["clauderon", "shell", "install", "--shell", shell]
from clauderon.__main__ import main
main()
"""


def crash_mid_write(rc: Rc) -> None:
    rc.write(USER)
    flag = rc.world.root / f"stalled-{rc.shell}"
    child = subprocess.Popen([sys.executable, "-c", CRASHER, str(flag), str(rc.path.resolve()),
                              rc.shell],
                             env=rc.world.env, cwd=rc.world.cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not flag.exists():
            assert child.poll() is None, "the installer ended before the rename"
            assert time.monotonic() < deadline, "the installer never reached the rename"
            time.sleep(0.01)
        temp = Path(flag.read_text())
        assert split_block(temp.read_bytes()) == (USER, 1)  # the new text was complete
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert rc.path.read_bytes() == USER  # the original, untouched
    assert rc.backup.read_bytes() == USER
    # The next run removes the dead run's temporary file and lock, then does the job.
    rc.install()
    assert not temp.exists()
    assert_user_bytes_kept(rc, USER, blocks=1)
    rc.uninstall()
    assert rc.path.read_bytes() == USER


def test_rc_crash_between_write_and_rename(world: World) -> None:
    each_shell(world, crash_mid_write)
