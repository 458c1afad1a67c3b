"""The one place clauderon runs external commands.

Every call takes an argv list (never a shell string), has a timeout, and fails with an error
that names the command and quotes its stderr. A timed-out command is killed with its whole
process group, so a hung multiplexer never hangs clauderon. Every program runs in a process
group of its own, recorded while it runs (clauderon/children.py) and reaped whatever ends the
wait (an exception, ^C, clauderon's exit with a doctor check's thread abandoned); the first
program a command runs is preceded by a sweep that ends what a killed clauderon left.

``run`` captures output through pipes; ``run_on_pty`` gives the program a pseudo-terminal of
its own (doctor's proxy-propagation probe: fish refuses to run interactively without a
controlling terminal, and rc files often test ``[ -t 0 ]``) under the same rules.
``run_in_foreground`` is the one exception to them: an interactive client (``attach``'s
``tmux attach``) on the user's terminal, for as long as the user stays, its stderr captured.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import errno
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

DEFAULT_TIMEOUT = 10.0
KILL_GRACE = 2.0  # seconds to collect the output of a killed command


# NamedTuple, not a frozen dataclass: defining one costs ~0.2 ms instead of ~1.3 ms, on the
# start of every command that runs a program.
class Result(NamedTuple):
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def describe(argv: Sequence[str]) -> str:
    """The command as a user could paste it (for messages only; never executed).

    URL passwords (``-e http_proxy=http://user:pw@host``) are shown as ``***``: messages end
    up in terminals, bug reports and CI logs.
    """
    text = " ".join(arg if _bare(arg) else _quoted(arg) for arg in argv)
    if "@" not in text or ":" not in text:
        return text  # no password can be there (secrets.mask would return it as is)
    from clauderon.secrets import mask

    return mask(text)


# The characters shlex.quote leaves unquoted (its pattern [^\w@%+=:,./-] under re.ASCII).
_SHELL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_@%+=:,./-")


def _bare(arg: str) -> bool:
    """Whether ``arg`` reads back as itself unquoted in bash, zsh and fish: shlex's safe
    characters, and letters and digits of any script (`café-ü`: no shell treats them
    specially), not starting with ``=`` (zsh's `=command`) or ``%`` (fish's `%self`)."""
    return bool(arg) and arg[0] not in "=%" and all(
        ch in _SHELL_SAFE or (not ch.isascii() and ch.isalnum()) for ch in arg)


def _quoted(arg: str) -> str:
    from clauderon.shellquote import quote_word

    return quote_word(arg)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def which(program: str, env: Mapping[str, str] | None = None) -> str | None:
    path = (env or os.environ).get("PATH", os.defpath)
    return shutil.which(program, path=path)


_LIMIT: contextvars.ContextVar[float | None] = contextvars.ContextVar("clauderon_proc_limit",
                                                                     default=None)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Every command :func:`run` starts inside (in this thread) gets at most ``seconds``:
    a caller's deadline (doctor's per-check limit) over the timeouts its callees chose."""
    token = _LIMIT.set(seconds)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    input: str | None = None,
    check: bool = True,
) -> Result:
    """Run ``argv`` and capture its output as text.

    Raises CommandNotFound when the program does not exist, CommandTimeout when it runs past
    ``timeout`` seconds, and CommandError for a non-zero exit when ``check`` is true.
    """
    return run_all([argv], env=env, cwd=cwd, timeout=timeout, input=input, check=check)[0]


