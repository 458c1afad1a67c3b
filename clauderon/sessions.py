"""What the session commands do, as data in and data out (the CLI only presents it)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from clauderon import agents, backends, names, paths, session_env, worktrees
from clauderon.backends import get_backend
from clauderon.backends.base import Backend, SessionSpec, State
from clauderon.config import Config, effective_shell, parse_env_entry
from clauderon.errors import ClauderonError, CommandNotFound, SessionExists, UsageError
from clauderon.fileio import write_private_file
from clauderon.registry import BadRow, NameTaken, Record, Registry
from clauderon.shellquote import quote_word, remove_env_files, write_env_files


# NamedTuples, not frozen dataclasses: defining one costs ~0.2 ms instead of ~1.3 ms, on the
# start of every session command.
class NewRequest(NamedTuple):
    session: str
    backend: str | None = None
    workdir: str | None = None
    project: str | None = None
    layout: str | None = None
    shell: str | None = None
    env: Sequence[str] = ()
    options: Mapping[str, object] = MappingProxyType({})
    # a worktree session (clauderon/worktrees.py) and its agent (clauderon/agents.py)
    repo: str | None = None
    base: str | None = None
    branch: str | None = None
    agent: str | None = None
    prompt: str | None = None


class Listed(NamedTuple):
    record: Record
    status: State  # what the backend says
    reason: str | None = None  # why it is unknown, or what a cut-short kill left

    @property
    def label(self) -> str:
        """The status shown: ``deleting`` for a row a kill marked and did not finish."""
        return "deleting" if self.record.deleting else str(self.status)


class Listing(NamedTuple):
    items: list[Listed]
    bad: list[BadRow]  # rows clauderon cannot read: shown as unknown, with the reason
    failures: dict[str, str]  # backends that could not be asked -> why


def _utf8(value: str, what: str) -> None:
    """Refuse text that is not valid UTF-8 (such bytes arrive as lone surrogates): the
    registry, the env files and every backend store text as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{what} is not valid UTF-8; clauderon stores and passes on text as "
                         "UTF-8 (rename it, or use another value)") from None


def _workdir(given: str | None) -> Path:
    if given is None:
        try:
            path = Path.cwd()
        except FileNotFoundError:
            raise UsageError("the current directory no longer exists; cd somewhere else or "
                             "pass --workdir") from None
    else:
        _utf8(given, "--workdir")
        path = Path(os.path.expanduser(given))
        if not path.exists():
            raise UsageError(f"--workdir {given!r} does not exist; create it or pick another "
                             "directory")
        if not path.is_dir():
            raise UsageError(f"--workdir {given!r} is not a directory")
        path = path.resolve()
    text = str(path)
    _utf8(text, f"the working directory {text!a}")
    import unicodedata  # here: `kill` and `list` do not need it

    for ch in text:
        if unicodedata.category(ch) == "Cc":
            # A newline or an escape sequence would break every listing that shows it.
            raise UsageError(f"the working directory {text!r} contains the control character "
                             f"U+{ord(ch):04X}; use a directory whose path has none")
    return path


