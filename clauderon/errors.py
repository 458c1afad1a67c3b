"""The exceptions clauderon turns into one-line messages and exit codes."""

from __future__ import annotations


class ClauderonError(Exception):
    """A failure the user can act on. ``str(err)`` is the one-line message."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ClauderonError):
    """Bad input on the command line: exit 2, nothing changed."""

    exit_code = 2


class ConfigError(ClauderonError):
    """A configuration file that cannot be used: exit 2, nothing changed."""

    exit_code = 2


class SessionExists(ClauderonError):
    """The backend refused to create a session because one of that name exists already.

    Nothing was created, and the existing session is not clauderon's to remove: a rollback
    must leave it alone.
    """


class CommandError(ClauderonError):
    """An external command failed; the message names it and quotes its stderr."""

    def __init__(
        self, message: str, *, argv: list[str] | None = None, stderr: str = "",
        returncode: int | None = None, hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.argv = argv or []
        self.stderr = stderr
        self.returncode = returncode


class CommandNotFound(CommandError):
    """The program is not on PATH."""


class CommandTimeout(CommandError):
    """The program did not finish in time and was killed."""
