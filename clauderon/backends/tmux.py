"""The tmux backend: drives the ``tmux`` CLI (≥ 3.0) with exact-name targets only.

- version probe ``tmux -V`` ("tmux 3.3a", "tmux next-3.4", "tmux openbsd-7.4"); < 3.2 is
  refused: ``new-session -e`` arrived in 3.2 (3.0 added ``-e`` to new-window/split-window
  only; tmux 3.0 and 3.1 reject ``new-session -e`` as an unknown flag).
- server: the user's default, unless ``[tmux] socket`` (``-L NAME`` on every call) or
  ``TMUX_TMPDIR`` says otherwise. Both are stored in the record's options, so later calls
  for that session reach the same server whatever the caller's environment says then.
  ``TMUX``/``TMUX_PANE`` never reach a control call (they would redirect it to the
  surrounding server); only ``switch-client`` keeps them.
- create: one tmux client, ``tmux [-L S] [-f CONF] start-server ; source-file FILE``, where
  FILE (0600, in the 0700 env file directory, removed right after) holds one command line:
  ``new-session -d -s NAME -c DIR -e K=V... -- env TERM=T SHELL=SH SH ; set-option -t
  =NAME: default-shell SH``. No value of a session variable (proxy passwords) is ever on a
  command line, where every user could read it in /proc/PID/cmdline. tmux 3.3a puts ``-e``
  variables in the session environment but overwrites TERM in every pane with the
  server-wide ``default-terminal``; running the shell through ``env TERM=...`` makes the
  configured TERM win in the first shell, and the shell hook re-exports it in every later
  pane (see docs/tmux.md). Then ``has-session -t =NAME``: a shell that exited at once took
  the session with it.
- version: ``tmux -V`` once per tmux program (cached in clauderon's cache dir, keyed by the
  program's path, inode, size and times).
- state: ``list-sessions -F '#{session_name}'``; every listed session is RUNNING.
- kill: ``kill-session -t =NAME ; list-sessions ...`` in one client; a session still listed
  is waited for.

Every value reaches tmux exactly as given (tests/adversarial prove it against a real server):

- in FILE every argument is one double-quoted token: ``\\``, ``"``, ``$`` and ``~`` are
  escaped and control characters written as octal escapes (``command_token``);
- on a command line, tmux reads an argument ending in ``;`` as a command separator, so such
  an argument is passed with the ``;`` escaped (``\\;``, which tmux turns back into ``;``);
- ``new-session -s`` and ``-c`` are expanded as formats, where ``#(...)`` runs a shell command,
  so their ``#`` are doubled (``##`` is a literal ``#``);
- tmux rewrites ``\\`` and ``$`` in session names (and ``.``/``:``), so names holding them are
  refused before anything is created.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from clauderon import paths, proc
from clauderon.backends.base import (
    AttachCommand,
    BackendInfo,
    SessionSpec,
    Setting,
    State,
    UnreadableListing,
)
from clauderon.errors import (
    ClauderonError,
    CommandError,
    CommandNotFound,
    ConfigError,
    SessionExists,
    UsageError,
)
from clauderon.fileio import ensure_private_dir, transient_path, write_private_file
from clauderon.session_env import without_foreign

if TYPE_CHECKING:
    from clauderon.config import Config
    from clauderon.doctor.context import Context
    from clauderon.doctor.model import Check, Result
    from clauderon.registry import Record

MIN_VERSION = (3, 2)
# OpenBSD ships tmux in base and reports the OpenBSD release; 7.0 is the first release
# certain to carry tmux ≥ 3.2 (released April 2021).
MIN_OPENBSD = (7, 0)
# "." and ":" are target separators; tmux 3.3a escapes "\\" and "$" in session names; "#"
# starts a format that `new-session -s` expands (#S, #{...}, #(...)), except before "[",
# where tmux's own escaping varies between versions: a name holding one is refused.
FORBIDDEN_IN_NAMES = (".", ":", "\\", "$", "#")
NOT_FOUND_HINT = "tmux not found on PATH; run `clauderon doctor` for install instructions"
# "server exited unexpectedly": the client reached a server that was exiting (its last session
# was just killed, or kill-server): there is no server, or there is none any more.
EXITING = "server exited unexpectedly"
NO_SERVER = ("no server running on", "error connecting to", EXITING)
CREATE_ATTEMPTS = 4  # new-session tries while a previous server is still exiting
# "no current target": a server whose last session just went (it has none left to resolve a
# target against) answers this instead of "can't find session" (seen with tmux 3.3a)
NO_SESSION = ("can't find session", "no such session", "session not found", "no current target")
KILL_TIMEOUT = 5.0  # seconds a killed session may stay listed
SEPARATOR = ";"  # between two tmux commands of one client: its own argv element, never escaped
# Each line "$ID NAME": a line of any other shape means the answer is not tmux's listing.
LIST_COMMAND = ("list-sessions", "-F", "#{session_id} #{session_name}")
# How the first pane is: dead or not (remain-on-exit keeps a dead one), its exit status,
# its process and its directory.
PANE_FORMAT = "#{pane_dead} #{pane_dead_status} #{pane_pid} #{pane_current_path}"
STARTED_FORMAT = "#{pane_pid} #{session_path}"  # what new-session -P prints
START_TIMEOUT = 3.0  # seconds a new shell has to reach its prompt before it counts as up
VERSION_CACHE = "tmux-version"  # in clauderon's cache dir: program identity, then `tmux -V`
# Compiled when first used (re caches them): a cached version needs neither.
_VERSION = r"^tmux\s+(?P<flavor>next-|openbsd-)?(?P<major>\d+)\.(?P<minor>\d+)(?P<rest>\S*)\s*$"
_MASTER = r"^tmux\s+master\s*$"

# Keys this backend keeps in SessionSpec.options (and so in the registry record).
OPT_SOCKET = "tmux_socket"      # the -L name, absent for the default socket
OPT_TMPDIR = "tmux_tmpdir"      # TMUX_TMPDIR at creation, absent when it was unset
OPT_CONFIG = "tmux_config"      # the resolved -f file, absent when none


# NamedTuples, not frozen dataclasses: defining one costs ~0.2 ms instead of ~1.3 ms, on the
# start of every tmux command.
class TmuxVersion(NamedTuple):
    major: int
    minor: int
    text: str            # what follows "tmux ", e.g. "3.3a", "next-3.4", "openbsd-7.4"
    openbsd: bool = False

    @property
    def supported(self) -> bool:
        floor = MIN_OPENBSD if self.openbsd else MIN_VERSION
        return (self.major, self.minor) >= floor


def parse_version(text: str) -> TmuxVersion | None:
    """``tmux -V`` output -> TmuxVersion; None when it is not a tmux version line."""
    line = text.strip()
    if re.match(_MASTER, line):
        return TmuxVersion(999, 0, "master")
    match = re.match(_VERSION, line)
    if not match:
        return None
    flavor = match.group("flavor") or ""
    shown = f"{flavor}{match.group('major')}.{match.group('minor')}{match.group('rest')}"
    return TmuxVersion(int(match.group("major")), int(match.group("minor")), shown,
                       openbsd=flavor == "openbsd-")


_LISTED = re.compile(r"\$\d+ (.+)\Z")


def parse_list(stdout: str) -> dict[str, State]:
    """``list-sessions -F '#{session_id} #{session_name}'`` -> every listed session RUNNING.

    A line of another shape raises UnreadableListing: a `tmux` that prints something else
    (a wrapper, another program of that name) must not read as "no sessions"."""
    sessions: dict[str, State] = {}
    for number, line in enumerate(stdout.splitlines(), 1):
        match = _LISTED.match(line)
        if match is None:
            shown = ascii(line.strip())[:60]
            raise UnreadableListing(
                f"cannot read the output of `tmux list-sessions` (line {number}: {shown}); "
                "is `tmux` really tmux? run `clauderon doctor`")
        sessions[match.group(1)] = State.RUNNING
    return sessions


def command_arg(value: str) -> str:
    """``value`` as an argument of a tmux command: a trailing ``;`` would end the command
    (the rest of the argv becoming another command), ``\\;`` is tmux's literal ``;``."""
    return value[:-1] + "\\;" if value.endswith(";") else value