def _check_shell(shell: str, source: str, backend: str) -> None:
    _utf8(shell, f"the shell {shell!a} (from {source})")
    if backends.info(backend).shell_in_image:
        return  # the shell is looked for inside the image, by the backend
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
    if not backends.exists(backend_name):
        raise backends.unknown(backend_name, "--backend")
    name = names.full_name(req.session, req.project)
    names.check(name)
    if req.project is not None:
        names.check(req.project)
    extra = [parse_env_entry(e, where="--env") for e in req.env]
    worktrees.check_repo_args(req.repo, req.workdir, req.base, req.branch)
    shell, shell_source = effective_shell(config, backend_name, req.shell, env)
    _check_shell(shell, shell_source, backend_name)
    agent_argv = _agent_argv(req, config, env, backend_name)
    plan = None
    if req.repo is not None:
        _utf8(req.repo, "--repo")
        plan = worktrees.plan(req.repo, req.base, req.branch, req.session, config, env)
        workdir = plan.path
    else:
        workdir = _workdir(req.workdir)
    backend = get_backend(backend_name, config, env)
    backend.check_name(name)
    layout = req.layout or config.get(f"{backend_name}.layout")
    if layout is not None:
        _utf8(str(layout), f"the layout {layout!a}")
    network = req.options.get("network") or config.get(f"{backend_name}.network")
    senv = session_env.compute(name, config=config, backend=backend_name, caller_env=env,
                               extra_env=extra, network=str(network) if network else None)
    for key, value in senv.variables.items():
        _utf8(value, f"the value of {key}")
    options = dict(req.options)
    if plan is not None:
        options.update(plan.options(agent=None))
    if agent_argv:
        options["agent"] = agents.chosen(req.agent, req.prompt, config)
    command = tuple(agents.pane_command(shell, agent_argv)) if agent_argv else ()
    spec = backend.prepare(SessionSpec(name=name, workdir=workdir, shell=shell, env=senv,
                                       layout=layout, options=options, command=command))
    registry = Registry.default(env)
    if registry.get(name) is not None:
        raise NameTaken(f'session "{name}" already exists; attach with `clauderon attach '
                        f"{name}`, remove it with `clauderon kill {name}`, or pick another name")
    # A backend whose create refuses an existing name itself (SessionExists, with nothing
    # made) needs no listing first.
    if not backend.create_refuses_existing:
        live = backend.states().get(name)
        if live is not None:
            raise ClauderonError(
                f'a {backend.label} session named "{name}" already exists ({live}); '
                f"pick another name, or remove it with `{backend.remove_hint(name)}`")
    record = Record(name=name, backend=backend_name, workdir=str(workdir),
                    created_at=Record.now(), shell=spec.shell, env=senv.variables,
                    layout=spec.layout, options=_stored_options(spec.options))
    registry.reserve(record)
    attempted = False  # whether the backend may hold a session of ours
    made_worktree = False
    try:
        if plan is not None:
            made_worktree = True  # even a failed `git worktree add` is undone
            worktrees.make(plan, env)
        try:
            write_env_files(name, senv.variables, env)
        except OSError as exc:
            raise _files_error("write", exc, env) from None
        attempted = True
        backend.create(spec)
        registry.mark_ready(name)
    except BaseException as exc:
        # A session that already existed under the name (SessionExists) was not made by us,
        # and nothing is made when the program is missing: leave the backend alone then.
        ours = attempted and not isinstance(exc, (SessionExists, CommandNotFound))
        leftovers = _rollback(backend, registry, name, env, kill=ours)
        if plan is not None and made_worktree:
            leftovers += worktrees.unmake(plan, env)
        if leftovers and isinstance(exc, ClauderonError):
            exc.message += (f"; could not clean up {', '.join(leftovers)}: run "
                            "`clauderon doctor --fix`")
        raise
    refresh_names_cache(registry, env)
    notes = senv.notes
    agents.refresh_cache(config, env)  # --agent's completion reads it (no Python on TAB)
    if plan is not None and plan.dirty:
        notes += (f"{plan.repo} has uncommitted changes; they are not in the worktree (it "
                  f"starts from commit {plan.base[:12]})",)
    return record, backend, notes


def _agent_argv(req: NewRequest, config: Config, env: Mapping[str, str],
                backend_name: str) -> list[str]:
    """The agent's argv with the prompt (empty: no agent); its program must be on PATH
    (inside the image for a backend whose shell runs there: not checked here)."""
    name = agents.chosen(req.agent, req.prompt, config)
    if name is None:
        return []
    if req.prompt is not None:
        _utf8(req.prompt, "--prompt")
        if "\0" in req.prompt:
            raise UsageError("--prompt contains a NUL byte, which no program argument can "
                             "hold; remove it")
    argv = agents.start_argv(agents.get(name, config), req.prompt)
    if not backends.info(backend_name).shell_in_image:
        agents.require_program(argv, env)
    return argv


def _stored_options(options: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in options.items() if k != "layout_arg" and v is not None}


def _files_error(verb: str, exc: OSError, env: Mapping[str, str]) -> ClauderonError:
    where = paths.tidy_home(str(paths.session_env_dir(env)), env)
    return ClauderonError(
        f"cannot {verb} the session's env files in {where}: {exc.strerror or exc}; make the "
        "directory writable and free some disk space, then run `clauderon doctor`")


def _rollback(backend: Backend, registry: Registry, name: str,
              env: Mapping[str, str], *, kill: bool = True) -> list[str]:
    """Undo a half-made session; returns what could not be undone (normally nothing).

    With ``kill`` the backend is told to remove the session whatever its listing says (a
    listing may be garbled or hung; ``kill`` is fine when nothing was made)."""
    leftovers: list[str] = []
    if kill:
        try:
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


class StillHeld(ClauderonError):
    """restore: the backend still holds the session (running, or exited and brought back
    when a client attaches): nothing to restore."""


