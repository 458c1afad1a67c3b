"""pipx install and pip install --user of the built wheel: the console script runs the
installed copy, finds its completion scripts and shell hooks inside the wheel's package data,
and a real shell started in a clauderon session runs the hook `shell install` set up.

The hook is judged by what it does, not by where the rc block points: the rc file resets TERM
and the proxy variables before the block, and the session's shell must still show the
session's values (and CLAUDERON_HOOK=1), which only the hook puts back.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from installing import REPO, Installed, ok, run
from realtools import require

pytestmark = [pytest.mark.install, pytest.mark.real_tmux, pytest.mark.shells]

VERSION = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text("utf-8"),
                    re.M).group(1)  # type: ignore[union-attr]
PROXY = "http://proxy.test:3128"
BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")


def test_the_installed_copy_runs(installed: Installed) -> None:
    assert installed.ok("--version").stdout == f"clauderon {VERSION}\n"
    where = ok([installed.python, "-c", "import clauderon; print(clauderon.__file__)"],
               installed.env, cwd=installed.home).stdout.strip()
    assert Path(where).is_relative_to(installed.home), where  # not this checkout


def test_completion_scripts_come_from_the_wheel(installed: Installed) -> None:
    bash, fish = require("bash"), require("fish")
    for shell in ("bash", "zsh", "fish"):
        installed.ok("completions", "install", "--shell", shell)
    # bash: bash-completion's loader finds the installed script on the first TAB
    if not BASH_COMPLETION.is_file():
        message = f"{BASH_COMPLETION} is missing (apt-get install bash-completion)"
        if os.environ.get("CLAUDERON_REQUIRE_REAL") == "1":
            pytest.fail(f"{message} (CLAUDERON_REQUIRE_REAL=1)")
        pytest.skip(message)
    tab = ok([bash, "--norc", "--noprofile", "-c",
              f". {BASH_COMPLETION}; _completion_loader clauderon; "
              "COMP_WORDS=(clauderon att); COMP_CWORD=1; COMP_LINE='clauderon att'; "
              "COMP_POINT=13; _clauderon; printf '%s\\n' \"${COMPREPLY[@]}\""], installed.env)
    assert tab.stdout == "attach\n"
    # fish autoloads it from ~/.config/fish/completions
    tab = ok([fish, "-c", "complete -C 'clauderon att'"], installed.env)
    assert [line.split("\t")[0] for line in tab.stdout.splitlines()] == ["attach"]


def _rc_that_resets(installed: Installed, shell: str) -> None:
    """An rc file that sets TERM and drops the proxies before clauderon's block runs."""
    home = installed.home
    if shell == "bash":
        (home / ".bashrc").write_text("export TERM=vt100\nunset http_proxy HTTP_PROXY\n",
                                      encoding="utf-8")
    elif shell == "zsh":
        (home / ".zshrc").write_text("export TERM=vt100\nunset http_proxy HTTP_PROXY\n",
                                     encoding="utf-8")
    else:
        fish = home / ".config" / "fish"
        (fish / "conf.d").mkdir(parents=True, exist_ok=True)
        (fish / "config.fish").write_text("set -g fish_greeting\n", encoding="utf-8")
        # conf.d runs in name order: this before clauderon's block
        (fish / "conf.d" / "00-reset.fish").write_text(
            "set -gx TERM vt100\nset -e http_proxy\nset -e HTTP_PROXY\n", encoding="utf-8")


def _pane_env(installed: Installed, name: str, timeout: float = 20) -> dict[str, str]:
    """The session's shell writes its exported environment (``env -0``) to a file."""
    out = installed.home / f"env-{name}"
    line = f"/usr/bin/env -0 > '{out}.part'; mv '{out}.part' '{out}'"
    ok(["tmux", "send-keys", "-t", f"={name}:", "-l", line], installed.env)
    ok(["tmux", "send-keys", "-t", f"={name}:", "Enter"], installed.env)
    deadline = time.monotonic() + timeout
    while not out.exists():
        if time.monotonic() > deadline:
            screen = run(["tmux", "capture-pane", "-p", "-t", f"={name}:"], installed.env)
            raise AssertionError(f"the shell of {name} wrote no env; screen:\n{screen.stdout}")
        time.sleep(0.05)
    entries = out.read_bytes().decode("utf-8").split("\0")
    return dict(e.split("=", 1) for e in entries if e)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_install_hook_runs_in_a_session(installed: Installed, shell: str) -> None:
    require("tmux", "the sessions run in a real tmux server")
    program = require(f"/usr/bin/{shell}", f"the hook is run by a real {shell}")
    _rc_that_resets(installed, shell)
    installed.ok("shell", "install", "--shell", shell)
    (installed.home / ".config" / "clauderon" / "config.toml").write_text(
        f'default_backend = "tmux"\n[proxy]\nhttp = "{PROXY}"\n', encoding="utf-8")
    name = f"hook-{shell}"
    installed.ok("new", name, "--shell", program)
    try:
        env = _pane_env(installed, name)
    finally:
        installed.ok("kill", name)
    assert (env.get("CLAUDERON_SESSION"), env.get("CLAUDERON_HOOK")) == (name, "1")
    assert (env["TERM"], env.get("http_proxy"), env.get("HTTP_PROXY")) == (
        "xterm-256color", PROXY, PROXY)
