"""sessions.space: free space and inodes under the registry and the env files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from adversarial.support import fill, tiny_disk

from clauderon.doctor.checks._live import size
from clauderon.doctor.checks.sessions import run_space
from clauderon.doctor.context import Context
from clauderon.doctor.model import Status
from tests.doctor.world import World

CHECK = ("--check", "sessions.space")


def test_plenty_of_space_is_ok_and_names_both_directories(world: World) -> None:
    item = world.doctor(*CHECK).check("sessions.space")

    assert item["status"] == "ok", item
    assert "clauderon (registry) and " in item["summary"]
    assert "clauderon/sessions (env files)" in item["summary"]
    assert "clauderon (cache): " in item["summary"]
    assert " free of " in item["summary"] and "inodes free" in item["summary"]


def test_a_full_disk_under_the_registry_is_an_error_naming_it(world: World) -> None:
    data = world.registry_path.parent
    with tiny_disk(data, size="128k"):
        fill(data)
        item = world.doctor(*CHECK).check("sessions.space")

    assert item["status"] == "error", item
    assert f"the disk under {data} (registry) is full: 0 bytes free of 128 KiB" \
        in item["summary"]
    assert item["summary"].endswith("`clauderon new` and `kill` will fail")
    assert item["remedy"] == f"df -h {data}   # free some space there"
    assert any("(env files)" in d for d in item["details"])  # the other disk is fine


def test_a_full_disk_under_the_env_files_is_an_error_naming_it(world: World) -> None:
    world.env_dir.mkdir(parents=True)
    with tiny_disk(world.env_dir, size="64k"):
        fill(world.env_dir)
        item = world.doctor(*CHECK).check("sessions.space")

    assert item["status"] == "error", item
    assert f"the disk under {world.env_dir} (env files) is full: 0 bytes free" \
        in item["summary"]


# -- thresholds (statvfs simulated, in-process) ------------------------------------------------


def _with(monkeypatch: pytest.MonkeyPatch, *, avail: int, favail: int = 10**6,
          files: int = 10**6, flag: int = 0) -> None:
    def fake(_path: object) -> os.statvfs_result:
        frsize = 4096
        return os.statvfs_result((frsize, frsize, 10**7, avail // frsize, avail // frsize,
                                  files, favail, favail, flag, 255))

    monkeypatch.setattr(os, "statvfs", fake)


def _run(tmp_path: Path) -> tuple[Status, str, tuple[str, ...], str | None]:
    ctx = Context({"HOME": str(tmp_path)}, timeout=5)
    result = run_space(ctx)
    return result.status, result.summary, result.details, result.remedy


@pytest.mark.parametrize(("kwargs", "status", "fragment"), [
    ({"avail": 8 * 1024**3}, Status.OK, ": 8.0 GiB free of "),
    ({"avail": 8 * 1024**2}, Status.WARNING, "is nearly full: 8.0 MiB free"),
    ({"avail": 512 * 1024}, Status.ERROR, "is full: 512 KiB free"),
    ({"avail": 0}, Status.ERROR, "is full: 0 bytes free"),
    ({"avail": 10**9, "favail": 10}, Status.ERROR, "is out of inodes: 10 free"),
    ({"avail": 10**9, "favail": 300}, Status.WARNING, "is nearly out of inodes: 300 free"),
    ({"avail": 10**9, "favail": 0, "files": 0}, Status.OK, "free of"),  # no inode limit
    ({"avail": 10**9, "flag": os.ST_RDONLY}, Status.ERROR, "on a read-only file system"),
])
def test_thresholds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, int],
                    status: Status, fragment: str) -> None:
    _with(monkeypatch, **kwargs)

    got, summary, _details, remedy = _run(tmp_path)

    assert got is status and fragment in summary, summary
    assert "~/.local/share/clauderon (registry) and ~/.local/state/clauderon/sessions " \
           "(env files)" in summary  # one file system: one finding naming both
    assert (remedy is None) == (status is Status.OK)


def test_a_directory_that_cannot_be_asked_about_is_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_path: object) -> os.statvfs_result:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "statvfs", refuse)

    got, summary, _details, _remedy = _run(tmp_path)

    assert got is Status.WARNING and "Permission denied" in summary


@pytest.mark.parametrize(("count", "shown"), [(0, "0 bytes"), (1023, "1023 bytes"),
                                              (1024, "1.0 KiB"), (212 * 1024, "212 KiB"),
                                              (int(3.25 * 1024**2), "3.2 MiB"),
                                              (80 * 1024**3, "80 GiB")])
def test_sizes(count: int, shown: str) -> None:
    assert size(count) == shown


@pytest.mark.parametrize("role", ["registry", "env files", "cache"])
def test_a_directory_clauderon_cannot_write_is_an_error(
        world: World, role: str) -> None:
    from adversarial.support import read_only

    from clauderon import paths

    directory = {"registry": world.registry_path.parent, "env files": world.env_dir,
                 "cache": paths.names_cache(world.env).parent}[role]
    directory.mkdir(parents=True, exist_ok=True)
    with read_only(directory):
        item = world.doctor(*CHECK, "--check", "registry.db").check("sessions.space")
        registry = world.doctor("--check", "registry.db").check("registry.db")

    assert item["status"] == "error", item
    assert f"{directory} ({role}) cannot be written: " in item["summary"]
    assert item["remedy"] is not None and f"ls -ld {directory}" in item["remedy"]
    if role == "registry":
        assert registry["status"] == "error"
        assert registry["summary"].startswith(f"{directory} cannot be written (")
