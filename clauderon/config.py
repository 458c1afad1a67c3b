"""Load and validate ``config.toml``.

The result is plain data: typed settings plus, for ``config show``, where each value came
from (``default``, ``file`` or ``env:VAR``). Invalid files raise ConfigError (exit 2) with
``FILE:LINE:COL: what is wrong``; unknown keys become warnings with a suggestion.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clauderon import paths
from clauderon.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from dataclasses import dataclass, field
else:  # the same records without dataclasses' import cost (see clauderon/records.py)
    from clauderon.records import dataclass, field

BACKENDS = ("zellij", "tmux", "docker")
DOCKER_NETWORKS = ("bridge", "none", "host")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# key -> expected type, per table ("" is the top level). Lists hold strings.
SCHEMA: dict[str, dict[str, type]] = {
    "": {"default_backend": str},
    "zellij": {"shell": str, "layout": str, "env": list},
    "tmux": {"shell": str, "config": str, "socket": str, "env": list},
    "docker": {"image": str, "network": str, "shell": str, "extra_args": list, "env": list},
    "proxy": {"http": str, "https": str, "all": str, "no_proxy": list},
}
TYPE_NAMES: dict[type, str] = {str: "a string", list: "a list of strings"}


@dataclass(frozen=True)
class Config:
    """The effective configuration. ``values`` maps dotted keys to values as written."""

    path: Path
    loaded: bool
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def default_backend(self) -> str:
        return str(self.values.get("default_backend", "zellij"))

    def env_entries(self, backend: str) -> list[tuple[str, str]]:
        raw = self.values.get(f"{backend}.env") or []
        return [parse_env_entry(entry, where=f"{backend}.env", error=ConfigError)
                for entry in raw]


def parse_env_entry(entry: str, *, where: str, error: type[Exception] = UsageError
                    ) -> tuple[str, str]:
    """``KEY=VALUE`` -> (KEY, VALUE); a bad entry raises ``error`` naming it (with any URL
    password masked: the entry may be a proxy URL with credentials)."""
    from clauderon.secrets import mask

    shown = mask(repr(entry))
    if "=" not in entry:
        raise error(f"{where}: {shown} has no '='; write it as KEY=VALUE")
    key, value = entry.split("=", 1)
    if not key:
        raise error(f"{where}: {shown} has an empty variable name; write it as KEY=VALUE")
    if not ENV_NAME.match(key):
        raise error(f"{where}: {key!r} in {shown} is not a valid variable name "
                    "(letters, digits and _, not starting with a digit)")
    if "\x00" in value:
        raise error(f"{where}: the value of {key} contains a NUL byte, which no environment "
                    "can hold")
    return key, value


def load(env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the config file; a missing file gives the defaults."""
    path = paths.config_file(env)
    shown = paths.tidy_home(str(path), env)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path, loaded=False, sources=_default_sources())
    except IsADirectoryError:
        raise ConfigError(f"{shown} is a directory, not a config file") from None
    except PermissionError:
        raise ConfigError(f"{shown} is not readable; fix its permissions "
                          f"(chmod u+r {shown})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}:1: the file is not valid UTF-8") from None
    if sys.version_info >= (3, 11):  # imported here: only a config file that exists needs it
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(shown, exc)) from None
    values, warnings = _validate(doc, shown)
    sources = _default_sources()
    sources.update({key: "file" for key in values})
    return Config(path=path, loaded=True, values=values, sources=sources,
                  warnings=tuple(warnings))


def _default_sources() -> dict[str, str]:
    return {f"{t}.{k}" if t else k: "default" for t, keys in SCHEMA.items() for k in keys}


def _toml_error(shown: str, exc: Exception) -> str:
    msg = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", msg)
    if match:
        return f"{shown}:{match.group(1)}:{match.group(2)}: {msg[: match.start()]}"
    match = re.search(r"\s*\(at end of document\)\s*$", msg)
    if match:
        lines = msg.count("\n")
        return f"{shown}:{lines + 1}:1: {msg[: match.start()]} (at end of file)"
    return f"{shown}: {msg}"


