"""What every check may ask about: the environment, the config, Zellij, the registry.

Checks run concurrently, so expensive answers (``zellij --version``, ``zellij ls``, the
registry rows, the live sessions of each backend) are computed once and shared: the first check
that asks runs the command, the others wait for its answer (or its exception). ``invalidate``
drops every answer after a fix changed the world.

Every external command goes through :func:`clauderon.proc.run` with a timeout a little shorter
than the check's own, so a hung ``zellij`` is stopped and reported as a timeout.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from clauderon import paths, proc

if TYPE_CHECKING:
    from clauderon.backends.base import State
    from clauderon.config import Config
    from clauderon.registry import Record, Registry

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
MIN_TIMEOUT = 0.05  # seconds per check: doctor's --timeout and $CLAUDERON_DOCTOR_TIMEOUT
MAX_TIMEOUT = 600.0
TIMEOUT_ENV = "CLAUDERON_DOCTOR_TIMEOUT"


class _Memo:
    __slots__ = ("done", "error", "lock", "value")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None


class Context:
    def __init__(self, env: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT,
                 cwd: Path | None = None, prune: bool = False) -> None:
        self.env: dict[str, str] = dict(env)
        # --prune: fixes may forget or delete what could still come back (see
        # checks/sessions.py); without it they repair only what cannot lose anything
        self.prune = prune
        self.timeout = timeout
        self.cwd = cwd or Path(os.getcwd())
        self._memos: dict[str, _Memo] = {}
        self._lock = threading.Lock()

    # -- sharing answers between concurrent checks ---------------------------------------

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        with self._lock:
            entry = self._memos.setdefault(key, _Memo())
        with entry.lock:
            if not entry.done:
                try:
                    entry.value = compute()
                except BaseException as exc:
                    entry.error = exc
                entry.done = True
        if entry.error is not None:
            raise entry.error
        return cast(T, entry.value)

    def invalidate(self) -> None:
        with self._lock:
            self._memos.clear()

    # -- commands --------------------------------------------------------------------------

    @property
    def command_timeout(self) -> float:
        """A command's timeout: under the check's, so the command is stopped (and named)
        before the runner gives up on the check."""
        return max(0.2, min(self.timeout - 0.25, self.timeout * 0.85))

    def tool_env(self) -> dict[str, str]:
        """The environment for driving a multiplexer: no surrounding session's variables."""
        from clauderon.session_env import without_foreign

        return without_foreign(self.env)

    def run(self, argv: Sequence[str], *, timeout: float | None = None,
            env: Mapping[str, str] | None = None) -> proc.Result:
        limit = self.command_timeout if timeout is None else min(timeout, self.command_timeout)
        return proc.run(argv, env=self.tool_env() if env is None else env, timeout=limit,
                        check=False)

    def which(self, program: str) -> str | None:
        return proc.which(program, self.env)

    # -- paths -----------------------------------------------------------------------------

    def tidy(self, text: str) -> str:
        return paths.tidy_home(text, self.env)

    @property
    def home(self) -> Path:
        return paths.home(self.env)

    # -- configuration ---------------------------------------------------------------------

    def config(self) -> Config:
        """The validated config (ConfigError when it cannot be used)."""
        from clauderon import config

        return self.memo("config", lambda: config.load(self.env))

    def config_or_default(self) -> Config:
        """The config, or the defaults when the file is broken (config.file reports that)."""
        from clauderon.config import Config
        from clauderon.errors import ConfigError

        try:
            return self.config()
        except ConfigError:
            return Config(path=paths.config_file(self.env), loaded=False)

    @property
    def default_backend(self) -> str:
        return self.config_or_default().default_backend

    def editor_command(self, path: Path) -> str:
        from clauderon.doctor.quoting import shq

        return f"${{EDITOR:-vi}} {shq(path, self.env)}"

    # -- backends --------------------------------------------------------------------------

    @staticmethod
    def backend_names() -> tuple[str, ...]:
        from clauderon import backends

        return backends.names()

    def backend_installed(self, name: str) -> bool:
        """The program backend ``name`` drives is on PATH."""
        from clauderon import backends

        return self.which(backends.info(name).program) is not None

    def backend_used(self, name: str) -> tuple[bool, str]:
        """Whether the user relies on backend ``name``, and why (or why not): it is the
        default backend, the config file has its table, or a recorded session uses it."""
        if self.default_backend == name:
            return True, f"the default backend is {name}"
        if any(key.startswith(f"{name}.") for key in self.config_or_default().values):
            return True, f"the config file sets [{name}]"
        try:
            count = sum(1 for r in self.records() if r.backend == name)
        except Exception:
            count = 0
        if count:
            from clauderon.words import plural

            return True, f"{plural(count, 'recorded session')} use {name}"
        return False, (f"the default backend is {self.default_backend}; no [{name}] table, "
                       f"no recorded {name} session")

    def backend_states(self, name: str) -> dict[str, State]:
        """Live sessions of backend ``name``, asked once per doctor run (raises when the
        backend cannot answer, or answers something it cannot read)."""
        def compute() -> dict[str, State]:
            from clauderon.backends import get_backend

            backend = get_backend(name, self.config_or_default(), self.tool_env())
            with proc.time_limit(self.command_timeout):
                return backend.states()

        return self.memo(f"{name}.sessions", compute)

    def announce(self, line: str) -> None:
        """Say, before doing it, what a fix is about to change (on stderr, masked)."""
        from clauderon.secrets import mask

        with self._lock:
            print(mask(line), file=sys.stderr, flush=True)

    # -- registry --------------------------------------------------------------------------

    def registry(self) -> Registry:
        from clauderon.registry import Registry

        return Registry.default(self.env)

    def records(self) -> list[Record]:
        """Every registry row (RegistryError when the registry cannot be read)."""
        return self.memo("registry.rows", lambda: self.registry().all())

    def in_session(self) -> Record | None:
        """The registry row of the clauderon session this process runs in, if any."""
        name = self.env.get("CLAUDERON_SESSION")
        if not name:
            return None
        try:
            return next((r for r in self.records() if r.name == name), None)
        except Exception:
            return None


def timeout_from_env(env: Mapping[str, str]) -> float:
    """``$CLAUDERON_DOCTOR_TIMEOUT`` (seconds) when it is set, else 5; a value that is not
    a number from MIN_TIMEOUT to MAX_TIMEOUT is a UsageError (exit 2)."""
    from clauderon import numbers

    raw = env.get(TIMEOUT_ENV, "")
    if not raw:
        return DEFAULT_TIMEOUT
    return numbers.seconds(raw, TIMEOUT_ENV, low=MIN_TIMEOUT, high=MAX_TIMEOUT)
