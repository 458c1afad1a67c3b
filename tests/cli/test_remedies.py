"""Doctor's remedies work when pasted (issue 14 item 2): each remedy the scenarios below make
doctor print is run by a real bash in the test's sandbox HOME (the doctor tests' world:
fresh HOME, XDG dirs, the Zellij fake) and must succeed and, where it is a repair, turn its
check OK.

Remedies that cannot run here, and why (NOT_RUNNABLE): package managers need root and the
network (`sudo apt-get install tmux`, `brew`, `dnf`...), `pip install` needs the network,
`docker pull` needs a registry, prose is not a command. The Zellij release download is run
with real curl and tar, its https URL swapped for a file:// URL of a release-shaped tarball
(no network here): what matters on a fresh HOME is that ~/.local/bin is made first.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from realtools import require

from tests.doctor.world import World

FAKE_ZELLIJ = Path(__file__).resolve().parents[1] / "fakes" / "zellij"

NOT_RUNNABLE = [
    (re.compile(r"\b(sudo|apt-get|dnf|pacman|apk|zypper|emerge|brew|nix-env)\b"),
     "a package manager: root and the network"),
    (re.compile(r"\bpip install\b"), "pip install: the network"),
    (re.compile(r"\bdocker pull\b"), "docker pull: a registry on the network"),
    (re.compile(r"^this is a bug|^install tmux"), "prose, not a command"),
]


def not_runnable(remedy: str) -> str | None:
    return next((why for pattern, why in NOT_RUNNABLE if pattern.search(remedy)), None)


def paste(world: World, remedy: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """``remedy`` pasted into a real bash in the sandbox (EDITOR=true: an editor command
    opens the file it names, then returns)."""
    env = {**world.env, "EDITOR": "true",
           "PATH": os.pathsep.join([os.path.dirname(sys.executable), world.env["PATH"]]),
           **extra}
    return subprocess.run(["/bin/bash", "--norc", "--noprofile", "-c", remedy], env=env,
                          cwd=world.work, capture_output=True, text=True, timeout=120)


def remedies(run: Any) -> dict[str, str]:
    assert run.data is not None, run.stdout + run.stderr
    return {c["id"]: c["remedy"] for c in run.data["checks"]
            if c["remedy"] and c["status"] in ("warning", "error")}


def run_and_recheck(world: World, check_id: str, **extra: str) -> None:
    remedy = remedies(world.doctor("--check", check_id))[check_id]
    assert not_runnable(remedy) is None, remedy
    done = paste(world, remedy, **extra)
    assert done.returncode == 0, (remedy, done.stdout, done.stderr)
    after = world.doctor("--check", check_id).check(check_id)
    assert after["status"] == "ok", (remedy, after)


def test_every_remedy_of_a_fresh_home_runs(world: World) -> None:
    """A fresh HOME with zsh: whatever doctor suggests is either run (and must succeed) or
    listed as not runnable here, with the reason."""
    world.set_shell("zsh")
    world.work.mkdir(exist_ok=True)
    seen = remedies(world.doctor())
    assert seen, "a fresh HOME has something to set up"
    skipped = {}
    for check_id, remedy in seen.items():
        why = not_runnable(remedy)
        if why:
            skipped[check_id] = why
            continue
        done = paste(world, remedy)
        assert done.returncode == 0, (check_id, remedy, done.stderr)
    after = world.doctor()
    assert after.check("shell.init")["status"] == "ok"
    for check_id in set(seen) - set(skipped):  # each one ran changed what doctor says
        assert after.check(check_id)["status"] == "ok" or \
            after.check(check_id)["remedy"] != seen[check_id], check_id


def test_shell_hook_remedy(world: World) -> None:
    world.work.mkdir(exist_ok=True)
    run_and_recheck(world, "shell.init")


def test_config_permissions_remedy(world: World) -> None:
    world.work.mkdir(exist_ok=True)
    path = world.write_config('[proxy]\nhttp = "http://me:pw@proxy.internal:3128"\n')
    path.chmod(0o644)
    run_and_recheck(world, "config.file")
    assert path.stat().st_mode & 0o777 == 0o600


def test_missing_layout_remedy(world: World) -> None:
    world.work.mkdir(exist_ok=True)
    world.write_config('[zellij]\nlayout = "clauderon"\n')
    run_and_recheck(world, "config.layout")


def test_registry_permissions_remedy(world: World) -> None:
    world.work.mkdir(exist_ok=True)
    world.new("loose")
    world.registry_path.chmod(0o644)
    run_and_recheck(world, "registry.db")


def test_zellij_release_install_on_a_fresh_home(world: World, tmp_path: Path) -> None:
    """The Zellij hint for a system without a package (Debian, Ubuntu, the rest): on a HOME
    without ~/.local/bin it makes the directory, unpacks zellij there, and doctor says
    ~/.local/bin must be put on PATH; once it is, zellij.binary is OK."""
    require("curl", "the Zellij install remedy pipes curl into tar")
    from clauderon.backends.zellij import INFO
    from clauderon.install_hints import hint

    world.work.mkdir(exist_ok=True)
    no_zellij = world.no_zellij
    run = world.doctor("--check", "zellij.binary", env=no_zellij)
    item = run.check("zellij.binary")
    assert item["status"] == "error"
    assert ('~/.local/bin is not on PATH: after installing there, add it to your shell\'s '
            'start-up file: export PATH="$HOME/.local/bin:$PATH" (fish: fish_add_path '
            "~/.local/bin)") in item["details"]
    remedy = hint(INFO.install, "linux", ["debian"], root=True)
    release = re.search(r"https://\S+\.tar\.gz", remedy)
    assert release is not None and remedy.startswith("mkdir -p ~/.local/bin && ")
    tarball = tmp_path / "zellij.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:  # a release holds one file: zellij
        tar.add(FAKE_ZELLIJ, arcname="zellij")
    local = remedy.replace(release.group(0), tarball.as_uri())
    assert not (world.home / ".local" / "bin").exists()
    done = paste(world, local, PATH=no_zellij["PATH"] or "")
    assert done.returncode == 0, (local, done.stderr)
    installed = world.home / ".local" / "bin" / "zellij"
    assert installed.is_file() and os.access(installed, os.X_OK)
    on_path = {"PATH": os.pathsep.join([str(installed.parent), no_zellij["PATH"] or ""]),
               "PYTHONPATH": str(FAKE_ZELLIJ.parent)}
    fixed = world.doctor("--check", "zellij.binary", env=on_path).check("zellij.binary")
    assert fixed["status"] == "ok", fixed
    assert fixed["summary"].endswith("at ~/.local/bin/zellij")


@pytest.mark.parametrize("remedy,why", [
    ("sudo apt-get install tmux", "a package manager: root and the network"),
    ("python3 -m pip install --upgrade clauderon", "pip install: the network"),
    ("docker pull debian:bookworm   # or build it", "docker pull: a registry on the network"),
])
def test_what_is_not_run_here_is_named(remedy: str, why: str) -> None:
    assert not_runnable(remedy) == why
