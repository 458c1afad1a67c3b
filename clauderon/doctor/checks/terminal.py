"""Terminal: TERM is set and has a terminfo entry, here and in sessions.

The lookup is the one ncurses does, with plain file tests: ``$TERMINFO``, ``~/.terminfo``,
``$TERMINFO_DIRS`` (an empty entry means the system dirs), then ``/etc/terminfo``,
``/lib/terminfo`` and ``/usr/share/terminfo``; in each, ``<first letter>/<name>`` and (as macOS
lays them out) ``<hex of the first letter>/<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, warning

SYSTEM_DIRS = ("/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo")
SAFE_TERM = "xterm-256color"


def terminfo_dirs(env: Mapping[str, str]) -> list[Path]:
    from clauderon import paths

    dirs: list[str] = []
    if env.get("TERMINFO"):
        dirs.append(env["TERMINFO"])
    dirs.append(str(paths.home(env) / ".terminfo"))
    if env.get("TERMINFO_DIRS"):
        for entry in env["TERMINFO_DIRS"].split(":"):
            dirs.extend([entry] if entry else SYSTEM_DIRS)
    dirs.extend(SYSTEM_DIRS)
    return [Path(d) for d in dict.fromkeys(dirs)]


def find_terminfo(term: str, env: Mapping[str, str]) -> Path | None:
    if not term or "/" in term or term in (".", ".."):
        return None
    first = term[0]
    for directory in terminfo_dirs(env):
        for sub in (first, f"{ord(first):02x}"):
            candidate = directory / sub / term
            if candidate.is_file():
                return candidate
    return None


def _install_hint(term: str) -> str:
    if term.startswith(("xterm-kitty", "kitty")):
        return "infocmp -x xterm-kitty | tic -x -   # run where kitty is installed, then copy"
    if term.startswith(("alacritty", "wezterm", "foot", "rxvt-unicode", "tmux")):
        return "sudo apt-get install ncurses-term   # Debian/Ubuntu; or set a TERM you have"
    return f"export TERM={SAFE_TERM}"


def session_term(ctx: Context) -> tuple[str, str] | None:
    """(TERM sessions of the default backend get, where it comes from); None when its
    shells run inside an image (Docker)."""
    from clauderon import backends
    from clauderon.session_env import DEFAULT_TERM, compute

    cfg = ctx.config_or_default()
    backend = cfg.default_backend
    if not backends.exists(backend) or backends.info(backend).shell_in_image:
        return None
    term = compute("doctor-probe", config=cfg, backend=backend,
                   caller_env=ctx.env).variables["TERM"]
    configured = any(k == "TERM" for k, _v in cfg.env_entries(backend))
    if configured:
        return term, f"{backend}.env in the config"
    if ctx.env.get("TERM"):
        return term, "this shell's TERM"
    return term, f"clauderon's default ({DEFAULT_TERM})"


def run_term(ctx: Context) -> Result:
    current = ctx.env.get("TERM", "")
    details: list[str] = []
    warnings: list[tuple[str, str]] = []
    errors: list[tuple[str, str]] = []
    if not current:
        warnings.append(("TERM is not set in this shell", f"export TERM={SAFE_TERM}"))
    else:
        entry = find_terminfo(current, ctx.env)
        if entry is None:
            warnings.append((f"TERM={current} has no terminfo entry here",
                             _install_hint(current)))
        else:
            details.append(f"TERM={current}: {ctx.tidy(str(entry))}")
    session = session_term(ctx)
    if session is not None:
        term, source = session
        entry = find_terminfo(term, ctx.env)
        if entry is None:
            cfg = ctx.config_or_default()
            remedy = (ctx.editor_command(cfg.path) + f'   # env = ["TERM={SAFE_TERM}"]'
                      if "config" in source else _install_hint(term))
            finding = (f"sessions get TERM={term} (from {source}), which has no terminfo "
                       "entry: programs in them draw garbage")
            errors.append((finding, remedy))
        else:
            details.append(f"sessions get TERM={term} (from {source}): "
                           f"{ctx.tidy(str(entry))}")
    if errors or warnings:
        findings = errors + warnings
        remedy = "; ".join(dict.fromkeys(r for _t, r in findings))
        make = error if errors else warning
        return make(findings[0][0], details=[t for t, _r in findings[1:]] + details,
                    remedy=remedy)
    if session is not None and session[0] == current:
        return ok(f"TERM={current} has a terminfo entry; sessions get the same", details)
    return ok(f"TERM={current} has a terminfo entry" + (
        f"; sessions get TERM={session[0]}, which has one too" if session else ""), details)


CHECKS = [
    Check("terminal.term", "Terminal",
          "TERM is set and has a terminfo entry, in this shell and in sessions", run_term),
]
