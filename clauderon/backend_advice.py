"""When the default backend's program is not installed but another backend's is: which one
to suggest, and the two ways to use it (``--backend NAME`` once, or ``clauderon config set
default_backend NAME``). Used by ``clauderon new``'s error and doctor's summary.

"Usable" here means "its program is on PATH": the cheap test a first run can make. A backend
that runs on the host (tmux) is suggested before one that runs in a container (Docker).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clauderon import backends, proc


def installed(name: str, env: Mapping[str, str]) -> bool:
    return proc.which(backends.info(name).program, env) is not None


def alternative(default: str, env: Mapping[str, str]) -> str | None:
    """Another backend to use when ``default``'s program is missing and one is installed;
    None when ``default`` is installed, or nothing else is."""
    if not backends.exists(default) or installed(default, env):
        return None
    others = [n for n in backends.names() if n != default and installed(n, env)]
    others.sort(key=lambda n: backends.info(n).container_host is not None)
    return others[0] if others else None


def set_default_command(name: str) -> str:
    return proc.describe(["clauderon", "config", "set", "default_backend", name])


def for_new(default: str, instead: str, new_argv: Sequence[str]) -> str:
    """The error of ``clauderon new`` when ``default``'s program is missing: ``new_argv`` is
    the same command with ``--backend instead`` (built by the caller)."""
    program = backends.info(default).program
    label = backends.info(instead).label
    return (f"{program} not found on PATH and {default} is the default backend; {label} is "
            f"installed: run `{proc.describe(new_argv)}`, or make it the default with "
            f"`{set_default_command(instead)}` (`clauderon doctor` shows how to install "
            f"{program})")


def for_doctor(env: Mapping[str, str]) -> str | None:
    """The line under doctor's summary when the default backend cannot run and another can;
    None otherwise (also when the config cannot be read: config.file says why)."""
    from clauderon import config
    from clauderon.errors import ClauderonError

    try:
        default = config.load(env).default_backend
    except (ClauderonError, OSError):
        return None
    instead = alternative(default, env)
    if instead is None:
        return None
    program = backends.info(default).program
    return (f"The default backend, {default}, cannot run here ({program} is not installed) "
            f"but {instead} can: `{set_default_command(instead)}` makes it the default "
            f"(or add `--backend {instead}` to `clauderon new`).")
