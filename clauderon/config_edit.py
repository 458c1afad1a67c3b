"""``clauderon config set KEY VALUE``: one key changed in the config file, everything else
(comments, order, blank lines, the other keys) kept byte for byte.

The edit is made with tomlkit (a style-preserving TOML library, imported only here), checked
exactly as a hand edit would be (:func:`clauderon.config.from_text`, the validation
``config.load`` runs), and only then written, atomically, through a symlink to its target.
A bad key or value is one line (exit 2) and leaves the file untouched. A file that may hold
proxy credentials is written 0600 in a 0700 directory; another keeps its mode.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clauderon import config, paths
from clauderon.errors import ConfigError, UsageError


@dataclass(frozen=True)
class Edit:
    shown: str            # the file, home as ~
    line: str             # what was set, as TOML (passwords masked)
    warnings: tuple[str, ...]


def all_keys() -> list[str]:
    keys = []
    for table in config.tables():
        for declared in config.table_settings(table) or ():
            keys.append(f"{table}.{declared.key}" if table else declared.key)
    return keys


def value_for(key: str, values: Sequence[str]) -> str | list[str]:
    """The value ``values`` (the command line's words) give ``key``: one word for a string
    key, one word per item for a list key (none: the empty list)."""
    declared = config.setting_of(key) if key.strip(".") == key else None
    if declared is None:
        close = difflib.get_close_matches(key, all_keys(), n=1, cutoff=0.6)
        fix = f"did you mean '{close[0]}'?" if close else "`clauderon config show` lists them"
        raise UsageError(f"{key!r} is not a config key; {fix}")
    if declared.type is list:
        return list(values)
    if len(values) != 1:
        got = "no value" if not values else f"{len(values)} values"
        raise UsageError(f"{key} takes one value, got {got}; quote a value holding spaces: "
                         f"clauderon config set {key} 'A VALUE'")
    return values[0]


def _read(target: Path, shown: str) -> tuple[str, int | None]:
    """The file's text and permission bits (None: no file yet)."""
    try:
        data = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return "", None
    except IsADirectoryError:
        raise ConfigError(f"{shown} is a directory, not a config file") from None
    try:
        return data.decode("utf-8"), mode
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}:1: the file is not valid UTF-8; fix it by hand "
                          "(nothing was changed)") from None


def edited_text(text: str, key: str, value: str | list[str], shown: str) -> str:
    """``text`` with ``key`` set to ``value``, the rest as it was."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"{shown}: {' '.join(str(exc).split())}; fix it by hand first "
                          "(nothing was changed)") from None
    table, _, name = key.rpartition(".")
    if not table:
        doc[name] = value
        return tomlkit.dumps(doc)
    holder: Any = doc
    parts = table.split(".")  # [agents.NAME] is a table in the table agents
    for i, part in enumerate(parts):
        if part not in holder:
            holder.add(part, tomlkit.table(is_super_table=i < len(parts) - 1))
        holder = holder[part]
        if not isinstance(holder, dict):
            raise ConfigError(f"{shown}: {table} is not a table ([{table}]); fix it by hand "
                              "(nothing was changed)")
    holder[name] = value
    return tomlkit.dumps(doc)


def set_value(key: str, words: Sequence[str], env: Mapping[str, str]) -> Edit:
    from clauderon.fileio import PRIVATE_DIR, PRIVATE_FILE, atomic_write
    from clauderon.secrets import mask

    value = value_for(key, words)
    path = paths.config_file(env)
    shown = paths.tidy_home(str(path), env)
    target = Path(os.path.realpath(path))  # a symlinked config (dotfiles) stays a symlink
    text, mode = _read(target, shown)
    new_text = edited_text(text, key, value, shown)
    try:
        cfg = config.from_text(new_text, path, shown)
    except ConfigError as exc:
        raise ConfigError(f"{exc.message} (nothing was changed)") from None
    if cfg.values.get(key) != value:  # the edit must mean what was asked, read back
        raise ConfigError(f"{shown}: setting {key} there would not read back as set; edit "
                          "the file by hand (nothing was changed)")
    private = any(k.startswith("proxy.") for k in cfg.values) or (
        mode is not None and not mode & 0o077)
    if private:
        atomic_write(target, new_text, mode=PRIVATE_FILE, dir_mode=PRIVATE_DIR)
    else:
        atomic_write(target, new_text, mode=0o644 if mode is None else mode)
    from clauderon.agents import refresh_cache

    refresh_cache(cfg, env)  # --agent's completion reads the agent names from a cache
    import tomlkit

    line = f"{key} = {tomlkit.item(value).as_string()}"
    return Edit(shown=shown, line=mask(line), warnings=cfg.warnings)
