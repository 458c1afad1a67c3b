"""The one place clauderon runs external commands.

Every call takes an argv list (never a shell string), has a timeout, and fails with an error
that names the command and quotes its stderr. A timed-out command is killed with its whole
process group, so a hung multiplexer never hangs clauderon.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def describe(argv: Sequence[str]) -> str:
    """The command as a user could paste it (for messages only; never executed)."""
    return shlex.join(argv)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def which(program: str, env: Mapping[str, str] | None = None) -> str | None:
    path = (env or os.environ).get("PATH", os.defpath)
    return shutil.which(program, path=path)


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    input: str | None = None,
    check: bool = True,
) -> Result:
    """Run ``argv`` and capture its output as text.

    Raises CommandNotFound when the program does not exist, CommandTimeout when it runs past
    ``timeout`` seconds, and CommandError for a non-zero exit when ``check`` is true.
    """
    from clauderon.errors import CommandError, CommandNotFound, CommandTimeout

    args = [str(a) for a in argv]
    if not args:
        raise ValueError("empty argv")
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        if cwd is not None and not os.path.isdir(cwd):
            raise CommandError(f"cannot run {args[0]}: directory {cwd} does not exist",
                               argv=args) from exc
        raise CommandNotFound(f"{args[0]} not found on PATH", argv=args) from exc
    except PermissionError as exc:
        raise CommandError(f"cannot run {args[0]}: permission denied", argv=args) from exc
    try:
        out, err = proc.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        raise CommandTimeout(
            f"`{describe(args)}` timed out after {timeout:g}s and was stopped",
            argv=args, stderr=err or "",
        ) from None
    result = Result(tuple(args), proc.returncode, out or "", err or "")
    if check and not result.ok:
        raise failure(result)
    return result


def failure(result: Result) -> Exception:
    """The CommandError for a finished command that did not succeed."""
    from clauderon.errors import CommandError

    said = _first_line(result.stderr) or _first_line(result.stdout)
    detail = f": {said}" if said else ""
    return CommandError(
        f"`{describe(result.argv)}` failed with exit code {result.returncode}{detail}",
        argv=list(result.argv), stderr=result.stderr, returncode=result.returncode,
    )


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
