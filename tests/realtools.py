"""Skip a test when a real component is missing, or fail when CI demands real components."""

from __future__ import annotations

import os
import shutil

import pytest


def require(program: str, why: str = "") -> str:
    """The path of ``program``; skip (or fail under CLAUDERON_REQUIRE_REAL=1) without it."""
    path = shutil.which(program)
    if path:
        return path
    message = f"{program} is not installed{': ' + why if why else ''}"
    if os.environ.get("CLAUDERON_REQUIRE_REAL") == "1":
        pytest.fail(f"{message} (CLAUDERON_REQUIRE_REAL=1)")
    pytest.skip(message)
