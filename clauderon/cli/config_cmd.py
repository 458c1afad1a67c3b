"""``clauderon config path | show | init | set``."""


import os
from typing import TYPE_CHECKING, Optional

import typer

from clauderon.cli import output
from clauderon.cli.usage import Command

if TYPE_CHECKING:
    from clauderon.config import Config

app = typer.Typer(help="Where the config file is, what is in force, a starting file, "
                       "setting one key.",
                  no_args_is_help=True)


@app.command()
def path() -> None:
    """Print the config file's path (it may not exist yet)."""
    from clauderon import paths

    output.echo(str(paths.config_file()))


def effective(env: dict[str, str]) -> list[tuple[str, object, str]]:
    """(key, value, source) for every setting of every table (core and each backend's),
    defaults and inherited values included."""
    from clauderon import config
    from clauderon.secrets import mask

    cfg = config.load(env)
    rows: list[tuple[str, object, str]] = []
    for table in config.tables():
        for declared in config.table_settings(table) or ():
            dotted = f"{table}.{declared.key}" if table else declared.key
            value, source = _in_force(cfg, dotted, env)
            if isinstance(value, str):
                value = mask(value, whole=True)
            elif isinstance(value, list):
                value = [mask(v, whole=True) for v in value]
            rows.append((dotted, value, source))
    return rows


def _in_force(cfg: "Config", dotted: str, env: dict[str, str]) -> tuple[object, str]:
    """The value of ``dotted`` and where it comes from: the file, the environment (proxies,
    $SHELL), else the declared default."""
    from clauderon.config import effective_shell
    from clauderon.session_env import PROXIES

    if dotted in cfg.values:
        return cfg.values[dotted], cfg.sources.get(dotted, "file")
    table, _, key = dotted.rpartition(".")
    if key == "shell" and table:
        return effective_shell(cfg, table, None, env)
    if table == "proxy":
        lower = dict(PROXIES)[key]
        for var in (lower, lower.upper()):
            if env.get(var):
                value: object = env[var].split(",") if key == "no_proxy" else env[var]
                return value, f"env:{var}"
    return cfg.value(dotted), "default"


@app.command()
def show(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print the effective configuration and where each value comes from."""
    from clauderon import config, paths

    env = dict(os.environ)
    cfg = config.load(env)
    for warning in cfg.warnings:
        output.warn(warning)
    rows = effective(env)
    if json_out:
        output.print_json({"path": str(cfg.path), "loaded": cfg.loaded,
                           "settings": [{"key": k, "value": v, "source": s}
                                        for k, v, s in rows]})
        return
    state = "" if cfg.loaded else " (not found; defaults in force)"
    output.echo(f"# {paths.tidy_home(str(cfg.path))}{state}")
    output.table(["KEY", "VALUE", "SOURCE"],
                 [[k, _show(v), s] for k, v, s in rows])


def _show(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return str(value)


@app.command()
def init(force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")
         ) -> None:
    """Write a commented starting config file."""
    from clauderon import config, paths
    from clauderon.errors import UsageError
    from clauderon.fileio import atomic_write

    target = paths.config_file()
    shown = paths.tidy_home(str(target))
    if target.exists() and not force:
        raise UsageError(f"{shown} already exists; use --force to overwrite it")
    atomic_write(target, config.starter_text())
    output.echo(f"Wrote {shown}")


@app.command("set", cls=Command)
def set_(
    key: str = typer.Argument(..., metavar="KEY",
                              help="A dotted key: default_backend, tmux.socket, zellij.env..."),
    values: Optional[list[str]] = typer.Argument(
        None, metavar="VALUE...",
        help="The value; a list key (env, no_proxy) takes one word per item."),
) -> None:
    """Set KEY in the config file, keeping its comments and layout (creates the file)."""
    from clauderon import config_edit

    edit = config_edit.set_value(key, list(values or ()), dict(os.environ))
    for warning in edit.warnings:
        output.warn(warning)
    output.echo(f"Set {edit.line} in {edit.shown}")
