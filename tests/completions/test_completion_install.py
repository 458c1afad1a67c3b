"""`clauderon completions SHELL` and `clauderon completions install`: where each script goes,
that it is written once (atomically, idempotently), and that each shell then finds it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from completion_harness import ROOT
from typer.testing import CliRunner

from clauderon import __version__, completions
from clauderon.cli.app import app
from clauderon.errors import ClauderonError

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and output of ``clauderon ARGS`` run in-process (as cli.app.run() would
    report a ClauderonError: one line, its exit code)."""
    result = runner.invoke(app, list(args))
    exc = result.exception
    if isinstance(exc, ClauderonError):
        return exc.exit_code, f"error: {exc}\n"
    if exc is not None and not isinstance(exc, SystemExit):
        raise exc
    return result.exit_code, result.output


@pytest.mark.parametrize("shell,name", [("bash", "clauderon.bash"), ("zsh", "_clauderon"),
                                        ("fish", "clauderon.fish")])
def test_completions_shell_prints_the_packaged_script_with_its_version(shell: str,
                                                                      name: str) -> None:
    code, out = invoke("completions", shell)
    assert code == 0
    assert out == (ROOT / "completions" / name).read_text()
    assert completions.script_version(out) == __version__


def test_completions_unknown_shell_is_a_one_line_usage_error() -> None:
    code, out = invoke("completions", "tcsh")
    assert code == 2 and out.count("\n") == 1 and "tcsh" in out and "bash, zsh, fish" in out


def test_completions_without_arguments_shows_help() -> None:
    code, out = invoke("completions")
    assert "SHELL | install" in out and "install" in out
    assert code in (0, 2)


@pytest.mark.parametrize("shell,where", [
    ("bash", ".local/share/bash-completion/completions/clauderon"),
    ("zsh", ".local/share/zsh/site-functions/_clauderon"),
    ("fish", ".config/fish/completions/clauderon.fish"),
])
def test_install_writes_the_script_where_the_shell_looks_and_is_idempotent(
        home: Path, shell: str, where: str) -> None:
    target = home / where
    code, out = invoke("completions", "install", "--shell", shell)
    assert code == 0, out
    assert target.read_text() == completions.script_text(shell)
    assert f"Installed {shell} completions: ~/{where}" in out
    assert completions.status(shell).state is completions.State.CURRENT
    before = target.stat()
    code, out = invoke("completions", "install", "--shell", shell)
    assert code == 0 and "up to date" in out and "nothing to do" in out
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not list(target.parent.glob(".*.tmp"))  # no temporary file left behind
    assert not (home / ".zshrc").exists() and not (home / ".bashrc").exists()


def test_install_replaces_a_stale_copy(home: Path) -> None:
    target = completions.install_path("fish")
    target.parent.mkdir(parents=True)
    target.write_text(completions.stamp(completions.script_text("fish"), "0.0.1"))
    stale = completions.status("fish")
    assert stale.state is completions.State.STALE and stale.version == "0.0.1"
    code, out = invoke("completions", "install", "--shell", "fish")
    assert code == 0 and "Installed fish completions" in out
    assert completions.status("fish").state is completions.State.CURRENT


def test_status_of_a_missing_script(home: Path) -> None:
    assert completions.status("zsh").state is completions.State.MISSING