class Restored(NamedTuple):
    record: Record
    backend: Backend
    notes: tuple[str, ...]


def restore(name: str, config: Config, env: Mapping[str, str]) -> Restored:
    """Make a ``missing`` session again from its record: same backend, name, workdir, shell,
    layout and options; the environment computed anew from the current config (variables
    given with --env at creation are kept); a worktree session's checkout added again from
    its branch when it is gone, and its agent resumed. An ``exited`` session the backend
    can start again in place (a stopped container after a reboot) is started, keeping what
    it holds. Nothing is done for a running session, an exited one the backend brings back
    on attach (Zellij), or one whose backend cannot be asked. On a failure the record and
    its env files stay as they were."""
    registry = Registry.default(env)
    record = find(name, env, registry)
    if record.deleting:
        raise ClauderonError(f'session "{record.name}" is being deleted: a `clauderon kill` '
                             f"started at {record.deleting} did not finish; nothing was "
                             f"restored; finish it with `clauderon kill {quote_word(record.name)}`")
    backend = get_backend(record.backend, config, env)
    try:
        state = backend.states().get(record.name)
    except ClauderonError as exc:
        raise ClauderonError(f'cannot ask {backend.label} whether "{record.name}" is gone '
                             f"({exc}); nothing was restored") from None
    if state is State.EXITED:
        done = backend.restart_exited(record)
        if done is not None:
            return Restored(record, backend, (done,))
    if state is not None:
        raise StillHeld(f'session "{record.name}" is {state}: {backend.label} still holds '
                        f"it, nothing to restore; attach with `clauderon attach "
                        f"{quote_word(record.name)}`")
    notes: list[str] = []
    if record.options.get("worktree") and worktrees.prepare_restore(record.options, env):
        notes.append(f"added the worktree {record.workdir} again from its branch "
                     f"{record.options.get('branch')}")
    workdir = Path(record.workdir)
    if not workdir.is_dir():
        raise ClauderonError(f"the working directory {record.workdir} of \"{record.name}\" is "
                             "gone; create it again, or forget the session with "
                             f"`clauderon kill {record.name}`")
    fresh = session_env.compute(record.name, config=config, backend=record.backend,
                                caller_env=env,
                                network=str(record.options.get("network") or "") or None)
    given = [(k, v) for k, v in record.env.items() if k not in fresh.variables]
    senv = session_env.compute(record.name, config=config, backend=record.backend,
                               caller_env=env, extra_env=given,
                               network=str(record.options.get("network") or "") or None)
    changed = sorted(k for k, v in senv.variables.items() if record.env.get(k) != v)
    if changed:
        notes.append("the environment was computed again from the current config; changed: "
                     + ", ".join(changed))
    command = agents.restore_command(record.options, config, record.shell)
    spec = backend.prepare(SessionSpec(name=record.name, workdir=workdir, shell=record.shell,
                                       env=senv, layout=record.layout,
                                       options=dict(record.options), command=command))
    try:
        write_env_files(record.name, senv.variables, env)
        backend.create(spec)
    except BaseException:
        try:
            backend.kill(record.name)
        except ClauderonError:
            pass  # nothing was made, or it is said below by doctor
        write_env_files(record.name, record.env, env)  # as they were
        raise
    restored = record._replace(env=senv.variables, options=_stored_options(spec.options))
    registry.update(restored)
    refresh_names_cache(registry, env)
    return Restored(restored, backend, (*senv.notes, *notes))


def live_states(config: Config, env: Mapping[str, str], backends: Iterable[str]
                ) -> tuple[dict[str, dict[str, State]], dict[str, str]]:
    """Live sessions per backend, and the backends that could not answer (with why)."""
    result: dict[str, dict[str, State]] = {}
    failures: dict[str, str] = {}
    for backend_name in sorted(set(backends)):
        try:
            result[backend_name] = get_backend(backend_name, config, env).states()
        except ClauderonError as exc:
            failures[backend_name] = str(exc)
    return result, failures


def listing(config: Config, env: Mapping[str, str]) -> Listing:
    """Every recorded session with its live state; a backend that cannot answer gives its
    sessions the state ``unknown`` with the reason, instead of failing the whole list. Rows
    clauderon cannot read come apart (``bad``), with theirs."""
    registry = Registry.default(env)
    records, bad = registry.read()
    live, failures = live_states(config, env, {r.backend for r in records})
    refresh_names_cache(registry, env, records)
    items = []
    for r in records:
        if r.backend in live:
            state = live[r.backend].get(r.name, State.MISSING)
            reason = None
        else:
            state, reason = State.UNKNOWN, f"cannot ask {r.backend}: {failures[r.backend]}"
        if r.deleting:
            reason = deleting_reason(r, state)
        items.append(Listed(r, state, reason))
    return Listing(items, bad, failures)


