"""The scripts and the live CLI agree: every command and option of the CLI is offered by each
shell's script, and each script offers nothing the CLI does not have.

The CLI side is read here from ``typer.main.get_command(app)`` (not from the generator); the
script side is what a TAB in each real shell offers after ``clauderon PATH -`` (options) and
``clauderon GROUP `` (subcommands). Hidden commands (``ls``, ``rm``) are not offered as commands
but their options are, so they are checked through their own option lists.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from completion_harness import ROOT, complete_bash, complete_fish, complete_zsh, fish_setup
from realtools import require


def _cli_commands() -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    import typer

    from clauderon.cli.app import app

    def walk(cmd: Any, path: tuple[str, ...], parent: Any) -> Iterator[tuple[Any, ...]]:
        ctx = cmd.context_class(cmd, parent=parent, info_name=path[-1] if path else "clauderon",
                                **(cmd.context_settings or {}))
        yield path, cmd, ctx
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, (*path, name), ctx)

    yield from walk(typer.main.get_command(app), (), None)


def cli_options() -> dict[tuple[str, ...], set[str]]:
    """command path -> every visible option name (help and negative forms included)."""
    found = {}
    for path, cmd, ctx in _cli_commands():
        found[path] = {name for p in cmd.get_params(ctx)
                       if p.param_type_name == "option" and not getattr(p, "hidden", False)
                       for name in (*p.opts, *p.secondary_opts)}
    return found


def cli_subcommands() -> dict[tuple[str, ...], set[str]]:
    """group path -> the visible subcommands plus the words the group takes in their place."""
    return {path: {n for n, c in cmd.commands.items() if not c.hidden}
            | set(getattr(cmd, "completion_words", ()))
            for path, cmd, _ in _cli_commands() if getattr(cmd, "commands", None)}


def option_line(path: tuple[str, ...]) -> str:
    return " ".join(("clauderon", *path, "-"))


def command_line(path: tuple[str, ...]) -> str:
    return " ".join(("clauderon", *path)) + " "


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return ([option_line(p) for p in cli_options()] + [command_line(p) for p in cli_subcommands()])


@pytest.fixture(scope="module")
def offered(lines: list[str], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, dict[str, set[str]]]:
    home = tmp_path_factory.mktemp("consistency-home")
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8", "TERM": "dumb"}
    found: dict[str, dict[str, set[str]]] = {}
    if shutil.which("bash"):
        found["bash"] = {k: set(v[0]) for k, v in complete_bash("bash", lines, env).items()}
    if shutil.which("zsh"):
        zsh = complete_zsh("zsh", lines, env, tmp_path_factory.mktemp("zdot"))
        found["zsh"] = {k: set(v) for k, v in zsh.items()}
    if shutil.which("fish"):
        fish = complete_fish("fish", lines, env, fish_setup())
        found["fish"] = {k: set(v) for k, v in fish.items()}
    return found


def _compare(what: str, cli: set[str], script: set[str]) -> None:
    missing, extra = sorted(cli - script), sorted(script - cli)
    assert not missing and not extra, (
        f"{what}: in the CLI but not offered by the script: {missing}; offered by the script "
        f"but not in the CLI: {extra}. Regenerate: python tools/gen_completions.py")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_option_of_every_command_both_ways(
        offered: dict[str, dict[str, set[str]]], shell: str) -> None:
    require(shell, f"the consistency test runs real {shell}")
    for path, options in cli_options().items():
        _compare(f"{shell}: options of `{' '.join(('clauderon', *path))}`", options,
                 offered[shell][option_line(path)])


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_subcommand_of_every_group_both_ways(
        offered: dict[str, dict[str, set[str]]], shell: str) -> None:
    require(shell, f"the consistency test runs real {shell}")
    for path, commands in cli_subcommands().items():
        _compare(f"{shell}: subcommands of `{' '.join(('clauderon', *path))}`", commands,
                 offered[shell][command_line(path)])


def test_the_cli_has_what_the_issue_names() -> None:
    """Guards the walk above: it must see hidden aliases and nested groups."""
    options = cli_options()
    assert {("rm",), ("ls",), ("config", "show"), ("completions", "install")} <= set(options)
    assert {"--backend", "-b", "--workdir", "--layout", "--network"} <= options[("new",)]


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


def test_committed_scripts_are_what_the_generator_makes_from_the_cli(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _generator().main(["--check"]) == 0, capsys.readouterr().err


def test_generator_check_fails_on_a_stale_script(tmp_path: Path) -> None:
    gen = _generator()
    for name in gen.FILES.values():
        shutil.copy(ROOT / "completions" / name, tmp_path / name)
    stale = tmp_path / "_clauderon"
    stale.write_text(stale.read_text().replace("'--backend:", "'--backnd:"))
    assert gen.main(["--check", "--out", str(tmp_path)]) == 1
    assert gen.main(["--out", str(tmp_path)]) == 0  # rewrites it
    assert gen.main(["--check", "--out", str(tmp_path)]) == 0


def test_doctor_check_ids_come_from_the_doctor_package() -> None:
    from clauderon.doctor.checks import all_checks

    ids = {c.id for c in all_checks()}
    script = (ROOT / "completions" / "clauderon.bash").read_text()
    line = next(x for x in script.splitlines() if x.strip().startswith("checks)"))
    assert ids <= set(line.split())


def test_each_script_carries_the_version_line() -> None:
    from clauderon import __version__

    for name in ("clauderon.bash", "_clauderon", "clauderon.fish"):
        text = (ROOT / "completions" / name).read_text()
        assert f"\n# clauderon-completions {__version__}\n" in "\n" + text, name
    assert (ROOT / "completions" / "_clauderon").read_text().startswith("#compdef clauderon\n")
