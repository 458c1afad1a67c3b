"""git.binary: git is on PATH, with `git worktree remove` (2.17 or later)."""

from __future__ import annotations

import re

from clauderon.doctor.checks._worktree_use import SKIP, in_use
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, skipped

MINIMUM = (2, 17)
INSTALL = "sudo apt-get install git   # or your system's package manager: dnf, pacman, brew"


def parse_version(text: str) -> tuple[int, int] | None:
    """``git version 2.39.5`` (also ``2.39.5.windows.1``, ``2.39.3 (Apple Git-146)``)."""
    found = re.match(r"git version (\d+)\.(\d+)", text.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def check_binary(ctx: Context) -> Result:
    if not in_use(ctx):
        return skipped(SKIP)
    found = ctx.which("git")
    if found is None:
        return error("git is not on PATH: worktree sessions cannot be made, listed or killed",
                     remedy=INSTALL)
    result = ctx.run([found, "--version"])
    version = parse_version(result.stdout) if result.ok else None
    if version is None:
        said = (result.stdout.strip() or result.stderr.strip())[:80]
        return error(f"cannot read the version of {found} ({said!r})",
                     remedy=f"{found} --version")
    shown = ".".join(map(str, version))
    if version < MINIMUM:
        return error(f"git {shown} is too old: worktree sessions need 2.17 or later "
                     "(`git worktree remove`)", remedy=INSTALL)
    return ok(f"git {shown} ({found})")


CHECKS = [Check("git.binary", "Agents", "git with worktree support", check_binary)]
