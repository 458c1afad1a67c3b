"""Variable names a session cannot set: every supported shell's own variables, in one place.

A session's variables are exported by the env file its shell sources (bash, zsh, fish; ``sh``
is dash on Debian) and passed to the backend. A name that one of those shells keeps for itself
breaks the session in that shell: the assignment is refused and the env file stops there
(read-only names: the proxy variables after it stay unset), the shell changes instead of the
variable (zsh switches user on ``USERNAME``/``UID`` when run as root), the value is replaced
(``RANDOM``, ``SECONDS``, ``LINENO``; numbers and arrays such as zsh's ``path``), it never
reaches child processes (``BASH_ALIASES``, zsh's ``dirstack``), or the shell starts behaving
differently (``IFS``, ``fish_trace``). ``--env`` and config ``env`` refuse every one of them.

The lists come from each shell's manual (sections named below) and only hold names the real
shells were seen to mishandle: tests/adversarial/test_injection_names.py sources an env file
setting each one in bash, zsh, fish and dash and shows the listed shells misbehave, while a
sample of ordinary names (``TERM``, ``LANG``, ``LC_*``, ``PATH``, ``HOME``, proxies, ...) passes
in all four. Names are case-sensitive (zsh's ``path`` is special, ``Path`` is not).
"""

from __future__ import annotations

# bash(1), PARAMETERS > "Shell Variables" (GNU Bash manual, 5.2 "Bash Variables"): read-only
# or computed on every reference, arrays, and values bash validates; bash 5.2.
BASH = frozenset({
    "BASHOPTS", "BASHPID", "BASH_ALIASES", "BASH_ARGC", "BASH_ARGV", "BASH_CMDS",
    "BASH_COMMAND", "BASH_COMPAT", "BASH_LINENO", "BASH_SOURCE", "BASH_SUBSHELL",
    "BASH_VERSINFO", "BASH_XTRACEFD", "DIRSTACK", "EPOCHREALTIME", "EPOCHSECONDS", "EUID",
    "FUNCNAME", "GROUPS", "HISTCMD", "IFS", "LINENO", "OPTIND", "PPID", "RANDOM", "SECONDS",
    "SHELLOPTS", "SRANDOM", "UID", "_",
})

# zshparam(1) "PARAMETERS SET BY THE SHELL" and "PARAMETERS USED BY THE SHELL" (read-only,
# integer, array-tied), zshmodules(1) "THE ZSH/PARAMETER MODULE" (its associative arrays,
# loaded on first use); zsh 5.9.
ZSH = frozenset({
    "ARGC", "COLUMNS", "EGID", "ERRNO", "EUID", "FUNCNEST", "GID", "HISTCHARS", "HISTCMD",
    "HISTSIZE", "IFS", "KEYTIMEOUT", "LINENO", "LINES", "LISTMAX", "MAILCHECK", "OPTIND", "PPID",
    "RANDOM", "REPORTTIME", "SAVEHIST", "SECONDS", "SHLVL", "TRY_BLOCK_ERROR",
    "TRY_BLOCK_INTERRUPT", "TTYIDLE", "UID", "USERNAME", "WATCH", "ZLE_RPROMPT_INDENT",
    "ZSH_EVAL_CONTEXT", "ZSH_SUBSHELL", "_", "aliases", "argv", "builtins", "cdpath",
    "commands", "dirstack", "dis_aliases", "dis_builtins", "dis_functions", "dis_galiases",
    "dis_patchars", "dis_reswords", "dis_saliases", "fignore", "fpath", "funcfiletrace",
    "funcsourcetrace", "funcstack", "functions", "functrace", "galiases", "histchars",
    "history", "historywords", "jobdirs", "jobstates", "jobtexts", "keymaps", "mailpath",
    "manpath", "module_path", "modules", "nameddirs", "options", "parameters", "patchars",
    "path", "pipestatus", "psvar", "reswords", "saliases", "signals", "status", "termcap",
    "terminfo", "userdirs", "watch", "widgets", "zsh_eval_context", "zsh_scheduled_events",
})

# fish-doc "The fish language" > "Special variables" (read-only ones, and those fish reads to
# change how it runs); fish 3.6.
FISH = frozenset({
    "FISH_VERSION", "PWD", "SHLVL", "_", "fish_escape_delay_ms", "fish_history",
    "fish_kill_signal", "fish_killring", "fish_pid", "fish_read_limit", "fish_trace",
    "history", "hostname", "pipestatus", "status", "status_generation", "umask", "version",
})

# POSIX XCU 2.5.3 "Shell Variables" and dash(1) "Variables": IFS changes how every later
# line is split, OPTIND must be a number (dash aborts the file otherwise); dash 0.5.12.
SH = frozenset({"IFS", "OPTIND"})

SHELLS = {"bash": BASH, "zsh": ZSH, "fish": FISH, "sh": SH}


def special_in(name: str) -> list[str]:
    """The supported shells that treat variable ``name`` specially (empty: none does)."""
    return [shell for shell, names in SHELLS.items() if name in names]


def refusal(name: str) -> str | None:
    """Why a session cannot set ``name`` (one line, naming it and the shells), or None."""
    shells = special_in(name)
    if not shells:
        return None
    shown = [s if s != "sh" else "sh (dash)" for s in shells]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    verb = "keeps for itself" if len(shown) == 1 else "keep for themselves"
    return (f"{name} is a variable {listed} {verb} (read-only, computed or typed): a session "
            "cannot set it; use another name")
