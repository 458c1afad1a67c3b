"""Entry point for ``clauderon`` and ``python -m clauderon``."""

from __future__ import annotations


def main() -> None:
    from clauderon.cli.app import run

    run()


if __name__ == "__main__":
    main()
