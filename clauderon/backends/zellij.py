"""The Zellij backend: drives the ``zellij`` CLI as docs/zellij.md ("What clauderon relies on")
describes.

- version probe ``zellij --version``; < 0.40 is refused (no detached creation).
- create: ``zellij -n LAYOUT attach -b NAME`` (0.41+) or ``-l LAYOUT`` (0.40), run in the
  workdir with the session environment, so the server (and every pane) inherits both.
- state: ``zellij list-sessions --no-formatting``, exact names only (never substrings).
- kill: ``kill-session``, wait until it stops running, ``delete-session``, verify gone.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from clauderon import paths, proc
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
from clauderon.session_env import without_foreign

if TYPE_CHECKING:
    from clauderon.doctor.context import Context
    from clauderon.doctor.model import Check, Result
    from clauderon.registry import Record

MIN_VERSION = (0, 40, 0)
SOCKET_PATH_MAX = 107  # bytes; the socket path must be shorter than 108 on Linux
NO_SESSIONS = "No active zellij sessions found."
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_VERSION = re.compile(r"^zellij (\d+)\.(\d+)\.(\d+)\S*\s*$")
EXITED_SUFFIX = "(EXITED - attach to resurrect)"
NOT_FOUND_HINT = "zellij not found on PATH; run `clauderon doctor` for install instructions"


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(text.strip())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def parse_list(stdout: str) -> dict[str, State]:
    """Parse ``zellij ls -n`` output (colour codes tolerated) into exact names and states.

    A line that is not a session line raises UnreadableListing: reading garbage as "no
    sessions" would make every recorded session look gone (and `doctor --fix` forget it)."""
    sessions: dict[str, State] = {}
    for number, raw in enumerate(stdout.splitlines(), 1):
        line = _ANSI.sub("", raw)
        if not line.strip():
            continue
        idx = line.rfind(" [Created ")
        if idx <= 0 or "ago]" not in line[idx:]:
            shown = ascii(line.strip())[:60]
            raise UnreadableListing(
                f"cannot read the output of `zellij list-sessions` (line {number}: {shown}); "
                "is `zellij` really Zellij? run `clauderon doctor`")
        name = line[:idx]
        suffix = line[line.index("ago]", idx) + 4:].strip()
        sessions[name] = State.EXITED if suffix == EXITED_SUFFIX else State.RUNNING
    return sessions


