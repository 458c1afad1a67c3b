"""Run real interactive bash, zsh and fish on a pseudo-terminal, with an isolated HOME."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from realtools import require

from clauderon.shellquote import quote_fish, quote_posix

SHELLS = ("bash", "zsh", "fish")
POSIX_SHELLS = ("bash", "zsh")
REPO = Path(__file__).resolve().parents[2]
HOOKS = {shell: REPO / "shell" / f"clauderon.{shell}" for shell in SHELLS}


@dataclass(frozen=True)
class ShellResult:
    """What the shell printed (stdout and stderr share the terminal) and its exit status."""

    output: str
    returncode: int


class RunShell(Protocol):
    def __call__(
        self, shell: str, command: str, *, rc: str | None = None,
        env: dict[str, str | None] | None = None, cwd: Path | None = None,
    ) -> ShellResult: ...


def shell_path(shell: str) -> str:
    """The real shell; skip the test without it (fail under CLAUDERON_REQUIRE_REAL=1)."""
    found = shutil.which(shell, path="/usr/bin:/bin")
    return found if found else require(shell, "needed for the real-shell tests")


def quote(shell: str, value: str) -> str:
    return quote_fish(value) if shell == "fish" else quote_posix(value)


def source_cmd(shell: str, path: Path) -> str:
    word = "source" if shell == "fish" else "."
    return f"{word} {quote(shell, str(path))}"


def rc_path(shell: str, home: Path) -> Path:
    """Where the interactive shell reads its rc file (HOME is isolated, ZDOTDIR=HOME)."""
    if shell == "bash":
        return home / ".bashrc"
    if shell == "zsh":
        return home / ".zshrc"
    return home / ".config" / "fish" / "config.fish"


def _argv(shell: str, command: str) -> list[str]:
    return [shell_path(shell), "-i", "-c", command]


def _read_all(master: int, proc: subprocess.Popen[bytes], deadline: float) -> bytes:
    chunks: list[bytes] = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal's last writer closed it
            break
        if not data:
            break
        chunks.append(data)
    try:
        proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise TimeoutError(
            f"the shell did not finish; output so far: {b''.join(chunks)!r}"
        ) from None
    return b"".join(chunks)


@dataclass
class Running:
    """An interactive shell started by :func:`start_interactive`."""

    proc: subprocess.Popen[bytes]
    master: int
    deadline: float

    def finish(self) -> ShellResult:
        """Wait for the shell; return what it printed."""
        try:
            raw = _read_all(self.master, self.proc, self.deadline)
        finally:
            os.close(self.master)
        return ShellResult(raw.decode("utf-8", "replace").replace("\r\n", "\n"),
                           self.proc.returncode)


def _write_rc(shell: str, home: Path, rc: str | None) -> None:
    rc_file = rc_path(shell, home)
    if rc is not None:
        rc_file.parent.mkdir(parents=True, exist_ok=True)
        rc_file.write_text(rc)
    elif shell == "zsh" and not rc_file.exists():
        rc_file.touch()


def start_interactive(
    shell: str, command: str, *, env: Mapping[str, str], rc: str | None = None,
    cwd: Path | None = None, timeout: float = 30.0,
) -> Running:
    """Start ``shell -i -c command`` on its own pty; see :func:`run_interactive`."""
    home = Path(env["HOME"])
    _write_rc(shell, home, rc)
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            _argv(shell, command), stdin=slave, stdout=slave, stderr=slave, env=dict(env),
            cwd=cwd or home, start_new_session=True, close_fds=True,
        )
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    return Running(proc, master, time.monotonic() + timeout)


def run_interactive(
    shell: str, command: str, *, env: Mapping[str, str], rc: str | None = None,
    cwd: Path | None = None, timeout: float = 30.0,
) -> ShellResult:
    """Run ``shell -i -c command`` on a pty with ``env``; write ``rc`` as its rc file first.

    The rc file is the one the shell reads from the (isolated) HOME: ~/.bashrc,
    $ZDOTDIR/.zshrc, ~/.config/fish/config.fish. With ``rc=None`` the rc file already there is
    used as it is (an empty one is created for zsh so that zsh-newuser-install never starts).
    """
    return start_interactive(shell, command, env=env, rc=rc, cwd=cwd, timeout=timeout).finish()


def base_env(home: Path, **extra: str | None) -> dict[str, str]:
    """A minimal environment for a shell under test: isolated HOME and XDG dirs, UTF-8."""
    env = {
        "HOME": str(home),
        "ZDOTDIR": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TERM": "xterm",
        "USER": os.environ.get("USER", "tester"),
    }
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def dump_cmd(shell: str, names: list[str], out_dir: Path) -> str:
    """Commands writing each variable's value, byte for byte, to ``out_dir/<name>``.

    A variable that is not set writes nothing, so its file is missing.
    """
    parts = []
    for name in names:
        target = quote(shell, str(out_dir / name))
        if shell == "fish":
            parts.append(f"set -q {name}; and printf '%s' \"${name}\" > {target}")
        else:
            parts.append(f"[ -n \"${{{name}+x}}\" ] && printf '%s' \"${name}\" > {target}")
    return "; ".join(parts)


def read_dump(out_dir: Path, names: list[str]) -> dict[str, bytes | None]:
    """The values written by :func:`dump_cmd` (None for a variable that was not set)."""
    result: dict[str, bytes | None] = {}
    for name in names:
        path = out_dir / name
        result[name] = path.read_bytes() if path.exists() else None
    return result
