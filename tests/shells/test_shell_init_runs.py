"""doctor's shell.init starts the user's real shell and sees whether the hook ran.

Reading the rc file for the line is not enough: a hook line after a `return`, a CRLF line
whose path ends in `\\r`, or an rc file that exits all leave the line in place while every
session shell starts without its env file. shell.init starts the shell as a session does
(interactive, on a terminal, with the session markers) through proxy.propagation's probe,
shared: one start per shell for both checks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from shellrun import shell_path

from clauderon import paths, shellrc
from clauderon.resources import hook_file
from clauderon.shellquote import quote_fish, quote_posix

pytestmark = pytest.mark.shells


def doctor(env: dict[str, str], shell: str, *checks: str, fix: bool = False
           ) -> tuple[dict[str, dict[str, Any]], subprocess.CompletedProcess[str]]:
    """``clauderon doctor --json`` run by the real ``shell`` (shell detection walks the
    parent processes), with ``$SHELL`` that shell."""
    argv = [sys.executable, "-m", "clauderon", "doctor", "--json",
            *(["--fix"] if fix else [])]
    for check in checks or ("shell.init",):
        argv += ["--check", check]
    if shell == "fish":
        argv = [shell_path("fish"), "--no-config", "-c", "$argv; exit $status", *argv]
    else:
        argv = [shell_path(shell), "-c", '"$@"; exit $?', "t", *argv]
    proc = subprocess.run(argv, env={**env, "SHELL": shell_path(shell)}, cwd=env["HOME"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return {c["id"]: c for c in json.loads(proc.stdout)["checks"]}, proc


def install(env: dict[str, str], shell: str) -> Path:
    done = subprocess.run([sys.executable, "-m", "clauderon", "shell", "install", "--shell",
                           shell], env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return shellrc.rc_file(shell, env)


def prepend(rc: Path, text: str) -> None:
    rc.write_bytes(text.encode() + rc.read_bytes())


def test_installed_hook_runs_for_real(shell: str, shell_env: dict[str, str]) -> None:
    rc = install(shell_env, shell)
    item = doctor(shell_env, shell)[0]["shell.init"]
    assert item["status"] == "ok", item
    assert item["summary"] == f"hook installed once in {paths.tidy_home(str(rc), shell_env)} " \
                              f"({shell})"
    assert f"ran when an interactive {shell} started, as in a session" in item["details"]


def test_a_hook_line_after_a_return_is_an_error(shell: str, shell_env: dict[str, str]) -> None:
    rc = install(shell_env, shell)
    prepend(rc, "# settings\nreturn\n")
    before = rc.read_bytes()
    item = doctor(shell_env, shell)[0]["shell.init"]
    shown = paths.tidy_home(str(rc), shell_env)
    assert item["status"] == "error", item
    assert item["summary"] == (f"the clauderon hook in {shown} did not run when an interactive "
                               f"{shell} started")
    assert f"line 2 (return) comes before the block: {shell} may stop reading the file there" \
        in item["details"], item
    assert item["remedy"].endswith("   # line 2") and item["fixable"] is False
    # --fix cannot repair the user's own line: the file is left exactly as it was.
    item = doctor(shell_env, shell, fix=True)[0]["shell.init"]
    assert item["status"] == "error" and rc.read_bytes() == before


@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_an_rc_file_that_exits_is_an_error(shell_name: str, shell_env: dict[str, str]) -> None:
    rc = install(shell_env, shell_name)
    prepend(rc, "exit 0\n")
    item = doctor(shell_env, shell_name)[0]["shell.init"]
    assert item["status"] == "error", item
    assert "exited (status 0) before reaching a prompt" in item["summary"], item


@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_a_crlf_rc_file(shell_name: str, shell_env: dict[str, str]) -> None:
    """The line older clauderons wrote breaks in a CRLF file (the path ends in \\r): a
    warning that --fix repairs; the block it writes (CRLF too) really runs."""
    rc = shellrc.rc_file(shell_name, shell_env)
    old = shellrc.hook_line(shell_name, hook_file(shell_name)).removesuffix(" #")
    lines = ["export EDITOR=vi", shellrc.BEGIN, shellrc.NOTICE, old, shellrc.END]
    rc.write_bytes("".join(f"{line}\r\n" for line in lines).encode())
    item = doctor(shell_env, shell_name)[0]["shell.init"]
    assert item["status"] == "warning" and item["fixable"] is True, item
    item = doctor(shell_env, shell_name, fix=True)[0]["shell.init"]
    assert item["status"] == "ok", item
    assert f"ran when an interactive {shell_name} started, as in a session" in item["details"]
    data = rc.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and data.startswith(b"export EDITOR=vi\r\n")


def test_the_shell_starts_once_for_both_checks(shell: str, shell_env: dict[str, str]) -> None:
    rc = install(shell_env, shell)
    counter = Path(shell_env["HOME"]) / "starts"
    quoted = quote_fish(str(counter)) if shell == "fish" else quote_posix(str(counter))
    if shell == "fish":  # a conf.d file of the user's, read at every start
        (rc.parent / "00-count.fish").write_text(f"echo start >> {quoted}\n")
    else:
        prepend(rc, f"echo start >> {quoted}\n")
    found, _ = doctor(shell_env, shell, "shell.init", "proxy.propagation")
    assert found["shell.init"]["status"] == "ok", found["shell.init"]
    assert found["proxy.propagation"]["status"] == "ok", found["proxy.propagation"]
    assert counter.read_text() == "start\n"
