"""The Docker backend against a real daemon, through the real CLI (a subprocess).

Needs a reachable daemon and the local image built by tests/docker/build-test-image.sh; skips
otherwise, or fails when CLAUDERON_REQUIRE_REAL=1. Every test uses its own session names and
removes every container labelled with them afterwards.
"""

from __future__ import annotations

import http.server
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from docker_fixtures import (
    LABEL,
    TEST_IMAGE,
    CliEnv,
    Containers,
    container_env,
    containers,
    dcli,
    docker,
    inspect,
    require_docker,
    unique,
)

__all__ = ["containers", "dcli"]  # fixtures used by name

pytestmark = pytest.mark.real_docker

PROXY_KEYS = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
              "ALL_PROXY", "no_proxy", "NO_PROXY"}


# Tests that need only the docker client, not a daemon.
CLIENT_ONLY = {"test_daemon_unreachable_is_one_clear_line_and_creates_nothing"}


@pytest.fixture(autouse=True)
def _docker_ready(request: pytest.FixtureRequest) -> None:
    require_docker(client_only=request.function.__name__ in CLIENT_ONLY)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one error line, got: {result.stderr!r}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def assert_nothing_created(dcli: CliEnv, containers: Containers, name: str) -> None:
    assert dcli.listing() == []
    assert containers.ids(name) == []
    assert docker("ps", "--all", "--quiet", "--filter", f"name=^/clauderon-{name}$"
                  ).stdout.strip() == ""
    assert not dcli.env_file(name).exists()


def create(dcli: CliEnv, containers: Containers, purpose: str, *args: str,
           extra_env: dict[str, str] | None = None) -> tuple[str, str]:
    name = containers.add(unique(purpose))
    result = dcli.run("new", name, "--backend", "docker", *args, extra_env=extra_env)
    assert result.returncode == 0, result.stderr
    return name, result.stdout


# -- create --------------------------------------------------------------------------------


WEIRD = "a b  $HOME `id` $(id) 'single' \"double\" back\\slash\ttab\nsecond line é ✓ =x= *"


def test_new_runs_a_labelled_container_in_the_workdir_with_the_exact_env(
        dcli: CliEnv, containers: Containers) -> None:
    name, out = create(dcli, containers, "env", "--env", f"WEIRD={WEIRD}", "--env", "EMPTY=",
                       extra_env={"http_proxy": "http://proxy.example:3128",
                                  "HOME_ONLY_VAR": "stays-outside"})
    assert f'Created Docker session "{name}"' in out
    assert inspect(name, "{{.State.Status}}") == "running"
    labels = json.loads(inspect(name, "{{json .Config.Labels}}"))
    assert labels[LABEL] == name
    assert "dev.clauderon.version" in labels

    env = container_env(name)
    assert env["WEIRD"] == WEIRD  # byte-exact, never through a shell
    assert env["EMPTY"] == ""
    assert env["CLAUDERON_SESSION"] == name
    assert env["TERM"] == "xterm-256color"
    assert env["SHELL"] == "/bin/sh"
    # a proxy that is not on loopback goes in unchanged, in both letter cases
    assert env["http_proxy"] == env["HTTP_PROXY"] == "http://proxy.example:3128"
    assert "HOME_ONLY_VAR" not in env  # only the session's variables enter the container

    pwd = docker("exec", f"clauderon-{name}", "pwd").stdout.strip()
    assert pwd == str(dcli.workdir)
    # the workdir is the host directory itself, bind-mounted at the same path
    (dcli.workdir / "from-host.txt").write_text("hello\n")
    assert docker("exec", f"clauderon-{name}", "cat", f"{dcli.workdir}/from-host.txt"
                  ).stdout == "hello\n"
    assert dcli.status(name) == "running"