def command_args(args: Sequence[str]) -> list[str]:
    return [command_arg(a) for a in args]


def format_literal(value: str) -> str:
    """``value`` for an option tmux expands as a format (``new-session -c``): ``#(cmd)``
    would run ``cmd``, ``#{...}`` and ``#S`` would be replaced; ``##`` is a plain ``#``. A
    ``#[`` (a style) is left alone by the expansion and must stay as it is (``##[`` would
    stay ``##[``); the directory the pane really starts in is checked after creation."""
    return re.sub(r"#(?!\[)", "##", value)


# tmux's command language (config files, ``source-file``) inside double quotes: "\\"
# starts an escape, "$" expands a variable and a leading "~" the home directory, so those
# (and '"') are escaped; a control character is written as an octal escape (a raw newline
# would end the line, and tmux drops the blanks that follow one). Everything else, UTF-8
# included, is taken literally.
_TOKEN_ESCAPES = {ord(c): "\\" + c for c in '\\"$~'}
_TOKEN_ESCAPES.update({c: f"\\{c:03o}" for c in [*range(0x20), 0x7F]})


def command_token(value: str) -> str:
    """``value`` as one token of a tmux command line read by ``source-file``, exactly."""
    return '"' + value.translate(_TOKEN_ESCAPES) + '"'


