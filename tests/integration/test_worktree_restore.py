"""What `restore` calls for a worktree agent session (agents.restore_command,
worktrees.prepare_restore), proven with real git and a real tmux server: after
`tmux kill-server` and a deleted worktree directory, the worktree comes back from its branch
at the same path and the agent starts with its resume argv in it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmux_fixtures import TmuxWorld, shell_program, tmux_world
from worktree_fixtures import FAKEAGENT, agent_config, agent_runs, commit_all, git, make_repo

from clauderon import agents, config, worktrees
from clauderon.backends import get_backend
from clauderon.backends.base import SessionEnv, SessionSpec
from clauderon.registry import Registry

pytestmark = pytest.mark.real_tmux


@pytest.fixture
def world(tmp_path: Path) -> Iterator[TmuxWorld]:
    with tmux_world(tmp_path) as w:
        w.env["FAKEAGENT_LOG"] = str(tmp_path / "agentlog")
        w.write_config('default_backend = "tmux"\n' + agent_config(tmp_path / "agentlog"))
        yield w


def test_restore_readds_the_worktree_and_resumes_the_agent(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "r", "--repo", str(repo), "--agent", "fake", "--prompt", "first task",
             "--shell", shell_program("bash"))
    first = agent_runs(Path(world.env["FAKEAGENT_LOG"]))[0]
    tree = Path(first.cwd)
    (tree / "done.txt").write_text("committed work\n")
    commit_all(tree, "work")
    world.run_tmux("kill-server")  # a reboot
    shutil.rmtree(tree)           # and the checkout lost
    record = Registry.default(world.env).get("r")
    assert record is not None
    assert worktrees.prepare_restore(record.options, world.env) is True
    assert (tree / "done.txt").read_text() == "committed work\n"
    assert git(tree, "symbolic-ref", "--short", "HEAD").stdout.strip() == "clauderon/r"
    assert worktrees.prepare_restore(record.options, world.env) is False  # present: nothing

    cfg = config.load(world.env)
    command = agents.restore_command(record.options, cfg, record.shell)
    assert command[-2:] == (str(FAKEAGENT), "--resumed")
    backend = get_backend("tmux", cfg, world.env)
    backend.create(SessionSpec(name="r", workdir=Path(record.workdir), shell=record.shell,
                               env=SessionEnv(variables=record.env, base=dict(world.env)),
                               options=dict(record.options), command=command))
    resumed = agent_runs(Path(world.env["FAKEAGENT_LOG"]), 2)[-1]
    assert resumed.argv == [str(FAKEAGENT).encode(), b"--resumed"]
    assert resumed.cwd == str(tree)
    assert resumed.env["CLAUDERON_SESSION"] == "r"
    assert json.loads(world.ok("list", "--json").stdout)[0]["status"] == "running"


def test_prepare_restore_refuses_when_branch_and_worktree_are_gone(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "x", "--repo", str(repo), "--shell", shell_program("bash"))
    record = Registry.default(world.env).get("x")
    assert record is not None
    tree = Path(str(record.options["worktree"]))
    shutil.rmtree(tree)
    git(repo, "worktree", "prune")
    git(repo, "branch", "-D", "clauderon/x")
    with pytest.raises(Exception, match="both gone"):
        worktrees.prepare_restore(record.options, world.env)
    assert not tree.exists()


def test_restore_command_falls_back_to_the_command_without_prompt(world: TmuxWorld) -> None:
    world.write_config('[agents.plain]\ncommand = ["plain-agent", "--flag"]\n')
    cfg = config.load(world.env)
    assert agents.restore_command({"agent": "plain"}, cfg, "/bin/zsh") == (
        "/bin/zsh", "-i", "-c", '"$@"; exec "$0"', "/bin/zsh", "plain-agent", "--flag")
    assert agents.restore_command({"agent": "gemini"}, cfg, "/usr/bin/fish")[-3:] == (
        "gemini", "--resume", "latest")
    assert agents.restore_command({}, cfg, "/bin/bash") == ()
