"""Shared by the git, agents and worktrees checks: whether the user runs worktree or agent
sessions at all (else those checks are skipped with one line)."""

from __future__ import annotations

from clauderon.doctor.context import Context
from clauderon.registry import Record

SKIP = "no worktree session and no agent configured (clauderon new --repo / --agent)"


def worktree_records(ctx: Context) -> list[Record]:
    """The recorded sessions made with --repo (an unreadable registry: none here; the
    registry check reports it)."""
    try:
        records = ctx.records()
    except Exception:
        return []
    return [r for r in records if "worktree" in r.options and "repo" in r.options]


def agent_records(ctx: Context) -> list[Record]:
    try:
        records = ctx.records()
    except Exception:
        return []
    return [r for r in records if r.options.get("agent")]


def agents_configured(ctx: Context) -> bool:
    values = ctx.config_or_default().values
    return "default_agent" in values or any(k.startswith("agents.") for k in values)


def in_use(ctx: Context) -> bool:
    return bool(worktree_records(ctx) or agent_records(ctx) or agents_configured(ctx))
