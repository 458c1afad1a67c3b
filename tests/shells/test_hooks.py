"""The static hooks in shell/, sourced by real interactive bash, zsh and fish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shellrun import HOOKS, POSIX_SHELLS, RunShell, dump_cmd, quote, read_dump, source_cmd

from clauderon import paths
from clauderon.shellquote import write_env_files

pytestmark = pytest.mark.shells

SESSION_VARS = {
    "TERM": "xterm-256color",
    "COLORTERM": "truecolor",
    "http_proxy": "http://user:p'a\"s$(id)`id`!@proxy.example:3128/",
    "HTTPS_PROXY": "http://user:pa\\ss%21@proxy.example:3128",
    "no_proxy": "localhost,127.0.0.1,.internal",
    "CLAUDERON_SESSION": "api-fix",
}
CHECKED = [*SESSION_VARS, "CLAUDERON_HOOK"]


def hook_rc(shell: str, times: int = 1, before: str = "") -> str:
    """An rc file: ``before``, then the documented one-line hook, ``times`` times."""
    line = f"{source_cmd(shell, HOOKS[shell])}\n"
    return before + line * times


def expected(**overrides: str | None) -> dict[str, bytes | None]:
    values: dict[str, str | None] = {**SESSION_VARS, "CLAUDERON_HOOK": "1", **overrides}
    return {k: None if v is None else v.encode() for k, v in values.items()}


@pytest.fixture
def session_files(shell_env: dict[str, str]) -> list[Path]:
    return write_env_files("api-fix", SESSION_VARS, shell_env)


def run_and_dump(run_shell: RunShell, shell: str, out_dir: Path, *, rc: str,
                 env: dict[str, str | None] | None = None,
                 names: list[str] | None = None) -> tuple[str, dict[str, bytes | None]]:
    names = names or CHECKED
    result = run_shell(shell, dump_cmd(shell, names, out_dir), rc=rc, env=env)
    return result.output, read_dump(out_dir, names)


def leftovers_cmd(shell: str, out: Path) -> str:
    """Print every variable or function whose name starts with __clauderon."""
    target = quote(shell, str(out))
    if shell == "bash":
        return f"{{ compgen -v __clauderon; compgen -A function __clauderon; }} > {target}"
    if shell == "zsh":
        return (f"print -l -- ${{(k)parameters[(I)__clauderon*]}} "
                f"${{(k)functions[(I)__clauderon*]}} > {target}")
    return (f"begin; set -n | string match -- '__clauderon*'; "
            f"functions -a | string match -- '__clauderon*'; end > {target}")


# ---------------------------------------------------------------------------------------------


def test_inside_a_session_everything_arrives_byte_exact(
    shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path],
) -> None:
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                               env={"CLAUDERON_SESSION": "api-fix"})
    assert output == ""
    assert got == expected()


def test_zellij_session_name_is_the_fallback(
    shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path],
) -> None:
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                               env={"ZELLIJ_SESSION_NAME": "api-fix"})
    assert output == ""
    assert got == expected()


def test_clauderon_session_wins_over_zellij(
    shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path],
    shell_env: dict[str, str],
) -> None:
    write_env_files("other", {"TERM": "wrong"}, shell_env)
    _, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                          env={"CLAUDERON_SESSION": "api-fix", "ZELLIJ_SESSION_NAME": "other"})
    assert got == expected()


def test_outside_a_session_nothing_happens(
    shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path],
) -> None:
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell))
    assert output == ""
    assert got["CLAUDERON_HOOK"] is None
    assert got["http_proxy"] is None
    assert got["TERM"] == b"xterm"


@pytest.mark.parametrize("session", [None, "api-fix"])
def test_nothing_is_left_defined(
    shell: str, run_shell: RunShell, tmp_path: Path, session_files: list[Path],
    session: str | None,
) -> None:
    out = tmp_path / "left"
    result = run_shell(shell, leftovers_cmd(shell, out), rc=hook_rc(shell),
                       env={"CLAUDERON_SESSION": session})
    assert result.output == ""
    assert out.read_text().strip() == ""


@pytest.mark.parametrize("session", [None, "api-fix", "missing"])
def test_exit_status_is_kept(
    shell: str, run_shell: RunShell, tmp_path: Path, session_files: list[Path],
    session: str | None,
) -> None:
    out = tmp_path / "status"
    target = quote(shell, str(out))
    hook = source_cmd(shell, HOOKS[shell])
    if shell == "fish":
        command = (f"function __t_fail; return 42; end; __t_fail; {hook}; echo $status > {target}; "
                   f"true; {hook}; echo $status >> {target}")
    else:
        command = f"(exit 42); {hook}; echo $? > {target}; true; {hook}; echo $? >> {target}"
    result = run_shell(shell, command, rc="", env={"CLAUDERON_SESSION": session})
    assert result.output == ""
    assert out.read_text().split() == ["42", "0"]


def test_sourcing_twice_is_harmless(
    shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path],
) -> None:
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell, times=2),
                               env={"CLAUDERON_SESSION": "api-fix"})
    assert output == ""
    assert got == expected()


NOUNSET = {"bash": "set -u\n", "zsh": "setopt nounset\n"}


@pytest.mark.parametrize("session", [None, "api-fix", "missing"])
@pytest.mark.parametrize("posix_shell", POSIX_SHELLS)
def test_nounset_is_safe(
    posix_shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path],
    session: str | None,
) -> None:
    env: dict[str, str | None] = {"CLAUDERON_SESSION": session, "XDG_STATE_HOME": None,
                                  "ZELLIJ_SESSION_NAME": None}
    output, got = run_and_dump(run_shell, posix_shell, out_dir,
                               rc=hook_rc(posix_shell, before=NOUNSET[posix_shell]), env=env)
    assert output == ""
    assert (got["CLAUDERON_HOOK"] == b"1") == (session is not None)
    if session == "api-fix":
        assert got == expected()


def test_missing_env_file_is_silent(shell: str, run_shell: RunShell, out_dir: Path) -> None:
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                               env={"CLAUDERON_SESSION": "nothing-here"})
    assert output == ""
    assert got["CLAUDERON_HOOK"] == b"1"  # the hook ran; doctor reports the missing file
    assert got["http_proxy"] is None


def test_env_path_that_is_not_a_file_is_ignored(
    shell: str, run_shell: RunShell, out_dir: Path, shell_env: dict[str, str],
) -> None:
    suffix = "fish" if shell == "fish" else "sh"
    (paths.session_env_dir(shell_env) / f"weird.{suffix}").mkdir(parents=True)
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                               env={"CLAUDERON_SESSION": "weird"})
    assert output == ""
    assert got["http_proxy"] is None


def test_rc_that_breaks_term_and_proxy_before_the_hook_is_repaired(
    shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path],
) -> None:
    if shell == "fish":
        before = "set -gx TERM dumb\nset -e http_proxy\nset -e HTTPS_PROXY\n"
    else:
        before = "export TERM=dumb\nunset http_proxy HTTPS_PROXY\n"
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell, before=before),
                               env={"CLAUDERON_SESSION": "api-fix", "TERM": "screen",
                                    "http_proxy": "http://stale:1"})
    assert output == ""
    assert got == expected()


def test_hook_starts_no_subprocess(
    shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path], tmp_path: Path,
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                               env={"CLAUDERON_SESSION": "api-fix", "PATH": str(empty)})
    assert "not found" not in output.lower() and "unknown command" not in output.lower()
    assert output == ""
    assert got == expected()


@pytest.mark.parametrize("name", ["a/b", "../api-fix", "/api-fix"])
def test_session_name_with_a_slash_is_refused(
    shell: str, run_shell: RunShell, out_dir: Path, shell_env: dict[str, str], name: str,
) -> None:
    base = paths.session_env_dir(shell_env)
    write_env_files("api-fix", SESSION_VARS, shell_env)
    (base / "a").mkdir()
    for suffix in ("sh", "fish"):
        (base / "a" / f"b.{suffix}").write_bytes((base / f"api-fix.{suffix}").read_bytes())
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                               env={"CLAUDERON_SESSION": name})
    assert output == ""
    assert got["http_proxy"] is None
    assert got["CLAUDERON_HOOK"] is None


def test_absolute_xdg_state_home_is_used(
    shell: str, run_shell: RunShell, out_dir: Path, tmp_path: Path,
) -> None:
    state = tmp_path / "elsewhere state"
    write_env_files("api-fix", SESSION_VARS, {"XDG_STATE_HOME": str(state), "HOME": "/nonexistent"})
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                               env={"CLAUDERON_SESSION": "api-fix", "XDG_STATE_HOME": str(state)})
    assert output == ""
    assert got == expected()


def test_relative_xdg_state_home_is_ignored(
    shell: str, run_shell: RunShell, out_dir: Path, session_files: list[Path], home: Path,
) -> None:
    decoy = home / "rel" / "clauderon" / "sessions"
    decoy.mkdir(parents=True)
    (decoy / "api-fix.sh").write_text("export TERM=decoy\n")
    (decoy / "api-fix.fish").write_text("set -gx TERM decoy\n")
    output, got = run_and_dump(run_shell, shell, out_dir, rc=hook_rc(shell),
                               env={"CLAUDERON_SESSION": "api-fix", "XDG_STATE_HOME": "rel"})
    assert output == ""
    assert got == expected()


def test_hook_files_have_no_command_substitution() -> None:
    for shell, path in HOOKS.items():
        code = [line for line in path.read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
        text = "\n".join(code)
        assert "$(" not in text and "`" not in text, shell
        if shell == "fish":  # fish substitutes with (...)
            assert not re.search(r"[()]", text), "fish hook must not use command substitution"
