"""Fixtures for driving the installed ``clauderon`` console script against the Zellij fake."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FAKES = Path(__file__).resolve().parent.parent / "fakes"


def clauderon_argv() -> list[str]:
    """The installed console script when there is one (what users run), else the module."""
    script = shutil.which("clauderon")
    return [script] if script else [sys.executable, "-m", "clauderon"]


@dataclass
class Cli:
    home: Path
    env: dict[str, str]
    cwd: Path
    calls: list[list[str]] = field(default_factory=list)

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        return subprocess.run(clauderon_argv() + list(args), env={**self.env, **(env or {})},
                              cwd=self.cwd, capture_output=True, text=True, timeout=timeout,
                              input=input)

    def ok(self, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        result = self.run(*args, **kw)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def zellij(self, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(FAKES / "zellij"), *args], env={**self.env, **(env or {})},
                              cwd=self.cwd, capture_output=True, text=True, timeout=30)

    def write_config(self, text: str) -> Path:
        path = Path(self.env["CLAUDERON_CONFIG"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    @property
    def state(self) -> Path:
        return Path(self.env["XDG_STATE_HOME"]) / "clauderon"

    @property
    def registry(self) -> Path:
        return Path(self.env["XDG_DATA_HOME"]) / "clauderon" / "sessions.db"


def make_env(root: Path, version: str = "0.43.1") -> dict[str, str]:
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "HOME": str(home),
        # The fake is a python3 script: put the running interpreter's directory before any
        # slow version-manager shim (pyenv's costs ~190 ms per call).
        "PATH": os.pathsep.join([str(FAKES), os.path.dirname(sys.executable),
                                 os.environ.get("PATH", "/usr/bin:/bin")]),
        "SHELL": "/bin/bash",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "CLAUDERON_CONFIG": str(home / ".config/clauderon/config.toml"),
        "ZELLIJ_SOCKET_DIR": str(root / "zs"),
        "FAKE_ZELLIJ_VERSION": version,
        "FAKE_ZELLIJ_LOG": str(root / "zellij-calls.jsonl"),
    }
    for var in ("PYTHONPATH", "VIRTUAL_ENV"):
        if var in os.environ:
            env[var] = os.environ[var]
    return env


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    env = make_env(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    return Cli(home=Path(env["HOME"]), env=env, cwd=work)


@pytest.fixture
def cli_factory(tmp_path: Path) -> Callable[[str], Cli]:
    def make(version: str) -> Cli:
        root = tmp_path / version
        env = make_env(root, version)
        work = root / "work"
        work.mkdir(parents=True, exist_ok=True)
        return Cli(home=Path(env["HOME"]), env=env, cwd=work)

    return make


def zellij_log(cli: Cli) -> list[dict[str, Any]]:
    path = Path(cli.env["FAKE_ZELLIJ_LOG"])
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
