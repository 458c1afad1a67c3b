"""Helpers for the tests that drive the real CLI against a real Docker daemon.

Imported by test modules (not a conftest): ``from docker_fixtures import ...``.

- ``require_docker()``: skip with the reason when no daemon answers or the test image is
  missing; with ``CLAUDERON_REQUIRE_REAL=1`` fail instead (CI sets it once
  tests/docker/start-dockerd.sh and tests/docker/build-test-image.sh have run).
- ``CliEnv``: an isolated HOME / XDG tree and config file, and ``run()`` for the CLI as a
  subprocess (``python -m clauderon``: the working tree's CLI under this interpreter).
- ``docker()``: the docker client, for checking what the CLI did.
- ``Containers``: names used by a test; every container labelled with one of them is
  removed at teardown.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TEST_IMAGE = os.environ.get("CLAUDERON_TEST_IMAGE", "clauderon-test:latest")
LABEL = "dev.clauderon.session"
REPO = Path(__file__).resolve().parents[2]
# Variables of the surrounding environment that would change what the CLI does.
_DROP = ("ZELLIJ", "ZELLIJ_SESSION_NAME", "ZELLIJ_PANE_ID", "TMUX", "TMUX_PANE",
         "CLAUDERON_SESSION", "CLAUDERON_HOOK", "CLAUDERON_CONFIG", "XDG_CONFIG_HOME",
         "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
         "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
         "ALL_PROXY", "no_proxy", "NO_PROXY", "SHELL")


def docker(*args: str, env: Mapping[str, str] | None = None, timeout: float = 60,
           check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["docker", *args], check=False, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=timeout,
                            env=dict(env) if env is not None else None)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({result.returncode}): "
                             f"{result.stderr.strip()}")
    return result


def _unavailable() -> str | None:
    """Why the real-Docker tests cannot run here, or None."""
    if shutil.which("docker") is None:
        return "no docker client on PATH (install docker.io)"
    try:
        info = docker("info", "--format", "{{.ServerVersion}}", timeout=20, check=False)
    except subprocess.TimeoutExpired:
        return "`docker info` timed out: the Docker daemon does not answer"
    if info.returncode != 0:
        said = (info.stderr.strip().splitlines() or ["no output"])[0]
        return (f"no Docker daemon answers ({said}); run tests/docker/start-dockerd.sh")
    image = docker("image", "inspect", TEST_IMAGE, check=False)
    if image.returncode != 0:
        return f"test image {TEST_IMAGE} is missing; run tests/docker/build-test-image.sh"
    return None


def require_docker(*, client_only: bool = False) -> None:
    if client_only:
        reason = None if shutil.which("docker") else "no docker client on PATH"
    else:
        reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("CLAUDERON_REQUIRE_REAL") == "1":
        pytest.fail(f"CLAUDERON_REQUIRE_REAL=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def unique(purpose: str) -> str:
    """A session name no other test (or run) uses."""
    return f"t{uuid.uuid4().hex[:8]}-{purpose}"


@dataclass
class Containers:
    names: list[str] = field(default_factory=list)

    def add(self, name: str) -> str:
        self.names.append(name)
        return name

    def ids(self, name: str) -> list[str]:
        out = docker("ps", "--all", "--quiet", "--filter", f"label={LABEL}={name}").stdout
        return out.split()

    def cleanup(self) -> None:
        """Remove what the test left; quiet when the daemon is gone (nothing to remove)."""
        for name in self.names:
            found = docker("ps", "--all", "--quiet", "--filter", f"label={LABEL}={name}",
                           check=False)
            if found.returncode != 0:
                continue
            ids = found.stdout.split()
            if ids:
                docker("rm", "--force", *ids, check=False)
            docker("rm", "--force", f"clauderon-{name}", check=False)


@dataclass
class CliEnv:
    root: Path
    workdir: Path
    config: Path
    env: dict[str, str]

    @classmethod
    def make(cls, tmp_path: Path) -> CliEnv:
        home = tmp_path / "home"
        workdir = tmp_path / "work"
        for d in (home, workdir):
            d.mkdir(parents=True)
        config = tmp_path / "config.toml"
        env = {k: v for k, v in os.environ.items() if k not in _DROP}
        if "DOCKER_CONFIG" not in env and (Path.home() / ".docker").is_dir():
            # Keep the caller's docker context when HOME moves.
            env["DOCKER_CONFIG"] = str(Path.home() / ".docker")
        env.update({
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_STATE_HOME": str(home / ".local/state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "CLAUDERON_CONFIG": str(config),
            "TERM": "xterm-256color",
            "NO_COLOR": "1",
        })
        cli = cls(root=tmp_path, workdir=workdir, config=config, env=env)
        cli.write_config(f'[docker]\nimage = "{TEST_IMAGE}"\n')
        return cli

    def write_config(self, text: str) -> None:
        self.config.write_text(text, encoding="utf-8")

    def run(self, *args: str, extra_env: Mapping[str, str] | None = None,
            drop: Sequence[str] = (), cwd: Path | None = None,
            timeout: float = 90) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(extra_env or {})}
        for key in drop:
            env.pop(key, None)
        return subprocess.run([sys.executable, "-m", "clauderon", *args], check=False,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              env=env, cwd=str(cwd or self.workdir), timeout=timeout)

    def listing(self) -> list[dict[str, object]]:
        result = self.run("list", "--json")
        assert result.returncode == 0, result.stderr
        data: list[dict[str, object]] = json.loads(result.stdout)
        return data

    def status(self, name: str) -> str | None:
        for row in self.listing():
            if row["name"] == name:
                return str(row["status"])
        return None

    def env_file(self, name: str) -> Path:
        return Path(self.env["XDG_STATE_HOME"]) / "clauderon" / "sessions" / f"{name}.sh"


def container_env(name: str) -> dict[str, str]:
    """The environment a process started in the session's container sees (exact bytes)."""
    out = subprocess.run(["docker", "exec", f"clauderon-{name}", "env", "-0"],
                         capture_output=True, timeout=30, check=True).stdout
    pairs = [entry.split(b"=", 1) for entry in out.split(b"\0") if entry]
    return {k.decode(): v.decode() for k, v in pairs}


def inspect(name: str, template: str) -> str:
    return docker("inspect", "--format", template, f"clauderon-{name}").stdout.strip()


@pytest.fixture
def containers() -> Iterator[Containers]:
    tracked = Containers()
    try:
        yield tracked
    finally:
        tracked.cleanup()


@pytest.fixture
def dcli(tmp_path: Path) -> CliEnv:
    """(Not ``cli``: tests/integration/conftest.py has a ``cli`` for the Zellij fake.)"""
    return CliEnv.make(tmp_path)
