"""The generator: scripts come from the template files, and fixed choices from the CLI itself.

A throwaway typer app whose ``--backend`` is an Enum built at run time from a list of names
(``podman`` among them, which clauderon does not have) and whose ``--network`` is a Literal is
rendered into scripts; real bash, zsh and fish then offer exactly those choices. Nothing in the
generator names a backend or a network, so a new backend reaches the scripts by itself.
"""

from __future__ import annotations

import enum
import importlib.util
import sys
from pathlib import Path
from typing import Any, Literal, Optional

import pytest
import typer
from completion_harness import ROOT, complete_bash, complete_fish, complete_zsh, fish_setup

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


def _throwaway_app() -> typer.Typer:
    app = typer.Typer(add_completion=False)

    @app.command()
    def new(session: str = typer.Argument(...),
            backend: Optional[Backend] = typer.Option(  # type: ignore[valid-type]
                None, "--backend", "-b", help="The backend."),
            network: Optional[Literal["bridge", "none", "host"]] = typer.Option(
                None, "--network", help="Docker network."),
            image: Optional[str] = typer.Option(None, "--image", help="Docker image."),
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
    "clauderon new --image ": set(),
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
    """``clauderon PATH OPTION `` -> the choices of every option of the real CLI whose type has
    fixed choices, read from click (not from the generator)."""
    import typer.main

    from clauderon.cli.app import app

    found: dict[str, set[str]] = {}

    def walk(cmd: Any, path: tuple[str, ...], parent: Any) -> None:
        ctx = cmd.context_class(cmd, parent=parent, info_name=path[-1] if path else "clauderon",
                                **(cmd.context_settings or {}))
        for param in cmd.get_params(ctx):
            choices = getattr(param.type, "choices", None)
            if param.param_type_name == "option" and choices:
                for name in param.opts:
                    found[" ".join(("clauderon", *path, name)) + " "] = {str(c) for c in choices}
        for sub_name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, sub_name), ctx)

    walk(typer.main.get_command(app), (), None)
    return found


def test_every_option_with_choices_offers_them_in_the_committed_scripts(
        bash: str, env: dict[str, str]) -> None:
    from clauderon import backends

    expected = _cli_choice_options()
    assert expected.get("clauderon new --backend ") == set(backends.names())
    got = complete_bash(bash, list(expected), env)
    assert {line: set(got[line][0]) for line in expected} == expected
