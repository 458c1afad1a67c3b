"""Every session command end to end: the installed console script against the Zellij fake."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, clauderon_argv, zellij_log


def fake_session(cli: Cli, name: str) -> dict[str, Any]:
    """What the fake recorded for a running session: the creator's env and cwd."""
    version = cli.env["FAKE_ZELLIJ_VERSION"]
    sub = "contract_version_1" if tuple(map(int, version.split("."))) >= (0, 44) else version
    return json.loads((Path(cli.env["ZELLIJ_SOCKET_DIR"]) / sub / name).read_text())


def listed(cli: Cli) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in cli.json("list")}


def test_new_creates_background_session_with_env_and_workdir(cli: Cli, tmp_path: Path) -> None:
    work = tmp_path / "api"
    work.mkdir()
    env = {"http_proxy": "http://alice:s3cret@proxy.internal:3128",
           "ZELLIJ": "0", "ZELLIJ_SESSION_NAME": "outer", "ZELLIJ_PANE_ID": "4"}
    result = cli.ok("new", "--backend", "zellij", "--workdir", str(work), "--name", "api",
                    "fix-auth", "--env", "EDITOR=vim", env=env)
    assert result.stdout.splitlines() == [
        f'Created Zellij session "api-fix-auth" in {work}',
        "Attach with: zellij attach api-fix-auth",
    ]
    assert "s3cret" not in result.stdout + result.stderr
    rec = fake_session(cli, "api-fix-auth")
    assert rec["cwd"] == str(work)
    pane_env = rec["env"]
    assert pane_env["HTTP_PROXY"] == pane_env["http_proxy"] == env["http_proxy"]
    assert pane_env["CLAUDERON_SESSION"] == "api-fix-auth"
    assert pane_env["TERM"] == "xterm-256color" and pane_env["EDITOR"] == "vim"
    assert pane_env["SHELL"] == "/bin/bash" and rec["shell"] == "/bin/bash"
    # Creating from inside a Zellij pane still makes a new session: nothing leaked.
    for call in zellij_log(cli):
        assert call["env"] == {"ZELLIJ": None, "ZELLIJ_SESSION_NAME": None,
                               "ZELLIJ_PANE_ID": None}
    assert not {"ZELLIJ", "ZELLIJ_SESSION_NAME", "ZELLIJ_PANE_ID"} & set(pane_env)


def test_env_files_written_private_and_removed_on_kill(cli: Cli) -> None:
    cli.ok("new", "s1", env={"https_proxy": "http://u:pw@p:1"})
    files = cli.state / "sessions"
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    for suffix in (".sh", ".fish"):
        assert stat.S_IMODE((files / f"s1{suffix}").stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.registry.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.registry.parent.stat().st_mode) == 0o700
    cli.ok("kill", "s1")
    assert not list(files.iterdir())


def test_refuses_existing_names_running_exited_or_registered(cli: Cli) -> None:
    cli.ok("new", "taken")
    again = cli.run("new", "taken")
    assert again.returncode == 1
    assert "clauderon kill taken" in again.stderr and "Traceback" not in again.stderr

    assert cli.zellij("attach", "-b", "theirs").returncode == 0
    running = cli.run("new", "theirs")
    assert running.returncode == 1 and "already exists (running)" in running.stderr
    assert "zellij delete-session --force theirs" in running.stderr

    assert cli.zellij("kill-session", "theirs").returncode == 0
    exited = cli.run("new", "theirs")
    assert exited.returncode == 1 and "already exists (exited)" in exited.stderr
    assert set(listed(cli)) == {"taken"}


