#!/usr/bin/env python3
"""Generate the static TAB completion scripts from clauderon's CLI definition.

    python tools/gen_completions.py           # (re)write the three scripts in completions/
    python tools/gen_completions.py --check   # exit 1 when a committed script differs

The scripts are generated from ``typer.main.get_command(clauderon.cli.app.app)`` (every command,
hidden aliases included, and every option), plus a small table below that says what the values
of some options and arguments are (session names, layouts, directories, fixed words). They run
no program per TAB: session names come from the names cache file (``clauderon.paths.names_cache``)
read with shell builtins. Run this after changing a command or an option, and commit the result;
tests/completions fails while the committed scripts and the CLI disagree.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the working tree's clauderon, not an installed copy

OUT_DIR = ROOT / "completions"
FILES = {"bash": "clauderon.bash", "zsh": "_clauderon", "fish": "clauderon.fish"}

# What the values of options and arguments are, by option spelling (any of its long names) or
# argument name; a (command path, name) key overrides the name alone. Parameters typed
# click.Choice or click.Path need no entry: their type says it.
#   sessions: names from the names cache; layouts: Zellij layouts; dirs/files: the file system;
#   any other kind is a word list from word_lists().
RULES: dict[str, str] = {
    "--backend": "backends",
    "--network": "networks",
    "--shell": "shells",
    "--workdir": "dirs",
    "--layout": "layouts",
    "--check": "checks",
    "name": "sessions",
    "shell": "shells",
}
OVERRIDES: dict[tuple[str, str], str] = {
    ("new", "--shell"): "files",  # the program to run in the session, not a shell name
}
SPECIAL_KINDS = ("sessions", "layouts", "dirs", "files")

# The doctor check ids as the doctor design lists them. Used only when clauderon.doctor.checks
# (whose all_checks() is the source of truth) cannot be imported.
FALLBACK_CHECK_IDS = (
    "zellij.binary", "zellij.sockets", "sessions.orphans", "config.file", "config.layout",
    "config.shell", "proxy.config", "proxy.reachable", "proxy.propagation", "shell.init",
    "shell.completions", "terminal.term", "registry.db",
)

_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_OPTION = re.compile(r"^--?[A-Za-z0-9][A-Za-z0-9_-]*$")


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
    """Named word lists, read from the modules that define them, and their labels."""
    from clauderon.completions import SHELLS
    from clauderon.config import BACKENDS, DOCKER_NETWORKS

    lists = {"backends": tuple(BACKENDS), "networks": tuple(DOCKER_NETWORKS),
             "shells": tuple(SHELLS), "checks": doctor_check_ids()}
    labels = {"backends": "backend", "networks": "Docker network", "shells": "shell",
              "checks": "doctor check"}
    return lists, labels


def doctor_check_ids() -> tuple[str, ...]:
    """The ids ``doctor --check`` accepts, then the group prefixes (``proxy``) it also takes."""
    try:
        from clauderon.doctor.checks import all_checks
    except ImportError:
        ids = list(FALLBACK_CHECK_IDS)
    else:
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


def _param_kind(path: tuple[str, ...], param: Any, spellings: Sequence[str],
                model_words: dict[str, tuple[str, ...]]) -> str | None:
    choices = getattr(param.type, "choices", None)
    if choices:
        words = tuple(str(c) for c in choices)
        for name, known in model_words.items():
            if known == words:
                return name
        name = f"choices{len(model_words) + 1}"
        model_words[name] = words
        return name
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
                kind = _param_kind(path, param, [param.name], words)
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
                kind=_param_kind(path, param, longs, words) if takes_value else None,
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


def header(comment: str, version: str) -> str:
    return (f"# clauderon-completions {version}\n"
            f"# {comment} completion for clauderon. Generated by tools/gen_completions.py from "
            "the CLI\n# definition: do not edit, regenerate.\n")


# -------------------------------------------------------------------------------------- bash


BASH_BODY = r'''#
# Install: `clauderon completions install --shell bash` (bash-completion loads it), or
# `source` this file from ~/.bashrc. A TAB runs no program: session names come from
# ${XDG_CACHE_HOME:-~/.cache}/clauderon/names (rewritten by clauderon whenever sessions
# change), read with bash builtins. Needs bash 4.4 or later.

@@SPEC@@

# Append the words given that start with $cur.
__clauderon_words() {
    local w
    for w; do
        [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
    done
    return 0
}

# Session names starting with $cur, from the names cache: one name per line, sorted in byte
# order by clauderon. The names that start with $cur are one run of lines: two binary searches
# over the lines (2 × log2(n) comparisons, in the C locale, i.e. byte order) find it, and
# `mapfile -s -n` reads just that run into COMPREPLY (bash's array slices copy the whole
# array). If the file was replaced between the two reads (the run's ends differ), the run is
# taken from the first read instead. Sets `quote` when a name holds a character that has to
# be quoted on the command line.
__clauderon_names() {
    local LC_ALL=C IFS=$'\n' f=${XDG_CACHE_HOME:-} c=${cur//\\/} lo=0 hi mid start n
    local re=$'[^\na-zA-Z0-9._@%+=:,/-]'
    local -a a
    [[ $f == /* ]] || f=$HOME/.cache
    f+=/clauderon/names
    [[ -r $f ]] || return 0
    c=${c#[\"\']}
    n=${#COMPREPLY[@]}
    if [[ -z $c ]]; then
        mapfile -t -O "$n" COMPREPLY < "$f"
        [[ ${COMPREPLY[*]:n} =~ $re ]] && quote=1
        return 0
    fi
    mapfile -t a < "$f"
    hi=${#a[@]}
    while ((lo < hi)); do  # the first name not before $c
        mid=$(((lo + hi) / 2))
        if [[ ${a[mid]} < "$c" ]]; then lo=$((mid + 1)); else hi=$mid; fi
    done
    start=$lo hi=${#a[@]}
    while ((lo < hi)); do  # the first name after them that does not start with $c
        mid=$(((lo + hi) / 2))
        if [[ ${a[mid]} == "$c"* ]]; then lo=$((mid + 1)); else hi=$mid; fi
    done
    ((lo > start)) || return 0
    mapfile -t -O "$n" -s "$start" -n "$((lo - start))" COMPREPLY < "$f"
    if [[ ${COMPREPLY[n]-} != "${a[start]}" || ${COMPREPLY[-1]} != "${a[lo - 1]}" ]]; then
        COMPREPLY=("${COMPREPLY[@]:0:n}" "${a[@]:start:lo-start}")
    fi
    [[ ${COMPREPLY[*]:n} =~ $re ]] && quote=1
    return 0
}

# Quote the replies that hold characters special to the shell.
__clauderon_quote() {
    local i q
    for i in "${!COMPREPLY[@]}"; do
        [[ ${COMPREPLY[i]} == *[^[:alnum:]._@%+=:,/-]* ]] || continue
        printf -v q %q "${COMPREPLY[i]}"
        COMPREPLY[i]=$q
    done
}

# Zellij layouts: the built-in ones and *.kdl in the layout directory Zellij itself uses.
__clauderon_layouts() {
    __clauderon_words @@LAYOUTS@@
    local d=${ZELLIJ_CONFIG_DIR:-} x f noglob= failglob=
    if [[ -z $d ]]; then
        x=${XDG_CONFIG_HOME:-}
        [[ $x == /* ]] || x=$HOME/.config
        for d in "$HOME/.config/zellij" "$x/zellij" /etc/zellij ""; do
            [[ -z $d || -d $d ]] && break
        done
        [[ -n $d ]] || d=$HOME/.config/zellij
    fi
    [[ -d $d/layouts ]] || return 0
    [[ $- == *f* ]] && noglob=1 && set +f
    shopt -q failglob && failglob=1 && shopt -u failglob
    for f in "$d"/layouts/*.kdl; do
        [[ -f $f ]] || continue
        f=${f##*/}
        f=${f%.kdl}
        [[ $f == "$cur"* ]] && COMPREPLY+=("$f") && quote=1
    done
    [[ -n $noglob ]] && set -f
    [[ -n $failglob ]] && shopt -s failglob
    return 0
}

# The words of the command line up to the cursor into `words`, the last one being the word
# being completed, with the pieces COMP_WORDBREAKS splits off (`--opt=value`, `a:b`) joined.
__clauderon_split() {
    if [[ $COMP_LINE != *[=:]* ]] && ((COMP_POINT >= ${#COMP_LINE})); then
        words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
        return
    fi
    local line=${COMP_LINE:0:COMP_POINT} w i
    for ((i = 0; i <= COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]-}
        if ((i == COMP_CWORD)); then
            w=${line#"${line%%[![:space:]]*}"}
        fi
        if ((i > 0)) && [[ $line != [[:space:]]* ]]; then
            words[${#words[@]}-1]+=$w
        else
            words+=("$w")
        fi
        line=${line#"${line%%[![:space:]]*}"}
        line=${line#"$w"}
    done
}

_clauderon() {
    local IFS=$' \t\n' cur cmdpath= pending= dashdash= kind= opt= quote= w i npos=0
    local __c_cmds= __c_all= __c_more= __c_opts= __c_vopts= __c_args=
    local -a words=() kinds
    COMPREPLY=()
    __clauderon_split
    cur=${words[${#words[@]}-1]}
    __clauderon_spec ""
    for ((i = 1; i < ${#words[@]} - 1; i++)); do
        w=${words[i]}
        if [[ -n $pending ]]; then
            pending=
        elif [[ -z $dashdash && $w == -?* ]]; then
            if [[ $w == -- ]]; then
                dashdash=1
            elif [[ $w != *=* && $__c_vopts == *" $w "* ]]; then
                pending=$w
            fi
        elif ((npos == 0)) && [[ $__c_all == *" $w "* ]]; then
            cmdpath+=${cmdpath:+ }$w
            __clauderon_spec "$cmdpath"
        else
            npos=$((npos + 1))
        fi
    done
    if [[ -n $pending ]]; then
        __clauderon_optkind "$cmdpath" "$pending"
        __clauderon_values "$kind"
    elif [[ -z $dashdash && $cur == --*=* ]]; then
        opt=${cur%%=*}
        __clauderon_optkind "$cmdpath" "$opt"
        cur=${cur#*=}
        __clauderon_values "$kind"
        ((${#COMPREPLY[@]})) && COMPREPLY=("${COMPREPLY[@]/#/"$opt="}")
        cur=$opt=$cur
    elif [[ -z $dashdash && $cur == -* ]]; then
        __clauderon_words $__c_opts
    elif [[ -n $__c_cmds$__c_more ]]; then
        ((npos == 0)) && __clauderon_words $__c_cmds $__c_more
    else
        kinds=($__c_args)
        if ((npos < ${#kinds[@]})); then
            kind=${kinds[npos]}
        elif ((${#kinds[@]})) && [[ ${kinds[${#kinds[@]}-1]} == *+ ]]; then
            kind=${kinds[${#kinds[@]}-1]}
        fi
        __clauderon_values "${kind%+}"
    fi
    [[ -n $quote ]] && __clauderon_quote
    # Readline replaces only the text after the last COMP_WORDBREAKS character.
    if [[ $cur == *[=:]* ]] && ((${#COMPREPLY[@]})); then
        local brk=${COMP_WORDBREAKS-}
        brk=${brk//[!=:]/}
        if [[ -n $brk && $cur == *[$brk]* ]]; then
            local pre=${cur%"${cur##*[$brk]}"}
            COMPREPLY=("${COMPREPLY[@]#"$pre"}")
        fi
    fi
    return 0
}

complete -F _clauderon clauderon
'''


def render_bash(model: Model, version: str) -> str:
    spec = ["# Per command: subcommands offered, all subcommands (hidden ones too), other words",
            "# offered in the subcommand position, options, options that take a value, and the",
            "# kinds of the positional arguments ('-': none; a trailing '+': repeats).",
            "__clauderon_spec() {",
            "    __c_cmds= __c_all= __c_more= __c_opts= __c_vopts= __c_args=",
            "    case $1 in"]
    kinds = ["# The kind of value an option takes.", "__clauderon_optkind() {",
             '    case "$1 $2" in']
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
    spec += ["    esac", "}"]
    kinds += ["        *) kind= ;;", "    esac", "}"]
    values = ["# Complete a value of the given kind.", "__clauderon_values() {",
              "    case $1 in",
              "        sessions) __clauderon_names ;;",
              "        layouts) __clauderon_layouts ;;",
              "        dirs) compopt -o dirnames 2>/dev/null ;;",
              "        files) compopt -o default 2>/dev/null ;;"]
    for kind, words in model.word_kinds.items():
        values.append(f"        {kind}) __clauderon_words {' '.join(words)} ;;")
    values += ["    esac", "    return 0", "}"]
    body = BASH_BODY.replace("@@SPEC@@", "\n".join([*spec, "", *kinds, "", *values]))
    body = body.replace("@@LAYOUTS@@", " ".join(model.layouts))
    return header("bash", version) + body


def _padded(words: Sequence[str]) -> str:
    return f" {' '.join(words)} " if words else ""


def _arg_kind(arg: Argument) -> str:
    return (arg.kind or "-") + ("+" if arg.variadic else "")


def _bash_case(text: str) -> str:
    return "''" if not text else "'" + text + "'"


# --------------------------------------------------------------------------------------- zsh


ZSH_BODY = r'''#
# An autoloaded zsh completion function: put this file, named _clauderon, in a directory on
# $fpath before compinit runs (`clauderon completions install --shell zsh` does, and prints the
# fpath line for ~/.zshrc). Sourcing it after compinit works too. A TAB runs no program:
# session names come from ${XDG_CACHE_HOME:-~/.cache}/clauderon/names (rewritten by clauderon
# whenever sessions change), read with $(<file), which zsh does without a subprocess.

@@SPEC@@

__clauderon_names() {
    local f=${XDG_CACHE_HOME:-}
    [[ $f == /* ]] || f=$HOME/.cache
    f+=/clauderon/names
    [[ -r $f ]] || return 1
    local -a names expl
    names=(${(f)"$(<$f)"})
    _wanted sessions expl session compadd -a names
}

__clauderon_layouts() {
    local d=${ZELLIJ_CONFIG_DIR:-} x
    if [[ -z $d ]]; then
        x=${XDG_CONFIG_HOME:-}
        [[ $x == /* ]] || x=$HOME/.config
        for d in $HOME/.config/zellij $x/zellij /etc/zellij ''; do
            [[ -z $d || -d $d ]] && break
        done
        [[ -n $d ]] || d=$HOME/.config/zellij
    fi
    local -a layouts expl
    layouts=(@@LAYOUTS@@ $d/layouts/*.kdl(N-.:t:r))
    _wanted layouts expl layout compadd -a layouts
}

_clauderon() {
    local -a cmds all more opts vopts args expl
    local cmdpath= pending= dashdash= w kind= opt= REPLY=
    integer i npos=0
    __clauderon_spec ''
    for (( i = 2; i < CURRENT; i++ )); do
        w=${words[i]}
        if [[ -n $pending ]]; then
            pending=
        elif [[ -z $dashdash && $w == -?* ]]; then
            if [[ $w == -- ]]; then
                dashdash=1
            elif [[ $w != *=* ]] && (( ${vopts[(Ie)$w]} )); then
                pending=$w
            fi
        elif (( npos == 0 && ${all[(Ie)$w]} )); then
            cmdpath=${cmdpath:+$cmdpath }$w
            __clauderon_spec $cmdpath
        else
            (( npos += 1 ))
        fi
    done
    if [[ -n $pending ]]; then
        __clauderon_optkind $cmdpath $pending && __clauderon_values $REPLY
    elif [[ -z $dashdash && $PREFIX == --*=* ]]; then
        opt=${PREFIX%%=*}
        __clauderon_optkind $cmdpath $opt || return 1
        compset -P '*='
        __clauderon_values $REPLY
    elif [[ -z $dashdash && $PREFIX == -* ]]; then
        _describe -t options option opts
    elif (( $#cmds + $#more )); then
        (( npos == 0 )) || return 1
        _describe -t commands command cmds -- more
    else
        if (( npos < $#args )); then
            kind=${args[npos+1]}
        elif (( $#args )) && [[ ${args[-1]} == *+ ]]; then
            kind=${args[-1]}
        fi
        __clauderon_values ${kind%+}
    fi
}

if [[ ${funcstack[1]-} == _clauderon ]]; then
    _clauderon "$@"
else
    compdef _clauderon clauderon
fi
'''


def render_zsh(model: Model, version: str) -> str:
    spec = ["# Per command: subcommands offered (name:description), all subcommands (hidden ones",
            "# too), other words offered in the subcommand position, options, options that take",
            "# a value, and the kinds of the positional arguments ('-': none; '+': repeats).",
            "__clauderon_spec() {", "    case $1 in"]
    kinds = ["# The kind of value an option takes, in REPLY.", "__clauderon_optkind() {",
             '    case "$1 $2" in']
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
    spec += ["    esac", "}"]
    kinds += ["        (*) return 1 ;;", "    esac", "}"]
    values = ["# Complete a value of the given kind.", "__clauderon_values() {",
              "    local -a expl", "    case $1 in",
              "        (sessions) __clauderon_names ;;",
              "        (layouts) __clauderon_layouts ;;",
              "        (dirs) _files -/ ;;",
              "        (files) _files ;;"]
    for kind, words in model.word_kinds.items():
        label = _zsh_quote(model.labels.get(kind, "value"))
        values.append(f"        ({kind}) _wanted {kind} expl {label} compadd -- "
                      f"{' '.join(words)} ;;")
    values += ["        (*) return 1 ;;", "    esac", "}"]
    body = ZSH_BODY.replace("@@SPEC@@", "\n".join([*spec, "", *kinds, "", *values]))
    body = body.replace("@@LAYOUTS@@", " ".join(model.layouts))
    return "#compdef clauderon\n" + header("zsh", version) + body


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


FISH_BODY = r'''#
# Install: `clauderon completions install --shell fish` (into ~/.config/fish/completions, which
# fish autoloads). A TAB runs no program: session names come from
# ${XDG_CACHE_HOME:-~/.cache}/clauderon/names (rewritten by clauderon whenever sessions
# change), read with the `string` builtin.

@@SPEC@@

# Where the command line is: the command path (`config show`), how many positional arguments
# it has, and the option waiting for its value. Cached per command line.
function __clauderon_parse
    set -l tokens (commandline -opc)
    set -l key "$tokens"
    if set -q __clauderon_key; and test "$key" = "$__clauderon_key"
        return 0
    end
    set -e tokens[1]
    set -l cmdpath ''
    set -l npos 0
    set -l pending ''
    set -l dashdash ''
    __clauderon_spec ''
    for w in $tokens
        if test -n "$pending"
            set pending ''
        else if test -z "$dashdash"; and string match -q -- '-?*' $w
            if test "$w" = --
                set dashdash 1
            else if not string match -q -- '*=*' $w; and contains -- $w $__clauderon_vopts
                set pending $w
            end
        else if test $npos -eq 0; and contains -- $w $__clauderon_all
            if test -z "$cmdpath"
                set cmdpath $w
            else
                set cmdpath "$cmdpath $w"
            end
            __clauderon_spec $cmdpath
        else
            set npos (math $npos + 1)
        end
    end
    set -g __clauderon_key $key
    set -g __clauderon_path $cmdpath
    set -g __clauderon_npos $npos
    set -g __clauderon_pending $pending
end

# True when completing an option of the command at this path.
function __clauderon_at --argument-names cmdpath
    __clauderon_parse
    test "$__clauderon_path" = "$cmdpath"
end

# True when a subcommand of the group at this path comes next.
function __clauderon_cmd --argument-names cmdpath
    __clauderon_parse
    test "$__clauderon_path" = "$cmdpath" -a "$__clauderon_npos" = 0 -a -z "$__clauderon_pending"
end

# True when positional argument number INDEX (from 0; N+ means N and after) comes next.
function __clauderon_arg --argument-names cmdpath index
    __clauderon_parse
    test "$__clauderon_path" = "$cmdpath" -a -z "$__clauderon_pending"; or return 1
    test "$index" = "$__clauderon_npos"; and return 0
    string match -q -- '*+' $index; and test $__clauderon_npos -ge (string trim -r -c + -- $index)
end

function __clauderon_names
    set -l f $XDG_CACHE_HOME
    string match -q -- '/*' "$f"; or set f $HOME/.cache
    set f $f/clauderon/names
    test -r $f; or return 0
    string match -v -- '' <$f
end

function __clauderon_layouts
    printf '%s\n' @@LAYOUTS@@
    set -l d $ZELLIJ_CONFIG_DIR
    if test -z "$d"
        set -l x $XDG_CONFIG_HOME
        string match -q -- '/*' "$x"; or set x $HOME/.config
        set d $HOME/.config/zellij
        for candidate in $HOME/.config/zellij $x/zellij /etc/zellij
            if test -d $candidate
                set d $candidate
                break
            end
        end
    end
    set -l files $d/layouts/*.kdl
    string replace -r -- '^.*/(.*)\.kdl$' '$1' $files
end

complete -c clauderon -f
'''


def render_fish(model: Model, version: str) -> str:
    spec = ["# Per command: all subcommands (hidden ones too) and the options that take a value.",
            "function __clauderon_spec --argument-names cmdpath", "    switch $cmdpath"]
    lines: list[str] = []
    for cmd in model.root.walk():
        every = [c.path[-1] for c in cmd.commands]
        vopts = [n for o in cmd.options if o.takes_value for n in o.names]
        spec += [f"        case {_fish_quote(cmd.key)}",
                 f"            set -g __clauderon_all {' '.join(every)}".rstrip(),
                 f"            set -g __clauderon_vopts {' '.join(vopts)}".rstrip()]
        where = _fish_quote(cmd.key)
        at = _fish_dquote(f"__clauderon_at {where}")
        lines.append(f"\n# clauderon {cmd.key}".rstrip())
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
    spec += ["    end", "end"]
    body = FISH_BODY.replace("@@SPEC@@", "\n".join(spec))
    body = body.replace("@@LAYOUTS@@", " ".join(model.layouts))
    return header("fish", version) + body + "\n".join(lines) + "\n"


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


def _fish_arg(kind: str, model: Model, *, describe: bool) -> str:
    label = {"sessions": "session", "layouts": "layout"}.get(kind, model.labels.get(kind, ""))
    if kind == "sessions":
        values = " -a '(__clauderon_names)'"
    elif kind == "layouts":
        values = " -a '(__clauderon_layouts)'"
    elif kind == "dirs":
        return " -a '(__fish_complete_directories)'"
    elif kind == "files":
        return " -F"
    else:
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
