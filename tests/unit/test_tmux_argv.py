"""The exact tmux argv and environment for each operation (pytest-subprocess pins them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tmux_lexer import parse_line

from clauderon import config, session_env
from clauderon.backends.base import SessionSpec, State
from clauderon.backends.tmux import TmuxBackend, parse_version
from clauderon.errors import (
    ClauderonError,
    CommandError,
    ConfigError,
    SessionExists,
    UsageError,
)
from clauderon.registry import Record, Registry

VERSION = ["tmux", "-V"]
LIST = ["list-sessions", "-F", "#{session_id} #{session_name}"]
PANES = "#{pane_dead} #{pane_dead_status} #{pane_pid} #{pane_current_path}"
STARTED = "#{pane_pid} #{session_path}"  # what new-session -P prints


def listed(*names: str) -> str:
    return "".join(f"${i} {n}\n" for i, n in enumerate(names))


@pytest.fixture(autouse=True)
def _shells_are_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # the argv is pinned here; whether a real shell is up is read from /proc (real tmux tests)
    monkeypatch.setattr("clauderon.backends.tmux._waiting_for_input", lambda pid: True)


def started(fp: Any, name: str, workdir: Path, prefix: tuple[str, ...] = ("tmux",),
            dead: bool = False) -> None:
    """The confirmation create asks for after new-session: the pane is up in ``workdir``."""
    line = f"{'1 1' if dead else '0 '} 4242 {workdir}\n"
    fp.register([*prefix, "list-panes", "-t", f"={name}:", "-F", PANES], stdout=line)
    if not dead:
        fp.register([*prefix, "set-option", "-w", "-u", "-t", f"={name}:", "remain-on-exit",
                     ";", "list-panes", "-t", f"={name}:", "-F", PANES], stdout=line)


def make_config(tmp_path: Path, **values: Any) -> config.Config:
    return config.Config(path=tmp_path / "config.toml", loaded=True,
                         values={f"tmux.{k}": v for k, v in values.items()})


def caller(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "screen",
           # A surrounding tmux and clauderon session, which must not leak into calls.
           "TMUX": "/tmp/tmux-1000/outer,42,0", "TMUX_PANE": "%3",
           "CLAUDERON_SESSION": "outer"}
    env.update(extra)
    return env


def backend(tmp_path: Path, cfg: config.Config | None = None, **extra: str) -> TmuxBackend:
    return TmuxBackend(cfg or make_config(tmp_path), caller(tmp_path, **extra))


def spec_for(b: TmuxBackend, tmp_path: Path, name: str = "api-fix",
             extra: tuple[tuple[str, str], ...] = ()) -> SessionSpec:
    senv = session_env.compute(name, config=b.config, backend="tmux", caller_env=b.caller_env,
                               extra_env=extra)
    return SessionSpec(name=name, workdir=tmp_path, shell="/usr/bin/fish", env=senv)


def calls(fp: Any) -> list[list[str]]:
    return [[str(a) for a in c] for c in fp.calls]


# -- version -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, major_minor, shown, supported", [
    ("tmux 3.3a\n", (3, 3), "3.3a", True),
    ("tmux 3.2", (3, 2), "3.2", True),
    ("tmux 3.1c\n", (3, 1), "3.1c", False),  # new-session -e arrived in 3.2
    ("tmux 3.0a\n", (3, 0), "3.0a", False),
    ("tmux next-3.4\n", (3, 4), "next-3.4", True),
    ("tmux 3.4-rc\n", (3, 4), "3.4-rc", True),
    ("tmux openbsd-7.4\n", (7, 4), "openbsd-7.4", True),
    ("tmux openbsd-7.0\n", (7, 0), "openbsd-7.0", True),
    ("tmux openbsd-6.5\n", (6, 5), "openbsd-6.5", False),  # OpenBSD 6.5 shipped tmux 2.9
    ("tmux 2.9a\n", (2, 9), "2.9a", False),
    ("tmux master\n", (999, 0), "master", True),
])
def test_version_parsing(text: str, major_minor: tuple[int, int], shown: str,
                         supported: bool) -> None:
    parsed = parse_version(text)
    assert parsed is not None
    assert (parsed.major, parsed.minor) == major_minor
    assert parsed.text == shown and parsed.supported is supported


@pytest.mark.parametrize("text", ["", "tmux", "screen 4.09", "tmux three"])
def test_unreadable_version(text: str) -> None:
    assert parse_version(text) is None


def test_version_is_what_tmux_printed(fp: Any, tmp_path: Path) -> None:
    fp.register(VERSION, stdout="tmux 3.3a\n")
    assert backend(tmp_path).version() == "3.3a"


def test_too_old_tmux_is_refused_before_anything_is_created(fp: Any, tmp_path: Path) -> None:
    fp.register(VERSION, stdout="tmux 3.1c\n")
    b = backend(tmp_path)
    with pytest.raises(ClauderonError, match=r"tmux 3\.1c is too old, need ≥ 3\.2"):
        b.prepare(spec_for(b, tmp_path))
    assert calls(fp) == [VERSION]  # an unregistered new-session would have raised


# -- names and prepare -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.b", "a:b", "v1.2-fix", ":"])
def test_dot_and_colon_are_usage_errors(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="tmux does not allow"):
        backend(tmp_path).check_name(name)


def test_ordinary_names_pass(tmp_path: Path) -> None:
    backend(tmp_path).check_name("api-fix_2=x")


def test_prepare_records_socket_tmpdir_and_config(fp: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    conf = home / ".config" / "my tmux.conf"
    conf.write_text("", encoding="utf-8")
    fp.register(VERSION, stdout="tmux 3.3a\n")
    cfg = make_config(tmp_path, socket="work", config="~/.config/my tmux.conf")
    b = backend(tmp_path, cfg, TMUX_TMPDIR="/run/tt")
    spec = b.prepare(spec_for(b, tmp_path))
    assert spec.options == {"tmux_socket": "work", "tmux_tmpdir": "/run/tt",
                            "tmux_config": str(conf)}


def test_missing_config_file_is_a_config_error_naming_it(fp: Any, tmp_path: Path) -> None:
    fp.register(VERSION, stdout="tmux 3.3a\n")
    b = backend(tmp_path, make_config(tmp_path, config="~/nope.conf"))
    with pytest.raises(ConfigError, match=r"~/nope\.conf does not exist") as err:
        b.prepare(spec_for(b, tmp_path))
    assert err.value.exit_code == 2


def test_layout_is_a_usage_error(fp: Any, tmp_path: Path) -> None:
    fp.register(VERSION, stdout="tmux 3.3a\n")
    b = backend(tmp_path)
    spec = spec_for(b, tmp_path)
    with pytest.raises(UsageError, match="zellij backend only"):
        b.prepare(SessionSpec(spec.name, spec.workdir, spec.shell, spec.env, layout="compact"))


# -- create ------------------------------------------------------------------------------

SECRET = "s3cr;et 'pw' $HOME ~x\n#(id)"
PROXY = f"http://alice:{SECRET}@proxy.test:3128"


def script_of(argv: list[str]) -> list[list[str]]:
    """The commands of the file a create argv names, as tmux's parser reads them."""
    assert argv[-4:-1] == ["start-server", ";", "source-file"]
    path = Path(argv[-1].replace("\\", ""))
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600
    return parse_line(path.read_text(encoding="utf-8"))


