"""What a TAB offers in real bash, zsh and fish: commands, options, values and session names.

Every line below is completed once per shell (one shell process each, see completion_harness);
the tests then compare what each shell offered with what the line should offer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from completion_harness import (
    NAMES,
    complete_bash,
    complete_fish,
    complete_zsh,
    fish_setup,
    readline_bash,
    write_names_cache,
)
from realtools import require

BUILTIN_LAYOUTS = {"default", "compact", "strider", "disable-status-bar", "classic", "welcome"}
SHELLS = {"bash", "zsh", "fish"}

# line -> what a TAB at its end offers (the same in the three shells).
CASES: dict[str, set[str]] = {
    "clauderon co": {"completions", "config"},
    "clauderon config ": {"path", "show", "init", "set"},
    "clauderon config sh": {"show"},
    "clauderon layout ": {"init"},
    "clauderon shell ": {"init", "install", "uninstall"},
    "clauderon attach ": set(NAMES),
    "clauderon attach app": {"app", "app-2"},
    "clauderon attach app ": set(),
    "clauderon attach zzz": set(),
    "clauderon kill ap": {"app", "app-2", "api-fix-auth"},
    "clauderon kill --yes api": {"api-fix-auth"},
    "clauderon rm app-": {"app-2"},
    "clauderon env ": set(NAMES),
    "clauderon env --shell ": {"bash", "zsh", "fish"},
    "clauderon env --shell f": {"fish"},
    "clauderon env --masked a": {"app", "app-2", "api-fix-auth"},
    "clauderon new --backend ": {"zellij", "tmux", "docker"},
    "clauderon new -b t": {"tmux"},
    "clauderon new --network ": {"bridge", "none", "host"},
    "clauderon new --layout ": BUILTIN_LAYOUTS | {"mine"},
    "clauderon new -l m": {"mine"},
    "clauderon new --backend tmux ": set(),  # the new session's name: nothing to offer
    "clauderon new --backend tmux --at": {"--attach"},
    "clauderon doctor --check proxy.": {"proxy.config", "proxy.reachable", "proxy.propagation"},
    "clauderon doctor --check zellij.": {"zellij.binary", "zellij.sockets"},
    "clauderon doctor --ch": {"--check"},
    "clauderon completions ": {"install", "bash", "zsh", "fish"},
    "clauderon completions install --shell ": {"bash", "zsh", "fish"},
    "clauderon completions install --": {"--shell", "--help"},
    "clauderon shell init ": {"bash", "zsh", "fish"},
    "clauderon shell install --shell z": {"zsh"},
    "clauderon shell uninstall --shell ": {"bash", "zsh", "fish"},
    "clauderon --v": {"--version"},
}
# `--opt=value`: bash and zsh offer the value, fish the whole word.
EQUALS: dict[str, set[str]] = {
    "clauderon new --backend=": {"zellij", "tmux", "docker"},
    "clauderon new --network=b": {"bridge"},
}
TOP = "clauderon "
NEW_SHELL = "clauderon new --shell "
WORKDIR = "clauderon new --workdir "
ALL_LINES = [*CASES, *EQUALS, TOP, NEW_SHELL, WORKDIR]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """HOME with the names cache and a layout; a working directory with a directory and a file
    (for --workdir and new --shell). Module-scoped: each shell runs once for all lines."""
    home = tmp_path_factory.mktemp("completion-home")
    write_names_cache(home / ".cache" / "clauderon" / "names", NAMES)
    (home / ".config" / "zellij" / "layouts").mkdir(parents=True)
    (home / ".config" / "zellij" / "layouts" / "mine.kdl").write_text("layout {\n}\n")
    work = tmp_path_factory.mktemp("completion-cwd")
    (work / "projects").mkdir()
    (work / "notes.txt").write_text("")
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8", "TERM": "dumb",
           "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local" / "share")}
    return env, work


@pytest.fixture(scope="module")
def offered(world: tuple[dict[str, str], Path],
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    """shell -> line -> what a TAB offered ("bash-compopt": bash's compopt calls). A missing
    shell is left out; its tests skip (or fail under CLAUDERON_REQUIRE_REAL=1) in `results`."""
    env, work = world
    found: dict[str, dict[str, list[str]]] = {}
    if shutil.which("bash"):
        bash = complete_bash("bash", ALL_LINES, env, cwd=work)
        found["bash"] = {line: replies for line, (replies, _) in bash.items()}
        found["bash-compopt"] = {line: compopts for line, (_, compopts) in bash.items()}
    if shutil.which("zsh"):
        found["zsh"] = complete_zsh("zsh", ALL_LINES, env, tmp_path_factory.mktemp("zdotdir"),
                                    cwd=work)
    if shutil.which("fish"):
        found["fish"] = complete_fish("fish", ALL_LINES, env, fish_setup(), cwd=work)
    return found


def results(offered: dict[str, dict[str, list[str]]], shell: str) -> dict[str, list[str]]:
    require(shell, f"the {shell} completion tests run real {shell}")
    return offered[shell]


@pytest.mark.parametrize("shell", sorted(SHELLS))
@pytest.mark.parametrize("line", list(CASES))
def test_tab_offers(offered: dict[str, dict[str, list[str]]], shell: str, line: str) -> None:
    got = results(offered, shell)[line]
    assert set(got) == CASES[line], f"{shell}: {line!r} offered {got}"


@pytest.mark.parametrize("shell", sorted(SHELLS))
@pytest.mark.parametrize("line", list(EQUALS))
def test_option_equals_value(offered: dict[str, dict[str, list[str]]], shell: str,
                             line: str) -> None:
    got = results(offered, shell)[line]
    if shell == "fish":
        option = line.split()[-1].split("=")[0] + "="
        got = [g.removeprefix(option) for g in got]
    assert set(got) == EQUALS[line], f"{shell}: {line!r} offered {got}"


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_top_level_offers_visible_commands_not_hidden_aliases(
        offered: dict[str, dict[str, list[str]]], shell: str) -> None:
    got = set(results(offered, shell)[TOP])
    assert {"new", "list", "attach", "kill", "env", "config", "layout", "completions"} <= got
    assert not {"ls", "rm", "print"} & got


def test_bash_workdir_and_new_shell_fall_back_to_readline_paths(
        offered: dict[str, dict[str, list[str]]]) -> None:
    results(offered, "bash")
    compopts = offered["bash-compopt"]
    assert offered["bash"][WORKDIR] == [] and compopts[WORKDIR] == ["-o dirnames"]
    assert offered["bash"][NEW_SHELL] == [] and compopts[NEW_SHELL] == ["-o default"]
    assert compopts["clauderon attach "] == []


def test_zsh_workdir_offers_directories_and_new_shell_files(
        offered: dict[str, dict[str, list[str]]]) -> None:
    got = results(offered, "zsh")
    assert "projects" in got[WORKDIR] and "notes.txt" not in got[WORKDIR]
    assert {"projects", "notes.txt"} <= set(got[NEW_SHELL])


def test_fish_workdir_offers_directories_and_new_shell_files(
        offered: dict[str, dict[str, list[str]]]) -> None:
    got = results(offered, "fish")
    assert "projects/" in got[WORKDIR] and "notes.txt" not in got[WORKDIR]
    assert {"projects/", "notes.txt"} <= set(got[NEW_SHELL])


# ------------------------------------------------------------ the names cache, shell by shell


def _write_names(env: dict[str, str], names: list[str]) -> None:
    write_names_cache(Path(env["XDG_CACHE_HOME"]) / "clauderon" / "names", names)


def test_bash_quotes_names_with_shell_characters(bash: str, env: dict[str, str]) -> None:
    _write_names(env, ["a$b", "a&c", "plain", "café-1", "x*y"])
    got = complete_bash(bash, ["clauderon attach ", "clauderon attach a", "clauderon kill x",
                               "clauderon attach c"], env)
    assert set(got["clauderon attach "][0]) == {r"a\$b", r"a\&c", "plain", "café-1", r"x\*y"}
    assert set(got["clauderon attach a"][0]) == {r"a\$b", r"a\&c"}
    assert got["clauderon kill x"][0] == [r"x\*y"]  # not expanded as a glob
    assert got["clauderon attach c"][0] == ["café-1"]


def test_bash_works_under_nounset_noglob_odd_ifs_and_failglob(
        bash: str, env: dict[str, str]) -> None:
    """Users' interactive settings must neither break the script nor be changed by it."""
    prelude = "set -u -f; IFS=,; shopt -s failglob"
    lines = ["clauderon attach a", "clauderon new --layout ", "clauderon new -b ",
             "clauderon new --backend=t", "clauderon config "]
    got = complete_bash(bash, lines, env, prelude=prelude)
    assert sorted(got["clauderon attach a"][0]) == sorted(NAMES)
    assert set(got["clauderon new --layout "][0]) == BUILTIN_LAYOUTS | {"mine"}
    assert set(got["clauderon new -b "][0]) == {"zellij", "tmux", "docker"}
    assert got["clauderon new --backend=t"][0] == ["tmux"]
    assert set(got["clauderon config "][0]) == {"path", "show", "init", "set"}
    flags, failglob = got["<STATE>"][0][0], " ".join(got["<STATE>"][0][1:])
    assert "u" in flags and "f" in flags and failglob == "shopt -s failglob"


def test_bash_names_with_a_colon_replace_only_what_readline_replaces(
        bash: str, env: dict[str, str]) -> None:
    # COMP_WORDBREAKS splits `web:1` into `web` `:` `1`; readline replaces only `1`.
    _write_names(env, ["web:1", "web:2", "other"])
    line = "clauderon attach web:"
    got = complete_bash(bash, [line, "clauderon attach web"], env)
    assert sorted(got[line][0]) == ["1", "2"]
    assert sorted(got["clauderon attach web"][0]) == ["web:1", "web:2"]


def test_bash_cursor_inside_a_word_completes_what_precedes_it(
        bash: str, env: dict[str, str]) -> None:
    script = (f"source {Path(__file__).parents[2] / 'completions' / 'clauderon.bash'}\n"
              "COMP_LINE='clauderon attach apXYZ'; COMP_POINT=18\n"
              "COMP_WORDS=(clauderon attach apXYZ); COMP_CWORD=2\n"
              "_clauderon; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    out = subprocess.run([bash, "--norc", "-c", script], env=env, capture_output=True,
                         text=True, check=True)
    assert sorted(out.stdout.split()) == ["api-fix-auth", "app", "app-2"]


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_names_follow_xdg_cache_home_and_a_missing_cache_offers_nothing(
        shell: str, env: dict[str, str], tmp_path: Path) -> None:
    path = require(shell, f"the {shell} completion tests run real {shell}")
    elsewhere = dict(env, XDG_CACHE_HOME=str(tmp_path / "cache"))
    _write_names(elsewhere, ["moved-1", "moved-2"])
    missing = dict(env, XDG_CACHE_HOME=str(tmp_path / "nothing-here"))
    relative = dict(env, XDG_CACHE_HOME="relative/dir")  # ignored, as clauderon.paths does
    line = "clauderon attach "
    runs = []
    for environment in (elsewhere, missing, relative):
        if shell == "bash":
            runs.append(complete_bash(path, [line], environment)[line][0])
        elif shell == "zsh":
            runs.append(complete_zsh(path, [line], environment, tmp_path / "zdot")[line])
        else:
            runs.append(complete_fish(path, [line], environment, fish_setup())[line])
    assert sorted(runs[0]) == ["moved-1", "moved-2"]
    assert runs[1] == []
    assert sorted(runs[2]) == sorted(NAMES)


def test_names_cache_rewritten_by_clauderon_is_what_bash_completes(
        bash: str, env: dict[str, str]) -> None:
    """The file clauderon writes (sessions.refresh_names_cache) is the file the scripts read."""
    from clauderon import paths

    target = paths.names_cache(env)
    assert target == Path(env["XDG_CACHE_HOME"]) / "clauderon" / "names"
    got = complete_bash(bash, ["clauderon attach "], env)["clauderon attach "][0]
    assert sorted(got) == sorted(NAMES)


def test_bash_readline_inserts_what_the_script_offers(bash: str, env: dict[str, str],
                                                      tmp_path: Path) -> None:
    """A real interactive bash on a terminal: TAB completes a unique session name, a
    directory for --workdir (through `compopt -o dirnames`), a file for `new --shell`, and
    inserts a name with a `$` quoted."""
    (tmp_path / "projects").mkdir()
    (tmp_path / "run-me.sh").write_text("")
    _write_names(env, ["app", "app-2", "api-fix-auth", "cost$1"])
    typed = ["clauderon attach api\t", "clauderon new --workdir pro\t",
             "clauderon new --shell run\t", "clauderon kill co\t", "clauderon con\t"]
    got = readline_bash(bash, typed, env, tmp_path)
    # The lines are echoed, so `cost\$1` shows as `cost$1` (unquoted it would show `cost`).
    assert got == ["clauderon attach api-fix-auth ", "clauderon new --workdir projects/",
                   "clauderon new --shell run-me.sh ", "clauderon kill cost$1 ",
                   "clauderon config "]
