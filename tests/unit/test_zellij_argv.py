"""The exact zellij argv for each version (pytest-subprocess pins them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clauderon import config, session_env
from clauderon.backends.base import SessionSpec, State
from clauderon.backends.zellij import ZellijBackend, parse_list, parse_version
from clauderon.errors import ClauderonError, UsageError

CFG = config.Config(path=Path("/nonexistent"), loaded=False)


def backend(env: dict[str, str] | None = None) -> ZellijBackend:
    base = {"PATH": "/usr/bin:/bin", "HOME": "/home/u", "ZELLIJ_SOCKET_DIR": "/tmp/zs",
            "ZELLIJ": "0", "ZELLIJ_SESSION_NAME": "outer", "ZELLIJ_PANE_ID": "1"}
    return ZellijBackend(CFG, {**base, **(env or {})})


def spec(tmp_path: Path, name: str = "api-fix") -> SessionSpec:
    env = session_env.compute(name, config=CFG, backend="zellij", caller_env={"TERM": "xterm"})
    return SessionSpec(name=name, workdir=tmp_path, shell="/bin/bash", env=env,
                       layout="default", options={"layout_arg": "default"})


NEW_LINE = "api-fix [Created 0s ago] \n"


@pytest.mark.parametrize("version, flag", [("0.41.0", "-n"), ("0.43.1", "-n"), ("0.45.0", "-n"),
                                           ("0.40.1", "-l")])
def test_create_argv_per_version(fp, tmp_path: Path, version: str, flag: str) -> None:  # type: ignore[no-untyped-def]
    fp.register(["zellij", "--version"], stdout=f"zellij {version}\n")
    fp.register(["zellij", flag, "default", "attach", "--create-background", "api-fix"])
    fp.register(["zellij", "list-sessions", "--no-formatting"], stdout=NEW_LINE)
    backend().create(spec(tmp_path))
    calls = [list(c) for c in fp.calls]
    assert ["zellij", flag, "default", "attach", "--create-background", "api-fix"] in calls


def test_create_env_and_cwd(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, object] = {}

    def capture(process) -> None:  # type: ignore[no-untyped-def]
        seen["env"] = process.kwargs["env"]
        seen["cwd"] = process.kwargs["cwd"]

    fp.register(["zellij", "--version"], stdout="zellij 0.43.1\n")
    fp.register(["zellij", "-n", "default", "attach", "--create-background", "api-fix"],
                callback=capture)
    fp.register(["zellij", "list-sessions", "--no-formatting"], stdout=NEW_LINE)
    backend().create(spec(tmp_path))
    env = seen["env"]
    assert isinstance(env, dict)
    assert "ZELLIJ" not in env and "ZELLIJ_SESSION_NAME" not in env
    assert env["CLAUDERON_SESSION"] == "api-fix" and env["SHELL"] == "/bin/bash"
    assert seen["cwd"] == str(tmp_path)


def test_zellij_039_is_too_old(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fp.register(["zellij", "--version"], stdout="zellij 0.39.2\n")
    with pytest.raises(ClauderonError, match=r"too old.*≥ 0\.40"):
        backend().create(spec(tmp_path))


def test_socket_length_gives_longest_fitting_name(fp) -> None:  # type: ignore[no-untyped-def]
    fp.register(["zellij", "--version"], stdout="zellij 0.44.0\n")
    b = backend()
    sock = "/tmp/zs/contract_version_1/"
    room = 107 - len(sock)
    b.check_name("x" * room)
    with pytest.raises(UsageError, match=f"longest name that fits is {room} bytes"):
        b.check_name("x" * (room + 1))


def test_kill_sequence(fp) -> None:  # type: ignore[no-untyped-def]
    fp.register(["zellij", "list-sessions", "--no-formatting"], stdout="app [Created 1s ago] \n")
    fp.register(["zellij", "kill-session", "app"])
    fp.register(["zellij", "list-sessions", "--no-formatting"],
                stdout="app [Created 1s ago] (EXITED - attach to resurrect)\n")
    fp.register(["zellij", "delete-session", "--force", "app"],
                stdout='Session: "app" successfully deleted.\n')
    fp.register(["zellij", "list-sessions", "--no-formatting"], returncode=1,
                stderr="No active zellij sessions found.\n")
    backend().kill("app")
    assert [list(c)[1] for c in fp.calls] == ["list-sessions", "kill-session", "list-sessions",
                                             "delete-session", "list-sessions"]


def test_parse_list_is_exact_and_strips_colour() -> None:
    out = ("\x1b[32;1mapp-2\x1b[m [Created \x1b[35;1m2h 3m\x1b[m ago] \n"
           "old [Created 1day 4h ago] (EXITED - attach to resurrect)\n"
           "work [Created 5m 12s ago] (current)\n"
           "with [Created x ago] [Created 1s ago] \n")
    states = parse_list(out)
    assert states == {"app-2": State.RUNNING, "old": State.EXITED, "work": State.RUNNING,
                      "with [Created x ago]": State.RUNNING}
    assert "app" not in states


@pytest.mark.parametrize("text, expected", [("zellij 0.43.1\n", (0, 43, 1)),
                                            ("zellij 0.46.0-dev\n", (0, 46, 0)),
                                            ("zellij version 1\n", None), ("", None)])
def test_parse_version(text: str, expected: tuple[int, int, int] | None) -> None:
    assert parse_version(text) == expected
