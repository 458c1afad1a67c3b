"""Pure parts of worktree sessions: git's machine formats parsed, agents' argv built."""

from __future__ import annotations

from pathlib import Path

import pytest

from clauderon import agents, worktrees
from clauderon.config import Config, from_text
from clauderon.errors import ConfigError, UsageError


def test_parse_listing_blocks_detached_locked_prunable() -> None:
    text = ("worktree /r\0HEAD aaa\0branch refs/heads/main\0\0"
            "worktree /w/a b\0HEAD bbb\0branch refs/heads/clauderon/a\0locked\0\0"
            "worktree /w/gone\0HEAD ccc\0detached\0prunable gitdir file points to non-existent"
            " location\0\0")
    listed = worktrees.parse_listing(text)
    assert [w.path for w in listed] == ["/r", "/w/a b", "/w/gone"]
    assert listed[1].branch == "clauderon/a" and listed[1].locked
    assert listed[2].detached and listed[2].prunable and listed[2].branch is None


def test_parse_status_keeps_paths_exact_and_skips_rename_sources() -> None:
    text = " M a file\0?? new\nline\0R  renamed\0original\0A  ü.txt\0"
    assert worktrees.parse_status(text) == ("a file", "new\nline", "renamed", "ü.txt")


def test_work_describes_files_and_commits() -> None:
    assert worktrees.Work((), 0).describe() == "nothing"
    assert not worktrees.Work((), 0).holds
    held = worktrees.Work(("a", "b"), 2)
    assert held.holds and held.describe() == (
        "2 uncommitted files (a, b) and 2 commits not in its base or any other branch")


def _config(text: str) -> Config:
    return from_text(text, Path("/c.toml"), "c.toml")


def test_builtin_and_configured_agents() -> None:
    cfg = _config('[agents.aider]\ncommand = ["aider", "--x"]\n[agents.claude]\n'
                  'resume = ["claude", "-c"]\n')
    assert agents.names(cfg) == ["aider", "claude", "codex", "gemini"]
    assert agents.start_argv(agents.get("gemini", cfg), "p q") == ["gemini", "-i", "p q"]
    assert agents.start_argv(agents.get("claude", cfg), "$(x)") == ["claude", "$(x)"]
    assert agents.resume_argv(agents.get("claude", cfg)) == ["claude", "-c"]
    assert agents.resume_argv(agents.get("aider", cfg)) == ["aider", "--x"]
    with pytest.raises(UsageError, match="not defined"):
        agents.get("nosuch", cfg)


def test_prompt_without_agent_needs_default_agent() -> None:
    with pytest.raises(UsageError, match="default_agent"):
        agents.chosen(None, "hi", _config(""))
    assert agents.chosen(None, "hi", _config('default_agent = "codex"\n')) == "codex"
    assert agents.chosen(None, None, _config('default_agent = "codex"\n')) is None


@pytest.mark.parametrize("text", ['[agents.x]\ncommand = []\n', '[agents]\nx = 1\n',
                                  '[agents.x]\ncommand = "claude"\n'])
def test_bad_agent_tables_are_config_errors(text: str) -> None:
    with pytest.raises(ConfigError):
        _config(text)


def test_pane_command_per_shell() -> None:
    assert agents.pane_command("/usr/bin/fish", ["a", "b"]) == [
        "/usr/bin/fish", "-i", "-c", "$argv[2..-1]; exec $argv[1]", "/usr/bin/fish", "a", "b"]
    assert agents.pane_command("/bin/zsh", ["a"]) == [
        "/bin/zsh", "-i", "-c", '"$@"; exec "$0"', "/bin/zsh", "a"]
