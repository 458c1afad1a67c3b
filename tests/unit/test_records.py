"""clauderon.records behaves like frozen dataclasses for what the session records use, and
the session commands no longer import dataclasses at all."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

import pytest

from clauderon import records


def _define(dataclass: Any, field: Any) -> type:
    @dataclass(frozen=True)
    class Row:
        name: str
        workdir: str
        env: dict[str, str] = field(default_factory=dict)
        layout: str | None = None
        ready: bool = True

        def label(self) -> str:
            return f"{self.name}@{self.workdir}"

    return Row


FAST = _define(records.dataclass, records.field)
SLOW = _define(dataclasses.dataclass, dataclasses.field)


@pytest.mark.parametrize("cls", [FAST, SLOW], ids=["records", "dataclasses"])
def test_construction_defaults_equality_and_repr(cls: Any) -> None:
    a = cls("api", "/src", layout="x")
    b = cls(name="api", workdir="/src", env={}, layout="x", ready=True)

    assert a == b and not (a != b)
    assert a != cls("api", "/src") and a != ("api", "/src", {}, "x", True)
    assert a.env == {} and a.env is not cls("w", "/").env  # one dict per record
    assert a.label() == "api@/src"
    assert repr(a) == ("_define.<locals>.Row(name='api', workdir='/src', env={}, layout='x', "
                       "ready=True)")
    assert hash(cls("a", "/", env=None)) == hash(cls("a", "/", env=None))


@pytest.mark.parametrize("cls", [FAST, SLOW], ids=["records", "dataclasses"])
def test_assignment_is_refused(cls: Any) -> None:
    a = cls("api", "/src")
    with pytest.raises(AttributeError):
        a.name = "other"
    with pytest.raises(AttributeError):
        del a.name
    assert a.name == "api"


@pytest.mark.parametrize("cls", [FAST, SLOW], ids=["records", "dataclasses"])
@pytest.mark.parametrize("args,kwargs", [
    (("a",), {}),                                       # workdir missing
    (("a", "/", {}, None, True, "extra"), {}),          # too many
    (("a", "/"), {"colour": "red"}),                    # unknown keyword
    (("a", "/"), {"name": "b"}),                        # given twice
])
def test_bad_construction_is_a_type_error(cls: Any, args: tuple[Any, ...],
                                          kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        cls(*args, **kwargs)


def test_replace_copies_with_changes() -> None:
    a = FAST("api", "/src", env={"TERM": "xterm"})

    b = records.replace(a, layout="compact")

    assert b == FAST("api", "/src", env={"TERM": "xterm"}, layout="compact")
    assert a.layout is None
    with pytest.raises(TypeError):
        records.replace(a, colour="red")


def test_session_commands_do_not_import_dataclasses() -> None:
    code = ("import sys, clauderon.cli.app, clauderon.sessions, clauderon.backends.tmux, "
            "clauderon.backends.zellij, clauderon.backends.docker, clauderon.registry; "
            "print('dataclasses' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
