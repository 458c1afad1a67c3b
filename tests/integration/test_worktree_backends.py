"""Agent sessions in git worktrees on the Docker backend (real Docker, the test image) and the
Zellij backend (the fake): the agent runs in the first pane with its prompt byte-exact."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from conftest import FAKES, Cli
from docker_fixtures import (
    CliEnv,
    Containers,
    containers,
    dcli,
    docker,
    require_docker,
    unique,
)
from worktree_fixtures import FAKEAGENT, agent_config, branches, make_repo

__all__ = ["containers", "dcli"]  # fixtures used by name

PROMPT = "it's \"quoted\" $(id) `id` \\ ;\nsecond line ✓ \u202e\t*"
# An agent the test image can run: it writes its last argument (the prompt) into the
# worktree, then waits on stdin like an interactive agent.
IMAGE_AGENT = '["sh", "-c", "printf %s \\"$1\\" > .agent-prompt; exec cat", "agent"]'


@pytest.mark.real_docker
def test_docker_agent_in_worktree_with_git_common_dir_mounted(dcli: CliEnv,
                                                            containers: Containers) -> None:
    require_docker()
    repo = make_repo(dcli.root)
    dcli.write_config(dcli.config.read_text() + f"[agents.box]\ncommand = {IMAGE_AGENT}\n")
    name = containers.add(unique("wt"))
    result = dcli.run("new", name, "--backend", "docker", "--repo", str(repo), "--agent", "box",
                      "--prompt", PROMPT)
    assert result.returncode == 0, result.stderr
    tree = Path(dcli.env["XDG_DATA_HOME"]) / "clauderon/worktrees" / repo.name / name
    written = tree / ".agent-prompt"
    deadline = time.monotonic() + 30
    while not written.exists():
        assert time.monotonic() < deadline, "the agent did not run in the container"
        time.sleep(0.1)
    time.sleep(0.2)
    assert written.read_bytes() == PROMPT.encode()
    # The worktree's .git file names <repo>/.git/worktrees/<id> by absolute path: that
    # directory is reachable inside the container at the same path.
    gitdir = (tree / ".git").read_text().split("gitdir:", 1)[1].strip()
    assert gitdir.startswith(str(repo / ".git" / "worktrees"))
    inside = docker("exec", f"clauderon-{name}", "cat", f"{gitdir}/HEAD").stdout
    assert inside.strip() == f"ref: refs/heads/clauderon/{name}"
    has_git = docker("exec", f"clauderon-{name}", "sh", "-c", "command -v git",
                     check=False).returncode == 0
    if has_git:  # the test image has no git (busybox + bash); an image with git runs it
        status = docker("exec", "-w", str(tree), f"clauderon-{name}", "git", "status",
                        "--porcelain").stdout
        assert ".agent-prompt" in status
    killed = dcli.run("kill", name, "--force")
    assert killed.returncode == 0, killed.stderr
    assert not tree.exists() and f"clauderon/{name}" not in branches(repo)


def test_zellij_agent_pane_runs_the_shell_with_the_prompt(cli: Cli, tmp_path: Path) -> None:
    sys.path.insert(0, str(FAKES))
    from fakezellij import read_session

    repo = make_repo(tmp_path)
    cli.write_config(agent_config(tmp_path / "log"))
    cli.ok("new", "z", "--backend", "zellij", "--repo", str(repo), "--agent", "fake",
           "--prompt", PROMPT, "--shell", "/bin/zsh")
    tree = Path(cli.env["XDG_DATA_HOME"]) / "clauderon/worktrees" / repo.name / "z"
    record = read_session(cli.env, "z")
    runs = [p for p in record["panes"] if p.get("command")]
    assert len(runs) == 1
    pane = runs[0]
    assert pane["command"] == "/bin/zsh"
    assert pane["args"] == ["-i", "-c", '"$@"; exec "$0"', "/bin/zsh", str(FAKEAGENT), PROMPT]
    assert pane["cwd"] == str(tree)
    assert record["cwd"] == str(tree)
    # the generated layout (it holds the prompt) is not left behind
    sessions = Path(cli.env["XDG_STATE_HOME"]) / "clauderon/sessions"
    assert not list(sessions.glob("*.kdl"))
    refused = cli.run("new", "z2", "--backend", "zellij", "--repo", str(repo), "--agent",
                      "fake", "--layout", "compact", "--shell", "/bin/zsh")
    assert refused.returncode == 2 and "--layout" in refused.stderr
    assert "clauderon/z2" not in branches(repo)
