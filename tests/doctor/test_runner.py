"""The runner and the report, in-process with small checks of their own: crashes, hangs,
fixes and re-runs, ordering, and what the views show."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from clauderon.doctor import checks
from clauderon.doctor.checks._live import parse_sh_env
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, Status, error, ok, warning
from clauderon.doctor.report import clean, render_text, to_json
from clauderon.doctor.runner import diagnose, exit_code
from clauderon.shellquote import render_env_file


def _ctx(tmp_path: Path, timeout: float = 2.0) -> Context:
    return Context({"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=timeout)


def test_a_crashing_check_becomes_an_error_naming_the_exception(tmp_path: Path) -> None:
    def boom(ctx: Context) -> Result:
        raise KeyError("no such thing")

    [outcome] = diagnose([Check("t.boom", "Test", "crashes", boom)], _ctx(tmp_path))

    assert outcome.status is Status.ERROR
    assert outcome.summary == "the check crashed: KeyError: 'no such thing'"
    assert outcome.details and outcome.details[0].startswith("raised in boom (test_runner.py:")
    assert outcome.remedy is not None and "clauderon doctor --check t.boom --verbose" \
        in outcome.remedy


def test_a_hanging_check_times_out_while_the_others_finish(tmp_path: Path) -> None:
    release = threading.Event()

    def hang(ctx: Context) -> Result:
        release.wait(30)
        return ok("late")

    quick = Check("t.quick", "Test", "quick", lambda ctx: ok("fine"))
    start = time.monotonic()
    outcomes = diagnose([Check("t.hang", "Test", "hangs", hang), quick],
                        _ctx(tmp_path, timeout=0.3))
    elapsed = time.monotonic() - start
    release.set()

    assert [o.status for o in outcomes] == [Status.ERROR, Status.OK]
    assert outcomes[0].summary == "timed out after 0.3s (the check did not finish)"
    assert elapsed < 2


def test_checks_run_concurrently(tmp_path: Path) -> None:
    def slow(ctx: Context) -> Result:
        time.sleep(0.4)
        return ok("slept")

    many = [Check(f"t.s{i}", "Test", "slow", slow) for i in range(6)]
    start = time.monotonic()
    outcomes = diagnose(many, _ctx(tmp_path))

    assert all(o.status is Status.OK for o in outcomes)
    assert time.monotonic() - start < 1.5


def test_a_check_returning_garbage_is_an_error(tmp_path: Path) -> None:
    bad = Check("t.bad", "Test", "bad", lambda ctx: "fine")  # type: ignore[arg-type,return-value]

    [outcome] = diagnose([bad], _ctx(tmp_path))

    assert outcome.status is Status.ERROR and "returned str" in outcome.summary


def test_fix_reruns_the_check_and_the_checks_it_affects(tmp_path: Path) -> None:
    state = {"broken": True, "fixes": 0, "runs_b": 0}

    def run_a(ctx: Context) -> Result:
        if state["broken"]:
            return warning("broken", remedy="fix it", fixable=True)
        return ok("fine")

    def fix_a(ctx: Context, result: Result) -> list[str]:
        state["broken"] = False
        state["fixes"] += 1
        return ["repaired"]

    def run_b(ctx: Context) -> Result:
        state["runs_b"] += 1
        return ok("b") if not state["broken"] else warning("b waits for a", remedy="x")

    a = Check("t.a", "Test", "a", run_a, fix_a, affects=("t.b",))
    b = Check("t.b", "Test", "b", run_b)
    outcomes = diagnose([b, a], _ctx(tmp_path), fix=True)

    by_id = {o.id: o for o in outcomes}
    assert by_id["t.a"].status is Status.OK and by_id["t.a"].fixed
    assert by_id["t.a"].details == ("fixed: repaired",)
    assert by_id["t.b"].status is Status.OK and not by_id["t.b"].fixed
    assert state["runs_b"] == 2 and state["fixes"] == 1

    second = diagnose([b, a], _ctx(tmp_path), fix=True)
    assert not any(o.fixed for o in second) and state["fixes"] == 1


def test_a_failing_fix_is_reported_and_keeps_the_finding(tmp_path: Path) -> None:
    def run(ctx: Context) -> Result:
        return warning("broken", details=["why"], remedy="do it by hand", fixable=True)

    def fix(ctx: Context, result: Result) -> list[str]:
        raise PermissionError(13, "Permission denied")

    [outcome] = diagnose([Check("t.f", "Test", "f", run, fix)], _ctx(tmp_path), fix=True)

    assert outcome.status is Status.ERROR
    assert outcome.summary == "the fix failed: Permission denied"  # one line, no class name
    assert outcome.details == ("broken", "why") and outcome.remedy == "do it by hand"
    assert outcome.fixed is False


def test_exit_codes() -> None:
    def outcome(status: Status) -> list[object]:
        return [o for o in diagnose([Check("t.x", "Test", "x", lambda ctx: Result(status, "s",
                                                                                 remedy="r"))],
                                    Context({}, timeout=1))]

    assert exit_code(outcome(Status.OK)) == 0  # type: ignore[arg-type]
    assert exit_code(outcome(Status.SKIPPED)) == 0  # type: ignore[arg-type]
    assert exit_code(outcome(Status.WARNING)) == 0  # type: ignore[arg-type]
    assert exit_code(outcome(Status.WARNING), strict=True) == 1  # type: ignore[arg-type]
    assert exit_code(outcome(Status.ERROR)) == 1  # type: ignore[arg-type]


def test_check_ids_are_unique_and_grouped_in_order() -> None:
    found = checks.all_checks()
    ids = [c.id for c in found]

    assert len(ids) == len(set(ids))
    # each backend's own checks first, as a group named by its label, in the table's order
    assert ids[:6] == ["docker.daemon", "docker.image", "docker.propagation", "tmux.binary",
                       "zellij.binary", "zellij.sockets"]
    groups = list(dict.fromkeys(c.group for c in found))
    assert groups == ["Docker", "tmux", "Zellij", "Sessions", "Agents", "Configuration", "Proxy",
                      "Shell", "Terminal"]
    assert ids[-1] == "terminal.term"
    for check in found:
        assert check.id.count(".") == 1 and check.title


def test_clean_masks_tidies_and_escapes() -> None:
    env = {"HOME": "/home/ana"}
    text = "proxy http://ana:pw@p:1 at /home/ana/x and \x1b[31mred\x1b[0m"

    assert clean(text, env) == "proxy http://ana:***@p:1 at ~/x and \\x1b[31mred\\x1b[0m"


def test_text_and_json_come_from_the_same_outcomes(tmp_path: Path) -> None:
    outcomes = diagnose([
        Check("t.ok", "Test", "ok", lambda ctx: ok("all good", ["quiet detail"])),
        Check("t.warn", "Test", "w", lambda ctx: warning("not great", ["loud detail"],
                                                         remedy="run this")),
        Check("t.err", "Other", "e", lambda ctx: error("bad", remedy="run that")),
    ], _ctx(tmp_path))
    stream = io.StringIO()

    text = render_text(outcomes, stream=stream)
    data = to_json(outcomes)

    assert data["summary"] == {"ok": 1, "warning": 1, "error": 1, "skipped": 0}
    assert "quiet detail" not in text and "loud detail" in text
    assert "      → run this" in text.replace("->", "→")
    for item in data["checks"]:
        assert item["summary"] in text
    assert text.splitlines()[-1] == "Summary: 1 ok, 1 warning, 1 error, 0 skipped"
    verbose = render_text(outcomes, verbose=True, stream=stream)
    assert "quiet detail" in verbose


names = st.builds(lambda head, tail: head + tail,
                  st.sampled_from("ABCXYZabcxyz_"),
                  st.text("ABCxyz019_", max_size=8))
values = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                 max_size=40)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(names, values, max_size=6))
def test_env_files_read_back_exactly(variables: dict[str, str]) -> None:
    assert parse_sh_env(render_env_file(variables, "sh", session="s")) == variables


def test_a_check_module_that_cannot_load_becomes_an_error_outcome(tmp_path: Path) -> None:
    stand_in = checks._broken("clauderon/doctor/checks/tmux.py",
                              ImportError("No module named 'libfoo'"))

    [outcome] = diagnose([stand_in], _ctx(tmp_path))

    assert outcome.id == "doctor.tmux" and outcome.group == "Doctor"
    assert outcome.status is Status.ERROR
    assert outcome.summary == ("the checks in clauderon/doctor/checks/tmux.py cannot be loaded: "
                               "ImportError: No module named 'libfoo'")
