"""A TAB runs no Python and no other program: session names come from the cache file through
shell builtins.

PATH holds only programs that record that they ran and fail (python, python3, clauderon, cat,
...); the names must still complete and nothing may have run. Where strace works, it also shows
that completing names in bash and fish starts no process at all (fish's threads aside).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from completion_harness import (
    COMPLETIONS,
    NAMES,
    complete_bash,
    complete_fish,
    complete_zsh,
    fish_setup,
    readline_words,
)

TRAPS = ("python", "python3", "clauderon", "cat", "sed", "awk", "grep", "head", "ls", "find",
         "sort", "tr", "cut", "zellij", "tmux", "docker")
SPAWNS = ("fork(", "vfork(", "clone(", "clone3(")
LINES = ["clauderon attach ", "clauderon kill app", "clauderon new --layout m"]


@pytest.fixture
def trapped_env(home: Path, env: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "ran.log"
    for name in TRAPS:
        trap = bin_dir / name
        trap.write_text(f"#!/bin/sh\necho {name} >> '{log}'\necho 'TRAP: {name} ran' >&2\n"
                        "exit 97\n")
        trap.chmod(0o755)
    return dict(env, PATH=str(bin_dir)), log


def _check(got: dict[str, list[str]], log: Path) -> None:
    assert not log.exists(), f"a TAB ran: {log.read_text()}"
    assert sorted(got["clauderon attach "]) == sorted(NAMES)
    assert sorted(got["clauderon kill app"]) == ["app", "app-2"]
    assert got["clauderon new --layout m"] == ["mine"]


def test_bash_runs_nothing(bash: str, trapped_env: tuple[dict[str, str], Path]) -> None:
    env, log = trapped_env
    got = complete_bash(bash, LINES, env)
    _check({line: replies for line, (replies, _) in got.items()}, log)


def test_zsh_runs_nothing(zsh: str, trapped_env: tuple[dict[str, str], Path],
                          tmp_path: Path) -> None:
    env, log = trapped_env
    _check(complete_zsh(zsh, LINES, env, tmp_path / "zdot"), log)


def test_fish_runs_nothing(fish: str, trapped_env: tuple[dict[str, str], Path]) -> None:
    env, log = trapped_env
    _check(complete_fish(fish, LINES, env, fish_setup()), log)


def _strace(argv: list[str], env: dict[str, str], tmp_path: Path) -> list[str]:
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (the PATH tests above still apply)")
    log = tmp_path / "strace.log"
    result = subprocess.run([strace, "-f", "-qq", "-o", str(log), "-e",
                             "trace=execve,fork,vfork,clone,clone3", *argv], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0 and "ptrace" in result.stderr.lower():
        pytest.skip(f"strace cannot trace here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    # Each line is "PID call(args) = result". Only the start of a call names it and carries
    # its flags; strace also writes "<... clone resumed>" halves and, for a thread it loses
    # at exit, "???( <detached ...>": neither is a new process.
    calls = [line.split(None, 1)[1] for line in log.read_text().splitlines() if " " in line]
    execs = [c for c in calls if c.startswith("execve(")]
    assert len(execs) == 1, execs  # the shell itself
    return [c for c in calls if c.startswith(SPAWNS) and "CLONE_THREAD" not in c]


def test_strace_bash_starts_no_process(bash: str, trapped_env: tuple[dict[str, str], Path],
                                       tmp_path: Path) -> None:
    env, _ = trapped_env
    words = readline_words("clauderon attach a")
    script = (f"source '{COMPLETIONS / 'clauderon.bash'}'\n"
              "COMP_LINE='clauderon attach a'; COMP_POINT=${#COMP_LINE}\n"
              f"COMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}\n"
              "_clauderon\n"
              "((${#COMPREPLY[@]} == 3)) || exit 9\n")
    assert _strace([bash, "--norc", "--noprofile", "-c", script], env, tmp_path) == []


def test_strace_fish_starts_no_process(fish: str, trapped_env: tuple[dict[str, str], Path],
                                       tmp_path: Path) -> None:
    # fish loads a command's completions only when the command exists: the trap `clauderon`.
    env, _ = trapped_env
    script = fish_setup() + "complete -C 'clauderon attach a' | string match -q 'app*'"
    assert _strace([fish, "--no-config", "-c", script], env, tmp_path) == []
