"""The world of a doctor test: an isolated HOME, the Zellij fake first on PATH, real shells.

Every test drives the real CLI as a subprocess (``python -m clauderon doctor --json ...``) with
an explicit environment built from scratch: HOME and every XDG dir under the test's tmp dir,
``CLAUDERON_CONFIG``, ``ZELLIJ_SOCKET_DIR`` and ``TMUX_TMPDIR`` in short private dirs, and a
PATH of the fake's directory plus the system's programs without the Docker CLI (the
machine's Docker daemon is shared with other tests). The doctor runs under a real shell
(``bash -c``, ``zsh -c``, ``fish -c``) so that shell detection (shellingham walks the parent
processes) is the one the test chose. Nothing here touches the real HOME.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakes.fakezellij import run_zellij
from realtools import require

REPO = Path(__file__).resolve().parents[2]
SHELLS = {"bash": "/usr/bin/bash", "zsh": "/usr/bin/zsh", "fish": "/usr/bin/fish"}
VERSION = "0.44.1"


def shell_path(name: str) -> str:
    path = SHELLS[name]
    if not os.access(path, os.X_OK):
        require(name, "doctor tests run real shells")
    return path


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    data: dict[str, Any] | None = None

    def check(self, check_id: str) -> dict[str, Any]:
        assert self.data is not None, self.stdout + self.stderr
        for item in self.data["checks"]:
            if item["id"] == check_id:
                return dict(item)
        raise KeyError(f"{check_id} not in {[c['id'] for c in self.data['checks']]}")

    def statuses(self) -> dict[str, str]:
        assert self.data is not None
        return {c["id"]: c["status"] for c in self.data["checks"]}

    def text(self, check_id: str) -> str:
        """Summary, details and remedy of one check, as one string (for `in` asserts)."""
        item = self.check(check_id)
        return "\n".join([item["summary"], *item["details"], item["remedy"] or ""])


@dataclass
class World:
    root: Path
    env: dict[str, str]
    shell: str = "bash"
    cleanup: list[Path] = field(default_factory=list)

    # -- places --------------------------------------------------------------------------

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"])

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def config_path(self) -> Path:
        return Path(self.env["CLAUDERON_CONFIG"])

    @property
    def env_dir(self) -> Path:
        return Path(self.env["XDG_STATE_HOME"]) / "clauderon" / "sessions"

    @property
    def registry_path(self) -> Path:
        return Path(self.env["XDG_DATA_HOME"]) / "clauderon" / "sessions.db"

    @property
    def no_zellij(self) -> dict[str, str | None]:
        """An env override: PATH without the fake's directory."""
        return {"PATH": ":".join(self.env["PATH"].split(":")[1:])}

    def write_config(self, text: str) -> Path:
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(text, encoding="utf-8")
        return self.config_path

    def set_shell(self, name: str) -> None:
        self.shell = name
        self.env["SHELL"] = shell_path(name)

    # -- running things ------------------------------------------------------------------

    def _merged(self, env: Mapping[str, str | None] | None) -> dict[str, str]:
        merged = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    def clauderon(self, *args: str, env: Mapping[str, str | None] | None = None,
                  timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "clauderon", *args],
                              env=self._merged(env), cwd=self.work, capture_output=True,
                              text=True, timeout=timeout, check=False)

    def doctor(self, *args: str, env: Mapping[str, str | None] | None = None,
               shell: str | None = None, timeout: float = 90, as_json: bool = True) -> Run:
        """``clauderon doctor [--json] ARGS`` run from a real ``shell`` (the world's)."""
        name = shell or self.shell
        program = shell_path(name)
        argv = [sys.executable, "-m", "clauderon", "doctor", *(["--json"] if as_json else []),
                *args]
        if name == "fish":
            wrapper = [program, "--no-config", "-c", "$argv; exit $status", *argv]
        else:
            wrapper = [program, "-c", '"$@"; exit $?', "doctor-test", *argv]
        proc = subprocess.run(wrapper, env=self._merged(env), cwd=self.work,
                              capture_output=True, text=True, timeout=timeout, check=False)
        data = None
        if as_json and proc.stdout.strip():
            try:
                data = json.loads(proc.stdout)
            except ValueError:
                data = None
        return Run(proc.returncode, proc.stdout, proc.stderr, data)

    def zellij(self, *args: str, env: Mapping[str, str | None] | None = None
               ) -> subprocess.CompletedProcess[Any]:
        return run_zellij(self._merged(env), *args, cwd=self.work)

    def new(self, name: str, *, cli: bool = False) -> None:
        """A real session made by clauderon's own code against the fake: in-process
        (``sessions.create``, quick) or through the real ``clauderon new`` (``cli``)."""
        if cli:
            result = self.clauderon("new", "--backend", "zellij", "--workdir", str(self.work),
                                    name)
            assert result.returncode == 0, result.stderr
            return
        from clauderon import config, sessions

        request = sessions.NewRequest(session=name, backend="zellij", workdir=str(self.work))
        sessions.create(request, config.load(self.env), self.env)

    def rows(self) -> list[str]:
        from clauderon.registry import Registry

        return [r.name for r in Registry.default(self.env).all()]

    def install_hook(self, shell: str | None = None) -> None:
        result = self.clauderon("shell", "install", "--shell", shell or self.shell)
        assert result.returncode == 0, result.stderr

    def install_completions(self, shell: str | None = None) -> None:
        name = shell or self.shell
        result = self.clauderon("completions", "install", "--shell", name)
        assert result.returncode == 0, result.stderr
        if name == "zsh":  # put the directory on $fpath, as the install hint says
            from clauderon import completions

            hints = completions.hints("zsh", self.env)
            if hints:
                rc = self.home / ".zshrc"
                with rc.open("a", encoding="utf-8") as handle:
                    handle.write(hints[-1].strip() + "\n")

    def make_healthy(self) -> None:
        """zsh as the user's shell (bash would need bash-completion installed to find
        completions), hook and completions installed."""
        self.set_shell("zsh")
        self.install_hook()
        self.install_completions()


@dataclass
class Listener:
    port: int
    sock: socket.socket



def free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
