"""zellij.binary and zellij.sockets against the Zellij fake."""

from __future__ import annotations

import pytest

from clauderon.backends.zellij import hint_for_this_machine, install_hint
from tests.doctor.world import World


def test_binary_ok_names_version_and_path(world: World) -> None:
    item = world.doctor("--check", "zellij.binary").check("zellij.binary")

    assert item["status"] == "ok"
    assert item["summary"].startswith("zellij 0.44.1 at ")
    assert item["summary"].endswith("/fakes/zellij")


def test_binary_missing_is_an_error_with_an_install_hint(world: World) -> None:
    run = world.doctor("--check", "zellij.binary", env=world.no_zellij)

    item = run.check("zellij.binary")
    assert item["status"] == "error"
    assert item["summary"] == "zellij not found on PATH"
    assert item["remedy"] == hint_for_this_machine()
    assert run.returncode == 1


def test_binary_missing_is_skipped_when_zellij_is_not_used(world: World) -> None:
    world.write_config('default_backend = "tmux"\n')

    item = world.doctor("--check", "zellij.binary", env=world.no_zellij).check("zellij.binary")

    assert item["status"] == "skipped"
    assert "not needed: the default backend is tmux" in item["summary"]


@pytest.mark.parametrize("version", ["0.39.0"])
def test_binary_too_old_is_an_error(world: World, version: str) -> None:
    item = world.doctor("--check", "zellij.binary",
                        env={"FAKE_ZELLIJ_VERSION": version}).check("zellij.binary")

    assert item["status"] == "error"
    assert f"zellij {version}" in item["summary"] and "too old" in item["summary"]
    assert "≥ 0.40.0" in item["summary"]
    assert item["remedy"] == hint_for_this_machine()


def test_binary_unreadable_version_is_an_error_without_raw_escapes(world: World) -> None:
    run = world.doctor("--check", "zellij.binary", env={"FAKE_ZELLIJ_GARBAGE": "--version"})

    item = run.check("zellij.binary")
    assert item["status"] == "error"
    assert "cannot read the version" in item["summary"]
    assert "\x1b" not in run.stdout and "\\x1b" in item["summary"]


@pytest.mark.parametrize(("platform", "ids", "expected"), [
    ("linux", ["arch"], "sudo pacman -S zellij"),
    ("linux", ["manjaro", "arch"], "sudo pacman -S zellij"),
    ("linux", ["alpine"], "sudo apk add zellij"),
    ("linux", ["fedora"], "sudo dnf copr enable varlad/zellij && sudo dnf install zellij"),
    ("darwin", [], "brew install zellij"),
])
def test_install_hint_per_os(platform: str, ids: list[str], expected: str) -> None:
    assert install_hint(platform, ids, root=False) == expected


@pytest.mark.parametrize("ids", [["debian"], ["ubuntu", "debian"], ["linuxmint", "ubuntu"], []])
def test_install_hint_for_debian_family_is_cargo_or_the_release_binary(ids: list[str]) -> None:
    hint = install_hint("linux", ids, root=True, machine="aarch64")

    # a fresh HOME has no ~/.local/bin: the command makes it first
    assert hint.startswith("mkdir -p ~/.local/bin && curl -fsSL ")
    assert "zellij-aarch64-unknown-linux-musl.tar.gz | tar -xz -C ~/.local/bin" in hint
    assert "cargo install --locked zellij" in hint
    assert "sudo" not in install_hint("linux", ["arch"], root=True)


def test_sockets_ok_says_which_dir_and_why(world: World) -> None:
    item = world.doctor("--check", "zellij.sockets").check("zellij.sockets")

    assert item["status"] == "ok"
    assert item["summary"] == f"{world.env['ZELLIJ_SOCKET_DIR']}/contract_version_1 " \
                              "(ZELLIJ_SOCKET_DIR is set)"


def test_sockets_warn_without_xdg_runtime_dir(world: World) -> None:
    tmpdir = world.env["TMPDIR"]

    item = world.doctor("--check", "zellij.sockets", env={
        "ZELLIJ_SOCKET_DIR": None, "XDG_RUNTIME_DIR": None}).check("zellij.sockets")

    assert item["status"] == "warning"
    assert "XDG_RUNTIME_DIR is unset" in item["summary"]
    assert "cron, ssh, su" in item["summary"]
    base = f"{tmpdir}/zellij-0" if tmpdir else "/tmp/zellij-0"
    assert item["remedy"] == f"echo 'export ZELLIJ_SOCKET_DIR={base}' >> ~/.profile"


def test_sockets_ok_with_xdg_runtime_dir(world: World) -> None:
    runtime = world.root / "run"
    runtime.mkdir()
    item = world.doctor("--check", "zellij.sockets", env={
        "ZELLIJ_SOCKET_DIR": None, "XDG_RUNTIME_DIR": str(runtime)}).check("zellij.sockets")

    assert item["status"] == "ok"
    assert item["summary"] == f"{runtime}/zellij/contract_version_1 (XDG_RUNTIME_DIR is set)"


def test_sockets_warn_about_sessions_of_an_older_version(world: World) -> None:
    old = {"FAKE_ZELLIJ_VERSION": "0.43.1"}
    assert world.zellij("attach", "--create-background", "before-upgrade", env=old).returncode == 0

    item = world.doctor("--check", "zellij.sockets").check("zellij.sockets")

    assert item["status"] == "warning"
    sibling = f"{world.env['ZELLIJ_SOCKET_DIR']}/0.43.1"
    assert "1 session of Zellij 0.43.1" in item["summary"]
    assert "before-upgrade" in item["summary"] and "invisible to zellij 0.44.1" in item["summary"]
    assert item["remedy"] == f"rm -r {sibling}   # no server is listening"
