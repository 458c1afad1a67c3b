"""Backends: small adapters behind one protocol (see base.py)."""

from __future__ import annotations

from collections.abc import Mapping

from clauderon.backends.base import Backend
from clauderon.config import BACKENDS, Config
from clauderon.errors import UsageError


def get_backend(name: str, config: Config, env: Mapping[str, str]) -> Backend:
    if name == "zellij":
        from clauderon.backends.zellij import ZellijBackend

        return ZellijBackend(config, env)
    if name == "tmux":
        from clauderon.backends.tmux import TmuxBackend

        return TmuxBackend(config, env)
    if name == "docker":
        from clauderon.backends.docker import DockerBackend

        return DockerBackend(config, env)
    raise UsageError(f"unknown backend {name!r}; use one of: {', '.join(BACKENDS)}")
