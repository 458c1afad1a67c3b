"""`clauderon attach` when tmux refuses: one clauderon line saying what to do, never tmux's raw
text (issue 14, item 5). Real tmux, a private server per test (tmux_fixtures.py); the
terminal cases run clauderon on a pseudo-terminal, the others through pipes.
"""

from __future__ import annotations

import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from fcntl import ioctl
from pathlib import Path

import pytest
from tmux_fixtures import TmuxWorld, tmux_world

pytestmark = pytest.mark.real_tmux

CONFIG = 'default_backend = "tmux"\n[tmux]\nshell = "/bin/sh"\n'


@pytest.fixture
def world(tmp_path: Path) -> Iterator[TmuxWorld]:
    with tmux_world(tmp_path) as w:
        w.write_config(CONFIG)
        yield w


def _on_pty(world: TmuxWorld, *args: str, term: str) -> tuple[subprocess.Popen[bytes], int]:
    main, child = pty.openpty()
    ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "clauderon", *args],
                            env={**world.env, "TERM": term}, stdin=child, stdout=child,
                            stderr=child, start_new_session=True, cwd=world.root)
    os.close(child)
    return proc, main


def _read_to_exit(proc: subprocess.Popen[bytes], main: int, timeout: float = 15) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # EIO: the terminal's other side is closed
                    chunk = b""
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
        proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    return seen


def test_attach_without_a_terminal_says_to_run_it_from_one(world: TmuxWorld) -> None:
    world.ok("new", "app")
    result = world.cli("attach", "app")  # stdin and stdout are pipes
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        'error: cannot attach to tmux session "app": standard input is not a terminal; '
        "run `clauderon attach app` from a terminal\n")
    assert world.listed() == {"app": "running"}

    # new --attach makes the session, then says the same about attaching to it
    made = world.cli("new", "second", "--attach")
    assert made.returncode == 1
    assert made.stdout == 'Created tmux session "second" in ' + str(world.root) + "\n"
    assert made.stderr == (
        'error: cannot attach to tmux session "second": standard input is not a terminal; '
        "run `clauderon attach second` from a terminal\n")
    assert world.server_sessions() == {"app", "second"}


@pytest.mark.parametrize("term", ["dumb", "no-such-terminal-type"])
def test_attach_on_a_terminal_tmux_cannot_drive(world: TmuxWorld, term: str) -> None:
    world.ok("new", "app")
    proc, main = _on_pty(world, "attach", "app", term=term)
    seen = _read_to_exit(proc, main).decode()
    assert proc.returncode == 1
    assert seen == (
        f'error: cannot attach to tmux session "app": tmux cannot drive a terminal with '
        f"TERM={term} (unknown to terminfo, or lacking what tmux needs); set TERM to your "
        "terminal's type, e.g. `env TERM=xterm-256color clauderon attach app`\r\n")
    assert world.run_tmux("list-clients").stdout == ""
    assert world.listed() == {"app": "running"}


def test_switch_with_no_client_attached_here(world: TmuxWorld) -> None:
    """$TMUX names the server holding the session, but nothing is attached to this shell:
    what a script in a detached session's window, or a program that inherited $TMUX, sees."""
    world.ok("new", "app")
    socket = world.run_tmux("display-message", "-p", "-t", "=app:",
                            "#{socket_path}").stdout.strip()
    result = world.cli("attach", "app", env={"TMUX": f"{socket},{os.getpid()},0"})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        'error: cannot switch to tmux session "app": $TMUX says this runs inside tmux, but no '
        "tmux client is attached here; run `clauderon attach app` in an attached tmux window, "
        "or `env -u TMUX clauderon attach app` from a terminal\n")
    assert world.listed() == {"app": "running"}


def _tmux_shim(world: TmuxWorld, on_attach: str) -> dict[str, str]:
    """A ``tmux`` first on PATH that runs ``on_attach`` (sh) before an ``attach``, then the
    real tmux."""
    bin_dir = world.root / "shim"
    bin_dir.mkdir()
    shim = bin_dir / "tmux"
    shim.write_text(f'#!/bin/sh\nif [ "$1" = attach ]; then {on_attach}; fi\n'
                    f'exec "{world.tmux}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{world.env['PATH']}"}


def test_session_gone_between_the_check_and_tmux_attach(world: TmuxWorld) -> None:
    world.ok("new", "app")
    env = _tmux_shim(world, f'"{world.tmux}" kill-session -t =app')
    result = world.cli("attach", "app", env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        'error: session "app" is missing: tmux no longer has it (a reboot, a killed server); '
        "bring it back with `clauderon restore app`, or forget it with `clauderon kill app`\n")
    assert world.listed() == {"app": "missing"}


def test_a_failure_clauderon_does_not_know_is_tmux_own(world: TmuxWorld) -> None:
    world.ok("new", "app")
    env = _tmux_shim(world, "echo 'tmux: something new' >&2; exit 3")
    result = world.cli("attach", "app", env=env)
    assert (result.returncode, result.stdout, result.stderr) == (3, "", "tmux: something new\n")


def _screen_until(world: TmuxWorld, text: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = world.run_tmux("capture-pane", "-p", "-S", "-100", "-t", "=outer:",
                                socket="outer").stdout
        if text in screen:
            return screen
        assert time.monotonic() < deadline, f"{text!r} never shown; screen:\n{screen}"
        time.sleep(0.05)


def _clients(world: TmuxWorld) -> list[str]:
    return world.run_tmux("list-clients", "-F", "#{client_name}").stdout.split()


def test_suspend_client_gives_the_shell_back_and_fg_continues(world: TmuxWorld) -> None:
    """clauderon waits for the tmux client rather than being replaced by it: when the client
    stops itself (suspend-client, prefix C-z) clauderon stops too, so the user's shell, here
    a bash inside another tmux server, gets its prompt back; `fg` attaches again, and a
    detach ends the job with status 0."""
    world.ok("new", "app")
    world.sockets.add("outer")
    started = world.run_tmux("new-session", "-d", "-s", "outer", "-x", "100", "-y", "30",
                             "-c", str(world.root), "exec bash --norc --noprofile -i",
                             socket="outer")
    assert started.returncode == 0, started.stderr
    world.type_line("=outer:", f"PS1='OUT$ '; {sys.executable} -m clauderon attach app",
                    socket="outer")
    deadline = time.monotonic() + 10
    while not _clients(world):
        assert time.monotonic() < deadline, "the client never attached"
        time.sleep(0.05)
    _screen_until(world, "[app] 0:")
    world.run_tmux("suspend-client", "-t", _clients(world)[0])
    screen = _screen_until(world, "Stopped")
    assert screen.rstrip().endswith("OUT$")  # the shell's prompt, with the job stopped
    world.type_line("=outer:", "fg", socket="outer")
    _screen_until(world, "[app] 0:")  # tmux draws the session again
    world.run_tmux("detach-client", "-s", "=app")
    _screen_until(world, "[detached (from session app)]")
    world.type_line("=outer:", 'echo "job=$?"', socket="outer")
    _screen_until(world, "job=0")
    assert world.listed() == {"app": "running"}
