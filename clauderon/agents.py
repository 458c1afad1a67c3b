"""Coding agents: the built-in definitions, the config's ``[agents.NAME]`` tables, and the argv
that starts or resumes one in a session's first pane.

An agent is an argv (``command``), how the first prompt is passed (``prompt_flag``: nothing,
the prompt is one more argument; ``["-i"]`` for Gemini CLI, whose positional prompt would run
once and exit) and, optionally, the argv that resumes the latest conversation of the
directory (``resume``). The prompt is always ONE argv element, never part of a shell string.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from clauderon import paths
from clauderon.config import Config
from clauderon.errors import UsageError


class Agent(NamedTuple):
    name: str
    command: tuple[str, ...]
    resume: tuple[str, ...] = ()
    prompt_flag: tuple[str, ...] = ()
    builtin: bool = False


# From the agents' own documentation (docs/agents.md keeps the table).
BUILTIN: dict[str, Agent] = {
    "claude": Agent("claude", ("claude",), ("claude", "--continue"), builtin=True),
    "codex": Agent("codex", ("codex",), ("codex", "resume", "--last"), builtin=True),
    "gemini": Agent("gemini", ("gemini",), ("gemini", "--resume", "latest"), ("-i",),
                    builtin=True),
}


def configured_names(config: Config) -> list[str]:
    """The agents the config file defines (``[agents.NAME]``), in file order."""
    found = [k.split(".")[1] for k in config.values if k.startswith("agents.")]
    return list(dict.fromkeys(found))


def names(config: Config) -> list[str]:
    """Every agent `--agent` accepts: the built-ins and the configured ones, sorted."""
    return sorted({*BUILTIN, *configured_names(config)})


def get(name: str, config: Config) -> Agent:
    """The definition of agent ``name``: the config's table over the built-in one."""
    base = BUILTIN.get(name)
    command = config.get(f"agents.{name}.command")
    resume = config.get(f"agents.{name}.resume")
    flag = config.get(f"agents.{name}.prompt_flag")
    if base is None and command is None:
        known = ", ".join(names(config))
        raise UsageError(f"--agent {name!r} is not defined; use one of: {known}, or define it "
                         f"in the config file as [agents.{name}] command = [\"PROGRAM\"]")
    if base is None:
        base = Agent(name, ())
    return Agent(name,
                 tuple(command) if command is not None else base.command,
                 tuple(resume) if resume is not None else
                 (base.resume if command is None else ()),
                 tuple(flag) if flag is not None else
                 (base.prompt_flag if command is None else ()),
                 base.builtin)


def chosen(agent: str | None, prompt: str | None, config: Config) -> str | None:
    """The agent a `new` runs: --agent, else ``default_agent`` when a prompt is given."""
    if agent is not None:
        return agent
    if prompt is None:
        return None
    default = config.get("default_agent")
    if not default:
        raise UsageError("--prompt needs an agent: add --agent NAME (e.g. --agent claude), or "
                         "set default_agent in the config file")
    return str(default)


def start_argv(agent: Agent, prompt: str | None) -> list[str]:
    """The argv that starts ``agent``, with ``prompt`` as one argument when given."""
    if not agent.command:
        raise UsageError(f"agents.{agent.name}.command is empty; give the program to run")
    return [*agent.command, *((*agent.prompt_flag, prompt) if prompt is not None else ())]


def resume_argv(agent: Agent) -> list[str]:
    """The argv `restore` runs: ``resume``, else ``command`` without the prompt."""
    return list(agent.resume or agent.command)


def restore_command(options: Mapping[str, object], config: Config, shell: str
                    ) -> tuple[str, ...]:
    """What `restore` gives ``SessionSpec.command`` for a recorded session: its agent
    resumed through the shell (``resume``, else ``command`` without the prompt); empty for
    a session without an agent. With ``worktrees.prepare_restore(options, env)`` first (a
    worktree whose directory is gone is added again from its branch, at the same path:
    agents keep conversations per directory)."""
    name = options.get("agent")
    if not name:
        return ()
    return tuple(pane_command(shell, resume_argv(get(str(name), config))))


def require_program(argv: Sequence[str], env: Mapping[str, str]) -> None:
    """An agent program missing from PATH: exit 2 before anything is made, naming it."""
    from clauderon.proc import which

    program = argv[0]
    if os.sep in program:
        if os.path.isfile(program) and os.access(program, os.X_OK):
            return
    elif which(program, env) is not None:
        return
    raise UsageError(f"the agent program {program!r} is not on PATH; install it, or point "
                     "[agents.NAME] command at it in the config file")


def pane_command(shell: str, argv: Sequence[str]) -> list[str]:
    """What the session's first pane runs: the user's shell, interactive (so its rc files
    and clauderon's hook apply), running ``argv`` as positional parameters (the command
    string is constant: no value is ever parsed by a shell), then replacing itself with an
    interactive shell, so the pane stays at a prompt when the agent exits."""
    if os.path.basename(shell) == "fish":
        return [shell, "-i", "-c", "$argv[2..-1]; exec $argv[1]", shell, *argv]
    return [shell, "-i", "-c", '"$@"; exec "$0"', shell, *argv]


def refresh_cache(config: Config, env: Mapping[str, str]) -> None:
    """Rewrite the agent names file ``--agent`` completion reads (never fatal)."""
    from clauderon.fileio import write_private_file

    target = paths.agents_cache(env)
    text = "".join(f"{n}\n" for n in names(config))
    try:
        if target.exists() and target.read_text(encoding="utf-8") == text:
            return
        write_private_file(target, text)
    except OSError:
        pass