def command_line(commands: Sequence[Sequence[str]]) -> str:
    """``commands`` as one line of tmux commands joined by ``;``: one line is one command
    group, so when a command fails the ones after it do not run."""
    return " ; ".join(" ".join(command_token(a) for a in cmd) for cmd in commands) + "\n"


_GLOB_ESCAPES = {ord(c): "\\" + c for c in "\\*?["}


def glob_literal(path: str) -> str:
    """``path`` for ``source-file``, which expands its argument with glob(3)."""
    return path.translate(_GLOB_ESCAPES)


def socket_name_problem(name: str) -> str | None:
    """``-L NAME`` names a socket inside tmux's own directory ($TMUX_TMPDIR/tmux-UID): a
    name, never a path that could point elsewhere."""
    if "/" in name or name in (".", ".."):
        return ("is a path, not a socket name (tmux would put the socket outside its "
                "directory); use a plain name such as \"clauderon\"")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return "holds whitespace or a control character; use a plain name such as \"clauderon\""
    return None


def target(name: str) -> str:
    """An exact session target: a bare name would also match any session it prefixes."""
    return f"={name}"


def pane_target(name: str) -> str:
    """The exact session as a pane target (current window and pane of session ``name``)."""
    return f"={name}:"


class Server(NamedTuple):
    """Which tmux server a call goes to: the ``-L`` socket name and ``TMUX_TMPDIR``."""

    socket: str | None = None
    tmpdir: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Server:
        socket, tmpdir = options.get(OPT_SOCKET), options.get(OPT_TMPDIR)
        return cls(str(socket) if socket else None, str(tmpdir) if tmpdir else None)

    def options(self) -> dict[str, str | None]:
        return {OPT_SOCKET: self.socket, OPT_TMPDIR: self.tmpdir}

    def prefix(self) -> list[str]:
        return ["tmux", "-L", self.socket] if self.socket else ["tmux"]

    def environ(self, env: Mapping[str, str]) -> dict[str, str]:
        result = {k: v for k, v in env.items() if k != "TMUX_TMPDIR"}
        if self.tmpdir:
            result["TMUX_TMPDIR"] = self.tmpdir
        return result


def _not_running(stderr: str) -> bool:
    return any(marker in stderr for marker in NO_SERVER)


