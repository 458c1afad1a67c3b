"""A Docker daemon restart (what a reboot does to containers) takes no session: the
containers stop, `clauderon list` says exited, `clauderon restore` starts each again with
what it holds. Run against a private dockerd of its own (its own socket, data and exec
roots, no bridge) in a network namespace of its own (a dockerd started with --bridge=none
deletes the host's docker0, which the machine's daemon needs), so restarting it disturbs no
other test; the test image is copied into it with `docker save | docker load`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from realtools import require

from adversarial.support import World, is_root

pytestmark = pytest.mark.adversarial("faults")

TEST_IMAGE = os.environ.get("CLAUDERON_TEST_IMAGE", "clauderon-test:latest")


class Daemon:
    def __init__(self, root: Path, dockerd: str, docker: str, unshare: str) -> None:
        self.root, self.dockerd, self.docker, self.unshare = root, dockerd, docker, unshare
        self.host = f"unix://{root}/d.sock"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.root / "dockerd.log").open("ab")
        self.process = subprocess.Popen(
            [self.unshare, "--net", "--", self.dockerd, "-H", self.host,
             "--data-root", str(self.root / "data"),
             "--exec-root", str(self.root / "x"), "--pidfile", str(self.root / "pid"),
             "--bridge=none", "--iptables=false", "--ip6tables=false",
             "--shutdown-timeout", "2"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while self.client("info", check=False).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = (self.root / "dockerd.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"the private dockerd did not answer:\n{tail}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def client(self, *args: str, check: bool = True, stdin: bytes | None = None
               ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DOCKER_HOST": self.host}
        result = subprocess.run([self.docker, *args], env=env, capture_output=True,
                                text=stdin is None, input=stdin, timeout=120, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)}: {result.stderr!r}")
        return result


@pytest.fixture
def daemon() -> Iterator[Daemon]:
    docker = require("docker", "the Docker tests run the docker client (apt-get install "
                               "docker.io)")
    dockerd = require("dockerd", "a private Docker daemon is restarted (docker.io)")
    unshare = require("unshare", "the private dockerd runs in its own network namespace "
                                 "(util-linux)")
    if not is_root():
        if os.environ.get("CLAUDERON_REQUIRE_REAL") == "1":
            pytest.fail("CLAUDERON_REQUIRE_REAL=1 but a private dockerd needs root",
                        pytrace=False)
        pytest.skip("a private dockerd needs root")
    image = subprocess.run([docker, "save", TEST_IMAGE], capture_output=True, timeout=120,
                           check=False)
    if image.returncode != 0:
        reason = f"the test image {TEST_IMAGE} is missing; run tests/docker/build-test-image.sh"
        if os.environ.get("CLAUDERON_REQUIRE_REAL") == "1":
            pytest.fail(f"CLAUDERON_REQUIRE_REAL=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="dkr-", dir="/tmp"))  # a short socket path
    d = Daemon(root, dockerd, docker, unshare)
    host_bridge = Path("/sys/class/net/docker0").exists()
    try:
        d.start()
        d.client("load", stdin=image.stdout)
        yield d
    finally:
        with_containers = d.client("ps", "-aq", check=False) if d.process else None
        if with_containers is not None and with_containers.returncode == 0:
            ids = str(with_containers.stdout).split()
            if ids:
                d.client("rm", "-f", *ids, check=False)
        d.stop()
        subprocess.run(["umount", "-R", str(root / "data")], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)
    # the machine's daemon keeps its bridge (the private one must not have touched it)
    assert Path("/sys/class/net/docker0").exists() == host_bridge


def _client_env(world: World, d: Daemon) -> dict[str, str]:
    bin_dir = world.root / "docker-bin"
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "docker").exists():
        (bin_dir / "docker").symlink_to(d.docker)
    return {"DOCKER_HOST": d.host, "PATH": f"{bin_dir}:{world.env['PATH']}"}


def test_restore_after_a_docker_daemon_restart(world: World, daemon: Daemon) -> None:
    env = _client_env(world, daemon)
    world.write_config(f'[docker]\nimage = "{TEST_IMAGE}"\nnetwork = "none"\n')
    work = world.root / "work-d"
    work.mkdir()
    world.ok("new", "--backend", "docker", "--workdir", str(work), "--shell", "/bin/sh",
             "--env", "FOO=bar baz", "d1", env=env)
    # work written inside the container, outside the mounted directory
    daemon.client("exec", "clauderon-d1", "sh", "-c", "echo kept > /root/inside")
    env_files = world.env_file_names()

    daemon.stop()
    down = world.run("list", "--json", env=env)  # unknown is not gone: row, files kept
    assert down.returncode == 1 and "cannot ask docker for live state" in down.stderr
    assert [(s["name"], s["status"]) for s in json.loads(down.stdout)] == [("d1", "unknown")]
    refused = world.run("restore", "d1", env=env)
    assert refused.returncode == 1 and "nothing was restored" in refused.stderr

    daemon.start()  # the container stopped with the daemon
    listed = world.json("list", env=env)
    assert [(s["name"], s["status"]) for s in listed] == [("d1", "exited")]
    done = world.ok("restore", "--all", env=env)
    assert done.stdout.splitlines()[0] == f'Restored Docker session "d1" in {work}'
    assert "started the stopped container clauderon-d1 again" in done.stdout

    listed = world.json("list", env=env)
    assert [(s["name"], s["status"]) for s in listed] == [("d1", "running")]
    inside = daemon.client("exec", "clauderon-d1", "sh", "-c",
                           'cat /root/inside; echo "$CLAUDERON_SESSION|$FOO|$PWD"')
    assert inside.stdout == f"kept\nd1|bar baz|{work}\n"  # nothing lost, same environment
    assert world.registry_names() == {"d1"} and world.env_file_names() == env_files
    again = world.run("restore", "d1", env=env)
    assert again.returncode == 1 and 'session "d1" is running' in again.stderr
    world.ok("kill", "d1", env=env)
    assert daemon.client("ps", "-aq").stdout.strip() == ""
