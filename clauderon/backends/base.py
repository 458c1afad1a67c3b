"""The protocol every backend implements, and the session states."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:  # annotations only: every command imports this module
    from dataclasses import dataclass, field

    from clauderon.registry import Record
    from clauderon.session_env import SessionEnv
else:  # the same records without dataclasses' import cost (see clauderon/records.py)
    from clauderon.records import dataclass, field


class State(str, enum.Enum):
    RUNNING = "running"
    EXITED = "exited"    # the backend keeps it and can bring it back (resurrect / start)
    MISSING = "missing"  # recorded by clauderon, gone from the backend
    UNKNOWN = "unknown"  # the backend could not be asked (list says why)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class SessionSpec:
    """What a backend creates: the session's name, working directory, shell, environment,
    layout (Zellij) and backend options (stored in the registry record)."""

    name: str
    workdir: Path
    shell: str
    env: SessionEnv
    layout: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


class AttachCommand(NamedTuple):
    argv: list[str]
    env: dict[str, str]


class Backend(Protocol):
    name: str
    label: str

    def check_name(self, name: str) -> None:
        """Backend-specific name rules (UsageError, exit 2)."""

    def prepare(self, spec: SessionSpec) -> SessionSpec:
        """Check that the backend can create ``spec`` (version, layout, image) before any
        state is written; may return a spec with resolved values."""

    def create(self, spec: SessionSpec) -> None:
        """Create the session in the background. On failure leave nothing behind."""

    def states(self) -> dict[str, State]:
        """Live sessions this backend holds: name -> RUNNING or EXITED."""

    def attach(self, record: Record, caller_env: dict[str, str]) -> AttachCommand:
        """The argv (and env) to exec to attach to ``record``."""

    def kill(self, name: str, record: Record | None = None) -> None:
        """Remove the session completely; fine when it is already gone. ``record``: its
        registry record when the caller has read it already (spares reading it again)."""

    def version(self) -> str:
        """The backend tool's version string."""
