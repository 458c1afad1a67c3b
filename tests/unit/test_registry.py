from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from clauderon.registry import NameTaken, Record, Registry, RegistryError


def rec(name: str) -> Record:
    return Record(name=name, backend="zellij", workdir="/w", created_at=Record.now(),
                  shell="/bin/sh", env={"HTTP_PROXY": "http://u:p@h:1"})


def test_roundtrip_and_modes(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "data" / "sessions.db")
    reg.add(rec("app"))
    got = reg.get("app")
    assert got is not None and got.env == {"HTTP_PROXY": "http://u:p@h:1"} and got.ready
    assert stat.S_IMODE(os.stat(tmp_path / "data").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "sessions.db").st_mode) == 0o600
    assert reg.get("ap") is None


def test_name_unique(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "sessions.db")
    reg.reserve(rec("app"))
    with pytest.raises(NameTaken, match='"app" already exists'):
        reg.reserve(rec("app"))


def test_concurrent_reserve_has_one_winner(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "sessions.db")

    def attempt(_: int) -> bool:
        try:
            Registry(reg.path).reserve(rec("same"))
            return True
        except NameTaken:
            return False

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(20)))
    assert results.count(True) == 1


def test_reading_a_missing_registry_creates_nothing(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "none" / "sessions.db")
    assert reg.all() == []
    assert not (tmp_path / "none").exists()


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RegistryError, match="doctor --fix"):
        Registry(path).all()


def test_forget(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "sessions.db")
    reg.add(rec("a"))
    assert reg.forget("a") and not reg.forget("a")
    assert reg.all() == []
