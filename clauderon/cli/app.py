"""The typer application: one function per command, presentation only."""


import os
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING, NoReturn, Optional

import typer

from clauderon import __version__
from clauderon.cli import output, usage
from clauderon.errors import ClauderonError

if TYPE_CHECKING:
    from clauderon.backends.base import AttachCommand, Backend
    from clauderon.config import Config
    from clauderon.registry import Record
    from clauderon.sessions import Restored

app = typer.Typer(
    name="clauderon",
    help="Run work sessions in Zellij, tmux or Docker; `clauderon doctor` finds what breaks them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # --help: typer's rich panels on a terminal, click's plain text when piped (typer's
    # documented switch: rich_markup_mode=None)
    rich_markup_mode="rich" if sys.stdout.isatty() else None,
)


def _backend_metavar() -> str:
    """``[docker|tmux|zellij]``: the backends' names are a directory listing (no backend
    module is imported to build the CLI)."""
    from clauderon import backends

    return "[" + "|".join(backends.names()) + "]"


BACKEND_METAVAR = _backend_metavar()


def _backend_values(incomplete: str) -> list[str]:
    """--backend's values for completion (typer's ``autocompletion``): tools/gen_completions.py
    reads them into the static scripts."""
    from clauderon import backends

    return [n for n in backends.names() if n.startswith(incomplete)]


def _network_values(incomplete: str) -> list[str]:
    """--network's values for completion: the choices of the backends' ``network`` setting."""
    from clauderon import backends

    found = [c for b in backends.names() if (s := backends.setting(b, "network")) is not None
             for c in s.choices]
    return [c for c in dict.fromkeys(found) if c.startswith(incomplete)]