class TmuxBackend:
    name = "tmux"
    label = "tmux"
    # new-session itself refuses a name its server holds ("duplicate session"): create raises
    # SessionExists with nothing made, so sessions.create lists nothing beforehand.
    create_refuses_existing = True

    def seen_elsewhere(self, name: str) -> str | None:
        return None  # one server (or daemon) per record: not listed means gone

    def restart_exited(self, record: Record) -> str | None:
        return None  # tmux lists no exited sessions: a session is there or gone

    def remove_hint(self, name: str) -> str:
        from clauderon.proc import describe

        socket = self.config.get("tmux.socket")
        return describe([*Server(str(socket) if socket else None).prefix(), "kill-session",
                         "-t", target(name)])

    def __init__(self, config: Config, env: Mapping[str, str]) -> None:
        self.config = config
        self.caller_env = dict(env)
        # TMUX/TMUX_PANE would point tmux at the surrounding server; CLAUDERON_SESSION must
        # not end up in the global environment of a server that clauderon happens to start.
        self.env = without_foreign(env)
        self._version: TmuxVersion | None = None

    # -- running tmux ------------------------------------------------------------------

    def _run(self, server: Server, *args: str, check: bool = True, timeout: float = 10,
             env: Mapping[str, str] | None = None) -> proc.Result:
        return self._run_commands(server, [args], check=check, timeout=timeout, env=env)

    def _run_commands(self, server: Server, commands: Sequence[Sequence[str]], *,
                      check: bool = True, timeout: float = 10,
                      env: Mapping[str, str] | None = None) -> proc.Result:
        """One tmux client running ``commands`` in order (one command group: a failing
        command ends it). ``;`` between them is its own argv element; values are escaped."""
        argv = server.prefix()
        for i, command in enumerate(commands):
            argv += [*([SEPARATOR] if i else []), *command_args(command)]
        try:
            return proc.run(argv, env=server.environ(env or self.env), timeout=timeout,
                            check=check)
        except CommandNotFound:
            raise CommandNotFound(NOT_FOUND_HINT, argv=argv) from None

    def version_info(self) -> TmuxVersion:
        """The tmux version, from a cache keyed by the tmux program's path and identity
        (device, inode, size, times), else from ``tmux -V`` (which refills the cache)."""
        if self._version is None:
            key = self._program_key()
            cache = paths.names_cache(self.env).parent / VERSION_CACHE
            cached = _read_cache(cache, key) if key else None
            if cached is not None:
                self._version = cached
                return cached
            out = self._run(Server(), "-V", timeout=5).stdout
            parsed = parse_version(out)
            if parsed is None:
                raise ClauderonError(f"cannot read the tmux version from {out.strip()[:80]!r}; "
                                     "run `clauderon doctor`")
            if key:
                _write_cache(cache, key, parsed)
            self._version = parsed
        return self._version

    def _program_key(self) -> str | None:
        """What identifies the tmux that ``tmux`` runs now; None when there is none."""
        program = proc.which("tmux", self.env)
        if not program:
            return None
        program = os.path.abspath(program)
        try:
            st = os.stat(program)
        except OSError:
            return None
        return (f"{program}\0{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:"
                f"{st.st_ctime_ns}")

    def version(self) -> str:
        return self.version_info().text

    def require_supported(self) -> TmuxVersion:
        version = self.version_info()
        if not version.supported:
            raise ClauderonError(
                f"tmux {version.text} is too old, need ≥ 3.2 (for `new-session -e`); "
                "upgrade tmux (run `clauderon doctor` for instructions)")
        return version

    # -- which server ------------------------------------------------------------------

    def default_server(self) -> Server:
        """The server a new session goes to: ``[tmux] socket`` and the caller's TMUX_TMPDIR."""
        socket = self.config.get("tmux.socket")
        return Server(str(socket) if socket else None, self.env.get("TMUX_TMPDIR") or None)

    def _records(self) -> list[Record]:
        from clauderon.registry import Registry

        return [r for r in Registry.default(self.env).all() if r.backend == self.name]

    def server_for(self, name: str) -> Server:
        """The server ``name`` was created on (its record), else the default one."""
        from clauderon.registry import Registry

        record = Registry.default(self.env).get(name)
        if record is not None and record.backend == self.name:
            return Server.from_options(record.options)
        return self.default_server()

    def _servers(self) -> list[Server]:
        found = [self.default_server()] + [Server.from_options(r.options)
                                           for r in self._records()]
        return list(dict.fromkeys(found))

    # -- names -------------------------------------------------------------------------

    def check_name(self, name: str) -> None:
        for ch in FORBIDDEN_IN_NAMES:
            if ch in name:
                why = ("which starts a tmux format (tmux would rename the session)" if ch == "#"
                       else "which tmux does not allow in session names")
                raise UsageError(f"session name {name!r} contains {ch!r}, {why}; use '-' "
                                 "instead")

    # -- sessions ----------------------------------------------------------------------

    def server_states(self, server: Server) -> dict[str, State]:
        result = self._run(server, *LIST_COMMAND, check=False, timeout=5)
        if result.returncode != 0:
            if _not_running(result.stderr):
                return {}
            raise proc.failure(result)
        return parse_list(result.stdout)

    def states(self) -> dict[str, State]:
        """Sessions on the default server and on every server a tmux record points at."""
        merged: dict[str, State] = {}
        for server in self._servers():
            merged.update(self.server_states(server))
        return merged

    def prepare(self, spec: SessionSpec) -> SessionSpec:
        self.require_supported()
        self.check_name(spec.name)
        if spec.layout:
            raise UsageError(f"--layout {spec.layout!r} applies to the zellij backend only; "
                             "tmux sessions have no layouts")
        if "=" in spec.shell:
            raise UsageError(f"shell path {spec.shell!r} contains '=', which env(1) would read "
                             "as a variable; move the shell to a path without '='")
        conf = self.config_file()
        options: dict[str, Any] = {**spec.options, **self.default_server().options(),
                                   OPT_CONFIG: str(conf) if conf else None}
        return spec._replace(layout=None, options=options)

    def config_file(self) -> Path | None:
        """``[tmux] config`` with ``~`` expanded; ConfigError when it is not a file."""
        raw = self.config.get("tmux.config")
        if not raw:
            return None
        text = str(raw)
        if text == "~" or text.startswith("~/"):
            path = paths.home(self.env) / text[2:]
        else:
            path = Path(os.path.expanduser(text))
        path = path if path.is_absolute() else Path.cwd() / path
        shown = paths.tidy_home(str(path), self.env)
        where = paths.tidy_home(str(self.config.path), self.env)
        if not path.exists():
            raise ConfigError(f"{where}: tmux.config = {text!r}: {shown} does not exist; "
                              "create it or remove the line")
        if not path.is_file():
            raise ConfigError(f"{where}: tmux.config = {text!r}: {shown} is not a file")
        return path

    def create_commands(self, spec: SessionSpec) -> list[list[str]]:
        """The tmux commands that make the session, as tmux must receive them: a detached
        ``new-session`` in the exact workdir with every session variable as ``-e`` and the
        shell started argv-style through ``env`` (so TERM wins in it), then the session's
        own ``default-shell``."""
        # -P -F: the pane's pid and the directory tmux resolved -c to, printed to this client,
        # so create can watch the new shell in /proc without asking tmux again.
        command = ["new-session", "-d", "-P", "-F", STARTED_FORMAT, "-s",
                   format_literal(spec.name), "-c", format_literal(str(spec.workdir))]
        for key, value in spec.env.variables.items():
            command += ["-e", f"{key}={value}"]
        env_program = proc.which("env", self.env) or "/usr/bin/env"
        term = spec.env.variables.get("TERM")
        command += ["--", env_program, *([f"TERM={term}"] if term else []),
                    f"SHELL={spec.shell}", *spec.first_pane]
        # New windows and panes of this session (only) start the session's shell too.
        option = ["set-option", "-t", pane_target(spec.name), "default-shell", spec.shell]
        # Until create has seen the shell up, a shell that exits leaves its pane (dead, with
        # its exit status) instead of taking the session with it: create reads what
        # happened from tmux itself, not from timing. In the same command group, so before
        # tmux can notice the shell's exit.
        keep = ["set-option", "-w", "-t", pane_target(spec.name), "remain-on-exit", "on"]
        return [command, option, keep]

    def create_script(self, spec: SessionSpec) -> str:
        """The text of the file ``source-file`` reads: the create commands as one line."""
        return command_line(self.create_commands(spec))

    def create_argv(self, spec: SessionSpec, script: Path) -> list[str]:
        """The tmux argv that makes the session: it only names the script (no value of a
        session variable, so no proxy password, is ever on a command line)."""
        argv = Server.from_options(spec.options).prefix()
        conf = spec.options.get(OPT_CONFIG)
        if conf:
            argv += ["-f", str(conf)]
        # start-server: source-file alone would not start a server that is not running.
        return [*argv, "start-server", SEPARATOR, "source-file",
                command_arg(glob_literal(str(script)))]

    def _write_script(self, spec: SessionSpec) -> Path:
        """The create commands in a new 0600 file in the 0700 env file directory."""
        directory = paths.session_env_dir(self.env)
        script = transient_path(directory, f"tmux-new.{os.urandom(6).hex()}")
        data = self.create_script(spec).encode("utf-8")
        try:
            ensure_private_dir(directory)
            write_private_file(script, data)
        except OSError as exc:
            script.unlink(missing_ok=True)
            where = paths.tidy_home(str(directory), self.env)
            raise ClauderonError(f"cannot write the tmux commands to {where}: "
                                 f"{exc.strerror or exc}; make the directory writable and "
                                 "free some disk space") from None
        return script

    def create(self, spec: SessionSpec) -> None:
        self.require_supported()
        server = Server.from_options(spec.options)
        script = self._write_script(spec)
        try:
            argv = self.create_argv(spec, script)
            for attempt in range(CREATE_ATTEMPTS):
                try:
                    result = proc.run(argv, env=server.environ(spec.env.base), timeout=15,
                                      check=False)
                except CommandNotFound:
                    raise CommandNotFound(NOT_FOUND_HINT, argv=argv) from None
                # The server this client reached was exiting (nothing was made): start anew.
                if result.returncode == 0 or EXITING not in result.stderr:
                    break
                time.sleep(0.05 * (attempt + 1))
        finally:
            script.unlink(missing_ok=True)
        if result.returncode != 0:
            # new-session is the first command of the group: nothing ran after it failed.
            if any(line.startswith("duplicate session:") for line in result.stderr.splitlines()):
                raise SessionExists(
                    f'a tmux session named "{spec.name}" already exists; remove it with '
                    f"`tmux kill-session -t ={spec.name}` or pick another name")
            raise proc.failure(result)
        self._confirm_started(server, spec, *_started(result.stdout))

    def _pane(self, server: Server, spec: SessionSpec) -> tuple[bool, str, int, str] | None:
        """(dead, exit status, pid, directory) of the session's first pane; None when the
        session is gone."""
        result = self._run(server, "list-panes", "-t", pane_target(spec.name), "-F",
                           PANE_FORMAT, check=False, timeout=5)
        if result.returncode != 0:
            if _gone(result.stderr):
                return None
            raise proc.failure(result)
        line = result.stdout.splitlines()[0] if result.stdout else ""
        dead, status, pid, path = [*line.split(" ", 3), "", "", ""][:4]
        if dead not in ("0", "1") or not pid.isdigit():
            raise UnreadableListing(f"cannot read `tmux list-panes` ({ascii(line)[:60]}); "
                                    "run `clauderon doctor`")
        return dead == "1", status, int(pid), path

    def _confirm_started(self, server: Server, spec: SessionSpec, pid: int | None,
                         start_path: str) -> None:
        """Wait until the shell is up (waiting at its prompt) or has exited; an exited shell,
        or a pane that started elsewhere than the workdir, undoes the session.

        ``pid`` and ``start_path`` are the pane's process and the directory tmux resolved
        ``-c`` to, as new-session printed them: while the process runs, /proc says how far it
        got (no tmux client); once it is gone, or when tmux printed nothing, tmux itself says
        whether the pane is dead and with what status."""
        deadline = time.monotonic() + START_TIMEOUT
        path, first = start_path, not start_path
        while True:
            if pid is not None and _running(pid):
                pause = 0.001  # a look at /proc costs microseconds
            else:
                pane = self._pane(server, spec)
                if pane is None or pane[0]:
                    self._undo(server, spec.name)
                    status = f" with status {pane[1]}" if pane and pane[1] else ""
                    raise ClauderonError(
                        f'tmux started session "{spec.name}" but its shell {spec.shell} exited '
                        f"at once{status}; nothing was kept (check the shell and its rc files: "
                        f"`{spec.shell} -i`, then `clauderon doctor`)")
                _dead, _status, pid, listed = pane
                if first:  # tmux printed no start directory: where the pane is, at first sight
                    path, first = listed, False
                pause = 0.005 if spec.command else 0.02  # an agent starts in a few ms
            if path and not _same_path(path, str(spec.workdir)):
                self._undo(server, spec.name)
                raise ClauderonError(
                    f"tmux started the pane in {path} instead of {spec.workdir} (tmux reads "
                    "some '#' sequences in a directory name as formats); nothing was kept: "
                    "use a directory whose path has no '#'")
            path = ""  # checked once
            if _is_up(pid, spec) or time.monotonic() >= deadline:
                break
            time.sleep(pause)
        # From now on an exiting shell closes its pane as usual. Unset first, then look:
        # a shell that exits in between leaves a dead pane (seen) or no session (seen).
        result = self._run_commands(server, [
            ["set-option", "-w", "-u", "-t", pane_target(spec.name), "remain-on-exit"],
            ["list-panes", "-t", pane_target(spec.name), "-F", PANE_FORMAT]], check=False)
        if result.returncode != 0 and not _gone(result.stderr):
            raise proc.failure(result)
        if result.returncode != 0 or result.stdout.startswith("1 "):
            self._undo(server, spec.name)
            raise ClauderonError(f'the shell of tmux session "{spec.name}" ({spec.shell}) '
                                 "exited while it started; nothing was kept (run "
                                 f"`{spec.shell} -i` to see why)")

    def _undo(self, server: Server, name: str) -> None:
        self._run(server, "kill-session", "-t", target(name), check=False)

    def attach(self, record: Record, caller_env: dict[str, str]) -> AttachCommand:
        server = Server.from_options(record.options)
        inside = caller_env.get("TMUX")
        if inside and self._same_server(inside, server, record.name):
            # Already a tmux client of that server: switch it instead of nesting tmux.
            return AttachCommand(["tmux", "switch-client", "-t",
                                  command_arg(target(record.name))], dict(caller_env),
                                 partial(explain_attach, name=record.name, term=None))
        # $TMUX is never passed on: tmux's "sessions should be nested with care" cannot occur.
        env = server.environ(without_foreign_tmux(caller_env))
        return AttachCommand([*server.prefix(), "attach", "-t",
                              command_arg(target(record.name))], env,
                             partial(explain_attach, name=record.name,
                                     term=env.get("TERM", "")))

    def _same_server(self, tmux_var: str, server: Server, name: str) -> bool:
        """Whether ``$TMUX`` (``SOCKET,PID,INDEX``) names the server holding ``name``."""
        current = tmux_var.rsplit(",", 2)[0]
        result = self._run(server, "display-message", "-p", "-t", pane_target(name),
                           "#{socket_path}", check=False, timeout=5)
        if result.returncode != 0:
            return False
        return _same_path(current, result.stdout.strip())

    def kill(self, name: str, record: Record | None = None) -> None:
        """``kill-session`` and, in the same client, ``list-sessions`` to see it gone."""
        if record is not None and record.name == name and record.backend == self.name:
            server = Server.from_options(record.options)
        else:
            server = self.server_for(name)
        result = self._run_commands(
            server, [["kill-session", "-t", target(name)], LIST_COMMAND], check=False)
        if result.returncode != 0:
            if _gone(result.stderr):
                return
            raise proc.failure(result)
        if name in parse_list(result.stdout):
            self._wait_gone(server, name)

    def _wait_gone(self, server: Server, name: str) -> None:
        timeout = KILL_TIMEOUT
        deadline = time.monotonic() + timeout
        while True:
            if name not in self.server_states(server):
                return
            if time.monotonic() >= deadline:
                raise CommandError(
                    f'tmux session "{name}" is still listed {timeout:g}s after kill-session; '
                    f"remove it with `tmux kill-session -t ={name}`")
            time.sleep(0.05)


