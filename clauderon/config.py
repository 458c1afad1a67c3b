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
from types import MappingProxyType
from typing import Any, NamedTuple

from clauderon import paths
from clauderon.backends.base import Setting
from clauderon.errors import ConfigError, UsageError

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
TYPE_NAMES: dict[type, str] = {str: "a string", list: "a list of strings"}


# The tables that belong to no backend ("" is the top level). Each backend's table comes from
# its module's declaration (clauderon.backends).
CORE: dict[str, tuple[Setting, ...]] = {
    "": (
        Setting("default_backend", str, "zellij", "the backend `clauderon new` uses"),
        Setting("default_agent", str, None, "the agent `new --prompt` runs without --agent",
                example='"claude"'),
    ),
    "worktree": (
        Setting("root", str, None, "where `new --repo` makes worktrees",
                default_doc="$XDG_DATA_HOME/clauderon/worktrees"),
        Setting("branch_prefix", str, "clauderon/", "the prefix of a worktree session's branch"),
    ),
    "proxy": (
        Setting("http", str, None, "",
                default_doc="inherit HTTP_PROXY / http_proxy",
                example='"http://proxy.internal:3128"'),
        Setting("https", str, None, "",
                default_doc="inherit HTTPS_PROXY / https_proxy",
                example='"http://proxy.internal:3128"'),
        Setting("all", str, None, "",
                default_doc="inherit ALL_PROXY / all_proxy",
                example='"socks5://proxy.internal:1080"'),
        Setting("no_proxy", list, None, "",
                default_doc="inherit NO_PROXY / no_proxy",
                example='["localhost", "127.0.0.1", "::1"]'),
    ),
}


# Tables of tables: ``[agents.NAME]`` (any NAME), each validated against these keys.
NESTED: dict[str, tuple[Setting, ...]] = {
    "agents": (
        Setting("command", list, None, "the agent's argv; the prompt is appended as one argument",
                example='["claude"]', check=lambda v: "is empty; give the program" if not v
                else None),
        Setting("resume", list, None, "the argv `restore` runs (else command without a prompt)",
                example='["claude", "--continue"]', check=lambda v: "is empty; give the "
                "program, or remove the line" if not v else None),
        Setting("prompt_flag", list, None, "what goes before the prompt (gemini: [\"-i\"])",
                example="[]"),
    ),
}


def table_settings(table: str) -> tuple[Setting, ...] | None:
    """The keys of config table ``table`` (a core table, ``agents.NAME``, or a backend's);
    None when no such table exists. A backend's module is imported only when its table is
    asked for."""
    if table in CORE:
        return CORE[table]
    outer, dot, inner = table.partition(".")
    if dot and outer in NESTED and inner:
        return NESTED[outer]
    from clauderon import backends

    if backends.exists(table):
        return backends.info(table).settings
    return None


def tables() -> list[str]:
    """Every table's name: the core ones, then one per backend."""
    from clauderon import backends

    return [*CORE, *backends.names()]


def setting_of(dotted: str) -> Setting | None:
    table, _, key = dotted.rpartition(".")
    found = table_settings(table)
    return next((s for s in found if s.key == key), None) if found else None


