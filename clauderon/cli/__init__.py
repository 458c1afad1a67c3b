"""The command-line interface: presentation only; the work happens in the modules above."""
