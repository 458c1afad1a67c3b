"""The Docker backend: one long-lived container per session, driven by the ``docker`` CLI.

- container ``clauderon-<name>``, labelled ``dev.clauderon.session=<name>`` and
  ``dev.clauderon.version=<clauderon version>``; everything that looks containers up (states,
  kill) goes by the label, never by a name pattern alone.
- create: ``docker run -d -it --pull never`` with the shell as the command (the TTY
  and open stdin keep it alive), the workdir bind-mounted at the same path and used as the
  working directory, the session variables in a 0600 ``--env-file`` that the docker client
  reads and clauderon deletes as soon as ``docker run`` returns (so no value, proxy
  credentials included, is on a command line other users can read in ``/proc``; only a value
  an env file cannot carry — a newline, a carriage return, bytes that are not UTF-8, or over
  60,000 bytes — goes as its own ``--env KEY=VALUE`` argument), ``--network`` as chosen and, on
  ``bridge``, ``--add-host host.docker.internal:host-gateway`` so rewritten loopback proxies
  (and anything else the user points there) resolve.
- prepare: the daemon must answer and the image must exist locally; clauderon never pulls.
- attach: ``docker exec -it clauderon-<name> SHELL`` (an exited container is started first).
- kill: ``docker rm -f`` on every container carrying the session's label, then verify.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from clauderon import __version__, paths, proc
from clauderon.backends.base import (
    AttachCommand,
    BackendInfo,
    SessionSpec,
    Setting,
    State,
    UnreadableListing,
)
from clauderon.config import Config
from clauderon.errors import (
    ClauderonError,
    CommandError,
    CommandNotFound,
    SessionExists,
    UsageError,
)
from clauderon.fileio import ensure_private_dir, transient_path, write_private_file
from clauderon.session_env import without_foreign

if TYPE_CHECKING:
    from clauderon.doctor.context import Context
    from clauderon.doctor.model import Check, Result
    from clauderon.registry import Record

CONTAINER_PREFIX = "clauderon-"
LABEL_SESSION = "dev.clauderon.session"
LABEL_VERSION = "dev.clauderon.version"
NETWORKS = ("bridge", "none", "host")
# How the host is reached from inside a container (--add-host ...:host-gateway on bridge).
DOCKER_HOST_ALIAS = "host.docker.internal"
DEFAULT_NETWORK = NETWORKS[0]
# Docker's own rule for container names.
_CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+\Z")
_NAME_CHARS = re.compile(r"[a-zA-Z0-9_.-]")
NOT_FOUND_HINT = ("docker not found on PATH; install the Docker CLI (e.g. `apt-get install "
                  "docker.io`) or run `clauderon doctor`")
_STATES = {
    "running": State.RUNNING,
    "restarting": State.RUNNING,
    "created": State.EXITED,
    "exited": State.EXITED,
    "paused": State.EXITED,
    "dead": State.EXITED,
    "removing": State.EXITED,
}


# The docker client reads an env file line by line (bufio.Scanner: 64 KiB per line), drops a
# line's trailing "\r" and refuses bytes that are not UTF-8.
_ENV_FILE_LINE_MAX = 60_000


def container_name(name: str) -> str:
    return f"{CONTAINER_PREFIX}{name}"


def split_env(variables: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(variables for the ``--env-file``, variables that must go as ``--env KEY=VALUE``)."""
    in_file: dict[str, str] = {}
    on_argv: dict[str, str] = {}
    for key, value in variables.items():
        try:
            size = len(f"{key}={value}".encode())
        except UnicodeEncodeError:  # lone surrogates: not UTF-8
            size = _ENV_FILE_LINE_MAX
        if "\n" in value or "\r" in value or size >= _ENV_FILE_LINE_MAX:
            on_argv[key] = value
        else:
            in_file[key] = value
    return in_file, on_argv


def render_env_file(name: str, variables: Mapping[str, str]) -> str:
    """The ``docker run --env-file`` text: ``KEY=VALUE`` lines, taken literally by docker."""
    lines = [f"# clauderon: variables of session {name!r}, read once by `docker run`"]
    lines += [f"{key}={value}" for key, value in variables.items()]
    return "\n".join(lines) + "\n"


def env_file_path(name: str, env: Mapping[str, str]) -> Path:
    """Where ``create`` writes the env file for ``docker run`` (unique per process)."""
    return transient_path(paths.session_env_dir(env), f"{name}.docker-env")


