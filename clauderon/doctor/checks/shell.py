"""Shell: the hook block in the detected shell's rc file; the completion script."""

from __future__ import annotations

from pathlib import Path

from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, cmd, error, ok, skipped, warning
from clauderon.errors import ClauderonError


def detect_shell(ctx: Context) -> str | None:
    """The user's shell as ``clauderon shell install`` detects it (shellingham, then
    ``$SHELL``); None when neither names bash, zsh or fish."""
    from clauderon import shelldetect
    from clauderon.errors import UsageError

    try:
        return shelldetect.detect(None, ctx.env)
    except UsageError:
        return None


def _blocks(text: str) -> tuple[list[list[str]], int | None]:
    """The body lines of every clauderon block, and the 1-based line of a broken marker."""
    from clauderon.shellrc import BEGIN, END

    blocks: list[list[str]] = []
    current: list[str] | None = None
    start = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if line == BEGIN:
            if current is not None:
                return blocks, start
            current, start = [], number
        elif line == END:
            if current is None:
                return blocks, number
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(raw.rstrip("\r"))
    if current is not None:
        return blocks, start
    return blocks, None


WHY_HOOK = ("without it, shells in sessions do not re-apply the session's TERM and proxy "
            "variables after the rc files ran")


# -- shell.init --------------------------------------------------------------------------------


def run_init(ctx: Context) -> Result:
    from clauderon import shellrc
    from clauderon.resources import hook_file

    shell = detect_shell(ctx)
    if shell is None:
        return skipped("cannot tell which shell you use (not bash, zsh or fish)",
                       remedy="clauderon shell install --shell bash")
    rc = shellrc.rc_file(shell, ctx.env)
    shown = ctx.tidy(str(rc))
    hook = hook_file(shell)
    wanted = shellrc.hook_line(shell, hook)
    fix = f"clauderon shell install --shell {shell}"
    try:
        text = rc.read_text(encoding="utf-8", errors="replace") if rc.exists() else ""
    except OSError as exc:
        return error(f"cannot read {shown}: {exc.strerror or exc}", remedy=f"ls -l {shown}")
    blocks, broken = _blocks(text)
    data = {"shell": shell, "rc": str(rc), "line": wanted}
    if broken is not None:
        return error(f"{shown}:{broken} has a clauderon block marker without its partner",
                     details=[f"{shellrc.BEGIN} ... {shellrc.END} must come in pairs"],
                     remedy=ctx.editor_command(rc) + f"   # line {broken}")
    session = ctx.in_session()
    loaded = ctx.env.get("CLAUDERON_HOOK") == "1"
    if not blocks:
        return warning(f"the clauderon hook is not installed in {shown} ({shell})",
                       details=[WHY_HOOK],
                       remedy=fix, fixable=True, data=data)
    if len(blocks) > 1:
        return warning(f"the clauderon hook block is in {shown} {len(blocks)} times",
                       remedy=fix, fixable=True, data=data)
    body = [line for line in blocks[0] if line.strip() and line.strip() != shellrc.NOTICE]
    if body != [wanted]:
        return warning(f"the clauderon block in {shown} does not source this clauderon's hook "
                       f"({ctx.tidy(str(hook))})",
                       details=[f"found: {line}" for line in body] or ["found: an empty block"],
                       remedy=fix, fixable=True, data=data)
    if session is not None and not loaded:
        return warning(f"this shell (in session {session.name}) has not loaded the hook "
                       "(CLAUDERON_HOOK is unset)",
                       details=["shells started after `clauderon shell install` load it"],
                       remedy=f"exec {cmd(ctx.env.get('SHELL') or shell, env=ctx.env)}")
    details = [f"sources {ctx.tidy(str(hook))}"]
    if session is not None:
        details.append(f"loaded in this shell (session {session.name})")
    return ok(f"hook installed once in {shown} ({shell})", details)


def fix_init(ctx: Context, result: Result) -> list[str]:
    from clauderon import shellrc

    rc, line = result.data.get("rc"), result.data.get("line")
    if not rc or not line:
        return []
    change = shellrc.install_block(Path(rc), str(line))
    if not change.changed:
        return []
    note = f"{change.action.value} the clauderon hook block in {ctx.tidy(str(change.path))}"
    if change.backup is not None:
        note += f" (backup: {ctx.tidy(str(change.backup))})"
    return [note]


# -- shell.completions -------------------------------------------------------------------------


def run_completions(ctx: Context) -> Result:
    from clauderon import completions

    shell = detect_shell(ctx)
    if shell is None:
        return skipped("cannot tell which shell you use (not bash, zsh or fish)",
                       remedy="clauderon completions install --shell bash")
    fix = f"clauderon completions install --shell {shell}"
    try:
        installed = completions.status(shell, ctx.env)
    except ClauderonError as exc:  # the packaged script is missing: a broken installation
        return error(str(exc), remedy="python3 -m pip install --force-reinstall clauderon")
    shown = ctx.tidy(str(installed.path))
    data = {"shell": shell}
    if installed.state is completions.State.MISSING:
        return warning(f"{shell} completions are not installed ({shown})", remedy=fix,
                       fixable=True, data=data)
    if installed.state is completions.State.STALE:
        from clauderon import __version__

        was = f"version {installed.version}" if installed.version else "an unknown version"
        return warning(f"{shown} is stale ({was}; this clauderon is {__version__})",
                       remedy=fix, fixable=True, data=data)
    hints = completions.hints(shell, ctx.env)
    if hints:
        lines = [h.strip() for h in hints]
        return warning(f"{shell} completions are installed at {shown}, but {shell} will not "
                       "find them yet", details=lines[:-1], remedy=lines[-1])
    return ok(f"{shell} completions installed at {shown} and current")


def fix_completions(ctx: Context, result: Result) -> list[str]:
    from clauderon import completions

    shell = result.data.get("shell")
    if not shell:
        return []
    done = completions.install(str(shell), ctx.env)
    if not done.changed:
        return []
    return [f"installed the {shell} completions at {ctx.tidy(str(done.path))}"]


CHECKS = [
    Check("shell.init", "Shell",
          "the hook block is in the detected shell's rc file exactly once (and loaded here, "
          "inside a session)", run_init, fix_init),
    Check("shell.completions", "Shell",
          "the completion script is where the shell finds it and matches this version",
          run_completions, fix_completions),
]
