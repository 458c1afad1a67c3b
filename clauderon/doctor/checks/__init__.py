"""Every doctor check, collected from the modules of this package.

Checks come from two places: each backend module's ``doctor_checks()`` (declared by the
backend, grouped under its label, reported first), and the modules of this package. To add
checks that belong to no backend, drop a module here with a module-level
``CHECKS: list[Check]``; modules whose name starts with ``_`` are helpers and are
not collected. Keep module-level imports light (import what a check needs inside its ``run``):
every ``clauderon doctor`` imports every module here. Check ids must be unique; the report
orders checks by group (model.GROUPS), then by module (CORE_ORDER first), then list order.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from functools import partial

from clauderon.doctor.model import GROUPS, Check

CORE_ORDER = ("sessions", "registry", "config", "proxy", "shell", "terminal")


def _module_names() -> list[str]:
    found = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    rank = {name: i for i, name in enumerate(CORE_ORDER)}
    return sorted(found, key=lambda n: (rank.get(n, len(CORE_ORDER)), n))


def _sources() -> list[tuple[str, Callable[[], Iterable[object]]]]:
    """(where, a callable giving its checks): every backend's, then this package's modules."""
    from clauderon import backends

    found: list[tuple[str, Callable[[], Iterable[object]]]] = [
        (f"clauderon/backends/{name}.py", partial(backends.doctor_checks, name))
        for name in backends.names()]
    for name in _module_names():
        found.append((f"clauderon/doctor/checks/{name}.py", partial(_module_checks, name)))
    return found


def _module_checks(name: str) -> list[object]:
    return list(getattr(importlib.import_module(f"{__name__}.{name}"), "CHECKS", []))


def all_checks() -> list[Check]:
    from clauderon import backends

    checks: list[Check] = []
    seen: dict[str, str] = {}
    for where, load in _sources():
        try:
            found = list(load())
        except Exception as exc:
            checks.append(_broken(where, exc))
            continue
        for check in found:
            if not isinstance(check, Check):
                raise TypeError(f"{where} declares {check!r}, not a Check")
            if check.id in seen:
                raise ValueError(f"check id {check.id!r} is defined in both {seen[check.id]} "
                                 f"and {where}")
            seen[check.id] = where
            checks.append(check)
    labels = [backends.info(name).label for name in backends.names()]
    rank = {g: i for i, g in enumerate([*labels, *GROUPS])}
    position = {c.id: i for i, c in enumerate(checks)}
    return sorted(checks, key=lambda c: (rank.get(c.group, len(rank)), position[c.id]))


def _broken(where: str, exc: Exception) -> Check:
    """A check standing in for a module that cannot be imported: it reports the error."""
    from clauderon.doctor.model import Result, error

    module = where.rsplit("/", 1)[-1].removesuffix(".py")
    message = f"the checks in {where} cannot be loaded: {type(exc).__name__}: {exc}"

    def run(_ctx: object) -> Result:
        return error(message, remedy="this is a bug in clauderon; please report it with "
                                     "this output")

    return Check(f"doctor.{module}", "Doctor", f"loads {where}", run)


def select(checks: list[Check], wanted: list[str]) -> list[Check]:
    """The checks named by ``wanted`` (ids, or a prefix before the dot such as ``proxy``);
    UsageError naming an unknown one and listing the valid ids."""
    from clauderon.errors import UsageError

    if not wanted:
        return checks
    ids = [c.id for c in checks]
    chosen: set[str] = set()
    for item in wanted:
        matches = [i for i in ids if i == item or i.split(".", 1)[0] == item]
        if not matches:
            raise UsageError(f"unknown check id {item!r}; valid ids: {', '.join(ids)}")
        chosen.update(matches)
    return [c for c in checks if c.id in chosen]
