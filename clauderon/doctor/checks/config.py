"""Configuration: the config file, the Zellij layout it names, the session shell."""

from __future__ import annotations

import os

from clauderon.doctor.checks import _live
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, plural, skipped, warning

SECRET_KEYS = ("proxy.http", "proxy.https", "proxy.all")


# -- config.file -------------------------------------------------------------------------------


def run_file(ctx: Context) -> Result:
    from clauderon import paths
    from clauderon.errors import ConfigError
    from clauderon.secrets import secrets_in

    path = paths.config_file(ctx.env)
    shown = ctx.tidy(str(path))
    try:
        cfg = ctx.config()
    except ConfigError as exc:
        return error(f"{exc}", remedy=ctx.editor_command(path))
    if not cfg.loaded:
        return ok(f"no config file at {shown}; the defaults are in force",
                  ["create a commented one with: clauderon config init"])
    if cfg.warnings:
        return warning(plural(len(cfg.warnings), "unknown key") + f" in {shown}",
                       details=[w.replace(f"{shown}: ", "", 1) for w in cfg.warnings],
                       remedy=ctx.editor_command(path))
    values = {k: str(cfg.get(k)) for k in SECRET_KEYS if cfg.get(k)}
    mode = path.stat().st_mode & 0o777
    if secrets_in(values) and mode & 0o077:
        return warning(f"{shown} holds proxy passwords and is readable by others "
                       f"(mode {mode:o})", remedy=f"chmod 600 {_quoted(ctx, path)}",
                       fixable=True, data={"chmod": str(path)})
    return ok(f"{shown} is valid ({plural(len(cfg.values), 'setting')})",
              [f"{k} (from the file)" for k in sorted(cfg.values)])


def _quoted(ctx: Context, path: os.PathLike[str] | str) -> str:
    from clauderon.doctor.model import shq

    return shq(path, ctx.env)


def fix_file(ctx: Context, result: Result) -> list[str]:
    target = result.data.get("chmod")
    if not target:
        return []
    os.chmod(target, 0o600)
    return [f"chmod 600 {ctx.tidy(str(target))}"]


# -- config.layout -----------------------------------------------------------------------------


def run_layout(ctx: Context) -> Result:
    from clauderon.errors import ConfigError
    from clauderon.layout_check import validate_layout
    from clauderon.layouts import CLAUDERON_LAYOUT_NAME, LayoutNotFound, resolve_layout

    try:
        cfg = ctx.config()
    except ConfigError:
        return skipped("the config file cannot be read (see config.file)",
                       remedy="clauderon doctor --check config.file")
    layout = str(cfg.get("zellij.layout") or "default")
    source = "zellij.layout in the config" if cfg.get("zellij.layout") else "the default"
    from clauderon.backends.zellij import doctor_info

    info = doctor_info(ctx)
    version = info.version
    try:
        resolved = resolve_layout(layout, cwd=ctx.cwd, env=ctx.tool_env(), version=version)
    except LayoutNotFound as exc:
        if layout == CLAUDERON_LAYOUT_NAME:
            return error(str(exc), remedy="clauderon layout init", fixable=True,
                         data={"init": True})
        return error(str(exc), details=[f"layout {layout!r} comes from {source}"],
                     remedy=ctx.editor_command(cfg.path) if cfg.get("zellij.layout")
                     else None)
    if resolved.kind == "url":
        return ok(f"layout {layout!r} is a remote layout (Zellij downloads it; not checked)")
    if resolved.kind == "builtin":
        into = f"zellij {info.shown_version}" if version else "Zellij"
        return ok(f"layout {layout!r} is built into {into}")
    assert resolved.path is not None
    where = ctx.tidy(str(resolved.path))
    try:
        text = resolved.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return error(f"layout {layout!r} ({where}) cannot be read: {exc}",
                     remedy=f"ls -l {_quoted(ctx, resolved.path)}")
    problems = validate_layout(text, version=version)
    if problems:
        return error(f"Zellij would refuse layout {layout!r} ({where}): "
                     f"{plural(len(problems), 'problem')}",
                     details=[f"{where}:{p.line}:{p.column}: {p.message}" for p in problems[:10]],
                     remedy=ctx.editor_command(resolved.path))
    return ok(f"layout {layout!r} is {where} and parses as a Zellij layout")


def fix_layout(ctx: Context, result: Result) -> list[str]:
    from clauderon.layouts import clauderon_layout_path, write_clauderon_layout

    if not result.data.get("init"):
        return []
    if clauderon_layout_path(ctx.tool_env()).exists():
        return []
    target = write_clauderon_layout(ctx.tool_env())
    return [f"wrote {ctx.tidy(str(target))} (clauderon layout init)"]


# -- config.shell ------------------------------------------------------------------------------


def run_shell(ctx: Context) -> Result:
    from clauderon import backends as table
    from clauderon.config import effective_shell

    cfg = ctx.config_or_default()
    backends = [b for b in table.names() if not table.info(b).shell_in_image
                and (b == cfg.default_backend or cfg.get(f"{b}.shell"))]
    if not backends:
        return skipped(f"the {cfg.default_backend} backend runs the shell of its image")
    found: list[str] = []
    bad: list[tuple[str, str, str, str]] = []
    for backend in backends:
        shell, source = effective_shell(cfg, backend, None, ctx.env)
        origin = {"file": f"{backend}.shell in the config", "env:SHELL": "$SHELL",
                  "default": "the default"}.get(source, source)
        problem = _live.shell_problem(shell)
        if problem:
            bad.append((backend, shell, origin, problem))
        else:
            found.append(f"{backend}: {shell} (from {origin})")
    if bad:
        backend, shell, origin, problem = bad[0]
        fallback = next((s for s in ("/bin/bash", "/usr/bin/bash", "/bin/sh")
                         if _live.shell_problem(s) is None), "/bin/sh")
        if origin == "$SHELL":
            remedy = f"export SHELL={fallback}"
        else:
            remedy = ctx.editor_command(cfg.path) + f"   # [{backend}] shell = \"{fallback}\""
        return error(f"the {backend} session shell {shell} (from {origin}) {problem}",
                     details=[f"{b}: {s} (from {o}) {p}" for b, s, o, p in bad[1:]] + found,
                     remedy=remedy)
    return ok("; ".join(found))


CHECKS = [
    Check("config.file", "Configuration",
          "config.toml parses, has the right types, no unknown keys", run_file, fix_file),
    Check("config.layout", "Configuration",
          "the configured Zellij layout resolves as Zellij would and parses as a layout",
          run_layout, fix_layout),
    Check("config.shell", "Configuration",
          "the session shell exists and is executable", run_shell),
]
