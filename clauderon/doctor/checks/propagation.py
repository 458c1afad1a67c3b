"""proxy.propagation: do the variables clauderon sets survive the session shell's start-up?

The probe starts the session's shell the way a session does: interactive, on a terminal of its
own, with the session environment (``session_env.compute`` for a probe name, plus what Zellij
adds to every pane), its rc files and the clauderon hook (which sources the probe's env file,
written for the occasion and removed after). At the prompt it types one line that writes the
exported environment to a private file, then exits without saving history. Every variable
clauderon sets is compared with what came back. Inside a clauderon session, the current
environment is also compared with the session's recorded one.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from clauderon.doctor.checks import _live
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, cmd, error, ok, plural, shq, skipped, warning

# The env files of the probe's session (a session name of its own, with a dot so that no
# user session has it), which a doctor killed mid-probe leaves behind.

SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE", re.IGNORECASE)
PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY",
              "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}
ZSH_STARTUP = (".zshenv", ".zprofile", ".zshrc", ".zlogin")


def shown_value(name: str, value: str | None) -> str:
    """A value for the report: masked; hidden entirely when the name looks secret."""
    from clauderon.secrets import mask

    if value is None:
        return "(unset)"
    if SECRET_NAME.search(name):
        return "***"
    return repr(mask(value, whole=True))


def compare(expected: Mapping[str, str], actual: Mapping[str, str]) -> list[tuple[str, str]]:
    """(variable, what happened) for every expected variable that is missing or changed."""
    found = []
    for name, value in expected.items():
        got = actual.get(name)
        if got is None:
            found.append((name, f"{name} is unset (expected {shown_value(name, value)})"))
        elif got != value:
            change = (f"{name} changed from {shown_value(name, value)} to "
                      f"{shown_value(name, got)}")
            found.append((name, change))
    return found


def rc_files(shell: str, env: Mapping[str, str]) -> list[str]:
    """The start-up files an interactive ``shell`` reads (for the remedy's grep)."""
    from clauderon import paths

    home = paths.home(env)
    if shell == "bash":
        candidates = [home / ".bashrc", Path("/etc/bash.bashrc"), Path("/etc/bashrc")]
    elif shell == "zsh":
        zdot = Path(env["ZDOTDIR"]) if env.get("ZDOTDIR") else home
        candidates = [zdot / name for name in (".zshenv", ".zshrc")] + [
            Path("/etc/zsh/zshenv"), Path("/etc/zsh/zshrc"), Path("/etc/zshenv"),
            Path("/etc/zshrc")]
    elif shell == "fish":
        conf = paths.user_config_dir(env) / "fish"
        candidates = [conf / "config.fish", *sorted((conf / "conf.d").glob("*.fish")),
                      Path("/etc/fish/config.fish")]
    else:
        candidates = [Path(env["ENV"])] if env.get("ENV") else [home / ".profile"]
    return [str(p) for p in candidates if p.is_file()]


def _typed_line(kind: str, out: Path, done: Path) -> bytes:
    # A leading space keeps the line out of history where the shell honours that; bash and
    # zsh also lose HISTFILE before exiting, so nothing is saved. The paths live under
    # $TMPDIR, which may hold any character: each is quoted for the shell that reads it.
    from clauderon.shellquote import quote_fish, quote_posix

    quote = quote_fish if kind == "fish" else quote_posix
    target, marker = quote(str(out)), quote(str(done))
    if kind == "fish":
        return f" command env -0 >{target}; echo >{marker}; exit\n".encode()
    return f" command env -0 >{target}; echo >{marker}; unset HISTFILE; exit\n".encode()


def _parse_env0(data: bytes) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in data.split(b"\0"):
        if b"=" in item:
            key, _, value = item.partition(b"=")
            result[key.decode("utf-8", "surrogateescape")] = value.decode(
                "utf-8", "surrogateescape")
    return result


def _zsh_newuser_menu(env: Mapping[str, str]) -> bool:
    """zsh without any start-up file shows zsh-newuser-install to non-root users."""
    from clauderon import paths

    if os.geteuid() == 0:
        return False
    zdot = Path(env["ZDOTDIR"]) if env.get("ZDOTDIR") else paths.home(env)
    return not any((zdot / name).exists() for name in ZSH_STARTUP)


class CannotProbe(Exception):
    """The probe cannot be set up (its files cannot be written); carries the finding."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.summary)
        self.result = result


def unwritable(ctx: Context, directory: Path, exc: OSError, what: str) -> Result:
    """The finding for a directory the probe cannot write to: which one, and why."""

    shown = ctx.tidy(str(directory))
    quoted = shq(directory, ctx.env)
    consequence = ("`clauderon new` cannot write env files there either"
                   if what.endswith("env file") else "the probe cannot run")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        try:
            st = os.statvfs(directory)
            free = f"{_live.size(st.f_bavail * st.f_frsize)} free, {st.f_favail} inodes free"
        except OSError:
            free = "free space unknown"
        cause = "the disk is full" if exc.errno == errno.ENOSPC else "the disk quota is used up"
        return error(f"cannot write {what} in {shown}: {cause} ({free}); {consequence}",
                     details=[f"{exc.strerror}: {ctx.tidy(str(exc.filename or directory))}",
                              "the shell's start-up was not tested"],
                     remedy=f"df -h {quoted}   # free some space there")
    if exc.errno == errno.EROFS:
        return error(f"cannot write {what} in {shown}: it is on a read-only file system; "
                     f"{consequence}", details=["the shell's start-up was not tested"],
                     remedy=f"findmnt -T {quoted}   # remount it read-write")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return error(f"cannot write {what} in {shown}: permission denied; {consequence}",
                     details=["the shell's start-up was not tested"],
                     remedy=f"ls -ld {quoted}   # it must be yours and writable")
    return error(f"cannot write {what} in {shown}: {exc.strerror or exc}; {consequence}",
                 details=["the shell's start-up was not tested"],
                 remedy=f"ls -ld {quoted}")


def hook_blocks(kind: str, env: Mapping[str, str]) -> list[str]:
    """The start-up files of ``kind`` that hold clauderon's block (the hook is installed)."""
    from clauderon.shellrc import BEGIN

    found = []
    for name in rc_files(kind, env):
        try:
            with open(name, "rb") as handle:
                if BEGIN.encode() in handle.read():
                    found.append(name)
        except OSError:
            continue
    return found


class Probed(NamedTuple):
    expected: dict[str, str]  # the variables clauderon sets
    actual: dict[str, str]  # the environment the interactive shell ended up with
    output: list[str]  # what the shell printed on its terminal (last lines, for the report)


def probe(ctx: Context, shell: str, backend: str) -> Probed:
    """Start ``shell`` interactively as a session does and read back its environment."""
    from clauderon import paths
    from clauderon.errors import ClauderonError, CommandTimeout
    from clauderon.proc import run_on_pty
    from clauderon.session_env import compute
    from clauderon.shellquote import remove_env_files, write_env_files

    name = f".doctor-probe-{os.getpid()}-{os.urandom(3).hex()}"  # see _live.PROBE_FILE
    cfg = ctx.config_or_default()
    senv = compute(name, config=cfg, backend=backend, caller_env=ctx.env)
    extra = {"SHELL": shell}
    if backend == "zellij":
        extra.update(ZELLIJ="0", ZELLIJ_SESSION_NAME=name, ZELLIJ_PANE_ID="0")
    process_env = senv.process_env(**extra)
    kind = os.path.basename(shell)
    home = paths.home(ctx.env)
    try:
        scratch = tempfile.TemporaryDirectory(prefix="clauderon-doctor-")
    except OSError as exc:
        # (gettempdir() itself raises when no candidate directory is usable)
        where = Path(exc.filename).parent if isinstance(exc.filename, str) else Path(
            os.environ.get("TMPDIR") or "/tmp")
        raise CannotProbe(unwritable(ctx, where, exc,
                                     "the probe's temporary directory")) from None
    with scratch as tmp:
        out, done = Path(tmp) / "env", Path(tmp) / "done"
        typed = _typed_line(kind, out, done)
        if kind == "zsh" and _zsh_newuser_menu(process_env):
            typed = b"q" + typed
        try:
            try:
                write_env_files(name, senv.variables, ctx.env)
            except OSError as exc:
                raise CannotProbe(unwritable(ctx, paths.session_env_dir(ctx.env), exc,
                                             "the probe's env file")) from None
            result = run_on_pty([shell, "-i"], env=process_env,
                                cwd=str(home) if home.is_dir() else None, typed=typed,
                                timeout=ctx.command_timeout, finished=done.exists)
        finally:
            remove_env_files(name, ctx.env)  # half-written ones too
        if not done.exists():
            said = result.output.decode("utf-8", "replace").strip().splitlines()[-3:]
            if result.timed_out:
                raise CommandTimeout(
                    f"`{shell} -i` did not reach its prompt and run the probe within "
                    f"{ctx.command_timeout:g}s (an rc file waiting for input?)"
                    + (f"; last output: {' / '.join(said)}" if said else ""),
                    argv=[shell, "-i"])
            raise ClauderonError(
                f"`{shell} -i` exited (status {result.returncode}) before reaching a prompt"
                + (f"; last output: {' / '.join(said)}" if said else ""),
                hint=f"{cmd(shell, '-i', env=ctx.env)}   # does an rc file exit or exec another "
                     "program?")
        said = result.output.decode("utf-8", "replace").replace("\r", "").splitlines()
        return Probed(senv.variables, _parse_env0(out.read_bytes()),
                      [line.strip() for line in said if line.strip()])


def probe_once(ctx: Context, shell: str, backend: str) -> Probed:
    """:func:`probe`, started once per doctor run for each shell binary and backend:
    ``shell.init`` and ``proxy.propagation`` share the answer (a fix's re-run probes anew)."""
    key = f"shell.probe:{os.path.realpath(shell)}:{backend}"
    return ctx.memo(key, lambda: probe(ctx, shell, backend))


def run_propagation(ctx: Context) -> Result:
    from clauderon.config import effective_shell

    cfg = ctx.config_or_default()
    backend = cfg.default_backend
    from clauderon import backends

    if backends.exists(backend) and backends.info(backend).shell_in_image:
        return skipped(f"the {backend} backend's shell runs inside its image (see its own "
                       "checks)")
    shell, _source = effective_shell(cfg, backend, None, ctx.env)
    if _live.shell_problem(shell):
        return skipped(f"the session shell {shell} is not usable (see config.shell)",
                       remedy="clauderon doctor --check config.shell")
    try:
        expected, actual, said = probe_once(ctx, shell, backend)
    except CannotProbe as exc:
        return exc.result
    kind = os.path.basename(shell)
    problems = compare(expected, actual)
    installed = hook_blocks(kind, ctx.env)
    if actual.get("CLAUDERON_HOOK") != "1" and installed:
        # The rc file ran for real and its hook line did not: every session's shell starts
        # like this, without its env file (whatever the file's text looks like).
        complaints = [line for line in said if "clauderon" in line][-3:]
        return error(f"the clauderon hook in {', '.join(ctx.tidy(f) for f in installed)} did "
                     f"not run when an interactive {kind} started",
                     details=[f"{kind} said: {line}" for line in complaints]
                     + ["sessions' shells start without their env file (proxy variables, "
                        "TERM)"],
                     remedy=cmd("clauderon", "shell", "install", "--shell", kind, env=ctx.env)
                     + "   # rewrites the block")
    hook = "the clauderon hook ran" if actual.get("CLAUDERON_HOOK") == "1" else \
        "the clauderon hook is not installed for this shell (see shell.init)"
    details = [hook]
    inside = ctx.in_session()
    session_problems: list[tuple[str, str]] = []
    if inside is not None:
        session_problems = compare(inside.env, ctx.env)
        details.append(f"inside session {inside.name}: "
                       + ("this process has every recorded variable" if not session_problems
                          else f"{plural(len(session_problems), 'variable')} differ here"))
        details.extend(f"here: {line}" for _n, line in session_problems)
    if problems or session_problems:
        lost = [n for n, _ in problems + session_problems]
        lines = [line for _n, line in problems]
        files = rc_files(kind, ctx.env)
        pattern = "|".join(dict.fromkeys(re.escape(n) for n in lost))
        remedy = (f"grep -nE '{pattern}' " + " ".join(shq(f, ctx.env) for f in files)
                  if files else f"{cmd(shell, '-i', env=ctx.env)}   # then: env | grep -E "
                                f"'{pattern}'")
        if session_problems and not problems:
            remedy = (f"exec {cmd(shell, env=ctx.env)}   # a new shell in this session picks "
                      "the variables up")
        summary = (f"{kind} start-up loses {plural(len(problems), 'session variable')}: "
                   + ", ".join(n for n, _ in problems)) if problems else (
            f"this shell lacks {plural(len(session_problems), 'variable')} of session "
            f"{inside.name if inside else '?'}")
        make = error if any(n in PROXY_VARS for n in lost) else warning
        return make(summary, details=lines + details, remedy=remedy)
    names = ", ".join(sorted(expected))
    return ok(f"an interactive {kind} keeps all {len(expected)} session variables", [names,
                                                                                    *details])


CHECKS = [
    Check("proxy.propagation", "Proxy",
          "the session shell's start-up (rc files, hook) keeps every variable clauderon sets",
          run_propagation,
          timeout_remedy="$SHELL -i   # does it reach a prompt by itself? an rc file may wait "
                         "for input"),
]
