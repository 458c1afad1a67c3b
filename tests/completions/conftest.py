"""Fixtures for the completion tests: an isolated HOME with a names cache and a Zellij layout.

The shells are the real ones (Debian's bash, zsh and fish). A missing shell skips its tests
with the reason, unless ``CLAUDERON_REQUIRE_REAL=1``, which turns the skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from completion_harness import NAMES, write_names_cache
from realtools import require


@pytest.fixture
def home(isolated_home: Path) -> Path:
    """HOME (XDG dirs below it, see tests/conftest.py) with three sessions in the names cache
    and one layout of the user's own, ``mine.kdl``."""
    write_names_cache(isolated_home / ".cache" / "clauderon" / "names", NAMES)
    layouts = isolated_home / ".config" / "zellij" / "layouts"
    layouts.mkdir(parents=True)
    (layouts / "mine.kdl").write_text("layout {\n}\n", encoding="utf-8")
    return isolated_home


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    """The environment the shells under test get."""
    keep = ("PATH", "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
            "XDG_CACHE_HOME")
    result = {k: os.environ[k] for k in keep if k in os.environ}
    result.update(LANG="C.UTF-8", TERM="dumb", SHELL="/bin/sh")
    return result


@pytest.fixture(scope="session")
def bash() -> str:
    return require("bash", "the bash completion tests run real bash")


@pytest.fixture(scope="session")
def zsh() -> str:
    return require("zsh", "the zsh completion tests run real zsh")


@pytest.fixture(scope="session")
def fish() -> str:
    return require("fish", "the fish completion tests run real fish")
