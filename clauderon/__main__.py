"""Entry point for ``clauderon`` and ``python -m clauderon``."""

from __future__ import annotations

import sys


def main() -> None:
    # `--version` is answered before typer is imported: it is what scripts and benchmarks call.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from clauderon import __version__

        sys.stdout.write(f"clauderon {__version__}\n")
        return
    from clauderon.cli.app import run

    run()


if __name__ == "__main__":
    main()
