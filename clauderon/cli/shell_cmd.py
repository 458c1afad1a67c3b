"""``clauderon shell init | install | uninstall``: the hook line in the user's rc file.

The rc block sources clauderon's copy of the hook at a stable XDG path (``hookcopy.py``):
``init`` and ``install`` write that copy (the same bytes as the packaged hook; nothing when
it is already right) before anything points at it, ``uninstall`` removes it after the block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from clauderon.cli import output

if TYPE_CHECKING:
    from clauderon.shellrc import Change

app = typer.Typer(help="Shell integration: TERM and proxy variables in every session shell.",
                  no_args_is_help=True)


def hook_line_for(shell: str) -> str:
    """The rc line for ``shell``: it sources the stable copy of the hook."""
    from clauderon import paths
    from clauderon.shellrc import hook_line

    return hook_line(shell, paths.shell_hook_copy(shell))


def _say_copy(shell: str) -> None:
    """Write the hook's copy for ``shell`` (first: the block must never point at nothing)."""
    from clauderon import hookcopy, paths

    before = hookcopy.write(shell)
    shown = paths.tidy_home(str(before.path))
    if before.state is hookcopy.State.MISSING:
        output.echo(f"Wrote the {shell} hook to {shown}")
    elif before.state is hookcopy.State.STALE:
        output.echo(f"Refreshed the {shell} hook at {shown} (it differed from this "
                    "clauderon's)")


@app.command()
def init(shell: Optional[str] = typer.Argument(None, metavar="[SHELL]",
                                               help="bash, zsh or fish.")) -> None:
    """Print the one line to add at the end of your rc file.

    The line sources clauderon's copy of the hook in ~/.local/share/clauderon/shell/
    ($XDG_DATA_HOME), which this command writes (or refreshes) first, as `shell install`
    does; only the line goes to stdout.
    """
    from clauderon import hookcopy, shelldetect

    name = shelldetect.detect(shell, option="shell")
    hookcopy.write(name)
    output.echo(hook_line_for(name))


@app.command()
def install(shell: Optional[str] = typer.Option(None, "--shell", metavar="SHELL",
                                                help="bash, zsh or fish.")
            ) -> None:
    """Add the hook to your rc file (one marked block; safe to repeat).

    Writes clauderon's copy of the hook to ~/.local/share/clauderon/shell/ ($XDG_DATA_HOME),
    then the block that sources it.
    """
    from clauderon import paths, shelldetect, shellrc

    name = shelldetect.detect(shell)
    target = shellrc.rc_file(name)
    line = hook_line_for(name)
    shellrc.check_editable(target, line)  # refused: nothing is written, the copy neither
    _say_copy(name)
    change = shellrc.install_block(target, line)
    shown = paths.tidy_home(str(target))
    message = {
        shellrc.Action.CREATED: f"Added the clauderon hook to {shown}",
        shellrc.Action.UPDATED: f"Updated the clauderon hook in {shown}",
    }.get(change.action, f"The clauderon hook is already in {shown} (nothing to do)")
    output.echo(message)
    _say_moved(change, shown)
    if change.backup is not None:
        output.echo(f"Backup of the original: {paths.tidy_home(str(change.backup))}")
    if change.changed:
        output.echo("New shells pick it up; inside clauderon sessions they get TERM and the "
                    "proxy variables.")


def _say_moved(change: Change, shown: str) -> None:
    from clauderon.words import plural

    if change.moved:
        output.echo(f"Moved {plural(change.moved, 'line')} you had added inside the "
                    f"clauderon block of {shown} out of it, to just after it (under a comment "
                    "saying so)")


@app.command()
def uninstall(shell: Optional[str] = typer.Option(None, "--shell", metavar="SHELL",
                                                  help="bash, zsh or fish.")
              ) -> None:
    """Remove clauderon's block from your rc file, and its copy of the hook (nothing else)."""
    from clauderon import hookcopy, paths, shelldetect, shellrc

    name = shelldetect.detect(shell)
    target = shellrc.rc_file(name)
    change = shellrc.remove_block(target)
    shown = paths.tidy_home(str(target))
    if change.action is shellrc.Action.REMOVED:
        output.echo(f"Removed the clauderon block from {shown}")
        _say_moved(change, shown)
        if change.file_deleted:
            output.echo(f"Deleted {shown}: install had created it and it held nothing else")
    else:
        output.echo(f"No clauderon block in {shown} (nothing to do)")
    copy = hookcopy.remove(name)
    if copy is not None:
        output.echo(f"Cleaned up clauderon's copy of the {name} hook, "
                    f"{paths.tidy_home(str(copy))}")
