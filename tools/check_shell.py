#!/usr/bin/env python3
"""shellcheck every shell file clauderon ships and every shell snippet it writes.

    python3 tools/check_shell.py     # exit 0 when clean, 1 on any finding (each one printed)

What is checked:

- shipped files: the bash hook (``shell/*.bash``) and the bash completion script
  (``completions/clauderon.bash``), with shellcheck;
- written snippets, rendered here into a temporary directory from values chosen to be hostile
  (quotes, ``$()``, backquotes, newlines, backslashes, ``!``, globs, unicode, empty values):
  the session env file (``clauderon.shellquote.render_env_file``, read by sh, bash and zsh:
  shellcheck as sh and as bash) and the rc-file block ``clauderon shell install`` writes
  (``clauderon.shellrc.install_block`` with ``hook_line``, for a hook path holding the same
  characters: shellcheck as bash, and as sh for the zsh block, whose line is POSIX).

shellcheck knows neither zsh nor fish, so the zsh and fish files (``shell/*.zsh``,
``shell/*.fish``, ``completions/_clauderon``, ``completions/clauderon.fish``, the fish env file
and the zsh and fish rc blocks) get their own shell's syntax check (``zsh -n``,
``fish --no-execute``) instead. Findings in shell/ or the completion templates are fixed or
annotated there with ``# shellcheck disable=SCxxxx`` and the reason. A written snippet cannot
carry annotations, so the few codes it is exempt from are listed below (``DATA_NOTES``,
``SNIPPET_EXEMPT``), each with its reason.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the working tree's clauderon, not an installed copy

TIMEOUT = 120

# Values that break anything that does not quote exactly.
HOSTILE_VALUES = {
    "PLAIN": "value",
    "EMPTY": "",
    "QUOTES": "it's \"quoted\" 'twice'' and ''",
    "SUBSTITUTION": "$(touch pwned) `touch pwned` ${HOME} $((1+1))",
    "NEWLINES": "line one\nline two\n",
    "BACKSLASHES": "back\\slash \\' \\",
    "HISTORY": "!! !$ !-1 ^a^b",
    "GLOBS": "* ? [ab] ~ {a,b}",
    "UNICODE": "caf\u00e9 \u00fc \u65e5\u672c \u202e",
    "http_proxy": "http://user:p@ss'w\"rd$x@proxy.example:3128",
    "TERM": "xterm-256color'$(x)",
    "LANG": "C.UTF-8",
    "LC_ALL": "",
}
HOSTILE_SESSION = "evil'\n$(name) `x` \\"

# Notes about the hostile *values*, not the code: inside single quotes nothing expands and a
# backslash is literal, which is exactly what the snippets rely on (SC2016: "expressions don't
# expand in single quotes"; SC1003: "want to escape a single quote?").
DATA_NOTES = ("SC2016", "SC1003")
# Per snippet, the codes it is exempt from, and why.
SNIPPET_EXEMPT = {
    # `[ "${TERM+x}${TERM-}" = x'v' ] && export TERM || export TERM='v'`: the `||` branch
    # runs only when `export TERM` fails (it cannot, for a valid name), and then assigns the
    # same value. doctor (clauderon/doctor/checks/_live.py) reads this exact form back.
    "env file": ("SC2015",),
    # The sourced hook is a runtime path; the hook file itself is checked as shell/*.bash.
    "rc-file block": ("SC1091",),
}
HOSTILE_DIR = "hook dir's $(x) `y` \"z\" \\ !"


@dataclass(frozen=True)
class Target:
    """One file to check: ``tool`` is shellcheck's dialect (sh, bash) or ``zsh``/``fish``,
    whose own syntax check runs instead."""

    label: str
    path: Path
    tool: str
    exclude: tuple[str, ...] = ()


def shipped() -> list[Target]:
    """The shell files in the repository that clauderon installs."""
    tools = {".sh": "sh", ".bash": "bash", ".zsh": "zsh", ".fish": "fish"}
    targets = [Target(f"shell/{p.name}", p, tools[p.suffix])
               for p in sorted((ROOT / "shell").iterdir()) if p.suffix in tools]
    completions = ROOT / "completions"
    targets += [Target("completions/clauderon.bash", completions / "clauderon.bash", "bash"),
                Target("completions/_clauderon", completions / "_clauderon", "zsh"),
                Target("completions/clauderon.fish", completions / "clauderon.fish", "fish")]
    return targets


def written(directory: Path) -> list[Target]:
    """The snippets clauderon writes, rendered into ``directory`` from hostile values."""
    from clauderon import shellquote, shellrc

    targets = []
    env_sh = directory / "session.sh"
    env_sh.write_text(shellquote.render_env_file(HOSTILE_VALUES, "sh", session=HOSTILE_SESSION),
                      encoding="utf-8")
    exempt = DATA_NOTES + SNIPPET_EXEMPT["env file"]
    targets += [Target("env file (sh)", env_sh, "sh", exempt),
                Target("env file (bash)", env_sh, "bash", exempt),
                Target("env file (zsh)", env_sh, "zsh")]
    env_fish = directory / "session.fish"
    env_fish.write_text(shellquote.render_env_file(HOSTILE_VALUES, "fish",
                                                   session=HOSTILE_SESSION), encoding="utf-8")
    targets.append(Target("env file (fish)", env_fish, "fish"))
    hook_dir = directory / HOSTILE_DIR
    rc_names = {"bash": ".bashrc", "zsh": ".zshrc", "fish": "config.fish"}
    for shell, rc_name in rc_names.items():
        rc = directory / f"rc-{shell}" / rc_name
        rc.parent.mkdir()
        rc.write_text("# the user's own line\nexport EDITOR=vi\n", encoding="utf-8")
        hook = hook_dir / f"clauderon.{shell}"
        shellrc.install_block(rc, shellrc.hook_line(shell, hook))
        exempt = DATA_NOTES + SNIPPET_EXEMPT["rc-file block"]
        targets.append(Target(f"rc-file block ({shell})", rc, shell,
                              exempt if shell == "bash" else ()))
        if shell == "zsh":
            targets.append(Target("rc-file block (zsh, as sh)", rc, "sh", exempt))
    return targets


def check(target: Target) -> str:
    """What the checker says about ``target``: empty when it is clean."""
    if target.tool == "zsh":
        argv: Sequence[str] = ["zsh", "-n", str(target.path)]
    elif target.tool == "fish":
        argv = ["fish", "--no-execute", str(target.path)]
    else:
        argv = ["shellcheck", "--format=gcc", f"--shell={target.tool}"]
        if target.exclude:
            argv.append("--exclude=" + ",".join(target.exclude))
        argv.append(str(target.path))
    result = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if result.returncode == 0:
        return ""
    return (result.stdout + result.stderr).strip() or f"{argv[0]} exited {result.returncode}"


def main() -> int:
    findings = 0
    with tempfile.TemporaryDirectory(prefix="clauderon-check-shell-") as tmp:
        for target in [*shipped(), *written(Path(tmp))]:
            said = check(target)
            checker = {"zsh": "zsh -n", "fish": "fish --no-execute"}.get(
                target.tool, f"shellcheck --shell={target.tool}")
            if said:
                findings += 1
                print(f"FAIL {target.label} ({checker}):\n{said}\n")
            else:
                print(f"ok   {target.label} ({checker})")
    if findings:
        print(f"{findings} file(s) with findings", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