class ZellijBackend:
    name = "zellij"
    label = "Zellij"
    create_refuses_existing = False

    def __init__(self, config: Config, env: Mapping[str, str]) -> None:
        self.config = config
        self.caller_env = dict(env)
        # Never let a surrounding Zellij's variables reach the zellij CLI.
        self.env = without_foreign(env)
        self._version: tuple[int, int, int] | None = None

    # -- running zellij ----------------------------------------------------------------

    def _run(self, *args: str, check: bool = True, timeout: float = 10,
             env: Mapping[str, str] | None = None, cwd: str | None = None) -> proc.Result:
        try:
            return proc.run(["zellij", *args], env=env or self.env, cwd=cwd,
                            timeout=timeout, check=check)
        except CommandNotFound:
            raise CommandNotFound(NOT_FOUND_HINT, argv=["zellij", *args]) from None

    def version_tuple(self) -> tuple[int, int, int]:
        if self._version is None:
            out = self._run("--version", timeout=5).stdout
            parsed = parse_version(out)
            if parsed is None:
                raise ClauderonError(
                    f"cannot read the zellij version from {out.strip()[:80]!r}; "
                    "run `clauderon doctor`")
            self._version = parsed
        return self._version

    def version(self) -> str:
        return ".".join(str(p) for p in self.version_tuple())

    def require_supported(self) -> tuple[int, int, int]:
        version = self.version_tuple()
        if version < MIN_VERSION:
            raise ClauderonError(
                f"zellij {'.'.join(map(str, version))} is too old: clauderon needs zellij "
                "≥ 0.40 (for background sessions); run `clauderon doctor` for upgrade "
                "instructions")
        return version

    # -- names -------------------------------------------------------------------------

    def socket_dir(self) -> Path:
        base, _why = paths.zellij_socket_base(self.env)
        return base / paths.zellij_socket_subdir(self.version_tuple())

    def check_name(self, name: str) -> None:
        sock_dir = self.socket_dir()
        room = SOCKET_PATH_MAX - len(str(sock_dir).encode()) - 1
        if len(name.encode()) > room:
            raise UsageError(
                f'session name "{name}" is {len(name.encode())} bytes, too long for the '
                f"Zellij socket path in {paths.tidy_home(str(sock_dir))}: the longest name "
                f"that fits is {max(room, 0)} bytes (or set a shorter ZELLIJ_SOCKET_DIR)")

    # -- sessions ----------------------------------------------------------------------

    def states(self) -> dict[str, State]:
        result = self._run("list-sessions", "--no-formatting", check=False, timeout=5)
        if result.returncode != 0:
            if NO_SESSIONS in result.stderr:
                return {}
            raise proc.failure(result)
        return parse_list(result.stdout)

    def prepare(self, spec: SessionSpec) -> SessionSpec:
        from clauderon.layouts import resolve_layout

        version = self.require_supported()
        self.check_name(spec.name)
        if spec.command:
            if spec.layout not in (None, "default"):
                raise UsageError(f"--agent starts the agent in a layout of its own; --layout / "
                                 f"zellij.layout {spec.layout!r} cannot be used with it")
            return spec
        layout = spec.layout or "default"
        resolved = resolve_layout(layout, cwd=Path.cwd(), env=self.env, version=version)
        # A layout path is relative to the caller's cwd, but zellij runs in the workdir;
        # a bare name is passed as it is (zellij finds it in its layout dir the same way).
        is_path = "/" in layout or Path(layout).suffix != ""
        given = str(resolved.path) if is_path and resolved.path else layout
        return spec._replace(layout=layout, options={**spec.options, "layout_arg": given})

    def create(self, spec: SessionSpec) -> None:
        version = self.require_supported()
        layout_arg = str(spec.options.get("layout_arg") or spec.layout or "default")
        flag = "-n" if version >= (0, 41, 0) else "-l"
        env = spec.env.process_env(SHELL=spec.shell)
        generated = None
        if spec.command:
            # The first pane runs the command: a generated layout (0600: it holds the
            # prompt), read by zellij while it starts the session, removed afterwards.
            from clauderon.fileio import ensure_private_dir, transient_path, write_private_file

            directory = paths.session_env_dir(self.env)
            ensure_private_dir(directory)
            generated = transient_path(directory, f"zellij-layout.{os.urandom(6).hex()}")
            generated = generated.with_name(generated.name + ".kdl")
            write_private_file(generated, command_layout(spec.command, str(spec.workdir)))
            layout_arg = str(generated)
        try:
            result = self._run(flag, layout_arg, "attach", "--create-background", spec.name,
                               env=env, cwd=str(spec.workdir), check=False, timeout=15)
        finally:
            if generated is not None:
                generated.unlink(missing_ok=True)
        if result.returncode != 0:
            if "Session already exists" in result.stderr or "already exists" in result.stdout:
                raise SessionExists(
                    f'a Zellij session named "{spec.name}" already exists; remove it with '
                    f"`zellij delete-session --force {spec.name}` or pick another name")
            raise proc.failure(result)
        state = self.states().get(spec.name)
        if state is not State.RUNNING:
            raise ClauderonError(
                f'zellij reported success but session "{spec.name}" is not running '
                f"(state: {state or 'missing'}); run `clauderon doctor`")

    def attach(self, record: Record, caller_env: dict[str, str]) -> AttachCommand:
        current = caller_env.get("ZELLIJ_SESSION_NAME")
        if current == record.name:
            raise UsageError(f'you are already inside Zellij session "{record.name}"; to '
                             "leave it running, detach with Ctrl-o d (Zellij's default keys)")
        env = {**caller_env, **record.env}
        if current:
            # Attaching from inside another session nests Zellij; make it a clean client.
            env = without_foreign(env)
            env["CLAUDERON_SESSION"] = record.name
        return AttachCommand(["zellij", "attach", record.name], env)

    def kill(self, name: str, record: Record | None = None) -> None:
        try:
            running = self.states().get(name) is State.RUNNING
        except UnreadableListing:
            running = False  # cannot tell; `delete-session --force` stops a running one too
        # (after deleting, an unreadable listing raises: "gone" must be confirmed)
        if running:
            self._run("kill-session", name, check=False)
            self._wait_not_running(name)
        for _ in range(3):
            result = self._run("delete-session", "--force", name, check=False)
            if result.returncode not in (0, 2):
                raise proc.failure(result)
            if name not in self.states():
                return
            time.sleep(0.2)
        raise CommandError(f'zellij session "{name}" is still listed after kill and delete; '
                           f"remove it with `zellij delete-session --force {name}`")

    def seen_elsewhere(self, name: str) -> str | None:
        """A session of another Zellij version: its socket in another version's socket dir
        (0.39–0.43 keep one dir per version, 0.44+ ``contract_version_1``), or its
        resurrection data in another version's cache dir. This zellij cannot see it."""
        base, _why = paths.zellij_socket_base(self.env)
        try:
            current = paths.zellij_socket_subdir(self.version_tuple())
        except ClauderonError:
            return None
        for root, inside in ((base, ""), (paths.zellij_cache_dir(self.env), "session_info")):
            try:
                siblings = sorted(p for p in root.iterdir() if p.name != current and p.is_dir())
            except OSError:
                continue
            for sibling in siblings:
                if os.path.lexists(sibling / inside / name):
                    version = sibling.name.replace("contract_version_", "contract version ")
                    return (f"Zellij {version} still has it ({paths.tidy_home(str(sibling))}); "
                            f"attach to it with that version's zellij binary")
        return None

    def restart_exited(self, record: Record) -> str | None:
        return None  # Zellij resurrects an exited session when a client attaches to it

    def remove_hint(self, name: str) -> str:
        from clauderon.proc import describe

        return describe(["zellij", "delete-session", "--force", name])

    def _wait_not_running(self, name: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.states().get(name) is not State.RUNNING:
                return
            time.sleep(0.05)
        raise CommandError(f'zellij session "{name}" is still running {timeout:g}s after '
                           "kill-session; run `clauderon doctor`")


RELEASES = "https://github.com/zellij-org/zellij/releases/latest"

INFO = BackendInfo(
    name="zellij",
    label="Zellij",
    program="zellij",
    factory=ZellijBackend,
    settings=(
        Setting("shell", str, None, "the shell in every pane", default_doc="$SHELL, else /bin/sh",
                example='"/bin/zsh"'),
        Setting("layout", str, "default",
                "a name in the Zellij layout dir, a built-in, or a path", option="--layout"),
        Setting("env", list, [], "extra KEY=VALUE variables for every pane",
                example='["TERM=xterm-256color"]', option="--env"),
    ),
    install={
        "macos": "brew install zellij",
        "arch": "{sudo}pacman -S zellij",
        "alpine": "{sudo}apk add zellij",
        "fedora": "{sudo}dnf copr enable varlad/zellij && {sudo}dnf install zellij",
        "suse": "{sudo}zypper install zellij",
        "gentoo": "{sudo}emerge app-misc/zellij",
        "nixos": "nix-env -iA nixos.zellij",
        # Debian and Ubuntu do not package Zellij: the release binary (or cargo).
        "*": ("mkdir -p ~/.local/bin && curl -fsSL "
              f"{RELEASES}/download/zellij-{{arch}}-unknown-linux-musl.tar.gz "
              "| tar -xz -C ~/.local/bin   # or: cargo install --locked zellij"),
    },
    list_command="zellij list-sessions --no-formatting",
    attach_command=("zellij", "attach"),
)


def _kdl_string(value: str) -> str:
    """A KDL string holding ``value`` exactly."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\b": "\\b", "\f": "\\f"}
    return '"' + "".join(escapes.get(ch) or (f"\\u{{{ord(ch):x}}}" if ord(ch) < 0x20 or
                                             ord(ch) == 0x7f else ch) for ch in value) + '"'


def command_layout(argv: tuple[str, ...] | list[str], cwd: str) -> str:
    """A layout like Zellij's default (tab bar, status bar) whose one pane runs ``argv``
    in ``cwd``: each argument a KDL string of its own (no shell parses them)."""
    args = " ".join(_kdl_string(a) for a in argv[1:])
    run = f"command={_kdl_string(argv[0])} cwd={_kdl_string(cwd)}"
    return ("layout {\n"
            "    pane size=1 borderless=true {\n"
            '        plugin location="zellij:tab-bar"\n'
            "    }\n"
            f"    pane {run} focus=true {{\n"
            + (f"        args {args}\n" if args else "")
            + "    }\n"
            "    pane size=2 borderless=true {\n"
            '        plugin location="zellij:status-bar"\n'
            "    }\n"
            "}\n")


# -- doctor ---------------------------------------------------------------------------------


class ZellijInfo(NamedTuple):
    path: str | None
    version: tuple[int, int, int] | None
    raw: str = ""

    @property
    def shown_version(self) -> str:
        return ".".join(str(p) for p in self.version) if self.version else "?"


_VERSION_DIR = re.compile(r"\d+\.\d+\.\d+\S*\Z")


# -- install hints -----------------------------------------------------------------------


def install_hint(platform: str, ids: Sequence[str], *, root: bool, machine: str = "x86_64"
                 ) -> str:
    """How to install (or upgrade) Zellij on this OS, as a command to paste (the backend's
    declared ``install`` commands)."""
    from clauderon.install_hints import hint

    return hint(INFO.install, platform, ids, root=root, machine=machine)


def hint_for_this_machine() -> str:
    from clauderon.install_hints import for_this_machine

    return for_this_machine(INFO.install)


LOCAL_BIN = "~/.local/bin"


def local_bin_note(ctx: Context, hint: str) -> list[str]:
    """When the install command puts zellij in ~/.local/bin and that directory is not on
    PATH: say so, with the line that adds it (a fresh HOME has neither)."""
    if LOCAL_BIN not in hint:
        return []
    local_bin = os.path.normpath(os.path.join(str(ctx.home), ".local", "bin"))
    if local_bin in {os.path.normpath(p) for p in ctx.env.get("PATH", "").split(os.pathsep)}:
        return []
    return [f"{LOCAL_BIN} is not on PATH: after installing there, add it to your shell's "
            'start-up file: export PATH="$HOME/.local/bin:$PATH" (fish: fish_add_path '
            "~/.local/bin)"]


# -- zellij.binary -----------------------------------------------------------------------


def doctor_info(ctx: Context) -> ZellijInfo:
    """Where zellij is and its version (None when it printed no version line), asked once
    per doctor run. A hung ``zellij --version`` raises CommandTimeout."""
    def compute() -> ZellijInfo:
        found = ctx.which("zellij")
        if found is None:
            return ZellijInfo(None, None)
        result = ctx.run([found, "--version"])
        text = (result.stdout.strip() or result.stderr.strip())
        return ZellijInfo(found, parse_version(result.stdout) if result.ok else None, text)

    return ctx.memo("zellij", compute)


def _check_binary(ctx: Context) -> Result:
    from clauderon.doctor.model import error, ok, skipped

    info = doctor_info(ctx)
    minimum = ".".join(str(p) for p in MIN_VERSION)
    if info.path is None:
        needed, why = ctx.backend_used(INFO.name)
        if not needed:
            return skipped(f"zellij is not installed (not needed: {why})",
                           remedy=hint_for_this_machine())
        hint = hint_for_this_machine()
        return error("zellij not found on PATH",
                     details=[f"needed because {why}", *local_bin_note(ctx, hint)],
                     remedy=hint)
    where = ctx.tidy(info.path)
    if info.version is None:
        said = info.raw.splitlines()[0][:100] if info.raw else "nothing"
        return error(f"cannot read the version of {where}: `zellij --version` printed {said!r}",
                     details=["expected a line like `zellij 0.44.1`"],
                     remedy=hint_for_this_machine())
    if info.version < MIN_VERSION:
        return error(f"zellij {info.shown_version} at {where} is too old: clauderon needs "
                     f"≥ {minimum} (background sessions with `attach --create-background`)",
                     remedy=hint_for_this_machine())
    details = [f"minimum supported: {minimum}"]
    if info.version < (0, 44, 0):
        details.append("zellij ≤ 0.43 keeps sessions per version: upgrading hides running "
                       "sessions until they end (see zellij.sockets)")
    return ok(f"zellij {info.shown_version} at {where}", details)


# -- zellij.sockets ----------------------------------------------------------------------


def _is_live_socket(path: Path) -> bool:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(0.2)
    try:
        sock.connect(str(path))
    except OSError:
        return False
    finally:
        sock.close()
    return True


def _sessions_in(directory: Path) -> list[Path]:
    """Session entries in a socket dir: sockets (and plain files, as left by some tools)."""
    found: list[Path] = []
    from clauderon.doctor.checks import _live

    for entry in _live.entries(directory):
        if entry.name.startswith("."):
            continue
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        if stat.S_ISSOCK(mode) or stat.S_ISREG(mode):
            found.append(Path(entry.path))
    return sorted(found)


def _sibling_dirs(base: Path, current: str) -> list[Path]:
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return []
    return [e for e in entries if e.name != current and e.is_dir()
            and (_VERSION_DIR.match(e.name) or e.name.startswith("contract_version_"))]


def _old_resurrectable(ctx: Context, current: str) -> list[tuple[str, list[str]]]:
    """(version dir, names) of exited sessions in other versions' cache folders."""
    cache = paths.zellij_cache_dir(ctx.env)
    found: list[tuple[str, list[str]]] = []
    for sibling in _sibling_dirs(cache, current):
        info = sibling / "session_info"
        try:
            names = sorted(p.name for p in info.iterdir()
                           if (p / "session-layout.kdl").exists())
        except OSError:
            continue
        if names:
            found.append((sibling.name, names))
    return found


def _names(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _check_sockets(ctx: Context) -> Result:
    from clauderon.doctor.model import ok, plural, shq, skipped, warning

    info = doctor_info(ctx)
    if info.path is None or info.version is None:
        return skipped("zellij is not usable (see zellij.binary)",
                       remedy="clauderon doctor --check zellij.binary")
    env = ctx.tool_env()
    base, why = paths.zellij_socket_base(env)
    current = paths.zellij_socket_subdir(info.version)
    sock_dir = base / current
    room = SOCKET_PATH_MAX - len(str(sock_dir).encode()) - 1
    details = [f"session names up to {max(room, 0)} bytes fit in the socket path"]
    problems: list[str] = []
    remedies: list[str] = []

    if not env.get("ZELLIJ_SOCKET_DIR") and not os.path.isabs(env.get("XDG_RUNTIME_DIR", "")):
        problems.append("XDG_RUNTIME_DIR is unset: cron, ssh, su and desktop logins that do set "
                        "it use another socket dir and see other sessions (or none)")
        from clauderon.shellquote import quote_word, shell_kind

        line = f"export ZELLIJ_SOCKET_DIR={quote_word(str(base))}"  # ~/.profile is sh
        remedies.append(f"echo {quote_word(line, shell_kind(env))} >> ~/.profile")
    for sibling in _sibling_dirs(base, current):
        entries = _sessions_in(sibling)
        if not entries:
            continue
        live = [p.name for p in entries if _is_live_socket(p)]
        names = [p.name for p in entries]
        problems.append(f"{plural(len(names), 'session')} of Zellij {sibling.name} in "
                        f"{ctx.tidy(str(sibling))} are invisible to zellij "
                        f"{info.shown_version}: {_names(names)}")
        if live:
            remedies.append(f"attach or end {_names(live)} with zellij {sibling.name} "
                            f"(its binary), then: rm -r {shq(sibling, ctx.env)}")
        else:
            remedies.append(f"rm -r {shq(sibling, ctx.env)}   # no server is listening")
    for version_dir, names in _old_resurrectable(ctx, current):
        details.append(f"resurrection data of {plural(len(names), 'exited session')} of "
                       f"Zellij {version_dir} is not visible to {info.shown_version}: "
                       f"{_names(names)}")
    summary = f"{ctx.tidy(str(sock_dir))} ({why})"
    if problems:
        if len(problems) == 1:
            return warning(f"{summary}: {problems[0]}", details=details,
                           remedy="; ".join(remedies))
        return warning(f"{summary}: {plural(len(problems), 'problem')}",
                       details=[*problems, *details], remedy="; ".join(remedies))
    return ok(summary, details)


def doctor_checks() -> list[Check]:
    from clauderon.doctor.model import Check

    return [
    Check("zellij.binary", "Zellij", "zellij is on PATH, its version is read and ≥ 0.40",
          _check_binary,
          timeout_remedy="`zellij --version` hangs: reinstall zellij (" + RELEASES + ")"),
    Check("zellij.sockets", "Zellij",
          "the socket dir in use and why; sessions hidden in other versions' dirs",
          _check_sockets),
    ]
