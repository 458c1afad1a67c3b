"""The generator: scripts come from the template files, and fixed choices from the CLI itself.

A throwaway typer app whose ``--backend`` is an Enum built at run time from a list of names
(``podman`` among them, which clauderon does not have) and whose ``--network`` is a Literal is
rendered into scripts; real bash, zsh and fish then offer exactly those choices. Nothing in the
generator names a backend or a network, so a new backend reaches the scripts by itself.
"""

from __future__ import annotations

import enum
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal, Optional

import pytest
import typer
from completion_harness import ROOT, complete_bash, complete_fish, complete_zsh, fish_setup
from realtools import require

TEMPLATES = ROOT / "tools" / "completion_templates"
BACKENDS = ["docker", "podman", "tmux", "zellij"]
# Built from the list at run time, as the CLI builds its --backend choices from the table.
Backend = enum.Enum("Backend", {n: n for n in BACKENDS}, type=str)  # type: ignore[misc]


def _generator() -> Any:
    """tools/gen_completions.py as a module (tools/ is not a package)."""
    if "gen_completions" not in sys.modules:
        spec = importlib.util.spec_from_file_location("gen_completions",
                                                      ROOT / "tools" / "gen_completions.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["gen_completions"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["gen_completions"]


def _images(incomplete: str) -> list[str]:
    return [i for i in ("debian-12", "alpine") if i.startswith(incomplete)]


def _throwaway_app() -> typer.Typer:
    app = typer.Typer(add_completion=False)

    @app.command()
    def new(session: str = typer.Argument(...),
            backend: Optional[Backend] = typer.Option(  # type: ignore[valid-type]
                None, "--backend", "-b", help="The backend."),
            network: Optional[Literal["bridge", "none", "host"]] = typer.Option(
                None, "--network", help="Docker network."),
            image: Optional[str] = typer.Option(None, "--image", help="Docker image.",
                                                autocompletion=_images),
            repo: Optional[str] = typer.Option(None, "--repo", help="Repository."),
            base: Optional[str] = typer.Option(None, "--base", help="Base ref."),
            branch: Optional[str] = typer.Option(None, "--branch", help="Branch."),
            agent: Optional[str] = typer.Option(None, "--agent", help="Agent."),
            prompt_file: Optional[str] = typer.Option(None, "--prompt-file", help="Prompt."),
            ) -> None:
        """Create a session."""

    @app.command()
    def attach(name: str = typer.Argument(...)) -> None:
        """Attach."""

    return app


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gen = _generator()
    out = tmp_path_factory.mktemp("generated")
    for shell, text in gen.render_all(gen.build_model(_throwaway_app()), "9.9").items():
        (out / gen.FILES[shell]).write_text(text, encoding="utf-8")
    return out


LINES = {
    "clauderon new --backend ": set(BACKENDS),
    "clauderon new -b p": {"podman"},
    "clauderon new --network ": {"bridge", "none", "host"},
    "clauderon new --image ": {"debian-12", "alpine"},  # its autocompletion's values
    "clauderon new --image a": {"alpine"},
}


def test_choices_reach_real_bash_from_the_cli_definition(
        scripts: Path, bash: str, env: dict[str, str]) -> None:
    got = complete_bash(bash, list(LINES), env, script=scripts / "clauderon.bash")
    assert {line: set(got[line][0]) for line in LINES} == LINES


def test_choices_reach_real_zsh_from_the_cli_definition(
        scripts: Path, zsh: str, env: dict[str, str], tmp_path: Path) -> None:
    got = complete_zsh(zsh, list(LINES), env, tmp_path, fpath=scripts)
    assert {line: set(got[line]) for line in LINES} == LINES


def test_choices_reach_real_fish_from_the_cli_definition(
        scripts: Path, fish: str, env: dict[str, str]) -> None:
    got = complete_fish(fish, list(LINES), env, fish_setup(scripts))
    assert {line: set(got[line]) for line in LINES} == LINES


def test_a_choice_list_is_named_after_its_option() -> None:
    model = _generator().build_model(_throwaway_app())
    assert model.word_kinds["backend"] == tuple(BACKENDS)
    assert model.word_kinds["network"] == ("bridge", "none", "host")
    assert model.word_kinds["image"] == ("debian-12", "alpine")
    assert model.labels["backend"] == "backend"


def test_the_generator_holds_no_script_body() -> None:
    """The shell code is in the template files: the generator has none of their functions."""
    source = (ROOT / "tools" / "gen_completions.py").read_text(encoding="utf-8")
    for shell, name in _generator().TEMPLATES.items():
        template = (TEMPLATES / name).read_text(encoding="utf-8")
        assert "__clauderon_names" in template, shell
    for body_line in ("__clauderon_names() {", "function __clauderon_parse",
                      "complete -F _clauderon clauderon", "compdef _clauderon clauderon"):
        assert body_line not in source


def test_a_template_placeholder_left_unfilled_stops_the_generator(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gen = _generator()
    for name in gen.TEMPLATES.values():
        (tmp_path / name).write_text((TEMPLATES / name).read_text() + "@@EXTRA@@\n")
    monkeypatch.setattr(gen, "TEMPLATE_DIR", tmp_path)
    with pytest.raises(SystemExit, match="EXTRA"):
        gen.render_all(gen.build_model(_throwaway_app()), "9.9")


def _cli_choice_options() -> dict[str, set[str]]:
    """``clauderon PATH OPTION `` -> the values every option of the real CLI declares (its
    type's choices or its autocompletion), read through click (not through the generator)."""
    import typer.main

    from clauderon.cli.app import app

    found: dict[str, set[str]] = {}

    def walk(cmd: Any, path: tuple[str, ...], parent: Any) -> None:
        ctx = cmd.context_class(cmd, parent=parent, info_name=path[-1] if path else "clauderon",
                                **(cmd.context_settings or {}))
        for param in cmd.get_params(ctx):
            values = [i.value for i in param.shell_complete(ctx, "") if i.type == "plain"]
            if param.param_type_name == "option" and values:
                for name in param.opts:
                    found[" ".join(("clauderon", *path, name)) + " "] = set(values)
        for sub_name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, sub_name), ctx)

    walk(typer.main.get_command(app), (), None)
    return found


