"""Which shell the user runs: shellingham, falling back to ``$SHELL``."""

from __future__ import annotations

import os
from collections.abc import Mapping

from clauderon.errors import UsageError

SUPPORTED = ("bash", "zsh", "fish")


def detect(explicit: str | None = None, env: Mapping[str, str] | None = None,
           *, option: str = "--shell") -> str:
    """``explicit`` if given (validated), else the parent shell, else ``$SHELL``."""
    if explicit is not None:
        name = os.path.basename(explicit)
        if name not in SUPPORTED:
            raise UsageError(f"{option} {explicit!r} is not supported; use one of: "
                             f"{', '.join(SUPPORTED)}")
        return name
    try:
        import shellingham

        name, _path = shellingham.detect_shell()
        if name in SUPPORTED:
            return str(name)
    except (ImportError, RuntimeError, OSError):
        pass
    shell = os.path.basename((os.environ if env is None else env).get("SHELL", ""))
    if shell in SUPPORTED:
        return shell
    raise UsageError(f"cannot tell which shell you use (SHELL={shell or 'unset'}); pass "
                     f"{option} bash, zsh or fish")
