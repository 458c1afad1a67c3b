"""Helpers of the install tests (tests/install/conftest.py holds the fixtures)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT = 300  # the dependencies may come from the network
# What the machine running the tests has that must not reach the sandbox.
SCRUB = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV",
         "PIPX_HOME", "PIPX_BIN_DIR", "PIPX_MAN_DIR", "PIPX_DEFAULT_PYTHON", "ENV", "BASH_ENV",
         "ZDOTDIR", "PROMPT_COMMAND", "TMUX", "TMUX_PANE", "TMUX_TMPDIR", "ZELLIJ",
         "ZELLIJ_SESSION_NAME", "ZELLIJ_PANE_ID", "CLAUDERON_CONFIG", "CLAUDERON_SESSION",
         "CLAUDERON_HOOK", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
         "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "HOME")
PROXIES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
           "no_proxy", "NO_PROXY")


def run(argv: list[str], env: Mapping[str, str], *, cwd: Path | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=dict(env), cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, check=False)


def ok(argv: list[str], env: Mapping[str, str], *, cwd: Path | None = None,
       timeout: float = 60) -> subprocess.CompletedProcess[str]:
    result = run(argv, env, cwd=cwd, timeout=timeout)
    assert result.returncode == 0, (f"{argv} exited {result.returncode}\n"
                                    f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result


@dataclass
class Installed:
    """One sandbox: its HOME, the environment a user there has (the install's bin directory
    first on PATH), and the installed ``clauderon``."""

    how: str
    home: Path
    env: dict[str, str]
    clauderon: Path
    python: str  # the interpreter the console script runs

    def cli(self, *args: str, env: Mapping[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        return run([str(self.clauderon), *args], {**self.env, **(env or {})}, cwd=self.home)

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        return ok([str(self.clauderon), *args], self.env, cwd=self.home)


def sandbox_env(home: Path, tmux_tmpdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUB and k not in PROXIES}
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "CLAUDERON_CONFIG": str(home / ".config" / "clauderon" / "config.toml"),
        "TMUX_TMPDIR": str(tmux_tmpdir),
        "TERM": "xterm-256color",
        "SHELL": "/bin/sh",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    })
    return env


