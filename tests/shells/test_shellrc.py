"""Safe edits of rc files: one block, atomic, nothing outside it touched; and real shells."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from shellrun import HOOKS, SHELLS, RunShell, dump_cmd, read_dump

from clauderon import shellrc
from clauderon.errors import ClauderonError, ConfigError, UsageError
from clauderon.shellquote import write_env_files
from clauderon.shellrc import (
    BEGIN,
    END,
    NOTICE,
    NOTICE_NO_EOL,
    Action,
    hook_line,
    install_block,
    remove_block,
)

pytestmark = pytest.mark.shells

BODY = "[ -r '/opt/clauderon/clauderon.bash' ] && . '/opt/clauderon/clauderon.bash'"
BODY2 = "[ -r '/usr/share/clauderon/clauderon.bash' ] && . '/usr/share/clauderon/clauderon.bash'"
# What older clauderons wrote: the package's own hook file (no `#` at the end).
OLD_HOOK = ("[ -r '/v/lib/python3.11/site-packages/clauderon/shell_files/clauderon.bash' ] && "
            ". '/v/lib/python3.11/site-packages/clauderon/shell_files/clauderon.bash'")
FISH_HOOK = "test -r '/x/it\\'s.fish' && source '/x/it\\'s.fish'"
USER_TEXT = b"# my rc\nexport EDITOR=vim\xe9\r stray CR\nalias ll='ls -l'\n"


def block(body: str = BODY, eol: str = "\n", notice: str = NOTICE) -> bytes:
    return eol.join([BEGIN, notice, body, END, ""]).encode()


def count_blocks(data: bytes) -> int:
    return data.count(BEGIN.encode())


def leftovers(directory: Path) -> list[str]:
    """Temporary or lock files clauderon may have left in ``directory``."""
    return sorted(n for n in os.listdir(directory) if "clauderon-tmp" in n or n.endswith(".lock"))


@pytest.fixture
def rc(tmp_path: Path) -> Path:
    path = tmp_path / "rcdir" / ".bashrc"
    path.parent.mkdir()
    path.write_bytes(USER_TEXT)
    return path


# --- install -------------------------------------------------------------------------------


def test_install_appends_one_block_and_keeps_user_bytes(rc: Path) -> None:
    change = install_block(rc, BODY)
    assert change.action is Action.CREATED and change.changed
    assert change.path == rc.resolve()
    assert rc.read_bytes() == USER_TEXT + block()
    assert leftovers(rc.parent) == []


def test_ten_installs_make_one_block_and_the_second_writes_nothing(rc: Path) -> None:
    install_block(rc, BODY)
    before = rc.stat()
    for _ in range(9):
        change = install_block(rc, BODY)
        assert change.action is Action.UNCHANGED and not change.changed
        assert change.backup is None
    after = rc.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert count_blocks(rc.read_bytes()) == 1
    assert leftovers(rc.parent) == []


def test_a_different_body_replaces_the_block_in_place(rc: Path) -> None:
    rc.write_bytes(b"top\n" + block() + b"bottom\n")
    change = install_block(rc, BODY2)
    assert change.action is Action.UPDATED
    assert rc.read_bytes() == b"top\n" + block(BODY2) + b"bottom\n"


def test_more_than_one_block_keeps_the_first_place(rc: Path) -> None:
    rc.write_bytes(b"a\n" + block() + b"b\n" + block(OLD_HOOK) + b"c\n")
    assert install_block(rc, BODY2).action is Action.UPDATED
    assert rc.read_bytes() == b"a\n" + block(BODY2) + b"b\nc\n"


def test_missing_file_and_dirs_are_created(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "fish" / "conf.d" / "clauderon.fish"
    change = install_block(path, "test -r '/x' && source '/x'")
    assert change.action is Action.CREATED and change.file_created
    assert change.backup is None
    assert path.read_bytes() == block("test -r '/x' && source '/x'")


def test_no_trailing_newline_gets_one_before_the_block(rc: Path) -> None:
    rc.write_bytes(b"export A=1")
    install_block(rc, BODY)
    assert rc.read_bytes() == b"export A=1\n" + block(notice=NOTICE_NO_EOL)
    assert install_block(rc, BODY2).action is Action.UPDATED  # the note is kept
    assert rc.read_bytes() == b"export A=1\n" + block(BODY2, notice=NOTICE_NO_EOL)
    remove_block(rc)
    assert rc.read_bytes() == b"export A=1"  # byte-identical: the added newline is gone


def test_crlf_file_gets_a_crlf_block(rc: Path) -> None:
    original = b"export A=1\r\nexport B=2\r\n"
    rc.write_bytes(original)
    install_block(rc, BODY)
    assert rc.read_bytes() == original + block(eol="\r\n")
    assert install_block(rc, BODY).action is Action.UNCHANGED
    assert remove_block(rc).action is Action.REMOVED
    assert rc.read_bytes() == original


def test_crlf_file_without_trailing_newline(rc: Path) -> None:
    rc.write_bytes(b"a\r\nb")
    install_block(rc, BODY)
    assert rc.read_bytes() == b"a\r\nb\r\n" + block(eol="\r\n", notice=NOTICE_NO_EOL)
    remove_block(rc)
    assert rc.read_bytes() == b"a\r\nb"


def test_a_line_added_after_the_block_keeps_the_newline(rc: Path) -> None:
    rc.write_bytes(b"export A=1")
    install_block(rc, BODY)
    rc.write_bytes(rc.read_bytes() + b"export C=3\n")
    remove_block(rc)
    assert rc.read_bytes() == b"export A=1\nexport C=3\n"


def test_symlink_chain_edits_the_final_target(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "bashrc"
    real.write_bytes(USER_TEXT)
    middle = tmp_path / "middle"
    middle.symlink_to(real)
    link = tmp_path / ".bashrc"
    link.symlink_to(middle)
    change = install_block(link, BODY)
    assert change.path == real
    assert link.is_symlink() and middle.is_symlink()
    assert os.readlink(link) == str(middle)
    assert real.read_bytes() == USER_TEXT + block()
    assert change.backup == tmp_path / ".bashrc.clauderon-backup"
    assert leftovers(tmp_path) == [] and leftovers(dotfiles) == []


def test_symlink_loop_is_an_error(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(ClauderonError, match="symlink"):
        install_block(a, BODY)


def test_backup_is_made_once_and_never_overwritten(rc: Path) -> None:
    backup = rc.with_name(".bashrc.clauderon-backup")
    first = install_block(rc, BODY)
    assert first.backup == backup
    assert backup.read_bytes() == USER_TEXT
    assert install_block(rc, BODY2).backup is None
    assert remove_block(rc).backup is None
    assert backup.read_bytes() == USER_TEXT


def test_mode_is_kept_and_backup_has_it_too(rc: Path) -> None:
    rc.chmod(0o640)
    install_block(rc, BODY)
    assert stat.S_IMODE(rc.stat().st_mode) == 0o640
    backup = rc.with_name(".bashrc.clauderon-backup")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_owner_is_kept_when_root(rc: Path) -> None:
    os.chown(rc, 4321, 4322)
    install_block(rc, BODY)
    st = rc.stat()
    assert (st.st_uid, st.st_gid) == (4321, 4322)


def test_read_only_file_is_an_error_and_nothing_changes(rc: Path) -> None:
    rc.chmod(0o444)
    with pytest.raises(ClauderonError) as info:
        install_block(rc, BODY)
    message = str(info.value)
    assert "\n" not in message and str(rc.name) in message and "chmod u+w" in message
    assert rc.read_bytes() == USER_TEXT
    assert sorted(os.listdir(rc.parent)) == [".bashrc"]


def test_read_only_file_with_block_cannot_be_removed_either(rc: Path) -> None:
    rc.write_bytes(USER_TEXT + block())
    rc.chmod(0o444)
    with pytest.raises(ClauderonError, match="chmod u\\+w"):
        remove_block(rc)
    assert rc.read_bytes() == USER_TEXT + block()


def test_read_only_file_that_is_already_right_is_fine(rc: Path) -> None:
    rc.write_bytes(USER_TEXT + block())
    rc.chmod(0o444)
    assert install_block(rc, BODY).action is Action.UNCHANGED


def test_unwritable_directory_is_an_error(
    rc: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    rc.unlink()
    directory = rc.parent
    if os.geteuid() == 0:  # root writes anywhere: simulate what a user would see
        real_access = os.access

        def access(path: str | Path, mode: int, **kw: object) -> bool:
            return False if Path(path) == directory else real_access(path, mode)

        monkeypatch.setattr(shellrc.os, "access", access)
        real_open = os.open

        def deny_open(path: str | Path, flags: int, mode: int = 0o777, **kw: object) -> int:
            if Path(path).parent == directory:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, mode)

        monkeypatch.setattr(shellrc.os, "open", deny_open)
    else:
        directory.chmod(0o555)
    try:
        with pytest.raises(ClauderonError) as info:
            install_block(rc, BODY)
    finally:
        directory.chmod(0o755)
    assert "chmod u+w" in str(info.value) and "\n" not in str(info.value)
    assert os.listdir(directory) == []


@pytest.mark.parametrize("broken", [
    b"a\n" + BEGIN.encode() + b"\nstuff\n",
    b"a\n" + BEGIN.encode() + b"\nstuff\n" + block(),
    b"a\nstuff\n" + END.encode() + b"\nb\n",
])
def test_half_deleted_block_is_an_error_and_nothing_changes(rc: Path, broken: bytes) -> None:
    rc.write_bytes(broken)
    for action in (lambda: install_block(rc, BODY), lambda: remove_block(rc)):
        with pytest.raises(ConfigError) as info:
            action()
        assert ":2 " in str(info.value) or ":3 " in str(info.value)
        assert info.value.hint
        assert rc.read_bytes() == broken
    assert sorted(os.listdir(rc.parent)) == [".bashrc"]


def test_body_with_markers_is_refused(rc: Path) -> None:
    with pytest.raises(ValueError):
        install_block(rc, f"x\n{END}\ny")


# --- remove --------------------------------------------------------------------------------


def test_remove_takes_out_exactly_the_block(rc: Path) -> None:
    install_block(rc, BODY)
    rc.write_bytes(rc.read_bytes() + b"after\n")
    change = remove_block(rc)
    assert change.action is Action.REMOVED
    assert rc.read_bytes() == USER_TEXT + b"after\n"


def test_remove_all_blocks(rc: Path) -> None:
    rc.write_bytes(b"a\n" + block() + b"b\n" + block(FISH_HOOK) + b"c")
    remove_block(rc)
    assert rc.read_bytes() == b"a\nb\nc"


def test_remove_without_file_or_block_writes_nothing(rc: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / ".zshrc"
    assert remove_block(missing).action is Action.ABSENT
    assert not missing.parent.exists()
    before = rc.stat()
    assert remove_block(rc).action is Action.ABSENT
    assert rc.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(os.listdir(rc.parent)) == [".bashrc"]


# --- atomicity and concurrency -------------------------------------------------------------


def test_crash_before_rename_leaves_original_and_no_temp(
    rc: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(src: str | Path, dst: str | Path) -> None:
        raise OSError("simulated crash")

    monkeypatch.setattr(shellrc.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        install_block(rc, BODY)
    assert rc.read_bytes() == USER_TEXT
    assert sorted(os.listdir(rc.parent)) == [".bashrc"]


def test_stale_temp_from_a_real_crash_is_cleaned(rc: Path) -> None:
    stale = rc.with_name("..bashrc.clauderon-tmp-deadbeef")  # "." + the file's name
    stale.write_text("half written")
    install_block(rc, BODY)
    assert not stale.exists()


def test_concurrent_installs_end_with_one_block(rc: Path) -> None:
    # Separate interpreters started together, each installing five times.
    code = ("import sys; from pathlib import Path; from clauderon.shellrc import install_block\n"
            "for _ in range(5): install_block(Path(sys.argv[1]), sys.argv[2])")
    bodies = [BODY if i % 2 else BODY2 for i in range(6)]
    procs = [subprocess.Popen([sys.executable, "-c", code, str(rc), b]) for b in bodies]
    assert [p.wait(60) for p in procs] == [0] * len(procs)
    data = rc.read_bytes()
    assert count_blocks(data) == 1 and data.count(END.encode()) == 1
    assert data.startswith(USER_TEXT)
    assert data[len(USER_TEXT):] in (block(BODY), block(BODY2))
    assert leftovers(rc.parent) == []


# --- rc_file and hook_line -----------------------------------------------------------------


def test_rc_file_locations(tmp_path: Path) -> None:
    env = {"HOME": "/h"}
    assert shellrc.rc_file("bash", env) == Path("/h/.bashrc")
    assert shellrc.rc_file("zsh", env) == Path("/h/.zshrc")
    assert shellrc.rc_file("zsh", {**env, "ZDOTDIR": "/z"}) == Path("/z/.zshrc")
    assert shellrc.rc_file("fish", env) == Path("/h/.config/fish/conf.d/clauderon.fish")
    assert (shellrc.rc_file("fish", {**env, "XDG_CONFIG_HOME": "/c"})
            == Path("/c/fish/conf.d/clauderon.fish"))
    assert (shellrc.rc_file("fish", {**env, "XDG_CONFIG_HOME": "rel"})
            == Path("/h/.config/fish/conf.d/clauderon.fish"))
    with pytest.raises(UsageError):
        shellrc.rc_file("tcsh", env)


def test_hook_line_text() -> None:
    # The `#` at the end: in a CRLF file the `\r` lands in a comment, not in the path.
    assert hook_line("bash", Path("/p/clauderon.bash")) == (
        "[ -r '/p/clauderon.bash' ] && . '/p/clauderon.bash' #")
    assert hook_line("fish", Path("/p/it's\\x.fish")) == (
        "test -r '/p/it\\'s\\\\x.fish' && source '/p/it\\'s\\\\x.fish'")


def test_installed_rc_works_in_the_real_shell(
    shell: str, run_shell: RunShell, shell_env: dict[str, str], tmp_path: Path, out_dir: Path,
) -> None:
    """install_block(rc_file(), hook_line()) with a hook at an awkward path, then a real shell."""
    odd_dir = tmp_path / "it's a $dir \\ with `odd` (chars)"
    odd_dir.mkdir()
    hook = odd_dir / HOOKS[shell].name
    hook.write_bytes(HOOKS[shell].read_bytes())
    rc = shellrc.rc_file(shell, shell_env)
    if shell != "fish":
        rc.write_text("export PRE=1\n")
    install_block(rc, hook_line(shell, hook))
    install_block(rc, hook_line(shell, hook))
    write_env_files("api-fix", {"TERM": "xterm-256color", "http_proxy": "http://p:1"}, shell_env)
    names = ["TERM", "http_proxy", "CLAUDERON_HOOK"]
    result = run_shell(shell, dump_cmd(shell, names, out_dir),
                       env={"CLAUDERON_SESSION": "api-fix"})
    assert result.output == ""
    assert read_dump(out_dir, names) == {"TERM": b"xterm-256color", "http_proxy": b"http://p:1",
                                         "CLAUDERON_HOOK": b"1"}
    assert remove_block(rc).action is Action.REMOVED
    out_dir2 = tmp_path / "out2"
    out_dir2.mkdir()
    run_shell(shell, dump_cmd(shell, names, out_dir2), env={"CLAUDERON_SESSION": "api-fix"})
    assert read_dump(out_dir2, names)["CLAUDERON_HOOK"] is None


def test_all_shells_known() -> None:
    assert set(SHELLS) == set(shellrc.SHELLS)


def test_install_waits_for_the_lock(rc: Path) -> None:
    # A separate interpreter (not a fork of this multi-threaded one, which can deadlock).
    code = ("import sys; from pathlib import Path; from clauderon.shellrc import install_block;"
            "install_block(Path(sys.argv[1]), sys.argv[2])")
    with shellrc._locked(rc.resolve()):
        proc = subprocess.Popen([sys.executable, "-c", code, str(rc), BODY])
        try:
            proc.wait(1.5)
        except subprocess.TimeoutExpired:
            pass
        assert proc.poll() is None, "install did not wait for the lock"
        assert rc.read_bytes() == USER_TEXT
    assert proc.wait(30) == 0
    assert rc.read_bytes() == USER_TEXT + block()
    assert leftovers(rc.parent) == []


def test_not_a_regular_file_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / ".bashrc"
    os.mkfifo(fifo)
    with pytest.raises(ClauderonError, match="not a regular file"):
        install_block(fifo, BODY)
    (tmp_path / "dir").mkdir()
    with pytest.raises(ClauderonError, match="not a regular file"):
        remove_block(tmp_path / "dir")


# --- lines the user added inside the block ---------------------------------------------------


def moved_note() -> bytes:
    return shellrc.MOVED_NOTE.format(day=time.strftime("%Y-%m-%d")).encode() + b"\n"


def test_clauderons_own_lines() -> None:
    for line in (BODY, OLD_HOOK, FISH_HOOK, BODY + " #", "", "   ", NOTICE, NOTICE_NO_EOL,
                 hook_line("bash", Path("/a b/it's")), hook_line("fish", Path("/a\\b/it's"))):
        assert shellrc.own_line(line), line
    for line in ("[ -r '/a' ] && . '/b'",  # two different files: not a line clauderon writes
                 "[ -r ~/x ] && . ~/x", "source /old/hook", "# a comment", "export A=1",
                 "test -r '/a' && source '/b'", BODY + " # mine"):
        assert not shellrc.own_line(line), line


def test_user_lines_inside_the_block_move_out_on_install(rc: Path) -> None:
    inside = b"[ -r '/old' ] && . '/old'\nexport MINE=1\n\n# mine\n"
    rc.write_bytes(USER_TEXT + BEGIN.encode() + b"\n" + inside + END.encode() + b"\nafter\n")
    change = install_block(rc, BODY)
    assert change.action is Action.UPDATED and change.moved == 2
    assert rc.read_bytes() == USER_TEXT + block() + moved_note() + b"export MINE=1\n# mine\n" \
        + b"after\n"
    assert install_block(rc, BODY).action is Action.UNCHANGED  # out for good


def test_user_lines_inside_the_block_stay_where_it_was_on_remove(rc: Path) -> None:
    rc.write_bytes(b"a\n" + block(BODY + "\nexport MINE=1") + b"z")
    change = remove_block(rc)
    assert change.action is Action.REMOVED and change.moved == 1
    assert rc.read_bytes() == b"a\n" + moved_note() + b"export MINE=1\nz"


def test_plan_text_says_what_would_change_and_changes_nothing(rc: Path, tmp_path: Path) -> None:
    shown = shellrc.paths.tidy_home(str(rc))
    assert shellrc.plan_text(rc, BODY) == [
        "append the clauderon block", f"first back it up to {shown}.clauderon-backup"]
    assert shellrc.plan_text(rc, None) == []
    assert rc.read_bytes() == USER_TEXT and not Path(f"{rc}.clauderon-backup").exists()
    install_block(rc, BODY)
    assert shellrc.plan_text(rc, BODY) == []
    rc.write_bytes(rc.read_bytes().replace(END.encode(), b"echo mine\n" + END.encode()))
    assert shellrc.plan_text(rc, BODY2) == [
        f"replace the clauderon block's line with: {BODY2}",
        "move 1 line you added inside the block to just after it"]
    assert shellrc.plan_text(rc, None) == [
        "remove the clauderon block", "move 1 line you added inside the block to just after it"]
    assert shellrc.plan_text(tmp_path / "new" / ".zshrc", BODY) == [
        "create it with the clauderon block"]