def test_install_honours_xdg_dirs_and_bash_completion_user_dir(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert completions.install_path("zsh") == tmp_path / "data/zsh/site-functions/_clauderon"
    assert completions.install_path("fish") == tmp_path / "config/fish/completions/clauderon.fish"
    assert completions.install_path("bash") == (tmp_path / "data/bash-completion/completions"
                                                "/clauderon")
    monkeypatch.setenv("BASH_COMPLETION_USER_DIR", str(tmp_path / "bc"))
    assert completions.install_path("bash") == tmp_path / "bc/completions/clauderon"
    monkeypatch.setenv("XDG_DATA_HOME", "relative")  # not absolute: ignored, like clauderon.paths
    assert completions.install_path("zsh") == home / ".local/share/zsh/site-functions/_clauderon"


def test_zsh_install_prints_the_fpath_line_unless_zshrc_has_it(home: Path) -> None:
    code, out = invoke("completions", "install", "--shell", "zsh")
    assert "fpath=(~/.local/share/zsh/site-functions $fpath)" in out
    assert "before compinit" in out
    (home / ".zshrc").write_text("fpath=(~/.local/share/zsh/site-functions $fpath)\n"
                                 "autoload -Uz compinit && compinit\n")
    code, out = invoke("completions", "install", "--shell", "zsh")
    assert code == 0 and "fpath=" not in out


def test_install_detects_the_shell(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("fish", "/usr/bin/fish"))
    code, out = invoke("completions", "install")
    assert code == 0 and "Installed fish completions" in out


def test_install_falls_back_to_SHELL_then_fails_in_one_line(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    def fail() -> tuple[str, str]:
        raise shellingham.ShellDetectionFailure()

    monkeypatch.setattr(shellingham, "detect_shell", fail)
    monkeypatch.setenv("SHELL", "/usr/bin/zsh")
    code, out = invoke("completions", "install")
    assert code == 0 and "Installed zsh completions" in out
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    code, out = invoke("completions", "install")
    assert code == 2 and out.count("\n") == 1 and "--shell" in out
    code, out = invoke("completions", "install", "--shell", "csh")
    assert code == 2 and out.count("\n") == 1 and "'csh'" in out


def test_real_clauderon_prints_and_installs(home: Path) -> None:
    """The installed entry point (not the in-process app) does the same."""
    env = dict(os.environ)
    found = shutil.which("clauderon")
    clauderon = [found] if found else [sys.executable, "-m", "clauderon"]
    out = subprocess.run([*clauderon, "completions", "zsh"], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.startswith("#compdef clauderon\n# clauderon-completions ")
    bad = subprocess.run([*clauderon, "completions", "install", "--shell", "ksh"], env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and bad.stdout == ""


# ---------------------------------------------------------- each shell finds the installed copy


def test_bash_completion_loads_the_installed_script(home: Path, bash: str) -> None:
    loader = Path("/usr/share/bash-completion/bash_completion")
    if not loader.is_file():
        pytest.skip("bash-completion is not installed (it is what loads the per-user dir)")
    invoke("completions", "install", "--shell", "bash")
    script = (f". {loader}\n__load_completion clauderon || _completion_loader clauderon\n"
              "complete -p clauderon\n")
    out = subprocess.run([bash, "--norc", "-c", script], env=dict(os.environ),
                         capture_output=True, text=True)
    assert "complete -F _clauderon clauderon" in out.stdout, out.stderr


def test_zsh_autoloads_the_installed_script_from_fpath_without_our_compinit(
        home: Path, zsh: str) -> None:
    invoke("completions", "install", "--shell", "zsh")
    target = completions.install_path("zsh")
    text = target.read_text()
    assert text.startswith("#compdef clauderon\n")
    assert not any(line.strip().startswith("compinit") for line in text.splitlines())
    script = (f"fpath=({target.parent} $fpath)\nautoload -Uz compinit\ncompinit -u -D\n"
              "print -r -- $_comps[clauderon]\n")
    out = subprocess.run([zsh, "-f", "-c", script], env=dict(os.environ), capture_output=True,
                         text=True)
    assert out.stdout.strip() == "_clauderon", out.stderr


def test_fish_autoloads_the_installed_script_from_its_config_dir(
        home: Path, fish: str, tmp_path: Path) -> None:
    invoke("completions", "install", "--shell", "fish")
    env = dict(os.environ)
    if shutil.which("clauderon") is None:  # fish completes only commands that exist
        (tmp_path / "clauderon").write_text("#!/bin/sh\nexit 97\n")
        (tmp_path / "clauderon").chmod(0o755)
        env["PATH"] = f"{env.get('PATH', '')}:{tmp_path}"
    out = subprocess.run([fish, "-c", "complete -C 'clauderon att'"], env=env,
                         capture_output=True, text=True)
    assert out.stdout.split("\t")[0] == "attach", out.stderr
