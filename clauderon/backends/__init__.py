"""The backend table: every module in this package (but ``base``) is a backend.

Names come from the package's directory listing, in alphabetical order, without importing
anything; a backend's module is imported only when something asks for its declaration
(``info``) or its class (``get_backend``). Every list of backends in the rest of clauderon
(CLI choices, config tables, ``config show``, doctor's scans, the completion scripts) is
derived from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING

from clauderon import backend_names
from clauderon.errors import UsageError

if TYPE_CHECKING:
    from clauderon.backends.base import Backend, BackendInfo, Setting

NOT_BACKENDS = backend_names.NOT_BACKENDS


def names() -> tuple[str, ...]:
    """Every backend's name, sorted (a listing of this package's directories)."""
    return backend_names.listed(__path__)


def exists(name: str) -> bool:
    return name in names()


def unknown(name: str, what: str = "backend") -> UsageError:
    return UsageError(f"{what} {name!r} is not a backend; use one of: {', '.join(names())}")


def module(name: str) -> ModuleType:
    """The backend module ``name`` (UsageError when there is none)."""
    if not exists(name):
        raise unknown(name)
    return importlib.import_module(f"{__name__}.{name}")


def info(name: str) -> BackendInfo:
    """What backend ``name`` declares (its module's ``INFO``)."""
    declared: BackendInfo = module(name).INFO
    return declared


def setting(backend: str, key: str) -> Setting | None:
    return next((s for s in info(backend).settings if s.key == key), None)


def get_backend(name: str, config: object, env: Mapping[str, str]) -> Backend:
    """Backend ``name`` driven with ``config`` (a clauderon.config.Config: not imported
    here, so that the config module can read this table)."""
    return info(name).factory(config, env)


def doctor_checks(name: str) -> list[object]:
    """The doctor checks backend ``name`` contributes (its module's ``doctor_checks()``)."""
    declared = getattr(module(name), "doctor_checks", None)
    return list(declared()) if declared is not None else []