def test_every_option_with_choices_offers_them_in_the_committed_scripts(
        bash: str, env: dict[str, str]) -> None:
    from clauderon import backends

    expected = _cli_choice_options()
    assert expected.get("clauderon new --backend ") == set(backends.names())
    assert expected.get("clauderon new --network ") == {"bridge", "none", "host"}
    got = complete_bash(bash, list(expected), env)
    assert {line: set(got[line][0]) for line in expected} == expected


# --- issue 13: --agent from the agents cache, --repo directories, --base/--branch git refs.
# The throwaway app has the options `new` is getting; the generator needs no change for them.

AGENTS = ("aider", "claude", "codex", "gemini", "my agent")
AGENT_LINES = {
    "clauderon new x --agent ": set(AGENTS),
    "clauderon new x --agent c": {"claude", "codex"},
    "clauderon new x --agent=g": {"gemini"},
}


@pytest.fixture
def agents_cache(home: Path) -> Path:
    cache = home / ".cache" / "clauderon" / "agents"
    cache.write_text("".join(f"{a}\n" for a in AGENTS), encoding="utf-8")
    return cache


def test_agent_names_come_from_the_agents_cache_in_bash(
        scripts: Path, bash: str, env: dict[str, str], agents_cache: Path) -> None:
    got = complete_bash(bash, list(AGENT_LINES), env, script=scripts / "clauderon.bash")
    unquoted = {line: {r.replace("\\ ", " ") for r in got[line][0]} for line in AGENT_LINES}
    assert unquoted == AGENT_LINES
    assert "my\\ agent" in got["clauderon new x --agent "][0]  # quoted for the line


