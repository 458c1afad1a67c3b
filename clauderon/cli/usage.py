"""Usage errors (a typo in a command or an option, a missing or extra argument, a bad value)
as ONE line: ``error: no such command 'lsit'; did you mean 'list'?``, exit 2.

What this relies on: ``app(standalone_mode=False)`` makes typer raise its errors instead of
printing a rich box, and every one of them derives from ``typer.TyperException`` (public);
the attributes read here (``ctx``, ``message``, ``option_name``, ``possibilities``, ``param``)
are click 8's documented exception attributes, which typer 0.28 keeps in its vendored click.
Anything else falls back to the exception's own ``format_message()``, folded to one line.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from typer.core import TyperCommand

_NO_SUCH_COMMAND = re.compile(r"No such command (.+?)\.(?: Did you mean .*)?\Z", re.DOTALL)
_EXTRA = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)\Z", re.DOTALL)


def is_help_shown(exc: BaseException) -> bool:
    """A command given no arguments prints its help (no_args_is_help): the help is already
    on the screen. typer itself recognises this error by its class name (rich_utils)."""
    return type(exc).__name__ == "NoArgsIsHelpError"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]


def _quoted(words: list[str]) -> str:
    shown = [f"'{w}'" for w in words]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _help_hint(ctx: Any) -> str:
    return f"run `{ctx.command_path} --help`" if ctx is not None else "run `clauderon --help`"


def _unbraced(piece: str) -> str:
    return piece[1:-1] if piece[:1] == "{" and piece[-1:] == "}" else piece


class Command(TyperCommand):
    """A command whose usage line writes a required argument as ``NAME``, as usage lines
    do, where typer 0.28 writes ``{NAME}`` (``@app.command(cls=Command)``, typer's
    documented way to customise a command class)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [_unbraced(p) for p in super().collect_usage_pieces(ctx)]


def _usage(ctx: Any) -> str:
    pieces = [_unbraced(p) for p in ctx.command.collect_usage_pieces(ctx)]
    usage = " ".join(pieces)
    return f"usage: {ctx.command_path} {usage}".rstrip()


def _visible_commands(ctx: Any) -> list[str]:
    group = ctx.command
    names = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            names.append(name)
    return names


def message(exc: Any) -> str:
    """The one line (without ``error: ``) for a typer/click exception."""
    ctx = getattr(exc, "ctx", None)
    text = str(getattr(exc, "message", "") or "")
    found = _NO_SUCH_COMMAND.match(text)
    if found and ctx is not None:
        typed = found.group(1)
        word = typed[1:-1] if typed[:1] == typed[-1:] == "'" else typed
        where = "" if ctx.parent is None else f" in `{ctx.command_path}`"
        close = difflib.get_close_matches(word, _visible_commands(ctx), n=1, cutoff=0.6)
        fix = f"did you mean '{close[0]}'?" if close else _help_hint(ctx)
        return f"no such command {typed}{where}; {fix}"
    option = getattr(exc, "option_name", None)
    if option is not None and hasattr(exc, "possibilities"):
        # click lists the close matches best first; the best one is the suggestion
        possibilities = list(exc.possibilities or ())[:1]
        fix = f"did you mean {_quoted(possibilities)}?" if possibilities else _help_hint(ctx)
        return f"no such option {option!r}; {fix}"
    param = getattr(exc, "param", None)
    if type(exc).__name__ == "MissingParameter" and param is not None and ctx is not None:
        kind = getattr(exc, "param_type", None) or param.param_type_name
        hint = param.get_error_hint(ctx)
        return f"missing {kind} {hint}; {_usage(ctx)}"
    extra = _EXTRA.match(text)
    if extra and ctx is not None:
        words = extra.group(1).split()
        kind = "argument" if len(words) == 1 else "arguments"
        return f"unexpected extra {kind} {', '.join(repr(w) for w in words)}; {_usage(ctx)}"
    return f"{_one_line(exc.format_message())}; {_help_hint(ctx)}"
