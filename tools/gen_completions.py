#!/usr/bin/env python3
"""Generate the static TAB completion scripts from clauderon's CLI definition.

    python tools/gen_completions.py           # (re)write the three scripts in completions/
    python tools/gen_completions.py --check   # exit 1 when a committed script differs

Each script is a real shell file, ``tools/completion_templates/clauderon.{bash,zsh,fish}.in``,
with a few ``@@NAME@@`` lines that this generator fills from
``typer.main.get_command(clauderon.cli.app.app)``: every command (hidden aliases included),
every option, and what their values are. The fixed values a parameter declares (the choices
of a ``click.Choice`` type, a typer Enum or Literal, or what its ``shell_complete=`` callback
returns: click's public ``Parameter.shell_complete``) are read from the parameter itself, so a
new backend or network appears without touching this file; a small
table below (``RULES``) names the other kinds of values (session names, layouts, directories,
shells, doctor check ids). The scripts run no program per TAB: session names come from the names
cache file (``clauderon.paths.names_cache``) read with shell builtins. Run this after changing a
command or an option, and commit the result; tests/completions fails while the committed
scripts and the CLI disagree.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the working tree's clauderon, not an installed copy

OUT_DIR = ROOT / "completions"
TEMPLATE_DIR = ROOT / "tools" / "completion_templates"
FILES = {"bash": "clauderon.bash", "zsh": "_clauderon", "fish": "clauderon.fish"}
TEMPLATES = {"bash": "clauderon.bash.in", "zsh": "clauderon.zsh.in", "fish": "clauderon.fish.in"}

# What the values of options and arguments without fixed choices are, by option spelling (any
# of its long names) or argument name; a (command path, name) key overrides the name alone.
# Parameters that declare their values (declared_values) or typed click.Path need no entry.
#   sessions: names from the names cache; agents: names from the agents cache; layouts: Zellij
#   layouts; dirs/files: the file system; gitrefs: the shell's own git completion, in the
#   repository of REPO_OPTION when the line has it; shells, checks: word_lists().
RULES: dict[str, str] = {
    "--shell": "shells",
    "--workdir": "dirs",
    "--layout": "layouts",
    "--check": "checks",
    "--agent": "agents",
    "--repo": "dirs",
    "--base": "gitrefs",
    "--branch": "gitrefs",
    "--prompt-file": "files",
    "name": "sessions",
    "shell": "shells",
}
OVERRIDES: dict[tuple[str, str], str] = {
    ("new", "--shell"): "files",  # the program to run in the session, not a shell name
}
# Kinds each template completes with its own functions (not a word list).
SPECIAL_KINDS = ("sessions", "agents", "layouts", "dirs", "files", "gitrefs")
# The option whose value is the repository that gitrefs are read from (all its spellings).
REPO_OPTION = "--repo"

_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_OPTION = re.compile(r"^--?[A-Za-z0-9][A-Za-z0-9_-]*$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")


# ------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Option:
    names: tuple[str, ...]
    help: str
    takes_value: bool
    kind: str | None
    hidden: bool


@dataclass(frozen=True)
class Argument:
    name: str
    kind: str | None
    variadic: bool


@dataclass
class Command:
    path: tuple[str, ...]
    help: str
    hidden: bool
    options: list[Option] = field(default_factory=list)
    arguments: list[Argument] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    words: tuple[str, ...] = ()
    words_help: str = ""

    @property
    def key(self) -> str:
        return " ".join(self.path)

    @property
    def is_group(self) -> bool:
        return bool(self.commands or self.words)

    def walk(self) -> Iterable[Command]:
        yield self
        for sub in self.commands:
            yield from sub.walk()


@dataclass
class Model:
    root: Command
    word_kinds: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    layouts: tuple[str, ...]


def word_lists() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The word lists ``RULES`` names, read from the modules that define them, and their
    labels. Fixed choices are not here: each parameter declares its own (declared_values)."""
    from clauderon.completions import SHELLS

    lists = {"shells": tuple(SHELLS), "checks": doctor_check_ids()}
    labels = {"shells": "shell", "checks": "doctor check"}
    return lists, labels


