"""children.read: the records of running programs, as doctor's sessions.leftovers reads
them while other threads of the same doctor record and forget their own children."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from clauderon import children


def test_a_record_forgotten_between_listing_and_reading_is_not_unreadable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "7272-7285"
    gone.write_text('{"parent": 1, "parent_start": 1, "pgid": 2, "argv0": "git", '
                    '"start": 3}\n')
    listed = list(os.scandir(tmp_path))  # the listing sees it ...
    gone.unlink()  # ... and its child is reaped before it is read
    monkeypatch.setattr(children.os, "scandir", lambda where: iter(listed))
    assert children.read(tmp_path) == ([], [])


def test_a_record_that_is_not_json_is_unreadable(tmp_path: Path) -> None:
    bad = tmp_path / "1-2"
    bad.write_text("not json\n")
    entries, unreadable = children.read(tmp_path)
    assert (entries, unreadable) == ([], [bad])


def test_a_record_that_cannot_be_read_is_unreadable(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "1-2"
    locked.write_text("{}\n")
    real = Path.read_text

    def denied(self: Path, *args: Any, **kwargs: Any) -> str:
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)
    assert children.read(tmp_path) == ([], [locked])
