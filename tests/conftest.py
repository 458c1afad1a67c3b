"""Every test runs with its own HOME and XDG directories, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

ISOLATED_VARS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
CLEARED_VARS = ("CLAUDERON_CONFIG", "CLAUDERON_SESSION", "CLAUDERON_HOOK", "ZELLIJ",
                "ZELLIJ_SESSION_NAME", "ZELLIJ_PANE_ID", "ZELLIJ_SOCKET_DIR", "ZELLIJ_CONFIG_DIR",
                "TMUX", "TMUX_PANE", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    subdirs = (".config", ".local/share", ".local/state", ".cache")
    for var, sub in zip(ISOLATED_VARS, subdirs, strict=True):
        monkeypatch.setenv(var, str(home / sub))
    for var in CLEARED_VARS:
        monkeypatch.delenv(var, raising=False)
    return home
