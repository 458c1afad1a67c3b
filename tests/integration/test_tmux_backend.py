"""The tmux backend end to end: the real CLI against a private real tmux server.

Each test gets an isolated HOME, config and tmux server (see tmux_fixtures.py); panes are
inspected from inside: the session's shell writes its own ``env`` and ``pwd``.
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
from tmux_fixtures import (
    TmuxWorld,
    find_call,
    logged_calls,
    shell_program,
    tmux_world,
    write_argv_logger,
)

pytestmark = pytest.mark.real_tmux

# Values that survive only if nothing on the way re-parses them.
TRICKY = {
    "QUOTES": "it's \"quoted\" `here` $(not run) $HOME ${X} \\ back",
    "SPACES": "  two  leading, trailing  ",
    "GLOB": "*.py ? [ab] ~ ~/x !! !$",
    "UNICODE": "ünïcödé ✓ 日本",
    "NEWLINE": "line one\nline two\ttab",
    "EQUALS": "a=b=c;d&e|f<g>h",
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[TmuxWorld]:
    with tmux_world(tmp_path) as w:
        yield w


def _workdir(world: TmuxWorld, name: str = "work dir") -> Path:
    path = world.root / name
    path.mkdir()
    return path


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_new_session_shell_sees_env_cwd_and_term(world: TmuxWorld, shell_name: str) -> None:
    shell = shell_program(shell_name)
    world.write_config(
        'default_backend = "tmux"\n'
        f'[tmux]\nshell = "{shell}"\nenv = ["TERM=xterm-256color", "FROM_CONFIG=yes"]\n'
        '[proxy]\nhttp = "http://proxy.test:3128"\n')
    workdir = _workdir(world)
    env_args = [a for k, v in TRICKY.items() for a in ("--env", f"{k}={v}")]
    caller = {"https_proxy": "http://lower.test:8080",
              # A surrounding tmux must not redirect clauderon to its server.
              "TMUX": "/nonexistent/outer-socket,1,0", "TMUX_PANE": "%99"}
    result = world.ok("new", "app", "--workdir", str(workdir), *env_args, env=caller)
    assert 'Created tmux session "app"' in result.stdout

    assert world.server_sessions() == {"app"}
    env, pwd = world.pane_env("=app:")
    assert pwd == str(workdir)
    assert env["CLAUDERON_SESSION"] == "app"
    assert env["TERM"] == "xterm-256color"  # not tmux's default-terminal, not the caller's
    assert env["SHELL"] == shell
    assert env["FROM_CONFIG"] == "yes"
    assert env["http_proxy"] == env["HTTP_PROXY"] == "http://proxy.test:3128"
    assert env["https_proxy"] == env["HTTPS_PROXY"] == "http://lower.test:8080"
    for key, value in TRICKY.items():
        assert env[key] == value, key
    assert env["TMUX_PANE"] != "%99"
    assert env["TMUX"].startswith(world.env["TMUX_TMPDIR"])
    # TERM won without touching the server's (the user's) options.
    assert world.run_tmux("show-options", "-sv", "default-terminal").stdout.strip() \
        == "tmux-256color"
    assert world.listed() == {"app": "running"}


# A proxy password that tmux's parsers, shells and URL tools all treat specially.
SECRET = "pa ss;'\"$(id)`id`~#{pane_id}\\\n\t%41;"


def test_secrets_reach_every_pane_but_no_command_line(world: TmuxWorld) -> None:
    """No tmux argv (what /proc/PID/cmdline shows every user) holds a session variable's
    value; the first pane and later windows still get every value byte for byte."""
    log = write_argv_logger(world.root / "bin", world.tmux)
    path = f"{world.root / 'bin'}{os.pathsep}{world.env['PATH']}"
    proxy = f"http://alice:{SECRET}@proxy.test:3128"
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n')
    world.ok("new", "app", "--env", f"MSG={TRICKY['QUOTES']}",
             env={"PATH": path, "http_proxy": proxy})
    calls = logged_calls(log)
    assert find_call(calls, "source-file")
    for _, argv in calls:
        for arg in argv:
            assert SECRET not in arg and "alice" not in arg and "quoted" not in arg, argv
    env, _ = world.pane_env("=app:")
    assert env["http_proxy"] == env["HTTP_PROXY"] == proxy
    assert env["MSG"] == TRICKY["QUOTES"]
    assert world.run_tmux("new-window", "-t", "=app:").returncode == 0
    later, _ = world.pane_env("=app:")  # the new window is the current one
    assert later["http_proxy"] == later["HTTP_PROXY"] == proxy
    assert later["CLAUDERON_SESSION"] == "app"
    # the script that carried the values is gone
    state = world.home / ".local" / "state" / "clauderon" / "sessions"
    assert sorted(p.name for p in state.iterdir()) == ["app.fish", "app.sh"]
    world.ok("kill", "app")


def test_kill_leaves_no_session_and_no_row(world: TmuxWorld) -> None:
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n')
    world.ok("new", "app")
    world.ok("new", "other")
    assert world.server_sessions() == {"app", "other"}
    result = world.ok("kill", "app")
    assert 'Killed session "app"' in result.stdout
    assert world.server_sessions() == {"other"}
    assert world.listed() == {"other": "running"}
    state = world.home / ".local" / "state" / "clauderon" / "sessions"
    assert not list(state.glob("app.*"))


@pytest.mark.parametrize("bad", ["my.app", "my:app"])
def test_names_tmux_cannot_hold_are_rejected(world: TmuxWorld, bad: str) -> None:
    world.write_config('default_backend = "tmux"\n')
    result = world.cli("new", bad, "--shell", "/usr/bin/bash")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and bad in lines[0] and "tmux" in lines[0]
    assert world.server_sessions() == set()
    assert world.listed() == {}


def test_project_name_with_dot_is_rejected(world: TmuxWorld) -> None:
    result = world.cli("new", "fix", "--backend", "tmux", "--name", "v1.2",
                       "--shell", "/usr/bin/bash")
    assert result.returncode == 2 and "v1.2-fix" in result.stderr
    assert world.server_sessions() == set() and world.listed() == {}


def test_exact_names_and_missing_sessions(world: TmuxWorld) -> None:
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n')
    world.ok("new", "app-2")
    world.ok("new", "app")
    world.ok("kill", "app")
    assert world.server_sessions() == {"app-2"}

    world.ok("new", "app")
    # Gone behind clauderon's back: listed as missing, and killing it must not fall back
    # to the session "app" is a prefix of.
    assert world.run_tmux("kill-session", "-t", "=app").returncode == 0
    assert world.listed() == {"app-2": "running", "app": "missing"}
    world.ok("kill", "app")
    assert world.server_sessions() == {"app-2"}
    assert world.listed() == {"app-2": "running"}


def test_socket_is_remembered_per_session(world: TmuxWorld) -> None:
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n'
                       'socket = "crsock"\n')
    world.ok("new", "app")
    assert world.server_sessions("crsock") == {"app"}
    assert world.server_sessions() == set()  # the default server was not used

    # The config changes and the caller moves TMUX_TMPDIR: the session is still found.
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n')
    moved = {"TMUX_TMPDIR": str(world.root / "elsewhere")}
    rows = world.ok("list", "--json", env=moved).stdout
    assert '"running"' in rows
    world.ok("kill", "app", env=moved)
    assert world.server_sessions("crsock") == set()
    assert world.listed() == {}


def test_config_file_is_loaded_and_missing_one_is_an_error(world: TmuxWorld) -> None:
    (world.home / ".tmux.conf").write_text("set -g @from_home_conf yes\n", encoding="utf-8")
    conf = world.home / "clauderon-tmux.conf"
    conf.write_text("set -g @from_clauderon_conf yes\n", encoding="utf-8")
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n'
                       'config = "~/nope.conf"\n')
    result = world.cli("new", "app")
    assert result.returncode == 2
    assert "~/nope.conf" in result.stderr and "does not exist" in result.stderr
    assert world.server_sessions() == set() and world.listed() == {}

    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n'
                       'config = "~/clauderon-tmux.conf"\n')
    world.ok("new", "app")
    assert world.run_tmux("show-options", "-gv", "@from_clauderon_conf").stdout.strip() == "yes"
    assert world.run_tmux("show-options", "-gqv", "@from_home_conf").stdout.strip() == ""


def test_attach_and_switch_client_argv(world: TmuxWorld) -> None:
    log = write_argv_logger(world.root / "bin", world.tmux)
    path = f"{world.root / 'bin'}{os.pathsep}{world.env['PATH']}"
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n')
    world.ok("new", "app", env={"PATH": path})
    socket_path = world.run_tmux("display-message", "-p", "-t", "=app:",
                                 "#{socket_path}").stdout.strip()

    # Outside tmux: attach (it fails without a terminal, after the exec we are checking).
    world.cli("attach", "app", env={"PATH": path})
    tmux_var, argv = logged_calls(log)[-1]
    assert argv == ["attach", "-t", "=app"] and tmux_var == "<unset>"

    # Inside a client of the same server: switch-client, with $TMUX kept for it only.
    inside = f"{socket_path},12345,0"
    world.cli("attach", "app", env={"PATH": path, "TMUX": inside, "TMUX_PANE": "%0"})
    calls = logged_calls(log)
    assert calls[-1] == (inside, ["switch-client", "-t", "=app"])
    controls = [c for c in calls if "switch-client" not in c[1]]
    assert controls and all(var == "<unset>" for var, _ in controls)

    # Inside another server: a nested attach, which tmux only allows with $TMUX unset.
    world.cli("attach", "app", env={"PATH": path, "TMUX": "/tmp/other/default,1,0"})
    assert logged_calls(log)[-1] == ("<unset>", ["attach", "-t", "=app"])

    before = len(logged_calls(log))
    world.cli("new", "second", "--attach", env={"PATH": path})
    calls = logged_calls(log)[before:]
    assert find_call(calls, "source-file")
    assert calls[-1] == ("<unset>", ["attach", "-t", "=second"])


def _read_until(fd: int, proc: subprocess.Popen[bytes], done: float) -> bytes:
    seen = b""
    while time.monotonic() < done and proc.poll() is None:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def _attach_on_pty(world: TmuxWorld, name: str) -> tuple[subprocess.Popen[bytes], int]:
    main, child = pty.openpty()
    ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "clauderon", "attach", name],
                            env=world.env, stdin=child, stdout=child, stderr=child,
                            start_new_session=True, cwd=world.root)
    os.close(child)
    return proc, main


def _attached_clients(world: TmuxWorld, proc: subprocess.Popen[bytes], main: int) -> str:
    deadline = time.monotonic() + 10
    clients = ""
    while time.monotonic() < deadline and not clients and proc.poll() is None:
        _read_until(main, proc, time.monotonic() + 0.1)
        clients = world.run_tmux("list-clients", "-F", "#{session_name}").stdout.strip()
    return clients


def test_attach_on_a_terminal_joins_exactly_that_session(world: TmuxWorld) -> None:
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n')
    world.ok("new", "app-2")
    world.ok("new", "app")
    proc, main = _attach_on_pty(world, "app")
    try:
        assert _attached_clients(world, proc, main) == "app"
        world.run_tmux("detach-client", "-s", "=app")
        _read_until(main, proc, time.monotonic() + 5)
        assert proc.wait(timeout=5) == 0
    finally:
        _stop(proc, main)
    assert world.server_sessions() == {"app", "app-2"}

    # "app" gone behind clauderon's back: attaching must not land in "app-2".
    world.run_tmux("kill-session", "-t", "=app")
    proc, main = _attach_on_pty(world, "app")
    try:
        assert _attached_clients(world, proc, main) == ""
        assert proc.wait(timeout=5) != 0
    finally:
        _stop(proc, main)


def _stop(proc: subprocess.Popen[bytes], main: int) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    os.close(main)


def test_hook_restores_term_in_new_windows(world: TmuxWorld) -> None:
    hook = Path(__file__).resolve().parents[2] / "shell" / "clauderon.bash"
    if not hook.exists():
        pytest.skip("shell/clauderon.bash is not there yet")
    (world.home / ".bashrc").write_text(f". '{hook}'\n", encoding="utf-8")
    # Debian's ~/.profile: tmux starts new windows as login shells.
    (world.home / ".profile").write_text('[ -n "$BASH_VERSION" ] && . "$HOME/.bashrc"\n',
                                         encoding="utf-8")
    world.write_config('default_backend = "tmux"\n[tmux]\nshell = "/usr/bin/bash"\n'
                       'env = ["TERM=xterm-256color"]\n')
    world.ok("new", "app")
    assert world.run_tmux("new-window", "-t", "=app:").returncode == 0
    env, _ = world.pane_env("=app:")  # the new window is the current one
    assert env["CLAUDERON_HOOK"] == "1"
    assert env["TERM"] == "xterm-256color"
    assert env["SHELL"] == "/usr/bin/bash"  # new windows run the session's shell