def test_list_states_exact_names_and_formats(cli: Cli) -> None:
    for name in ("app", "app-2", "gone"):
        cli.ok("new", name)
    cli.zellij("kill-session", "app-2")          # exited: resurrectable
    cli.zellij("delete-session", "--force", "gone")  # missing behind our back
    items = listed(cli)
    assert {n: i["status"] for n, i in items.items()} == {
        "app": "running", "app-2": "exited", "gone": "missing"}
    item = items["app"]
    assert set(item) == {"name", "backend", "status", "reason", "workdir", "created_at",
                         "layout", "shell", "repo", "branch", "base", "worktree", "agent",
                         "changes"}
    assert all(item[k] is None for k in ("repo", "branch", "base", "worktree", "agent",
                                         "changes"))  # a plain session (issue 13)
    assert item["reason"] is None  # only unknown and deleting sessions have one
    assert item["workdir"] == str(cli.cwd) and item["created_at"].endswith("Z")
    assert item["backend"] == "zellij" and item["layout"] == "default"
    plain = cli.ok("list").stdout.splitlines()
    assert [line.split("\t")[:3] for line in plain] == [
        ["app", "zellij", "running"], ["app-2", "zellij", "exited"],
        ["gone", "zellij", "missing"]]
    assert cli.ok("ls", "--json").stdout == cli.ok("list", "--json").stdout
    names = (Path(cli.env["XDG_CACHE_HOME"]) / "clauderon" / "names").read_text()
    assert names.splitlines() == ["app", "app-2", "gone"]


def test_list_shows_home_as_tilde(cli: Cli) -> None:
    work = cli.home / "src" / "api"
    work.mkdir(parents=True)
    cli.ok("new", "--workdir", str(work), "t")
    assert cli.ok("list").stdout.split("\t")[3] == "~/src/api"


@pytest.mark.parametrize("how", ["running", "exited", "missing"])
def test_kill_removes_every_trace(cli: Cli, how: str) -> None:
    cli.ok("new", "k")
    cli.ok("new", "k-2")
    if how == "exited":
        cli.zellij("kill-session", "k")
    elif how == "missing":
        cli.zellij("delete-session", "--force", "k")
    result = cli.ok("rm" if how == "missing" else "kill", "k")
    assert result.stdout.strip() == 'Killed session "k"'
    ls = cli.zellij("ls", "-s")
    assert ls.stdout.split() == ["k-2"]
    assert set(listed(cli)) == {"k-2"}


def test_kill_all_needs_confirmation_and_spares_foreign_sessions(cli: Cli) -> None:
    cli.ok("new", "a")
    cli.ok("new", "b")
    cli.zellij("attach", "-b", "not-ours")
    refused = cli.run("kill", "--all")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    cli.ok("kill", "--all", "--yes")
    assert cli.zellij("ls", "-s").stdout.split() == ["not-ours"]
    assert listed(cli) == {}


def test_kill_unknown_lists_close_matches(cli: Cli) -> None:
    cli.ok("new", "api-fix-auth")
    result = cli.run("kill", "api-fix")
    assert result.returncode == 1
    assert result.stderr.strip() == ('error: no clauderon session named "api-fix"; '
                                     "did you mean api-fix-auth?")


def test_attach_execs_zellij_with_session_env_and_resurrects(cli: Cli) -> None:
    cli.ok("new", "res", env={"http_proxy": "http://p:3128", "TERM": "xterm-kitty"})
    cli.zellij("kill-session", "res")
    # Attach from a shell whose TERM and proxy differ: the session's own come back.
    cli.ok("attach", "res", env={"TERM": "dumb", "FAKE_ZELLIJ_ATTACH": "exit"})
    rec = fake_session(cli, "res")
    assert rec["env"]["TERM"] == "xterm-kitty"
    assert rec["env"]["http_proxy"] == rec["env"]["HTTPS_PROXY".replace("S", "", 1)]
    assert listed(cli)["res"]["status"] == "running"
    calls = [c["argv"] for c in zellij_log(cli)]
    assert ["attach", "res"] in calls


def test_attach_refuses_the_current_session_and_unknown_names(cli: Cli) -> None:
    cli.ok("new", "here")
    inside = cli.run("attach", "here", env={"ZELLIJ_SESSION_NAME": "here", "ZELLIJ": "0"})
    assert inside.returncode == 2 and "already inside" in inside.stderr
    unknown = cli.run("attach", "her")
    assert unknown.returncode == 1 and "did you mean here" in unknown.stderr


