"""What a backend module declares (``INFO``), the protocol its class implements, and the
session states.

A backend is one module in ``clauderon/backends/``: it declares a module-level
``INFO = BackendInfo(...)`` (its name, label, program, install hint, config keys with their
defaults, and the class that drives it) and may define ``doctor_checks()`` returning its
doctor checks. Everything else (CLI choices, config validation, ``config show``, doctor,
completions) reads that declaration through :mod:`clauderon.backends`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from clauderon.errors import ClauderonError

if TYPE_CHECKING:
    from clauderon.registry import Record


class UnreadableListing(ClauderonError):
    """A backend's listing printed something clauderon cannot read. Its sessions are then
    *unknown*: never read as "no sessions", so nothing is forgotten, killed or deleted on
    such an answer."""


class State(str, enum.Enum):
    RUNNING = "running"
    EXITED = "exited"    # the backend keeps it and can bring it back (resurrect / start)
    MISSING = "missing"  # recorded by clauderon, gone from the backend
    UNKNOWN = "unknown"  # the backend could not be asked (list says why)

    def __str__(self) -> str:
        return self.value


# NamedTuples, not frozen dataclasses: every command defines these, and a NamedTuple costs
# ~0.1 ms to define where a frozen dataclass costs ~0.5 ms (see docs/performance.md).
class SessionEnv(NamedTuple):
    """``variables``: what clauderon sets (stored, written to env files, compared by doctor).
    ``base``: the caller's environment without FOREIGN variables."""

    variables: dict[str, str]
    base: dict[str, str]
    notes: tuple[str, ...] = ()

    def process_env(self, **extra: str) -> dict[str, str]:
        """The full environment for the process that starts the session."""
        env = {**self.base, **self.variables}
        env.update(extra)
        return env


class Setting(NamedTuple):
    """One key of a config table: its type (``str``, or ``list`` of strings), the value in
    force when it is not set (None: unset, or computed where ``default_doc`` says how), the
    values it may take, and one line of documentation."""

    key: str
    type: type
    default: Any = None
    doc: str = ""
    choices: tuple[str, ...] = ()
    default_doc: str | None = None  # how an unset value is computed (shown by config init)
    option: str | None = None  # the `clauderon new` option that overrides it (--image)
    example: str | None = None  # a sample value for the starter file (TOML), else the default
    # what is wrong with a value of the right type ("is a path, not a name"), or None
    check: Callable[[Any], str | None] | None = None


class SessionSpec(NamedTuple):
    """What a backend creates: the session's name, working directory, shell, environment,
    layout (Zellij) and backend options (stored in the registry record)."""

    name: str
    workdir: Path
    shell: str
    env: SessionEnv
    layout: str | None = None
    options: Mapping[str, Any] = MappingProxyType({})  # read-only: shared by every spec
    # The argv the first pane runs instead of the bare shell (an agent through the shell:
    # agents.pane_command); empty: the shell.
    command: tuple[str, ...] = ()

    @property
    def first_pane(self) -> list[str]:
        """What the first pane runs: ``command``, else the shell."""
        return list(self.command) if self.command else [self.shell]


class AttachCommand(NamedTuple):
    argv: list[str]
    env: dict[str, str]
    # None: clauderon execs argv. Else argv runs as a child on this terminal, its stderr
    # captured, and when it fails ``explain(stderr)`` gives the one line clauderon prints
    # instead of the client's raw text (None: not a failure it knows).
    explain: Callable[[str], str | None] | None = None


class BackendInfo(NamedTuple):
    """What a backend module declares as ``INFO``."""

    name: str                  # the --backend value and the config table's name
    label: str                 # how messages name it ("tmux", "Docker")
    program: str               # the program it drives (looked up on PATH)
    factory: Callable[..., Backend]  # (Config, caller's environment) -> the backend
    settings: tuple[Setting, ...] = ()
    install: Mapping[str, str] = {}  # OS family (debian, fedora, arch, alpine, macos) -> command
    # The session's shell lives inside an image: it is not looked for on the host.
    shell_in_image: bool = False
    # The host's name from inside the session (proxies on loopback are rewritten to it), and
    # the caller's environment does not go in: only the session's variables.
    container_host: str | None = None
    labelled: bool = False     # every session it lists carries clauderon's label
    list_command: str = ""     # what a user runs to see the backend's own listing
    # the backend's own attach command (the name is appended), suggested after `new`;
    # empty: `clauderon attach NAME`
    attach_command: tuple[str, ...] = ()


class Backend(Protocol):
    name: str
    label: str
    # create() itself refuses a name the backend holds (SessionExists with nothing made),
    # so sessions.create need not list the backend's sessions first.
    create_refuses_existing: bool

    def check_name(self, name: str) -> None:
        """Backend-specific name rules (UsageError, exit 2)."""

    def prepare(self, spec: SessionSpec) -> SessionSpec:
        """Check that the backend can create ``spec`` (version, layout, image) before any
        state is written; may return a spec with resolved values."""

    def create(self, spec: SessionSpec) -> None:
        """Create the session in the background. On failure leave nothing behind."""

    def states(self) -> dict[str, State]:
        """Live sessions this backend holds: name -> RUNNING or EXITED. Raises when the
        backend cannot be asked, and UnreadableListing when its answer cannot be read."""

    def attach(self, record: Record, caller_env: dict[str, str]) -> AttachCommand:
        """The argv (and env) to exec to attach to ``record``."""

    def kill(self, name: str, record: Record | None = None) -> None:
        """Remove the session completely; fine when it is already gone. Returns only when
        a listing the backend understood no longer shows it; raises otherwise (an
        unreadable listing raises UnreadableListing). ``record``: its registry record when
        the caller has read it already (spares reading it again)."""

    def version(self) -> str:
        """The backend tool's version string."""

    def remove_hint(self, name: str) -> str:
        """A command the user can paste to remove session ``name`` by hand (quoted)."""

    def seen_elsewhere(self, name: str) -> str | None:
        """Where session ``name``, not in this backend's listing, still exists in a form
        another version of the tool can reach (and how), or None: it is gone."""

    def restart_exited(self, record: Record) -> str | None:
        """Start again, in place and keeping all it holds, a session this backend lists as
        exited (a stopped container after a reboot or a daemon restart); returns what was
        done, for the user. None: this backend brings exited sessions back another way
        (Zellij resurrects one when you attach) and nothing was done."""