def explain_attach(stderr: str, *, name: str, term: str | None) -> str | None:
    """The one line clauderon prints when ``tmux attach`` (``term``: the TERM it was given)
    or ``tmux switch-client`` (``term`` None) failed with ``stderr``; None for a failure not
    listed here (the caller then checks whether the session went away).

    tmux's words differ between versions ("open terminal failed: not a terminal", "missing or
    unsuitable terminal: X", "terminal does not support clear"): the line says it in one form."""
    again = proc.describe(["clauderon", "attach", name])
    if "not a terminal" in stderr:
        return (f'cannot attach to tmux session "{name}": standard input is not a terminal; '
                f"run `{again}` from a terminal")
    if "unsuitable terminal" in stderr or "does not support clear" in stderr:
        shown = f"TERM={term}" if term else "TERM unset or empty"
        return (f'cannot attach to tmux session "{name}": tmux cannot drive a terminal with '
                f"{shown} (unknown to terminfo, or lacking what tmux needs); set TERM to your "
                f"terminal's type, e.g. `env TERM=xterm-256color {again}`")
    if "no current client" in stderr:
        return (f'cannot switch to tmux session "{name}": $TMUX says this runs inside tmux, '
                f"but no tmux client is attached here; run `{again}` in an attached tmux "
                f"window, or `env -u TMUX {again}` from a terminal")
    return None


