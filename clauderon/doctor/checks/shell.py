"""Shell: the hook block in the detected shell's rc file; the completion script."""

from __future__ import annotations

import re
from pathlib import Path

from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, cmd, error, ok, plural, shq, skipped, warning
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


def _shell_program(ctx: Context, shell: str) -> str | None:
    """The program to start for ``shell``: ``$SHELL`` when it is that shell, else PATH's."""
    import os

    current = ctx.env.get("SHELL", "")
    if current and os.path.basename(current) == shell and os.access(current, os.X_OK):
        return current
    return ctx.which(shell)


def _probe_backend(ctx: Context) -> str:
    """The backend whose session markers the probe shell gets: the default one, unless its
    shells run inside an image (then the first backend whose shells run here)."""
    from clauderon import backends

    default = ctx.default_backend
    if backends.exists(default) and not backends.info(default).shell_in_image:
        return default
    return next((n for n in backends.names() if not backends.info(n).shell_in_image), default)


_STOPS = re.compile(r"\s*(exit|return|exec)(\s|;|$)")


def _why_not_run(text: str, start: int, shell: str) -> tuple[list[str], int | None]:
    """Likely reasons the hook line did not run, and the 1-based line to look at."""
    lines = text.split("\n")
    reasons: list[str] = []
    at: int | None = None
    for number, line in enumerate(lines[:start - 1], 1):
        if _STOPS.match(line):
            reasons.append(f"line {number} ({line.strip()[:60]}) comes before the block: "
                           f"{shell} may stop reading the file there")
            at = at or number
    if "\r\n" in text:
        reasons.append("the file has CRLF (Windows) line ends")
    return reasons, at


def run_init(ctx: Context) -> Result:
    from clauderon import hookcopy, paths, shellrc

    shell = detect_shell(ctx)
    if shell is None:
        return skipped("cannot tell which shell you use (not bash, zsh or fish)",
                       remedy="clauderon shell install --shell bash")
    rc = shellrc.rc_file(shell, ctx.env)
    shown = ctx.tidy(str(rc))
    copy_path = paths.shell_hook_copy(shell, ctx.env)
    wanted = shellrc.hook_line(shell, copy_path)
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
    user = [line for line in blocks[0] if not shellrc.own_line(line)]
    ours = [line for line in blocks[0] if line.strip() and shellrc.own_line(line)
            and line.strip() not in (shellrc.NOTICE, shellrc.NOTICE_NO_EOL)]
    if ours != [wanted]:
        details = [f"found: {line}" for line in ours + user] or ["found: an empty block"]
        if any("site-packages" in line or "shell_files" in line for line in ours):
            details.append("a path inside the installed package goes stale when the venv or "
                           "Python changes; the block now sources a stable copy")
        return warning(f"the clauderon block in {shown} does not source this clauderon's hook "
                       f"({ctx.tidy(str(copy_path))})", details=details,
                       remedy=fix, fixable=True, data=data)
    if user:
        return warning(f"the clauderon block in {shown} holds {plural(len(user), 'line')} you "
                       "added (clauderon rewrites its block)",
                       details=[f"yours: {line}" for line in user]
                       + ["--fix (or `shell install`) moves them to just after the block, "
                          "under a comment saying so"],
                       remedy=fix, fixable=True, data=data)
    try:
        copy = hookcopy.status(shell, ctx.env)
    except ClauderonError as exc:
        return error(str(exc), remedy=exc.hint or f"ls -l {shq(copy_path, ctx.env)}")
    if copy.state is not hookcopy.State.CURRENT:
        what = ("is missing: the block in " + shown + " sources nothing"
                if copy.state is hookcopy.State.MISSING
                else "differs from this clauderon's hook (another version, or edited)")
        return warning(f"clauderon's copy of the {shell} hook, {ctx.tidy(str(copy_path))}, "
                       f"{what}", details=[WHY_HOOK], remedy=fix, fixable=True, data=data)
    if session is not None and not loaded:
        return warning(f"this shell (in session {session.name}) has not loaded the hook "
                       "(CLAUDERON_HOOK is unset)",
                       details=["shells started after `clauderon shell install` load it"],
                       remedy=f"exec {cmd(ctx.env.get('SHELL') or shell, env=ctx.env)}")
    details = [f"sources {ctx.tidy(str(copy_path))}"]
    if session is not None:
        details.append(f"loaded in this shell (session {session.name})")
    ran = _run_for_real(ctx, shell, rc, text, details)
    if ran is not None:
        return ran
    return ok(f"hook installed once in {shown} ({shell})", details)