def _suggest(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _validate(doc: dict[str, Any], shown: str) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    warnings: list[str] = []
    tables = [t for t in SCHEMA if t]
    for key, value in doc.items():
        if isinstance(value, dict) and key in SCHEMA:
            for sub, subvalue in value.items():
                _check_value(key, sub, subvalue, values, warnings, shown)
        elif key in SCHEMA[""]:
            _check_value("", key, value, values, warnings, shown)
        else:
            known = tables + list(SCHEMA[""])
            kind = "table" if isinstance(value, dict) else "key"
            warnings.append(f"{shown}: unknown {kind} '{key}'{_suggest(key, known)}")
    backend = values.get("default_backend")
    if backend is not None and backend not in BACKENDS:
        raise ConfigError(f"{shown}: default_backend = {backend!r} is not a backend; "
                          f"use one of: {', '.join(BACKENDS)}")
    network = values.get("docker.network")
    if network is not None and network not in DOCKER_NETWORKS:
        raise ConfigError(f"{shown}: docker.network = {network!r} is not supported; "
                          f"use one of: {', '.join(DOCKER_NETWORKS)}")
    for table in ("zellij", "tmux", "docker"):
        for entry in values.get(f"{table}.env") or []:
            parse_env_entry(entry, where=f"{shown}: {table}.env", error=ConfigError)
    for table, sub in (("zellij", "shell"), ("tmux", "shell"), ("docker", "shell"),
                       ("zellij", "layout"), ("docker", "image")):
        if values.get(f"{table}.{sub}") == "":
            raise ConfigError(f"{shown}: {table}.{sub} is empty; remove the line to use "
                              "the default")
    return values, warnings


def _check_value(table: str, key: str, value: Any, values: dict[str, Any],
                 warnings: list[str], shown: str) -> None:
    dotted = f"{table}.{key}" if table else key
    expected = SCHEMA[table].get(key)
    if expected is None:
        where = f"[{table}]" if table else "the top level"
        warnings.append(f"{shown}: unknown key '{key}' in {where}"
                        f"{_suggest(key, list(SCHEMA[table]))}")
        return
    if not isinstance(value, expected) or (
        isinstance(value, list) and not all(isinstance(v, str) for v in value)
    ):
        from clauderon.secrets import mask

        got = type(value).__name__
        raise ConfigError(f"{shown}: {dotted} must be {TYPE_NAMES[expected]}, not {got} "
                          f"({mask(repr(value))})")
    if isinstance(value, str) and "\x00" in value:
        raise ConfigError(f"{shown}: {dotted} contains a NUL byte")
    values[dotted] = list(value) if isinstance(value, list) else value


def effective_shell(cfg: Config, backend: str, cli_shell: str | None,
                    env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The shell a session runs and where that choice came from."""
    if cli_shell:
        return cli_shell, "--shell"
    configured = cfg.get(f"{backend}.shell")
    if configured:
        return str(configured), "file"
    if backend == "docker":
        return "/bin/sh", "default"
    e = os.environ if env is None else env
    if e.get("SHELL"):
        return e["SHELL"], "env:SHELL"
    return "/bin/sh", "default"


STARTER = """\
# clauderon configuration. Every key is optional; remove the '#' to set one.
# Documentation: docs/configuration.md

# default_backend = "zellij"        # zellij | tmux | docker

[zellij]
# shell = "/bin/zsh"                # default: $SHELL, else /bin/sh
# layout = "default"                # a name in the Zellij layout dir, a built-in, or a path
# env = ["TERM=xterm-256color"]     # extra variables for every pane

[tmux]
# shell = "/bin/bash"
# config = "~/.config/clauderon/tmux.conf"
# socket = "clauderon"              # a tmux -L socket name; default: your usual tmux server
# env = []

[docker]
# image = "debian:bookworm"
# network = "bridge"                # bridge | none | host
# shell = "/bin/sh"
# extra_args = ["--cpus", "2"]
# env = []

[proxy]
# http  = "http://proxy.internal:3128"   # default: inherit HTTP_PROXY / http_proxy
# https = "http://proxy.internal:3128"
# all   = "socks5://proxy.internal:1080"
# no_proxy = ["localhost", "127.0.0.1", "::1"]
"""
