"""Lines a user added inside clauderon's rc block are kept, and --fix says what it will edit.

clauderon rewrites its block on `shell install`, `shell uninstall` and `doctor --fix`; lines a
user had typed between the markers used to vanish (and were in no backup when a backup
already existed). Now they are moved out, right after the block (or where it was), under one
comment line saying clauderon moved them and on which day. Every scenario runs for bash, zsh
and fish through the real CLI; `doctor --fix` runs under the real shell (shell detection
walks the parent processes) and must print which file it will edit, and how, on stderr.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from realtools import require

from adversarial.stats import STATS
from adversarial.support import TRACEBACK, World, clauderon_argv, run_recorded
from clauderon import paths, shellrc
from clauderon.shellrc import BACKUP_SUFFIX, BEGIN, END, NOTICE

pytestmark = pytest.mark.adversarial("rc")

SHELLS = ("bash", "zsh", "fish")
USER = b"# my settings \xe9\xff\nalias ll='ls -l'\n"
# What users type inside the block: their own settings, odd bytes, a line that only looks
# like clauderon's (unquoted path), trailing spaces, a comment.
MINE = {
    "posix": [b"export MINE='kept \xe9'", b"[ -r ~/x ] && . ~/x", b"  # why I put this here  "],
    "fish": [b"set -gx MINE 'kept \xe9'", b"test -r ~/x; and source ~/x",
             b"  # why I put this here  "],
}


def mine(shell: str) -> list[bytes]:
    return MINE["fish" if shell == "fish" else "posix"]


def rc_path(world: World, shell: str) -> Path:
    return shellrc.rc_file(shell, world.env)


def hook(world: World, shell: str) -> str:
    return shellrc.hook_line(shell, paths.shell_hook_copy(shell, world.env))


def note(eol: bytes = b"\n") -> bytes:
    return shellrc.MOVED_NOTE.format(day=time.strftime("%Y-%m-%d")).encode() + eol


def block(lines: list[bytes], eol: bytes = b"\n") -> bytes:
    return b"".join(line + eol for line in lines)


def edited_file(world: World, shell: str, *, eol: bytes = b"\n", hook_first: bool = True
                ) -> bytes:
    """The user's file: their lines, then clauderon's block holding lines they added."""
    own = hook(world, shell).encode()
    inside = [own, *mine(shell)] if hook_first else [*mine(shell), own]
    data = block([*USER.rstrip(b"\n").split(b"\n")], eol) + block(
        [BEGIN.encode(), NOTICE.encode(), *inside, END.encode()], eol) + b"after" + eol
    path = rc_path(world, shell)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def cli(world: World, shell: str, verb: str) -> subprocess.CompletedProcess[str]:
    STATS.add("rc:cli-runs")
    proc = world.run("shell", verb, "--shell", shell)
    assert proc.returncode == 0 and TRACEBACK not in proc.stderr, (shell, proc.stderr)
    return proc


def doctor_fix(world: World, shell: str) -> tuple[dict[str, object], str]:
    """``doctor --fix --check shell.init`` under the real ``shell``: (its item, stderr)."""
    program = require(shell, "doctor detects the shell it runs under")
    argv = [*clauderon_argv(), "doctor", "--json", "--fix", "--check", "shell.init"]
    if shell == "fish":
        wrapped = [program, "--no-config", "-c", "$argv; exit $status", *argv]
    else:
        wrapped = [program, "-c", '"$@"; exit $?', "t", *argv]
    STATS.add("rc:cli-runs")
    proc = run_recorded("clauderon", wrapped, env=world.merged({"SHELL": program}),
                        cwd=world.cwd, timeout=120)
    assert TRACEBACK not in proc.stderr, proc.stderr
    item = next(c for c in json.loads(proc.stdout)["checks"] if c["id"] == "shell.init")
    return item, proc.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_rc_install_moves_added_lines_out_of_the_block(world: World, shell: str) -> None:
    original = edited_file(world, shell)
    proc = cli(world, shell, "install")
    shown = paths.tidy_home(str(rc_path(world, shell)), world.env)
    assert f"Moved 3 lines you had added inside the clauderon block of {shown}" in proc.stdout
    expected = (USER + block([BEGIN.encode(), NOTICE.encode(), hook(world, shell).encode(),
                              END.encode()]) + note() + block(mine(shell)) + b"after\n")
    assert rc_path(world, shell).read_bytes() == expected
    backup = Path(f"{rc_path(world, shell)}{BACKUP_SUFFIX}")
    assert backup.read_bytes() == original
    # Once out, they stay out: a second install writes nothing.
    again = cli(world, shell, "install")
    assert "already" in again.stdout and rc_path(world, shell).read_bytes() == expected


@pytest.mark.parametrize("shell", SHELLS)
def test_rc_uninstall_keeps_added_lines_where_the_block_was(world: World, shell: str) -> None:
    edited_file(world, shell, hook_first=False)
    cli(world, shell, "install")  # the copy exists, and a backup: lines are kept anyway
    path = rc_path(world, shell)
    inside = path.read_bytes()
    # The user adds more lines inside the block after that.
    with_more = inside.replace(END.encode(), b"export LATER=1\n" + END.encode())
    path.write_bytes(with_more)
    proc = cli(world, shell, "uninstall")
    assert "Moved 1 line you had added" in proc.stdout, proc.stdout
    assert path.read_bytes() == (USER + note() + b"export LATER=1\n" + note()
                                 + block(mine(shell)) + b"after\n")


@pytest.mark.parametrize("shell", SHELLS)
def test_rc_crlf_file_keeps_added_lines_with_its_line_ends(world: World, shell: str) -> None:
    edited_file(world, shell, eol=b"\r\n")
    cli(world, shell, "install")
    data = rc_path(world, shell).read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n"), data
    assert note(b"\r\n") + block(mine(shell), b"\r\n") + b"after\r\n" in data
    cli(world, shell, "uninstall")
    assert rc_path(world, shell).read_bytes().endswith(
        note(b"\r\n") + block(mine(shell), b"\r\n") + b"after\r\n")
    STATS.add("eol:CRLF")


@pytest.mark.parametrize("shell", SHELLS)
def test_rc_nothing_added_is_still_byte_exact(world: World, shell: str) -> None:
    """Blank lines and clauderon's own lines (an older hook line too) are not the user's."""
    path = rc_path(world, shell)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(USER)
    cli(world, shell, "install")
    installed = path.read_bytes()
    old = shellrc.hook_line(shell, Path("/venv/lib/python3.11/site-packages/clauderon/"
                                        "shell_files/x")).removesuffix(" #")
    path.write_bytes(installed.replace(END.encode(), f"\n{old}\n{END}".encode()))
    cli(world, shell, "install")
    assert path.read_bytes() == installed
    cli(world, shell, "uninstall")
    assert path.read_bytes() == USER


@pytest.mark.parametrize("shell", SHELLS)
def test_rc_doctor_fix_moves_added_lines_and_says_so_first(world: World, shell: str) -> None:
    cli(world, shell, "install")  # the copy, and a block
    original = edited_file(world, shell)
    path = rc_path(world, shell)
    shown = paths.tidy_home(str(path), world.env)
    item, stderr = doctor_fix(world, shell)
    assert item["fixed"] is True and item["status"] == "ok", item
    announced = [line for line in stderr.splitlines() if line.startswith("doctor --fix:")]
    assert announced == [f"doctor --fix: will edit {shown}: replace the clauderon block's line "
                         f"with: {hook(world, shell)}; move 3 lines you added inside the "
                         f"block to just after it; first back it up to {shown}{BACKUP_SUFFIX}"]
    assert path.read_bytes() == (USER + block([BEGIN.encode(), NOTICE.encode(),
                                               hook(world, shell).encode(), END.encode()])
                                 + note() + block(mine(shell)) + b"after\n")
    assert Path(f"{path}{BACKUP_SUFFIX}").read_bytes() == original
    assert any("moved 3 lines you added to just after it" in str(n) for n in item["details"])


@pytest.mark.parametrize("shell", SHELLS)
def test_rc_doctor_fix_announces_nothing_when_it_edits_nothing(world: World,
                                                                shell: str) -> None:
    cli(world, shell, "install")
    before = rc_path(world, shell).read_bytes()
    item, stderr = doctor_fix(world, shell)
    assert item["status"] == "ok" and item["fixed"] is False, item
    assert "doctor --fix:" not in stderr
    assert rc_path(world, shell).read_bytes() == before


@pytest.mark.parametrize("shell", SHELLS)
def test_rc_doctor_fix_refused_rc_file_announces_no_edit(world: World, shell: str) -> None:
    """A hard-linked rc file cannot be edited safely: --fix says why, never "will edit"."""
    path = rc_path(world, shell)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(USER)
    other = path.with_name(path.name + ".other-link")
    other.hardlink_to(path)
    item, stderr = doctor_fix(world, shell)
    assert item["status"] == "error" and item["fixed"] is False, item
    assert "hard links" in str(item["summary"]), item
    assert "will edit" not in stderr, stderr
    assert path.read_bytes() == USER and path.samefile(other)
    assert not Path(f"{path}{BACKUP_SUFFIX}").exists()
    assert not paths.shell_hook_copy(shell, world.env).exists()  # nothing written at all
