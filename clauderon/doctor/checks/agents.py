"""agents.binary: every agent the config's default names, or a recorded session runs, is on
PATH (its version when it is a built-in agent, which documents --version)."""

from __future__ import annotations

from clauderon.doctor.checks._worktree_use import SKIP, agent_records, in_use
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, skipped

# How the built-in agents are installed (their own documentation).
INSTALL = {
    "claude": "npm install -g @anthropic-ai/claude-code",
    "codex": "npm install -g @openai/codex",
    "gemini": "npm install -g @google/gemini-cli",
}


def _wanted(ctx: Context) -> dict[str, str]:
    """Agent name -> why it is checked; agents of sessions whose shell runs in an image
    are looked for there, not here."""
    from clauderon import backends

    wanted: dict[str, str] = {}
    default = ctx.config_or_default().get("default_agent")
    if default:
        wanted[str(default)] = "default_agent"
    for record in agent_records(ctx):
        if backends.exists(record.backend) and backends.info(record.backend).shell_in_image:
            continue
        wanted.setdefault(str(record.options["agent"]), f'session "{record.name}"')
    return wanted


def check_binary(ctx: Context) -> Result:
    from clauderon import agents
    from clauderon.errors import UsageError

    if not in_use(ctx):
        return skipped(SKIP)
    wanted = _wanted(ctx)
    if not wanted:
        return skipped("no agent named by default_agent or by a session on this host")
    config = ctx.config_or_default()
    found: list[str] = []
    missing: list[str] = []
    remedies: list[str] = []
    for name, why in sorted(wanted.items()):
        try:
            agent = agents.get(name, config)
        except UsageError:
            missing.append(f"{name} ({why}) is not defined: add [agents.{name}] command = "
                           "[...] to the config file")
            continue
        program = agent.command[0] if agent.command else ""
        path = ctx.which(program) if program else None
        if path is None:
            missing.append(f"{name} ({why}): {program!r} is not on PATH")
            remedies.append(INSTALL.get(name, f"install {program}, or set [agents.{name}] "
                                              "command to its path"))
            continue
        version = ""
        if agent.builtin:  # built-ins document --version; another program might not
            result = ctx.run([path, "--version"], timeout=5)
            line = (result.stdout.strip().splitlines() or [""])[0] if result.ok else ""
            version = f" {line[:60]}" if line else ""
        found.append(f"{name}: {path}{version}")
    if missing:
        return error(f"{len(missing)} agent(s) cannot start: " + "; ".join(missing),
                     details=found, remedy="; ".join(dict.fromkeys(remedies)) or None)
    return ok(", ".join(found))


CHECKS = [Check("agents.binary", "Agents", "agent programs on PATH", check_binary)]
