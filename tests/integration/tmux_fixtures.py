"""A private tmux server, an isolated HOME and the real clauderon CLI, for tmux tests.

``tmux_world(tmp_path)`` gives one test its own world, like libtmux's pytest plugin: HOME and
every XDG dir under ``tmp_path``, ``CLAUDERON_CONFIG`` pointing at a file there, and
``TMUX_TMPDIR`` at a fresh short directory (a socket path must stay under 108 bytes), so the
default tmux server of the test is its own. On exit every server the test used is killed.

Missing tmux skips the test with the reason, unless ``CLAUDERON_REQUIRE_REAL=1``, which turns
the skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realtools import require

REPO = Path(__file__).resolve().parents[2]
# Variables of the machine running the tests that would leak into the world under test.
SCRUB = ("TMUX", "TMUX_PANE", "TMUX_TMPDIR", "ZELLIJ", "ZELLIJ_SESSION_NAME", "ZELLIJ_PANE_ID",
         "CLAUDERON_SESSION", "CLAUDERON_HOOK", "CLAUDERON_CONFIG", "http_proxy", "HTTP_PROXY",
         "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
         "ZDOTDIR", "ENV", "BASH_ENV", "PROMPT_COMMAND")


def tmux_program() -> str:
    """The real tmux, or skip (fail under CLAUDERON_REQUIRE_REAL=1)."""
    return require("tmux", "the tmux backend tests run a real tmux server (apt-get install tmux)")


def shell_program(name: str) -> str:
    """``/usr/bin/NAME``, or skip (fail under CLAUDERON_REQUIRE_REAL=1)."""
    return require(f"/usr/bin/{name}", f"the tmux tests run {name} as a session shell")


@dataclass
class TmuxWorld:
    root: Path
    home: Path
    env: dict[str, str]
    tmux: str
    sockets: set[str | None] = field(default_factory=lambda: {None})

    # -- configuration -----------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return Path(self.env["CLAUDERON_CONFIG"])

    def write_config(self, text: str) -> None:
        self.config_path.write_text(text, encoding="utf-8")
        for line in text.splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "socket":
                self.sockets.add(value.strip().strip('"'))

    # -- the CLI -----------------------------------------------------------------------

    def cli(self, *args: str, env: Mapping[str, str | None] | None = None,
            timeout: float = 30) -> subprocess.CompletedProcess[str]:
        merged = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return subprocess.run([sys.executable, "-m", "clauderon", *args], env=merged, check=False,
                              capture_output=True, text=True, timeout=timeout,
                              cwd=self.root, stdin=subprocess.DEVNULL)

    def ok(self, *args: str, env: Mapping[str, str | None] | None = None
           ) -> subprocess.CompletedProcess[str]:
        result = self.cli(*args, env=env)
        assert result.returncode == 0, (
            f"clauderon {' '.join(args)} exited {result.returncode}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    def listed(self) -> dict[str, str]:
        """``clauderon list --json`` as name -> status."""
        rows: list[dict[str, Any]] = json.loads(self.ok("list", "--json").stdout)
        return {row["name"]: row["status"] for row in rows}

    # -- the private tmux server ---------------------------------------------------------

    def run_tmux(self, *args: str, socket: str | None = None
                 ) -> subprocess.CompletedProcess[str]:
        prefix = [self.tmux, "-L", socket] if socket else [self.tmux]
        return subprocess.run([*prefix, *args], env=self.env, capture_output=True, text=True,
                              check=False,
                              timeout=10, stdin=subprocess.DEVNULL)

    def server_sessions(self, socket: str | None = None) -> set[str]:
        result = self.run_tmux("list-sessions", "-F", "#{session_name}", socket=socket)
        if result.returncode != 0:
            assert "no server running" in result.stderr or "error connecting" in result.stderr, (
                result.stderr)
            return set()
        return set(result.stdout.splitlines())

    def type_line(self, pane: str, line: str, socket: str | None = None) -> None:
        sent = self.run_tmux("send-keys", "-t", pane, "-l", line, socket=socket)
        assert sent.returncode == 0, sent.stderr
        self.run_tmux("send-keys", "-t", pane, "Enter", socket=socket)

    def pane_env(self, pane: str, *, socket: str | None = None, timeout: float = 15
                 ) -> tuple[dict[str, str], str]:
        """Have the shell in ``pane`` write its exported environment (``env -0``) and its
        working directory to files; return both as the shell sees them."""
        out = Path(tempfile.mkdtemp(prefix="pane", dir=self.root))
        env_file, pwd_file = out / "env", out / "pwd"
        line = f"pwd > '{pwd_file}'; /usr/bin/env -0 > '{env_file}.part'; " \
               f"mv '{env_file}.part' '{env_file}'"
        self.type_line(pane, line, socket=socket)
        deadline = time.monotonic() + timeout
        while not env_file.exists():
            if time.monotonic() > deadline:
                screen = self.run_tmux("capture-pane", "-p", "-t", pane, socket=socket).stdout
                raise AssertionError(f"the shell in {pane} did not write its env; screen:\n"
                                     f"{screen}")
            time.sleep(0.05)
        entries = env_file.read_bytes().decode("utf-8").split("\0")
        env = dict(e.split("=", 1) for e in entries if e)
        return env, pwd_file.read_text(encoding="utf-8").rstrip("\n")

    def kill_servers(self) -> None:
        for socket in self.sockets:
            self.run_tmux("kill-server", socket=socket)


def isolated_env(root: Path, home: Path, tmux_tmpdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(root / "run"),
        "CLAUDERON_CONFIG": str(root / "config.toml"),
        "TMUX_TMPDIR": str(tmux_tmpdir),
        "TERM": "screen-256color",
        "SHELL": "/bin/sh",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH"))
                                      if p),
    })
    return env


def _quiet_rc_files(home: Path) -> None:
    """Start files that keep the shells from prompting (zsh's new-user menu, fish's
    greeting) and load nothing else."""
    (home / ".zshrc").write_text("", encoding="utf-8")
    fish_dir = home / ".config" / "fish"
    fish_dir.mkdir(parents=True)
    (fish_dir / "config.fish").write_text("set -g fish_greeting\n", encoding="utf-8")


@contextmanager
def tmux_world(tmp_path: Path) -> Iterator[TmuxWorld]:
    tmux = tmux_program()
    root = tmp_path
    home = root / "home"
    for sub in (".config", ".local/share", ".local/state", ".cache"):
        (home / sub).mkdir(parents=True)
    (root / "run").mkdir(mode=0o700)
    _quiet_rc_files(home)
    tmux_tmpdir = Path(tempfile.mkdtemp(prefix="crt-"))  # short: /tmp/crt-XXXXXXXX
    world = TmuxWorld(root=root, home=home, env=isolated_env(root, home, tmux_tmpdir),
                      tmux=tmux)
    world.write_config("")
    try:
        yield world
    finally:
        world.kill_servers()
        shutil.rmtree(tmux_tmpdir, ignore_errors=True)


def write_argv_logger(directory: Path, real: str) -> Path:
    """A ``tmux`` that records its argv and ``$TMUX`` (NUL-separated, one file per call) and
    then runs the real tmux. Put ``directory`` first on PATH to use it."""
    log = directory / "calls"
    log.mkdir(parents=True)
    script = directory / "tmux"
    script.write_text(
        "#!/bin/sh\n"
        f"n=$(ls '{log}' | wc -l)\n"
        f"printf '%s\\0' \"${{TMUX-<unset>}}\" \"$@\" > '{log}'/$(printf '%05d' \"$n\")\n"
        f"exec '{real}' \"$@\"\n", encoding="utf-8")
    script.chmod(0o755)
    return log


def logged_calls(log: Path) -> list[tuple[str, list[str]]]:
    """(``$TMUX`` as the call saw it, argv after ``tmux``) for each call, in order."""
    calls = []
    for entry in sorted(log.iterdir()):
        parts = entry.read_bytes().decode("utf-8").split("\0")[:-1]
        calls.append((parts[0], parts[1:]))
    return calls


def find_call(calls: Sequence[tuple[str, list[str]]], word: str) -> list[tuple[str, list[str]]]:
    return [c for c in calls if word in c[1]]
