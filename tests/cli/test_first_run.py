"""The first run on a machine without Zellij (issue 14 item 1): a fresh HOME, `zellij` absent
from PATH, a real tmux. The README's quick start for that case is run line by line in a real
bash, and each line's output is compared with what the README shows under it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from realtools import require

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"


def quick_start_blocks() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Quick start")
    section = text[start:text.index("\n## ", start + 1)]
    return [block.splitlines() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def steps(block: list[str]) -> list[tuple[str, list[str]]]:
    """(command line, the output lines the README shows under it)."""
    out: list[tuple[str, list[str]]] = []
    for line in block:
        if line.startswith("#  -> ") or (line.startswith("#     ") and out):
            out[-1][1].append(line[6:])
        elif line and not line.startswith("#"):
            out.append((line.split("  #")[0].strip(), []))
    return out


class FirstRun:
    def __init__(self, root: Path, tmux_tmpdir: Path) -> None:
        self.home = root / "home"
        self.home.mkdir()
        (self.home / "src" / "api").mkdir(parents=True)
        bin_dir = root / "bin"
        bin_dir.mkdir()
        script = Path(sys.executable).parent / "clauderon"
        wrapper = bin_dir / "clauderon"
        if script.exists():
            wrapper.symlink_to(script)
        else:  # pragma: no cover - a checkout without the console script
            wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m clauderon "$@"\n')
            wrapper.chmod(0o755)
        path = os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"])
        assert shutil.which("zellij", path=path) is None, "zellij must be absent from PATH"
        self.env = {"HOME": str(self.home), "PATH": path, "SHELL": "/bin/bash",
                    "TERM": "xterm-256color", "LANG": "C.UTF-8", "USER": "me",
                    "TMUX_TMPDIR": str(tmux_tmpdir)}
        for var in ("PYTHONPATH", "VIRTUAL_ENV"):
            if var in os.environ:
                self.env[var] = os.environ[var]

    def bash(self, line: str) -> subprocess.CompletedProcess[str]:
        """``line`` as a user types it (a real bash expands ~)."""
        return subprocess.run(["/bin/bash", "--noprofile", "--norc", "-c", line],
                              env=self.env, cwd=self.home, capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)


@pytest.fixture
def first_run(tmp_path: Path) -> Iterator[FirstRun]:
    require("tmux", "the first run without Zellij uses a real tmux")
    tmux_tmpdir = Path(tempfile.mkdtemp(prefix="cfr-"))
    world = FirstRun(tmp_path, tmux_tmpdir)
    try:
        yield world
    finally:
        subprocess.run(["tmux", "kill-server"], env=world.env, capture_output=True)
        shutil.rmtree(tmux_tmpdir, ignore_errors=True)


def test_readme_quick_start_with_tmux_only(first_run: FirstRun) -> None:
    blocks = quick_start_blocks()
    tmux_block = next(b for b in blocks if "clauderon config set default_backend tmux" in b)
    new_line = next(line for line, _ in steps(tmux_block) if line.startswith("clauderon new"))
    api = first_run.home / "src" / "api"

    # Before the config line: the Zellij path's command says what to do, and makes nothing.
    refused = first_run.bash(new_line)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        "error: zellij not found on PATH and zellij is the default backend; tmux is "
        f"installed: run `clauderon new --backend tmux --workdir {api} --name api fix-auth`, "
        "or make it the default with `clauderon config set default_backend tmux` "
        "(`clauderon doctor` shows how to install zellij)\n")
    assert first_run.bash("clauderon list").stdout == ""
    doctor = first_run.bash("clauderon doctor --check zellij.binary")
    assert ("The default backend, zellij, cannot run here (zellij is not installed) but tmux "
            "can: `clauderon config set default_backend tmux` makes it the default (or add "
            "`--backend tmux` to `clauderon new`).\n") in doctor.stdout
    # The command it suggests works as printed (then is removed again).
    suggested = re.search(r"run `([^`]*)`", refused.stderr)
    assert suggested is not None
    assert first_run.bash(suggested.group(1)).returncode == 0
    assert first_run.bash("clauderon kill api-fix-auth").returncode == 0

    # The README's tmux path, line by line, each line's output as the README shows it.
    for line, shown in steps(tmux_block):
        done = first_run.bash(line)
        assert (done.returncode, done.stderr) == (0, ""), (line, done.stderr)
        if line == "clauderon list":
            name, backend, status, workdir, _age = done.stdout.rstrip("\n").split("\t")
            assert (name, backend, status, workdir) == ("api-fix-auth", "tmux", "running",
                                                        "~/src/api")
        else:
            assert done.stdout.splitlines() == shown, line
    config = first_run.home / ".config" / "clauderon" / "config.toml"
    assert config.read_text(encoding="utf-8") == 'default_backend = "tmux"\n'
    # and now doctor has nothing to suggest about the backend
    assert "cannot run here" not in first_run.bash("clauderon doctor").stdout