def without_foreign_tmux(env: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment for a tmux client that must not see a surrounding tmux."""
    return {k: v for k, v in env.items() if k not in ("TMUX", "TMUX_PANE")}


def _gone(stderr: str) -> bool:
    return _not_running(stderr) or any(marker in stderr for marker in NO_SESSION)


# What a process waits on when it waits for a child or a pipe (a command substitution in an
# rc file), not for the terminal: such a shell is still starting.
_BUSY_WAITS = ("do_wait", "kernel_wait4", "pipe_read", "pipe_wait", "wait_consider_task")


def _is_up(pid: int, spec: SessionSpec) -> bool:
    """The pane's shell waits at its prompt, or (an agent through the shell) a child of it
    waits for input."""
    if _waiting_for_input(pid):
        return True
    return bool(spec.command) and (_agent_started(pid) or _child_waiting(pid))


def _agent_started(pid: int) -> bool:
    """The shell of an agent pane waits on a child that is no longer a copy of the shell:
    it is past its rc files and has started the agent. The agent's own start-up (hundreds of
    milliseconds for some) is not waited for: an agent that exits leaves the pane at a shell
    prompt, so only the shell can take the session with it."""
    try:
        wchan = Path(f"/proc/{pid}/wchan").read_text(encoding="ascii", errors="replace")
        shell = Path(f"/proc/{pid}/cmdline").read_bytes()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii").split()
    except OSError:
        return False
    if not wchan.startswith(("do_wait", "kernel_wait4")):
        return False
    for child in children:
        try:  # a forked copy has the shell's argv until it execs (the agent, by any interpreter)
            argv = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if argv and argv != shell:
            return True
    return False


def _running(pid: int) -> bool:
    """``pid`` exists and has not exited (a zombie has); False without /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] not in (["Z"], ["X"], [])


