"""Run the completion scripts in the real shells and collect what a TAB would offer.

- bash: source completions/clauderon.bash, set COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT the
  way readline does, call _clauderon, read COMPREPLY (compopt, which only works inside a real
  completion, is replaced by a function that records its arguments);
- zsh: an interactive zsh in a zpty, with compinit run from an isolated ZDOTDIR and TAB bound
  to a completion widget around _main_complete that prints every match zsh's own matching
  kept (compadd is wrapped); the line is typed, TAB pressed, the line cleared;
- fish: ``complete -C LINE``.

Each function runs one shell process for many lines.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPLETIONS = ROOT / "completions"
TIMEOUT = 60
NAMES = ("app", "app-2", "api-fix-auth")


def write_names_cache(cache: Path, names: Iterable[str]) -> None:
    """The names cache as clauderon writes it (sessions.refresh_names_cache): one name per
    line, sorted by code point, which the bash script's binary search relies on."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("".join(f"{n}\n" for n in sorted(names)), encoding="utf-8")

BASH_DRIVER = r'''
source "$1" || exit 3
eval "$2"
shift 2
compopt() { COMPOPT+=("$*"); }
while (($#)); do
    COMP_LINE=$1 COMP_POINT=${#1} n=$2
    shift 2
    COMP_WORDS=("${@:1:n}")
    shift "$n"
    COMP_CWORD=$((n - 1))
    COMPREPLY=() COMPOPT=()
    _clauderon
    printf '<LINE>\n'
    ((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
    ((${#COMPOPT[@]})) && printf '<COMPOPT>%s\n' "${COMPOPT[@]}"
    printf '<END>\n'
done
printf '<STATE>%s %s\n' "$-" "$(shopt -p failglob)"
'''

ZSHRC = r'''
PS1='> '
RPS1=
unset zle_bracketed_paste
bindkey -e
fpath=("$CLAUDERON_TEST_FPATH" $fpath)
autoload -Uz compinit
compinit -u -D
compadd() {
    # Calls that only compute (-O/-A/-D) pass through; the others print what they add.
    local -i end=${@[(i)(-|--)]}
    if [[ " ${(j: :)@[1,end-1]} " == *' '-[OAD]' '* ]]; then
        builtin compadd "$@"
        return
    fi
    local -a __hits
    builtin compadd -A __hits "$@"
    local h
    for h in $__hits; do print -r -- "<HIT>$h"; done
    builtin compadd "$@"
}
__test_complete() {
    print -r -- "<BOC>"
    _main_complete
    local ret=$?
    compstate[insert]=''
    compstate[list]=''
    print -r -- "<EOC>"
    return ret
}
zle -C __test_complete complete-word __test_complete
bindkey '^I' __test_complete
'''

ZSH_DRIVER = r'''
zmodload zsh/zpty || exit 3
zsh_bin=$1
shift
zpty z $zsh_bin -d -i
zpty -w z 'print -r -- "<RE""ADY>"'
zpty -r z out '*<READY>*' || exit 4
for line in "$@"; do
    zpty -w -n z "$line"$'\t'
    zpty -r z out '*<EOC>*' || exit 5
    print -r -- "<LINE>"
    print -r -- "$out"
    zpty -w -n z $'\C-u'
done
zpty -d z
'''

FISH_DRIVER = r'''
for line in $argv
    echo '<LINE>'
    complete -C"$line"
    echo '<END>'
end
'''


def readline_words(line: str, breaks: str = "=:") -> list[str]:
    """``line``'s words as bash's readline splits them (plain words, no quoting): at
    whitespace, with each COMP_WORDBREAKS character in ``breaks`` a word of its own."""
    words: list[str] = []
    for token in line.split():
        words.extend(w for w in re.split(f"([{re.escape(breaks)}])", token) if w)
    if not line or line[-1].isspace():
        words.append("")
    return words


def complete_bash(bash: str, lines: Sequence[str], env: Mapping[str, str],
                  script: Path = COMPLETIONS / "clauderon.bash", cwd: Path | None = None,
                  prelude: str = "") -> dict[str, tuple[list[str], list[str]]]:
    """line -> (COMPREPLY, compopt calls); ``prelude`` runs after sourcing the script (and
    "<STATE>" maps to the shell's option letters and failglob setting at the end)."""
    argv = [bash, "--norc", "--noprofile", "-c", BASH_DRIVER, "driver", str(script), prelude]
    for line in lines:
        words = readline_words(line)
        argv += [line, str(len(words)), *words]
    out = _run(argv, env, cwd)
    results: dict[str, tuple[list[str], list[str]]] = {}
    chunks = out.split("<LINE>\n")[1:]
    assert len(chunks) == len(lines), out
    for line, chunk in zip(lines, chunks, strict=True):
        body = chunk.split("<END>\n")[0].splitlines()
        replies = [b for b in body if not b.startswith("<COMPOPT>")]
        compopts = [b[len("<COMPOPT>"):] for b in body if b.startswith("<COMPOPT>")]
        results[line] = (replies, compopts)
    results["<STATE>"] = (out.split("<STATE>")[-1].split(), [])
    return results


