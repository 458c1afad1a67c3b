"""``clauderon shell init | install | uninstall``: the hook line in the user's rc file."""


from typing import Optional

import typer

from clauderon.cli import output

app = typer.Typer(help="Shell integration: TERM and proxy variables in every session shell.",
                  no_args_is_help=True)


def hook_line_for(shell: str) -> str:
    from clauderon.resources import hook_file
    from clauderon.shellrc import hook_line

    return hook_line(shell, hook_file(shell))


@app.command()
def init(shell: Optional[str] = typer.Argument(None, metavar="[SHELL]",
                                               help="bash, zsh or fish.")) -> None:
    """Print the one line to add at the end of your rc file."""
    from clauderon import shelldetect

    output.echo(hook_line_for(shelldetect.detect(shell, option="shell")))


@app.command()
def install(shell: Optional[str] = typer.Option(None, "--shell", metavar="SHELL",
                                                help="bash, zsh or fish.")
            ) -> None:
    """Add the hook to your rc file (one marked block; safe to repeat)."""
    from clauderon import paths, shelldetect, shellrc

    name = shelldetect.detect(shell)
    target = shellrc.rc_file(name)
    change = shellrc.install_block(target, hook_line_for(name))
    shown = paths.tidy_home(str(target))
    message = {
        shellrc.Action.CREATED: f"Added the clauderon hook to {shown}",
        shellrc.Action.UPDATED: f"Updated the clauderon hook in {shown}",
    }.get(change.action, f"The clauderon hook is already in {shown} (nothing to do)")
    output.echo(message)
    if change.backup is not None:
        output.echo(f"Backup of the original: {paths.tidy_home(str(change.backup))}")
    if change.changed:
        output.echo("New shells pick it up; inside clauderon sessions they get TERM and the "
                    "proxy variables.")


@app.command()
def uninstall(shell: Optional[str] = typer.Option(None, "--shell", metavar="SHELL",
                                                  help="bash, zsh or fish.")
              ) -> None:
    """Remove clauderon's block from your rc file (and nothing else)."""
    from clauderon import paths, shelldetect, shellrc

    name = shelldetect.detect(shell)
    target = shellrc.rc_file(name)
    change = shellrc.remove_block(target)
    shown = paths.tidy_home(str(target))
    if change.action is shellrc.Action.REMOVED:
        output.echo(f"Removed the clauderon block from {shown}")
        if change.file_deleted:
            output.echo(f"Deleted {shown}: install had created it and it held nothing else")
    else:
        output.echo(f"No clauderon block in {shown} (nothing to do)")
