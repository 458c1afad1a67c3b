"""Real git repositories and the test agent (tests/agents/fakeagent) for worktree sessions."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

from realtools import require

FAKEAGENT = Path(__file__).resolve().parents[1] / "agents" / "fakeagent"


def git_program() -> str:
    return require("git", "worktree sessions run the real git (apt-get install git)")


def git(cwd: Path | str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for var in ("GIT_DIR", "GIT_WORK_TREE"):
        env.pop(var, None)
    result = subprocess.run(["git", "-C", str(cwd), *args], env=env, capture_output=True,
                            text=True, timeout=30, check=False)
    if check:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def make_repo(root: Path, name: str = "proj") -> Path:
    """A repository with one commit holding ``shared.txt``."""
    git_program()
    repo = root / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "shared.txt").write_text("line 1\n", encoding="utf-8")
    git(repo, "add", "shared.txt")
    git(repo, "commit", "-q", "-m", "first")
    return repo


def commit_all(worktree: Path, message: str) -> str:
    git(worktree, "add", "-A")
    git(worktree, "commit", "-q", "-m", message)
    return git(worktree, "rev-parse", "HEAD").stdout.strip()


def branches(repo: Path) -> set[str]:
    out = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/").stdout
    return set(out.split())


def agent_config(log: Path, name: str = "fake", extra: str = "") -> str:
    """A config defining agent ``name`` as the test agent, logging into ``log``."""
    return (f'[agents.{name}]\ncommand = ["{FAKEAGENT}"]\n'
            f'resume = ["{FAKEAGENT}", "--resumed"]\n{extra}')


class AgentRun(NamedTuple):
    argv: list[bytes]  # argv[0] is the program
    cwd: str
    env: dict[str, str]


def agent_runs(log: Path, count: int = 1, timeout: float = 20) -> list[AgentRun]:
    """Wait until the test agent has recorded ``count`` runs; return them (oldest first)."""
    deadline = time.monotonic() + timeout
    while True:
        done = sorted(log.glob("*.argv"), key=lambda p: p.stat().st_mtime) if log.is_dir() \
            else []
        if len(done) >= count:
            break
        assert time.monotonic() < deadline, f"the agent recorded {len(done)} of {count} runs"
        time.sleep(0.05)
    runs = []
    for path in done:
        stem = path.with_suffix("")
        argv = path.read_bytes().split(b"\0")[:-1]
        cwd = stem.with_suffix(".cwd").read_text(encoding="utf-8").rstrip("\n")
        raw = stem.with_suffix(".env").read_bytes().decode("utf-8", "replace").split("\0")
        env = dict(e.split("=", 1) for e in raw if "=" in e)
        runs.append(AgentRun(argv, cwd, env))
    return runs
