"""Env files: any value arrives byte for byte in real bash, zsh and fish; sourcing runs nothing."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from adversarial.stats import STATS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shellrun import (
    SHELLS,
    RunShell,
    base_env,
    dump_cmd,
    quote,
    read_dump,
    shell_path,
    source_cmd,
    start_interactive,
)

from clauderon import paths, shellquote
from clauderon.shellquote import (
    env_file,
    quote_fish,
    quote_posix,
    remove_env_files,
    render_env_file,
    write_env_files,
)

pytestmark = pytest.mark.shells

EXAMPLES = int(os.environ.get("CLAUDERON_HYPOTHESIS_EXAMPLES", "200"))
BATCH = 50

NASTY = [
    "", " ", "'", "''", "'\\''", '"', "\\", "\\\\", "trailing\\", "\\n", "\\'", "a\\'b",
    "$HOME", "${HOME}", "$(id)", "`id`", "$((1+1))", "(echo x)", "{a,b}", "*", "~", "~root",
    "%s%d%n", "%", "!", "!!", "!$", "!-1", "^a^b", "a\nb", "\n", "line1\nline2\n", "\r\n", "\r",
    "\t", "#not a comment", "x # y", ";", "&&", "|", ">", "<", "a=b", "-e", "--", "-n",
    "ünïcødé ✓ 漢字 🚀", "\u2028\u2029", "\x7f", "\x1b[31m", "\x01\x02\x1f", "\ufeff",
    "\uf600\uf6ff\ufdd0\ufdef", "\U0010ffff", "http://user:p'a\"s$s@proxy:3128/",
    "'; touch /tmp/clauderon-pwned; '", "\\'; echo pwned; #",
]

values = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",))),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY), max_size=6).map("".join),
)
batches = st.lists(values, min_size=1, max_size=BATCH)


def _print_all_cmd(shell: str, source: Path, count: int, out: Path) -> str:
    """Source the env file, then print V0..Vn NUL-terminated (NUL cannot be in a value)."""
    args = " ".join(f'"$V{i}"' for i in range(count))
    return f"{source_cmd(shell, source)}; printf '%s\\0' {args} > {quote(shell, str(out))}"


def _roundtrip(batch: list[str], work: Path) -> dict[str, list[bytes]]:
    """Write ``batch`` as V0..Vn through the env files; bash, zsh and fish (running at the
    same time, one interactive shell each) print the values back."""
    env = base_env(work)
    names = [f"V{i}" for i in range(len(batch))]
    sh_file, fish_file = write_env_files("s", dict(zip(names, batch, strict=True)), env)
    running = {}
    for shell in SHELLS:
        out = work / f"{shell}.out"
        out.unlink(missing_ok=True)
        source = fish_file if shell == "fish" else sh_file
        command = _print_all_cmd(shell, source, len(batch), out)
        running[shell] = start_interactive(shell, command, env=env, rc="")
    results = {shell: run.finish() for shell, run in running.items()}
    for shell, result in results.items():
        assert result.output == "", f"{shell}: {result.output}"
    return {shell: (work / f"{shell}.out").read_bytes().split(b"\0")[:-1] for shell in SHELLS}


PWNED = Path("/tmp/clauderon-pwned")  # what the injection values in NASTY would create


def _check_batch(batch: list[str], work: Path) -> None:
    got = _roundtrip(batch, work)
    expected = [value.encode("utf-8") for value in batch]
    if PWNED.exists():
        STATS.add("injection:escapes")
        PWNED.unlink()
        raise AssertionError("sourcing an env file ran a command")
    for shell in SHELLS:
        assert len(got[shell]) == len(batch), shell
        for i, (value, seen) in enumerate(zip(batch, got[shell], strict=True)):
            assert seen == expected[i], f"{shell}: V{i}={value!r} came back as {seen!r}"
        # Counted for the adversarial suite's figures (at least 2,000 per shell in CI).
        STATS.add(f"envfile:{shell}", len(batch))


@pytest.fixture
def all_shells() -> None:
    for shell in SHELLS:
        shell_path(shell)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@example(batch=NASTY)
@example(batch=["x" * 65536, "'" * 5000, "\\" * 5001, "\n" * 3000])
@given(batch=batches)
def test_any_value_roundtrips_byte_exact(batch: list[str], tmp_path: Path,
                                         all_shells: None) -> None:
    """One example = up to 50 values, checked in real interactive bash, zsh and fish."""
    _check_batch(batch, tmp_path)  # the same HOME for every example: files are rewritten


INJECTIONS = [
    "$(touch {m})", "`touch {m}`", "'; touch {m}; '", "'\\''; touch {m}; #", "\ntouch {m}\n",
    "\\'; touch {m}; #", "(touch {m})", '"; touch {m}; "', "$(touch {m})'`touch {m}`'",
    "\\\ntouch {m}", "'\n touch {m}\n'", "%(touch {m})", "!touch {m}",
]


def test_sourcing_runs_nothing(shell: str, run_shell: RunShell, shell_env: dict[str, str],
                               tmp_path: Path, out_dir: Path) -> None:
    marker = tmp_path / "pwned"
    batch = [text.format(m=marker) for text in INJECTIONS]
    names = [f"V{i}" for i in range(len(batch))]
    written = write_env_files("s", dict(zip(names, batch, strict=True)), shell_env)
    source = written[1] if shell == "fish" else written[0]
    result = run_shell(shell, f"{source_cmd(shell, source)}; {dump_cmd(shell, names, out_dir)}")
    assert result.output == ""
    assert not marker.exists(), "sourcing the env file ran a command"
    got = read_dump(out_dir, names)
    assert [got[n] for n in names] == [v.encode() for v in batch]


def test_header_names_session_and_cannot_be_escaped() -> None:
    text = render_env_file({"A": "1"}, "sh", session="api\nexport PWNED=1")
    lines = text.splitlines()
    assert lines[0].startswith("#") and "api\\nexport PWNED=1" in lines[0]
    assert "generated by clauderon" in text.lower()
    assert [line for line in lines if not line.startswith("#")] == ["export A='1'"]


def test_render_keeps_order_and_formats() -> None:
    variables = {"TERM": "xterm-256color", "http_proxy": "http://h:1", "A_1": "it's"}
    sh = render_env_file(variables, "sh", session="s").splitlines()[2:]
    fish = render_env_file(variables, "fish", session="s").splitlines()[2:]
    assert sh == ["""[ "${TERM+x}${TERM-}" = x'xterm-256color' ] && export TERM || """
                  "export TERM='xterm-256color'",
                  "export http_proxy='http://h:1'", "export A_1='it'\\''s'"]
    assert fish == ["""set -qx TERM; and test (count $TERM) -eq 1; and test "x$TERM" = """
                    "x'xterm-256color'; or set -gx TERM 'xterm-256color'",
                    "set -gx http_proxy 'http://h:1'",
                    "set -gx A_1 'it\\'s'", "true"]


@pytest.mark.parametrize("name", ["", "1A", "A-B", "A B", "A=B", "Ä", "A\n", "$A", "A;B"])
def test_invalid_names_are_rejected(name: str) -> None:
    for sh in ("sh", "fish"):
        with pytest.raises(ValueError, match="invalid environment variable name"):
            render_env_file({name: "x"}, sh, session="s")  # type: ignore[arg-type]


def test_nul_in_value_is_rejected(shell_env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="NUL"):
        render_env_file({"A": "a\x00b"}, "sh", session="s")
    with pytest.raises(ValueError, match="NUL"):
        write_env_files("s", {"A": "a\x00b"}, shell_env)
    assert not env_file("s", "sh", shell_env).exists()


def test_quoting_primitives() -> None:
    assert quote_posix("") == "''"
    assert quote_posix("a'b") == "'a'\\''b'"
    assert quote_fish("") == "''"
    assert quote_fish("a'b\\") == "'a\\'b\\\\'"
    assert quote_fish("\\n") == "'\\\\n'"


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../x", "a\x00"])
def test_bad_session_names_are_rejected(name: str, shell_env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        write_env_files(name, {"A": "1"}, shell_env)


def test_paths_and_removal(shell_env: dict[str, str]) -> None:
    written = write_env_files("api-x", {"A": "1"}, shell_env)
    base = paths.session_env_dir(shell_env)
    assert written == [base / "api-x.sh", base / "api-x.fish"]
    assert env_file("api-x", "bash", shell_env) == env_file("api-x", "zsh", shell_env)
    assert env_file("api-x", "fish", shell_env) == base / "api-x.fish"
    remove_env_files("api-x", shell_env)
    assert not any(p.exists() for p in written)
    remove_env_files("api-x", shell_env)  # missing is fine
    assert sorted(os.listdir(base)) == []


def test_modes_are_private_even_with_a_lax_umask(shell_env: dict[str, str]) -> None:
    base = paths.session_env_dir(shell_env)
    old = os.umask(0)
    try:
        written = write_env_files("s", {"http_proxy": "http://u:secret@h:1"}, shell_env)
    finally:
        os.umask(old)
    assert stat.S_IMODE(base.stat().st_mode) == 0o700
    assert [stat.S_IMODE(p.stat().st_mode) for p in written] == [0o600, 0o600]


def test_existing_loose_dir_is_tightened(shell_env: dict[str, str]) -> None:
    base = paths.session_env_dir(shell_env)
    base.mkdir(parents=True)
    base.chmod(0o755)
    write_env_files("s", {"A": "1"}, shell_env)
    assert stat.S_IMODE(base.stat().st_mode) == 0o700


def test_file_is_never_readable_by_others_not_even_before_the_rename(
    shell_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []
    real_replace = os.replace

    def checking_replace(src: str | Path, dst: str | Path) -> None:
        seen.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    real_open = os.open
    created_modes: list[int] = []

    def recording_open(path: str | Path, flags: int, mode: int = 0o777, **kw: object) -> int:
        if flags & os.O_CREAT:
            created_modes.append(mode)
        return real_open(path, flags, mode, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(shellquote.os, "replace", checking_replace)
    monkeypatch.setattr(shellquote.os, "open", recording_open)
    write_env_files("s", {"A": "1"}, shell_env)
    assert seen == [0o600, 0o600]
    assert created_modes == [0o600, 0o600]


def test_failed_write_leaves_old_file_and_no_temp(
    shell_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_env_files("s", {"A": "old"}, shell_env)

    def broken_replace(src: str | Path, dst: str | Path) -> None:
        raise OSError("simulated crash")

    monkeypatch.setattr(shellquote.os, "replace", broken_replace)
    with pytest.raises(OSError, match="simulated"):
        write_env_files("s", {"A": "new"}, shell_env)
    base = paths.session_env_dir(shell_env)
    assert sorted(os.listdir(base)) == ["s.fish", "s.sh"]
    assert "export A='old'" in (base / "s.sh").read_text()


# TERM and the locale variables are assigned only when they differ (assigning them makes bash
# and zsh reload the terminal description or the locale). Whatever the shell had before, the
# variable must end up set to the value, byte for byte, and exported.
BEFORE = {
    "unset": "unset {n}",
    "different": "export {n}=other",
    "equal, exported": "export {n}={v}",
    "equal, not exported": "unset {n}; {n}={v}",
    "empty": "export {n}=",
}


BEFORE_FISH = {
    "unset": "set -e {n}",
    "different": "set -gx {n} other",
    "equal, exported": "set -gx {n} {v}",
    "equal, not exported": "set -e {n}; set -g {n} {v}",
    "a list holding it": "set -gx {n} {v} {v}",
    "empty": "set -gx {n} ''",
}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("name", ["TERM", "LC_PAPER"])
def test_costly_variables_end_up_exact_and_exported(shell: str, name: str,
                                                    tmp_path: Path) -> None:
    exe = shell_path(shell)
    env = base_env(tmp_path)
    fish = shell == "fish"
    q = quote_fish if fish else quote_posix
    for value in [*NASTY, "xterm-256color"]:
        (sh_file, fish_file) = write_env_files("s", {name: value}, env)
        for label, before in (BEFORE_FISH if fish else BEFORE).items():
            out = tmp_path / "out"
            script = (before.format(n=name, v=q(value)) + "\n"
                      f"source {q(str(fish_file if fish else sh_file))}\n"
                      f"printf '%s\\0' \"${name}\" > {q(str(out))}\n"
                      f"/usr/bin/env -0 >> {q(str(out))}\n")
            if fish:
                argv = [exe, "--no-config"]
            elif shell == "bash":
                argv = [exe, "--norc", "--noprofile"]
            else:
                argv = [exe, "-f"]
            subprocess.run([*argv, "-c", script], env=env, check=True,
                           capture_output=True)  # stderr: locale warnings for odd values
            got, *exported = out.read_bytes().split(b"\0")
            assert got == value.encode(), (label, value)
            assert f"{name}={value}".encode() in exported, (label, value)
        STATS.add(f"envfile:{shell}", len(BEFORE_FISH if fish else BEFORE))
