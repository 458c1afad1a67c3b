"""Worlds for the adversarial tests: the installed CLI, the Zellij fake, real tmux, mounts.

Every program the suite runs goes through :func:`run_recorded`, which keeps what it printed
in :data:`adversarial.stats.STATS` (``test_secrets.py`` scans it for the proxy password).
Every world carries that password in its proxy variables.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fakes.fakezellij import FAKE_ZELLIJ_DIR, running_sessions, session_names

from adversarial.stats import PROXY_URL, STATS, Output

REPO = Path(__file__).resolve().parents[2]
ZELLIJ_VERSION = "0.44.1"
TRACEBACK = "Traceback (most recent call last)"


def clauderon_argv() -> list[str]:
    """The installed console script beside this interpreter (what users run; no pyenv shim
    in between), else the one on PATH, else ``python -m clauderon``."""
    beside = Path(sys.executable).with_name("clauderon")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("clauderon")
    return [found] if found else [sys.executable, "-m", "clauderon"]


def run_recorded(label: str, argv: Sequence[str], *, env: Mapping[str, str],
                 cwd: Path | str | None = None, timeout: float = 60,
                 input: str | None = None,
                 preexec_fn: Callable[[], None] | None = None,
                 ) -> subprocess.CompletedProcess[str]:
    """Run ``argv``; record its output for the secrets scan; ``.elapsed`` holds seconds."""
    start = time.monotonic()
    raw = subprocess.run(list(argv), env=dict(env), cwd=cwd, capture_output=True,
                         timeout=timeout, input=input.encode() if input is not None else None,
                         stdin=None if input is not None else subprocess.DEVNULL,
                         preexec_fn=preexec_fn, check=False)
    # Decoded by hand: text mode would turn "\r\n" into "\n" (universal newlines).
    proc = subprocess.CompletedProcess(raw.args, raw.returncode,
                                       raw.stdout.decode("utf-8", "replace"),
                                       raw.stderr.decode("utf-8", "replace"))
    proc.elapsed = time.monotonic() - start  # type: ignore[attr-defined]
    args = list(argv)
    is_env = "env" in args and "--masked" not in args
    STATS.record(Output(label, tuple(args), proc.stdout, proc.stderr, may_hold_secret=is_env))
    return proc


def elapsed(proc: subprocess.CompletedProcess[str]) -> float:
    return float(proc.elapsed)  # type: ignore[attr-defined]


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str,
                          code: int | None = None) -> str:
    """A failure reported as exactly one ``error: ...`` line on stderr, no traceback."""
    assert proc.returncode != 0, (proc.stdout, proc.stderr)
    if code is not None:
        assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert TRACEBACK not in proc.stderr + proc.stdout, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# -- a PATH without the Docker CLI ------------------------------------------------------------


def make_system_bin(directory: Path) -> Path:
    """/usr/bin and /bin as symlinks, without docker: the machine's Docker daemon is shared
    with other tests, whose labelled containers doctor would otherwise count."""
    directory.mkdir(parents=True, exist_ok=True)
    for source in ("/usr/bin", "/bin"):
        for entry in os.scandir(source):
            target = directory / entry.name
            if entry.name.startswith("docker") or os.path.lexists(target):
                continue
            os.symlink(entry.path, target)
    return directory


# -- a world around the Zellij fake -------------------------------------------------------------


@dataclass
class World:
    """An isolated HOME, the Zellij fake first on PATH, proxy variables holding the secret."""

    root: Path
    short: Path  # a short directory under /tmp for sockets
    env: dict[str, str]
    cwd: Path
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    # -- places --------------------------------------------------------------------------

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"])

    @property
    def state_dir(self) -> Path:
        return Path(self.env["XDG_STATE_HOME"]) / "clauderon"

    @property
    def env_dir(self) -> Path:
        return self.state_dir / "sessions"

    @property
    def data_dir(self) -> Path:
        return Path(self.env["XDG_DATA_HOME"]) / "clauderon"

    @property
    def registry(self) -> Path:
        return self.data_dir / "sessions.db"

    @property
    def config_path(self) -> Path:
        return Path(self.env["CLAUDERON_CONFIG"])

    def write_config(self, text: str) -> Path:
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(text, encoding="utf-8")
        return self.config_path

    # -- running things --------------------------------------------------------------------

    def merged(self, env: Mapping[str, str | None] | None) -> dict[str, str]:
        merged = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    def run(self, *args: str, env: Mapping[str, str | None] | None = None,
            timeout: float = 90, input: str | None = None,
            preexec_fn: Callable[[], None] | None = None, cwd: Path | None = None,
            ) -> subprocess.CompletedProcess[str]:
        return run_recorded("clauderon", clauderon_argv() + list(args), env=self.merged(env),
                            cwd=cwd or self.cwd, timeout=timeout, input=input,
                            preexec_fn=preexec_fn)

    def ok(self, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        proc = self.run(*args, **kw)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        assert TRACEBACK not in proc.stderr
        return proc

    def json(self, *args: str, **kw: Any) -> Any:
        return json.loads(self.ok(*args, "--json", **kw).stdout)

    def doctor(self, *checks: str, env: Mapping[str, str | None] | None = None,
               fix: bool = False, timeout: float = 90) -> dict[str, dict[str, Any]]:
        """``clauderon doctor --json [--fix] --check ID...``: check id -> its JSON."""
        args = ["doctor", "--json", *(["--fix"] if fix else [])]
        for check in checks:
            args += ["--check", check]
        proc = self.run(*args, env=env, timeout=timeout)
        assert TRACEBACK not in proc.stderr, proc.stderr
        assert proc.returncode in (0, 1), (proc.returncode, proc.stderr)
        data = json.loads(proc.stdout)
        return {item["id"]: item for item in data["checks"]}

    def zellij(self, *args: str, env: Mapping[str, str | None] | None = None
               ) -> subprocess.CompletedProcess[str]:
        return run_recorded("zellij", [str(FAKE_ZELLIJ_DIR / "zellij"), *args],
                            env=self.merged(env), cwd=self.cwd, timeout=30)

    # -- what there is -----------------------------------------------------------------------

    def registry_names(self) -> set[str]:
        if not self.registry.exists():
            return set()
        uri = self.registry.as_uri()
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            # immutable needs no -shm file, which a full or read-only disk cannot take;
            # it ignores the -wal file (empty after a failed write; checked below).
            conn = sqlite3.connect(uri + query, uri=True, timeout=30)
            try:
                return {row[0] for row in conn.execute("SELECT name FROM sessions")}
            except sqlite3.OperationalError:
                wal = Path(f"{self.registry}-wal")
                assert not wal.exists() or wal.stat().st_size == 0, "unreadable WAL"
            finally:
                conn.close()
        raise AssertionError(f"cannot read {self.registry}")

    def zellij_sessions(self) -> set[str]:
        """Every session the fake holds, running or exited."""
        return set(session_names(self.env))

    def zellij_running(self) -> set[str]:
        return set(running_sessions(self.env))

    def env_file_names(self) -> set[str]:
        if not self.env_dir.is_dir():
            return set()
        names = os.listdir(self.env_dir)
        return {n[:-3] for n in names if n.endswith(".sh") and f"{n[:-3]}.fish" in names}

    def stray_files(self) -> list[str]:
        """Temporary or half-written files clauderon left in its directories."""
        found = []
        for directory in (self.env_dir, self.data_dir):
            if directory.is_dir():
                found += [n for n in os.listdir(directory)
                          if n.endswith(".tmp") or n.startswith(".")]
        return found

    def assert_consistent(self, *, doctor: bool = True) -> int:
        """Registry, Zellij and env files agree (no orphan of any kind); returns the number
        of sessions. With ``doctor``, `clauderon doctor` agrees that there are no orphans."""
        rows = self.registry_names()
        live = self.zellij_sessions()
        files = self.env_file_names()
        assert rows == live == files, {"registry": rows, "zellij": live, "env files": files}
        assert rows <= self.zellij_running(), "a recorded session is not running"
        assert self.stray_files() == []
        if doctor:
            orphans = self.doctor("sessions.orphans")["sessions.orphans"]
            assert orphans["status"] == "ok", orphans
        return len(rows)


def build_env(root: Path, short: Path, system_bin: Path) -> dict[str, str]:
    home = root / "home"
    for sub in (".config", ".local/share", ".local/state", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (short / "tmux").mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "USER": "tester",
        "PATH": f"{FAKE_ZELLIJ_DIR}{os.pathsep}{system_bin}",
        "SHELL": "/bin/bash",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "CLAUDERON_CONFIG": str(home / ".config/clauderon/config.toml"),
        "ZELLIJ_SOCKET_DIR": str(short / "zs"),
        "TMUX_TMPDIR": str(short / "tmux"),
        "FAKE_ZELLIJ_VERSION": ZELLIJ_VERSION,
        "FAKE_ZELLIJ_LOG": str(root / "zellij-calls.jsonl"),
        "CLAUDERON_DOCTOR_TIMEOUT": "15",
        # The working tree, whatever is installed (a non-editable `pip install .` would
        # otherwise put a stale copy under the console script).
        "PYTHONPATH": str(REPO),
        # The proxy password the secrets scan looks for, in both spellings.
        "http_proxy": PROXY_URL,
        "HTTPS_PROXY": PROXY_URL,
        "no_proxy": "localhost,127.0.0.1,::1",
    }


@contextlib.contextmanager
def world_at(root: Path, system_bin: Path) -> Iterator[World]:
    short = Path(tempfile.mkdtemp(prefix="adv-", dir="/tmp"))
    env = build_env(root, short, system_bin)
    cwd = root / "work"
    cwd.mkdir(parents=True, exist_ok=True)
    world = World(root=root, short=short, env=env, cwd=cwd)
    try:
        yield world
    finally:
        log = Path(env["FAKE_ZELLIJ_LOG"])
        if log.exists():  # what zellij was called with: scanned for the secret too
            STATS.record(Output("zellij-log", (str(log),),
                                log.read_text(encoding="utf-8", errors="replace"), ""))
        for cleanup in reversed(world.cleanups):
            with contextlib.suppress(Exception):
                cleanup()
        tmux = shutil.which("tmux", path="/usr/bin:/bin")
        if tmux:
            subprocess.run([tmux, "kill-server"], env=env, capture_output=True, check=False,
                           timeout=10)
        shutil.rmtree(short, ignore_errors=True)


# -- mounts (root) and their fallbacks ----------------------------------------------------------


def is_root() -> bool:
    return os.geteuid() == 0


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False,
                          timeout=30)


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False, timeout=30)


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[str]:
    """Make ``directory`` read-only for clauderon: a read-only bind mount as root (root
    ignores file modes), else ``chmod a-w``. Yields how it was done."""
    directory.mkdir(parents=True, exist_ok=True)
    if is_root():
        if _mount("--bind", str(directory), str(directory)).returncode == 0:
            if _mount("-o", "remount,bind,ro", str(directory)).returncode == 0:
                try:
                    yield "read-only bind mount"
                finally:
                    _umount(directory)
                return
            _umount(directory)
        pytest.skip("running as root without mount(8) privileges: cannot make a directory "
                    "read-only for root")
    modes = {p: p.stat().st_mode for p in [directory, *directory.rglob("*")]}
    for p in modes:
        p.chmod(modes[p] & ~0o222)
    try:
        yield "chmod a-w"
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


@contextlib.contextmanager
def tiny_disk(directory: Path, size: str = "64k") -> Iterator[Path]:
    """Put ``directory`` on a tmpfs of ``size`` (root only) and fill it up completely."""
    if not is_root():
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root")
    directory.mkdir(parents=True, exist_ok=True)
    mounted = _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(directory))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        _umount(directory)


def fill(directory: Path) -> Path:
    """Write a filler file until the file system is full; return it."""
    filler = directory / ".filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for chunk in (b"\0" * 4096, b"\0"):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, chunk)
    finally:
        os.close(fd)
    return filler


# -- processes --------------------------------------------------------------------------------


def kill_tree(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