def doctor_check_ids() -> tuple[str, ...]:
    """The ids ``doctor --check`` accepts, then the group prefixes (``proxy``) it also takes."""
    from clauderon.doctor.checks import all_checks

    ids = [check.id for check in all_checks()]
    prefixes = [p for p in dict.fromkeys(i.split(".", 1)[0] for i in ids) if p not in ids]
    return tuple(ids) + tuple(prefixes)


def builtin_layouts() -> tuple[str, ...]:
    from clauderon.layouts import builtin_layouts as known

    return tuple(known())


def short_help(text: str | None, limit: int = 72) -> str:
    """The first sentence of ``text`` on one line, at most ``limit`` characters."""
    flat = " ".join((text or "").split())
    sentence = re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0]
    if len(sentence) > limit:
        sentence = sentence[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:(") + "..."
    return sentence


def declared_values(param: Any, ctx: Any) -> tuple[str, ...]:
    """The fixed values the CLI declares for ``param``, through click's public completion API
    (``Parameter.shell_complete``): a ``click.Choice`` (or typer Enum/Literal) type's choices,
    or what a ``shell_complete=`` callback on the option returns (e.g. ``backends.names()``).
    Empty when the parameter declares none (a free string, a path)."""
    items = param.shell_complete(ctx, "")
    return tuple(str(item.value) for item in items if getattr(item, "type", "plain") == "plain")


def _choice_kind(param: Any, words: tuple[str, ...], model_words: dict[str, tuple[str, ...]],
                 labels: dict[str, str]) -> str:
    """The word-list kind for a parameter with fixed choices, named after the parameter
    (``backend``, ``network``); parameters with the same choices share one list."""
    for name, known in model_words.items():
        if known == words:
            return name
    base = str(param.name or "choice").lower()
    name, n = base, 1
    while name in model_words or name in SPECIAL_KINDS:
        n += 1
        name = f"{base}{n}"
    model_words[name] = words
    labels[name] = base.replace("_", " ")
    return name


def _param_kind(path: tuple[str, ...], param: Any, ctx: Any, spellings: Sequence[str],
                model_words: dict[str, tuple[str, ...]], labels: dict[str, str]) -> str | None:
    values = declared_values(param, ctx)
    if values:
        return _choice_kind(param, values, model_words, labels)
    for spelling in spellings:
        for key in ((" ".join(path), spelling), spelling):
            kind = OVERRIDES.get(key) if isinstance(key, tuple) else RULES.get(key)
            if kind is not None:
                return kind
    type_name = type(param.type).__name__
    if type_name == "Path":
        file_ok = getattr(param.type, "file_okay", True)
        return "files" if file_ok else "dirs"
    if type_name in ("File", "FileType"):
        return "files"
    return None


def build_model(app: Any | None = None) -> Model:
    """Walk the click command tree typer builds for ``app`` (clauderon's by default)."""
    import typer

    if app is None:
        from clauderon.cli.app import app as clauderon_app

        app = clauderon_app
    words, labels = word_lists()
    root_cmd = typer.main.get_command(app)

    def visit(cmd: Any, path: tuple[str, ...], parent_ctx: Any) -> Command:
        ctx = _context(cmd, path, parent_ctx)
        node = Command(path=path,
                       help=short_help(cmd.get_short_help_str(limit=200) if path else cmd.help),
                       hidden=bool(getattr(cmd, "hidden", False)),
                       words=tuple(getattr(cmd, "completion_words", ())),
                       words_help=str(getattr(cmd, "completion_words_help", "")))
        for param in cmd.get_params(ctx):
            if param.param_type_name == "argument":
                kind = _param_kind(path, param, ctx, [param.name], words, labels)
                count = 1 if param.nargs in (-1, 1) else param.nargs
                for _ in range(count):
                    node.arguments.append(Argument(param.name, kind, param.nargs == -1))
                continue
            # Long names first; sorted, since click builds the help option's from a set.
            names = tuple(sorted((*param.opts, *param.secondary_opts),
                                 key=lambda n: (not n.startswith("--"), n)))
            takes_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
            longs = [n for n in names if n.startswith("--")] or list(names)
            node.options.append(Option(
                names=names, help=short_help(getattr(param, "help", None)),
                takes_value=takes_value,
                kind=_param_kind(path, param, ctx, longs, words, labels) if takes_value
                else None,
                hidden=bool(getattr(param, "hidden", False))))
        for name, sub in getattr(cmd, "commands", {}).items():
            node.commands.append(visit(sub, (*path, name), ctx))
        return node

    root = visit(root_cmd, (), None)
    model = Model(root, words, labels, builtin_layouts())
    _validate(model)
    return model


def _context(cmd: Any, path: tuple[str, ...], parent: Any) -> Any:
    settings = dict(getattr(cmd, "context_settings", None) or {})
    return cmd.context_class(cmd, parent=parent, info_name=path[-1] if path else "clauderon",
                             **settings)


def _validate(model: Model) -> None:
    """Everything written unquoted into a script has to be a plain token."""
    for cmd in model.root.walk():
        for token in (*cmd.path, *cmd.words):
            if not _TOKEN.match(token):
                raise SystemExit(f"gen_completions: {token!r} in {cmd.key!r} is not a plain word")
        for opt in cmd.options:
            for name in opt.names:
                if not _OPTION.match(name):
                    raise SystemExit(f"gen_completions: option {name!r} of {cmd.key!r} is not "
                                     "a plain option name")
    for kind, words in model.word_kinds.items():
        if not _KIND.match(kind):
            raise SystemExit(f"gen_completions: {kind!r} is not a plain kind name")
        for word in words:
            if not _TOKEN.match(word):
                raise SystemExit(f"gen_completions: {word!r} ({kind}) is not a plain word")
    for layout in model.layouts:
        if not _TOKEN.match(layout):
            raise SystemExit(f"gen_completions: layout {layout!r} is not a plain word")
    known = set(SPECIAL_KINDS) | set(model.word_kinds)
    for cmd in model.root.walk():
        used = [o.kind for o in cmd.options] + [a.kind for a in cmd.arguments]
        for used_kind in used:
            if used_kind is not None and used_kind not in known:
                raise SystemExit(f"gen_completions: {cmd.key!r} uses the unknown value kind "
                                 f"{used_kind!r}; add it to word_lists() or SPECIAL_KINDS")


# ---------------------------------------------------------------------------------- templates


def fill(shell: str, values: Mapping[str, str | Sequence[str]]) -> str:
    """The template for ``shell`` with its placeholders filled: a string value replaces
    ``@@NAME@@`` where it stands; a list of lines replaces a line that is only ``@@NAME@@``
    (an empty list removes the line). Every placeholder must be filled, and every value used."""
    text = (TEMPLATE_DIR / TEMPLATES[shell]).read_text(encoding="utf-8")
    found = set(_PLACEHOLDER.findall(text))
    if found != set(values):
        raise SystemExit(f"gen_completions: {TEMPLATES[shell]} has the placeholders "
                         f"{sorted(found)}, the generator fills {sorted(values)}")
    for name, value in values.items():
        mark = f"@@{name}@@"
        if isinstance(value, str):
            text = text.replace(mark, value)
            continue
        lines = text.split("\n")
        if lines.count(mark) != 1 or text.count(mark) != 1:
            raise SystemExit(f"gen_completions: {mark} must be a line of its own, once, in "
                             f"{TEMPLATES[shell]}")
        at = lines.index(mark)
        text = "\n".join([*lines[:at], *value, *lines[at + 1:]])
    return text


# -------------------------------------------------------------------------------------- bash


def render_bash(model: Model, version: str) -> str:
    spec: list[str] = []
    kinds: list[str] = []
    for cmd in model.root.walk():
        visible = [c.path[-1] for c in cmd.commands if not c.hidden]
        every = [c.path[-1] for c in cmd.commands]
        opts = [n for o in cmd.options if not o.hidden for n in o.names]
        vopts = [n for o in cmd.options if o.takes_value for n in o.names]
        args = [_arg_kind(a) for a in cmd.arguments]
        fields = {"__c_cmds": " ".join(visible), "__c_all": _padded(every),
                  "__c_more": " ".join(cmd.words), "__c_opts": " ".join(opts),
                  "__c_vopts": _padded(vopts), "__c_args": " ".join(args)}
        spec.append(f"        {_bash_case(cmd.key)})")
        spec += [f"            {name}='{value}'" for name, value in fields.items() if value]
        spec.append("            ;;")
        for opt in cmd.options:
            if opt.takes_value and opt.kind:
                pattern = "|".join(_bash_case(f"{cmd.key} {n}") for n in opt.names)
                kinds.append(f"        {pattern}) kind={opt.kind} ;;")
    words = [f"        {kind}) __clauderon_words {' '.join(items)} ;;"
             for kind, items in model.word_kinds.items()]
    return fill("bash", {"VERSION": version, "SPEC": spec, "OPTKINDS": kinds, "WORDS": words,
                         "LAYOUTS": " ".join(model.layouts), "REPO_OPTS": _repo_opts(model)})


def _repo_opts(model: Model) -> str:
    """Every spelling of REPO_OPTION in the CLI (none until a command has it)."""
    names = [n for cmd in model.root.walk() for o in cmd.options if REPO_OPTION in o.names
             for n in o.names]
    return " ".join(dict.fromkeys(names))


def _padded(words: Sequence[str]) -> str:
    return f" {' '.join(words)} " if words else ""


def _arg_kind(arg: Argument) -> str:
    return (arg.kind or "-") + ("+" if arg.variadic else "")


def _bash_case(text: str) -> str:
    return "''" if not text else "'" + text + "'"


# --------------------------------------------------------------------------------------- zsh


def render_zsh(model: Model, version: str) -> str:
    spec: list[str] = []
    kinds: list[str] = []
    for cmd in model.root.walk():
        cmds = [_zsh_describe(c.path[-1], c.help) for c in cmd.commands if not c.hidden]
        every = [c.path[-1] for c in cmd.commands]
        more = [_zsh_describe(w, cmd.words_help) for w in cmd.words]
        opts = [_zsh_describe(n, o.help) for o in cmd.options if not o.hidden for n in o.names]
        vopts = [n for o in cmd.options if o.takes_value for n in o.names]
        args = [_arg_kind(a) for a in cmd.arguments]
        spec += [f"        ({_bash_case(cmd.key)})"]
        spec += _zsh_array("cmds", cmds) + _zsh_array("all", every) + _zsh_array("more", more)
        spec += _zsh_array("opts", opts) + _zsh_array("vopts", vopts)
        spec += [*_zsh_array("args", args), "            ;;"]
        for opt in cmd.options:
            if opt.takes_value and opt.kind:
                pattern = "|".join(_bash_case(f"{cmd.key} {n}") for n in opt.names)
                kinds.append(f"        ({pattern}) REPLY={opt.kind} ;;")
    words = [f"        ({kind}) _wanted {kind} expl {_zsh_quote(model.labels.get(kind, 'value'))}"
             f" compadd -- {' '.join(items)} ;;" for kind, items in model.word_kinds.items()]
    return fill("zsh", {"VERSION": version, "SPEC": spec, "OPTKINDS": kinds, "WORDS": words,
                        "LAYOUTS": " ".join(model.layouts), "REPO_OPTS": _repo_opts(model)})


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_describe(name: str, help_text: str) -> str:
    name = name.replace(":", "\\:")
    return _zsh_quote(f"{name}:{help_text}" if help_text else name)


def _zsh_array(name: str, items: Sequence[str]) -> list[str]:
    """``name=(...)``: plain words on one line, quoted descriptions one per line."""
    if not any(item.startswith("'") for item in items):
        return [f"            {name}=({' '.join(items)})"]
    lines = [f"            {name}=("]
    lines += [f"                {item}" for item in items]
    return [*lines, "            )"]


# -------------------------------------------------------------------------------------- fish


def render_fish(model: Model, version: str) -> str:
    spec: list[str] = []
    lines: list[str] = []
    for cmd in model.root.walk():
        every = [c.path[-1] for c in cmd.commands]
        vopts = [n for o in cmd.options if o.takes_value for n in o.names]
        spec += [f"        case {_fish_quote(cmd.key)}",
                 f"            set -g __clauderon_all {' '.join(every)}".rstrip(),
                 f"            set -g __clauderon_vopts {' '.join(vopts)}".rstrip()]
        where = _fish_quote(cmd.key)
        at = _fish_dquote(f"__clauderon_at {where}")
        lines += ["", f"# clauderon {cmd.key}".rstrip()]
        for sub in cmd.commands:
            if not sub.hidden:
                lines.append(f"complete -c clauderon -n {_fish_dquote('__clauderon_cmd ' + where)}"
                             f" -a {sub.path[-1]} -d {_fish_quote(sub.help)}")
        if cmd.words:
            lines.append(f"complete -c clauderon -n {_fish_dquote('__clauderon_cmd ' + where)} "
                         f"-a {_fish_quote(' '.join(cmd.words))} -d {_fish_quote(cmd.words_help)}")
        for opt in cmd.options:
            if opt.hidden:
                continue
            flags = " ".join(_fish_flag(n) for n in opt.names)
            value = _fish_value(opt.kind, model) if opt.takes_value else ""
            lines.append(f"complete -c clauderon -n {at} {flags}{value} -d "
                         f"{_fish_quote(opt.help)}")
        for index, arg in enumerate(cmd.arguments):
            if not arg.kind:
                continue
            position = f"{index}+" if arg.variadic else str(index)
            condition = _fish_dquote(f"__clauderon_arg {where} {position}")
            lines.append(f"complete -c clauderon -n {condition}"
                         f"{_fish_arg(arg.kind, model, describe=True)}")
    return fill("fish", {"VERSION": version, "SPEC": spec, "COMPLETE": lines,
                         "LAYOUTS": " ".join(model.layouts), "REPO_OPTS": _repo_opts(model)})


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_dquote(text: str) -> str:
    return '"' + "".join("\\" + c if c in '\\"$' else c for c in text) + '"'


def _fish_flag(name: str) -> str:
    if name.startswith("--"):
        return f"-l {name[2:]}"
    if len(name) == 2:
        return f"-s {name[1]}"
    return f"-o {name[1:]}"


def _fish_value(kind: str | None, model: Model) -> str:
    """The flags of an option that takes a value (the option's -d describes its values too)."""
    if kind == "files":
        return " -r -F"
    return " -x" + _fish_arg(kind, model, describe=False) if kind else " -x"


# The fish function (in the template) that lists the values of a special kind, and its label.
_FISH_FUNCTIONS = {"sessions": ("__clauderon_names", "session"),
                   "agents": ("__clauderon_agents", "agent"),
                   "layouts": ("__clauderon_layouts", "layout"),
                   "gitrefs": ("__clauderon_gitrefs", "git ref")}


def _fish_arg(kind: str, model: Model, *, describe: bool) -> str:
    if kind == "dirs":
        return " -a '(__fish_complete_directories)'"
    if kind == "files":
        return " -F"
    if kind in _FISH_FUNCTIONS:
        function, label = _FISH_FUNCTIONS[kind]
        values = f" -a '({function})'"
    else:
        label = model.labels.get(kind, "")
        values = f" -a {_fish_quote(' '.join(model.word_kinds[kind]))}"
    return values + (f" -d {_fish_quote(label)}" if describe and label else "")


# --------------------------------------------------------------------------------------- main


def render_all(model: Model | None = None, version: str | None = None) -> dict[str, str]:
    """The three scripts, by shell."""
    from clauderon import __version__

    stamp = version or __version__
    model = model or build_model()
    return {"bash": render_bash(model, stamp), "zsh": render_zsh(model, stamp),
            "fish": render_fish(model, stamp)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a committed script is out of date")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    stale = []
    for shell, text in render_all().items():
        target = args.out / FILES[shell]
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(target)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    if args.check and stale:
        for target in stale:
            print(f"{target} is out of date with the CLI; run: python tools/gen_completions.py",
                  file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