def _started(stdout: str) -> tuple[int | None, str]:
    """(pane pid, start directory) from new-session's STARTED_FORMAT line; (None, "") when
    tmux printed none (older versions may not relay it through source-file)."""
    pid, _, path = stdout.split("\n", 1)[0].partition(" ")
    return (int(pid), path) if pid.isdigit() and path else (None, "")


def _child_waiting(pid: int) -> bool:
    """A pane that runs a command through the shell (an agent): the shell waits on it, so
    the shell is up once one of its children waits for input."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii").split()
    except OSError:
        return False
    return any(_waiting_for_input(int(c)) for c in children if c.isdigit())


def _waiting_for_input(pid: int) -> bool:
    """The pane's process sleeps and not on a child or a pipe: an interactive shell at its
    prompt. Without /proc (not Linux) there is nothing to ask: assume it is up."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return not Path("/proc/self").exists()
    state = stat.rpartition(")")[2].split()[:1]
    if state != ["S"]:
        return False
    try:
        wchan = Path(f"/proc/{pid}/wchan").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return not wchan.startswith(_BUSY_WAITS)


def _same_path(a: str, b: str) -> bool:
    return bool(a) and bool(b) and os.path.realpath(a) == os.path.realpath(b)


def _read_cache(cache: Path, key: str) -> TmuxVersion | None:
    """The cached version when ``key`` (the program's identity) still matches."""
    try:
        stored, major, minor, text, openbsd = cache.read_text(encoding="utf-8").split("\n")[:5]
        if stored == key:
            return TmuxVersion(int(major), int(minor), text, openbsd == "openbsd")
    except (OSError, UnicodeDecodeError, ValueError):
        pass
    return None


