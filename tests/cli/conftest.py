"""The CLI run as users run it: the installed console script, an isolated HOME, the Zellij
fake on PATH (the fixtures of tests/integration)."""

from tests.doctor.conftest import system_bin, world  # noqa: F401
from tests.integration.conftest import cli, cli_factory  # noqa: F401
