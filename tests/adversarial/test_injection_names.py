"""Special variable names x shells: every name clauderon/shellnames.py lists is shown to break
a real shell (bash, zsh, fish, dash) when a session's env file sets it, ordinary names are
shown not to, and `new --env` and config `env` refuse every listed name with one line naming
the variable and the shells (exit 2, nothing created)."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from realtools import require

from adversarial.stats import STATS
from adversarial.support import World, assert_one_line_error
from clauderon import shellnames
from clauderon.shellquote import render_env_file

pytestmark = pytest.mark.adversarial("injection")

SHELL_PROGRAMS = {"bash": "bash", "zsh": "zsh", "fish": "fish", "sh": "dash"}
VALUE = "clauderon-v"
# Ordinary names, with a value each could really have: they must work in every shell.
ORDINARY = {
    "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LC_CTYPE": "C.UTF-8",
    "LANGUAGE": "en", "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "SHELL":
    "/bin/bash", "USER": "someone", "LOGNAME": "someone", "EDITOR": "vi", "PAGER": "less",
    "http_proxy": "http://u:p@h:1", "HTTPS_PROXY": "http://h:1", "no_proxy": "localhost",
    "NO_PROXY": "localhost", "TZ": "UTC", "TMPDIR": "/tmp", "DISPLAY": ":0", "COLORTERM":
    "truecolor", "XDG_CONFIG_HOME": "/tmp/x", "Path": VALUE, "Status": VALUE, "uid": VALUE,
    "STATUS": VALUE, "VERSION": VALUE, "HOSTNAME": VALUE, "OLDPWD": "/tmp", "PS1": "$ ",
    "CDPATH": ".", "MAIL": "/var/mail/x", "ENV": "/nonexistent", "ANTHROPIC_API_KEY": VALUE,
    "CLAUDE_CONFIG_DIR": "/tmp", "NODE_OPTIONS": "--max-old-space-size=4096", "GOPATH": "/go",
    "A": VALUE, "_x": VALUE, "x_": VALUE, "FISH_X": VALUE, "ZSH_X": VALUE, "BASH_X": VALUE,
}


def _probe_script(shell: str, env_file: Path, name: str, value: str, program: str) -> str:
    """Source the env file, then fail unless: the file ran to its end, the shell holds
    exactly the value, a child process gets it, a child shell starts quietly, and (POSIX)
    words still split on spaces."""
    if shell == "fish":
        return (f"source {env_file}; and test \"$CLAUDERON_AFTER\" = 1; or exit 3\n"
                f"test \"${name}\" = '{value}'; or exit 4\n"
                f"env | grep -qx -- '{name}={value}'; or exit 5\n"
                f"test ({program} -c 'printf ok') = ok; or exit 6\n"
                "echo fine")
    return (f". {env_file}\n[ \"$CLAUDERON_AFTER\" = 1 ] || exit 3\n"
            f"eval 'v=${{{name}}}'; [ \"$v\" = '{value}' ] || exit 4\n"
            f"env | grep -qx -- '{name}={value}' || exit 5\n"
            f"[ \"$({program} -c 'printf ok')\" = ok ] || exit 6\n"
            "set -- $(echo 'x y'); [ $# = 2 ] || exit 7\n"
            "echo fine")


def misbehaves(shell: str, name: str, value: str, tmp: Path) -> str | None:
    """How ``shell`` mishandles an env file exporting ``name=value`` (None: it does not)."""
    program = require(SHELL_PROGRAMS[shell], "special names are proved on the real shell")
    kind = "fish" if shell == "fish" else "sh"
    env_file = tmp / f"{shell}-{name}.{kind}"
    env_file.write_text(render_env_file({name: value, "CLAUDERON_AFTER": "1"}, kind,
                                        session="probe"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "TERM": "xterm", "LANG": "C.UTF-8",
           "USER": "tester", "XDG_CONFIG_HOME": str(tmp / "config"),
           "XDG_DATA_HOME": str(tmp / "data")}
    try:
        got = subprocess.run([program, "-c", _probe_script(shell, env_file, name, value,
                                                           program)],
                             env=env, cwd=tmp, capture_output=True, text=True, timeout=30,
                             check=False)
    except subprocess.TimeoutExpired:
        return "hung"
    finally:
        env_file.unlink()
    STATS.add(f"envfile:{'bash' if shell == 'sh' else shell}")
    if got.returncode != 0 or got.stderr or got.stdout.strip() != "fine":
        return f"exit {got.returncode}: {got.stderr.strip()[-200:]}"
    return None


def test_every_listed_name_breaks_the_shells_it_is_listed_for(tmp_path: Path) -> None:
    jobs = [(shell, name) for shell, names in shellnames.SHELLS.items() for name in names]
    with ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = list(pool.map(lambda job: misbehaves(job[0], job[1], VALUE, tmp_path),
                                 jobs))
    harmless = [job for job, verdict in zip(jobs, verdicts, strict=True) if verdict is None]
    assert harmless == [], f"listed, but the shell handles them like any name: {harmless}"
    for shell, _name in jobs:
        STATS.add(f"names:shell:{shell}")
    STATS.add("names:special", len({name for _s, name in jobs}))


def test_ordinary_names_work_in_every_shell(tmp_path: Path) -> None:
    jobs = [(shell, name) for shell in shellnames.SHELLS for name in ORDINARY]
    with ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = list(pool.map(
            lambda job: misbehaves(job[0], job[1], ORDINARY[job[1]], tmp_path), jobs))
    broken = [(job, v) for job, v in zip(jobs, verdicts, strict=True) if v is not None]
    assert broken == []
    assert all(shellnames.refusal(name) is None for name in ORDINARY)
    STATS.add("names:ordinary", len(ORDINARY))


def test_new_and_config_refuse_every_special_name(world: World) -> None:
    """`new --env USERNAME=nobody` exited 0 (zsh then switched user as root), read-only names
    aborted the env file so the proxy variables stayed unset, and doctor said ✓."""
    names = sorted(set().union(*shellnames.SHELLS.values()))
    for name in names:
        shells = shellnames.special_in(name)
        line = assert_one_line_error(world.run("new", "s", "--env", f"{name}=nobody"), code=2)
        assert f"--env: {name} is a variable " in line, line
        for shell in shells:
            assert (shell if shell != "sh" else "sh (dash)") in line, (shell, line)
        STATS.add("names:rejected")
        STATS.add("injection:rejected")
    for name in ("USERNAME", "status", "path", "IFS", "_"):
        world.write_config(f'[zellij]\nenv = ["OK=1", "{name}=x"]\n')
        for args in (["new", "s"], ["list"], ["config", "show"]):
            line = assert_one_line_error(world.run(*args), code=2)
            assert f"zellij.env: {name} is a variable" in line, line
        STATS.add("names:rejected")
    world.write_config("")
    assert world.registry_names() == set() and world.env_file_names() == set()
    assert world.zellij_sessions() == set()
