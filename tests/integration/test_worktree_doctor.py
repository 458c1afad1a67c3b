"""Doctor's git, agents and worktrees checks, each finding produced for real (real git, real
tmux, the test agent) and then fixed or given a remedy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tmux_fixtures import TmuxWorld, shell_program, tmux_world
from worktree_fixtures import agent_config, branches, commit_all, git, make_repo

pytestmark = pytest.mark.real_tmux


@pytest.fixture
def world(tmp_path: Path) -> Iterator[TmuxWorld]:
    with tmux_world(tmp_path) as w:
        w.env["FAKEAGENT_LOG"] = str(tmp_path / "agentlog")
        w.write_config('default_backend = "tmux"\n' + agent_config(tmp_path / "agentlog"))
        yield w


def doctor(world: TmuxWorld, *checks: str, fix: bool = False,
           env: dict[str, str | None] | None = None) -> dict[str, dict[str, Any]]:
    args = ["doctor", "--json", *(["--fix"] if fix else [])]
    for check in checks:
        args += ["--check", check]
    result = world.cli(*args, env=env)
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    rows = data["checks"] if isinstance(data, dict) else data
    return {row["id"]: row for row in rows}


def _root(world: TmuxWorld, repo: Path) -> Path:
    return world.home / ".local/share/clauderon/worktrees" / repo.name


def _new(world: TmuxWorld, repo: Path, name: str, *extra: str) -> Path:
    world.ok("new", name, "--repo", str(repo), "--shell", shell_program("bash"), *extra)
    return _root(world, repo) / name


def test_skipped_with_one_line_when_unused(world: TmuxWorld) -> None:
    world.write_config('default_backend = "tmux"\n')
    found = doctor(world, "git", "agents", "worktrees")
    for check in ("git.binary", "agents.binary", "worktrees.orphans", "worktrees.health"):
        assert found[check]["status"] == "skipped", found[check]
        assert "\n" not in found[check]["summary"]


def test_git_binary_ok_too_old_and_missing(world: TmuxWorld, tmp_path: Path) -> None:
    repo = make_repo(world.root)
    _new(world, repo, "g")
    assert doctor(world, "git.binary")["git.binary"]["status"] == "ok"
    old = tmp_path / "oldgit"
    old.mkdir()
    (old / "git").write_text("#!/bin/sh\necho 'git version 2.16.4'\n")
    (old / "git").chmod(0o755)
    found = doctor(world, "git.binary", env={"PATH": f"{old}:{world.env['PATH']}"})
    assert found["git.binary"]["status"] == "error"
    assert "2.16" in found["git.binary"]["summary"] and "2.17" in found["git.binary"]["summary"]
    bare = tmp_path / "nogit"
    bare.mkdir()
    python = shutil.which("python3")
    assert python
    (bare / "python3").symlink_to(python)
    found = doctor(world, "git.binary", env={"PATH": str(bare)})
    assert found["git.binary"]["status"] == "error"
    assert "apt-get install git" in found["git.binary"]["remedy"]


def test_agents_binary_names_a_missing_agent_of_a_session(world: TmuxWorld,
                                                          tmp_path: Path) -> None:
    repo = make_repo(world.root)
    agent = tmp_path / "bin" / "myagent"
    agent.parent.mkdir()
    agent.write_text("#!/bin/sh\nexec cat\n")
    agent.chmod(0o755)
    world.write_config('default_backend = "tmux"\n[agents.mine]\ncommand = ["myagent"]\n')
    path = f"{agent.parent}:{world.env['PATH']}"
    world.ok("new", "a", "--repo", str(repo), "--agent", "mine", "--shell",
             shell_program("bash"), env={"PATH": path})
    assert doctor(world, "agents.binary", env={"PATH": path})["agents.binary"]["status"] == "ok"
    found = doctor(world, "agents.binary")["agents.binary"]
    assert found["status"] == "error" and "myagent" in found["summary"] \
        and 'session "a"' in found["summary"]
    world.write_config('default_backend = "tmux"\ndefault_agent = "gemini"\n'
                       '[agents.mine]\ncommand = ["myagent"]\n')
    found = doctor(world, "agents.binary", env={"PATH": path})["agents.binary"]
    assert found["status"] == "error" and "gemini" in found["summary"]
    assert found["remedy"] == "npm install -g @google/gemini-cli"


def test_orphans_every_kind_and_fix_removes_only_what_holds_no_work(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    root = _root(world, repo)
    # a session whose worktree directory was deleted by hand (git lists it as prunable)
    gone = _new(world, repo, "gone")
    shutil.rmtree(gone)
    # worktree directories under the root with no session: one clean, one dirty
    for name in ("clean", "dirty"):
        git(repo, "worktree", "add", "-q", "-b", f"clauderon/{name}", str(root / name))
    (root / "dirty" / "unsaved.txt").write_text("keep me\n")
    # a prunable worktree of no session
    elsewhere = world.root / "elsewhere"
    git(repo, "worktree", "add", "-q", "-b", "clauderon/pruned", str(elsewhere))
    shutil.rmtree(elsewhere)
    # branches under the prefix with no session: one merged, one with its own commit
    git(repo, "branch", "clauderon/merged")
    git(repo, "worktree", "add", "-q", "-b", "clauderon/ahead", str(world.root / "tmpwt"))
    (world.root / "tmpwt" / "new.txt").write_text("x")
    sha = commit_all(world.root / "tmpwt", "ahead")
    git(repo, "worktree", "remove", str(world.root / "tmpwt"))

    found = doctor(world, "worktrees.orphans")["worktrees.orphans"]
    assert found["status"] == "warning" and found["fixable"]
    details = "\n".join(found["details"])
    assert "clean has no session" in details and "holds no work" in details
    assert "dirty has no session" in details and "unsaved.txt" in details
    assert 'session "gone": its worktree' in details
    assert "elsewhere as a prunable worktree" in details
    assert "branch clauderon/merged" in details and "branch clauderon/ahead" in details
    assert "1 commit" in details

    fixed = doctor(world, "worktrees.orphans", fix=True)["worktrees.orphans"]
    assert fixed["fixed"] and fixed["status"] == "warning"  # what holds work remains
    assert not (root / "clean").exists()
    assert (root / "dirty" / "unsaved.txt").read_text() == "keep me\n"
    now = branches(repo)
    assert "clauderon/clean" not in now and "clauderon/merged" not in now
    assert "clauderon/pruned" not in now  # its worktree pruned, then the branch (no work)
    assert {"clauderon/dirty", "clauderon/ahead", "clauderon/gone"} <= now
    assert git(repo, "rev-parse", "clauderon/ahead").stdout.strip() == sha
    assert "elsewhere" not in git(repo, "worktree", "list", "--porcelain").stdout
    # the session whose worktree is gone: restore or kill, never removed by --fix
    after = doctor(world, "worktrees.orphans")["worktrees.orphans"]
    assert any('session "gone"' in line for line in after["details"])
    assert not after["fixable"]


def test_health_branch_repo_and_common_dir(world: TmuxWorld, tmp_path: Path) -> None:
    repo = make_repo(world.root)
    tree = _new(world, repo, "h")
    assert doctor(world, "worktrees.health")["worktrees.health"]["status"] == "ok"
    git(tree, "switch", "-q", "--detach")
    found = doctor(world, "worktrees.health")["worktrees.health"]
    assert found["status"] == "error" and "detached" in found["details"][0]
    assert "switch clauderon/h" in found["remedy"]
    git(tree, "switch", "-q", "-c", "by-hand")
    found = doctor(world, "worktrees.health")["worktrees.health"]
    assert "on by-hand" in found["details"][0]
    git(tree, "switch", "-q", "clauderon/h")
    assert doctor(world, "worktrees.health")["worktrees.health"]["status"] == "ok"
    moved = tmp_path / "moved-repo"
    repo.rename(moved)
    found = doctor(world, "worktrees.health")["worktrees.health"]
    assert found["status"] == "error" and "is gone" in found["details"][0]
    moved.rename(repo)
    shutil.rmtree(repo / ".git" / "worktrees" / "h")
    found = doctor(world, "worktrees.health")["worktrees.health"]
    assert found["status"] == "error" and "not reachable" in found["details"][0]
