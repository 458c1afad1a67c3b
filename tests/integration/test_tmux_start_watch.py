"""How `new` on tmux decides a session has started (backends/tmux.py `_confirm_started`):
the pane's pid comes from new-session itself, /proc says how far the shell got, tmux is
asked again only when the pane's process is gone. Real tmux, real shells, the real CLI."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmux_fixtures import TmuxWorld, shell_program, tmux_world
from worktree_fixtures import make_repo

pytestmark = pytest.mark.real_tmux


@pytest.fixture
def world(tmp_path: Path) -> Iterator[TmuxWorld]:
    with tmux_world(tmp_path) as w:
        yield w


def _slow_agent(world: TmuxWorld, seconds: float) -> Path:
    """An agent that needs ``seconds`` before it reads its input (node-based agents take
    hundreds of milliseconds), then records that it got there."""
    agent = world.root / "slowagent"
    agent.write_text(f"#!/bin/sh\nsleep {seconds}\ntouch \"$0.ready\"\nexec cat\n")
    agent.chmod(0o755)
    return agent


# dash: the agent is a /bin/sh script, so its process runs the shell's own program
@pytest.mark.parametrize("shell_name", ["bash", "dash"])
def test_new_does_not_wait_for_a_slow_agent_to_start(world: TmuxWorld, shell_name: str) -> None:
    agent = _slow_agent(world, 2.5)
    world.write_config(f'default_backend = "tmux"\n[agents.slow]\ncommand = ["{agent}"]\n')
    repo = make_repo(world.root)
    start = time.monotonic()
    world.ok("new", "slow", "--repo", str(repo), "--agent", "slow", "--shell",
             shell_program(shell_name))
    took = time.monotonic() - start
    # the shell is up and has started the agent: `new` returns while the agent starts
    assert took < 2.0, f"new waited {took:.2f}s for the agent's own start-up"
    assert not Path(f"{agent}.ready").exists()
    rows = {r["name"]: r for r in json.loads(world.ok("list", "--json").stdout)}
    assert rows["slow"]["status"] == "running"
    deadline = time.monotonic() + 15
    while not Path(f"{agent}.ready").exists():  # and the agent does get there
        assert time.monotonic() < deadline, "the agent never started"
        time.sleep(0.05)


@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_an_rc_file_that_changes_directory_is_not_a_wrong_start(world: TmuxWorld,
                                                                 shell_name: str) -> None:
    shell = shell_program(shell_name)
    elsewhere = world.root / "elsewhere"
    elsewhere.mkdir()
    rc = ".bashrc" if shell_name == "bash" else ".zshrc"
    (world.home / rc).write_text(f"cd {elsewhere}\n")
    workdir = world.root / "work"
    workdir.mkdir()
    for i in range(5):  # whenever the rc file runs relative to the first look
        out = world.ok("new", f"cd{i}", "--backend", "tmux", "--shell", shell,
                       "--workdir", str(workdir))
        assert f'Created tmux session "cd{i}"' in out.stdout
    _env, pwd = world.pane_env("=cd0:")
    assert pwd == str(elsewhere)  # the rc file ran, as in any terminal


def test_a_shell_that_exits_at_once_is_reported_with_its_status(world: TmuxWorld) -> None:
    script = world.root / "quits"
    script.write_text("#!/bin/sh\nexit 7\n")
    script.chmod(0o755)
    result = world.cli("new", "q", "--backend", "tmux", "--shell", str(script),
                       "--workdir", str(world.root))
    assert result.returncode == 1
    # with its status when tmux kept the dead pane (remain-on-exit); on a loaded machine the
    # server may have closed the session before it read the option: the same line without it
    assert result.stderr.strip() in (
        f'error: tmux started session "q" but its shell {script} exited at once{status}; '
        f"nothing was kept (check the shell and its rc files: `{script} -i`, then "
        "`clauderon doctor`)" for status in (" with status 7", ""))
    assert "q" not in world.server_sessions()
    assert json.loads(world.ok("list", "--json").stdout) == []
