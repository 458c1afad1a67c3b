"""The rc block sources a stable copy of the hook, not the installed package's file.

A venv recreated or a Python upgraded used to leave the block pointing at a path that no
longer exists: the hook silently stopped running. Here a clauderon "installed" in one place
(a copy of the package on PYTHONPATH, as a venv would hold it) runs `shell install`, then
that place is deleted: new real bash, zsh and fish shells in a session still get TERM and
the proxy variables. An old block naming the package's path is upgraded by `shell install`
and by `doctor --fix`; `shell uninstall` removes the copy and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from shellrun import HOOKS, REPO, RunShell, dump_cmd, read_dump, shell_path

from clauderon import hookcopy, paths, shellrc
from clauderon.shellquote import write_env_files

pytestmark = pytest.mark.shells

SESSION = "moved-venv"
VARS = {"TERM": "xterm-256color", "http_proxy": "http://u:p'w$(x)@proxy.example:3128/",
        "NO_PROXY": "localhost", "CLAUDERON_SESSION": SESSION}
NAMES = [*VARS, "CLAUDERON_HOOK"]


def fake_venv(where: Path) -> Path:
    """A copy of the package and its data where a venv's site-packages would hold them."""
    shutil.copytree(REPO / "clauderon", where / "clauderon",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "shell", where / "shell")
    return where


