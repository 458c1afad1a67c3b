"""``clauderon config path | show | init``."""


import os

import typer

from clauderon.cli import output

app = typer.Typer(help="Where the config file is, what is in force, a starting file.",
                  no_args_is_help=True)


@app.command()
def path() -> None:
    """Print the config file's path (it may not exist yet)."""
    from clauderon import paths

    output.echo(str(paths.config_file()))


def effective(env: dict[str, str]) -> list[tuple[str, object, str]]:
    """(key, value, source) for every setting, defaults and inherited values included."""
    from clauderon import config, session_env
    from clauderon.secrets import mask

    cfg = config.load(env)
    rows: list[tuple[str, object, str]] = []
    for table, keys in config.SCHEMA.items():
        for key in keys:
            dotted = f"{table}.{key}" if table else key
            value = cfg.get(dotted)
            source = cfg.sources.get(dotted, "default")
            if value is None:
                value, source = _default(cfg, dotted, env, session_env.PROXIES)
            if isinstance(value, str):
                value = mask(value)
            elif isinstance(value, list):
                value = [mask(v) for v in value]
            rows.append((dotted, value, source))
    return rows


def _default(cfg: object, dotted: str, env: dict[str, str],
             proxies: tuple[tuple[str, str], ...]) -> tuple[object, str]:
    from clauderon.config import Config, effective_shell

    assert isinstance(cfg, Config)
    table, _, key = dotted.partition(".")
    if dotted == "default_backend":
        return "zellij", "default"
    if key == "shell":
        return effective_shell(cfg, table, None, env)
    if dotted == "zellij.layout":
        return "default", "default"
    if dotted == "docker.network":
        return "bridge", "default"
    if key == "env" or key == "extra_args":
        return [], "default"
    if table == "proxy":
        lower = dict(proxies)[key]
        for var in (lower, lower.upper()):
            if env.get(var):
                value: object = env[var]
                if key == "no_proxy":
                    value = env[var].split(",")
                return value, f"env:{var}"
        return None, "default"
    return None, "default"


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
    atomic_write(target, config.STARTER)
    output.echo(f"Wrote {shown}")
