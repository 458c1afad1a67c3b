"""registry.db: a real SQLite file, damaged, loose or from the future."""

from __future__ import annotations

import sqlite3

from fakes.fakezellij import session_state

from clauderon.registry import Registry
from tests.doctor.world import World

CHECK = ("--check", "registry.db")


def test_no_registry_yet_is_fine(world: World) -> None:
    item = world.doctor(*CHECK).check("registry.db")

    assert item["status"] == "ok"
    assert item["summary"].startswith("no registry yet at ")


def test_registry_ok_counts_rows(world: World) -> None:
    world.new("one")

    item = world.doctor(*CHECK).check("registry.db")

    assert item["status"] == "ok"
    assert item["summary"].endswith("sessions.db: 1 session, schema 1, integrity ok")


def test_corrupt_registry_is_set_aside_and_rebuilt_from_live_sessions(world: World) -> None:
    world.new("alpha")
    world.new("beta")
    expected = {r.name: r.env for r in Registry.default(world.env).all()}
    world.zellij("attach", "--create-background", "not-ours")  # no env file: not rebuilt
    db = world.registry_path
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    garbage = b"this is not a database\n" * 100
    db.write_bytes(garbage)

    run = world.doctor("--check", "registry.db", "--check", "sessions.orphans")
    item = run.check("registry.db")
    assert item["status"] == "error"
    assert "sessions.db is damaged: file is not a database" in item["summary"]
    assert item["remedy"] == "clauderon doctor --fix --check registry.db"
    assert item["fixable"] is True
    assert run.check("sessions.orphans")["status"] == "skipped"
    assert run.returncode == 1

    fixed = world.doctor("--fix", "--check", "registry.db", "--check", "sessions")
    item = fixed.check("registry.db")
    assert item["fixed"] is True and item["status"] == "ok", item
    assert item["summary"].endswith("2 sessions, schema 1, integrity ok")
    assert any("moved the damaged registry aside" in d for d in item["details"])
    assert "fixed: rebuilt 2 rows from live sessions: alpha (zellij), beta (zellij)" \
        in item["details"]
    aside = [p for p in db.parent.iterdir() if p.name.startswith("sessions.db.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    rebuilt = {r.name: r.env for r in Registry.default(world.env).all()}
    assert rebuilt == expected
    assert fixed.check("sessions.orphans")["status"] == "ok"
    assert session_state(world.env, "not-ours") == "running"

    again = world.doctor("--fix", "--check", "registry.db", "--check", "sessions")
    assert not any(c["fixed"] for c in again.data["checks"])  # type: ignore[index]
    assert len([p for p in db.parent.iterdir() if "corrupt" in p.name]) == 1


def test_registry_readable_by_others_is_made_private(world: World) -> None:
    world.new("one")
    world.registry_path.chmod(0o644)

    item = world.doctor(*CHECK).check("registry.db")
    assert item["status"] == "warning"
    assert "readable by others" in item["summary"]
    assert any(d.endswith("sessions.db: mode 644") for d in item["details"])

    item = world.doctor("--fix", *CHECK).check("registry.db")
    assert item["fixed"] is True and item["status"] == "ok"
    assert world.registry_path.stat().st_mode & 0o777 == 0o600


def test_registry_from_a_newer_clauderon_is_an_error_not_fixed(world: World) -> None:
    world.new("one")
    with sqlite3.connect(world.registry_path) as conn:
        conn.execute("PRAGMA user_version = 99")

    item = world.doctor("--fix", *CHECK).check("registry.db")

    assert item["status"] == "error"
    assert "schema version 99, newer than this clauderon understands (1)" in item["summary"]
    assert item["fixable"] is False and item["fixed"] is False
    assert item["remedy"] == "python3 -m pip install --upgrade clauderon"