def clauderon(env: dict[str, str], *args: str, venv: Path | None = None,
              under: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m clauderon ARGS``; from ``venv`` when given; run by the real shell
    ``under`` (as a user's terminal does: shell detection walks the parent processes)."""
    run_env = dict(env)
    if venv is not None:
        run_env["PYTHONPATH"] = str(venv)
    argv = [sys.executable, "-m", "clauderon", *args]
    if under == "fish":
        argv = [shell_path("fish"), "--no-config", "-c", "$argv; exit $status", *argv]
    elif under is not None:
        argv = [shell_path(under), "-c", '"$@"; exit $?', "t", *argv]
    return subprocess.run(argv, env=run_env, cwd=env["HOME"], capture_output=True, text=True,
                          timeout=120, check=False)


def doctor_init(env: dict[str, str], shell: str, *, fix: bool = False
                ) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    proc = clauderon({**env, "SHELL": shell_path(shell)}, "doctor", "--json",
                     *(["--fix"] if fix else []), "--check", "shell.init", under=shell)
    assert "Traceback" not in proc.stderr, proc.stderr
    item = next(c for c in json.loads(proc.stdout)["checks"] if c["id"] == "shell.init")
    return item, proc


def in_session(run_shell: RunShell, shell: str, out: Path) -> tuple[str, dict[str, bytes | None]]:
    """A new interactive ``shell`` inside the session: what it printed, what it has."""
    out.mkdir()
    result = run_shell(shell, dump_cmd(shell, NAMES, out), env={"CLAUDERON_SESSION": SESSION})
    return result.output, read_dump(out, NAMES)


def got_everything() -> dict[str, bytes | None]:
    return {**{k: v.encode() for k, v in VARS.items()}, "CLAUDERON_HOOK": b"1"}


def prepare_rc(shell: str, env: dict[str, str]) -> Path:
    """An rc file of the user's that resets TERM and the proxy (the hook must win)."""
    rc = shellrc.rc_file(shell, env)
    rc.parent.mkdir(parents=True, exist_ok=True)
    if shell == "fish":  # conf.d/clauderon.fish is clauderon's; one of the user's, read before
        (rc.parent / "00-mine.fish").write_text("set -gx TERM vt100\nset -e http_proxy\n")
    else:
        rc.write_text("export TERM=vt100\nunset http_proxy\n")
    return rc


def test_the_block_survives_the_package_going_away(
    shell: str, shell_env: dict[str, str], run_shell: RunShell, tmp_path: Path,
) -> None:
    venv = fake_venv(tmp_path / "venv1")
    rc = prepare_rc(shell, shell_env)
    done = clauderon(shell_env, "shell", "install", "--shell", shell, venv=venv)
    assert done.returncode == 0, done.stderr
    copy = paths.shell_hook_copy(shell, shell_env)
    assert f"Wrote the {shell} hook to ~/.local/share/clauderon/shell/clauderon.{shell}" \
        in done.stdout
    assert copy.read_bytes() == HOOKS[shell].read_bytes()
    assert str(venv) not in rc.read_text() and str(copy) in rc.read_text()

    shutil.rmtree(venv)  # the venv is recreated elsewhere, or Python upgraded
    write_env_files(SESSION, VARS, shell_env)
    output, got = in_session(run_shell, shell, tmp_path / "out")
    assert output == ""
    assert got == got_everything()


def test_a_missing_copy_is_silent_and_harmless(
    shell: str, shell_env: dict[str, str], run_shell: RunShell, tmp_path: Path,
) -> None:
    assert clauderon(shell_env, "shell", "install", "--shell", shell).returncode == 0
    paths.shell_hook_copy(shell, shell_env).unlink()
    write_env_files(SESSION, VARS, shell_env)
    out = tmp_path / "out"
    out.mkdir()
    result = run_shell(shell, dump_cmd(shell, NAMES, out) + "; echo started",
                       env={"CLAUDERON_SESSION": SESSION})
    assert result.output == "started\n"  # not a word from the missing file's line
    assert read_dump(out, ["CLAUDERON_HOOK"]) == {"CLAUDERON_HOOK": None}


def test_the_block_starts_no_process_at_shell_start(
    shell: str, shell_env: dict[str, str], run_shell: RunShell, tmp_path: Path,
) -> None:
    """With an empty PATH nothing can be exec'd: the block and the hook still work."""
    assert clauderon(shell_env, "shell", "install", "--shell", shell).returncode == 0
    write_env_files(SESSION, VARS, shell_env)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    result = run_shell(shell, dump_cmd(shell, NAMES, out),
                       env={"CLAUDERON_SESSION": SESSION, "PATH": str(empty)})
    assert result.output == ""
    assert read_dump(out, NAMES) == got_everything()


def old_block(shell: str, env: dict[str, str], venv: Path) -> Path:
    """The block older clauderons wrote: the package's own hook path, in site-packages."""
    rc = shellrc.rc_file(shell, env)
    line = shellrc.hook_line(shell, venv / "shell" / f"clauderon.{shell}").removesuffix(" #")
    shellrc.install_block(rc, line)
    return rc


def test_an_old_block_is_upgraded_by_shell_install(
    shell: str, shell_env: dict[str, str], run_shell: RunShell, tmp_path: Path,
) -> None:
    venv = fake_venv(tmp_path / "lib" / "python3.11" / "site-packages")
    rc = old_block(shell, shell_env, venv)
    shutil.rmtree(venv)
    done = clauderon(shell_env, "shell", "install", "--shell", shell)
    assert done.returncode == 0, done.stderr
    assert f"Updated the clauderon hook in {paths.tidy_home(str(rc), shell_env)}" in done.stdout
    assert "site-packages" not in rc.read_text()
    assert rc.read_text().count(shellrc.BEGIN) == 1
    write_env_files(SESSION, VARS, shell_env)
    output, got = in_session(run_shell, shell, tmp_path / "out")
    assert output == "" and got == got_everything()


def test_an_old_block_is_upgraded_by_doctor_fix_which_says_so_first(
    shell: str, shell_env: dict[str, str], run_shell: RunShell, tmp_path: Path,
) -> None:
    venv = fake_venv(tmp_path / "lib" / "python3.11" / "site-packages")
    rc = old_block(shell, shell_env, venv)
    shown = paths.tidy_home(str(rc), shell_env)
    copy = paths.shell_hook_copy(shell, shell_env)
    shutil.rmtree(venv)

    item, _ = doctor_init(shell_env, shell)
    assert item["status"] == "warning" and item["fixable"] is True
    assert item["summary"] == (f"the clauderon block in {shown} does not source this "
                               f"clauderon's hook ({paths.tidy_home(str(copy), shell_env)})")
    assert any("goes stale when the venv or Python changes" in d for d in item["details"])

    before = rc.read_bytes()
    item, proc = doctor_init(shell_env, shell, fix=True)
    assert item["status"] == "ok" and item["fixed"] is True, item
    assert "ran when an interactive" in " ".join(item["details"]), item
    # Said on stderr before it was done: which file and what change.
    announced = [line for line in proc.stderr.splitlines() if line.startswith("doctor --fix:")]
    assert announced == [
        f"doctor --fix: will write {paths.tidy_home(str(copy), shell_env)} (clauderon's copy "
        f"of the {shell} hook)",
        f"doctor --fix: will edit {shown}: replace the clauderon block's line with: "
        f"{shellrc.hook_line(shell, copy)}; first back it up to {shown}.clauderon-backup",
    ], proc.stderr
    assert Path(f"{rc}.clauderon-backup").read_bytes() == before
    write_env_files(SESSION, VARS, shell_env)
    output, got = in_session(run_shell, shell, tmp_path / "out")
    assert output == "" and got == got_everything()


def test_doctor_fix_refreshes_a_stale_copy(shell: str, shell_env: dict[str, str]) -> None:
    assert clauderon(shell_env, "shell", "install", "--shell", shell).returncode == 0
    copy = paths.shell_hook_copy(shell, shell_env)
    copy.write_bytes(copy.read_bytes().replace(b"CLAUDERON_HOOK", b"OLD_HOOK_VAR"))
    rc_before = shellrc.rc_file(shell, shell_env).read_bytes()

    item, _ = doctor_init(shell_env, shell)
    assert item["status"] == "warning" and item["fixable"] is True
    assert item["summary"] == (f"clauderon's copy of the {shell} hook, "
                               f"{paths.tidy_home(str(copy), shell_env)}, differs from this "
                               "clauderon's hook (another version, or edited)")
    item, proc = doctor_init(shell_env, shell, fix=True)
    assert item["status"] == "ok", item
    assert f"doctor --fix: will replace {paths.tidy_home(str(copy), shell_env)}" in proc.stderr
    assert copy.read_bytes() == HOOKS[shell].read_bytes()
    assert shellrc.rc_file(shell, shell_env).read_bytes() == rc_before  # no rc edit needed


def test_copy_modes_whatever_the_umask(shell: str, shell_env: dict[str, str]) -> None:
    argv = [shell_path("bash"), "-c", 'umask 000; exec "$@"', "t", sys.executable, "-m",
            "clauderon", "shell", "install", "--shell", shell]
    done = subprocess.run(argv, env=shell_env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    copy = paths.shell_hook_copy(shell, shell_env)
    assert stat.S_IMODE(copy.stat().st_mode) == hookcopy.MODE == 0o644
    for directory in (copy.parent, copy.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


def test_uninstall_removes_the_copy_and_nothing_else(
    shell: str, shell_env: dict[str, str],
) -> None:
    assert clauderon(shell_env, "shell", "install", "--shell", shell).returncode == 0
    copy = paths.shell_hook_copy(shell, shell_env)
    mine = copy.parent / "my-notes.txt"
    mine.write_text("mine\n")
    done = clauderon(shell_env, "shell", "uninstall", "--shell", shell)
    assert done.returncode == 0, done.stderr
    assert f"Cleaned up clauderon's copy of the {shell} hook" in done.stdout
    assert not copy.exists() and mine.read_text() == "mine\n"
    assert paths.data_dir(shell_env).is_dir()

    # A file there that clauderon did not write (no hook header) is left alone.
    copy.write_text("# somebody else's file\n")
    done = clauderon(shell_env, "shell", "uninstall", "--shell", shell)
    assert done.returncode == 0 and "copy" not in done.stdout
    assert copy.read_text() == "# somebody else's file\n"


def test_uninstall_leaves_no_directory_it_made(shell: str, shell_env: dict[str, str]) -> None:
    assert clauderon(shell_env, "shell", "install", "--shell", shell).returncode == 0
    assert clauderon(shell_env, "shell", "uninstall", "--shell", shell).returncode == 0
    assert not paths.shell_hook_copy(shell, shell_env).parent.exists()


def test_shell_init_writes_the_copy_and_prints_the_stable_line(
    shell: str, shell_env: dict[str, str], run_shell: RunShell, tmp_path: Path,
) -> None:
    venv = fake_venv(tmp_path / "venv1")
    done = clauderon(shell_env, "shell", "init", shell, venv=venv)
    assert done.returncode == 0, done.stderr
    copy = paths.shell_hook_copy(shell, shell_env)
    assert done.stdout == shellrc.hook_line(shell, copy) + "\n"
    assert copy.read_bytes() == HOOKS[shell].read_bytes()
    shutil.rmtree(venv)
    # The printed line, added by hand, works.
    rc = shellrc.rc_file(shell, shell_env)
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text(done.stdout)
    write_env_files(SESSION, VARS, shell_env)
    output, got = in_session(run_shell, shell, tmp_path / "out")
    assert output == "" and got == got_everything()


def test_a_refused_rc_file_writes_no_copy(shell: str, shell_env: dict[str, str]) -> None:
    rc = shellrc.rc_file(shell, shell_env)
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text(f"{shellrc.BEGIN}\nhalf a block\n")
    done = clauderon(shell_env, "shell", "install", "--shell", shell)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not os.path.lexists(paths.shell_hook_copy(shell, shell_env))