def _run_for_real(ctx: Context, shell: str, rc: Path, text: str, details: list[str]
                  ) -> Result | None:
    """Start the user's shell as a session does (the probe of proxy.propagation, shared)
    and see whether the hook ran: None when it did (a detail added), else the finding."""
    from clauderon.doctor.checks.propagation import CannotProbe, probe_once
    from clauderon.shellrc import BEGIN

    program = _shell_program(ctx, shell)
    if program is None:
        details.append(f"not tried in a real shell: {shell} is not on PATH")
        return None
    try:
        probed = probe_once(ctx, program, _probe_backend(ctx))
    except CannotProbe as exc:
        return exc.result
    if probed.actual.get("CLAUDERON_HOOK") == "1":
        details.append(f"ran when an interactive {shell} started, as in a session")
        return None
    shown = ctx.tidy(str(rc))
    start = next((n for n, line in enumerate(text.split("\n"), 1) if line.strip() == BEGIN), 1)
    reasons, at = _why_not_run(text, start, shell)
    said = [line for line in probed.output if "clauderon" in line][-3:]
    return error(f"the clauderon hook in {shown} did not run when an interactive {shell} "
                 "started", details=[f"{shell} said: {line}" for line in said] + reasons
                 + ["sessions' shells start without their env file (proxy variables, TERM)"],
                 remedy=ctx.editor_command(rc) + f"   # line {at or start}")


def fix_init(ctx: Context, result: Result) -> list[str]:
    from clauderon import hookcopy, shellrc

    rc, line, shell = (result.data.get(k) for k in ("rc", "line", "shell"))
    if not rc or not line or not shell:
        return []
    # A refused rc file (hard links, a half block, read-only): the fix fails saying why,
    # before anything is announced or written.
    shellrc.check_editable(Path(str(rc)), str(line))
    notes: list[str] = []
    copy = hookcopy.status(str(shell), ctx.env)
    if copy.state is not hookcopy.State.CURRENT:
        where = ctx.tidy(str(copy.path))
        verb = "write" if copy.state is hookcopy.State.MISSING else "replace"
        ctx.announce(f"doctor --fix: will {verb} {where} (clauderon's copy of the {shell} "
                     "hook)")
        hookcopy.write(str(shell), ctx.env)
        done = "wrote" if copy.state is hookcopy.State.MISSING else "replaced"
        notes.append(f"{done} clauderon's copy of the {shell} hook at {where}")
    plan = shellrc.plan_text(Path(str(rc)), str(line))
    if plan:
        ctx.announce(f"doctor --fix: will edit {ctx.tidy(str(rc))}: {'; '.join(plan)}")
        change = shellrc.install_block(Path(str(rc)), str(line))
        if change.changed:
            note = (f"{change.action.value} the clauderon hook block in "
                    f"{ctx.tidy(str(change.path))}")
            if change.moved:
                note += f", moved {plural(change.moved, 'line')} you added to just after it"
            if change.backup is not None:
                note += f" (backup: {ctx.tidy(str(change.backup))})"
            notes.append(note)
    return notes


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
          "the hook block is in the detected shell's rc file exactly once, sources clauderon's "
          "current copy of the hook, and runs when that shell starts as in a session (and is "
          "loaded here, inside a session)", run_init, fix_init,
          affects=("proxy.propagation",)),
    Check("shell.completions", "Shell",
          "the completion script is where the shell finds it and matches this version",
          run_completions, fix_completions),
]