def _write_cache(cache: Path, key: str, version: TmuxVersion) -> None:
    """Best effort: a cache that cannot be written only costs a ``tmux -V`` next time."""
    fields = [key, str(version.major), str(version.minor), version.text,
              "openbsd" if version.openbsd else "-"]
    try:
        write_private_file(cache, "\n".join(fields) + "\n")
    except OSError:
        pass


INFO = BackendInfo(
    name="tmux",
    label="tmux",
    program="tmux",
    factory=TmuxBackend,
    settings=(
        Setting("shell", str, None, "the shell in every pane", default_doc="$SHELL, else /bin/sh",
                example='"/bin/bash"'),
        Setting("config", str, None, "a tmux config file for a server clauderon starts (-f)",
                example='"~/.config/clauderon/tmux.conf"'),
        Setting("socket", str, None, "a tmux -L socket name",
                default_doc="your usual tmux server", example='"clauderon"',
                check=lambda value: socket_name_problem(str(value))),
        Setting("env", list, [], "extra KEY=VALUE variables for every pane", option="--env"),
    ),
    install={
        "macos": "brew install tmux",
        "debian": "{sudo}apt-get install tmux",
        "fedora": "{sudo}dnf install tmux",
        "arch": "{sudo}pacman -S tmux",
        "alpine": "{sudo}apk add tmux",
        "suse": "{sudo}zypper install tmux",
        "gentoo": "{sudo}emerge app-misc/tmux",
        "nixos": "nix-env -iA nixos.tmux",
        "*": "install tmux ≥ 3.2 with your system's package manager",
    },
    list_command="tmux list-sessions",
)


# -- doctor ---------------------------------------------------------------------------------


def doctor_checks() -> list[Check]:
    from clauderon.doctor.model import Check

    return [Check("tmux.binary", INFO.label,
                  "tmux is on PATH, its version is ≥ 3.2 and its servers answer",
                  _check_binary)]


def _check_binary(ctx: Context) -> Result:
    from clauderon.doctor.model import error, ok, skipped
    from clauderon.install_hints import for_this_machine

    used, why = ctx.backend_used(INFO.name)
    if not used:
        return skipped(f"not used ({why})")
    program = ctx.which(INFO.program)
    hint = for_this_machine(INFO.install)
    if program is None:
        return error("tmux not found on PATH", details=[f"needed because {why}"], remedy=hint)
    result = ctx.run([program, "-V"])
    version = parse_version(result.stdout) if result.ok else None
    shown = ctx.tidy(program)
    if version is None:
        said = (result.stdout or result.stderr).strip()[:80]
        return error(f"cannot read the version of {shown}: `tmux -V` printed {said!r}",
                     details=["expected a line like `tmux 3.3a`"], remedy=hint)
    if not version.supported:
        return error(f"tmux {version.text} at {shown} is too old: clauderon needs ≥ 3.2 "
                     "(new-session -e)", remedy=hint)
    backend = TmuxBackend(ctx.config_or_default(), ctx.tool_env())
    details: list[str] = []
    for server in backend._servers():
        where = f"socket {server.socket!r}" if server.socket else "the default socket"
        try:
            with proc.time_limit(ctx.command_timeout):
                count = len(backend.server_states(server))
        except ClauderonError as exc:
            return error(f"tmux {version.text}: the server on {where} does not answer: {exc}",
                         remedy=describe_list(server))
        details.append(f"{where}: {count} session(s)" if count else
                       f"{where}: no server running (the first session starts one)")
    return ok(f"tmux {version.text} at {shown}", details)


def describe_list(server: Server) -> str:
    return proc.describe([*server.prefix(), *LIST_COMMAND])