def test_loopback_proxies_are_rewritten_and_the_note_printed(
        dcli: CliEnv, containers: Containers) -> None:
    name, out = create(dcli, containers, "proxy", extra_env={
        "http_proxy": "http://127.0.0.1:3128", "HTTPS_PROXY": "http://user:pw@localhost:8443",
        "no_proxy": "localhost,127.0.0.1"})
    assert "Note: HTTP_PROXY pointed at the host's loopback; inside the container it uses " \
           "host.docker.internal instead" in out
    assert "Note: HTTPS_PROXY pointed at the host's loopback" in out
    env = container_env(name)
    assert env["http_proxy"] == env["HTTP_PROXY"] == "http://host.docker.internal:3128"
    assert env["https_proxy"] == env["HTTPS_PROXY"] == "http://user:pw@host.docker.internal:8443"
    assert env["no_proxy"] == env["NO_PROXY"] == "localhost,127.0.0.1"
    hosts = docker("exec", f"clauderon-{name}", "cat", "/etc/hosts").stdout
    assert any(line.split()[1:] == ["host.docker.internal"] for line in hosts.splitlines()
               if line.strip()), hosts


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello from the host\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def host_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("0.0.0.0", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_host_docker_internal_reaches_the_host_on_bridge(
        dcli: CliEnv, containers: Containers, host_server: int) -> None:
    name, _ = create(dcli, containers, "reach")
    # bash's /dev/tcp: the image's static busybox cannot resolve names (glibc NSS), bash can.
    script = ('exec 3<>"/dev/tcp/host.docker.internal/$1" && '
              'printf "GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n" >&3 && cat <&3')
    got = docker("exec", f"clauderon-{name}", "timeout", "10", "bash", "-c", script, "bash",
                 str(host_server), check=False)
    assert got.returncode == 0, f"cannot reach the host from the container: {got.stderr}"
    assert got.stdout.startswith("HTTP/1.0 200 OK"), got.stdout
    assert got.stdout.endswith("\n\nhello from the host\n")  # (text mode folds \r\n)


def test_network_none_sets_no_proxy_and_says_why(dcli: CliEnv, containers: Containers) -> None:
    name, out = create(dcli, containers, "none", "--network", "none", extra_env={
        "http_proxy": "http://127.0.0.1:3128", "HTTPS_PROXY": "http://proxy.example:1",
        "NO_PROXY": "localhost"})
    assert "Note: network 'none': no proxy variables are set (the container has no network " \
           "to reach a proxy through)" in out
    env = container_env(name)
    assert not PROXY_KEYS & env.keys(), env
    assert inspect(name, "{{.HostConfig.NetworkMode}}") == "none"
    assert inspect(name, "{{json .HostConfig.ExtraHosts}}") in ("null", "[]")


def test_network_host_keeps_loopback_proxies(dcli: CliEnv, containers: Containers) -> None:
    name, out = create(dcli, containers, "host", "--network", "host",
                       extra_env={"http_proxy": "http://127.0.0.1:3128"})
    assert "Note:" not in out
    assert container_env(name)["http_proxy"] == "http://127.0.0.1:3128"
    assert inspect(name, "{{.HostConfig.NetworkMode}}") == "host"


def test_config_network_shell_extra_args_and_env(dcli: CliEnv, containers: Containers) -> None:
    dcli.write_config(f'[docker]\nimage = "{TEST_IMAGE}"\nnetwork = "none"\n'
                     'shell = "/bin/bash"\n'
                     'extra_args = ["--hostname", "from-extra-args", "--label", '
                     '"dev.clauderon.test=extra"]\n'
                     'env = ["FROM_CONFIG=yes it is", "OVERRIDDEN=config"]\n')
    name, _ = create(dcli, containers, "cfg", "--env", "OVERRIDDEN=cli")
    assert inspect(name, "{{.HostConfig.NetworkMode}}") == "none"
    assert inspect(name, '{{index .Config.Labels "dev.clauderon.test"}}') == "extra"
    assert docker("exec", f"clauderon-{name}", "hostname").stdout.strip() == "from-extra-args"
    assert json.loads(inspect(name, "{{json .Config.Cmd}}")) == ["/bin/bash"]
    env = container_env(name)
    assert env["FROM_CONFIG"] == "yes it is"
    assert env["OVERRIDDEN"] == "cli"
    assert env["SHELL"] == "/bin/bash"


def test_workdir_with_spaces_colon_and_comma(dcli: CliEnv, containers: Containers,
                                             tmp_path: Path) -> None:
    odd = tmp_path / "dir with space:colon,comma"
    odd.mkdir()
    name, _ = create(dcli, containers, "odd", "--workdir", str(odd))
    assert docker("exec", f"clauderon-{name}", "pwd").stdout.rstrip("\n") == str(odd)
    docker("exec", f"clauderon-{name}", "touch", "made-inside")
    assert (odd / "made-inside").exists()


# -- attach --------------------------------------------------------------------------------


def attach_and_run(dcli: CliEnv, name: str, script: str, timeout: float = 30) -> str:
    """Run ``clauderon attach NAME`` on a pseudo-terminal, type ``script``, return the output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "clauderon", "attach",
                             name], stdin=slave, stdout=slave, stderr=slave, env=dcli.env,
                            cwd=dcli.workdir, start_new_session=True)
    os.close(slave)
    os.write(master, script.encode())
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            raise AssertionError(f"attach did not finish; output: {b''.join(chunks)!r}")
    finally:
        os.close(master)
        proc.wait(timeout=10)
    return b"".join(chunks).decode(errors="replace")


def test_attach_execs_the_shell_in_the_container(dcli: CliEnv, containers: Containers) -> None:
    name, _ = create(dcli, containers, "att")
    out = attach_and_run(dcli, name, 'echo "MARK-$CLAUDERON_SESSION-$(pwd)"; exit\n')
    assert f"MARK-{name}-{dcli.workdir}" in out
    # leaving the exec'd shell leaves the session running
    assert inspect(name, "{{.State.Status}}") == "running"


def test_stopped_container_is_exited_and_attach_starts_it(
        dcli: CliEnv, containers: Containers) -> None:
    name, _ = create(dcli, containers, "stop")
    docker("stop", "--time", "0", f"clauderon-{name}")
    assert dcli.status(name) == "exited"
    out = attach_and_run(dcli, name, 'echo "BACK-$CLAUDERON_SESSION"; exit\n')
    assert f"BACK-{name}" in out
    assert dcli.status(name) == "running"


# -- kill, missing, orphans ------------------------------------------------------------------


def test_kill_removes_the_container_and_the_row(dcli: CliEnv, containers: Containers) -> None:
    name, _ = create(dcli, containers, "kill")
    assert dcli.env_file(name).exists()
    result = dcli.run("kill", name)
    assert result.returncode == 0, result.stderr
    assert f'Killed session "{name}"' in result.stdout
    assert_nothing_created(dcli, containers, name)


def test_container_removed_behind_our_back_is_missing_and_kill_still_works(
        dcli: CliEnv, containers: Containers) -> None:
    name, _ = create(dcli, containers, "gone")
    docker("rm", "--force", f"clauderon-{name}")
    assert dcli.status(name) == "missing"
    result = dcli.run("kill", name)
    assert result.returncode == 0, result.stderr
    assert dcli.listing() == []


def test_orphan_is_found_by_label_not_by_name(dcli: CliEnv, containers: Containers,
                                              tmp_path: Path) -> None:
    name, _ = create(dcli, containers, "orph")
    # The registry row disappears (another HOME, a lost database): the container is an orphan.
    db = Path(dcli.env["XDG_DATA_HOME"]) / "clauderon" / "sessions.db"
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM sessions WHERE name = ?", (name,))
    assert dcli.listing() == []
    # A hand-made container carrying the label under another name is found just the same.
    other = containers.add(unique("lbl"))
    docker("run", "-d", "-it", "--name", f"renamed-{other}", "--label", f"{LABEL}={other}",
           TEST_IMAGE, "/bin/sh")
    for orphan in (name, other):
        again = dcli.run("new", orphan, "--backend", "docker")
        assert again.returncode == 1
        line = one_line_error(again)
        assert f'a Docker session named "{orphan}" already exists (running)' in line
        assert f"--filter label=dev.clauderon.session={orphan})" in line
    assert dcli.listing() == []
    docker("rm", "--force", f"renamed-{other}")


def test_unlabelled_container_with_our_name_is_not_ours_and_is_left_alone(
        dcli: CliEnv, containers: Containers) -> None:
    name = containers.add(unique("foreign"))
    foreign = docker("run", "-d", "-it", "--name", f"clauderon-{name}", TEST_IMAGE, "/bin/sh"
                     ).stdout.strip()
    result = dcli.run("new", name, "--backend", "docker")
    assert result.returncode == 1
    line = one_line_error(result)
    assert f'a Docker container named "clauderon-{name}" already exists' in line
    assert dcli.listing() == []
    # clauderon's rollback never touches a container it did not label
    assert docker("inspect", "--format", "{{.Id}}", foreign).stdout.strip() == foreign
    assert inspect(name, "{{.State.Status}}") == "running"


# -- bad input and failures leave nothing behind ----------------------------------------------


def test_image_not_available_locally(dcli: CliEnv, containers: Containers) -> None:
    name = containers.add(unique("noimg"))
    result = dcli.run("new", name, "--backend", "docker", "--image",
                     "clauderon-test:does-not-exist")
    assert result.returncode == 1
    line = one_line_error(result)
    assert 'Docker image "clauderon-test:does-not-exist" is not available locally' in line
    assert "`docker pull clauderon-test:does-not-exist`" in line
    assert_nothing_created(dcli, containers, name)


def test_invalid_image_reference_is_a_usage_error(dcli: CliEnv, containers: Containers) -> None:
    name = containers.add(unique("badref"))
    result = dcli.run("new", name, "--backend", "docker", "--image", "Not/A:Valid:Ref!")
    assert result.returncode == 2
    assert "is not a valid Docker image reference" in one_line_error(result)
    assert_nothing_created(dcli, containers, name)


def test_no_image_anywhere_is_a_usage_error(dcli: CliEnv, containers: Containers) -> None:
    dcli.write_config("[docker]\n")
    name = containers.add(unique("unset"))
    result = dcli.run("new", name, "--backend", "docker")
    assert result.returncode == 2
    assert "pass --image IMAGE or set `image` in the [docker] table" in one_line_error(result)
    assert_nothing_created(dcli, containers, name)


def test_bad_container_name_is_a_usage_error(dcli: CliEnv, containers: Containers) -> None:
    name = containers.add("bad+name")
    result = dcli.run("new", name, "--backend", "docker")
    assert result.returncode == 2
    line = one_line_error(result)
    assert 'session name "bad+name" cannot name a Docker container' in line
    assert "(not '+')" in line
    assert_nothing_created(dcli, containers, name)


def test_shell_missing_from_the_image(dcli: CliEnv, containers: Containers) -> None:
    name = containers.add(unique("zsh"))
    result = dcli.run("new", name, "--backend", "docker", "--shell", "/bin/zsh")
    assert result.returncode == 1
    line = one_line_error(result)
    assert "/bin/zsh" in line and "--shell" in line
    assert_nothing_created(dcli, containers, name)


def test_daemon_unreachable_is_one_clear_line_and_creates_nothing(
        dcli: CliEnv, containers: Containers) -> None:
    name = containers.add(unique("nodaemon"))
    gone = {"DOCKER_HOST": "unix:///nonexistent.sock"}
    result = dcli.run("new", name, "--backend", "docker", extra_env=gone)
    assert result.returncode == 1
    line = one_line_error(result)
    assert line.startswith("error: the Docker daemon is not reachable at "
                           "unix:///nonexistent.sock; start it")
    listing = dcli.run("list", "--json", extra_env=gone)
    assert listing.returncode == 0 and json.loads(listing.stdout) == []
    assert not (Path(dcli.env["XDG_DATA_HOME"]) / "clauderon" / "sessions.db").exists()
    assert not dcli.env_file(name).exists()


def test_name_taken_in_the_registry(dcli: CliEnv, containers: Containers) -> None:
    name, _ = create(dcli, containers, "twice")
    again = dcli.run("new", name, "--backend", "docker")
    assert again.returncode == 1
    assert f'session "{name}" already exists' in one_line_error(again)
    assert len(containers.ids(name)) == 1
    assert dcli.status(name) == "running"
