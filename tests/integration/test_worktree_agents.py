"""Agent sessions in git worktrees (issue 13), end to end: the real CLI, real git, a private
real tmux server, the test agent (tests/agents/fakeagent), which records its argv, cwd and
environment and then waits on stdin like an interactive agent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmux_fixtures import TmuxWorld, shell_program, tmux_world
from worktree_fixtures import (
    FAKEAGENT,
    agent_config,
    agent_runs,
    branches,
    commit_all,
    git,
    make_repo,
)

pytestmark = pytest.mark.real_tmux

HOSTILE = {
    "quotes": "it's \"quoted\" `x` $(touch /tmp/pwned-clauderon) ${HOME} \\ ; | & > <",
    "newlines": "first line\nsecond\r\nthird\ttab\n\n",
    "unicode": "ünïcödé ✓ 日本 \u202e rtl \U0001f600",
    "options": "--help -i -c exec",
    "fish": "$argv[1] (echo hi) %self {a,b} ~ *",
    "large": ("0123456789abcdef" * 6400)[:100_000],
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[TmuxWorld]:
    with tmux_world(tmp_path) as w:
        w.env["FAKEAGENT_LOG"] = str(tmp_path / "agentlog")
        w.write_config('default_backend = "tmux"\n' + agent_config(tmp_path / "agentlog"))
        yield w


def _log(world: TmuxWorld) -> Path:
    return Path(world.env["FAKEAGENT_LOG"])


def _row(world: TmuxWorld, name: str) -> dict[str, object]:
    rows = json.loads(world.ok("list", "--json").stdout)
    return next(r for r in rows if r["name"] == name)


def _worktree(world: TmuxWorld, repo: Path, name: str) -> Path:
    return world.home / ".local/share/clauderon/worktrees" / repo.name / name


# -- new --------------------------------------------------------------------------------


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_hostile_prompts_arrive_byte_exact(world: TmuxWorld, shell_name: str) -> None:
    shell = shell_program(shell_name)
    repo = make_repo(world.root)
    for i, (label, prompt) in enumerate(HOSTILE.items()):
        world.ok("new", f"p{i}", "--repo", str(repo), "--agent", "fake", "--prompt", prompt,
                 "--shell", shell)
        run = agent_runs(_log(world), i + 1)[-1]
        assert run.argv == [str(FAKEAGENT).encode(), prompt.encode()], label
        assert run.cwd == str(_worktree(world, repo, f"p{i}"))
    assert not Path("/tmp/pwned-clauderon").exists()


def test_prompt_file_and_session_environment(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    prompt = world.root / "prompt.md"
    prompt.write_bytes("Fix the bug ✓.\n\n```sh\nrm -rf \"$HOME\"\n```\n".encode())
    world.write_config('default_backend = "tmux"\ndefault_agent = "fake"\n[proxy]\n'
                       'http = "http://proxy.example:3128"\n' + agent_config(_log(world)))
    world.ok("new", "pf", "--repo", str(repo), "--prompt-file", str(prompt),
             "--shell", shell_program("bash"))
    run = agent_runs(_log(world))[0]
    assert run.argv[1] == prompt.read_bytes()
    assert run.env["CLAUDERON_SESSION"] == "pf"
    assert run.env["TERM"]
    assert run.env["http_proxy"] == "http://proxy.example:3128"
    assert _row(world, "pf")["agent"] == "fake"


def test_pane_stays_at_a_shell_in_the_worktree_after_the_agent_exits(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "stay", "--repo", str(repo), "--agent", "fake", "--shell",
             shell_program("bash"))
    agent_runs(_log(world))
    world.type_line("=stay:", "exit")  # the agent reads "exit" and ends
    env, pwd = world.pane_env("=stay:")  # a shell answers in the pane
    assert pwd == str(_worktree(world, repo, "stay"))
    assert env["CLAUDERON_SESSION"] == "stay"


def test_three_agents_in_parallel_on_one_repo(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    for name in ("a1", "a2", "a3"):
        world.ok("new", name, "--repo", str(repo), "--agent", "fake", "--prompt",
                 f"task {name}", "--shell", shell_program("bash"))
    runs = agent_runs(_log(world), 3)
    assert sorted(r.cwd for r in runs) == sorted(
        str(_worktree(world, repo, n)) for n in ("a1", "a2", "a3"))
    for name in ("a1", "a2", "a3"):
        tree = _worktree(world, repo, name)
        (tree / "shared.txt").write_text(f"line 1\nedited by {name}\n", encoding="utf-8")
        commit_all(tree, f"{name} edits")
    for name in ("a1", "a2", "a3"):
        row = _row(world, name)
        assert row["branch"] == f"clauderon/{name}"
        assert row["changes"] == {"uncommitted": 0, "ahead": 1}
        shown = git(repo, "show", f"clauderon/{name}:shared.txt").stdout
        assert shown == f"line 1\nedited by {name}\n"
    assert (repo / "shared.txt").read_text(encoding="utf-8") == "line 1\n"


def test_plain_sessions_have_null_worktree_keys(world: TmuxWorld) -> None:
    world.ok("new", "plain", "--shell", shell_program("bash"))
    row = _row(world, "plain")
    for key in ("repo", "branch", "base", "worktree", "agent", "changes"):
        assert row[key] is None


def test_dirty_main_checkout_is_noted(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    (repo / "shared.txt").write_text("local edit\n", encoding="utf-8")
    out = world.ok("new", "d", "--repo", str(repo), "--shell", shell_program("bash")).stdout
    assert "uncommitted changes" in out and "not in the worktree" in out
    tree = _worktree(world, repo, "d")
    assert (tree / "shared.txt").read_text(encoding="utf-8") == "line 1\n"


def test_base_and_branch_options(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    first = git(repo, "rev-parse", "HEAD").stdout.strip()
    (repo / "later.txt").write_text("x", encoding="utf-8")
    commit_all(repo, "later")
    out = world.ok("new", "b", "--repo", str(repo), "--base", first, "--branch", "feature/x",
                   "--shell", shell_program("bash")).stdout
    assert f"on branch feature/x (base {first[:12]})" in out
    row = _row(world, "b")
    assert row["base"] == first and row["branch"] == "feature/x"
    assert not (_worktree(world, repo, "b") / "later.txt").exists()


def _nothing_made(world: TmuxWorld, repo: Path, name: str, before: set[str]) -> None:
    assert branches(repo) == before
    assert not _worktree(world, repo, name).exists()
    assert json.loads(world.ok("list", "--json").stdout) == []
    assert name not in world.server_sessions()
    assert "worktree" not in git(repo, "worktree", "list", "--porcelain").stdout.split(
        "\n\n", 1)[-1]


@pytest.mark.parametrize("case", ["not-a-repo", "branch-exists", "bad-base", "no-agent",
                                  "undefined-agent", "workdir-too", "base-without-repo"])
def test_bad_input_exits_2_and_makes_nothing(world: TmuxWorld, case: str) -> None:
    repo = make_repo(world.root)
    git(repo, "branch", "taken")
    before = branches(repo)
    plain = world.root / "plain"
    plain.mkdir()
    args = {
        "not-a-repo": ["--repo", str(plain)],
        "branch-exists": ["--repo", str(repo), "--branch", "taken"],
        "bad-base": ["--repo", str(repo), "--base", "no-such-ref"],
        "no-agent": ["--repo", str(repo), "--agent", "nosuch"],
        "undefined-agent": ["--repo", str(repo), "--agent", "aider"],
        "workdir-too": ["--repo", str(repo), "--workdir", str(plain)],
        "base-without-repo": ["--base", "main"],
    }[case]
    if case == "no-agent":
        world.write_config('default_backend = "tmux"\n[agents.nosuch]\n'
                           'command = ["no-such-agent-program", "--x"]\n')
    result = world.cli("new", "bad", *args, "--shell", shell_program("bash"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    if case == "no-agent":
        assert "no-such-agent-program" in lines[0]
    if case == "branch-exists":
        assert "taken" in lines[0]
    _nothing_made(world, repo, "bad", before)


def test_failed_start_removes_worktree_and_branch(world: TmuxWorld) -> None:
    """The backend fails after the worktree was made: neither is left behind."""
    repo = make_repo(world.root)
    before = branches(repo)
    result = world.cli("new", "fails", "--repo", str(repo), "--agent", "fake",
                       "--shell", "/bin/false")
    assert result.returncode == 1, result.stderr
    _nothing_made(world, repo, "fails", before)


# -- kill -------------------------------------------------------------------------------


def test_kill_clean_removes_session_worktree_and_branch(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "clean", "--repo", str(repo), "--agent", "fake", "--shell",
             shell_program("bash"))
    world.ok("kill", "clean")
    assert "clean" not in world.server_sessions()
    assert not _worktree(world, repo, "clean").exists()
    assert "clauderon/clean" not in branches(repo)


def test_kill_dirty_refuses_then_keep_work_keeps_the_bytes(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "dirty", "--repo", str(repo), "--shell", shell_program("bash"))
    tree = _worktree(world, repo, "dirty")
    data = b"\x00\xffunsaved work\n"
    (tree / "notes.bin").write_bytes(data)
    refused = world.cli("kill", "dirty")
    assert refused.returncode == 1
    assert "notes.bin" in refused.stderr and "--keep-work" in refused.stderr \
        and "--force" in refused.stderr
    assert "dirty" in world.server_sessions()  # nothing changed
    assert _row(world, "dirty")["status"] == "running"
    kept = world.ok("kill", "dirty", "--keep-work")
    assert "git -C" in kept.stdout and "worktree remove" in kept.stdout
    assert "dirty" not in world.server_sessions()
    assert json.loads(world.ok("list", "--json").stdout) == []
    assert (tree / "notes.bin").read_bytes() == data
    assert "clauderon/dirty" in branches(repo)


def test_kill_ahead_of_base_refuses_and_the_commit_stays_reachable(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "ahead", "--repo", str(repo), "--shell", shell_program("bash"))
    tree = _worktree(world, repo, "ahead")
    (tree / "feature.txt").write_text("new feature\n", encoding="utf-8")
    sha = commit_all(tree, "feature")
    refused = world.cli("kill", "ahead")
    assert refused.returncode == 1 and "1 commit" in refused.stderr
    world.ok("kill", "ahead", "--keep-work")
    assert git(repo, "cat-file", "-t", sha).stdout.strip() == "commit"
    assert git(repo, "rev-parse", "clauderon/ahead").stdout.strip() == sha


def test_kill_of_a_branch_merged_elsewhere_loses_nothing(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "merged", "--repo", str(repo), "--shell", shell_program("bash"))
    tree = _worktree(world, repo, "merged")
    (tree / "f.txt").write_text("x\n", encoding="utf-8")
    sha = commit_all(tree, "work")
    git(repo, "merge", "-q", "--ff-only", "clauderon/merged")
    world.ok("kill", "merged")  # the commit is on main: nothing held
    assert not tree.exists() and "clauderon/merged" not in branches(repo)
    assert git(repo, "rev-parse", "main").stdout.strip() == sha


def test_kill_force_prints_what_it_discards_first(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "gone", "--repo", str(repo), "--shell", shell_program("bash"))
    tree = _worktree(world, repo, "gone")
    (tree / "scratch.txt").write_text("x", encoding="utf-8")
    out = world.ok("kill", "gone", "--force").stdout
    first, second = out.splitlines()[:2]
    assert first.startswith("Discarding") and "scratch.txt" in first
    assert second == 'Killed session "gone"'
    assert not tree.exists() and "clauderon/gone" not in branches(repo)


def test_kill_all_follows_the_rule_per_session(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    for name in ("k1", "k2"):
        world.ok("new", name, "--repo", str(repo), "--shell", shell_program("bash"))
    (_worktree(world, repo, "k2") / "wip.txt").write_text("x", encoding="utf-8")
    result = world.cli("kill", "--all", "--yes")
    assert result.returncode == 1
    assert 'Killed session "k1"' in result.stdout
    assert "k2" in result.stderr and "wip.txt" in result.stderr
    assert [r["name"] for r in json.loads(world.ok("list", "--json").stdout)] == ["k2"]
    assert (_worktree(world, repo, "k2") / "wip.txt").exists()


# -- diff -------------------------------------------------------------------------------


def test_diff_shows_committed_and_uncommitted_changes(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "df", "--repo", str(repo), "--shell", shell_program("bash"))
    tree = _worktree(world, repo, "df")
    (tree / "committed.txt").write_text("c\n", encoding="utf-8")
    commit_all(tree, "c")
    (tree / "shared.txt").write_text("line 1\nuncommitted\n", encoding="utf-8")
    out = world.ok("diff", "df").stdout
    assert "+c" in out and "+uncommitted" in out
    stat = world.ok("diff", "df", "--stat").stdout
    assert "committed.txt" in stat and "shared.txt" in stat and "2 files changed" in stat
    world.ok("new", "plainone", "--shell", shell_program("bash"))
    refused = world.cli("diff", "plainone")
    assert refused.returncode == 1 and "not a worktree session" in refused.stderr


def test_agent_names_cache_for_completion(world: TmuxWorld) -> None:
    repo = make_repo(world.root)
    world.ok("new", "c", "--repo", str(repo), "--agent", "fake", "--shell",
             shell_program("bash"))
    cache = world.home / ".cache/clauderon/agents"
    assert cache.read_text(encoding="utf-8").split() == ["claude", "codex", "fake", "gemini"]
    assert cache.stat().st_mode & 0o777 == 0o600


def test_config_set_defines_an_agent_and_refreshes_the_names_cache(world: TmuxWorld) -> None:
    world.ok("config", "set", "agents.aider.command", "--", "aider", "--model", "x y")
    text = world.config_path.read_text(encoding="utf-8")
    assert "[agents.aider]" in text and '"agents.aider"' not in text
    cache = world.home / ".cache/clauderon/agents"
    assert "aider" in cache.read_text(encoding="utf-8").split()
    refused = world.cli("new", "n", "--agent", "aider", "--shell", shell_program("bash"))
    assert refused.returncode == 2 and "'aider'" in refused.stderr  # not on PATH
