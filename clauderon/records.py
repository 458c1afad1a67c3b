"""Frozen record classes for the session commands, without the import cost of dataclasses.

``@dataclass(frozen=True)`` costs about 0.7 ms per class at import (it compiles an
``__init__``, ``__eq__`` and ``__repr__`` with ``exec``) plus about 0.7 ms for the module: some
3.5 ms of every ``clauderon new``, ``kill`` and ``list`` for the four records they use. These
stand-ins build the same behaviour from plain functions in microseconds. Modules import them
like this, so that type checkers still see real dataclasses::

    if TYPE_CHECKING:
        from dataclasses import dataclass, field
    else:
        from clauderon.records import dataclass, field

Supported: fields with plain defaults or ``field(default_factory=...)``, keyword or positional
construction, equality and hashing by field values (frozen), ``repr``, assignment refused,
and ``replace``. Not supported (not used by these records): inheritance of fields,
``__post_init__``, ``InitVar``, ``ClassVar`` annotations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING: Any = object()


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], Any]) -> Any:
    return _Factory(default_factory)


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record (as dataclasses.FrozenInstanceError)."""


def dataclass(*, frozen: bool) -> Callable[[type[T]], type[T]]:
    if not frozen:
        raise TypeError("clauderon.records only makes frozen records")
    return _build


def _build(cls: type[T]) -> type[T]:
    # the class's own annotations (strings under `from __future__ import annotations`);
    # inspect.get_annotations would cost an import of inspect
    names = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063
    defaults: dict[str, Any] = {}
    for name in names:
        if name in cls.__dict__:
            defaults[name] = cls.__dict__[name]
            if isinstance(defaults[name], _Factory):
                delattr(cls, name)
    known = frozenset(names)
    qualname = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(f"{qualname}() takes {len(names)} positional arguments but "
                            f"{len(args)} were given")
        values = dict(zip(names, args, strict=False))  # the rest by keyword or default
        for key, value in kwargs.items():
            if key not in known:
                raise TypeError(f"{qualname}() got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"{qualname}() got multiple values for argument {key!r}")
            values[key] = value
        store = self.__dict__
        for name in names:
            if name in values:
                store[name] = values[name]
                continue
            default = defaults.get(name, _MISSING)
            if default is _MISSING:
                raise TypeError(f"{qualname}() missing required argument: {name!r}")
            store[name] = default.make() if isinstance(default, _Factory) else default

    def _values(self: Any) -> tuple[Any, ...]:
        store = self.__dict__
        return tuple(store[name] for name in names)

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(_values(self) == _values(other))

    def __hash__(self: Any) -> int:
        return hash(_values(self))

    def __repr__(self: Any) -> str:
        pairs = zip(names, _values(self), strict=True)
        inner = ", ".join(f"{name}={value!r}" for name, value in pairs)
        return f"{qualname}({inner})"

    def __setattr__(self: Any, name: str, value: Any) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen {qualname}")

    def __delattr__(self: Any, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r} of a frozen {qualname}")

    for function in (__init__, __eq__, __hash__, __repr__, __setattr__, __delattr__):
        function.__qualname__ = f"{qualname}.{function.__name__}"
        setattr(cls, function.__name__, function)
    cls.__record_fields__ = names  # type: ignore[attr-defined]
    return cls


def replace(obj: T, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes`` (as dataclasses.replace)."""
    names: tuple[str, ...] = obj.__record_fields__  # type: ignore[attr-defined]
    values = {name: obj.__dict__[name] for name in names}
    values.update(changes)
    return type(obj)(**values)
