"""The doctor command: exit codes, --check, --strict, JSON shape, text and TTY output,
time limits."""

from __future__ import annotations

import sys
import time

from clauderon.proc import run_on_pty
from tests.doctor.world import World

KEYS = {"id", "group", "status", "summary", "details", "remedy", "fixable", "fixed"}


def test_json_has_the_documented_shape(world: World) -> None:
    run = world.doctor()

    assert run.data is not None
    assert set(run.data) == {"version", "checks", "summary"}
    assert run.data["version"] == 1
    assert set(run.data["summary"]) == {"ok", "warning", "error", "skipped"}
    for item in run.data["checks"]:
        assert set(item) == KEYS
        assert item["status"] in ("ok", "warning", "error", "skipped")
        assert isinstance(item["details"], list)
        assert item["remedy"] is None or isinstance(item["remedy"], str)
        assert isinstance(item["fixable"], bool) and item["fixed"] is False
        if item["status"] in ("warning", "error"):
            assert item["remedy"], item
    counted = {s: sum(1 for c in run.data["checks"] if c["status"] == s)
               for s in ("ok", "warning", "error", "skipped")}
    assert counted == run.data["summary"]


def test_unknown_check_id_is_a_usage_error_listing_valid_ids(world: World) -> None:
    run = world.doctor("--check", "zellij.bianry", as_json=False)

    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "'zellij.bianry'" in lines[0] and "zellij.binary" in lines[0]
    assert "proxy.propagation" in lines[0]


def test_check_selects_ids_and_group_prefixes(world: World) -> None:
    run = world.doctor("--check", "proxy", "--check", "terminal.term")

    assert set(run.statuses()) == {"proxy.config", "proxy.reachable", "proxy.propagation",
                                   "terminal.term"}


def test_warnings_exit_0_unless_strict(world: World) -> None:
    # The hook is not installed: shell.init warns.
    plain = world.doctor("--check", "shell.init")
    strict = world.doctor("--check", "shell.init", "--strict")

    assert plain.check("shell.init")["status"] == "warning"
    assert plain.returncode == 0
    assert strict.returncode == 1


def test_an_error_exits_1(world: World) -> None:
    world.write_config("default_backend = 'zellij'\n[zellij]\nshell = '/nonexistent/sh'\n")

    run = world.doctor("--check", "config.shell")

    assert run.check("config.shell")["status"] == "error"
    assert run.returncode == 1


def test_hung_zellij_times_out_the_check_not_the_doctor(world: World) -> None:
    start = time.monotonic()
    run = world.doctor("--check", "sessions.orphans", "--check", "zellij.binary",
                       env={"FAKE_ZELLIJ_HANG": "ls", "CLAUDERON_DOCTOR_TIMEOUT": "1"})
    elapsed = time.monotonic() - start

    orphans = run.check("sessions.orphans")
    assert orphans["status"] == "error"
    assert "timed out" in orphans["summary"]
    assert "zellij list-sessions" in orphans["summary"]
    assert orphans["remedy"]
    assert run.check("zellij.binary")["status"] == "ok"
    assert run.returncode == 1
    assert elapsed < 6


def test_hidden_timeout_option_overrides_the_environment(world: World) -> None:
    start = time.monotonic()
    run = world.doctor("--check", "zellij.binary", "--timeout", "0.5",
                       env={"FAKE_ZELLIJ_HANG": "--version"})

    item = run.check("zellij.binary")
    assert item["status"] == "error" and "timed out" in item["summary"]
    assert time.monotonic() - start < 5


def test_home_is_shown_as_tilde(world: World) -> None:
    run = world.doctor("--check", "shell.init", as_json=False)

    assert "~/.bashrc" in run.stdout
    assert str(world.home) not in run.stdout


def test_text_report_shows_remedy_under_non_ok_lines(world: World) -> None:
    run = world.doctor("--check", "shell.init", as_json=False)

    lines = run.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "shell.init" in line)
    assert lines[at].lstrip().startswith("! shell.init")
    assert any("→ clauderon shell install --shell bash" in line for line in lines[at:at + 4])
    assert "can be repaired automatically: clauderon doctor --fix --check shell.init" \
        in run.stdout


def _on_tty(world: World, *extra_env: tuple[str, str]) -> str:
    env = dict(world.env)
    env.update(extra_env)
    done = run_on_pty([sys.executable, "-m", "clauderon", "doctor", "--check", "shell.init"],
                      env=env, cwd=str(world.work), typed=b"", timeout=30)
    return done.output.decode("utf-8", "replace")


def test_terminal_output_is_coloured_unless_no_color(world: World) -> None:
    coloured = _on_tty(world)
    plain = _on_tty(world, ("NO_COLOR", "1"))

    assert "shell.init" in coloured and "\x1b[" in coloured
    assert "shell.init" in plain and "\x1b[3" not in plain
