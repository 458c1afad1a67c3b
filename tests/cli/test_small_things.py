"""Issue 14 item 8: plurals, the refused `kill --all`, unicode names left bare in printed
commands, how to detach from the Zellij session you are in, and `list --wide`."""

from __future__ import annotations

import os
import re
import time

from tests.integration.conftest import Cli, clauderon_argv

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(cli: Cli, *args: str, answer: str = "", columns: int = 80
                ) -> tuple[int, str]:
    """Run the CLI on a real pseudo-terminal (stdin and stdout), typing ``answer``."""
    import pty

    argv = [*clauderon_argv(), *args]
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.chdir(cli.cwd)
        os.execvpe(argv[0], argv, {**cli.env, "COLUMNS": str(columns), "LINES": "40"})
    if answer:
        time.sleep(0.5)  # let the prompt appear; the terminal keeps what is typed anyway
        os.write(fd, answer.encode())
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
    os.close(fd)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n")
    return os.waitstatus_to_exitcode(status), text


def test_kill_all_counts_in_words(cli: Cli) -> None:
    cli.ok("new", "only")
    piped = cli.run("kill", "--all", input="")
    assert (piped.returncode, piped.stderr) == (
        2, "error: --all would kill 1 session; add --yes to confirm when not on a terminal\n")
    cli.ok("new", "other")
    piped = cli.run("kill", "--all", input="")
    assert piped.stderr.startswith("error: --all would kill 2 sessions; ")


def test_kill_all_answered_no_says_nothing_killed(cli: Cli) -> None:
    cli.ok("new", "keep")
    code, text = on_terminal(cli, "kill", "--all", answer="n\n")
    assert code == 1
    assert text == "Kill 1 session (keep)? [y/N]: n\nNothing killed.\n"
    assert cli.ok("list").stdout.startswith("keep\tzellij\trunning\t")


def test_unicode_names_are_not_quoted_in_suggestions(cli: Cli) -> None:
    done = cli.ok("new", "café-ü")
    assert done.stdout.splitlines()[-1] == "Attach with: zellij attach café-ü"
    spaced = cli.run("attach", "café-u")
    assert "café-ü" in spaced.stderr and "'café-ü'" not in spaced.stderr


def test_attach_to_the_session_you_are_in_says_how_to_detach(cli: Cli) -> None:
    cli.ok("new", "here")
    inside = cli.run("attach", "here", env={"ZELLIJ_SESSION_NAME": "here", "ZELLIJ": "0"})
    assert (inside.returncode, inside.stderr) == (
        2, 'error: you are already inside Zellij session "here"; to leave it running, detach '
           "with Ctrl-o d (Zellij's default keys)\n")


def test_list_wide_never_cuts_names(cli: Cli) -> None:
    long_name = "api-refactoring-of-the-auth-layer"
    cli.ok("new", long_name)
    code, narrow = on_terminal(cli, "list", columns=40)
    assert code == 0 and "…" in narrow and long_name not in narrow
    code, wide = on_terminal(cli, "list", "--wide", columns=40)
    assert code == 0 and "…" not in wide
    row = next(line for line in wide.splitlines() if line.startswith(long_name))
    assert row.split()[:4] == [long_name, "zellij", "running", str(cli.cwd)]


def test_end_of_input_at_the_prompt_is_one_line(cli: Cli) -> None:
    cli.ok("new", "kept")
    code, text = on_terminal(cli, "kill", "--all", answer="\x04")
    assert code == 1
    assert text.endswith("error: aborted; nothing was changed\n") and "Aborted!" not in text
    assert cli.ok("list").stdout.startswith("kept\tzellij\trunning\t")