def run_all(
    argvs: Sequence[Sequence[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    input: str | None = None,
    check: bool = True,
) -> list[Result]:
    """Run independent commands at the same time (each as :func:`run` would: its own group,
    recorded, reaped) and return their results in order, once all have ended. ``timeout``
    is for the whole batch. With ``check``, the first failure in order is raised."""
    commands = [[str(a) for a in argv] for argv in argvs]
    if not commands or not all(commands):
        raise ValueError("empty argv")
    limit = _LIMIT.get()
    if limit is not None:
        timeout = min(timeout, limit)
    deadline = time.monotonic() + timeout
    _sweep_once()
    results: list[Result] = []
    with contextlib.ExitStack() as stack:
        started = []
        for args in commands:
            child = _start(args, env, cwd, input)
            stack.enter_context(_tracked(child, args[0]))
            started.append((child, args))
        for child, args in started:
            results.append(_finish(child, args, input, max(0.0, deadline - time.monotonic()),
                                   timeout))
    if check:
        for result in results:
            if not result.ok:
                raise failure(result)
    return results


def _start(args: list[str], env: Mapping[str, str] | None, cwd: str | None,
           input: str | None) -> subprocess.Popen[str]:
    from clauderon.errors import CommandError, CommandNotFound

    try:
        return subprocess.Popen(
            args,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        if cwd is not None and not os.path.isdir(cwd):
            raise CommandError(f"cannot run {args[0]}: directory {cwd} does not exist",
                               argv=args) from exc
        raise CommandNotFound(f"{args[0]} not found on PATH", argv=args) from exc
    except PermissionError as exc:
        raise CommandError(f"cannot run {args[0]}: permission denied", argv=args) from exc
    except OSError as exc:  # E2BIG (a huge variable), ENOMEM, ...
        raise CommandError(f"cannot run {args[0]}: {_os_reason(exc)}", argv=args) from None


def _finish(child: subprocess.Popen[str], args: list[str], input: str | None, left: float,
            timeout: float) -> Result:
    """Wait ``left`` seconds at most for ``child``'s output and status (``timeout``: the
    limit the message names)."""
    from clauderon.errors import CommandTimeout

    try:
        out, err = child.communicate(input=input, timeout=left)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        try:
            # A child that left the process group (a daemonizing server) may still hold
            # the pipes open: do not wait for it.
            out, err = child.communicate(timeout=KILL_GRACE)
        except subprocess.TimeoutExpired:
            out, err = "", ""
        raise CommandTimeout(
            f"`{describe(args)}` timed out after {timeout:g}s and was stopped",
            argv=args, stderr=err or "",
        ) from None
    return Result(tuple(args), child.returncode, out or "", err or "")


# -- children: in a group of their own, recorded while they run, reaped whatever happens -----

_children_lock = threading.Lock()
_children: dict[int, tuple[subprocess.Popen[Any], Path | None]] = {}
_sweep = {"due": True}


def leave_leftovers() -> None:
    """This process reports leftover children instead of ending them (doctor: the
    ``sessions.leftovers`` check finds them, ``--fix`` ends them)."""
    _sweep["due"] = False


def _sweep_once() -> None:
    """Before the first program this process runs: end the leftover children of clauderon
    processes that died (clauderon/children.py; one listdir when there are none)."""
    with _children_lock:
        due, _sweep["due"] = _sweep["due"], False
    if due:
        from clauderon import children

        children.sweep()


@contextlib.contextmanager
def _tracked(child: subprocess.Popen[Any], argv0: str) -> Iterator[None]:
    """While ``child`` runs: recorded on disk (for the next clauderon, should this one be
    killed) and in memory (for this one's exit). Whatever ends the wait (an exception, ^C),
    a child still running is killed with its group and reaped."""
    from clauderon import children

    record = children.record(child.pid, argv0)
    with _children_lock:
        _children[child.pid] = (child, record)
    try:
        yield
    finally:
        if child.poll() is None:
            _kill_group(child)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=KILL_GRACE)
        with _children_lock:
            _children.pop(child.pid, None)
        children.forget(record)


@atexit.register
def _reap_at_exit() -> None:
    """A command abandoned in a thread (a doctor check past its time limit) is not left
    running when clauderon exits: its group is killed (it is still our unreaped child, so
    its pid cannot have been reused) and its record removed."""
    from clauderon import children

    with _children_lock:
        running = list(_children.values())
        _children.clear()
    for child, record in running:
        if child.poll() is None:
            _kill_group(child)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=KILL_GRACE)
        children.forget(record)


def failure(result: Result) -> Exception:
    """The CommandError for a finished command that did not succeed."""
    from clauderon.errors import CommandError
    from clauderon.secrets import mask

    said = mask(_first_line(result.stderr) or _first_line(result.stdout))
    detail = f": {said}" if said else ""
    return CommandError(
        f"`{describe(result.argv)}` failed with exit code {result.returncode}{detail}",
        argv=list(result.argv), stderr=result.stderr, returncode=result.returncode,
    )


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.E2BIG:
        return ("its arguments or environment are too large for the system (one variable or "
                "argument may hold at most 128 KiB)")
    return exc.strerror or str(exc)


def _kill_group(proc: subprocess.Popen[Any]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


# -- programs on a pseudo-terminal ---------------------------------------------------

MAX_OUTPUT = 1 << 20
EXIT_GRACE = 0.5  # seconds a finished probe gets to exit on its own
EOF_REAP = 1.0  # seconds a program whose terminal closed gets to be reaped


class PtyResult(NamedTuple):
    output: bytes
    returncode: int | None  # None: it was still running and was killed
    timed_out: bool


def _controlling_tty() -> None:  # runs in the child, after setsid: make the pty its terminal
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_on_pty(argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None,
               typed: bytes, timeout: float,
               finished: Callable[[], bool] | None = None) -> PtyResult:
    """Start ``argv`` on a new pty (24x80), type ``typed``, read until it exits.

    ``finished`` (polled) may say the work is done; the program then gets EXIT_GRACE seconds
    to exit before it is killed. After ``timeout`` seconds it is killed regardless.
    """
    import fcntl  # here, not at the top: only doctor's probe needs a terminal
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        # preexec_fn with threads: it only calls fcntl.ioctl (imported already), so it
        # takes no lock another thread could hold at fork time.
        child = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env), cwd=cwd,
            start_new_session=True, close_fds=True,
            preexec_fn=_controlling_tty)
    except BaseException:
        os.close(master)
        os.close(slave)
        raise
    os.close(slave)
    with _tracked(child, str(argv[0])):  # recorded while it runs, like run's
        output = bytearray()
        deadline = time.monotonic() + timeout
        grace_until: float | None = None
        timed_out = False
        eof = False
        pending = typed
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    timed_out = True
                    break
                if grace_until is None and finished is not None and finished():
                    grace_until = now + EXIT_GRACE
                if grace_until is not None and now >= grace_until:
                    break
                wants_write = [master] if pending else []
                readable, writable, _ = select.select([master], wants_write, [], 0.05)
                if writable and pending:
                    try:
                        pending = pending[os.write(master, pending):]
                    except OSError:
                        pending = b""
                if readable:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # EIO: every holder of the slave side has closed it
                        chunk = b""
                    if not chunk:
                        eof = True
                        break
                    if len(output) < MAX_OUTPUT:
                        output += chunk
                elif child.poll() is not None:
                    break
        finally:
            returncode = child.poll()
            if returncode is None and eof:
                # the slave side closes a moment before the exit can be reaped: wait for it
                # (bounded) rather than kill a program that is already exiting
                try:
                    left = deadline - time.monotonic()
                    returncode = child.wait(timeout=max(0.0, min(EOF_REAP, left)))
                except subprocess.TimeoutExpired:
                    returncode = None
            if returncode is None:
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    child.kill()
                child.wait()
            else:
                try:  # leftovers of the shell (background jobs of an rc file) go too
                    os.killpg(child.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            os.close(master)
    return PtyResult(bytes(output), returncode, timed_out)


# -- an interactive client on this terminal ------------------------------------------

MAX_STDERR = 1 << 16
STDERR_GRACE = 1.0  # seconds to collect the stderr of a client that has exited


def run_in_foreground(argv: Sequence[str], *, env: Mapping[str, str]) -> tuple[int, str]:
    """Run an interactive client (``tmux attach``) on this terminal until it ends; return
    its exit status (128+N when signal N ended it) and its stderr, captured rather than
    shown, so that the caller can explain a failure (tmux writes its errors before it takes
    the terminal over, and nothing on stderr while attached). stdin and stdout stay ours.

    Unlike ``run``: no timeout (one stays attached for days), not recorded (a killed
    clauderon must not take the user's client down with it), and no process group of its own:
    the client stays in the terminal's foreground group and gets the terminal's signals
    (window size, ^C) as if clauderon had exec'd it. While it runs, ^C and ^\\ are left to
    it, SIGTERM and SIGHUP are passed on to it, and a client that stops itself (tmux's
    suspend-client) stops clauderon too, so the shell gets the terminal back; ``fg``
    continues both. Raises CommandNotFound when the program does not exist.
    """
    from clauderon.errors import CommandError, CommandNotFound

    args = [str(a) for a in argv]
    if not args:
        raise ValueError("empty argv")
    child = {"pid": 0}

    def leave_to_client(_signum: int, _frame: object) -> None:
        """The terminal sent it to the client as well (same process group)."""

    def pass_on(signum: int, _frame: object) -> None:
        if child["pid"]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child["pid"], signum)

    handlers = {signal.SIGINT: leave_to_client, signal.SIGQUIT: leave_to_client,
                signal.SIGTERM: pass_on, signal.SIGHUP: pass_on}
    # Python handlers are reset to the default in the program; the ignored signals are reset
    # explicitly (Python ignores SIGPIPE and SIGXFSZ).
    saved = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
    read_end, write_end = os.pipe()
    try:
        try:
            child["pid"] = os.posix_spawnp(
                args[0], args, dict(env),
                file_actions=[(os.POSIX_SPAWN_DUP2, write_end, 2)],
                setsigdef=(signal.SIGPIPE, signal.SIGXFSZ))
        except FileNotFoundError:
            os.close(read_end)
            raise CommandNotFound(f"{args[0]} not found on PATH", argv=args) from None
        except OSError as exc:
            os.close(read_end)
            raise CommandError(f"cannot run {args[0]}: {_os_reason(exc)}", argv=args) from None
        finally:
            os.close(write_end)
        chunks: list[bytes] = []

        def drain() -> None:
            kept = 0
            try:
                while chunk := os.read(read_end, 65536):
                    if kept < MAX_STDERR:
                        chunks.append(chunk)
                        kept += len(chunk)
            finally:
                os.close(read_end)

        # A thread, so that a client writing much to stderr never blocks on a full pipe.
        reader = threading.Thread(target=drain, name="client-stderr", daemon=True)
        reader.start()
        while True:
            _, status = os.waitpid(child["pid"], os.WUNTRACED)
            if not os.WIFSTOPPED(status):
                break
            os.kill(os.getpid(), signal.SIGTSTP)  # stopped with it: the shell takes over
            with contextlib.suppress(ProcessLookupError):
                os.kill(child["pid"], signal.SIGCONT)
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, signal.SIG_DFL if previous is None else previous)
    # A program the client started may hold the pipe: collect for a moment only.
    reader.join(timeout=STDERR_GRACE)
    code = os.waitstatus_to_exitcode(status)
    return (code if code >= 0 else 128 - code), b"".join(chunks).decode(errors="replace")
