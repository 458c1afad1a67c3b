"""sessions.orphans and sessions.env_files: the registry against the live sessions (Zellij
fake, real tmux) and the env files, and what --fix does about each finding."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
from fakes.fakezellij import session_names, session_state
from hypothesis import given, settings
from hypothesis import strategies as st

from clauderon.registry import Registry
from clauderon.shellquote import write_env_files
from tests.doctor.world import World

ORPHANS = ("--check", "sessions.orphans")
FIX = ("--fix", "--check", "sessions")


def test_no_problems_when_every_row_has_its_session(world: World) -> None:
    world.new("api")

    item = world.doctor(*ORPHANS).check("sessions.orphans")

    assert item["status"] == "ok"
    assert item["summary"].startswith("1 recorded session, all accounted for")
    assert "zellij (1 session)" in item["summary"]


def test_missing_session_is_kept_by_fix_and_forgotten_only_with_prune(world: World) -> None:
    world.new("gone")
    world.new("keep")
    world.zellij("kill-session", "gone")
    world.zellij("delete-session", "gone")

    run = world.doctor(*ORPHANS)
    item = run.check("sessions.orphans")
    assert item["status"] == "warning"
    assert item["summary"] == "1 session problem: 1 missing"
    assert ("gone (zellij): recorded, but the session is gone (missing); bring it back with: "
            "clauderon restore gone") in item["details"]
    assert item["remedy"] == "clauderon restore --all   # or forget them: clauderon kill NAME"
    assert item["fixable"] is False  # nothing --fix may do without losing it

    kept = world.doctor(*FIX)
    assert kept.check("sessions.orphans")["status"] == "warning"
    assert sorted(world.rows()) == ["gone", "keep"]
    assert (world.env_dir / "gone.sh").exists()

    pruned = world.doctor("--fix", "--prune", "--check", "sessions")
    item = pruned.check("sessions.orphans")
    assert pruned.stderr.splitlines()[0] == ("--prune: will forget gone (zellij): its record "
                                             "and env files")
    assert item["fixed"] is True and item["status"] == "ok"
    assert "fixed: forgot gone (zellij): its session is gone (--prune)" in item["details"]
    assert world.rows() == ["keep"]
    assert not (world.env_dir / "gone.sh").exists()
    assert session_state(world.env, "keep") == "running"

    again = world.doctor(*FIX)
    assert not any(c["fixed"] for c in again.data["checks"])  # type: ignore[index]
    assert again.check("sessions.orphans")["status"] == "ok"


def test_exited_sessions_are_resurrectable_and_deleted_only_with_prune(world: World) -> None:
    world.new("done")
    world.new("busy")
    world.zellij("kill-session", "done")
    assert session_state(world.env, "done") == "exited"

    item = world.doctor(*ORPHANS).check("sessions.orphans")
    assert item["status"] == "ok"
    assert item["summary"].endswith("(1 exited, resurrectable)")
    assert "done (zellij): exited; attaching resurrects it" in item["details"]

    world.doctor(*FIX)
    assert session_state(world.env, "done") == "exited"
    assert sorted(world.rows()) == ["busy", "done"]

    item = world.doctor("--fix", "--prune", *ORPHANS).check("sessions.orphans")
    assert item["fixed"] is True and item["status"] == "ok", item
    assert "fixed: deleted exited session done (zellij) (--prune)" in item["details"]
    assert session_names(world.env) == ["busy"]
    assert world.rows() == ["busy"]


def test_prune_without_fix_is_a_usage_error(world: World) -> None:
    run = world.doctor("--prune", as_json=False)
    assert run.returncode == 2
    assert run.stderr == "error: --prune goes with --fix: clauderon doctor --fix --prune\n"


def test_clauderon_session_without_a_row_is_recorded_again(world: World) -> None:
    world.new("lost")
    before = Registry.default(world.env).get("lost")
    assert before is not None
    Registry.default(world.env).forget("lost")

    item = world.doctor(*ORPHANS).check("sessions.orphans")
    assert item["status"] == "warning"
    assert item["summary"] == "1 session problem: 1 unrecorded"
    assert "lost (zellij): a running clauderon session with no registry row" in item["details"][0]

    item = world.doctor(*FIX).check("sessions.orphans")
    assert item["fixed"] is True and item["status"] == "ok"
    after = Registry.default(world.env).get("lost")
    assert after is not None and after.backend == "zellij"
    assert after.env == before.env  # from the env file clauderon left
    assert session_state(world.env, "lost") == "running"


def test_exited_clauderon_session_without_a_row_is_deleted_with_prune(world: World) -> None:
    world.new("stray")
    world.zellij("kill-session", "stray")
    Registry.default(world.env).forget("stray")

    item = world.doctor(*ORPHANS).check("sessions.orphans")
    assert item["summary"] == "1 session problem: 1 exited without a row"

    world.doctor(*FIX)
    assert session_names(world.env) == ["stray"]  # resurrectable: kept
    world.doctor("--fix", "--prune", *ORPHANS)
    assert session_names(world.env) == []
    assert not (world.env_dir / "stray.sh").exists()


def test_sessions_clauderon_did_not_create_are_never_touched(world: World) -> None:
    world.zellij("attach", "--create-background", "mine")
    world.zellij("attach", "--create-background", "theirs")
    world.zellij("kill-session", "theirs")

    item = world.doctor(*ORPHANS).check("sessions.orphans")
    assert item["status"] == "ok"

    world.doctor(*FIX)
    assert session_state(world.env, "mine") == "running"
    assert session_state(world.env, "theirs") == "exited"


def test_leftover_env_files_are_removed(world: World) -> None:
    write_env_files("ghost", {"TERM": "xterm", "CLAUDERON_SESSION": "ghost"}, world.env)
    old = time.time() - 3600
    for suffix in (".sh", ".fish"):
        os.utime(world.env_dir / f"ghost{suffix}", (old, old))
    write_env_files("fresh", {"TERM": "xterm"}, world.env)  # a `new` in progress

    item = world.doctor(*ORPHANS).check("sessions.orphans")
    assert item["summary"] == "1 session problem: 1 stale env file"
    assert "ghost: env file left behind by a session that no longer exists" in item["details"]

    world.doctor(*FIX)
    assert not (world.env_dir / "ghost.sh").exists()
    assert not (world.env_dir / "ghost.fish").exists()
    assert (world.env_dir / "fresh.sh").exists()


def test_tmux_session_with_an_env_file_but_no_row_is_recorded(world: World) -> None:
    tmux = shutil.which("tmux", path="/usr/bin:/bin")
    if tmux is None:
        pytest.skip("tmux is not installed")
    for name in ("tm-ours", "tm-user"):
        subprocess.run([tmux, "new-session", "-d", "-s", name, "/bin/sh"], env=world.env,
                       check=True, timeout=10)
    write_env_files("tm-ours", {"TERM": "xterm", "CLAUDERON_SESSION": "tm-ours"}, world.env)
    old = time.time() - 3600
    os.utime(world.env_dir / "tm-ours.sh", (old, old))

    item = world.doctor(*ORPHANS).check("sessions.orphans")
    assert item["status"] == "warning"
    assert item["details"] == ["tm-ours (tmux): a running clauderon session with no registry "
                               "row (clauderon list/attach/kill cannot see it)"]

    world.doctor(*FIX)
    record = Registry.default(world.env).get("tm-ours")
    assert record is not None and record.backend == "tmux"
    assert record.env == {"TERM": "xterm", "CLAUDERON_SESSION": "tm-ours"}
    assert Registry.default(world.env).get("tm-user") is None


# -- sessions.env_files -----------------------------------------------------------------------


def test_env_files_match_the_registry(world: World) -> None:
    world.new("api")

    item = world.doctor("--check", "sessions.env_files").check("sessions.env_files")

    assert item["status"] == "ok"
    assert item["summary"] == "env files of 1 session match the registry"


def test_env_files_missing_changed_or_readable_are_rewritten(world: World) -> None:
    world.new("a")
    world.new("b")
    world.new("c")
    (world.env_dir / "a.fish").unlink()
    (world.env_dir / "b.sh").write_text("export TERM='dumb'\n")
    (world.env_dir / "c.sh").chmod(0o644)

    item = world.doctor("--check", "sessions.env_files").check("sessions.env_files")
    assert item["status"] == "warning"
    assert item["summary"] == "env files of 3 sessions need repair"
    text = "\n".join(item["details"])
    assert "a.fish is missing" in text and "b.sh differs" in text
    assert "c.sh is readable by others (mode 644)" in text

    item = world.doctor("--fix", "--check", "sessions.env_files").check("sessions.env_files")
    assert item["fixed"] is True and item["status"] == "ok"
    assert (world.env_dir / "a.fish").exists()
    assert "CLAUDERON_SESSION='b'" in (world.env_dir / "b.sh").read_text()
    assert (world.env_dir / "c.sh").stat().st_mode & 0o777 == 0o600


def test_temporary_files_of_killed_processes_are_reported_and_removed(world: World) -> None:
    world.new("api")
    gone = subprocess.Popen(["/bin/true"])
    gone.wait()  # a pid that is not running any more
    hexid = "0123456789ab"
    me = os.getpid()
    stale = [f".tmux-new.{hexid}.{gone.pid}.tmp", f".api.docker-env.{gone.pid}.tmp",
             f".doctor-probe-{gone.pid}-abcdef.sh", f".api.sh.{hexid}.{me}.tmp"]
    kept = [f".tmux-new.{hexid}.{me}.tmp", f".api.fish.{hexid}.{me}.tmp", "notes.txt",
            f"x.{gone.pid}.tmp.sh"]  # the env file of a session named x.PID.tmp
    for name in stale + kept:
        (world.env_dir / name).write_text("export http_proxy='http://u:pw@proxy:3128'\n")
    old = time.time() - 7200  # written two hours ago by a process that still runs
    os.utime(world.env_dir / f".api.sh.{hexid}.{me}.tmp", (old, old))

    item = world.doctor("--check", "sessions.env_files").check("sessions.env_files")
    assert item["status"] == "warning"
    assert item["summary"] == "4 leftover temporary files in the env file directory"
    assert item["remedy"] == "clauderon doctor --fix --check sessions.env_files"
    assert sorted(d.split("/")[-1].split(" ")[0] for d in item["details"]) == sorted(stale)
    assert all("may hold proxy credentials" in d for d in item["details"])

    item = world.doctor("--fix", "--check", "sessions.env_files").check("sessions.env_files")
    assert item["fixed"] is True and item["status"] == "ok"
    left = sorted(p.name for p in world.env_dir.iterdir())
    assert left == sorted([*kept, "api.sh", "api.fish"])
    again = world.doctor("--fix", "--check", "sessions.env_files").check("sessions.env_files")
    assert again["fixed"] is False and again["status"] == "ok"


def test_labelled_docker_container_without_a_row_is_reported(world: World) -> None:
    from tests.integration.docker_fixtures import TEST_IMAGE, docker, require_docker, unique

    require_docker()
    name = unique("doctor-orphan")
    docker("create", "--label", f"dev.clauderon.session={name}", TEST_IMAGE, "/bin/sh")
    try:
        fakes = world.env["PATH"].split(":")[0]
        # Only detection: other tests share the daemon, so no --fix here.
        path = f"{fakes}:/usr/local/bin:/usr/bin:/bin"
        item = world.doctor(*ORPHANS, env={"PATH": path}).check("sessions.orphans")
    finally:
        for cid in docker("ps", "-aq", "--filter", f"label=dev.clauderon.session={name}"
                          ).stdout.split():
            docker("rm", "-f", cid, check=False)

    assert item["status"] == "warning"
    assert f"{name} (docker): an exited clauderon session with no registry row" \
        in item["details"]


def test_rows_of_a_backend_that_is_not_installed_cannot_be_checked(world: World) -> None:
    world.new("api")

    item = world.doctor(*ORPHANS, env=world.no_zellij).check("sessions.orphans")

    assert item["status"] == "warning"
    assert item["summary"] == ("cannot check 1 recorded session of zellij: zellij is not "
                               "installed")
    assert item["fixable"] is False and item["remedy"]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["TERM", "LANG", "LC_ALL", "TERMINFO", "http_proxy",
                                        "CLAUDERON_SESSION", "X"]),
                       st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=30)))
def test_env_files_read_back_exactly(variables: dict[str, str]) -> None:
    """What doctor reads from an env file (to record a session again) is what clauderon
    wrote, TERM and the locale variables (written as guarded assignments) included."""
    from clauderon.doctor.checks._live import parse_sh_env
    from clauderon.shellquote import render_env_file

    text = render_env_file(variables, "sh", session="s")
    assert parse_sh_env(text) == variables


def test_sessions_of_another_zellij_version_are_never_forgotten(world: World) -> None:
    old = {**world.env, "FAKE_ZELLIJ_VERSION": "0.43.1"}
    from clauderon import config, sessions

    sessions.create(sessions.NewRequest(session="older", backend="zellij",
                                        workdir=str(world.work)), config.load(old), old)
    # the user upgrades Zellij across the 0.43 -> 0.44 socket-directory change
    new = {"FAKE_ZELLIJ_VERSION": "0.44.0"}

    item = world.doctor(*ORPHANS, env=new).check("sessions.orphans")
    assert item["status"] == "warning"
    assert item["summary"] == "1 session problem: 1 visible only to another version"
    [detail] = [d for d in item["details"] if d.startswith("older")]
    assert detail.startswith("older (zellij): not listed by this zellij, but not gone: "
                             "Zellij 0.43.1 still has it (")

    world.doctor("--fix", "--prune", *ORPHANS, env=new)
    assert world.rows() == ["older"]
    assert (world.env_dir / "older.sh").exists()
    assert session_state(old, "older") == "running"