@pytest.mark.parametrize("version, flag", [("0.40.0", "-l"), ("0.41.0", "-n"),
                                           ("0.44.1", "-n"), ("0.45.0", "-n")])
def test_each_zellij_version_gets_its_invocation(cli_factory: Any, version: str,
                                                 flag: str) -> None:
    cli = cli_factory(version)
    cli.ok("new", "v")
    creates = [c["argv"] for c in zellij_log(cli) if "--create-background" in c["argv"]]
    assert creates == [[flag, "default", "attach", "--create-background", "v"]]
    assert listed(cli)["v"]["status"] == "running"
    cli.ok("kill", "v")
    assert cli.zellij("ls", "-n").returncode == 1


def test_zellij_039_is_refused_as_too_old(cli_factory: Any) -> None:
    cli = cli_factory("0.39.2")
    result = cli.run("new", "old")
    assert result.returncode == 1
    assert "too old" in result.stderr and "0.40" in result.stderr
    assert listed(cli) == {} and not (cli.state / "sessions").exists()


def test_failure_halfway_leaves_nothing(cli: Cli) -> None:
    result = cli.run("new", "half", env={"FAKE_ZELLIJ_FAIL_AFTER_CREATE": "1"})
    assert result.returncode == 1 and "failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert listed(cli) == {}
    assert cli.zellij("ls", "-n").returncode == 1  # no session, no EXITED record
    assert not list((cli.state / "sessions").glob("half*"))


def test_hung_zellij_is_bounded(cli: Cli) -> None:
    cli.ok("new", "h")
    start = time.monotonic()
    result = cli.run("list", env={"FAKE_ZELLIJ_HANG": "ls"})
    assert time.monotonic() - start < 20
    # The sessions are still listed, their state unknown, the reason on stderr, exit 1.
    assert result.returncode == 1 and "timed out" in result.stderr
    assert result.stdout.split("\t")[:3] == ["h", "zellij", "unknown"]


def test_zellij_missing_is_one_clear_line(cli: Cli) -> None:
    result = cli.run("new", "x", env={"PATH": "/nonexistent"})
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: zellij not found on PATH; run `clauderon doctor` "
                                     "for install instructions")


def test_name_too_long_for_socket_gives_the_longest_that_fits(cli: Cli) -> None:
    sock = Path(cli.env["ZELLIJ_SOCKET_DIR"]) / "0.43.1"
    room = 107 - len(str(sock)) - 1
    result = cli.run("new", "x" * (room + 1))
    assert result.returncode == 2 and f"longest name that fits is {room} bytes" in result.stderr
    cli.ok("new", "x" * room)