def parse_states(stdout: str) -> dict[str, State]:
    """``<session label>\\t<state>`` lines -> states; RUNNING wins over EXITED for a name.

    A line of another shape (no tab, an empty label, a state docker does not have) raises
    UnreadableListing: a `docker` that prints something else must not read as "no sessions"."""
    states: dict[str, State] = {}
    for number, line in enumerate(stdout.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, raw = line.rpartition("\t")
        state = _STATES.get(raw.strip().lower())
        if not sep or not name or state is None:
            shown = ascii(line.strip())[:60]
            raise UnreadableListing(f"cannot read the output of `docker ps` (line {number}: "
                                    f"{shown}); is `docker` really Docker? run "
                                    "`clauderon doctor`")
        if states.get(name) is not State.RUNNING:
            states[name] = state
    return states


def _csv_field(text: str) -> str:
    """One field of ``--mount``'s comma-separated value, quoted only when needed."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def mount_arg(path: str) -> str:
    """``--mount`` value binding ``path`` at the same path (``-v`` cannot take a ':')."""
    return ",".join(["type=bind", _csv_field(f"source={path}"), _csv_field(f"target={path}")])


def daemon_error(stderr: str) -> ClauderonError | None:
    """The one-line error for a docker client that cannot talk to its daemon, if it is that."""
    text = " ".join(stderr.split())
    low = text.lower()
    if "permission denied" in low and ("docker daemon socket" in low or "docker.sock" in low
                                       or "docker api" in low):
        where = _endpoint(text) or "the Docker socket"
        return ClauderonError(
            f"permission denied on {where}: your user may not use the Docker daemon; add it "
            "to the docker group (`sudo usermod -aG docker $USER`, then log in again) or run "
            "clauderon with sudo")
    if "failed to initialize" in low or "unable to resolve docker endpoint" in low:
        return ClauderonError(f"the docker client cannot start ({text[:160]}); check "
                              "DOCKER_CONTEXT, DOCKER_HOST and `docker context ls`")
    if "cannot connect to the docker daemon" in low or "error during connect" in low:
        endpoint = _endpoint(text)
        at = f" at {endpoint}" if endpoint else ""
        return ClauderonError(
            f"the Docker daemon is not reachable{at}; start it (`sudo systemctl start docker` "
            "or `sudo dockerd`), or point DOCKER_HOST / `docker context use` at a running one")
    return None


def _endpoint(text: str) -> str | None:
    match = re.search(r"\b(?:unix|tcp|npipe|ssh|fd)://\S+", text)
    return match.group(0).rstrip(".:,\"'") if match else None


class DockerBackend:
    name = "docker"
    label = "Docker"
    create_refuses_existing = False

    def __init__(self, config: Config, env: Mapping[str, str]) -> None:
        self.config = config
        # The docker client needs the caller's DOCKER_HOST / DOCKER_CONTEXT / DOCKER_CONFIG;
        # a surrounding multiplexer's variables mean nothing to it.
        self.env = without_foreign(env)
        self._versions: tuple[str, str] | None = None

    # -- running docker ----------------------------------------------------------------

    def _run(self, *args: str, check: bool = True, timeout: float = 15) -> proc.Result:
        argv = ["docker", *args]
        try:
            result = proc.run(argv, env=self.env, timeout=timeout, check=False)
        except CommandNotFound:
            raise CommandNotFound(NOT_FOUND_HINT, argv=argv) from None
        if not result.ok:
            unreachable = daemon_error(result.stderr)
            if unreachable is not None:
                raise unreachable
            if check:
                raise proc.failure(result)
        return result

    def _versions_pair(self) -> tuple[str, str]:
        if self._versions is None:
            out = self._run("version", "--format",
                            "{{.Client.Version}}|{{.Server.Version}}").stdout.strip()
            client, _, server = out.partition("|")
            if not client or not server:
                raise ClauderonError(f"cannot read the Docker versions from {out[:80]!r}; "
                                     "run `clauderon doctor`")
            self._versions = (client, server)
        return self._versions

    def version(self) -> str:
        client, server = self._versions_pair()
        return f"{client} (server {server})"

    # -- names -------------------------------------------------------------------------

    def check_name(self, name: str) -> None:
        container = container_name(name)
        if _CONTAINER_NAME.match(container):
            return
        bad = sorted({c for c in name if not _NAME_CHARS.match(c)})
        shown = " ".join(repr(c) for c in bad)
        raise UsageError(
            f'session name "{name}" cannot name a Docker container ({container!r}): Docker '
            f"allows only letters, digits, '_', '.' and '-' (not {shown})")

    # -- options -----------------------------------------------------------------------

    def _image(self, options: Mapping[str, object]) -> str:
        image = options.get("image") or self.config.get("docker.image")
        if not image:
            raise UsageError("no Docker image given: pass --image IMAGE or set `image` in the "
                             "[docker] table of the config file")
        if str(image).startswith("-"):
            # docker would read it as an option (`--image=--privileged`).
            raise UsageError(f"Docker image {str(image)!r} starts with '-', which docker would "
                             "read as an option; give an image reference such as debian:12")
        return str(image)

    def _network(self, options: Mapping[str, object]) -> str:
        network = str(options.get("network") or self.config.get("docker.network")
                      or DEFAULT_NETWORK)
        if network not in NETWORKS:
            raise UsageError(f"Docker network {network!r} is not supported; use one of: "
                             f"{', '.join(NETWORKS)}")
        return network

    def _extra_args(self, options: Mapping[str, object]) -> list[str]:
        given = options.get("extra_args")
        if given is None:
            given = self.config.get("docker.extra_args") or []
        if not isinstance(given, list) or not all(isinstance(a, str) for a in given):
            raise UsageError("docker.extra_args must be a list of strings")
        return list(given)

    # -- sessions ----------------------------------------------------------------------

    def prepare(self, spec: SessionSpec) -> SessionSpec:
        self.check_name(spec.name)
        image = self._image(spec.options)
        network = self._network(spec.options)
        extra = self._extra_args(spec.options)
        # One call checks both that the daemon answers (daemon_error in _run) and that the
        # image is here, before anything is written.
        self._check_image(image)
        return spec._replace(options={**spec.options, "image": image, "network": network,
                                      "extra_args": extra})

    def _check_image(self, image: str) -> None:
        result = self._run("image", "inspect", "--format", "{{.Id}}", image, check=False)
        if result.ok:
            return
        said = " ".join(result.stderr.split())
        low = said.lower()
        if "invalid reference format" in low:
            why = said[low.rindex("invalid reference format"):]
            raise UsageError(f"--image / [docker] image {image!r} is not a valid Docker image "
                             f"reference ({why})")
        if "no such image" in low or not low:
            raise ClauderonError(
                f'Docker image "{image}" is not available locally; pull it with `docker pull '
                f"{image}` or build it (clauderon never pulls images itself)")
        raise proc.failure(result)

    def run_argv(self, spec: SessionSpec, env_file: Path | None = None) -> list[str]:
        """The exact ``docker run`` argv for ``spec`` (after ``prepare``); the variables
        ``split_env`` puts in a file are read from ``env_file``."""
        image = self._image(spec.options)
        network = self._network(spec.options)
        workdir = str(spec.workdir)
        # No --init: without it a shell the image lacks fails `docker run` itself (exit 127),
        # instead of a moment after it returned.
        argv = ["docker", "run", "--detach", "--interactive", "--tty",
                "--pull", "never",
                "--name", container_name(spec.name),
                "--label", f"{LABEL_SESSION}={spec.name}",
                "--label", f"{LABEL_VERSION}={__version__}",
                "--network", network]
        if network == "bridge":
            argv += ["--add-host", f"{DOCKER_HOST_ALIAS}:host-gateway"]
        argv += ["--mount", mount_arg(workdir), "--workdir", workdir]
        in_file, on_argv = split_env(self.variables(spec))
        if in_file:
            if env_file is None:
                raise ValueError("run_argv needs the env file for the session variables")
            argv += ["--env-file", str(env_file)]
        for key, value in on_argv.items():
            argv += ["--env", f"{key}={value}"]
        # A worktree's .git file names <repo>/.git/worktrees/<id> by absolute path: the
        # repository's git common dir is mounted at the same path so git works inside.
        common = spec.options.get("git_common_dir")
        if common:
            argv += ["--mount", mount_arg(str(common))]
        argv += self._extra_args(spec.options)
        argv += [image, *spec.first_pane]
        return argv

    @staticmethod
    def variables(spec: SessionSpec) -> dict[str, str]:
        return {"SHELL": spec.shell, **spec.env.variables}

    def create(self, spec: SessionSpec) -> None:
        container = container_name(spec.name)
        in_file, _ = split_env(self.variables(spec))
        env_file = env_file_path(spec.name, self.env) if in_file else None
        if env_file is not None:
            ensure_private_dir(env_file.parent)
            write_private_file(env_file, render_env_file(spec.name, in_file).encode())
        try:
            result = self._run(*self.run_argv(spec, env_file)[1:], check=False, timeout=60)
        finally:
            if env_file is not None:
                env_file.unlink(missing_ok=True)
        if not result.ok:
            failure = self._run_failure(result, spec)
            if not isinstance(failure, SessionExists):
                # A container whose process failed to start stays behind as "created"; a
                # container that already had the name is not ours to remove.
                self._remove_quietly(spec.name)
            raise failure
        status, code = self._inspect_state(container)
        if status != "running":
            logs = self._run("logs", "--tail", "5", container, check=False)
            self._remove_quietly(spec.name)
            said = _last_line(logs.stdout) or _last_line(logs.stderr)
            detail = f": {said}" if said else ""
            if code in ("126", "127"):  # docker-init could not exec the shell
                raise self._missing_shell(spec, detail)
            raise ClauderonError(
                f'container {container} stopped right after it started ({status}, exit code '
                f"{code}){detail}; check that the image runs {spec.shell!r} as an "
                "interactive shell (set --shell or [docker] shell)")

    def _run_failure(self, result: proc.Result, spec: SessionSpec) -> Exception:
        said = " ".join(result.stderr.split())
        low = said.lower()
        container = container_name(spec.name)
        if "is already in use" in low:
            return SessionExists(
                f'a Docker container named "{container}" already exists; remove it with '
                f"`docker rm -f {container}` or pick another name")
        if "exec:" in low and ("executable file not found" in low
                               or "no such file or directory" in low):
            return self._missing_shell(spec, "")
        return proc.failure(result)

    def _missing_shell(self, spec: SessionSpec, detail: str) -> ClauderonError:
        return ClauderonError(
            f"the shell {spec.shell!r} cannot run in image \"{self._image(spec.options)}\""
            f"{detail}; pass --shell or set [docker] shell to a shell the image has "
            "(e.g. /bin/sh)")

    def _inspect_state(self, container: str) -> tuple[str, str]:
        out = self._run("inspect", "--type", "container", "--format",
                        "{{.State.Status}}\t{{.State.ExitCode}}", container).stdout.strip()
        status, _, code = out.partition("\t")
        return status, code

    def states(self) -> dict[str, State]:
        result = self._run("ps", "--all", "--no-trunc", "--filter", f"label={LABEL_SESSION}",
                           "--format", f'{{{{.Label "{LABEL_SESSION}"}}}}\t{{{{.State}}}}')
        return parse_states(result.stdout)

    def attach(self, record: Record, caller_env: dict[str, str]) -> AttachCommand:
        found = self._containers(record.name)
        if not found:
            raise ClauderonError(
                f'the container of session "{record.name}" ({container_name(record.name)}) is '
                f"gone; remove the session with `clauderon kill {record.name}` and create it "
                "again")
        # Prefer the container clauderon named; any other carrying the label will do.
        container, status = next(
            (c for c in found if c[0] == container_name(record.name)), found[0])
        if status == "paused":
            self._run("unpause", container, timeout=30)
        elif status in ("exited", "created"):
            self._start(container)
        elif status not in ("running", "restarting"):
            raise ClauderonError(
                f"container {container} is {status} and cannot be attached to; remove it with "
                f"`clauderon kill {record.name}` and create the session again")
        # The docker client runs with the caller's environment: the session variables
        # (proxies rewritten for the container) are already inside the container.
        return AttachCommand(["docker", "exec", "-it", container, record.shell],
                             without_foreign(caller_env))

    def _containers(self, name: str) -> list[tuple[str, str]]:
        """(container name, state) of every container labelled as session ``name``."""
        out = self._run("ps", "--all", "--filter", f"label={LABEL_SESSION}={name}",
                        "--format", "{{.Names}}\t{{.State}}").stdout
        found: list[tuple[str, str]] = []
        for line in out.splitlines():
            cname, sep, status = line.partition("\t")
            if sep:
                found.append((cname, status.strip().lower()))
        return found

    def _ids(self, name: str) -> list[str]:
        out = self._run("ps", "--all", "--quiet", "--no-trunc",
                        "--filter", f"label={LABEL_SESSION}={name}").stdout
        return out.split()

    def _remove_quietly(self, name: str) -> None:
        try:
            ids = self._ids(name)
            if ids:
                self._run("rm", "--force", *ids, check=False, timeout=30)
        except ClauderonError:
            pass

    def kill(self, name: str, record: Record | None = None) -> None:
        ids = self._ids(name)
        if ids:
            result = self._run("rm", "--force", *ids, check=False, timeout=30)
            if result.ok:
                return  # `docker rm -f` removes synchronously
            if "no such container" not in result.stderr.lower():
                raise proc.failure(result)
        left = self._ids(name)
        if left:
            raise CommandError(
                f'{len(left)} container(s) labelled {LABEL_SESSION}={name} remain after '
                f"`docker rm -f`; remove them with `docker rm -f {' '.join(left[:3])}`")

    def seen_elsewhere(self, name: str) -> str | None:
        return None  # one server (or daemon) per record: not listed means gone

    def restart_exited(self, record: Record) -> str | None:
        """``docker start`` the stopped container: its file system, and the environment it
        was created with, are kept (a new container would lose what was written inside)."""
        found = [c for c, status in self._containers(record.name)
                 if status in ("exited", "created")]
        if not found:
            raise ClauderonError(f'no stopped container of session "{record.name}" to start')
        container = container_name(record.name) if container_name(record.name) in found \
            else found[0]
        self._start(container)
        return (f"started the stopped container {container} again, with what it holds and "
                "the environment it was created with (to take the current config's: "
                f"`clauderon kill {record.name}`, then `clauderon new` again)")

    def _start(self, container: str) -> None:
        """``docker start``, then the container must be running (a shell that exits at
        once stops it again)."""
        self._run("start", container, timeout=30)
        status, code = self._inspect_state(container)
        if status != "running":
            raise ClauderonError(f"container {container} stopped again right after `docker "
                                 f"start` ({status}, exit code {code}); see `docker logs "
                                 f"{container}`")

    def remove_hint(self, name: str) -> str:
        from clauderon.proc import describe

        # one command whatever the container's name: every container carrying the label
        listing = describe(["docker", "ps", "-aq", "--filter", f"label={LABEL_SESSION}={name}"])
        return f"docker rm -f $({listing})"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


INFO = BackendInfo(
    name="docker",
    label="Docker",
    program="docker",
    factory=DockerBackend,
    settings=(
        Setting("image", str, None, "the image every session runs (never pulled)",
                example='"debian:bookworm"', option="--image"),
        Setting("network", str, DEFAULT_NETWORK, "the container's network", choices=NETWORKS,
                option="--network"),
        Setting("shell", str, "/bin/sh", "the shell inside the image"),
        Setting("extra_args", list, [], "more `docker run` arguments",
                example='["--cpus", "2"]'),
        Setting("env", list, [], "extra KEY=VALUE variables", option="--env"),
    ),
    install={
        "macos": "brew install --cask docker",
        "debian": "{sudo}apt-get install docker.io",
        "fedora": "{sudo}dnf install moby-engine",
        "arch": "{sudo}pacman -S docker",
        "alpine": "{sudo}apk add docker",
        "suse": "{sudo}zypper install docker",
        "nixos": "nix-env -iA nixos.docker",
        "*": "install Docker Engine (https://docs.docker.com/engine/install/)",
    },
    shell_in_image=True,
    container_host=DOCKER_HOST_ALIAS,
    labelled=True,
    list_command="docker ps -a --filter label=" + LABEL_SESSION,
)


# -- doctor ---------------------------------------------------------------------------------


def doctor_checks() -> list[Check]:
    from clauderon.doctor.model import Check

    return [
        Check("docker.daemon", INFO.label, "the docker client is on PATH and its daemon answers",
              _check_daemon),
        Check("docker.image", INFO.label,
              "the configured image (and every recorded session's) exists locally",
              _check_image),
        Check("docker.propagation", INFO.label,
              "every running Docker session holds its recorded variables (read back with "
              "`docker exec … env`)", _check_propagation),
    ]


def _doctor_backend(ctx: Context) -> tuple[DockerBackend | None, Result | None]:
    """The backend when Docker is used and its daemon answers; else the result to report."""
    from clauderon.doctor.model import error, skipped
    from clauderon.install_hints import for_this_machine

    used, why = ctx.backend_used(INFO.name)
    if not used:
        return None, skipped(f"not used ({why})")
    if ctx.which(INFO.program) is None:
        return None, error("docker not found on PATH", details=[f"needed because {why}"],
                           remedy=for_this_machine(INFO.install))
    backend = DockerBackend(ctx.config_or_default(), ctx.tool_env())
    try:
        with proc.time_limit(ctx.command_timeout):
            backend.version()
    except ClauderonError as exc:
        return None, error(str(exc), remedy=_daemon_remedy(str(exc)))
    return backend, None


def _daemon_remedy(message: str) -> str:
    if message.startswith("permission denied"):
        return 'sudo usermod -aG docker "$USER"   # then log out and in again'
    if "not reachable" in message:
        return "sudo systemctl start docker   # or: sudo dockerd"
    return "docker context ls   # which daemon does the client use?"


def _check_daemon(ctx: Context) -> Result:
    from clauderon.doctor.model import ok

    backend, problem = _doctor_backend(ctx)
    if problem is not None:
        return problem
    assert backend is not None
    return ok(f"docker {backend.version()}")


def _images(ctx: Context) -> dict[str, list[str]]:
    """image -> what wants it (the config, recorded sessions)."""
    wanted: dict[str, list[str]] = {}
    configured = ctx.config_or_default().get("docker.image")
    if configured:
        wanted.setdefault(str(configured), []).append("[docker] image")
    try:
        records = ctx.records()
    except ClauderonError:
        records = []
    for record in records:
        image = record.options.get("image") if record.backend == INFO.name else None
        if image:
            wanted.setdefault(str(image), []).append(f"session {record.name}")
    return wanted


def _check_image(ctx: Context) -> Result:
    from clauderon.doctor.model import error, ok, skipped

    backend, problem = _doctor_backend(ctx)
    if problem is not None:
        return problem if problem.status.value == "skipped" else skipped(
            "the Docker daemon does not answer (see docker.daemon)")
    assert backend is not None
    wanted = _images(ctx)
    if not wanted:
        return skipped("no image configured ([docker] image) and no Docker session recorded")
    missing = []
    for image in wanted:
        with proc.time_limit(ctx.command_timeout):
            result = backend._run("image", "inspect", "--format", "{{.Id}}", image, check=False)
        if not result.ok:
            missing.append(image)
    if missing:
        details = [f"{image} (wanted by {', '.join(wanted[image])}) is not available locally"
                   for image in missing]
        first = missing[0]
        return error(f"{len(missing)} image(s) missing: {', '.join(missing)}", details=details,
                     remedy=(f"{proc.describe(['docker', 'pull', first])}   # or build it: "
                             f"{proc.describe(['docker', 'build', '-t', first, 'DIR'])}"))
    return ok(f"{len(wanted)} image(s) present: {', '.join(wanted)}")


def _check_propagation(ctx: Context) -> Result:
    from clauderon.doctor.model import ok, skipped, warning
    from clauderon.secrets import mask

    backend, problem = _doctor_backend(ctx)
    if problem is not None:
        return problem if problem.status.value == "skipped" else skipped(
            "the Docker daemon does not answer (see docker.daemon)")
    assert backend is not None
    try:
        records = [r for r in ctx.records() if r.backend == INFO.name]
    except ClauderonError:
        return skipped("the registry cannot be read (see registry.db)")
    checked = 0
    details: list[str] = []
    for record in records:
        running = [c for c, state in backend._containers(record.name) if state == "running"]
        if not running:
            continue
        with proc.time_limit(ctx.command_timeout):
            result = backend._run("exec", running[0], "env", check=False)
        if not result.ok:
            details.append(f"{record.name}: `docker exec {running[0]} env` failed: "
                           f"{_last_line(result.stderr)}")
            continue
        checked += 1
        inside = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        for key, value in record.env.items():
            if key == "TERM" or "\n" in value:
                continue  # docker exec sets its own TERM; env prints one line per variable
            if inside.get(key) != value:
                got = inside.get(key)
                shown = repr(mask(got, whole=True) if got is not None else None)
                details.append(f"{record.name}: {key} is {shown} inside the container, "
                               f"recorded {mask(value, whole=True)!r}")
    if details:
        return warning(f"{len(details)} variable(s) differ inside Docker sessions",
                       details=details,
                       remedy="recreate the session: clauderon kill NAME, then clauderon new "
                              "NAME --backend docker …")
    if not checked:
        return ok("no running Docker session to read back")
    return ok(f"{checked} running Docker session(s) hold their recorded variables")