def test_create_argv_names_a_private_script_and_no_value(fp: Any, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def read(process: Any) -> None:
        seen["argv"] = [str(a) for a in process.args]
        seen["script"] = script_of(seen["argv"])
        seen["env"] = process.kwargs["env"]

    b = backend(tmp_path, TMUX_TMPDIR="/run/tt")
    spec = spec_for(b, tmp_path, extra=(("MSG", "a b\n$x"), ("http_proxy", PROXY)))
    spec = SessionSpec(spec.name, spec.workdir, spec.shell, spec.env,
                       options={"tmux_socket": "work", "tmux_config": "/etc/ct.conf",
                                "tmux_tmpdir": "/run/tt"})
    fp.register(VERSION, stdout="tmux 3.3a\n")
    fp.register(["tmux", "-L", "work", "-f", "/etc/ct.conf", "start-server", ";",
                 "source-file", fp.any(min=1, max=1)], callback=read)
    started(fp, "api-fix", tmp_path, ("tmux", "-L", "work"))
    b.create(spec)
    assert spec.env.variables["http_proxy"] == spec.env.variables["HTTP_PROXY"] == PROXY
    assert seen["script"] == [
        ["new-session", "-d", "-P", "-F", STARTED, "-s", "api-fix", "-c", str(tmp_path),
         *[a for k, v in spec.env.variables.items() for a in ("-e", f"{k}={v}")],
         "--", "/usr/bin/env", "TERM=screen", "SHELL=/usr/bin/fish", "/usr/bin/fish"],
        ["set-option", "-t", "=api-fix:", "default-shell", "/usr/bin/fish"],
        ["set-option", "-w", "-t", "=api-fix:", "remain-on-exit", "on"]]
    for argv in calls(fp):
        assert not any("alice" in a or "s3cr" in a or "a b" in a for a in argv), argv
    assert not list(Path(seen["argv"][-1]).parent.glob(".tmux-new.*"))  # removed after use
    env = seen["env"]
    assert env["TMUX_TMPDIR"] == "/run/tt"
    for leaked in ("TMUX", "TMUX_PANE", "CLAUDERON_SESSION", "MSG"):
        assert leaked not in env  # the server's global environment stays the caller's


def test_create_on_the_default_server_formats_and_separators(fp: Any, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}
    b = backend(tmp_path)
    workdir = tmp_path / "w#{x}#[y]"
    workdir.mkdir()
    spec = spec_for(b, tmp_path, name="a{x};")
    spec = SessionSpec(name=spec.name, workdir=workdir, shell=spec.shell, env=spec.env)
    fp.register(VERSION, stdout="tmux 3.2\n")
    fp.register(["tmux", "start-server", ";", "source-file", fp.any(min=1, max=1)],
                callback=lambda p: seen.update(script=script_of([str(a) for a in p.args])))
    started(fp, "a{x};", workdir)
    b.create(spec)
    new, option, keep = seen["script"]
    assert new[:9] == ["new-session", "-d", "-P", "-F", STARTED, "-s", "a{x};", "-c",
                       f"{tmp_path}/w##{{x}}#[y]"]
    assert option == ["set-option", "-t", "=a{x};:", "default-shell", "/usr/bin/fish"]
    assert keep == ["set-option", "-w", "-t", "=a{x};:", "remain-on-exit", "on"]


def test_script_path_is_taken_literally_by_glob(fp: Any, tmp_path: Path) -> None:
    state = tmp_path / "st*ate [x]?"
    b = backend(tmp_path, XDG_STATE_HOME=str(state))
    seen: dict[str, str] = {}
    fp.register(VERSION, stdout="tmux 3.3a\n")
    fp.register(["tmux", "start-server", ";", "source-file", fp.any(min=1, max=1)],
                callback=lambda p: seen.update(path=str(p.args[-1])))
    started(fp, "api-fix", tmp_path)
    b.create(spec_for(b, tmp_path))
    assert seen["path"].startswith(str(state).replace("*", "\\*").replace("[", "\\[")
                                   .replace("?", "\\?") + "/clauderon/sessions/.tmux-new.")


def test_an_existing_session_is_not_ours(fp: Any, tmp_path: Path) -> None:
    b = backend(tmp_path)
    fp.register(VERSION, stdout="tmux 3.3a\n")
    fp.register(["tmux", "start-server", fp.any()], returncode=1,
                stderr="duplicate session: app\n")
    with pytest.raises(SessionExists, match='tmux session named "app" already exists'):
        b.create(spec_for(b, tmp_path, name="app"))
    assert len(calls(fp)) == 2  # no list-panes: nothing was made


def test_a_server_that_was_exiting_is_tried_again(fp: Any, tmp_path: Path) -> None:
    b = backend(tmp_path)
    fp.register(VERSION, stdout="tmux 3.3a\n")
    fp.register(["tmux", "start-server", fp.any()], returncode=1,
                stderr="server exited unexpectedly\n")
    fp.register(["tmux", "start-server", fp.any()])
    started(fp, "app", tmp_path)
    b.create(spec_for(b, tmp_path, name="app"))


@pytest.mark.parametrize("stderr", ["can't find session: =app\n",
                                    "no current target\n"])  # its server had no session left
def test_shell_that_exits_at_once_is_an_error(fp: Any, tmp_path: Path, stderr: str) -> None:
    b = backend(tmp_path)
    fp.register(VERSION, stdout="tmux 3.3a\n")
    fp.register(["tmux", "start-server", fp.any()])
    fp.register(["tmux", "list-panes", "-t", "=app:", "-F", PANES], returncode=1,
                stderr=stderr)
    fp.register(["tmux", "kill-session", "-t", "=app"])
    with pytest.raises(ClauderonError, match="exited at once; nothing was kept"):
        b.create(spec_for(b, tmp_path, name="app"))


def test_a_dead_pane_is_an_exit_with_its_status(fp: Any, tmp_path: Path) -> None:
    b = backend(tmp_path)
    fp.register(VERSION, stdout="tmux 3.3a\n")
    fp.register(["tmux", "start-server", fp.any()])
    started(fp, "app", tmp_path, dead=True)
    fp.register(["tmux", "kill-session", "-t", "=app"])
    with pytest.raises(ClauderonError, match="exited at once with status 1; nothing was kept"):
        b.create(spec_for(b, tmp_path, name="app"))
    assert calls(fp)[-1] == ["tmux", "kill-session", "-t", "=app"]  # the dead pane undone


def test_version_is_cached_per_tmux_program(fp: Any, tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "tmux"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    path = f"{fake.parent}:/usr/bin:/bin"
    fp.register(VERSION, stdout="tmux 3.3a\n")
    assert backend(tmp_path, PATH=path).version() == "3.3a"
    assert backend(tmp_path, PATH=path).version() == "3.3a"  # from the cache
    assert calls(fp) == [VERSION]
    fake.write_text("#!/bin/sh\n# another build\n", encoding="utf-8")  # a new tmux
    fp.register(VERSION, stdout="tmux 3.1c\n")
    assert backend(tmp_path, PATH=path).version() == "3.1c"
    assert calls(fp) == [VERSION, VERSION]


# -- list --------------------------------------------------------------------------------


def test_list_argv_and_every_session_running(fp: Any, tmp_path: Path) -> None:
    fp.register(["tmux", "-L", "work", *LIST], stdout=listed("app", "app-2"))
    b = backend(tmp_path, make_config(tmp_path, socket="work"))
    assert b.states() == {"app": State.RUNNING, "app-2": State.RUNNING}


@pytest.mark.parametrize("stderr", [
    "no server running on /tmp/tmux-1000/default\n",
    "error connecting to /tmp/tmux-1000/default (No such file or directory)\n",
])
def test_no_server_means_no_sessions(fp: Any, tmp_path: Path, stderr: str) -> None:
    fp.register(["tmux", *LIST], returncode=1, stderr=stderr)
    assert backend(tmp_path).states() == {}


def test_other_list_failures_are_reported(fp: Any, tmp_path: Path) -> None:
    fp.register(["tmux", *LIST], returncode=1, stderr="protocol version mismatch\n")
    with pytest.raises(CommandError, match="protocol version mismatch"):
        backend(tmp_path).states()


def test_states_also_ask_the_servers_records_point_at(fp: Any, tmp_path: Path) -> None:
    b = backend(tmp_path)
    Registry.default(b.env).add(Record("old", "tmux", "/w", Record.now(), "/bin/sh", {},
                                       options={"tmux_socket": "was"}))
    fp.register(["tmux", *LIST], stdout=listed("new"))
    fp.register(["tmux", "-L", "was", *LIST], stdout=listed("old"))
    assert b.states() == {"new": State.RUNNING, "old": State.RUNNING}


# -- kill --------------------------------------------------------------------------------


def test_kill_uses_exact_target_on_the_recorded_server(fp: Any, tmp_path: Path) -> None:
    b = backend(tmp_path)
    Registry.default(b.env).add(Record("app", "tmux", "/w", Record.now(), "/bin/sh", {},
                                       options={"tmux_socket": "was"}))
    kill = ["tmux", "-L", "was", "kill-session", "-t", "=app", ";", *LIST]
    fp.register(kill, stdout=listed("app-2"))
    b.kill("app")
    assert calls(fp) == [kill]  # one tmux client


def test_kill_with_the_record_in_hand_targets_its_server_without_the_registry(
        fp: Any, tmp_path: Path) -> None:
    b = backend(tmp_path)
    record = Record("app", "tmux", "/w", Record.now(), "/bin/sh", {},
                    options={"tmux_socket": "was"})
    kill = ["tmux", "-L", "was", "kill-session", "-t", "=app", ";", *LIST]
    fp.register(kill, stdout="")
    b.kill("app", record)  # the registry is empty: the server came from the record
    assert calls(fp) == [kill]


@pytest.mark.parametrize("stderr", [
    "can't find session: =app\n",
    "no current target\n",
    "no server running on /tmp/tmux-1000/default\n",
    "error connecting to /tmp/tmux-1000/default (No such file or directory)\n",
    "server exited unexpectedly\n",
])
def test_kill_of_a_gone_session_is_fine(fp: Any, tmp_path: Path, stderr: str) -> None:
    fp.register(["tmux", "kill-session", "-t", "=app", ";", *LIST], returncode=1,
                stderr=stderr)
    backend(tmp_path).kill("app")


def test_other_kill_failures_are_reported(fp: Any, tmp_path: Path) -> None:
    fp.register(["tmux", "kill-session", "-t", "=app", ";", *LIST], returncode=1,
                stderr="protocol version mismatch\n")
    with pytest.raises(CommandError, match="protocol version mismatch"):
        backend(tmp_path).kill("app")


def test_kill_that_does_not_take_is_an_error(fp: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("clauderon.backends.tmux.KILL_TIMEOUT", 0.0)
    fp.keep_last_process(True)
    fp.register(["tmux", "kill-session", "-t", "=app", ";", *LIST], stdout=listed("app"))
    fp.register(["tmux", *LIST], stdout=listed("app"))
    with pytest.raises(CommandError, match='"app" is still listed'):
        backend(tmp_path).kill("app")


# -- attach ------------------------------------------------------------------------------


def record(**options: Any) -> Record:
    return Record("app", "tmux", "/w", Record.now(), "/bin/sh", {"TERM": "xterm-256color"},
                  options=options)


def test_attach_from_outside_tmux(tmp_path: Path) -> None:
    b = backend(tmp_path)
    env = {"TERM": "foot", "PATH": "/usr/bin", "TMUX_TMPDIR": "/elsewhere"}
    cmd = b.attach(record(tmux_socket="work", tmux_tmpdir="/run/tt"), env)
    assert cmd.argv == ["tmux", "-L", "work", "attach", "-t", "=app"]
    assert cmd.env == {"TERM": "foot", "PATH": "/usr/bin", "TMUX_TMPDIR": "/run/tt"}


def test_attach_inside_the_same_server_switches_client(fp: Any, tmp_path: Path) -> None:
    probe: dict[str, Any] = {}
    fp.register(["tmux", "display-message", "-p", "-t", "=app:", "#{socket_path}"],
                stdout="/tmp/tmux-1000/default\n",
                callback=lambda p: probe.update(env=p.kwargs["env"]))
    env = {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-1000/default,42,0", "TMUX_PANE": "%1"}
    cmd = backend(tmp_path).attach(record(), env)
    assert cmd.argv == ["tmux", "switch-client", "-t", "=app"]
    assert cmd.env["TMUX"] == env["TMUX"]
    assert "TMUX" not in probe["env"]  # the probe itself never sees $TMUX


def test_attach_inside_another_server_nests_without_tmux_vars(fp: Any, tmp_path: Path) -> None:
    fp.register(["tmux", "display-message", "-p", "-t", "=app:", "#{socket_path}"],
                stdout="/tmp/tmux-1000/default\n")
    env = {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-1000/other,42,0", "TMUX_PANE": "%1"}
    cmd = backend(tmp_path).attach(record(), env)
    assert cmd.argv == ["tmux", "attach", "-t", "=app"]
    assert "TMUX" not in cmd.env and "TMUX_PANE" not in cmd.env


@pytest.mark.parametrize("junk", ["hello\n", "app\n", "$1 app\nWARNING: something\n", "$x y\n"])
def test_a_listing_that_is_not_tmuxs_is_unreadable_not_empty(fp: Any, tmp_path: Path,
                                                            junk: str) -> None:
    from clauderon.backends.base import UnreadableListing

    fp.register(["tmux", *LIST], stdout=junk)
    with pytest.raises(UnreadableListing, match="cannot read the output of `tmux list-sessions`"):
        backend(tmp_path).states()


def test_kill_with_an_unreadable_listing_is_not_confirmed(fp: Any, tmp_path: Path) -> None:
    from clauderon.backends.base import UnreadableListing

    fp.register(["tmux", "kill-session", "-t", "=app", ";", *LIST], stdout="junk\n")
    with pytest.raises(UnreadableListing):
        backend(tmp_path).kill("app")
