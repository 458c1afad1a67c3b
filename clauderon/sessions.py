"""What the session commands do, as data in and data out (the CLI only presents it)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from clauderon import names, paths, session_env
from clauderon.backends import get_backend
from clauderon.backends.base import Backend, SessionSpec, State
from clauderon.config import Config, effective_shell, parse_env_entry
from clauderon.errors import ClauderonError, UsageError
from clauderon.registry import NameTaken, Record, Registry
from clauderon.shellquote import remove_env_files, write_env_files


@dataclass(frozen=True)
class NewRequest:
    session: str
    backend: str | None = None
    workdir: str | None = None
    project: str | None = None
    layout: str | None = None
    shell: str | None = None
    env: Sequence[str] = ()
    options: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Listed:
    record: Record
    status: State


def _workdir(given: str | None) -> Path:
    if given is None:
        return Path.cwd()
    path = Path(os.path.expanduser(given))
    if not path.exists():
        raise UsageError(f"--workdir {given!r} does not exist; create it or pick another "
                         "directory")
    if not path.is_dir():
        raise UsageError(f"--workdir {given!r} is not a directory")
    return path.resolve()


def _check_shell(shell: str, source: str, backend: str) -> None:
    if backend == "docker":
        return  # the shell lives inside the image
    if not os.path.isabs(shell):
        raise UsageError(f"shell {shell!r} (from {source}) must be an absolute path, "
                         "e.g. /bin/bash")
    if not (os.path.isfile(shell) and os.access(shell, os.X_OK)):
        where = "--shell" if source == "--shell" else f"{backend}.shell in the config"
        raise UsageError(f"shell {shell!r} ({where}) is not an executable file; install it "
                         "or choose another shell")


def create(req: NewRequest, config: Config, env: Mapping[str, str]) -> tuple[Record, Backend,
                                                                             tuple[str, ...]]:
    """Create a session. On any failure nothing remains: no row, no env file, no session."""
    backend_name = req.backend or config.default_backend
    name = names.full_name(req.session, req.project)
    names.check(name)
    if req.project is not None:
        names.check(req.project)
    extra = [parse_env_entry(e, where="--env") for e in req.env]
    workdir = _workdir(req.workdir)
    shell, shell_source = effective_shell(config, backend_name, req.shell, env)
    _check_shell(shell, shell_source, backend_name)
    backend = get_backend(backend_name, config, env)
    backend.check_name(name)
    layout = req.layout or config.get(f"{backend_name}.layout")
    network = req.options.get("network") or config.get("docker.network")
    senv = session_env.compute(name, config=config, backend=backend_name, caller_env=env,
                               extra_env=extra, network=str(network) if network else None)
    spec = backend.prepare(SessionSpec(name=name, workdir=workdir, shell=shell, env=senv,
                                       layout=layout, options=dict(req.options)))
    registry = Registry.default(env)
    if registry.get(name) is not None:
        raise NameTaken(f'session "{name}" already exists; attach with `clauderon attach '
                        f"{name}`, remove it with `clauderon kill {name}`, or pick another name")
    live = backend.states().get(name)
    if live is not None:
        raise ClauderonError(
            f'a {backend.label} session named "{name}" already exists ({live}); '
            f"pick another name, or remove it with {_clear_hint(backend_name, name)}")
    record = Record(name=name, backend=backend_name, workdir=str(workdir),
                    created_at=Record.now(), shell=spec.shell, env=senv.variables,
                    layout=spec.layout, options=_stored_options(spec.options))
    registry.reserve(record)
    try:
        write_env_files(name, senv.variables, env)
        backend.create(spec)
        registry.mark_ready(name)
    except BaseException as exc:
        leftovers = _rollback(backend, registry, name, env)
        if leftovers and isinstance(exc, ClauderonError):
            exc.message += (f"; could not clean up {', '.join(leftovers)}: run "
                            "`clauderon doctor --fix`")
        raise
    refresh_names_cache(registry, env)
    return record, backend, senv.notes


def _stored_options(options: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in options.items() if k != "layout_arg" and v is not None}


def _clear_hint(backend: str, name: str) -> str:
    return {
        "zellij": f"`zellij delete-session --force {name}`",
        "tmux": f"`tmux kill-session -t ={name}` (add -L SOCKET for a [tmux] socket)",
        "docker": f"`docker rm -f clauderon-{name}`",
    }.get(backend, f"`clauderon kill {name}`")


def _rollback(backend: Backend, registry: Registry, name: str,
              env: Mapping[str, str]) -> list[str]:
    """Undo a half-made session; returns what could not be undone (normally nothing)."""
    leftovers: list[str] = []
    try:
        if name in backend.states():
            backend.kill(name)
    except ClauderonError as exc:
        leftovers.append(f"the {backend.label} session ({exc})")
    try:
        remove_env_files(name, env)
    except OSError as exc:
        leftovers.append(f"its env files ({exc.strerror})")
    try:
        registry.forget(name)
    except ClauderonError as exc:
        leftovers.append(f"its registry row ({exc})")
    return leftovers


def live_states(config: Config, env: Mapping[str, str], backends: Iterable[str]
                ) -> dict[str, dict[str, State]]:
    """Live sessions per backend; a backend that cannot answer maps to None-free {}."""
    result: dict[str, dict[str, State]] = {}
    for backend_name in sorted(set(backends)):
        result[backend_name] = get_backend(backend_name, config, env).states()
    return result


def listing(config: Config, env: Mapping[str, str]) -> list[Listed]:
    registry = Registry.default(env)
    records = registry.all()
    live = live_states(config, env, {r.backend for r in records})
    refresh_names_cache(registry, env, records)
    return [Listed(r, live[r.backend].get(r.name, State.MISSING)) for r in records]


def find(name: str, env: Mapping[str, str]) -> Record:
    registry = Registry.default(env)
    record = registry.get(name)
    if record is None:
        raise ClauderonError(names.not_found_message(name, (r.name for r in registry.all())))
    return record


def kill(name: str, config: Config, env: Mapping[str, str]) -> Record:
    record = find(name, env)
    backend = get_backend(record.backend, config, env)
    backend.kill(record.name)
    remove_env_files(record.name, env)
    registry = Registry.default(env)
    registry.forget(record.name)
    refresh_names_cache(registry, env)
    return record


def refresh_names_cache(registry: Registry, env: Mapping[str, str],
                        records: Sequence[Record] | None = None) -> None:
    """Rewrite the names file the completion scripts read (atomically; never fatal)."""
    target = paths.names_cache(env)
    names_list = [r.name for r in (records if records is not None else registry.all())]
    text = "".join(f"{n}\n" for n in names_list)
    try:
        if target.exists() and target.read_text(encoding="utf-8") == text:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass
