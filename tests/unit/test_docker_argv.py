"""The Docker backend's exact docker argv and error handling, with docker faked (pytest-subprocess).

Every docker call is registered with its full argv: a call that differs in any element is not
registered, so pytest-subprocess raises and the test fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from clauderon import __version__, paths, session_env
from clauderon.backends.base import SessionSpec, State
from clauderon.backends.docker import (
    DockerBackend,
    container_name,
    daemon_error,
    mount_arg,
    parse_states,
    split_env,
)
from clauderon.config import Config
from clauderon.errors import ClauderonError, CommandError, CommandNotFound, UsageError
from clauderon.registry import Record

LABEL_FILTER = "label=dev.clauderon.session"
PS_FORMAT = '{{.Label "dev.clauderon.session"}}\t{{.State}}'
VERSION = ["docker", "version", "--format", "{{.Client.Version}}|{{.Server.Version}}"]


def config(**values: Any) -> Config:
    return Config(path=Path("/nonexistent/config.toml"), loaded=True,
                  values={f"docker.{k}": v for k, v in values.items()})


def backend(cfg: Config | None = None, env: dict[str, str] | None = None) -> DockerBackend:
    # HOME: where the env files go (paths refuses an environment without one)
    return DockerBackend(cfg or config(), env if env is not None
                         else {"PATH": "/usr/bin", "HOME": os.environ["HOME"]})


def spec(name: str = "s1", *, workdir: str = "/srv/work", shell: str = "/bin/sh",
         cfg: Config | None = None, caller: dict[str, str] | None = None,
         extra_env: tuple[tuple[str, str], ...] = (), network: str | None = None,
         **options: Any) -> SessionSpec:
    senv = session_env.compute(name, config=cfg or config(), backend="docker",
                               caller_env=caller or {"TERM": "xterm-256color"},
                               extra_env=extra_env, network=network)
    return SessionSpec(name=name, workdir=Path(workdir), shell=shell, env=senv,
                       options={"network": network, **options})


def env_file_of(name: str) -> Path:
    return paths.session_env_dir() / f".{name}.docker-env.{os.getpid()}.tmp"


def run_argv(name: str, *, network: str = "bridge", workdir: str = "/srv/work",
             env: list[str], argv_env: tuple[str, ...] = (), extra: tuple[str, ...] = (),
             image: str = "img:1", shell: str = "/bin/sh") -> list[str]:
    """``env``: the KEY=VALUE lines expected in the env file (checked by ``register_run``);
    ``argv_env``: those expected as ``--env`` arguments."""
    argv = ["docker", "run", "--detach", "--interactive", "--tty",
            "--pull", "never", "--name", f"clauderon-{name}",
            "--label", f"dev.clauderon.session={name}",
            "--label", f"dev.clauderon.version={__version__}",
            "--network", network]
    if network == "bridge":
        argv += ["--add-host", "host.docker.internal:host-gateway"]
    argv += ["--mount", f"type=bind,source={workdir},target={workdir}", "--workdir", workdir]
    argv += ["--env-file", str(env_file_of(name))]
    for entry in argv_env:
        argv += ["--env", entry]
    return argv + list(extra) + [image, shell]


def register_run(fp: Any, expected: list[str], env: list[str], **kwargs: Any) -> list[str]:
    """Register ``docker run``; while it "runs", the env file must hold exactly ``env``, be
    0600 and be readable as docker reads it. Returns the lines it held (empty if never run)."""
    seen: list[str] = []

    def check_file(process: Any) -> None:
        path = Path(expected[expected.index("--env-file") + 1])
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[-1] == ""
        seen.extend(line for line in lines[:-1] if not line.startswith("#"))

    fp.register(expected, callback=check_file, **kwargs)
    return seen


def inspect_argv(name: str) -> list[str]:
    return ["docker", "inspect", "--type", "container", "--format",
            "{{.State.Status}}\t{{.State.ExitCode}}", f"clauderon-{name}"]


def ids_argv(name: str) -> list[str]:
    return ["docker", "ps", "--all", "--quiet", "--no-trunc", "--filter",
            f"label=dev.clauderon.session={name}"]


# -- docker run argv ---------------------------------------------------------------------


def test_run_argv_bridge_with_rewritten_proxy_env_and_extra_args(fp: Any) -> None:
    cfg = config(image="cfg-image:2", extra_args=["--cpus", "2", "--user", "1000:1000"])
    s = spec("s1", cfg=cfg, caller={"TERM": "screen", "http_proxy": "http://127.0.0.1:3128",
                                     "HOME": "/home/me"},
             extra_env=(("GREETING", "a b $c 'd' \"e\"\nline2"),), image=None)
    be = backend(cfg)
    file_env = ["SHELL=/bin/sh", "TERM=screen", "HTTP_PROXY=http://host.docker.internal:3128",
                "http_proxy=http://host.docker.internal:3128", "CLAUDERON_SESSION=s1"]
    # A value with a newline cannot be a line of an env file: it alone goes on the argv.
    expected = run_argv("s1", image="cfg-image:2", env=file_env,
                        argv_env=("GREETING=a b $c 'd' \"e\"\nline2",),
                        extra=("--cpus", "2", "--user", "1000:1000"))
    seen = register_run(fp, expected, file_env, stdout="abc123\n")
    fp.register(inspect_argv("s1"), stdout="running\t0\n", occurrences=2)
    be.create(s)
    assert fp.call_count(expected) == 1
    assert seen == file_env
    assert not env_file_of("s1").exists()  # deleted once docker has read it
    assert not any("HOME=/home/me" in a for a in expected)  # the caller's env stays outside


def test_run_argv_network_none_has_no_proxy_and_no_add_host(fp: Any) -> None:
    s = spec("quiet", network="none", image="img:1",
             caller={"TERM": "xterm", "HTTPS_PROXY": "http://proxy.example:8080"})
    assert s.env.notes and "no proxy" in s.env.notes[0]
    file_env = ["SHELL=/bin/sh", "TERM=xterm", "CLAUDERON_SESSION=quiet"]
    expected = run_argv("quiet", network="none", env=file_env)
    seen = register_run(fp, expected, file_env, stdout="id\n")
    fp.register(inspect_argv("quiet"), stdout="running\t0\n", occurrences=2)
    backend().create(s)
    assert fp.call_count(expected) == 1
    assert seen == file_env


def test_run_argv_network_host_keeps_loopback_proxy_and_has_no_add_host(fp: Any) -> None:
    s = spec("h", network="host", image="img:1",
             caller={"TERM": "xterm", "http_proxy": "http://127.0.0.1:3128"})
    file_env = ["SHELL=/bin/sh", "TERM=xterm", "HTTP_PROXY=http://127.0.0.1:3128",
                "http_proxy=http://127.0.0.1:3128", "CLAUDERON_SESSION=h"]
    expected = run_argv("h", network="host", env=file_env)
    seen = register_run(fp, expected, file_env, stdout="id\n")
    fp.register(inspect_argv("h"), stdout="running\t0\n", occurrences=2)
    backend().create(s)
    assert fp.call_count(expected) == 1
    assert seen == file_env


def test_run_argv_default_network_is_bridge_and_shell_and_shell_env_follow_spec(fp: Any
                                                                               ) -> None:
    s = spec("b", shell="/bin/bash", image="img:1", network=None,
             extra_env=(("SHELL", "/usr/bin/fish"),))
    file_env = ["SHELL=/usr/bin/fish", "TERM=xterm-256color", "CLAUDERON_SESSION=b"]
    expected = run_argv("b", shell="/bin/bash", env=file_env)
    seen = register_run(fp, expected, file_env, stdout="id\n")
    fp.register(inspect_argv("b"), stdout="running\t0\n", occurrences=2)
    backend().create(s)
    assert fp.call_count(expected) == 1
    assert seen == file_env


def test_mount_quotes_paths_with_commas_and_quotes_and_keeps_colons() -> None:
    assert mount_arg("/a/b") == "type=bind,source=/a/b,target=/a/b"
    assert mount_arg("/x:y") == "type=bind,source=/x:y,target=/x:y"
    assert mount_arg('/w a,b "q') == ('type=bind,"source=/w a,b ""q",'
                                      '"target=/w a,b ""q"')


def test_run_argv_for_a_workdir_with_colon_and_comma(fp: Any) -> None:
    wd = "/srv/a:b,c"
    s = spec("w", workdir=wd, image="img:1")
    file_env = ["SHELL=/bin/sh", "TERM=xterm-256color", "CLAUDERON_SESSION=w"]
    expected = run_argv("w", workdir=wd, env=file_env)
    expected[expected.index("--mount") + 1] = ('type=bind,"source=/srv/a:b,c",'
                                               '"target=/srv/a:b,c"')
    register_run(fp, expected, file_env, stdout="id\n")
    fp.register(inspect_argv("w"), stdout="running\t0\n", occurrences=2)
    backend().create(s)
    assert fp.call_count(expected) == 1


def test_proxy_credentials_are_in_the_env_file_never_on_the_argv(fp: Any) -> None:
    secret = "http://alice:s3cr%40t@proxy.example:3128"
    s = spec("sec", image="img:1", caller={"TERM": "xterm", "https_proxy": secret})
    file_env = ["SHELL=/bin/sh", "TERM=xterm", f"HTTPS_PROXY={secret}",
                f"https_proxy={secret}", "CLAUDERON_SESSION=sec"]
    expected = run_argv("sec", env=file_env)
    seen = register_run(fp, expected, file_env, stdout="id\n")
    fp.register(inspect_argv("sec"), stdout="running\t0\n", occurrences=2)
    backend().create(s)
    assert seen == file_env
    assert not any("s3cr" in arg for call in fp.calls for arg in call)
    assert not env_file_of("sec").exists()


@pytest.mark.parametrize(("value", "in_file"), [
    ("plain", True), ("", True), ("  lead and trail  ", True), ("# not a comment", True),
    ("a=b=c", True), ("é ✓ \t tab", True), ("x" * 59_000, True),
    ("two\nlines", False), ("cr\r", False), ("x" * 60_000, False), ("bad \udc80", False),
])
def test_split_env_keeps_on_the_argv_only_what_an_env_file_cannot_carry(value: str,
                                                                         in_file: bool) -> None:
    files, argv = split_env({"V": value})
    assert (files, argv) == (({"V": value}, {}) if in_file else ({}, {"V": value}))


def test_the_env_file_is_removed_when_docker_run_fails(fp: Any) -> None:
    s = spec("gone", image="img:1")
    fp.register(["docker", "run", fp.any()], returncode=125, stderr="docker: boom\n")
    fp.register(ids_argv("gone"), stdout="")
    with pytest.raises(ClauderonError):
        backend().create(s)
    assert not env_file_of("gone").exists()
    assert not any(p.name.endswith(".docker-env") for p in paths.session_env_dir().iterdir())


# -- create failures leave nothing behind --------------------------------------------------


def test_missing_shell_removes_the_created_container_and_names_the_shell(fp: Any) -> None:
    s = spec("z", shell="/bin/zsh", image="img:1")
    fp.register(["docker", "run", fp.any()], returncode=127, stdout="deadbeef\n",
                stderr='docker: Error response from daemon: failed to create shim task: OCI '
                       'runtime create failed: unable to start container process: exec: '
                       '"/bin/zsh": stat /bin/zsh: no such file or directory: unknown\n')
    fp.register(ids_argv("z"), stdout="deadbeef\n")
    fp.register(["docker", "rm", "--force", "deadbeef"])
    with pytest.raises(ClauderonError, match=r"shell ./bin/zsh. cannot run in image "
                                             r'"img:1"'):
        backend().create(s)
    assert fp.call_count(["docker", "rm", "--force", "deadbeef"]) == 1


def test_container_that_stops_at_once_is_removed_and_reported(fp: Any) -> None:
    s = spec("q", image="img:1")
    fp.register(["docker", "run", fp.any()], stdout="id\n")
    fp.register(inspect_argv("q"), stdout="exited\t1\n")
    fp.register(["docker", "logs", "--tail", "5", "clauderon-q"],
                stdout="entrypoint: setting up\nentrypoint: cannot write /data\n")
    fp.register(ids_argv("q"), stdout="id\n")
    fp.register(["docker", "rm", "--force", "id"])
    with pytest.raises(ClauderonError, match=r"stopped right after it started \(exited, exit "
                                             r"code 1\): entrypoint: cannot write /data;"):
        backend().create(s)
    assert fp.call_count(["docker", "rm", "--force", "id"]) == 1


def test_shell_the_image_lacks_fails_docker_run_and_is_named(fp: Any) -> None:
    s = spec("q", shell="/bin/zsh", image="img:1")
    fp.register(["docker", "run", fp.any()], returncode=127,
                stderr='docker: Error response from daemon: failed to create shim task: OCI '
                       'runtime create failed: runc create failed: unable to start container '
                       'process: exec: "/bin/zsh": stat /bin/zsh: no such file or directory: '
                       "unknown.\n")
    fp.register(ids_argv("q"), stdout="id\n")
    fp.register(["docker", "rm", "--force", "id"])
    with pytest.raises(ClauderonError, match=r"the shell '/bin/zsh' cannot run in image "
                                             r'"img:1"'):
        backend().create(s)
    assert fp.call_count(["docker", "rm", "--force", "id"]) == 1


def test_name_conflict_names_the_container_and_the_remedy(fp: Any) -> None:
    s = spec("c", image="img:1")
    fp.register(["docker", "run", fp.any()], returncode=125,
                stderr='docker: Error response from daemon: Conflict. The container name '
                       '"/clauderon-c" is already in use by container "1234".\n')
    with pytest.raises(ClauderonError, match=r"named \"clauderon-c\" already exists; remove "
                                             r"it with `docker rm -f clauderon-c`"):
        backend().create(s)


# -- prepare -----------------------------------------------------------------------------


def test_prepare_without_an_image_is_a_usage_error_before_any_docker_call(fp: Any) -> None:
    with pytest.raises(UsageError, match=r"pass --image IMAGE or set `image` in the \[docker\]"):
        backend().prepare(spec("n", image=None))
    assert len(fp.calls) == 0


def test_prepare_resolves_image_network_and_extra_args_from_config(fp: Any) -> None:
    cfg = config(image="cfg:1", network="none", extra_args=["--memory", "1g"])
    fp.register(VERSION, stdout="28.2.2|20.10.24\n")
    fp.register(["docker", "image", "inspect", "--format", "{{.Id}}", "cfg:1"],
                stdout="sha256:1\n")
    out = backend(cfg).prepare(spec("p", cfg=cfg, image=None))
    assert out.options["image"] == "cfg:1"
    assert out.options["network"] == "none"
    assert out.options["extra_args"] == ["--memory", "1g"]


def test_prepare_command_line_image_beats_config(fp: Any) -> None:
    cfg = config(image="cfg:1")
    fp.register(VERSION, stdout="28.2.2|20.10.24\n")
    fp.register(["docker", "image", "inspect", "--format", "{{.Id}}", "cli:2"],
                stdout="sha256:1\n")
    assert backend(cfg).prepare(spec("p", image="cli:2")).options["image"] == "cli:2"


def test_prepare_missing_image_gives_the_pull_remedy_and_never_pulls(fp: Any) -> None:
    fp.register(VERSION, stdout="28.2.2|20.10.24\n")
    fp.register(["docker", "image", "inspect", "--format", "{{.Id}}", "nope:1"],
                returncode=1, stderr="Error response from daemon: No such image: nope:1\n")
    with pytest.raises(ClauderonError) as err:
        backend().prepare(spec("p", image="nope:1"))
    assert not isinstance(err.value, UsageError)
    assert "`docker pull nope:1`" in str(err.value)
    assert "never pulls" in str(err.value)


def test_prepare_invalid_image_reference_is_a_usage_error(fp: Any) -> None:
    fp.register(VERSION, stdout="28.2.2|20.10.24\n")
    fp.register(["docker", "image", "inspect", "--format", "{{.Id}}", "Bad!"], returncode=1,
                stderr="Error response from daemon: no such image: Bad!: invalid reference "
                       "format: repository name must be lowercase\n")
    with pytest.raises(UsageError, match=r"'Bad!' is not a valid Docker image reference "
                                         r"\(invalid reference format: repository name"):
        backend().prepare(spec("p", image="Bad!"))


def test_prepare_daemon_unreachable_is_one_line_naming_the_endpoint(fp: Any) -> None:
    fp.register(["docker", "image", "inspect", fp.any()], returncode=1,
                stderr="Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is "
                       "the docker daemon running?\n")
    with pytest.raises(ClauderonError) as err:
        backend().prepare(spec("p", image="img:1"))
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("the Docker daemon is not reachable at unix:///nonexistent.sock;")


def test_prepare_rejects_a_bad_container_name_before_any_docker_call(fp: Any) -> None:
    with pytest.raises(UsageError, match=r'session name "caf\u00e9\+1" cannot name a Docker '
                                         r"container"):
        backend().prepare(spec("caf\u00e9+1", image="img:1"))
    assert len(fp.calls) == 0


# -- names -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "fix-auth", "proj.x_1", "A9", "-x", ".hidden"])
def test_names_docker_accepts(name: str) -> None:
    backend().check_name(name)  # clauderon- always supplies a valid first character


@pytest.mark.parametrize("name,bad", [("a+b", "'+'"), ("caf\u00e9", "'\u00e9'"),
                                      ("x@y:z", "':' '@'"), ("n\u00e4me!", "'!' '\u00e4'")])
def test_names_docker_rejects_naming_the_characters(name: str, bad: str) -> None:
    with pytest.raises(UsageError) as err:
        backend().check_name(name)
    assert f'"{name}"' in str(err.value)
    assert str(err.value).endswith(f"(not {bad})")
    assert err.value.exit_code == 2


def test_container_name() -> None:
    assert container_name("x") == "clauderon-x"


# -- states ------------------------------------------------------------------------------


def test_parse_states_maps_every_docker_state() -> None:
    out = ("a\trunning\nb\texited\nc\tcreated\nd\tpaused\ne\tdead\nf\trestarting\n"
           "g\tremoving\n\n")
    assert parse_states(out) == {"a": State.RUNNING, "b": State.EXITED, "c": State.EXITED,
                                 "d": State.EXITED, "e": State.EXITED, "f": State.RUNNING,
                                 "g": State.EXITED}


@pytest.mark.parametrize("junk", ["malformed\n", "a\trunning\nWARNING: x\n", "\trunning\n",
                                  "a\tsleeping\n"])
def test_a_listing_that_is_not_dockers_is_unreadable_not_empty(junk: str) -> None:
    from clauderon.backends.base import UnreadableListing

    with pytest.raises(UnreadableListing, match="cannot read the output of `docker ps`"):
        parse_states(junk)


def test_parse_states_running_wins_for_duplicate_labels() -> None:
    assert parse_states("x\texited\nx\trunning\nx\texited\n") == {"x": State.RUNNING}


def test_states_queries_by_label(fp: Any) -> None:
    argv = ["docker", "ps", "--all", "--no-trunc", "--filter", LABEL_FILTER, "--format",
            PS_FORMAT]
    fp.register(argv, stdout="one\trunning\ntwo\texited\n")
    assert backend().states() == {"one": State.RUNNING, "two": State.EXITED}


def test_states_permission_denied_has_its_own_remedy(fp: Any) -> None:
    fp.register(["docker", "ps", fp.any()], returncode=1,
                stderr="permission denied while trying to connect to the Docker daemon socket "
                       'at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock'
                       '/v1.50/containers/json": dial unix /var/run/docker.sock: connect: '
                       "permission denied\n")
    with pytest.raises(ClauderonError) as err:
        backend().states()
    text = str(err.value)
    assert text.startswith("permission denied on unix:///var/run/docker.sock:")
    assert "docker group" in text and "sudo" in text


def test_docker_not_on_path(tmp_path: Path) -> None:
    with pytest.raises(CommandNotFound, match="docker not found on PATH; install the Docker"):
        backend(env={"PATH": str(tmp_path)}).states()


@pytest.mark.parametrize("stderr,start", [
    (("Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon "
     "running?"), "the Docker daemon is not reachable at tcp://127.0.0.1:1;"),
    (("error during connect: Get \"http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version\": "
     "open //./pipe/docker_engine: The system cannot find the file specified."),
     "the Docker daemon is not reachable;"),
    (('Failed to initialize: unable to resolve docker endpoint: context "nope": context not '
     "found"), "the docker client cannot start ("),
])
def test_daemon_error_messages(stderr: str, start: str) -> None:
    err = daemon_error(stderr)
    assert err is not None and str(err).startswith(start)


def test_daemon_error_leaves_other_failures_alone() -> None:
    assert daemon_error("Error response from daemon: No such image: x:1") is None


# -- attach ------------------------------------------------------------------------------


def record(name: str = "r", shell: str = "/bin/bash") -> Record:
    return Record(name=name, backend="docker", workdir="/srv", created_at="2026-01-01T00:00:00Z",
                  shell=shell, env={"CLAUDERON_SESSION": name, "http_proxy": "http://h:1"})


def containers_argv(name: str) -> list[str]:
    return ["docker", "ps", "--all", "--filter", f"label=dev.clauderon.session={name}",
            "--format", "{{.Names}}\t{{.State}}"]


def test_attach_running_is_docker_exec_with_the_session_shell(fp: Any) -> None:
    fp.register(containers_argv("r"), stdout="clauderon-r\trunning\n")
    cmd = backend().attach(record(), {"PATH": "/bin", "ZELLIJ": "0", "DOCKER_HOST": "unix:///d"})
    assert cmd.argv == ["docker", "exec", "-it", "clauderon-r", "/bin/bash"]
    # the docker client gets the caller's environment, not the container's variables
    assert cmd.env == {"PATH": "/bin", "DOCKER_HOST": "unix:///d"}


def test_attach_exited_container_is_started_first(fp: Any) -> None:
    fp.register(containers_argv("r"), stdout="clauderon-r\texited\n")
    fp.register(["docker", "start", "clauderon-r"], stdout="clauderon-r\n")
    fp.register(inspect_argv("r"), stdout="running\t0\n")  # started: running
    cmd = backend().attach(record(), {})
    assert fp.call_count(["docker", "start", "clauderon-r"]) == 1
    assert cmd.argv[-2:] == ["clauderon-r", "/bin/bash"]


def test_attach_to_a_container_that_stops_again_at_once_says_so(fp: Any) -> None:
    fp.register(containers_argv("r"), stdout="clauderon-r\texited\n")
    fp.register(["docker", "start", "clauderon-r"], stdout="clauderon-r\n")
    fp.register(inspect_argv("r"), stdout="exited\t127\n")
    with pytest.raises(ClauderonError, match=r"container clauderon-r stopped again right after "
                                             r"`docker start` \(exited, exit code 127\)"):
        backend().attach(record(), {})


def test_attach_paused_container_is_unpaused(fp: Any) -> None:
    fp.register(containers_argv("r"), stdout="clauderon-r\tpaused\n")
    fp.register(["docker", "unpause", "clauderon-r"])
    backend().attach(record(), {})
    assert fp.call_count(["docker", "unpause", "clauderon-r"]) == 1


def test_attach_prefers_the_named_container_among_labelled_ones(fp: Any) -> None:
    fp.register(containers_argv("r"), stdout="renamed-by-hand\trunning\nclauderon-r\trunning\n")
    assert backend().attach(record(), {}).argv[3] == "clauderon-r"


def test_attach_gone_container_says_how_to_clean_up(fp: Any) -> None:
    fp.register(containers_argv("r"), stdout="")
    with pytest.raises(ClauderonError, match=r"is gone; remove the session with `clauderon "
                                             r"kill r`"):
        backend().attach(record(), {})


# -- kill --------------------------------------------------------------------------------


def test_kill_removes_every_labelled_container_and_verifies(fp: Any) -> None:
    fp.register(ids_argv("k"), stdout="aaa\nbbb\n")
    fp.register(["docker", "rm", "--force", "aaa", "bbb"], stdout="aaa\nbbb\n")
    fp.register(ids_argv("k"), stdout="")
    backend().kill("k")
    assert fp.call_count(["docker", "rm", "--force", "aaa", "bbb"]) == 1


def test_kill_when_already_gone_runs_no_rm(fp: Any) -> None:
    fp.register(ids_argv("k"), stdout="", occurrences=2)
    backend().kill("k")
    assert fp.call_count(["docker", "rm", fp.any()]) == 0


def test_kill_tolerates_a_container_vanishing_meanwhile(fp: Any) -> None:
    fp.register(ids_argv("k"), stdout="aaa\n")
    fp.register(["docker", "rm", "--force", "aaa"], returncode=1,
                stderr="Error response from daemon: No such container: aaa\n")
    fp.register(ids_argv("k"), stdout="")
    backend().kill("k")


def test_kill_reports_containers_that_remain(fp: Any) -> None:
    fp.register(ids_argv("k"), stdout="aaa\n")
    fp.register(["docker", "rm", "--force", "aaa"], returncode=1,
                stderr="Error response from daemon: No such container: aaa\n")
    fp.register(ids_argv("k"), stdout="aaa\n")
    with pytest.raises(CommandError, match=r"remain after `docker rm -f`; remove them with "
                                           r"`docker rm -f aaa`"):
        backend().kill("k")


# -- version -----------------------------------------------------------------------------


def test_version_names_client_and_server(fp: Any) -> None:
    fp.register(VERSION, stdout="28.2.2|20.10.24+dfsg1\n")
    assert backend().version() == "28.2.2 (server 20.10.24+dfsg1)"


def test_prepare_refuses_an_image_that_docker_would_read_as_an_option(fp: Any) -> None:
    with pytest.raises(UsageError, match=r"'--privileged' starts with '-'"):
        backend().prepare(spec("p", image="--privileged"))
    assert len(fp.calls) == 0


def test_name_conflict_is_session_exists_and_removes_nothing(fp: Any) -> None:
    from clauderon.errors import SessionExists

    fp.register(["docker", "run", fp.any()], returncode=125,
                stderr='docker: Error response from daemon: Conflict. The container name '
                       '"/clauderon-c" is already in use by container "1234".\n')
    with pytest.raises(SessionExists):
        backend().create(spec("c", image="img:1"))
    assert len(fp.calls) == 1  # no ps, no rm: the container is not clauderon's