@pytest.mark.parametrize("args, fragment", [
    (["new", ""], "empty"), (["new", ".."], "not a usable"), (["new", "a/b"], "'/'"),
    (["new", "--", "-x"], "starts with '-'"), (["new", "a b"], "whitespace"),
    (["new", "tab\tx"], "whitespace"), (["new", "bell\x07"], "U+0007"),
    (["new", "w", "--workdir", "/nonexistent/dir"], "does not exist"),
    (["new", "w", "--env", "NOEQUALS"], "has no '='"),
    (["new", "w", "--shell", "/no/such/shell"], "not an executable"),
    (["new", "w", "--backend", "screen"], "not a backend"),
    (["new", "w", "--layout", "nosuchlayout"], "nosuchlayout"),
])
def test_bad_input_exits_2_and_creates_nothing(cli: Cli, args: list[str], fragment: str) -> None:
    result = cli.run(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in result.stderr
    assert listed(cli) == {}
    assert cli.zellij("ls", "-n").returncode == 1


def test_concurrent_news_one_winner_and_all_distinct_created(cli: Cli) -> None:
    def new(name: str) -> subprocess.CompletedProcess[str]:
        return cli.run("new", name)

    with ThreadPoolExecutor(10) as pool:
        same = list(pool.map(new, ["shared"] * 10))
        distinct = list(pool.map(new, [f"d{i}" for i in range(10)]))
    assert sum(r.returncode == 0 for r in same) == 1
    assert all(r.returncode == 1 and "already exists" in r.stderr
               for r in same if r.returncode != 0)
    assert all(r.returncode == 0 for r in distinct)
    names = set(listed(cli))
    assert names == {"shared"} | {f"d{i}" for i in range(10)}
    assert set(cli.zellij("ls", "-s").stdout.split()) == names


def test_layout_init_then_use_it(cli: Cli) -> None:
    result = cli.ok("layout", "init")
    target = cli.home / ".config" / "zellij" / "layouts" / "clauderon.kdl"
    assert result.stdout.startswith("Wrote ~/.config/zellij/layouts/clauderon.kdl")
    assert 'location="zellij:tab-bar"' in target.read_text()
    again = cli.run("layout", "init")
    assert again.returncode == 2 and "--force" in again.stderr
    cli.write_config('[zellij]\nlayout = "clauderon"\n')
    cli.ok("new", "with-layout")
    assert fake_session(cli, "with-layout")["layout"] == "clauderon"
    assert listed(cli)["with-layout"]["layout"] == "clauderon"


def test_relative_layout_path_reaches_zellij_absolute(cli: Cli, tmp_path: Path) -> None:
    (cli.cwd / "mine.kdl").write_text("layout {\n    pane\n}\n")
    other = tmp_path / "elsewhere"
    other.mkdir()
    cli.ok("new", "--layout", "./mine.kdl", "--workdir", str(other), "rel")
    assert fake_session(cli, "rel")["layout"] == str(cli.cwd / "mine.kdl")


def test_config_commands(cli: Cli) -> None:
    assert cli.ok("config", "path").stdout.strip() == cli.env["CLAUDERON_CONFIG"]
    cli.ok("config", "init")
    assert cli.run("config", "init").returncode == 2
    cli.ok("config", "init", "--force")
    cli.write_config('[zellij]\nshell = "/bin/sh"\n[proxy]\nhttp = "http://u:pw@p:1"\n')
    shown = {s["key"]: s for s in cli.json("config", "show")["settings"]}
    assert shown["zellij.shell"] == {"key": "zellij.shell", "value": "/bin/sh",
                                     "source": "file"}
    assert shown["proxy.http"]["value"] == "http://u:***@p:1"
    assert shown["tmux.shell"]["source"] == "env:SHELL"
    text = cli.ok("config", "show").stdout
    assert "pw@" not in text and "zellij.layout\tdefault\tdefault" in text


def test_invalid_config_is_one_line_exit_2(cli: Cli) -> None:
    cli.write_config("[zellij]\nshell = \n")
    result = cli.run("list")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: ~/.config/clauderon/config.toml:2:9: "
                                     "Invalid value")


def test_env_prints_sourceable_variables(cli: Cli) -> None:
    cli.ok("new", "e", env={"http_proxy": "http://u:pw@p:1"})
    clear = cli.ok("env", "e", "--shell", "bash").stdout
    assert "export http_proxy='http://u:pw@p:1'" in clear
    masked = cli.ok("env", "e", "--masked").stdout
    assert "pw@" not in masked and "u:***@p:1" in masked
    fish = cli.ok("env", "e", "--shell", "fish").stdout
    assert "set -gx CLAUDERON_SESSION 'e'" in fish
    out = subprocess.run(["bash", "-c", 'eval "$1"; printf %s "$http_proxy"', "_", clear],
                         capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    assert out.stdout == "http://u:pw@p:1"


def test_version_and_module_entry() -> None:
    import clauderon

    out = subprocess.run([*clauderon_argv(), "--version"], capture_output=True, text=True)
    assert out.stdout == f"clauderon {clauderon.__version__}\n"
    import sys

    helped = subprocess.run([sys.executable, "-m", "clauderon", "--help"],
                            capture_output=True, text=True)
    assert helped.returncode == 0 and "new" in helped.stdout and "doctor" in helped.stdout