class Config(NamedTuple):  # not a frozen dataclass: ~0.4 ms less on every command
    """The effective configuration. ``values`` maps dotted keys to values as written."""

    path: Path
    loaded: bool
    values: Mapping[str, Any] = MappingProxyType({})  # read-only: shared by every default
    sources: Mapping[str, str] = MappingProxyType({})
    warnings: tuple[str, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def value(self, dotted: str) -> Any:
        """The value in force for ``dotted``: as written, else the declared default."""
        if dotted in self.values:
            return self.values[dotted]
        declared = setting_of(dotted)
        return declared.default if declared else None

    @property
    def default_backend(self) -> str:
        return str(self.value("default_backend"))

    def env_entries(self, backend: str) -> list[tuple[str, str]]:
        raw = self.values.get(f"{backend}.env") or []
        return [parse_env_entry(entry, where=f"{backend}.env", error=ConfigError)
                for entry in raw]


def parse_env_entry(entry: str, *, where: str, error: type[Exception] = UsageError
                    ) -> tuple[str, str]:
    """``KEY=VALUE`` -> (KEY, VALUE); a bad entry raises ``error`` naming it (with any URL
    password masked: the entry may be a proxy URL with credentials)."""
    from clauderon.secrets import mask

    name, eq, rest = entry.partition("=")
    shown = repr(name + eq + mask(rest, whole=True) if eq else mask(entry, whole=True))
    if "=" not in entry:
        raise error(f"{where}: {shown} has no '='; write it as KEY=VALUE")
    key, value = entry.split("=", 1)
    if not key:
        raise error(f"{where}: {shown} has an empty variable name; write it as KEY=VALUE")
    if not ENV_NAME.match(key):
        raise error(f"{where}: {key!r} in {shown} is not a valid variable name "
                    "(letters, digits and _, not starting with a digit)")
    from clauderon.shellnames import refusal

    special = refusal(key)
    if special:
        raise error(f"{where}: {special}")
    if "\x00" in value:
        raise error(f"{where}: the value of {key} contains a NUL byte, which no environment "
                    "can hold")
    return key, value


def unread(env: Mapping[str, str] | None = None) -> Config:
    """The defaults, without reading the config file: for a command whose every input is a
    session's record (``kill``: the record holds the backend and its options as the session
    was made), so that a config file with a mistake never stops it."""
    return Config(path=paths.config_file(env), loaded=False)


def load(env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the config file; a missing file gives the defaults."""
    path = paths.config_file(env)
    shown = paths.tidy_home(str(path), env)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path, loaded=False)
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
    return from_text(text, path, shown)


def from_text(text: str, path: Path, shown: str) -> Config:
    """The configuration ``text`` holds, validated as :func:`load` validates the file
    (``config set`` checks its edit here before writing it); errors name ``shown``."""
    if sys.version_info >= (3, 11):  # imported here: only a config file that exists needs it
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(shown, exc)) from None
    values, warnings = _validate(doc, shown, text)
    sources = {key: "file" for key in values}
    return Config(path=path, loaded=True, values=values, sources=sources,
                  warnings=tuple(warnings))


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


def _validate(doc: dict[str, Any], shown: str, text: str = ""
              ) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in doc.items():
        settings = table_settings(key) if key and isinstance(value, dict) else None
        if key in NESTED and isinstance(value, dict):
            for inner, table in value.items():
                if not isinstance(table, dict):
                    raise ConfigError(f"{shown}: {key}.{inner} must be a table "
                                      f"([{key}.{inner}]), not {type(table).__name__}")
                for sub, subvalue in table.items():
                    _check_value(f"{key}.{inner}", NESTED[key], sub, subvalue, values,
                                 warnings, shown)
        elif settings is not None:
            for sub, subvalue in value.items():
                _check_value(key, settings, sub, subvalue, values, warnings, shown)
        elif any(s.key == key for s in CORE[""]):
            _check_value("", CORE[""], key, value, values, warnings, shown)
        else:
            known = [t for t in tables() if t] + [s.key for s in CORE[""]]
            kind = "table" if isinstance(value, dict) else "key"
            warnings.append(f"{shown}: unknown {kind} '{key}'{_suggest(key, known)}")
    from clauderon import backends

    backend = values.get("default_backend")
    if backend is not None and not backends.exists(backend):
        raise ConfigError(f"{shown}: default_backend = {backend!r} is not a backend; "
                          f"use one of: {', '.join(backends.names())}")
    from clauderon.proxyurl import config_error

    malformed = config_error(values, text, shown)  # a proxy address is passed on as written
    if malformed:
        raise ConfigError(malformed)
    return values, warnings


def _check_value(table: str, settings: tuple[Setting, ...], key: str, value: Any,
                 values: dict[str, Any], warnings: list[str], shown: str) -> None:
    dotted = f"{table}.{key}" if table else key
    declared = next((s for s in settings if s.key == key), None)
    if declared is None:
        where = f"[{table}]" if table else "the top level"
        warnings.append(f"{shown}: unknown key '{key}' in {where}"
                        f"{_suggest(key, [s.key for s in settings])}")
        return
    if not isinstance(value, declared.type) or (
        isinstance(value, list) and not all(isinstance(v, str) for v in value)
    ):
        from clauderon.secrets import mask

        got = type(value).__name__
        raise ConfigError(f"{shown}: {dotted} must be {TYPE_NAMES[declared.type]}, not {got} "
                          f"({mask(repr(value))})")
    if isinstance(value, str) and "\x00" in value:
        raise ConfigError(f"{shown}: {dotted} contains a NUL byte")
    if declared.choices and value not in declared.choices:
        raise ConfigError(f"{shown}: {dotted} = {value!r} is not supported; use one of: "
                          f"{', '.join(declared.choices)}")
    if table not in CORE and value == "":
        raise ConfigError(f"{shown}: {dotted} is empty; remove the line to use the default")
    problem = declared.check(value) if declared.check else None
    if problem:
        from clauderon.secrets import mask

        raise ConfigError(f"{shown}: {dotted} = {mask(repr(value))} {problem}")
    if table not in CORE and key == "env" and isinstance(value, list):
        for entry in value:
            parse_env_entry(entry, where=f"{shown}: {dotted}", error=ConfigError)
    values[dotted] = list(value) if isinstance(value, list) else value


def effective_shell(cfg: Config, backend: str, cli_shell: str | None,
                    env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The shell a session runs and where that choice came from."""
    if cli_shell:
        return cli_shell, "--shell"
    if cfg.get(f"{backend}.shell"):
        return str(cfg.get(f"{backend}.shell")), "file"
    declared = cfg.value(f"{backend}.shell")
    if declared:  # the backend's own default (a shell inside an image)
        return str(declared), "default"
    e = os.environ if env is None else env
    if e.get("SHELL"):
        return e["SHELL"], "env:SHELL"
    return "/bin/sh", "default"


def _toml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    import json

    return json.dumps(value, ensure_ascii=False)


def starter_text() -> str:
    """The commented starting file `config init` writes: every table and key, from the
    declarations (core tables here, one table per backend)."""
    from clauderon import backends

    lines = ["# clauderon configuration. Every key is optional; remove the '#' to set one.",
             "# What is in force and where it comes from: `clauderon config show`;",
             "# help: `clauderon config --help`.", ""]
    for table in tables():
        settings = table_settings(table) or ()
        if table:
            lines += ["", f"[{table}]"]
        for declared in settings:
            if declared.key == "default_backend":
                doc = " | ".join(backends.names())
            else:
                doc = declared.doc
            if declared.choices:
                doc = " | ".join(declared.choices)
            if declared.default_doc:
                doc = f"{doc}; default: {declared.default_doc}" if doc else \
                    f"default: {declared.default_doc}"
            sample = declared.example or (_toml(declared.default)
                                          if declared.default is not None else '""')
            text = f"# {declared.key} = {sample}"
            lines.append(f"{text:<34}  # {doc}" if doc else text)
    return "\n".join(lines) + "\n"