def complete_zsh(zsh: str, lines: Sequence[str], env: Mapping[str, str], zdotdir: Path,
                 fpath: Path = COMPLETIONS, cwd: Path | None = None) -> dict[str, list[str]]:
    """line -> the matches zsh kept for a TAB at its end (duplicates removed, order kept)."""
    zdotdir.mkdir(parents=True, exist_ok=True)
    (zdotdir / ".zshrc").write_text(ZSHRC, encoding="utf-8")
    full_env = {**env, "ZDOTDIR": str(zdotdir), "CLAUDERON_TEST_FPATH": str(fpath)}
    out = _run([zsh, "-f", "-c", ZSH_DRIVER, "driver", zsh, *lines], full_env, cwd)
    chunks = out.split("<LINE>\n")[1:]
    assert len(chunks) == len(lines), out
    results: dict[str, list[str]] = {}
    for line, chunk in zip(lines, chunks, strict=True):
        hits = re.findall(r"<HIT>(.*?)\r?\n", chunk.split("<BOC>", 1)[-1])
        results[line] = list(dict.fromkeys(hits))
    return results


def complete_fish(fish: str, lines: Sequence[str], env: Mapping[str, str],
                  setup: str = "", cwd: Path | None = None) -> dict[str, list[str]]:
    """line -> the candidates ``complete -C`` prints (descriptions dropped).

    fish loads a command's completions only when the command exists, so a ``clauderon`` that
    fails if run is put at the end of PATH (the real one, when installed, comes first)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fish-stub-") as stub_dir:
        stub = Path(stub_dir) / "clauderon"
        stub.write_text("#!/bin/sh\necho 'clauderon ran during a TAB' >&2\nexit 97\n")
        stub.chmod(0o755)
        path = f"{env['PATH']}:{stub_dir}" if env.get("PATH") else stub_dir
        out = _run([fish, "--no-config", "-c", setup + FISH_DRIVER, "--", *lines],
                   {**env, "PATH": path}, cwd)
    chunks = out.split("<LINE>\n")[1:]
    assert len(chunks) == len(lines), out
    return {line: [c.split("\t", 1)[0] for c in chunk.split("<END>\n")[0].splitlines()]
            for line, chunk in zip(lines, chunks, strict=True)}


def fish_setup(directory: Path = COMPLETIONS) -> str:
    """fish code that makes ``directory`` the first place fish autoloads completions from."""
    return f"set -p fish_complete_path '{directory}'\n"


def _run(argv: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> str:
    result = subprocess.run(list(argv), env=dict(env), capture_output=True, text=True,
                            timeout=TIMEOUT, check=False, cwd=cwd)
    if result.returncode != 0:
        raise AssertionError(f"{argv[0]} exited {result.returncode}\nstdout:\n"
                             f"{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}")
    return result.stdout


def readline_bash(bash: str, typed: Sequence[str], env: Mapping[str, str], cwd: Path,
                  script: Path = COMPLETIONS / "clauderon.bash") -> list[str]:
    """Type each of ``typed`` (TABs included) into a real interactive bash on a terminal, with
    the script sourced, and return the command line readline made of it."""
    import os
    import pty
    import select
    import time

    master, slave = pty.openpty()
    proc = subprocess.Popen([bash, "--norc", "--noprofile", "-i"], stdin=slave, stdout=slave,
                            stderr=slave, cwd=cwd, start_new_session=True, close_fds=True,
                            env={**env, "PS1": "$ ", "TERM": "dumb"})
    os.close(slave)
    seen = b""

    def read_until(pattern: bytes, timeout: float = 10.0) -> re.Match[bytes]:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, seen)
            if match:
                seen = seen[match.end():]
                return match
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} in bash's output: {seen[-2000:]!r}")
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                seen += os.read(master, 65536)

    try:
        os.write(master, f"source '{script}'; echo ':'READY\n".encode())
        read_until(rb":READY")
        results = []
        for text in typed:
            # Type, let readline complete, then turn the line into `echo <:line:>` and run it.
            os.write(master, text.encode())
            os.write(master, b"\x01echo '<:'\x05':>'\n")
            results.append(read_until(rb"\n<:(.*?):>\r?\n").group(1).decode())
        os.write(master, b"exit\n")
        proc.wait(timeout=10)
        return results
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
