"""``clauderon layout init``."""


import typer

from clauderon.cli import output

app = typer.Typer(help="Zellij layouts for clauderon sessions.", no_args_is_help=True)


@app.command()
def init(force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")
         ) -> None:
    """Write the clauderon.kdl layout into Zellij's layout directory."""
    from clauderon import paths
    from clauderon.layouts import write_clauderon_layout

    target = write_clauderon_layout(force=force)
    output.echo(f"Wrote {paths.tidy_home(str(target))}")
    output.echo('Use it with: clauderon new --layout clauderon NAME  (or layout = "clauderon" '
                "in [zellij])")