def deleting_reason(record: Record, state: State) -> str:
    """What a kill that was cut short left, for list and doctor."""
    now = {State.MISSING: "its session is gone", State.UNKNOWN: "its session is unknown"}.get(
        state, f"its session is still {state}")
    return (f"a `clauderon kill` started at {record.deleting} did not finish ({now}); run "
            f"`clauderon kill {quote_word(record.name)}` again to finish")


def find(name: str, env: Mapping[str, str], registry: Registry | None = None) -> Record:
    registry = registry or Registry.default(env)
    record = registry.get(name)
    if record is None:
        raise ClauderonError(names.not_found_message(name, (r.name for r in registry.all())))
    return record


def kill(name: str, config: Config, env: Mapping[str, str], *, work: str = "refuse",
         say: Callable[[str], None] = lambda _line: None) -> Record:
    """Kill a session and forget it. A worktree session's worktree and branch go too, by
    the rules of ``worktrees.before_kill`` (``work``: refuse, keep or force), checked
    before anything changes."""
    registry = Registry.default(env)  # one connection for the whole command
    record = find(name, env, registry)
    remove_worktree = worktrees.before_kill(record.name, record.options, work, env, say)
    backend = get_backend(record.backend, config, env)
    # The mark is the write that proves the registry can be changed (locked, read-only,
    # full: one line, nothing done); if a later step fails, list and doctor show the row
    # as `deleting` and a second `kill` finishes.
    registry.mark_deleting(record.name)
    try:
        backend.kill(record.name, record)
    except BaseException as exc:
        try:
            registry.unmark_deleting(record.name)  # the session may well still be there
        except ClauderonError as again:
            if isinstance(exc, ClauderonError):
                exc.message += (f"; the registry row stays marked `deleting` ({again}): "
                                f"run `clauderon kill {quote_word(record.name)}` again")
        raise
    done = [f"killed the {backend.label} session"]
    if remove_worktree is not None:
        try:
            remove_worktree()
        except ClauderonError as exc:
            raise _half_killed(record, done, "its worktree", str(exc), env,
                               kept="its env files and registry row are kept, the row "
                                    "marked `deleting`",
                               hint="see what git said") from None
        done.append("removed its worktree")
    try:
        remove_env_files(record.name, env)
    except OSError as exc:
        raise _half_killed(record, done, "its env files", exc.strerror or str(exc), env,
                           kept="its registry row is kept, marked `deleting`") from None
    done.append("removed its env files")
    try:
        registry.forget(record.name)
    except ClauderonError as exc:
        raise _half_killed(record, done, "its registry row", str(exc), env,
                           kept="so it stays, marked `deleting`") from None
    refresh_names_cache(registry, env)
    return record


def _half_killed(record: Record, done: list[str], what: str, why: str,
                 env: Mapping[str, str], *, kept: str, hint: str | None = None
                 ) -> ClauderonError:
    """A kill that did the first steps and not the rest says exactly which."""
    why = why.split("; nothing was changed")[0]  # a registry message: the cause only
    if hint is None:
        data = paths.tidy_home(str(paths.data_dir(env)), env)
        state = paths.tidy_home(str(paths.session_env_dir(env)), env)
        hint = f"free some space or make {data} and {state} writable"
    return ClauderonError(
        f'session "{record.name}": {", ".join(done)}; could not remove {what} ({why}), '
        f"{kept}; {hint}, then run `clauderon kill {quote_word(record.name)}` again to finish")


def refresh_names_cache(registry: Registry, env: Mapping[str, str],
                        records: Sequence[Record] | None = None) -> None:
    """Rewrite the names file the completion scripts read (atomically; never fatal).

    One name per line, sorted by code point, which is the byte order of their UTF-8: the bash
    script finds the names that start with what was typed by binary search."""
    target = paths.names_cache(env)
    names_list = sorted(r.name for r in (records if records is not None else registry.all()))
    text = "".join(f"{n}\n" for n in names_list)
    try:
        if target.exists() and target.read_text(encoding="utf-8") == text:
            return
        write_private_file(target, text)
    except OSError:
        pass
