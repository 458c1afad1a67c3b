"""Injection: hostile names, workdirs, env values, layouts, shells and proxy URLs.

Every value is either refused with a clear one-line message (exit 2, nothing created) or
reaches the backend byte for byte as one argv element (or one environment variable, or the
working directory); no command ever runs. Proved three ways:

- the argv of every backend, for Hypothesis-generated hostile specs (in process; for tmux,
  the command line it reads with ``source-file``, through a model of tmux's parser in
  tests/tmux_lexer.py, ``-s``/``-c`` being formats);
- a real tmux server: sessions made with hostile values, read back from inside the pane;
- the installed CLI against the Zellij fake (and real bash/zsh/fish for ``clauderon env``).

The env files themselves go through real bash, zsh and fish in tests/shells/test_env_files.py
(its values are counted in this suite's figures).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fakes.fakezellij import read_session
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_subprocess import FakeProcess
from realtools import require
from tmux_lexer import parse_line

from adversarial.stats import PROXY_URL, STATS
from adversarial.support import TRACEBACK, World, assert_one_line_error, clauderon_argv
from clauderon import config as config_mod
from clauderon import names, proxyurl, session_env
from clauderon.backends.base import SessionSpec
from clauderon.backends.docker import (
    DockerBackend,
    container_name,
    render_env_file,
    split_env,
)
from clauderon.backends.tmux import TmuxBackend, TmuxVersion
from clauderon.backends.zellij import ZellijBackend
from clauderon.errors import ClauderonError, UsageError

pytestmark = pytest.mark.adversarial("injection")

EXAMPLES = int(os.environ.get("CLAUDERON_HYPOTHESIS_EXAMPLES", "200"))
# Every injected command would create one of these files: MARK (absolute; values that may hold
# a '/') or ~/adv-pwned (CMD: no '/', no space, so it fits in session names and path parts).
MARK = "/tmp/clauderon-adversarial-pwned"
CMD = "cd;>adv-pwned"


def sub(text: str) -> str:
    return text.replace("MARK", MARK).replace("CMD", CMD)


# Values that break naive quoting somewhere: shells, tmux, docker, CSV, formats, options.
HOSTILE = [
    "", ";", "a;b", "x;", "\\;", "a\\;", ";;", "$(touch MARK)", "`touch MARK`", "#(CMD)",
    "$(CMD)", "`CMD`", "#(touch MARK)",
    "#{session_name}", "#{pane_current_path}", "##", "#", "'", "''", '"', "\\", "\\\\",
    "trailing\\", "\n", "a\nb", "\r\n", "\t", "--", "-x", "--help", "-", "-e", "--env=X",
    "ünïcødé ✓ 漢字 🚀", "\u2028\u2029", "\x1b[31m", "\x7f", "\ufeff", "%s%n%x", "!!", "!$",
    "~", "~root", "*", "?", "[a]", "${HOME}", "$HOME", "'; touch MARK; '", '"; CMD; "',
    "&& touch MARK", "| touch MARK", "> MARK", "=", "a=b", ",", "a,b", '"a,b"', "source=/etc",
    "x" * 3000, "'" * 500, "\\" * 501, "\U0010ffff", "\u0301",
]
HOSTILE = [sub(h) for h in HOSTILE]

text_values = st.text(alphabet=st.characters(exclude_characters="\x00",
                                             exclude_categories=("Cs",)), max_size=60)
values = st.one_of(text_values, st.sampled_from(HOSTILE),
                   st.lists(st.sampled_from(HOSTILE), max_size=4).map("".join))
# One path component: anything but '/' and NUL.
components = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\x00/", exclude_categories=("Cs",)),
            min_size=1, max_size=40),
    st.sampled_from([h for h in HOSTILE if h and "/" not in h and len(h) < 200]),
).filter(lambda c: c not in (".", "..") and len(c.encode()) < 200)
name_candidates = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
            max_size=30),
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(["a", "-", ";", "#", "$", "(", ")", "`", "'", '"', "\\", "{",
                              "}", "=", ",", "ü", "漢", "🚀", "%", "!", "*", "~", "@"]),
             min_size=1, max_size=12).map("".join),
)
passwords = st.text(alphabet=st.characters(exclude_characters="\x00@/ \t\n\r",
                                           exclude_categories=("Cs",)), min_size=1,
                    max_size=20)


def _config(**values: Any) -> config_mod.Config:
    return config_mod.Config(path=Path("/nonexistent/config.toml"), loaded=False,
                             values=dict(values))


def _accept_name(name: str, backend: Any) -> bool:
    """True when the name is usable; a refusal must be a one-line UsageError."""
    try:
        names.check(name)
        backend.check_name(name)
    except UsageError as exc:
        assert "\n" not in str(exc) and str(exc), repr(exc)
        STATS.add("injection:rejected")
        return False
    return True


def _variables(env_values: list[str], proxy_pw: str, backend: str) -> session_env.SessionEnv:
    proxy = f"http://user:{proxy_pw}@proxy.internal:3128/"
    extra = [(f"V{i}", v) for i, v in enumerate(env_values)]
    return session_env.compute("n", config=_config(), backend=backend,
                               caller_env={"TERM": "xterm", "http_proxy": proxy,
                                           "PATH": "/usr/bin:/bin"},
                               extra_env=extra)


def _assert_no_mark(home: Path | None = None) -> None:
    for mark in (Path(MARK), *([home / "adv-pwned"] if home else [])):
        if mark.exists():
            STATS.add("injection:escapes")
            mark.unlink()
            raise AssertionError(f"an injected command ran: {mark} was created")


# -- the argv of every backend ----------------------------------------------------------------


def tmux_format_literal(arg: str) -> str:
    """What tmux's format expansion makes of a value that must stay literal: every '#' must
    be doubled ('##' is '#'); '#(' would run a command, '#{' substitute a value; '#[' (a
    style) is left as it is by the expansion."""
    out, i = [], 0
    while i < len(arg):
        if arg[i] == "#" and arg[i:i + 2] == "#[":
            out.append("#[")
            i += 2
        elif arg[i] == "#":
            assert arg[i:i + 2] == "##", f"{arg!r}: a lone '#' would be expanded by tmux"
            out.append("#")
            i += 2
        else:
            out.append(arg[i])
            i += 1
    return "".join(out)


def _settings(n: int) -> Any:
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@_settings(EXAMPLES)
@example(name="x;", workdir=sub("#(CMD);"), shell="a;", layout="-x",
         env_values=HOSTILE, pw="p;w'\"$(x)")
@given(name=name_candidates, workdir=components, shell=components, layout=values,
       env_values=st.lists(values, min_size=1, max_size=12), pw=passwords)
def test_zellij_argv_keeps_every_value_exact(name: str, workdir: str, shell: str, layout: str,
                                             env_values: list[str], pw: str) -> None:
    backend = ZellijBackend(_config(), {"PATH": "/usr/bin:/bin", "HOME": "/home/u",
                                        "ZELLIJ_SOCKET_DIR": "/tmp/zs"})
    backend._version = (0, 44, 1)
    if not _accept_name(name, backend):
        return
    senv = _variables(env_values, pw, "zellij")
    spec = SessionSpec(name=name, workdir=Path("/srv") / workdir, shell=f"/opt/{shell}/sh",
                       env=senv, layout=layout or "default",
                       options={"layout_arg": layout or "default"})
    seen: dict[str, Any] = {}

    def capture(process: Any) -> None:
        seen["argv"] = [str(a) for a in process.args]
        seen.update(process.kwargs)

    with FakeProcess() as fp:
        fp.register(["zellij", "list-sessions", "--no-formatting"],
                    stdout=f"{name} [Created 0s ago] \n")
        fp.register(["zellij", fp.any()], callback=capture)
        backend.create(spec)
    assert seen["argv"] == ["zellij", "-n", layout or "default", "attach",
                            "--create-background", name]
    assert seen["cwd"] == str(spec.workdir)
    env = seen["env"]
    assert env["SHELL"] == spec.shell
    for key, value in senv.variables.items():
        assert env[key] == value, key
    assert env["http_proxy"] == env["HTTP_PROXY"] == f"http://user:{pw}@proxy.internal:3128/"
    STATS.add("argv:zellij", 4 + len(senv.variables))


@_settings(EXAMPLES)
@example(name=sub("semi;#(CMD);"), workdir=sub("w#(CMD);"), shell="s;", env_values=HOSTILE,
         pw="pw;")
@given(name=name_candidates, workdir=components, shell=components,
       env_values=st.lists(values, min_size=1, max_size=12), pw=passwords)
def test_tmux_argv_keeps_every_value_exact(name: str, workdir: str, shell: str,
                                           env_values: list[str], pw: str) -> None:
    backend = TmuxBackend(_config(), {"PATH": "/usr/bin:/bin", "HOME": "/home/u",
                                      "XDG_DATA_HOME": "/nonexistent/data"})
    backend._version = TmuxVersion(3, 3, "3.3a")
    if not _accept_name(name, backend):
        return
    senv = _variables(env_values, pw, "tmux")
    spec = SessionSpec(name=name, workdir=Path("/srv") / workdir, shell=f"/opt/{shell}/sh",
                       env=senv)
    try:
        spec = backend.prepare(spec)
    except UsageError as exc:  # a shell path with '=' (env(1) would read it as a variable)
        assert "=" in spec.shell and "\n" not in str(exc)
        STATS.add("injection:rejected")
        return
    script = Path("/state/.tmux-new.1.x")
    argv = backend.create_argv(spec, script)
    # the argv names the script only: no value of the session reaches a command line
    assert argv == ["tmux", "start-server", ";", "source-file", str(script)]
    new, option, keep = parse_line(backend.create_script(spec))  # as tmux's parser reads it
    assert new[:6] == ["new-session", "-d", "-P", "-F", "#{pane_pid} #{session_path}", "-s"]
    assert tmux_format_literal(new[6]) == name
    assert new[7] == "-c" and tmux_format_literal(new[8]) == str(spec.workdir)
    rest = new[9:]
    expected_env = [item for key, value in senv.variables.items()
                    for item in ("-e", f"{key}={value}")]
    assert rest[:len(expected_env)] == expected_env
    tail = rest[len(expected_env):]
    assert tail[0] == "--" and tail[-2:] == [f"SHELL={spec.shell}", spec.shell]
    assert tail[2] == f"TERM={senv.variables['TERM']}"
    assert option == ["set-option", "-t", f"={name}:", "default-shell", spec.shell]
    assert keep == ["set-option", "-w", "-t", f"={name}:", "remain-on-exit", "on"]
    STATS.add("argv:tmux", 3 + len(senv.variables))


def _docker_reads_env_file(text: str) -> dict[str, str]:
    """docker's env-file reading (cli/opts, kvfile): lines split at "\\n" without a trailing
    "\\r", leading white space trimmed, blank and "#" lines skipped, KEY=VALUE taken literally."""
    out: dict[str, str] = {}
    for raw in text.split("\n"):
        line = raw.removesuffix("\r").lstrip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep and key and not any(c.isspace() for c in key), line
            out[key] = value
    return out


@_settings(EXAMPLES)
@example(name="ok-name", workdir='a,b"c=d', shell="-x", env_values=HOSTILE, pw="pw,\"")
@given(name=name_candidates, workdir=components, shell=components,
       env_values=st.lists(values, min_size=1, max_size=12), pw=passwords)
def test_docker_argv_keeps_every_value_exact(name: str, workdir: str, shell: str,
                                             env_values: list[str], pw: str) -> None:
    backend = DockerBackend(_config(), {"PATH": "/usr/bin:/bin", "HOME": "/home/u"})
    if not _accept_name(name, backend):
        return
    senv = _variables(env_values, pw, "docker")
    workdir_path = Path("/srv") / workdir
    spec = SessionSpec(name=name, workdir=workdir_path, shell=shell, env=senv,
                       options={"image": "debian:12", "network": "bridge", "extra_args": []})
    env_file = Path("/state/.s.1.docker-env")
    argv = backend.run_argv(spec, env_file)
    pairs = dict(itertools.pairwise(argv))
    assert pairs["--name"] == container_name(name)
    labels = [b for a, b in itertools.pairwise(argv) if a == "--label"]
    assert labels[0] == f"dev.clauderon.session={name}"
    assert pairs["--workdir"] == str(workdir_path)
    mount = next(csv.reader([pairs["--mount"]]))
    assert mount == ["type=bind", f"source={workdir_path}", f"target={workdir_path}"]
    # What docker sees: the env file read as the docker client reads it, then the --env
    # arguments; together exactly the session's variables, and no secret on the argv.
    in_file, _ = split_env(DockerBackend.variables(spec))
    seen = _docker_reads_env_file(render_env_file(name, in_file)) if in_file else {}
    assert pairs.get("--env-file") == (str(env_file) if in_file else None)
    for entry in (argv[i + 1] for i, a in enumerate(argv) if a == "--env"):
        key, _, value = entry.partition("=")
        assert "\n" in value or "\r" in value or len(entry.encode(errors="replace")) >= 60_000
        seen[key] = value
    assert seen == {"SHELL": shell, **senv.variables}
    # the proxy (with its password) can always be a line of the file: never on the argv
    assert not any(arg.lower().startswith("http_proxy=") for arg in argv)
    assert argv[-2:] == ["debian:12", shell]
    STATS.add("argv:docker", 3 + len(senv.variables))


@pytest.mark.parametrize("image", ["--privileged", "-v", "--help", "-"])
def test_docker_image_that_looks_like_an_option_is_refused(image: str) -> None:
    backend = DockerBackend(_config(), {"PATH": "/usr/bin:/bin"})
    with pytest.raises(UsageError, match="starts with '-'"):
        backend._image({"image": image})
    STATS.add("injection:rejected")


# -- a real tmux server -----------------------------------------------------------------------

DUMPER = r"""#!/bin/sh
# Writes what it was started with: $0, its working directory, its environment.
f="$ADV_DUMP/$$"
{ printf '%s\0' "$0"; pwd -P; printf '\0'; /usr/bin/env -0; } > "$f.part" && mv "$f.part" "$f.dump"
exec sleep 600
"""

TMUX_EXAMPLES = max(12, EXAMPLES // 20)
tmux_names = name_candidates.filter(lambda n: "\n" not in n)
plain_components = components.filter(
    lambda c: not any(ord(ch) < 32 or ord(ch) == 127 for ch in c))


def _read_dumps(dump_dir: Path) -> dict[str, tuple[str, str, dict[str, str]]]:
    """CLAUDERON_SESSION -> ($0, cwd, env) for every dump written so far."""
    found = {}
    for path in dump_dir.glob("*.dump"):
        raw = path.read_bytes()
        argv0, rest = raw.split(b"\0", 1)
        cwd, env_raw = rest.split(b"\n\0", 1)
        env = dict(e.split("=", 1) for e in env_raw.decode().split("\0") if "=" in e)
        found[env.get("CLAUDERON_SESSION", "?")] = (argv0.decode(), cwd.decode(), env)
    return found


@pytest.fixture
def tmux_lab(world: World) -> dict[str, Any]:
    tmux = require("tmux", "the injection tests run a real tmux server")
    dumps = world.root / "dumps"
    dumps.mkdir()
    return {"world": world, "tmux": tmux, "dumps": dumps, "count": [0]}


@_settings(TMUX_EXAMPLES)
@example(name=sub("x#(CMD)"), workdir=sub("#(CMD);"), shell=sub("sh;$(CMD)`x`#{pane_id};"),
         env_values=HOSTILE)
@example(name="semi;", workdir="a\\;", shell="b;", env_values=["x;", "\\;", sub("#(CMD)")])
@given(name=tmux_names, workdir=plain_components, shell=plain_components,
       env_values=st.lists(values, min_size=1, max_size=8))
def test_real_tmux_receives_every_value_exactly(tmux_lab: dict[str, Any], name: str,
                                                workdir: str, shell: str,
                                                env_values: list[str]) -> None:
    world: World = tmux_lab["world"]
    tmux_lab["count"][0] += 1
    name = f"t{tmux_lab['count'][0]}{name}"
    backend = TmuxBackend(_config(), world.env)
    if not _accept_name(name, backend) or "=" in shell:
        return
    wd = world.root / "wd" / workdir
    wd.mkdir(parents=True, exist_ok=True)
    shell_dir = world.root / "sh" / shell
    shell_dir.mkdir(parents=True, exist_ok=True)
    shell_path = shell_dir / "dump;"  # the last argv element ends with ';' too
    if not shell_path.exists():
        shell_path.write_text(DUMPER)
        shell_path.chmod(0o755)
    extra = [(f"V{i}", v) for i, v in enumerate(env_values)]
    extra += [("ADV_DUMP", str(tmux_lab["dumps"])), ("TERM", sub("xterm;#(CMD)"))]
    senv = session_env.compute(name, config=_config(), backend="tmux",
                               caller_env=world.env, extra_env=extra)
    spec = backend.prepare(SessionSpec(name=name, workdir=wd.resolve(), shell=str(shell_path),
                                       env=senv))
    try:
        backend.create(spec)
    except ClauderonError as exc:
        # a directory tmux cannot start a pane in ('##[' stays '##['): refused, nothing kept
        assert "instead of" in str(exc) and "\n" not in str(exc), exc
        assert name not in backend.states()
        STATS.add("injection:rejected")
        return
    listed = subprocess.run([tmux_lab["tmux"], "list-sessions", "-F", "#{session_name}"],
                            env=world.env, capture_output=True, text=True, check=True)
    assert name in listed.stdout.splitlines()
    deadline = time.monotonic() + 15
    while name not in (dumps := _read_dumps(tmux_lab["dumps"])):
        assert time.monotonic() < deadline, f"the shell of {name!r} never started"
        time.sleep(0.02)
    argv0, cwd, env = dumps[name]
    assert argv0 == str(shell_path)
    assert cwd == str(wd.resolve())
    for key, value in senv.variables.items():
        assert env.get(key) == value, (key, value, env.get(key))
    assert env["SHELL"] == str(shell_path)
    backend.kill(name)  # exact targets with hostile names too
    assert name not in backend.states()
    _assert_no_mark(world.home)
    STATS.add("tmux-real:values", 4 + len(senv.variables))


# -- the installed CLI against the Zellij fake ----------------------------------------------

CLI_NAMES = [
    "semi;colon", "trail;", "dollar$(CMD)", "back`CMD`", "hash#(CMD)", "q'uote",
    'dq"uote', "back\\slash", "brace{x}", "ünïcødé-✓-漢字-🚀", "pct%s%n", "bang!!", "tilde~",
    "star*?", "amp&&x", "pipe|x", "gt>x", "eq=x", "comma,x", "at@x",
    # refused: options, separators, control and invisible characters, too long
    "-x", "--", "--help", "a b", "tab\tx", "new\nline", "nul-free\x07bell", "a/b", ".", "..",
    "zw\u200bspace", "bidi\u202eoverride", "x" * 201,
]
CLI_NAMES = [sub(n) for n in CLI_NAMES]


def _expect_created(world: World, name: str, proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, (name, proc.stderr)
    assert f'"{name}"' in proc.stdout
    assert name in world.zellij_running() and name in world.registry_names()


def test_cli_session_names_are_exact_or_refused(world: World) -> None:
    budget = 107 - len(f"{world.env['ZELLIJ_SOCKET_DIR']}/contract_version_1/")

    def new(name: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        return name, world.run("new", "--", name)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(new, CLI_NAMES))
    accepted = set()
    for name, proc in results:
        try:
            names.check(name)
            valid = len(name.encode()) <= budget
        except UsageError:
            valid = False
        if valid:
            _expect_created(world, name, proc)
            accepted.add(name)
        else:
            assert_one_line_error(proc, code=2)
            STATS.add("injection:rejected")
    assert world.registry_names() == accepted == world.zellij_sessions()
    listed = {item["name"] for item in world.json("list")}
    assert listed == accepted
    cache = (Path(world.env["XDG_CACHE_HOME"]) / "clauderon" / "names").read_text()
    assert set(cache.splitlines()) == accepted
    # kill finds them by their exact names too (a sample: each kill takes a second).
    doomed = [n for n in accepted if any(c in n for c in ";$`#'\\")][:5]
    with ThreadPoolExecutor(4) as pool:
        killed = list(pool.map(lambda n: world.run("kill", "--", n), doomed))
    assert all(p.returncode == 0 for p in killed), [p.stderr for p in killed]
    assert world.registry_names() == world.zellij_sessions() == accepted - set(doomed)
    _assert_no_mark(world.home)
    STATS.add("cli:names", len(CLI_NAMES))


CLI_DIRS = ["semi;colon", "trail;", "$(CMD)", "`CMD`", "#(CMD)", "q'uote",
            'dq"uote', "back\\slash", "-leading-dash", "--", "ünïcødé ✓ 漢字 🚀", "spa ce",
            "a,b=c", "%s%n", "!!", "~tilde", "x" * 200]
CLI_DIRS = [sub(d) for d in CLI_DIRS]


def test_cli_workdirs_arrive_exact(world: World) -> None:
    dirs = []
    for i, component in enumerate(CLI_DIRS):
        path = world.root / "dirs" / component / "inner" if i % 2 else world.root / component
        path.mkdir(parents=True, exist_ok=True)
        dirs.append(path)

    def new(item: tuple[int, Path]) -> tuple[str, Path, subprocess.CompletedProcess[str]]:
        i, path = item
        return f"w{i}", path, world.run("new", "--workdir", str(path), f"w{i}")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(new, enumerate(dirs)))
    for name, path, proc in results:
        _expect_created(world, name, proc)
        assert read_session(world.env, name)["cwd"] == str(path)
    listed = {item["name"]: item["workdir"] for item in world.json("list")}
    assert listed == {name: str(path) for name, path, _ in results}
    # Control characters in a path would break every listing: refused, one line.
    for bad in ("new\nline", "esc\x1b[2J", "bell\x07"):
        path = world.root / bad
        path.mkdir()
        proc = world.run("new", "--workdir", str(path), "ctl")
        assert_one_line_error(proc, "control character", code=2)
        STATS.add("injection:rejected")
    assert world.assert_consistent(doctor=False) == len(CLI_DIRS)
    _assert_no_mark(world.home)
    STATS.add("cli:workdirs", len(CLI_DIRS) + 3)


def test_cli_layouts_and_shells_arrive_exact(world: World) -> None:
    layouts_dir = world.home / ".config" / "zellij" / "layouts"
    layouts_dir.mkdir(parents=True)
    layout_names = [sub(n) for n in ["-x", "semi;colon", "$(CMD)", "`CMD`", "q'uote", "ü漢",
                                     "#(CMD)"]]
    for n in layout_names:
        (layouts_dir / f"{n}.kdl").write_text("layout {\n    pane\n}\n")
    spaced = world.root / "my layouts" / "$(x) ;'\".kdl"
    spaced.parent.mkdir()
    spaced.write_text("layout {\n    pane\n}\n")
    shells = []
    for i, component in enumerate(["semi;", "$(CMD)", "q'\" `CMD`", "-dash", "#(CMD)", "ü 漢"]):
        directory = world.root / "shells" / sub(component)
        directory.mkdir(parents=True)
        target = directory / f"sh{i};"
        target.symlink_to("/bin/sh")
        shells.append(target)
    jobs: list[tuple[str, list[str], str | None, str | None]] = []
    for i, n in enumerate(layout_names):
        jobs.append((f"l{i}", ["--layout", n], n, None))
    jobs.append(("lp", ["--layout", str(spaced)], str(spaced), None))
    for i, sh in enumerate(shells):
        jobs.append((f"s{i}", ["--shell", str(sh)], None, str(sh)))

    def new(job: tuple[str, list[str], str | None, str | None]
            ) -> tuple[tuple[str, list[str], str | None, str | None],
                       subprocess.CompletedProcess[str]]:
        return job, world.run("new", *job[1], job[0])

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(new, jobs))
    for (name, _args, layout, shell), proc in results:
        _expect_created(world, name, proc)
        record = read_session(world.env, name)
        if layout is not None:
            assert record["layout"] == layout
        if shell is not None:
            assert record["shell"] == shell and record["env"]["SHELL"] == shell
    assert world.assert_consistent(doctor=False) == len(jobs)
    _assert_no_mark(world.home)
    STATS.add("cli:layouts+shells", len(jobs))


def _source_and_print(shell: str, script: str, count: int, out: Path, home: Path
                      ) -> list[bytes]:
    """Source ``script`` (what `clauderon env` printed) in a real ``shell``; return V0..Vn."""
    args = " ".join(f'"$V{i}"' for i in range(count))
    src = out.with_suffix(f".{shell}.src")
    src.write_text(script, encoding="utf-8")
    q = "'" + str(src).replace("'", "'\\''") + "'"
    word = "source" if shell == "fish" else "."
    command = f"{word} {q}; printf '%s\\0' {args}"
    argv = [shell, "--no-config", "-c", command] if shell == "fish" else [shell, "-c", command]
    if shell == "zsh":
        argv = [shell, "-f", "-c", command]
    proc = subprocess.run(argv, capture_output=True, env={"PATH": "/usr/bin:/bin",
                                                          "LANG": "C.UTF-8",
                                                          "HOME": str(home)},
                          timeout=60, check=False)
    assert proc.returncode == 0 and proc.stderr == b"", (shell, proc.stderr)
    return proc.stdout.split(b"\0")[:-1]


CLI_ENV_EXAMPLES = max(3, EXAMPLES // 60)


@pytest.fixture
def env_lab(world: World) -> dict[str, Any]:
    for shell in ("bash", "zsh", "fish"):
        require(shell, "`clauderon env` output is sourced in real shells")
    return {"world": world, "n": [0]}


@settings(max_examples=CLI_ENV_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@example(batch=[h for h in HOSTILE if len(h) < 1000])
@given(batch=st.lists(values.filter(lambda v: "\x00" not in v), min_size=1, max_size=40))
def test_cli_env_values_reach_session_and_shells_exact(env_lab: dict[str, Any],
                                                       batch: list[str]) -> None:
    world: World = env_lab["world"]
    env_lab["n"][0] += 1
    name = f"e{env_lab['n'][0]}"
    args = ["new", name]
    for i, value in enumerate(batch):
        args += ["--env", f"V{i}={value}"]
    proc = world.run(*args)
    _expect_created(world, name, proc)
    record = read_session(world.env, name)
    for i, value in enumerate(batch):
        assert record["env"][f"V{i}"] == value, i
    assert record["env"]["http_proxy"] == record["env"]["HTTP_PROXY"] == PROXY_URL
    for shell in ("bash", "zsh", "fish"):
        printed = world.ok("env", name, "--shell", shell).stdout
        got = _source_and_print(shell, printed, len(batch), world.root / name, world.home)
        assert got == [v.encode() for v in batch], shell
    _assert_no_mark(world.home)
    STATS.add("cli:env values", len(batch))


def test_cli_refuses_what_no_environment_can_hold(world: World) -> None:
    refusals = [
        (["--env", "1BAD=x"], "not a valid variable name"),
        (["--env", "A-B=x"], "not a valid variable name"),
        (["--env", "NOEQUALS"], "has no '='"),
        (["--env", "=x"], "empty variable name"),
        (["--shell", "relative/sh"], "absolute path"),
        (["--shell", "/no/such/shell"], "not an executable"),
        (["--layout", "no-such-layout"], "no-such-layout"),
        (["--backend", "x;id"], "not a backend"),
    ]
    for args, fragment in refusals:
        proc = world.run("new", "r", *args)
        assert_one_line_error(proc, fragment, code=2)
    # NUL cannot be in argv; through the config file it is refused too.
    world.write_config('[zellij]\nenv = ["A=x\\u0000y"]\n')
    assert_one_line_error(world.run("new", "r"), "NUL", code=2)
    world.write_config('[proxy]\nhttp = "http://u:p@h:1/\\u0000"\n')
    assert_one_line_error(world.run("new", "r"), "NUL", code=2)
    world.config_path.unlink()
    # Bytes that are not UTF-8 (argv and paths are bytes on Linux).
    bad_dir = os.fsencode(str(world.root)) + b"/\xff\xfe"
    os.mkdir(bad_dir)
    for extra in ([b"--workdir", bad_dir], [b"--env", b"A=\xff"], [b"--layout", b"\xff"]):
        raw = subprocess.run([*map(os.fsencode, clauderon_argv()), b"new", b"r", *extra],
                             env=world.env, cwd=world.cwd, capture_output=True, timeout=60,
                             check=False)
        proc = subprocess.CompletedProcess(raw.args, raw.returncode,
                                           raw.stdout.decode(errors="replace"),
                                           raw.stderr.decode(errors="replace"))
        assert_one_line_error(proc, "UTF-8", code=2)
    assert world.registry_names() == set() and world.zellij_sessions() == set()
    assert not world.env_file_names()
    STATS.add("injection:rejected", len(refusals) + 5)
    STATS.add("cli:refusals", len(refusals) + 5)


def test_cli_proxy_urls_arrive_exact(world: World) -> None:
    urls = [
        "http://u:p;w@h:1/", "http://u:$(touch MARK)@h:1/", "http://u:`CMD`@h:1/",
        "http://u:'\"@h:1/", "socks5h://u:#(CMD)@h:1080", "http://h:1/?a=b&c=$(CMD)",
        "http://u:pw@[::1]:3128", "-x", "http://ü:漢@h:1",
    ]
    urls = [sub(u) for u in urls]
    refused = 0
    for i, url in enumerate(urls):
        if i % 2:
            world.write_config(f"[proxy]\nhttps = {json.dumps(url)}\n")
            env: dict[str, str | None] = {}
            names_ = ("https_proxy", "HTTPS_PROXY")
            found = proxyurl.problem(url)
            if found and found.level == "error":  # a malformed address: a config error
                assert_one_line_error(world.run("new", f"p{i}"), ":2:9: proxy.https = ",
                                      code=2)
                STATS.add("injection:rejected")
                refused += 1
                continue
        else:
            world.write_config("")
            env = {"http_proxy": url, "HTTP_PROXY": None}
            names_ = ("http_proxy", "HTTP_PROXY")
        world.ok("new", f"p{i}", env=env)
        record = read_session(world.env, f"p{i}")
        for var in names_:
            assert record["env"][var] == url, (var, url)
    assert world.assert_consistent(doctor=False) == len(urls) - refused
    assert refused == 1  # "http://u:$(touch /tmp/...)@h:1/": a space
    _assert_no_mark(world.home)
    STATS.add("cli:proxy urls", len(urls))


# -- tmux and docker through the CLI ----------------------------------------------------------


def test_cli_tmux_names_and_workdirs_arrive_exact(world: World) -> None:
    tmux = require("tmux", "the injection tests run a real tmux server")
    world.write_config('default_backend = "tmux"\n')
    cases = {sub(k): sub(v) for k, v in {
        "hash(CMD)": "#(CMD)", "semi;": "trail;", "fmt{session_id}": "#{pane_id}",
        "q'\"`CMD`": "$(CMD)", "both;(CMD);": "both;#(CMD);", "style": "#[fg=red]"}.items()}
    for name, component in cases.items():
        wd = world.root / component
        wd.mkdir()
        world.ok("new", "--workdir", str(wd), "--", name)
        shown = subprocess.run([tmux, "display-message", "-p", "-t", f"={name}:",
                                "#{session_name}\t#{session_path}"], env=world.env,
                               capture_output=True, text=True, check=True).stdout
        assert shown == f"{name}\t{wd}\n"
    time.sleep(0.3)  # a #() job would have run by now
    _assert_no_mark(world.home)
    listed = {item["name"]: item["status"] for item in world.json("list")}
    assert listed == dict.fromkeys(cases, "running")
    for bad in ("dollar$x", "back\\slash", "dot.x", "colon:x", sub("hash#(CMD)"),
                sub("fmt#{session_id}"), "#[fg=red]x"):
        assert_one_line_error(world.run("new", "--", bad), "tmux", code=2)
        STATS.add("injection:rejected")
    world.ok("kill", "--all", "--yes")
    assert world.json("list") == []
    STATS.add("cli:tmux", len(cases) * 2)


def test_real_docker_receives_env_and_workdir_exact(world: World) -> None:
    from integration.docker_fixtures import TEST_IMAGE, require_docker

    require_docker()
    docker = shutil.which("docker")
    assert docker
    wd = world.root / sub('w,d"x=y;$(CMD)')
    wd.mkdir()
    name = f"adv-{os.getpid()}-{time.monotonic_ns() % 100000}"
    batch = [h for h in HOSTILE if len(h) < 600]
    args = ["new", "--backend", "docker", "--image", TEST_IMAGE, "--workdir", str(wd), name]
    for i, value in enumerate(batch):
        args += ["--env", f"V{i}={value}"]
    env = {"PATH": f"{world.env['PATH']}{os.pathsep}{os.path.dirname(docker)}"}
    try:
        world.ok(*args, env=env)
        # Docker's own record of the container (not clauderon output: it holds the session
        # environment, proxy password included, by design; so it is not in the secrets scan).
        inspected = json.loads(subprocess.run(
            [docker, "inspect", container_name(name)], env=world.merged(env), timeout=60,
            capture_output=True, text=True, check=True).stdout)[0]
        got = dict(e.split("=", 1) for e in inspected["Config"]["Env"])
        for i, value in enumerate(batch):
            assert got[f"V{i}"] == value, (i, value)
        assert inspected["Config"]["WorkingDir"] == str(wd)
        assert [m["Source"] for m in inspected["Mounts"]] == [str(wd)]
    finally:
        world.run("kill", name, env=env)
        subprocess.run([docker, "rm", "-f", container_name(name)], capture_output=True,
                       check=False, timeout=60)
    _assert_no_mark(world.home)
    STATS.add("docker-real:values", len(batch) + 2)


# -- issue 12: what round 2 found ---------------------------------------------------------------


@pytest.mark.parametrize("term", ["xterm-256color", "dumb", "screen"])
def test_sourcing_env_output_ends_with_status_0_in_every_shell(world: World, term: str) -> None:
    """`clauderon env X --shell fish | source` ended with status 1 when TERM differed (fish's
    `set` keeps the status before it); in every shell the snippet must end with status 0."""
    world.ok("new", "st")
    cli = " ".join(f"'{a}'" for a in clauderon_argv())
    scripts = {
        "fish": f"false; {cli} env st --shell fish | source; echo status=$status",
        "bash": f"false; source <({cli} env st --shell bash); echo status=$?",
        "zsh": f"false; source <({cli} env st --shell zsh); echo status=$?",
        "sh": f"false; {cli} env st --shell sh >\"$HOME/e.sh\"; . \"$HOME/e.sh\"; "
              "echo status=$?",
    }
    for shell, script in scripts.items():
        path = require("dash" if shell == "sh" else shell, "the snippet is sourced for real")
        got = subprocess.run([path, "-c", script], env=world.merged({"TERM": term}),
                             cwd=world.cwd, capture_output=True, text=True, timeout=60,
                             check=False)
        assert got.stdout.strip().splitlines()[-1:] == ["status=0"], (shell, term, got)
        assert got.stderr == "", (shell, got.stderr)
        STATS.add(f"envfile:{'bash' if shell == 'sh' else shell}")
    world.ok("kill", "st")


SHELLS = {"bash": "/bin/bash", "zsh": "/usr/bin/zsh", "fish": "/usr/bin/fish"}
# Temporary directories doctor's probe must survive: quotes of every kind, expansions, the
# escapes of fish's quotes, spaces, a newline.
TMPDIRS = ["x';touch $HOME/PWNED;'", "it's", 'dq"x', "$(touch $HOME/PWNED)", "`touch PWNED`",
           "back\\slash", "end\\", "fish\\'q", "sp ace", "semi;colon", "(touch PWNED)",
           "{a,b}", "*", "new\nline", "ünï ✓"]


@pytest.mark.parametrize("shell", list(SHELLS))
def test_doctor_probe_types_its_temp_path_quoted(world: World, shell: str) -> None:
    """proxy.propagation typed its $TMPDIR path into the shell unquoted: a TMPDIR holding
    `';touch $HOME/PWNED;'` ran the command, a plain apostrophe gave a false error."""
    path = require(shell, "the probe starts the real shell")
    world.ok("shell", "install", "--shell", shell, env={"SHELL": path})
    for i, name in enumerate(TMPDIRS):
        tmpdir = world.root / f"t{i}" / name
        tmpdir.mkdir(parents=True)
        item = world.doctor("proxy.propagation", env={"SHELL": path, "TMPDIR": str(tmpdir)})[
            "proxy.propagation"]
        assert item["status"] == "ok", (name, item)
        assert "the clauderon hook ran" in item["details"], (name, item)
        for pwned in (world.home / "PWNED", world.home / "PWNED".lower(), world.cwd / "PWNED"):
            if pwned.exists():
                STATS.add("injection:escapes")
            assert not pwned.exists(), (name, "a command typed by the probe ran")
        left = [p.name for p in tmpdir.iterdir() if p.name.startswith("clauderon")]
        assert left == [], "the probe left files behind"  # (fish keeps its fish.USER dir)
        STATS.add(f"tmpdir:{shell}")


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_crlf_rc_file_whose_hook_line_breaks_does_not_pass(world: World, shell: str) -> None:
    """A CRLF rc file's hook line ends in '\\r': every shell start fails to source the hook,
    and doctor must say so (it runs the rc file for real) rather than pass."""
    from clauderon.resources import hook_file
    from clauderon.shellrc import BEGIN, END, NOTICE, hook_line

    path = require(shell, "the probe starts the real shell")
    rc = world.home / f".{shell}rc"
    # The line older clauderons wrote (the package's hook, no `#` at the end for the \r).
    lines = ["# my settings", "export EDITOR=vi", BEGIN, NOTICE,
             hook_line(shell, hook_file(shell)).removesuffix(" #"), END]
    rc.write_bytes("".join(f"{line}\r\n" for line in lines).encode())
    item = world.doctor("proxy.propagation", env={"SHELL": path})["proxy.propagation"]
    assert item["status"] == "error", item
    assert "did not run" in item["summary"] and f"~/.{shell}rc" in item["summary"], item
    assert item["remedy"].startswith(f"clauderon shell install --shell {shell}"), item
    # The remedy works: the block it writes (CRLF, as the file) survives the \r.
    world.ok("shell", "install", "--shell", shell, env={"SHELL": path})
    assert rc.read_bytes().count(b"\r\n") == rc.read_bytes().count(b"\n")
    item = world.doctor("proxy.propagation", env={"SHELL": path})["proxy.propagation"]
    assert item["status"] == "ok" and "the clauderon hook ran" in item["details"], item
    STATS.add("eol:CRLF")


def _paste(shell: str, world: World, command: str, show: str) -> str:
    """Paste ``command`` into a real ``shell``, then print variable ``show``."""
    path = require(shell, "remedies are pasted into the real shell")
    script = f"{command}\nprintf '%s' \"${show}\""
    got = subprocess.run([path, "-c", script], env=world.merged({"SHELL": path}),
                         cwd=world.cwd, capture_output=True, text=True, timeout=30, check=False)
    assert got.returncode == 0 and got.stderr == "", (shell, command, got.stderr)
    return got.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_remedies_are_pasteable_commands_for_the_users_shell(world: World, shell: str) -> None:
    """`no_proxy="a'$(touch PWN)'"` gave a remedy `export no_proxy='a'$(touch PWN)'...'` that
    ran the command when pasted; every value spliced into a remedy is quoted for $SHELL."""
    path = require(shell)
    # (control characters are shown escaped in every report, so not pasteable as such)
    values = [v for v in HOSTILE if v and v.isprintable() and len(v) < 200] + [
        "a'$(touch PWN)'", "a'$(cd; touch PWN)'", "x\\'(touch PWN)'"]
    for value in values:
        env = {"SHELL": path, "no_proxy": value, "NO_PROXY": None,
               "http_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": None}
        item = world.doctor("proxy.config", env=env)["proxy.config"]
        merged = ",".join([e for e in value.split(",") if e.strip()]
                          + [n for n in ("localhost", "127.0.0.1", "::1")
                             if n not in value.split(",")])
        if item["status"] == "ok":
            continue  # the value happens to cover loopback
        remedy = item["remedy"]
        assert remedy.startswith("export no_proxy="), (value, remedy)
        assert _paste(shell, world, remedy, "no_proxy") == merged, (value, remedy)
        for pwned in (world.cwd / "PWN", world.home / "PWN", Path(MARK)):
            if pwned.exists():
                STATS.add("injection:escapes")
            assert not pwned.exists(), (value, remedy)
        STATS.add(f"cli:remedies {shell}")


@pytest.mark.parametrize("url", ["not a url", "http://not a url:80", "http://h:port",
                                 "http://u:pa/ss@h:1", "http://u:p#w@h:1", "ftp://h:21",
                                 "http://h;touch PWN:1", "http://$(touch PWN):1",
                                 "http://[zz]:1", "http://u:pw@:1", "socks5h://h:0"])
def test_a_malformed_proxy_url_in_the_config_is_a_config_error(world: World, url: str) -> None:
    """`http = "not a url"` was passed on (doctor printed `curl ... -x http://not a url:80`):
    it is a config error naming FILE:LINE:COL, the value masked, nothing created."""
    world.write_config(f'# proxy\n\n[proxy]\nno_proxy = ["localhost"]\n'
                       f'https  =  {json.dumps(url)}\n')
    for args in (["list"], ["config", "show"], ["new", "x"]):
        line = assert_one_line_error(world.run(*args), code=2)
        assert "~/.config/clauderon/config.toml:5:11: proxy.https = " in line, line
        assert "pa/ss" not in line and "p#w" not in line, line
        if "@h:1" in url:  # masked, and only the password: the message stays readable
            assert f"proxy.https = '{url.split(':', 2)[0]}://u:***@h:1' " in line, line
        STATS.add("injection:rejected")
    assert world.registry_names() == set() and world.env_file_names() == set()
    # Inherited from the environment instead: doctor says what is wrong, and suggests no
    # command holding the malformed address.
    world.write_config("")
    checks = world.doctor("proxy.config", "proxy.reachable",
                          env={"https_proxy": url, "HTTPS_PROXY": None})
    assert checks["proxy.config"]["status"] == "error", checks
    assert "pa/ss" not in json.dumps(checks) and "p#w" not in json.dumps(checks)
    reach = checks["proxy.reachable"]
    assert reach["status"] != "error" or "-x http" not in (reach["remedy"] or "") \
        or " " not in reach["remedy"].split(" -x ")[1].split()[0], reach
    assert not (world.cwd / "PWN").exists()
    STATS.add("cli:proxy urls")


# What a terminal acts on: C0 controls but newline and tab, DEL, C1 controls, separators,
# bidirectional and other format characters.
TERMINAL_ACTS_ON = [chr(c) for c in range(0x20) if chr(c) not in "\n\t"] + [
    chr(c) for c in range(0x7f, 0xa0)] + ["\u2028", "\u2029", "\u202e", "\u2066", "\u200b",
                                          "\ufeff"]


def _acted_on(text: str) -> list[str]:
    return sorted({repr(ch) for ch in text if ch in TERMINAL_ACTS_ON})


def test_no_output_writes_terminal_controls_from_config_values_or_names(world: World) -> None:
    """`config show` (and every other output) wrote a config value's ESC sequences, CRs and
    bidi overrides to the terminal; they are shown escaped, and JSON keeps the exact data."""
    nasty = ["\x1b[2J\x1b[31mred", "a\rb", "bell\x07", "del\x7f", "csi\x9b31m", "rtl\u202eabc",
             "tab\tsep", "nl\nx", "\x1b]0;title\x07", "[bold]rich[/]", "[/]"]
    env_list = ", ".join(json.dumps(f"V{i}={v}") for i, v in enumerate(nasty))
    no_proxy = ", ".join(json.dumps(v) for v in nasty)
    world.write_config(f"[proxy]\nno_proxy = [{no_proxy}]\n[zellij]\nenv = [{env_list}]\n"
                       f'{json.dumps("key" + nasty[0])} = 1\n'
                       f'[{json.dumps("tbl" + nasty[5])}]\nx = 1\n')
    world.ok("new", "ctl")
    runs = [world.run(*args) for args in (
        ["config", "show"], ["list"], ["list", "--json"], ["env", "ctl", "--masked"],
        ["doctor"], ["doctor", "--verbose"], ["doctor", "--json"], ["new", "ctl"],
        ["new", "x", "--env", "BAD-NAME\x1b[2J=1"], ["new", "x", "--env", "A\u202e=1"],
        ["kill", "nope\x1b[2J"])]
    shown = world.run("config", "show", "--json")
    for proc in [*runs, shown]:
        assert TRACEBACK not in proc.stderr, proc.stderr
        out = proc.stdout if proc.args[-1:] != ["--masked"] else ""  # (meant to be sourced)
        assert _acted_on(out + proc.stderr) == [], (proc.args, out, proc.stderr)
        STATS.add("cli:terminal controls")
    settings_ = {s["key"]: s["value"] for s in json.loads(shown.stdout)["settings"]}
    assert settings_["proxy.no_proxy"] == nasty  # the exact data, escaped only for display
    assert settings_["zellij.env"] == [f"V{i}={v}" for i, v in enumerate(nasty)]
    text = world.run("config", "show").stdout + world.run("config", "show").stderr
    assert "\\x1b[2J\\x1b[31mred" in text and "rtl\\u202eabc" in text, text
    world.ok("kill", "ctl")
    world.write_config("")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "dash"])
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(extra=st.lists(text_values, min_size=20, max_size=40))
def test_every_printed_command_word_reads_back_exactly(shell: str, extra: list[str]) -> None:
    """shellquote.quote_word, through which every value spliced into a printed command goes:
    pasted into the real shell ($SHELL's kind), each word is read back byte for byte."""
    from clauderon.shellquote import quote_word

    path = require(shell, "words are read back by the real shell")
    kind = "fish" if shell == "fish" else "sh"
    values = [v for v in HOSTILE if "\x00" not in v] + extra + [
        "=cmd", "~", "~/x", "a=~", "-n", "%self", "{a,b}", "a b", "@", "%", ","]
    script = "".join(f"printf '%s\\0' {quote_word(v, kind)}\n" for v in values)
    got = subprocess.run([path, "-c", script], capture_output=True, timeout=60, check=False,
                         env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
                         cwd="/")
    assert got.returncode == 0, got.stderr
    assert got.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1] == values
    _assert_no_mark()
    STATS.add(f"cli:remedy words {shell}", len(values))
