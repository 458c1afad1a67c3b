"""The fake ``zellij`` checked against the contract (docs/zellij.md, "What clauderon relies on
in Zellij's CLI").

Numbers in test names group the behaviours (1 --version, 2 list-sessions, 3 attach -b, 4
interactive attach, 5 zellij -s, 6 layouts, 7 name length, 8-10 kill/delete, 17 state and
knobs). Outputs are
compared as exact bytes, streams and exit codes, across the versions where they differ.
The ``real_zellij`` scenarios at the end run the same key steps against a real Zellij.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from .fakezellij import (
    FAKE_ZELLIJ,
    FAKE_ZELLIJ_DIR,
    FAKE_ZELLIJ_IMPL,
    VERSIONS,
    add_exited_session,
    cache_dir,
    exited_sessions,
    fake_env,
    name_budget,
    read_log,
    read_session,
    running_sessions,
    session_info_dir,
    session_names,
    session_state,
    set_created,
    socket_dir,
)

T0 = 1_700_000_000.0
NO_SESSIONS = b"No active zellij sessions found.\n"
ALL_VERSIONS = pytest.mark.parametrize("version", VERSIONS)
B_VERSIONS = [v for v in VERSIONS if v != "0.39.0"]  # attach -b exists from 0.40.0


def zj(
    env: dict[str, str],
    *args: str,
    cwd: Path | str | None = None,
    timeout: float = 20,
    extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run the fake with exact bytes captured."""
    if cwd is None:
        cwd = Path(env["HOME"]).parent / "work"
    return subprocess.run(
        [str(FAKE_ZELLIJ), *args],
        env={**env, **(extra or {})},
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def ok(env: dict[str, str], *args: str, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    r = zj(env, *args, **kw)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


def at(env: dict[str, str], when: float) -> dict[str, str]:
    return {**env, "FAKE_ZELLIJ_NOW": str(when)}


def assert_hang(cases: list[tuple[dict[str, str], tuple[str, ...]]], wait: float = 0.6) -> None:
    """Each (env, args) invocation must still be running after ``wait`` seconds."""
    procs = []
    for env, args in cases:
        procs.append(
            subprocess.Popen(
                [str(FAKE_ZELLIJ), *args],
                env=env,
                cwd=Path(env["HOME"]).parent / "work",
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    time.sleep(wait)
    try:
        for p, (_env, args) in zip(procs, cases, strict=True):
            assert p.poll() is None, (args, p.returncode, p.communicate())
    finally:
        for p in procs:
            p.kill()
            p.communicate()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return fake_env(tmp_path)


@pytest.fixture
def make(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _make(version: str, **kw: Any) -> dict[str, str]:
        return fake_env(tmp_path / version, version, **kw)

    return _make


# ---------------------------------------------------------------------------------------------
# 1. --version
# ---------------------------------------------------------------------------------------------


@ALL_VERSIONS
def test_01_version(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    for flag in ("--version", "-V"):
        r = zj(e, flag)
        assert (r.returncode, r.stdout, r.stderr) == (0, f"zellij {version}\n".encode(), b"")
    # every invocation creates the cache and session_info dirs (section 6)
    assert session_info_dir(e).is_dir()
    sub = "contract_version_1" if version >= "0.44" else version
    assert session_info_dir(e) == Path(e["XDG_CACHE_HOME"]) / "zellij" / sub / "session_info"
    assert not Path(e["ZELLIJ_SOCKET_DIR"]).exists()  # only a server creates the socket dir


def test_01_version_knobs(env: dict[str, str]) -> None:
    r = zj(env, "--version", extra={"FAKE_ZELLIJ_VERSION_OUTPUT": "zellij 9.9.9-nightly (abc)"})
    assert (r.returncode, r.stdout) == (0, b"zellij 9.9.9-nightly (abc)")
    r = zj(env, "-V", extra={"FAKE_ZELLIJ_VERSION": "0.46.0-dev"})
    assert r.stdout == b"zellij 0.46.0-dev\n"
    r = zj(env, "-V", extra={"FAKE_ZELLIJ_VERSION": "banana"})
    assert r.returncode == 64 and b"FAKE_ZELLIJ_VERSION" in r.stderr


# ---------------------------------------------------------------------------------------------
# 2. list-sessions
# ---------------------------------------------------------------------------------------------


@ALL_VERSIONS
def test_02_ls_nothing(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    for args in (
        ("ls",),
        ("list-sessions", "-s") if version < "0.44" else ("ls", "--no-formatting"),
    ):
        r = zj(e, *args)
        assert (r.returncode, r.stdout, r.stderr) == (1, b"", NO_SESSIONS)


def _sample(e: dict[str, str]) -> None:
    """The contract's sample: old-proj (EXITED), fabulous-lemur, work (current)."""
    ok(at(e, T0 - 100_921), "attach", "-b", "old-proj")
    ok(at(e, T0 - 50), "kill-session", "old-proj")
    ok(at(e, T0 - 7384), "attach", "-b", "fabulous-lemur")
    ok(at(e, T0 - 312), "attach", "-b", "work")


SAMPLE_N = (
    b"old-proj [Created 1day 4h 2m 1s ago] (EXITED - attach to resurrect)\n"
    b"fabulous-lemur [Created 2h 3m 4s ago] \n"
    b"work [Created 5m 12s ago] (current)\n"
)
SAMPLE_COLOUR = (
    b"\x1b[32;1mold-proj\x1b[m [Created \x1b[35;1m1day 4h 2m 1s\x1b[m ago] "
    b"(\x1b[31;1mEXITED\x1b[m - attach to resurrect)\n"
    b"\x1b[32;1mfabulous-lemur\x1b[m [Created \x1b[35;1m2h 3m 4s\x1b[m ago] \n"
    b"\x1b[32;1mwork\x1b[m [Created \x1b[35;1m5m 12s\x1b[m ago] (current)\n"
)


@pytest.mark.parametrize("version", ["0.40.0", "0.45.0"])
def test_02_ls_formats_and_order(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    _sample(e)
    inside = {**at(e, T0), "ZELLIJ_SESSION_NAME": "work"}
    r = zj(inside, "ls", "-n")
    assert (r.returncode, r.stdout, r.stderr) == (0, SAMPLE_N, b"")
    r = zj(inside, "ls")  # colour although stdout is a pipe
    assert (r.returncode, r.stdout, r.stderr) == (0, SAMPLE_COLOUR, b"")
    r = zj(inside, "ls", "-s")
    assert r.stdout == b"old-proj\nfabulous-lemur\nwork\n"
    r = zj(inside, "ls", "-n", "-r")
    assert r.stdout == b"".join(reversed(SAMPLE_N.splitlines(keepends=True)))
    assert (
        zj(inside, "list-sessions", "--short", "--reverse").stdout
        == b"work\nfabulous-lemur\nold-proj\n"
    )


def test_02_ls_039_newest_first_no_reverse(make) -> None:  # type: ignore[no-untyped-def]
    e = make("0.39.0")
    ok(at(e, T0 - 100), "-s", "older", extra={"FAKE_ZELLIJ_ATTACH": "exit"})
    ok(at(e, T0 - 10), "-s", "newer")
    r = zj(at(e, T0), "ls", "-n")
    assert r.stdout == b"newer [Created 10s ago] \nolder [Created 1m 40s ago] \n"
    r = zj(e, "ls", "-r")
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.startswith(b"error: Found argument '-r' which wasn't expected")
    assert r.stderr.endswith(b"For more information try --help\n")


AGES = [
    (0, "0s"),
    (59, "59s"),
    (61, "1m 1s"),
    (3600, "1h"),
    (2 * 3600 + 37 * 60, "2h 37m"),
    (90_061, "1day 1h 1m 1s"),
    (2 * 86400 + 3 * 3600, "2days 3h"),
    (2_630_016 + 2 * 86400, "1month 2days"),
    (2 * 2_630_016, "2months"),
    (31_557_600, "1year"),
    (2 * 31_557_600 + 5, "2years 5s"),
]


def test_02_humantime_ages(env: dict[str, str]) -> None:
    for i, (secs, _text) in enumerate(AGES):
        add_exited_session(env, f"s{i:02d}", created=T0 - secs)
    lines = zj(at(env, T0 + 0.9), "ls", "-n", "-r").stdout.decode().splitlines()
    assert lines == [
        f"s{i:02d} [Created {text} ago] (EXITED - attach to resurrect)"
        for i, (_secs, text) in enumerate(AGES)
    ]
    ok(at(env, T0 - 61), "attach", "-b", "running")
    assert b"\nrunning [Created 1m 1s ago] \n" in zj(at(env, T0 + 0.9), "ls", "-n").stdout


def test_02_future_birth_is_zero_and_current_wins_over_exited(env: dict[str, str]) -> None:
    ok(at(env, T0 + 500), "attach", "-b", "future")
    add_exited_session(env, "dead", created=T0 - 5)
    r = zj({**at(env, T0), "ZELLIJ_SESSION_NAME": "dead"}, "ls", "-n")
    assert r.stdout == b"dead [Created 5s ago] (current)\nfuture [Created 0s ago] \n"


@pytest.mark.parametrize(
    ("version", "listed"),
    [
        ("0.39.0", False),
        ("0.40.0", False),
        ("0.41.0", False),
        ("0.43.1", True),
        ("0.44.0", True),
    ],
)
def test_02_unparsable_resurrection_layout(make, version: str, listed: bool) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    add_exited_session(e, "broken", "layout { pane bogus=1 }\n", created=T0 - 3)
    r = zj(at(e, T0), "ls", "-n")
    if listed:
        assert r.stdout == b"broken [Created 3s ago] (EXITED - attach to resurrect)\n"
    else:
        assert (r.returncode, r.stderr) == (1, NO_SESSIONS)


@pytest.mark.parametrize(
    ("version", "out"),
    [
        ("0.43.0", b"empty [Created 0s ago] (EXITED - attach to resurrect)\n"),  # regression #4354
        ("0.43.1", b""),
    ],
)
def test_02_empty_session_folder(make, version: str, out: bytes) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    (session_info_dir(e) / "empty").mkdir(parents=True)
    assert zj(e, "ls", "-n").stdout == out


def test_02_045_prunes_empty_session_folders(make) -> None:  # type: ignore[no-untyped-def]
    e = make("0.45.0")
    (session_info_dir(e) / "empty").mkdir(parents=True)
    add_exited_session(e, "kept")
    ok(e, "--version")
    assert sorted(p.name for p in session_info_dir(e).iterdir()) == ["kept"]


def test_02_running_and_exited_mixed_running_wins(env: dict[str, str]) -> None:
    ok(at(env, T0 - 30), "attach", "-b", "a")
    add_exited_session(env, "a", created=T0 - 999)  # same name in both sets
    add_exited_session(env, "b", created=T0 - 20)
    ok(at(env, T0 - 10), "attach", "-b", "c")
    assert zj(at(env, T0), "ls", "-n").stdout == (
        b"a [Created 30s ago] \nb [Created 20s ago] (EXITED - attach to resurrect)\n"
        b"c [Created 10s ago] \n"
    )


def test_02_ls_unreadable_socket_dir(env: dict[str, str]) -> None:
    ok(env, "attach", "-b", "x")
    if os.geteuid() == 0:
        pytest.skip("root reads any directory")
    socket_dir(env).chmod(0)
    try:
        r = zj(env, "ls")
        assert (r.returncode, r.stdout, r.stderr) == (1, b"", b"Error occurred: PermissionDenied\n")
    finally:
        socket_dir(env).chmod(0o700)


# ---------------------------------------------------------------------------------------------
# 3. attach -b
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", B_VERSIONS)
def test_03_attach_b_create_exists_resurrect(make, tmp_path: Path, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version, extra={"TERM": "xterm-kitty", "MY_VAR": "one"})
    here = tmp_path / "proj"
    here.mkdir()
    r = zj(e, "attach", "-b", "s1", cwd=here)
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    rec = read_session(e, "s1")
    assert rec["state"] == "running" and rec["cwd"] == str(here)
    assert rec["env"]["MY_VAR"] == "one" and rec["env"]["TERM"] == "xterm-kitty"
    assert rec["shell"] == "/bin/sh" and rec["created_by"] == "attach -b"
    assert [p["id"] for p in rec["panes"]] == [0] and rec["panes"][0]["cwd"] == str(here)
    sock = socket_dir(e)
    assert stat.S_IMODE(sock.stat().st_mode) == 0o700 and (sock / "s1").is_file()

    r = zj(e, "attach", "--create-background", "s1")
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", b"Session already exists\n")

    ok(e, "kill-session", "s1")
    assert session_state(e, "s1") == "exited"
    there = tmp_path / "elsewhere"
    there.mkdir()
    r = zj(e, "attach", "-b", "s1", cwd=there, extra={"MY_VAR": "two", "TERM": "dumb"})
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    rec = read_session(e, "s1")
    assert rec["state"] == "running" and rec["resurrections"] == 1
    assert (
        rec["cwd"] == str(there) and rec["env"]["MY_VAR"] == "two" and rec["env"]["TERM"] == "dumb"
    )
    assert rec["panes"][0]["cwd"] == str(here)  # panes come back where they were
    assert exited_sessions(e) == []


def test_03_attach_b_039_is_a_clap_error(make) -> None:  # type: ignore[no-untyped-def]
    r = zj(make("0.39.0"), "attach", "-b", "x")
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr == (
        b"error: Found argument '-b' which wasn't expected, or isn't valid in this context\n\n"
        b"\tIf you tried to supply `-b` as a value rather than a flag, use `-- -b`\n\n"
        b"USAGE:\n    zellij attach [OPTIONS] [SESSION_NAME] [SUBCOMMAND]\n\n"
        b"For more information try --help\n"
    )


def test_03_clap4_unknown_argument(make) -> None:  # type: ignore[no-untyped-def]
    r = zj(make("0.45.0"), "attach", "--bogus")
    assert r.returncode == 2
    assert r.stderr.startswith(b"error: unexpected argument '--bogus' found\n")
    assert r.stderr.endswith(b"For more information, try '--help'.\n")


@pytest.mark.parametrize("version", ["0.40.0", "0.45.0"])
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", b"Session name cannot be empty. Please provide a specific session name.\n"),
        ("   ", b"Session name cannot be empty. Please provide a specific session name.\n"),
        (".", b'Invalid session name: ".".\n'),
        ("..", b'Invalid session name: "..".\n'),
        ("a/b", b"Session name cannot contain '/'.\n"),
    ],
)
def test_03_name_validation(make, version: str, name: str, message: bytes) -> None:  # type: ignore[no-untyped-def]
    r = zj(make(version), "attach", "-b", name)
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", message)


def test_03_odd_names_are_fine(env: dict[str, str]) -> None:
    for name in ("with space", "ünï-cödé", "-dash", "[x]"):
        ok(env, "attach", "-b", "--", name)
    listed = zj(env, "ls", "-s").stdout.decode().splitlines()
    assert sorted(listed) == sorted(["with space", "ünï-cödé", "-dash", "[x]"])


@pytest.mark.parametrize("version", ["0.44.1", "0.45.0"])
def test_03_socket_path_too_long_error(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    budget = name_budget(e)
    ok(e, "attach", "-b", "n" * budget)
    name = "n" * (budget + 1)
    r = zj(e, "attach", "-b", name)
    path = f"{socket_dir(e)}/{name}"
    assert (r.returncode, r.stdout) == (1, b"")
    assert (
        r.stderr
        == (
            f"Error: the IPC socket path is too long ({len(path)} bytes, max 107):\n  {path}\n\n"
            "This is usually caused by a long $TMPDIR path.\nTo fix this, set a shorter socket "
            "directory, eg.:\n  ZELLIJ_SOCKET_DIR=/tmp/zellij zellij\n"
        ).encode()
    )
    assert len(path) == 108


def test_03_socket_path_too_long_hangs_before_0441(make) -> None:  # type: ignore[no-untyped-def]
    cases = []
    for version in ("0.40.0", "0.43.1", "0.44.0"):
        e = make(version)
        cases.append((e, ("attach", "-b", "x" * (name_budget(e) + 1))))
    e = make("0.41.0")
    cases.append((e, ("attach", "-c", "y" * (name_budget(e) + 1))))
    assert_hang(cases)


def test_03_attach_b_without_a_name_is_not_emulated(env: dict[str, str]) -> None:
    """Zellij picks a random name; clauderon always names its sessions."""
    r = zj(env, "attach", "-b")
    assert r.returncode == 70 and b"not emulated" in r.stderr
    assert running_sessions(env) == []
    ok(env, "attach", "-b", "one")
    r = zj(env, "attach", "-b")  # one running session: resolves to attach, which -b refuses
    assert (r.returncode, r.stderr) == (1, b"Session already exists\n")


def test_03_concurrent_distinct_and_same_name(env: dict[str, str]) -> None:
    names = [f"c{i}" for i in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda n: zj(env, "attach", "-b", n), names))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results if r.returncode]
    assert running_sessions(env) == sorted(names)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: zj(env, "attach", "-b", "same"), range(20)))
    assert sorted(r.returncode for r in results) == [0] + [1] * 19
    assert {r.stderr for r in results if r.returncode} == {b"Session already exists\n"}
    assert len(zj(env, "ls", "-s").stdout.splitlines()) == 51


def test_03_concurrent_resurrection_only_once(env: dict[str, str]) -> None:
    ok(env, "attach", "-b", "r")
    ok(env, "kill-session", "r")
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: zj(env, "attach", "-b", "r"), range(10)))
    assert sorted(r.returncode for r in results) == [0] + [1] * 9
    assert read_session(env, "r")["resurrections"] == 1


def test_03_fail_after_create(env: dict[str, str]) -> None:
    r = zj(env, "attach", "-b", "half", extra={"FAKE_ZELLIJ_FAIL_AFTER_CREATE": "1"})
    assert (
        r.returncode == 1
        and r.stdout == b""
        and r.stderr.startswith(b"Error occurred in server:\n")
    )
    assert session_state(env, "half") == "running"


def test_03_kill_keeps_no_record_with_serialization_off(env: dict[str, str], tmp_path: Path
                                                        ) -> None:
    cfg = tmp_path / "noser.kdl"
    cfg.write_text("session_serialization false\n")
    ok(env, "attach", "-b", "ns", extra={"ZELLIJ_CONFIG_FILE": str(cfg)})
    ok(env, "kill-session", "ns")
    assert session_state(env, "ns") is None
    r = zj(env, "attach", "-b", "x", "options", "--session-serialization", "false")
    assert r.returncode == 70  # `attach NAME options ...`: not emulated


# ---------------------------------------------------------------------------------------------
# 4. interactive attach
# ---------------------------------------------------------------------------------------------


def test_04_interactive_attach_resolution(env: dict[str, str]) -> None:
    ok(env, "attach", "-b", "foobar")
    r = zj(env, "attach", "fo")  # unique prefix
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    assert len(read_session(env, "foobar")["attaches"]) == 1
    ok(env, "a", "foobar")
    assert len(read_session(env, "foobar")["attaches"]) == 2
    r = zj(env, "attach", "zzz")
    assert (r.returncode, r.stdout, r.stderr) == (
        1,
        b"",
        b"No session with the name 'zzz' found!\n",
    )
    # one running session and no name: attach to it
    ok(env, "attach")
    ok(env, "attach", "-b", "foobaz")
    r = zj(env, "attach", "foo")
    assert r.returncode == 1 and r.stderr == b""
    head, *lines = r.stdout.splitlines(keepends=True)
    assert head == b"Ambiguous selection: multiple sessions names start with 'foo':\n"
    assert sorted(lines) == [
        b"\x1b[32;1mfoobar\x1b[m [Created \x1b[35;1m0s\x1b[m ago] \n",
        b"\x1b[32;1mfoobaz\x1b[m [Created \x1b[35;1m0s\x1b[m ago] \n",
    ]
    ok(env, "attach", "foobar")  # exact match beats the prefix


@pytest.mark.parametrize("version", ["0.39.0", "0.43.1", "0.45.0"])
def test_04_several_sessions_no_name_lists_with_exit_0(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    ok(at(e, T0 - 20), "-s", "one")
    ok(at(e, T0 - 10), "-s", "two")
    r = zj(at(e, T0), "attach")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == (
        b"Please specify the session to attach to, either by using the full name or a unique "
        b"prefix.\n"
        b"The following sessions are active:\n"
        b"\x1b[32;1mtwo\x1b[m [Created \x1b[35;1m10s\x1b[m ago] \n"
        b"\x1b[32;1mone\x1b[m [Created \x1b[35;1m20s\x1b[m ago] \n"
    )


def test_04_no_sessions(env: dict[str, str]) -> None:
    r = zj(env, "attach")
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", NO_SESSIONS)
    r = zj(env, "attach", "-c")  # Zellij would create a random session: not emulated
    assert r.returncode == 70 and running_sessions(env) == []


def test_04_exited_resurrects_and_create(env: dict[str, str], tmp_path: Path) -> None:
    ok(env, "attach", "-b", "old", extra={"V": "creator"})
    ok(env, "kill-session", "old")
    ok(env, "attach", "old", extra={"V": "attacher"})
    rec = read_session(env, "old")
    assert rec["state"] == "running" and rec["env"]["V"] == "attacher" and len(rec["attaches"]) == 1
    ok(env, "attach", "-c", "brand-new")
    rec = read_session(env, "brand-new")
    assert rec["created_by"] == "attach -c" and rec["attaches"][0]["kind"] == "new"


@pytest.mark.parametrize("version", ["0.39.0", "0.43.1", "0.45.0"])
def test_04_nesting_guard_panics(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    ok(e, "-s", "work")
    r = zj(e, "attach", "work", extra={"ZELLIJ_SESSION_NAME": "work"})
    assert r.returncode == 101 and r.stdout == b""
    assert (
        b'You are trying to attach to the current session ("work"). This is not supported.'
        in r.stderr
    )
    assert r.stderr.startswith(b"thread 'main' panicked at ")


def test_04_attach_block_mode(env: dict[str, str]) -> None:
    ok(env, "attach", "-b", "blk")
    blocked = {**env, "FAKE_ZELLIJ_ATTACH": "block"}
    p1 = subprocess.Popen(
        [str(FAKE_ZELLIJ), "attach", "blk"],
        env=blocked,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(env["HOME"]).parent / "work",
    )
    p2 = subprocess.Popen(
        [str(FAKE_ZELLIJ), "attach", "blk"],
        env=blocked,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(env["HOME"]).parent / "work",
    )
    try:
        deadline = time.time() + 10
        while read_session(env, "blk")["clients"] < 2 and time.time() < deadline:
            time.sleep(0.05)
        assert read_session(env, "blk")["clients"] == 2
        p1.send_signal(signal.SIGTERM)
        assert p1.wait(10) == 0
        assert read_session(env, "blk")["clients"] == 1
        ok(env, "kill-session", "blk")  # the remaining client says goodbye
        out, errs = p2.communicate(timeout=10)
        assert (p2.returncode, out, errs) == (0, b"Bye from Zellij!\n", b"")
    finally:
        for p in (p1, p2):
            p.kill()
            p.communicate()


# ---------------------------------------------------------------------------------------------
# 5. zellij -s NAME
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.39.0", "0.44.0"])
def test_05_dash_s_new_session(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    ok(e, "-s", "n1")
    assert read_session(e, "n1")["created_by"] == "new"
    r = zj(e, "-s", "n1")
    assert (r.returncode, r.stderr) == (1, b"")
    assert r.stdout == (
        b'Session with name "n1" already exists. Use attach command to connect to '
        b"it or specify a different name.\n"
    )
    ok(e, "kill-session", "n1")
    r = zj(e, "--session", "n1")
    assert (r.returncode, r.stderr) == (1, b"")
    assert r.stdout == (
        b'Session with name "n1" already exists, but is dead. Use the attach command '
        b"to resurrect it or, the delete-session command to kill it or specify a "
        b"different name.\n"
    )
    r = zj(e)  # plain `zellij`: Zellij picks a random name; not emulated
    assert r.returncode == 70


def test_05_dead_trap_with_unparsable_layout_040(make) -> None:  # type: ignore[no-untyped-def]
    e = make("0.40.0")
    add_exited_session(e, "trap", "layout { nonsense 1 }\n")
    r = zj(e, "attach", "-c", "trap")
    assert r.returncode == 1 and b"already exists, but is dead" in r.stdout
    e = make("0.43.1")
    add_exited_session(e, "trap", "layout { nonsense 1 }\n")
    r = zj(e, "attach", "-c", "trap")
    layout = session_info_dir(e) / "trap" / "session-layout.kdl"
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.startswith(f"Failed to parse resurrection layout file {layout}: ".encode())
    assert r.stderr.endswith(b".\n")


# ---------------------------------------------------------------------------------------------
# 6. layouts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.41.0", "0.44.0"])
def test_06_l_with_a_target_session_is_not_emulated(make, version: str) -> None:  # type: ignore[no-untyped-def]
    """0.41+: ``-l`` with ``-s``/``$ZELLIJ_SESSION_NAME`` adds a tab to that session. The fake
    refuses loudly (exit 70) rather than start a session; ``-n`` always starts one."""
    e = make(version)
    ok(e, "attach", "-b", "t")
    r = zj(e, "-s", "t", "-l", "compact", "attach", "-b", "ignored")
    assert r.returncode == 70 and b"adds a tab" in r.stderr
    r = zj(e, "-l", "compact", "attach", "-b", "new", extra={"ZELLIJ_SESSION_NAME": "t"})
    assert r.returncode == 70
    assert running_sessions(e) == ["t"]
    ok(e, "-n", "compact", "attach", "-b", "new", extra={"ZELLIJ_SESSION_NAME": "t"})
    assert read_session(e, "new")["layout_resolved"]["name"] == "compact"


@pytest.mark.parametrize("sub", ["action", "run", "edit", "setup", "kill-all-sessions", "ka",
                                 "delete-all-sessions", "list-aliases", "options", "pipe"])
def test_17_subcommands_clauderon_does_not_use_are_refused(env: dict[str, str], sub: str) -> None:
    r = zj(env, sub, "x")
    assert r.returncode == 70 and b"not emulated" in r.stderr, r


def test_06_l_is_a_new_session_before_041(make) -> None:  # type: ignore[no-untyped-def]
    e = make("0.40.0")
    ok(e, "-l", "strider", "attach", "-b", "x")
    ok(e, "-s", "y", "-l", "compact")
    assert running_sessions(e) == ["x", "y"]
    assert read_session(e, "x")["layout_resolved"] == {
        "kind": "builtin",
        "name": "strider",
        "path": None,
        "swap_path": None,
    }
    r = zj(e, "-n", "compact", "attach", "-b", "z")
    assert r.returncode == 2 and r.stderr.startswith(b"error: Found argument '-n'")


def test_06_layout_resolution(env: dict[str, str], tmp_path: Path) -> None:
    work = tmp_path / "work"
    r = zj(env, "-n", "nope", "attach", "-b", "x")
    assert (r.returncode, r.stdout, r.stderr) == (
        1,
        b"",
        b"IoError: The layout was not found, File: nope\n",
    )
    r = zj(env, "-n", "missing.kdl", "attach", "-b", "x")
    assert r.stderr == b"IoError: No such file or directory (os error 2), File: missing.kdl\n"
    r = zj(env, "-n", "./sub/thing", "attach", "-b", "x")
    assert r.stderr == b"IoError: No such file or directory (os error 2), File: ./sub/thing\n"
    # a ./NAME.kdl in the cwd is not found by the bare name
    (work / "mine.kdl").write_text('layout {\n    pane command="htop"\n}\n')
    r = zj(env, "-n", "mine", "attach", "-b", "x")
    assert r.stderr == b"IoError: The layout was not found, File: mine\n"
    # ... but the path form is, with .kdl appended
    ok(env, "-n", "./mine", "attach", "-b", "p1")
    rec = read_session(env, "p1")
    assert rec["layout"] == "./mine" and rec["layout_resolved"]["path"] == str(work / "mine.kdl")
    assert rec["panes"][0]["command"] == "htop"
    # the layout dir: <config dir>/layouts; a user default.kdl overrides the built-in
    layouts = Path(env["HOME"]) / ".config" / "zellij" / "layouts"
    layouts.mkdir(parents=True)
    (layouts / "default.kdl").write_text('layout {\n    pane name="user-default"\n}\n')
    (layouts / "mine.kdl").write_text('layout {\n    pane name="from-dir"\n}\n')
    ok(env, "attach", "-b", "p2")
    assert read_session(env, "p2")["panes"][0]["name"] == "user-default"
    ok(env, "-n", "mine", "attach", "-b", "p3")
    assert read_session(env, "p3")["panes"][0]["name"] == "from-dir"
    # ZELLIJ_LAYOUT_DIR is never read; ZELLIJ_CONFIG_DIR is
    other = tmp_path / "other-config"
    (other / "layouts").mkdir(parents=True)
    (other / "layouts" / "only-here.kdl").write_text('layout {\n    pane name="cfgdir"\n}\n')
    r = zj(
        env,
        "-n",
        "only-here",
        "attach",
        "-b",
        "p4",
        extra={"ZELLIJ_LAYOUT_DIR": str(other / "layouts")},
    )
    assert r.returncode == 1
    ok(env, "-n", "only-here", "attach", "-b", "p4", extra={"ZELLIJ_CONFIG_DIR": str(other)})
    ok(env, "--config-dir", str(other), "-n", "only-here", "attach", "-b", "p5")
    assert read_session(env, "p5")["panes"][0]["name"] == "cfgdir"


LAYOUT_ERRORS = [
    ("pane\n", "No layout found"),
    ("layout {\n}\nlayout {\n}\n", "Only one layout node per file allowed"),
    ("pane\nlayout {\n}\n", 'This node should be inside the main "layout" node'),
    ("layout {\n    tab\n    pane\n}\n", "Cannot have both tabs and panes in the same node"),
    ("layout {\n    pane\n    tab\n}\n", "Cannot have both tabs and panes in the same node"),
    ("layout {\n    tab focus=true\n    tab focus=true\n}\n", "Only one tab can be focused"),
    ("layout {\n    pane foo=1\n}\n", "Unknown pane property: foo"),
    ("layout {\n    pane {\n        bar 1\n    }\n}\n", "Unknown pane property: bar"),
    ("layout {\n    widget\n}\n", "Unknown layout node: 'widget'"),
    ("layout {\n    pane size=0\n}\n", "size should be greater than 0"),
    (
        'layout {\n    pane size="abc"\n}\n',
        "size should be a fixed number (eg. 1) or a quoted percent",
    ),
    ("layout {\n    pane size=1.5\n}\n", "size should be a fixed number"),
    ("layout {\n    pane {\n        size\n    }\n}\n", "size cannot be bare"),
    (
        'layout {\n    pane split_direction="diagonal"\n}\n',
        'split_direction should be either "horizontal" or "vertical" found: diagonal',
    ),
    (
        'layout {\n    pane {\n        args "-l"\n    }\n}\n',
        "args can only be specified if a command was specified either in the pane_template or in "
        "the pane",
    ),
    (
        "layout {\n    pane close_on_exit=true\n}\n",
        "close_on_exit can only be specified if a command was specified",
    ),
    (
        "layout {\n    pane start_suspended=true\n}\n",
        "start_suspended can only be specified if a command",
    ),
    ('layout {\n    pane command="x" {\n        args\n    }\n}\n', "args cannot be empty"),
    (
        'layout {\n    pane command="x" edit="y"\n}\n',
        "cannot have both a command and an edit instruction for the same pane",
    ),
    (
        'layout {\n    pane command="x" {\n        plugin location="zellij:strider"\n    }\n}\n',
        "Cannot have both a command/edit and a plugin block for a single pane",
    ),
    ("layout {\n    pane {\n        plugin\n    }\n}\n", "Plugins must have a location"),
    (
        'layout {\n    tab {\n        name "x"\n    }\n}\n',
        "Tab property 'name' must be placed on the tab title line and not in the child braces",
    ),
    ('layout {\n    tab color="red"\n}\n', "Invalid tab property"),
    ('layout {\n    pane_template name="pane"\n}\n', "Node name 'pane' is a reserved word."),
    (
        'layout {\n    pane_template name="x"\n    tab_template name="x"\n}\n',
        'There is already a pane_template with the name "x"',
    ),
    (
        'layout {\n    pane_template name="t" {\n        children a=1\n    }\n}\n',
        "Invalid `children` properties",
    ),
    ("layout {\n    pane stacked=true\n}\n", "Stacked panes must have child panes"),
    ("layout {\n    pane expanded=true\n}\n", "expanded can only be set on a pane inside a stack"),
    ("layout {\n    pane borderless=#true\n}\n", "Failed to deserialize KDL node"),
    ('layout {\n    pane "unterminated\n}\n', "Unclosed string"),
    ("layout {\n    pane\n", "Expected a closing '}'"),
    ("layout {\n    pane size=1 borderless\n}\n", "Failed to deserialize KDL node"),
]


@pytest.mark.parametrize(("text", "message"), LAYOUT_ERRORS)
def test_06_layout_validation_errors(
    env: dict[str, str], tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "work" / "l.kdl").write_text(text)
    r = zj(env, "-n", "l.kdl", "attach", "-b", "x")
    assert r.returncode == 1 and r.stdout == b""
    first, rest = r.stderr.decode().split("\n", 1)
    assert "Failed to parse Zellij configuration" in first
    assert message in rest
    assert rest.rstrip().endswith(
        "help: For more information, please see our configuration guide: "
        "https://zellij.dev/documentation/configuration.html"
    )
    assert "l.kdl:" in rest
    assert running_sessions(env) == []


VALID_LAYOUTS = [
    'layout {\n    pane size=1 borderless=true {\n        plugin location="zellij:tab-bar"\n    }\n'
    '    pane\n    pane size=2 borderless=true {\n        plugin location="zellij:status-bar"\n   '
    " }\n}\n",
    'layout { pane; pane split_direction="vertical" { pane size="30%"; pane; } }',
    '/* comment */ layout {\n    // line comment\n    /- pane command="gone"\n    pane '
    'command=r#"my "cmd""# {\n'
    '        args "a" "b"\n        close_on_exit true\n    }\n}\ndefault_shell "fish"\n',
    'layout {\n    pane_template name="logs" { command "tail"; }\n    logs { args "-f" "x"; }\n'
    '    pane_template name="box" { pane; children; }\n    box { pane command="top"; }\n}\n',
    "layout {\n    pane stacked=true {\n        pane\n        pane expanded=true\n    }\n"
    '    floating_panes {\n        pane x=1 y="10%" width=10 command="htop"\n    }\n}\n',
    'layout {\n    swap_tiled_layout name="s" {\n        tab max_panes=4 {\n            pane\n    '
    "    }\n    }\n"
    '    new_tab_template {\n        pane\n    }\n    tab name="only" '
    "hide_floating_panes=true\n}\n",
]


@pytest.mark.parametrize("text", VALID_LAYOUTS)
def test_06_valid_layouts(env: dict[str, str], tmp_path: Path, text: str) -> None:
    (tmp_path / "work" / "v.kdl").write_text(text)
    r = zj(env, "-n", "./v.kdl", "attach", "-b", "v")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")


def test_06_full_example_layout(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "work" / "full.kdl").write_text("""\
layout {
    cwd "/home/u/proj"
    default_tab_template {
        pane size=1 borderless=true { plugin location="zellij:tab-bar"; }
        children
        pane size=2 borderless=true { plugin location="zellij:status-bar"; }
    }
    pane_template name="logs" { command "tail"; }
    tab name="main" focus=true split_direction="vertical" {
        pane command="htop" name="top" {
            args "-d" "10"
            cwd "sub"
            close_on_exit true
            start_suspended false
        }
        logs { args "-f" "/var/log/syslog"; }
        pane size="30%"
    }
    tab name="two" cwd="other" { pane; }
}
default_shell "/bin/fish"
""")
    ok(env, "-n", "full.kdl", "attach", "-b", "full")
    rec = read_session(env, "full")
    assert [t["name"] for t in rec["tabs"]] == ["main", "two"]
    panes = [
        (p["id"], p["tab"], p["name"], p["command"], p["args"], p["cwd"]) for p in rec["panes"]
    ]
    assert panes == [
        (0, 0, "top", "htop", ["-d", "10"], "/home/u/proj/sub"),
        (1, 0, None, "tail", ["-f", "/var/log/syslog"], "/home/u/proj"),
        (2, 0, None, None, [], "/home/u/proj"),
        (3, 1, None, None, [], "/home/u/proj/other"),
    ]
    assert rec["shell"] == "/bin/fish"  # root nodes of a layout are config
    assert len(rec["plugins"]) == 4 and rec["focused_pane"] == 0


@pytest.mark.parametrize(
    ("version", "ok_bare"), [("0.39.0", False), ("0.40.0", True), ("0.45.0", True)]
)
def test_06_plugin_aliases(make, tmp_path: Path, version: str, ok_bare: bool) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    work = Path(e["HOME"]).parent / "work"
    (work / "a.kdl").write_text(
        'layout {\n    pane {\n        plugin location="tab-bar"\n    }\n}\n'
    )
    flag = "-l" if version < "0.41" else "-n"
    r = zj(e, flag, "a.kdl", "-s", "a")
    if ok_bare:
        assert r.returncode == 0
    else:
        assert r.returncode == 1 and b"relative URL without a base" in r.stderr
    (work / "z.kdl").write_text(
        'layout {\n    pane {\n        plugin location="zellij:tab-bar"\n    }\n}\n'
    )
    assert zj(e, flag, "z.kdl", "-s", "z").returncode == 0


@pytest.mark.parametrize("version", ["0.39.0", "0.40.0", "0.41.0", "0.45.0"])
def test_06_builtin_layouts(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    names = ["default", "compact", "strider", "disable-status-bar"]
    names += ["welcome"] if version >= "0.40" else []
    names += ["classic"] if version >= "0.41" else []
    flag = "-n" if version >= "0.41" else "-l"
    for i, name in enumerate(names):
        r = zj(e, flag, name, "-s", f"b{i}")
        assert r.returncode == 0, (name, r.stderr)
    if version < "0.41":
        assert zj(e, flag, "classic", "-s", "nope").returncode == 1


def test_06_config_file_errors_and_values(env: dict[str, str], tmp_path: Path) -> None:
    cfg = tmp_path / "cfg.kdl"
    cfg.write_text(
        'default_shell "/bin/dash"\nenv {\n    FROM_CONFIG "yes"\n}\nsession_serialization false\n'
    )
    ok(env, "-c", str(cfg), "attach", "-b", "c1")
    rec = read_session(env, "c1")
    assert (
        rec["shell"] == "/bin/dash" and rec["config_file"] == str(cfg) and not rec["serialization"]
    )
    assert rec["config_env"] == {"FROM_CONFIG": "yes"}
    ok(env, "attach", "-b", "c2", extra={"ZELLIJ_CONFIG_FILE": str(cfg)})
    assert read_session(env, "c2")["shell"] == "/bin/dash"
    cfg.write_text('keybinds {\n    normal "unterminated\n}\n')
    r = zj(env, "-c", str(cfg), "attach", "-b", "c3")
    assert r.returncode == 1 and b"Failed to parse Zellij configuration" in r.stderr.splitlines()[0]


# ---------------------------------------------------------------------------------------------
# 7. global -s length
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.39.0", "0.44.1", "0.45.0"])
def test_07_global_session_length(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    name = "s" * (name_budget(e) + 1)
    r = zj(e, "-s", name, "ls")
    assert r.returncode == 2 and r.stdout == b""
    if version == "0.45.0":
        assert (
            r.stderr
            == (
                f"error: invalid value '{name}' for '--session <SESSION>': session name "
                "must be less than 0 characters\n\nFor more information, try '--help'.\n"
            ).encode()
        )
    else:
        assert (
            r.stderr
            == (
                f"error: Invalid value \"{name}\" for '--session <SESSION>': session name "
                "must be less than 0 characters\n\nFor more information try --help\n"
            ).encode()
        )
    r = zj(e, f"--session={name}", "ls")
    assert r.returncode == 2
    ok(e, "-s", "s" * name_budget(e))


# ---------------------------------------------------------------------------------------------
# 8-11. kill / delete
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.39.0", "0.45.0"])
def test_08_kill_session(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    r = zj(e, "kill-session")
    assert (r.returncode, r.stdout, r.stderr) == (
        1,
        b"Please specify the session name to kill.\n",
        b"",
    )
    r = zj(e, "kill-session", "ghost")
    assert (r.returncode, r.stdout, r.stderr) == (1, b'No session named "ghost" found.\n', b"")
    ok(e, "-s", "alpha")
    r = zj(e, "k", "alphx")
    assert (r.returncode, r.stdout) == (
        1,
        b'No session named "alphx" found.\n  help: Did you mean `alpha`?\n',
    )
    r = zj(e, "k", "zzzzz")
    assert (r.returncode, r.stdout) == (1, b'No session named "zzzzz" found.\n')
    r = zj(e, "kill-session", 'we"ird\\')
    assert r.stdout == b'No session named "we\\"ird\\\\" found.\n'
    r = zj(e, "kill-session", "alpha")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    assert session_state(e, "alpha") == "exited"
    assert zj(e, "ls", "-n").stdout.endswith(b"(EXITED - attach to resurrect)\n")
    r = zj(e, "kill-session", "alpha")  # EXITED does not count
    assert (r.returncode, r.stdout) == (1, b'No session named "alpha" found.\n')
    rec = read_session(e, "alpha")
    assert rec["killed"] and rec["layout_file"].endswith("alpha/session-layout.kdl")


def test_08_kill_without_record(env: dict[str, str]) -> None:
    no_record = {**env, "FAKE_ZELLIJ_KILL_KEEPS_RECORD": "0"}
    ok(no_record, "attach", "-b", "v")
    ok(no_record, "kill-session", "v")
    assert session_names(env) == []
    r = zj(env, "ls", "-n")
    assert (r.returncode, r.stderr) == (1, NO_SESSIONS)
    # like Zellij, the (now empty) session_info folder stays behind
    assert (session_info_dir(env) / "v").is_dir()


@pytest.mark.parametrize("version", ["0.43.1", "0.44.0"])
def test_10_delete_session(make, version: str) -> None:  # type: ignore[no-untyped-def]
    e = make(version)
    r = zj(e, "delete-session")
    assert (r.returncode, r.stdout) == (1, b"Please specify the session name to delete.\n")
    r = zj(e, "delete-session", "none")
    assert (r.returncode, r.stdout, r.stderr) == (2, b"", b'Session: "none" not found.\n')
    ok(e, "attach", "-b", "live")
    r = zj(e, "delete-session", "live")
    assert (r.returncode, r.stderr) == (1, b"")
    assert (
        r.stdout
        == b'A session by the name "live" exists and is active, use --force to delete it.\n'
    )
    r = zj(e, "d", "--force", "live")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == (
        b'A session by the name "live" exists and is active, but will be force killed '
        b'and deleted.\nSession: "live" successfully deleted.\n'
    )
    assert session_names(e) == []
    ok(e, "attach", "-b", "gone")
    ok(e, "kill-session", "gone")
    r = zj(e, "delete-session", "gone")
    assert (r.returncode, r.stdout, r.stderr) == (
        0,
        b'Session: "gone" successfully deleted.\n',
        b"",
    )
    r = zj(e, "delete-session", "a/b")
    if version >= "0.44":
        assert (r.returncode, r.stdout, r.stderr) == (1, b"", b"Session name cannot contain '/'.\n")
    else:
        assert (r.returncode, r.stderr) == (2, b'Session: "a/b" not found.\n')
    # it removes the folder whatever is in it (no session-layout.kdl needed)
    (session_info_dir(e) / "odd").mkdir()
    if version < "0.45":
        r = zj(e, "delete-session", "odd")
        assert (r.returncode, r.stdout) == (0, b'Session: "odd" successfully deleted.\n')


# ---------------------------------------------------------------------------------------------
# 12. session targeting for action/run/edit
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# 13-15. new-pane / run / dump-screen / write-chars
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# 16. setup
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# 17. environment and state locations
# ---------------------------------------------------------------------------------------------


def test_17_socket_dir_choice(tmp_path: Path) -> None:
    base = fake_env(tmp_path, "0.44.0")
    del base["ZELLIJ_SOCKET_DIR"]
    runtime = tmp_path / "run"
    runtime.mkdir()
    ok({**base, "XDG_RUNTIME_DIR": str(runtime)}, "attach", "-b", "r1")
    assert (runtime / "zellij" / "contract_version_1" / "r1").is_file()
    ok({**base, "XDG_RUNTIME_DIR": "relative/dir"}, "attach", "-b", "t1")
    uid = os.getuid()
    assert (Path(base["TMPDIR"]) / f"zellij-{uid}" / "contract_version_1" / "t1").is_file()
    assert stat.S_IMODE((Path(base["TMPDIR"]) / f"zellij-{uid}").stat().st_mode) == 0o700
    # a caller with another runtime dir sees other sessions (socket-dir drift)
    assert zj({**base, "XDG_RUNTIME_DIR": str(runtime)}, "ls", "-s").stdout == b"r1\n"


def test_17_versions_do_not_share_sessions_before_044(tmp_path: Path) -> None:
    env = fake_env(tmp_path, "0.43.1")
    ok(env, "attach", "-b", "old")
    assert zj({**env, "FAKE_ZELLIJ_VERSION": "0.43.0"}, "ls").returncode == 1
    ok({**env, "FAKE_ZELLIJ_VERSION": "0.44.0"}, "attach", "-b", "new")
    assert zj({**env, "FAKE_ZELLIJ_VERSION": "0.45.0"}, "ls", "-s").stdout == b"new\n"
    assert cache_dir({**env, "FAKE_ZELLIJ_VERSION": "0.45.0"}).name == "contract_version_1"


def test_17_log_knob(env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    e = {**env, "FAKE_ZELLIJ_LOG": str(log)}
    ok(e, "--version")
    zj({**e, "ZELLIJ": "0", "ZELLIJ_SESSION_NAME": "outer", "ZELLIJ_PANE_ID": "3"}, "ls", "-n")
    first, second = read_log(log)
    assert first["argv"] == ["--version"] and first["cwd"] == str(tmp_path / "work")
    assert first["env"] == {"ZELLIJ": None, "ZELLIJ_SESSION_NAME": None, "ZELLIJ_PANE_ID": None}
    assert second["env"] == {"ZELLIJ": "0", "ZELLIJ_SESSION_NAME": "outer", "ZELLIJ_PANE_ID": "3"}


def test_17_hang_and_garbage_knobs(env: dict[str, str]) -> None:
    r = zj(env, "ls", extra={"FAKE_ZELLIJ_GARBAGE": "ls"})
    assert r.returncode == 0 and b"[Created" not in r.stdout and r.stdout
    assert zj(env, "-V", extra={"FAKE_ZELLIJ_HANG": "ls"}).returncode == 0
    assert_hang(
        [
            ({**env, "FAKE_ZELLIJ_HANG": "ls"}, ("list-sessions", "-n")),
            ({**env, "FAKE_ZELLIJ_HANG": "attach,kill-session"}, ("kill-session", "x")),
            ({**env, "FAKE_ZELLIJ_HANG": "--version"}, ("-V",)),
            ({**env, "FAKE_ZELLIJ_HANG": "action:write-chars"}, ("action", "write-chars", "x")),
        ],
        wait=0.6,
    )


def test_17_set_created_helper(env: dict[str, str]) -> None:
    ok(env, "attach", "-b", "aged")
    set_created(env, "aged", T0 - 3600)
    assert zj(at(env, T0), "ls", "-n").stdout == b"aged [Created 1h ago] \n"
    assert read_session(env, "aged")["created"] == T0 - 3600


def test_17_fake_is_fast_and_standalone(env: dict[str, str]) -> None:
    assert FAKE_ZELLIJ.read_text().startswith("#!/usr/bin/env python3\n")
    assert os.access(FAKE_ZELLIJ, os.X_OK)
    for src in (FAKE_ZELLIJ.read_text(), FAKE_ZELLIJ_IMPL.read_text()):
        assert "import clauderon" not in src and "from clauderon" not in src
    heavy = {"subprocess", "shutil", "json", "typing", "re", "random", "pathlib", "fcntl"}
    ok(env, "attach", "-b", "one")
    for args in (["-V"], ["ls", "-n"], ["list-sessions", "--short"]):
        r = subprocess.run(
            ["/usr/bin/env", "python3", "-S", "-X", "importtime", str(FAKE_ZELLIJ), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(env["HOME"]),
            check=False,
        )
        assert r.returncode == 0
        imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
        assert not heavy & imported, (args, heavy & imported)


def test_17_many_sessions_ls_is_quick(env: dict[str, str]) -> None:
    sock = socket_dir(env)
    sock.mkdir(parents=True)
    for i in range(1000):
        (sock / f"s{i:04d}").write_text("{}")
    start = time.perf_counter()
    r = ok(env, "ls", "-n")
    elapsed = time.perf_counter() - start
    assert len(r.stdout.splitlines()) == 1000
    assert elapsed < 2.0


# ---------------------------------------------------------------------------------------------
# The same key scenarios against a real Zellij (skipped when there is none)
# ---------------------------------------------------------------------------------------------


def _real_zellij() -> str | None:
    fake_dir = str(FAKE_ZELLIJ_DIR)
    path = os.pathsep.join(
        p
        for p in os.environ.get("PATH", "").split(os.pathsep)
        if p and os.path.realpath(p) != os.path.realpath(fake_dir)
    )
    return shutil.which("zellij", path=path)


REAL = _real_zellij()


def _scenario_env(tmp_path: Path) -> dict[str, str]:
    env = fake_env(tmp_path, extra={"TERM": "xterm-256color"})
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    cfg = tmp_path / "config.kdl"
    cfg.write_text("show_startup_tips false\nshow_release_notes false\n")
    env["ZELLIJ_CONFIG_FILE"] = str(cfg)
    return env


def _version_of(exe: str, env: dict[str, str]) -> tuple[int, ...]:
    out = subprocess.run(
        [exe, "--version"], env=env, capture_output=True, text=True, timeout=20
    ).stdout
    return tuple(int(x) for x in out.split()[-1].split("-")[0].split(".")[:3])


def scenario(exe: str, env: dict[str, str], cwd: Path) -> None:
    """Create with attach -b, list, refuse a second create, kill, delete."""

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [exe, *args], env=env, cwd=cwd, capture_output=True, timeout=30, check=False
        )

    name = "fzscn"
    r = run("attach", "-b", name)
    assert (r.returncode, r.stdout) == (0, b""), r
    deadline = time.time() + 20
    while run("ls", "-s").stdout.splitlines() != [name.encode()] and time.time() < deadline:
        time.sleep(0.2)
    r = run("ls", "-n")
    assert r.returncode == 0
    assert r.stdout.startswith(f"{name} [Created ".encode()) and r.stdout.endswith(b"ago] \n")
    r = run("ls")
    assert r.stdout.startswith(f"\x1b[32;1m{name}\x1b[m [Created \x1b[35;1m".encode())
    r = run("attach", "-b", name)
    assert (r.returncode, r.stderr.strip()) == (1, b"Session already exists")
    r = run("delete-session", name)
    assert r.returncode == 1 and b"exists and is active, use --force" in r.stdout
    r = run("kill-session", name)
    assert (r.returncode, r.stdout) == (0, b"")
    deadline = time.time() + 20
    while True:
        r = run("ls", "-n")
        still_running = any(
            line.startswith(f"{name} [Created ".encode()) and not line.endswith(b"resurrect)")
            for line in r.stdout.splitlines()
        )
        if not still_running or time.time() > deadline:
            break
        time.sleep(0.2)
    assert not still_running
    # EXITED or gone, depending on whether it was serialized
    assert (r.returncode == 0 and r.stdout.endswith(b"(EXITED - attach to resurrect)\n")) or (
        r.returncode,
        r.stderr,
    ) == (1, NO_SESSIONS)
    r = run("delete-session", name)
    assert r.returncode in (0, 2)
    r = run("delete-session", name)
    assert (r.returncode, r.stderr) == (2, f'Session: "{name}" not found.\n'.encode())
    r = run("ls", "-n")
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", NO_SESSIONS)
    r = run("kill-session", name)
    assert (r.returncode, r.stdout) == (1, f'No session named "{name}" found.\n'.encode())


def test_scenario_against_the_fake(env: dict[str, str], tmp_path: Path) -> None:
    scenario(str(FAKE_ZELLIJ), env, tmp_path / "work")
    ok(env, "attach", "-b", "fzscn")
    ok(env, "kill-session", "fzscn")  # the fake keeps the record by default
    assert zj(env, "ls", "-n").stdout.endswith(b"(EXITED - attach to resurrect)\n")


@pytest.mark.real_zellij
@pytest.mark.skipif(REAL is None, reason="no real zellij on PATH")
def test_real_zellij_scenario(tmp_path: Path) -> None:
    assert REAL is not None
    env = _scenario_env(tmp_path)
    if _version_of(REAL, env) < (0, 40, 0):
        pytest.skip("attach --create-background needs zellij 0.40+")
    scenario(REAL, env, tmp_path / "work")


@pytest.mark.real_zellij
@pytest.mark.skipif(REAL is None, reason="no real zellij on PATH")
def test_real_zellij_empty_and_errors(tmp_path: Path) -> None:
    assert REAL is not None
    env = _scenario_env(tmp_path)
    fake = fake_env(tmp_path / "fake", ".".join(map(str, _version_of(REAL, env))))
    for args in (
        ("ls", "-n"),
        ("kill-session", "nope"),
        ("delete-session", "nope"),
        ("attach", "nope"),
        ("action", "write-chars", "x"),
    ):
        real = subprocess.run([REAL, *args], env=env, capture_output=True, timeout=30, check=False)
        ours = zj(fake, *args)
        assert (real.returncode, real.stdout, real.stderr) == (
            ours.returncode,
            ours.stdout,
            ours.stderr,
        ), args
