"""Every usage error is ONE line on stderr, `error: ...`, exit 2, nothing on stdout (issue 14
item 3), and --help names real metavars (item 4): rich on a terminal, plain when piped."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.integration.conftest import Cli, clauderon_argv

CASES = [
    (["lsit"], "error: no such command 'lsit'; did you mean 'list'?"),
    (["confg"], "error: no such command 'confg'; did you mean 'config'?"),
    (["zzzz"], "error: no such command 'zzzz'; run `clauderon --help`"),
    (["config", "sho"],
     "error: no such command 'sho' in `clauderon config`; did you mean 'show'?"),
    (["shell", "instal"],
     "error: no such command 'instal' in `clauderon shell`; did you mean 'install'?"),
    (["new", "--backnd", "tmux", "x"],
     "error: no such option '--backnd'; did you mean '--backend'?"),
    (["kill", "--al"], "error: no such option '--al'; did you mean '--all'?"),
    (["config", "show", "--jsn"], "error: no such option '--jsn'; did you mean '--json'?"),
    (["doctor", "--chek", "x"], "error: no such option '--chek'; did you mean '--check'?"),
    (["-x"], "error: no such option '-x'; run `clauderon --help`"),
    (["new"], "error: missing argument 'SESSION'; usage: clauderon new [OPTIONS] SESSION"),
    (["attach"], "error: missing argument 'NAME'; usage: clauderon attach [OPTIONS] NAME"),
    (["env"], "error: missing argument 'NAME'; usage: clauderon env [OPTIONS] NAME"),
    (["attach", "a", "b"],
     "error: unexpected extra argument 'b'; usage: clauderon attach [OPTIONS] NAME"),
    (["list", "x", "y"],
     "error: unexpected extra arguments 'x', 'y'; usage: clauderon list [OPTIONS]"),
    (["new", "x", "--workdir"],
     "error: option '--workdir' requires an argument; run `clauderon --help`"),
    (["doctor", "--timeout", "soon"],
     "error: invalid value for '--timeout': 'soon' is not a valid float range; "
     "run `clauderon doctor --help`"),
    (["new", "--backend", "screen", "x"],
     "error: --backend 'screen' is not a backend; use one of: docker, tmux, zellij"),
]


@pytest.mark.parametrize("argv,line", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_usage_error_is_one_line(cli: Cli, argv: list[str], line: str) -> None:
    result = cli.run(*argv)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", line + "\n")


def test_help_piped_is_plain_with_real_metavars(cli: Cli) -> None:
    result = cli.ok("new", "--help")
    assert "╭" not in result.stdout and "<str>" not in result.stdout
    assert result.stdout.startswith("Usage: clauderon new [OPTIONS] SESSION\n")
    assert "{" not in result.stdout
    for shown in ("-b, --backend [docker|tmux|zellij]", "-w, --workdir DIR",
                  "-n, --name PROJECT", "-l, --layout LAYOUT", "-s, --shell SHELL",
                  "-e, --env KEY=VALUE", "--image IMAGE", "--network NETWORK"):
        assert shown in result.stdout, shown
    assert "Usage: clauderon kill [OPTIONS] [NAME]" in cli.ok("kill", "--help").stdout
    assert cli.ok("env", "--help").stdout.startswith(
        "Usage: clauderon env [OPTIONS] NAME\n")
    assert "--shell SHELL" in cli.ok("env", "--help").stdout
    assert cli.ok("attach", "--help").stdout.startswith(
        "Usage: clauderon attach [OPTIONS] NAME\n")
    assert cli.ok("config", "set", "--help").stdout.startswith(
        "Usage: clauderon config set [OPTIONS] KEY [VALUE...]\n")
    assert "--shell SHELL" in cli.ok("shell", "install", "--help").stdout
    assert "Usage: clauderon shell init [OPTIONS] [SHELL]" in cli.ok(
        "shell", "init", "--help").stdout


def test_help_on_a_terminal_is_rich(cli: Cli) -> None:
    """Run under a real pseudo-terminal: typer's panels, with the metavars."""
    import pty

    argv = [*clauderon_argv(), "new", "--help"]
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.chdir(cli.cwd)
        os.execvpe(argv[0], argv, {**cli.env, "COLUMNS": "100"})
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    text = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode("utf-8", "replace"))
    assert os.waitstatus_to_exitcode(status) == 0
    assert "╭─ Options" in text and "[docker|tmux|zellij]" in text and "KEY=VALUE" in text


def test_version_imports_no_backend_module() -> None:
    """The --backend metavar is a directory listing: --version imports no backend module."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "clauderon", "--version"],
                          capture_output=True, text=True, check=True)
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "clauderon.backends" in imported
    assert not [m for m in imported if m.startswith("clauderon.backends.")], imported
