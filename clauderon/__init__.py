"""clauderon: run work sessions in Zellij, tmux or Docker, diagnostics first."""

__version__ = "0.1.0"
