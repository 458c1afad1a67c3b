"""``clauderon completions SHELL`` (print the script) and ``clauderon completions install``."""


import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from clauderon.cli import output

SHELLS = ("bash", "zsh", "fish")


class ShellOrCommand(TyperGroup):
    """A group whose first word is a subcommand (``install``) or a shell name (``bash``).

    A shell name runs the hidden ``print`` command with that name as its argument, so
    ``completions bash`` and ``completions install --shell zsh`` share one level.
    ``completion_words`` tells tools/gen_completions.py to offer the shells after
    ``completions`` next to the subcommands.
    """

    completion_words: tuple[str, ...] = SHELLS
    completion_words_help = "Print the completion script for this shell"

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[Any, Any, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "print", self.commands["print"], list(args)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=ShellOrCommand,
    help="TAB completion: `completions SHELL` prints the script for bash, zsh or fish; "
         "`completions install` puts it where your shell finds it.",
    no_args_is_help=True,
    subcommand_metavar="SHELL | install [--shell SHELL]",
)


@app.command("print", hidden=True)
def print_(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the completion script for SHELL."""
    from clauderon import completions

    sys.stdout.write(completions.script_text(completions.check_shell(shell, option="shell")))


@app.command()
def install(
    shell: Annotated[str | None, typer.Option("--shell", metavar="SHELL",
                                              help="bash, zsh or fish (default: yours).")
                     ] = None,
) -> None:
    """Install the completion script where your shell looks for it (safe to repeat)."""
    from clauderon import completions, paths, shelldetect

    name = completions.check_shell(shelldetect.detect(shell))
    done = completions.install(name)
    shown = paths.tidy_home(str(done.path))
    if done.changed:
        output.echo(f"Installed {name} completions: {shown}")
    else:
        output.echo(f"{name} completions are up to date: {shown} (nothing to do)")
    for line in done.hints:
        output.echo(line)
    if done.changed:
        output.echo("New shells complete clauderon's commands, options and session names.")