def _version(value: bool) -> None:
    if value:
        output.echo(f"clauderon {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """clauderon: sessions for shells and coding agents, diagnostics first."""


def load_config() -> "Config":
    from clauderon import config

    cfg = config.load()
    for warning in cfg.warnings:
        output.warn(warning)
    return cfg


def age(created_at: str, now: datetime | None = None) -> str:
    try:
        then = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return "?"
    seconds = int(((now or datetime.now(timezone.utc)) - then).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{max(seconds, 0)}s ago"


# -- new ---------------------------------------------------------------------------------


@app.command(cls=usage.Command)
def new(
    session: str = typer.Argument(..., metavar="SESSION",
                                  help="Session name (PROJECT-SESSION with --name)."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", metavar=BACKEND_METAVAR,
                                          help="The backend (default: config's "
                                               "default_backend).",
                                          autocompletion=_backend_values),
    workdir: Optional[str] = typer.Option(None, "--workdir", "-w", metavar="DIR",
                                          help="Directory the session starts in."),
    name: Optional[str] = typer.Option(None, "--name", "-n", metavar="PROJECT",
                                       help="Project name prefix."),
    layout: Optional[str] = typer.Option(None, "--layout", "-l", metavar="LAYOUT",
                                         help="Zellij layout (a name or a file)."),
    shell: Optional[str] = typer.Option(None, "--shell", "-s", metavar="SHELL",
                                        help="Shell to run."),
    env: list[str] = typer.Option([], "--env", "-e", metavar="KEY=VALUE",
                                  help="Extra variable (repeatable)."),
    image: Optional[str] = typer.Option(None, "--image", metavar="IMAGE", help="Docker image."),
    network: Optional[str] = typer.Option(None, "--network", metavar="NETWORK",
                                          help="Docker network (docker.network's values).",
                                          autocompletion=_network_values),
    attach: bool = typer.Option(False, "--attach", "-a", help="Attach right after creating."),
    repo: Optional[str] = typer.Option(None, "--repo", "-r", metavar="DIR",
                                       help="Start in a new git worktree of this repository."),
    base: Optional[str] = typer.Option(None, "--base", metavar="REF",
                                       help="The worktree's starting commit (default: HEAD)."),
    branch: Optional[str] = typer.Option(None, "--branch", metavar="BRANCH",
                                         help="The worktree's new branch (default: "
                                              "worktree.branch_prefix + SESSION)."),
    agent: Optional[str] = typer.Option(None, "--agent", metavar="AGENT",
                                        help="Coding agent to start in the first pane."),
    prompt: Optional[str] = typer.Option(None, "--prompt", "-p", metavar="TEXT",
                                         help="The agent's first prompt (one argument)."),
    prompt_file: Optional[str] = typer.Option(None, "--prompt-file", metavar="FILE",
                                              help="Read the first prompt from FILE (- for "
                                                   "stdin)."),
) -> None:
    """Create a session in the background."""
    from clauderon import backend_advice, backends, paths, sessions
    from clauderon.errors import CommandNotFound, UsageError

    if backend is not None and not backends.exists(backend):
        raise backends.unknown(backend, "--backend")
    cfg = load_config()
    chosen = backend or cfg.default_backend
    given = {"image": image, "network": network}
    for key, value in given.items():
        if value is None:
            continue
        owner = [b for b in backends.names() if backends.setting(b, key) is not None]
        if chosen not in owner:
            raise UsageError(f"--{key} applies to the {' and '.join(owner)} backend only; add "
                             f"--backend {owner[0]}")
        declared = backends.setting(chosen, key)
        if declared is not None and declared.choices and value not in declared.choices:
            raise UsageError(f"--{key} {value!r} is not supported; use one of: "
                             f"{', '.join(declared.choices)}")
    first_prompt = _prompt(prompt, prompt_file)
    req = sessions.NewRequest(session=session, backend=backend, workdir=workdir,
                              project=name, layout=layout, shell=shell, env=env,
                              options=given, repo=repo, base=base, branch=branch,
                              agent=agent, prompt=first_prompt)
    try:
        record, be, notes = sessions.create(req, cfg, os.environ)
    except CommandNotFound:
        instead = None if backend is not None else backend_advice.alternative(chosen, os.environ)
        if instead is None:
            raise
        # The same command with --backend (--layout and the Docker options apply to their
        # own backend only, so they are left out unless it is theirs).
        again = ["clauderon", "new", "--backend", instead]
        for option, value in (("--workdir", workdir), ("--name", name), ("--shell", shell),
                              ("--layout", layout), ("--image", image),
                              ("--network", network)):
            if value is not None and (option[2:] not in ("layout", "image", "network")
                                      or backends.setting(instead, option[2:]) is not None):
                again += [option, value]
        for option, value in (("--repo", repo), ("--base", base), ("--branch", branch),
                              ("--agent", agent), ("--prompt", prompt),
                              ("--prompt-file", prompt_file)):
            if value is not None:
                again += [option, value]
        for entry in env:
            again += ["--env", entry]
        again += [*(["--attach"] if attach else []), session]
        raise ClauderonError(backend_advice.for_new(chosen, instead, again)) from None
    output.echo(f'Created {be.label} session "{record.name}" in '
                f"{paths.tidy_home(record.workdir)}")
    if record.options.get("branch"):
        output.echo(f"Worktree of {paths.tidy_home(str(record.options['repo']))} on branch "
                    f"{record.options['branch']} (base {str(record.options['base'])[:12]})"
                    + (f", agent {record.options['agent']}" if record.options.get("agent")
                       else ""))
    for note in notes:
        output.echo(f"Note: {note}")
    if attach:
        _attach(be, record.name, be.attach(record, dict(os.environ)))
        return
    output.echo(f"Attach with: {_attach_hint(record.backend, record.name)}")


def _prompt(text: Optional[str], file: Optional[str]) -> Optional[str]:
    """--prompt or --prompt-file's content (UTF-8), exactly as given."""
    from clauderon.errors import UsageError

    if file is None:
        return text
    if text is not None:
        raise UsageError("--prompt and --prompt-file exclude each other; give one")
    try:
        from pathlib import Path

        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise UsageError(f"--prompt-file {file!r}: {exc.strerror or exc}; give a readable "
                         "file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"--prompt-file {file!r} is not valid UTF-8; save it as UTF-8") \
            from None


def _attach_hint(backend: str, name: str) -> str:
    from clauderon import backends
    from clauderon.proc import describe

    return describe([*(backends.info(backend).attach_command or ("clauderon", "attach")), name])


def _exec(argv: list[str], env: dict[str, str]) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(argv[0], argv, env)
    except FileNotFoundError:
        raise ClauderonError(f"{argv[0]} not found on PATH; run `clauderon doctor`") from None


# -- list --------------------------------------------------------------------------------


def _list(json_out: bool, wide: bool = False) -> None:
    from clauderon import paths, sessions
    from clauderon.registry import QUARANTINE_HINT

    cfg = load_config()
    items, bad, failures = sessions.listing(cfg, os.environ)
    for backend, why in failures.items():
        output.warn(f"cannot ask {backend} for live state, shown as unknown: {why}")
    for unread in bad:
        output.warn(f"{unread.describe()}; shown as unknown; {QUARANTINE_HINT}")
    for i in items:
        if i.record.deleting and i.reason:
            output.warn(f'session "{i.record.name}" is shown as deleting: {i.reason}')
    failed = bool(failures or bad)  # some rows are unknown: exit 1
    from clauderon import worktrees

    changes = worktrees.changes(((i.record.name, i.record.options) for i in items), os.environ)
    if json_out:
        output.print_json([
            *({"name": i.record.name, "backend": i.record.backend, "status": i.label,
               "reason": i.reason,
               "workdir": i.record.workdir, "created_at": i.record.created_at,
               "layout": i.record.layout, "shell": i.record.shell,
               **{k: i.record.options.get(k) for k in worktrees.KEYS},
               "changes": changes[i.record.name].as_json() if i.record.name in changes
               else None}
              for i in items),
            *({"name": _json_name(row.name), "backend": row.backend, "status": "unknown",
               "reason": f"the registry row cannot be read: {row.reason}",
               "workdir": None, "created_at": None, "layout": None, "shell": None,
               **{k: None for k in worktrees.KEYS}, "changes": None}
              for row in bad)])
        if failed:
            raise typer.Exit(1)
        return
    rows = [[i.record.name, i.record.backend, i.label, paths.tidy_home(i.record.workdir),
             age(i.record.created_at)] for i in items]
    unreadable = [[row.name if row.name is not None else row.shown, row.backend or "?",
                   "unknown", "?", "?"] for row in bad]
    if changes:  # worktree sessions: their branch, agent and changes
        for row, i in zip(rows, items, strict=True):
            row += [str(i.record.options.get("branch") or ""),
                    str(i.record.options.get("agent") or ""),
                    str(changes.get(i.record.name, ""))]
        output.table(["NAME", "BACKEND", "STATUS", "WORKDIR", "CREATED", "BRANCH", "AGENT",
                      "CHANGES"], rows + [[*r, "", "", ""] for r in unreadable], wide=wide)
        if failed:
            raise typer.Exit(1)
        return
    if not rows and not unreadable and output.is_tty():
        output.echo("No clauderon sessions. Create one with: clauderon new NAME")
        return
    output.table(["NAME", "BACKEND", "STATUS", "WORKDIR", "CREATED"], rows + unreadable,
                 wide=wide)
    if failed:
        raise typer.Exit(1)


def _json_name(name: Optional[str]) -> Optional[str]:
    """A bad row's name for JSON: as it is, or escaped when it is not UTF-8 text."""
    from clauderon import names

    if name is None:
        return None
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return names.shown(name)
    return name


WIDE_HELP = "On a terminal: never cut long names and paths (lines wrap instead)."


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Print JSON."),
          wide: bool = typer.Option(False, "--wide", help=WIDE_HELP)) -> None:
    """List clauderon's sessions with their live status."""
    _list(json_out, wide)


@app.command("ls", hidden=True)
def ls(json_out: bool = typer.Option(False, "--json", help="Print JSON."),
       wide: bool = typer.Option(False, "--wide", help=WIDE_HELP)) -> None:
    """Alias of list."""
    _list(json_out, wide)


# -- attach ------------------------------------------------------------------------------


@app.command(cls=usage.Command)
def attach(name: str = typer.Argument(..., metavar="NAME", help="Session name.")) -> None:
    """Attach to a session (on its terminal; back here when you detach)."""
    from clauderon import sessions
    from clauderon.backends import get_backend
    from clauderon.backends.base import State

    cfg = load_config()
    record = sessions.find(name, os.environ)
    if record.deleting:
        output.warn(f"a `clauderon kill {record.name}` did not finish (begun "
                    f"{record.deleting}); `clauderon kill {record.name}` finishes it")
    backend = get_backend(record.backend, cfg, os.environ)
    try:
        live = backend.states().get(record.name)
    except ClauderonError:
        live = State.UNKNOWN  # cannot tell: let the backend try
    if live is None:
        raise ClauderonError(_missing(record.name, backend.label))
    _attach(backend, record.name, backend.attach(record, dict(os.environ)))


def _missing(name: str, label: str) -> str:
    return (f'session "{name}" is missing: {label} no longer has it (a reboot, a killed '
            f"server); bring it back with `clauderon restore {name}`, or forget it with "
            f"`clauderon kill {name}`")


def _attach(backend: "Backend", name: str, command: "AttachCommand") -> None:
    """Exec the backend's attach command; or, when the backend can explain its client's
    failures, run it on this terminal and print its one line (exit 1) instead of the
    client's own text. A failure it cannot explain: the session gone meanwhile is said
    so; anything else is the client's stderr and exit status as they are."""
    from clauderon import proc
    from clauderon.errors import CommandNotFound
    from clauderon.secrets import mask

    if command.explain is None:
        _exec(command.argv, command.env)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        code, stderr = proc.run_in_foreground(command.argv, env=command.env)
    except CommandNotFound:
        raise ClauderonError(f"{command.argv[0]} not found on PATH; run `clauderon doctor`") \
            from None
    if code == 0:
        sys.stderr.write(mask(stderr))
        return
    line = command.explain(stderr)
    if line is None:
        try:
            gone = name not in backend.states()
        except ClauderonError:
            gone = False  # cannot tell: tmux's own words
        line = _missing(name, backend.label) if gone else None
    if line is not None:
        raise ClauderonError(line)
    sys.stderr.write(mask(stderr))
    raise typer.Exit(code)


@app.command()
def restore(
    name: Optional[str] = typer.Argument(None, metavar="[NAME]", help="Session name."),
    all_: bool = typer.Option(False, "--all", help="Restore every missing session."),
) -> None:
    """Make a missing session again from its record (same backend, name, directory, shell;
    environment from the current config; a worktree session's agent resumed)."""
    from clauderon import sessions
    from clauderon.backends.base import State
    from clauderon.errors import UsageError
    from clauderon.registry import QUARANTINE_HINT

    if all_ == (name is not None):
        raise UsageError("give a session name or --all (not both)")
    cfg = load_config()
    if name is not None:
        _say_restored(sessions.restore(name, cfg, os.environ))
        return
    items, bad, failures = sessions.listing(cfg, os.environ)
    for backend, why in failures.items():
        output.warn(f"cannot ask {backend} for live state; its sessions are left alone: {why}")
    for row in bad:
        output.warn(f"{row.describe()}; left alone; {QUARANTINE_HINT}")
    for i in items:
        if i.record.deleting:
            output.warn(f'session "{i.record.name}" is not restored: {i.reason}')
    # exited: a stopped container after a reboot is started again; a backend that brings
    # its exited sessions back on attach (Zellij) says so and is not a failure
    missing = [i.record.name for i in items
               if i.status in (State.MISSING, State.EXITED) and not i.record.deleting]
    if not missing:
        output.echo("No missing sessions to restore.")
        if failures or bad:
            raise typer.Exit(1)
        return
    failed = 0
    for target in missing:
        try:
            _say_restored(sessions.restore(target, cfg, os.environ))
        except sessions.StillHeld as exc:  # not a failure: the session is there
            output.echo(f"Note: {exc}")
        except ClauderonError as exc:
            failed += 1
            output.err(f"error: {target}: {exc}")
    if failed or failures or bad:
        raise typer.Exit(1)


def _say_restored(done: "Restored") -> None:
    from clauderon import paths

    output.echo(f'Restored {done.backend.label} session "{done.record.name}" in '
                f"{paths.tidy_home(done.record.workdir)}")
    for note in done.notes:
        output.echo(f"Note: {note}")


# -- kill --------------------------------------------------------------------------------


def _kill(name: Optional[str], all_: bool, yes: bool, keep_work: bool = False,
          force: bool = False) -> None:
    from clauderon import config, sessions
    from clauderon.errors import UsageError
    from clauderon.registry import QUARANTINE_HINT, Registry

    # No config file is read: the record holds what kill needs (backend, server, worktree
    # as the session was made), and a mistake in the config file never stops a kill.
    cfg = config.unread()
    if all_ == (name is not None):
        raise UsageError("give a session name or --all (not both)")
    if keep_work and force:
        raise UsageError("--keep-work and --force exclude each other: keep the worktree's "
                         "work, or discard it")
    work = "keep" if keep_work else "force" if force else "refuse"
    if name is not None:
        record = sessions.kill(name, cfg, os.environ, work=work, say=output.echo)
        output.echo(f'Killed session "{record.name}"')
        _kept(record, work)
        return
    records, bad = Registry.default().read()
    for row in bad:  # never killed on the strength of a row clauderon cannot read
        output.warn(f"{row.describe()}; not killed; {QUARANTINE_HINT}")
    targets = [r.name for r in records]
    if not targets:
        output.echo("No clauderon sessions to kill.")
        if bad:
            raise typer.Exit(1)
        return
    if not yes:
        from clauderon.words import plural

        if not sys.stdin.isatty():
            raise UsageError(f"--all would kill {plural(len(targets), 'session')}; add --yes "
                             "to confirm when not on a terminal")
        if not typer.confirm(f"Kill {plural(len(targets), 'session')} "
                             f"({', '.join(targets)})?"):
            # a refusal: exit 1, as when the kill itself fails (docs/cli.md)
            output.echo("Nothing killed.")
            raise typer.Exit(1)
    failed = 0
    for target in targets:
        try:
            record = sessions.kill(target, cfg, os.environ, work=work, say=output.echo)
            output.echo(f'Killed session "{target}"')
            _kept(record, work)
        except ClauderonError as exc:
            failed += 1
            output.err(f"error: {exc}")
    if failed or bad:
        raise typer.Exit(1)


def _kept(record: "Record", work: str) -> None:
    """After ``kill --keep-work``: where the work stays and how to remove it later."""
    from clauderon import worktrees

    found = worktrees.of_record(record.options)
    if work != "keep" or found is None:
        return
    repo, branch, _base, worktree = found
    output.echo(f"Kept the worktree {worktree} and the branch {branch}; remove them later "
                "with:")
    for line in worktrees.removal_commands(repo, branch, worktree):
        output.echo(f"  {line}")


KEEP_WORK_HELP = "A worktree session: kill it but keep its worktree and branch."
FORCE_HELP = "A worktree session: discard its uncommitted files and commits too."


@app.command()
def kill(
    name: Optional[str] = typer.Argument(None, metavar="[NAME]", help="Session name."),
    all_: bool = typer.Option(False, "--all", help="Kill every clauderon session."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    keep_work: bool = typer.Option(False, "--keep-work", help=KEEP_WORK_HELP),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Kill a session and forget it (works on running, exited and missing sessions).

    A worktree session's worktree and branch are removed too, unless they hold work
    (uncommitted files, commits in no other branch): then kill refuses (exit 1) and says
    what holds work; --keep-work keeps it, --force discards it."""
    _kill(name, all_, yes, keep_work, force)


@app.command("rm", hidden=True)
def rm(
    name: Optional[str] = typer.Argument(None, metavar="[NAME]", help="Session name."),
    all_: bool = typer.Option(False, "--all", help="Kill every clauderon session."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    keep_work: bool = typer.Option(False, "--keep-work", help=KEEP_WORK_HELP),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Alias of kill."""
    _kill(name, all_, yes, keep_work, force)


# -- diff --------------------------------------------------------------------------------


@app.command(cls=usage.Command)
def diff(
    name: str = typer.Argument(..., metavar="NAME", help="Session name."),
    stat: bool = typer.Option(False, "--stat", help="Only a summary per file (git's --stat)."),
) -> None:
    """What a worktree session changed: commits since its base plus uncommitted changes
    (git's own diff, with git's pager and colours)."""
    from clauderon import sessions, worktrees

    record = sessions.find(name, os.environ)
    found = worktrees.of_record(record.options)
    if found is None:
        raise ClauderonError(f'session "{record.name}" is not a worktree session (made '
                             "without --repo): it has no base to compare with")
    _repo, _branch, base, worktree = found
    if not os.path.isdir(worktree):
        raise ClauderonError(f"the worktree {worktree} is gone; `clauderon restore "
                             f"{record.name}` adds it again from its branch")
    _exec(["git", "-C", worktree, "diff", *(["--stat"] if stat else []), base, "--"],
          dict(os.environ))


# -- env ---------------------------------------------------------------------------------


@app.command("env", cls=usage.Command)
def env_(
    name: str = typer.Argument(..., metavar="NAME", help="Session name."),
    shell: Optional[str] = typer.Option(None, "--shell", metavar="SHELL",
                                        help="bash, zsh or fish."),
    masked: bool = typer.Option(False, "--masked", help="Mask proxy passwords."),
) -> None:
    """Print a session's variables for sourcing (`eval "$(clauderon env NAME)"`)."""
    from clauderon import sessions
    from clauderon.errors import UsageError
    from clauderon.secrets import mask_env
    from clauderon.shellquote import render_env_file

    chosen = shell or os.path.basename(os.environ.get("SHELL", "bash"))
    if chosen not in ("bash", "zsh", "fish", "sh"):
        if shell is not None:
            raise UsageError(f"--shell {shell!r} is not supported; use bash, zsh or fish")
        chosen = "bash"
    record = sessions.find(name, os.environ)
    variables = mask_env(record.env) if masked else record.env
    sys.stdout.write(render_env_file(variables, "fish" if chosen == "fish" else "sh",
                                     session=record.name))


# -- sub-apps ----------------------------------------------------------------------------

from clauderon.cli import (  # noqa: E402
    completions_cmd,
    config_cmd,
    doctor_cmd,
    layout_cmd,
    shell_cmd,
)

app.add_typer(config_cmd.app, name="config")
app.add_typer(layout_cmd.app, name="layout")
app.add_typer(shell_cmd.app, name="shell")
app.add_typer(completions_cmd.app, name="completions")
doctor_cmd.register(app)


def run() -> None:
    try:
        # standalone_mode=False: typer raises its usage errors (typer.TyperException, public)
        # instead of printing them in a rich box; cli/usage.py makes each one line. --help
        # still prints typer's own help (rich on a terminal, plain when piped).
        code = app(standalone_mode=False)
    except typer.Abort:  # Ctrl-C or end of input at a confirmation prompt
        output.err("error: aborted; nothing was changed")
        sys.exit(1)
    except typer.TyperException as exc:
        if not usage.is_help_shown(exc):
            output.err(f"error: {usage.message(exc)}")
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except ClauderonError as exc:
        output.err(f"error: {exc}")
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as exc:
        # A file clauderon cannot read or write (permissions, a full or read-only disk):
        # one line naming it, never a traceback.
        from clauderon.paths import tidy_home
        from clauderon.secrets import mask

        where = f": {tidy_home(str(exc.filename))}" if exc.filename is not None else ""
        output.err(mask(f"error: {exc.strerror or exc}{where}; run `clauderon doctor`"))
        sys.exit(1)
    if isinstance(code, int) and code:  # typer.Exit(N) returns N without standalone_mode
        sys.exit(code)