def test_agent_names_come_from_the_agents_cache_in_zsh(
        scripts: Path, zsh: str, env: dict[str, str], agents_cache: Path, tmp_path: Path) -> None:
    got = complete_zsh(zsh, list(AGENT_LINES), env, tmp_path, fpath=scripts)
    unquoted = {line: {r.replace("\\ ", " ") for r in got[line]} for line in AGENT_LINES}
    assert unquoted == AGENT_LINES


def test_agent_names_come_from_the_agents_cache_in_fish(
        scripts: Path, fish: str, env: dict[str, str], agents_cache: Path) -> None:
    got = complete_fish(fish, list(AGENT_LINES), env, fish_setup(scripts))
    expected = {**AGENT_LINES, "clauderon new x --agent=g": {"--agent=gemini"}}
    assert {line: set(got[line]) for line in AGENT_LINES} == expected


def test_no_agents_cache_offers_nothing(scripts: Path, bash: str, env: dict[str, str]) -> None:
    got = complete_bash(bash, ["clauderon new x --agent "], env, script=scripts / "clauderon.bash")
    assert got["clauderon new x --agent "][0] == []


def test_repo_completes_directories(scripts: Path, bash: str, env: dict[str, str]) -> None:
    got = complete_bash(bash, ["clauderon new x --repo "], env, script=scripts / "clauderon.bash")
    assert got["clauderon new x --repo "][1] == ["-o dirnames"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git = require("git", "git refs are completed from a real repository")
    repo = tmp_path / "my repo"
    repo.mkdir()
    quiet = {"capture_output": True, "check": True, "cwd": repo}
    subprocess.run([git, "init", "-q", "-b", "main"], **quiet)  # type: ignore[call-overload]
    subprocess.run([git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q",
                    "--allow-empty", "-m", "one"], **quiet)  # type: ignore[call-overload]
    subprocess.run([git, "branch", "feature-x"], **quiet)  # type: ignore[call-overload]
    subprocess.run([git, "branch", "fix-y"], **quiet)  # type: ignore[call-overload]
    subprocess.run([git, "tag", "v1"], **quiet)  # type: ignore[call-overload]
    return repo


def _ref_lines(repo: Path) -> dict[str, set[str]]:
    quoted = str(repo).replace(" ", "\\ ")
    return {f"clauderon new x --repo {quoted} --base f": {"feature-x", "fix-y"},
            f"clauderon new x --repo={quoted} --branch fe": {"feature-x"},
            f"clauderon new x --repo {quoted} --base v": {"v1"}}


def test_git_refs_come_from_bash_git_completion_in_the_repo_of_repo(
        scripts: Path, bash: str, env: dict[str, str], repo: Path, tmp_path: Path) -> None:
    git_completion = Path("/usr/share/bash-completion/completions/git")
    if not git_completion.is_file():
        pytest.skip("bash's git completion is not installed")
    plain = tmp_path / "plain-name"  # the harness splits lines at every space, as unquoted
    plain.symlink_to(repo)
    lines = _ref_lines(plain)
    elsewhere = tmp_path / "elsewhere"  # not a repository: the refs come from --repo
    elsewhere.mkdir()
    got = complete_bash(bash, list(lines), env, script=scripts / "clauderon.bash",
                        cwd=elsewhere, prelude=f"source {git_completion}")
    assert {line: set(got[line][0]) for line in lines} == lines
    without = complete_bash(bash, list(lines), env, script=scripts / "clauderon.bash",
                            cwd=elsewhere)  # git's completion not loaded: nothing, no git run
    assert {line: without[line][0] for line in lines} == {line: [] for line in lines}


def test_git_refs_come_from_fish_git_completion_in_the_repo_of_repo(
        scripts: Path, fish: str, env: dict[str, str], repo: Path, tmp_path: Path) -> None:
    git_completion = Path("/usr/share/fish/completions/git.fish")
    if not git_completion.is_file():
        pytest.skip("fish's git completion is not installed")
    lines = _ref_lines(repo)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    setup = fish_setup(scripts) + f"source {git_completion}\n"
    got = complete_fish(fish, list(lines), env, setup, cwd=elsewhere)
    assert {line: set(got[line]) for line in lines} == lines


def test_git_refs_come_from_zsh_git_completion_in_the_repo_of_repo(
        scripts: Path, zsh: str, env: dict[str, str], repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain-name"
    plain.symlink_to(repo)
    lines = _ref_lines(plain)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = complete_zsh(zsh, list(lines), env, tmp_path / "z1", fpath=scripts, cwd=elsewhere)
    assert {line: before[line] for line in lines} == {line: [] for line in lines}
    # A TAB after `git` loads zsh's git completion (_git and its helpers) into the shell.
    got = complete_zsh(zsh, ["git checkout ", *lines], env, tmp_path / "z2", fpath=scripts,
                       cwd=elsewhere)
    assert {line: set(got[line]) for line in lines} == lines


@pytest.fixture
def trapped(env: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], Path]:
    """PATH holding only programs that record that they ran (git among them) and fail."""
    bin_dir = tmp_path / "trap-bin"
    bin_dir.mkdir()
    log = tmp_path / "ran.log"
    for name in ("python3", "clauderon", "cat", "git", "grep", "sed"):
        trap = bin_dir / name
        trap.write_text(f"#!/bin/sh\necho {name} >> '{log}'\nexit 97\n")
        trap.chmod(0o755)
    return dict(env, PATH=str(bin_dir)), log


NO_PROCESS_LINES = ["clauderon new x --agent c", "clauderon new x --base m"]


def test_agent_names_and_refs_without_git_completion_run_nothing(
        scripts: Path, bash: str, zsh: str, fish: str, agents_cache: Path,
        trapped: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, log = trapped
    by_bash = complete_bash(bash, NO_PROCESS_LINES, env, script=scripts / "clauderon.bash")
    by_zsh = complete_zsh(zsh, NO_PROCESS_LINES, env, tmp_path / "zdot", fpath=scripts)
    by_fish = complete_fish(fish, NO_PROCESS_LINES, env, fish_setup(scripts))
    assert not log.exists(), f"a TAB ran: {log.read_text()}"
    assert set(by_bash["clauderon new x --agent c"][0]) == {"claude", "codex"}
    assert set(by_zsh["clauderon new x --agent c"]) == {"claude", "codex"}
    assert set(by_fish["clauderon new x --agent c"]) == {"claude", "codex"}
    assert (by_bash["clauderon new x --base m"][0], by_zsh["clauderon new x --base m"],
            by_fish["clauderon new x --base m"]) == ([], [], [])


def test_a_backend_module_dropped_into_the_package_reaches_the_scripts(
        tmp_path: Path, bash: str, env: dict[str, str]) -> None:
    """Issue 10's proof, for the completion scripts: a copy of the package with one more
    backend module (tests/architecture's throwaway `memo`), the generator and its templates
    copied beside it unchanged; the regenerated bash script offers the new backend."""
    import shutil

    from tests.architecture.test_backend_module import MEMO

    shutil.copytree(ROOT / "clauderon", tmp_path / "clauderon",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "clauderon" / "backends" / "memo.py").write_text(MEMO)
    shutil.copytree(ROOT / "tools", tmp_path / "tools",
                    ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(tmp_path / "tools" / "gen_completions.py"),
                           "--out", str(out)], capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr
    lines = {"clauderon new --backend ": {"docker", "memo", "tmux", "zellij"},
             "clauderon new -b m": {"memo"}}
    got = complete_bash(bash, list(lines), env, script=out / "clauderon.bash")
    assert {line: set(got[line][0]) for line in lines} == lines
