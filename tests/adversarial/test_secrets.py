"""Secrets: the proxy password never shows up in any output, and the files that hold it are
private.

Every world of this suite carries the password ``SECRET`` in its proxy variables, and every
program the suite runs is recorded (adversarial.stats). The last test scans all of it: the
password may appear only in the output of ``clauderon env NAME`` without ``--masked``, which is
meant to be sourced. The tests before it drive the paths that print commands, errors, JSON and
doctor reports, with the password in the arguments, the environment and the config file.
"""

from __future__ import annotations

import json
import os
import stat
import string
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from masking_rule import reference, reference_passwords
from realtools import require

from adversarial.stats import PROXY_URL, SECRET, STATS
from adversarial.support import TRACEBACK, World, assert_one_line_error, elapsed
from clauderon import proc as proc_mod
from clauderon.errors import CommandTimeout
from clauderon.secrets import mask, secrets_in

pytestmark = pytest.mark.adversarial("secrets")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_modes_are_private_even_with_a_lax_umask(world: World) -> None:
    lax = os.umask  # the CLI runs with umask 000: everything it creates would be 0666/0777

    def umask_zero() -> None:
        lax(0)

    world.ok("new", "m1", preexec_fn=umask_zero)
    world.ok("new", "m2", preexec_fn=umask_zero)
    world.ok("kill", "m2", preexec_fn=umask_zero)
    world.ok("list", preexec_fn=umask_zero)
    assert mode(world.env_dir) == 0o700
    files = sorted(world.env_dir.iterdir())
    assert [f.name for f in files] == ["m1.fish", "m1.sh"]
    assert all(mode(f) == 0o600 for f in files)
    assert mode(world.data_dir) == 0o700
    registry_files = [p for p in world.data_dir.iterdir() if p.name.startswith("sessions.db")]
    assert registry_files and all(mode(p) == 0o600 for p in registry_files), [
        (p.name, oct(mode(p))) for p in registry_files]
    # The password is in those private files (that is what they are for) and nowhere public.
    assert SECRET in (world.env_dir / "m1.sh").read_text()
    cache = Path(world.env["XDG_CACHE_HOME"]) / "clauderon" / "names"
    assert SECRET not in cache.read_text()


def test_every_command_masks_the_password(world: World) -> None:
    world.write_config(f'[proxy]\nall = "socks5://bob:{SECRET}@127.0.0.1:9"\n'
                       f'[zellij]\nenv = ["EXTRA_URL=https://carol:{SECRET}@example.com/x"]\n')
    world.ok("new", "s")
    for args in (["list"], ["list", "--json"], ["config", "show"], ["config", "show", "--json"],
                 ["env", "s", "--masked"], ["env", "s", "--masked", "--shell", "fish"]):
        out = world.ok(*args)
        assert SECRET not in out.stdout + out.stderr, args
    masked = world.ok("env", "s", "--masked").stdout
    assert "alice:***@" in masked and "bob:***@" in masked and "carol:***@" in masked
    clear = world.ok("env", "s").stdout  # meant to be sourced: the real values
    assert f"alice:{SECRET}@" in clear and f"bob:{SECRET}@" in clear
    for args in (["doctor"], ["doctor", "--json"], ["doctor", "--verbose"]):
        out = world.run(*args)
        assert out.returncode in (0, 1) and TRACEBACK not in out.stderr
        assert SECRET not in out.stdout + out.stderr, args
    world.ok("kill", "s")


def test_error_messages_mask_the_password(world: World) -> None:
    bad = world.run("new", "x", "--env", f"1http_proxy=http://u:{SECRET}@h:1")
    assert_one_line_error(bad, "not a valid variable name", "u:***@h", code=2)
    world.write_config(f'[proxy]\nhttp = ["http://u:{SECRET}@h:1"]\n')
    assert_one_line_error(world.run("list"), "must be a string", "u:***@h", code=2)
    world.write_config(f'[zellij]\nenv = ["NO-DASH=http://u:{SECRET}@h:1"]\n')
    assert_one_line_error(world.run("list"), "not a valid variable name", code=2)
    world.write_config("")


TMUX_SHIM = """#!/bin/sh
# A tmux that fails to create sessions (and says so on stderr); everything else is real tmux.
for arg in "$@"; do
  case "$arg" in new-session|source-file)
    echo "server exited unexpectedly" >&2; exit 1;;
  esac
done
exec /usr/bin/tmux "$@"
"""


def test_a_failing_command_is_shown_without_the_password(world: World) -> None:
    """A failure quotes the tmux command, which holds no session variable (tmux reads them
    from a 0600 file), let alone a password."""
    require("tmux", "the tmux backend runs a real tmux server")
    shim = world.root / "shim"
    shim.mkdir()
    (shim / "tmux").write_text(TMUX_SHIM)
    (shim / "tmux").chmod(0o755)
    env = {"PATH": f"{shim}{os.pathsep}{world.env['PATH']}"}
    failed = world.run("new", "--backend", "tmux", "t", env=env)
    line = assert_one_line_error(failed, "source-file", "failed with exit code 1",
                                 "server exited unexpectedly")
    assert "alice" not in line and SECRET not in line
    assert world.registry_names() == set() and world.env_file_names() == set()


def test_timeouts_and_failures_in_process_mask_the_password() -> None:
    argv = ["sh", "-c", "sleep 5", "-e", f"HTTP_PROXY=http://alice:{SECRET}@h:1"]
    with pytest.raises(CommandTimeout) as info:
        proc_mod.run(argv, timeout=0.2)
    assert SECRET not in str(info.value) and "alice:***@h" in str(info.value)
    result = proc_mod.Result(tuple(argv), 3, "", f"cannot reach http://alice:{SECRET}@h:1\n")
    message = str(proc_mod.failure(result))
    assert SECRET not in message and message.count("alice:***@h") == 2


def test_huge_values_are_masked_in_bounded_time(world: World) -> None:
    """A 300 kB proxy value: masking is linear (a backtracking regex took minutes)."""
    long_url = f"http://alice:{SECRET}@" + "h" * 300_000 + ":3128"
    world.write_config(f'[proxy]\nhttps = "{long_url}"\nno_proxy = ["{"x" * 100_000}"]\n')
    out = world.run("config", "show", "--json", timeout=60)
    assert out.returncode == 0 and elapsed(out) < 10, elapsed(out)
    assert SECRET not in out.stdout
    settings_ = {s["key"]: s["value"] for s in json.loads(out.stdout)["settings"]}
    assert settings_["proxy.https"].startswith("http://alice:***@hhh")
    world.write_config("")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1+.-:/@ \t\nxé[]'=,")), max_size=40))
def test_mask_follows_the_rule_exactly(text: str) -> None:
    """The linear masker agrees with the rule written the plain (quadratic) way
    (tests/masking_rule.py), with and without a scheme."""
    assert mask(text) == reference(text)
    if "://" not in text and not any(ch.isspace() for ch in text):  # (secrets_in reads
        # each value as a whole: see test_a_whole_value_is_one_address)
        assert secrets_in({"v": text}) == reference_passwords(text)


def test_a_password_without_a_scheme_is_masked_everywhere(world: World) -> None:
    """`user:pw@host:3128` (curl and most tools add http:// themselves) in the environment,
    the config file and an --env value: masked in every output, like a URL's."""
    bare = f"dave:{SECRET}@127.0.0.1:9"
    world.write_config(f'[proxy]\nhttps = "erin:{SECRET}@[::1]:3128"\n'
                       'no_proxy = ["localhost", "127.0.0.1", "::1", ".corp"]\n')
    env = {"http_proxy": bare, "HTTP_PROXY": bare}
    world.ok("new", "bare", "--env", f"MIRROR=frank:{SECRET}@mirror:8080", env=env)
    for args in (["list"], ["list", "--json"], ["config", "show"], ["config", "show", "--json"],
                 ["env", "bare", "--masked"], ["doctor"], ["doctor", "--json"],
                 ["doctor", "--verbose"]):
        out = world.run(*args, env=env)
        assert out.returncode in (0, 1) and TRACEBACK not in out.stderr, (args, out.stderr)
        assert SECRET not in out.stdout + out.stderr, args
    masked = world.ok("env", "bare", "--masked", env=env).stdout
    assert "dave:***@127.0.0.1:9" in masked and "erin:***@[::1]:3128" in masked
    assert "frank:***@mirror:8080" in masked and "localhost,127.0.0.1,::1,.corp" in masked
    bad = world.run("new", "x", "--env", f"1bad=gina:{SECRET}@h:1")
    assert_one_line_error(bad, "not a valid variable name", "gina:***@h:1", code=2)
    world.ok("kill", "bare")
    world.write_config("")


def test_mask_is_linear() -> None:
    for text in ("x" * 1_000_000, "a://" * 250_000, "h://u:" * 150_000, "\t" * 500_000):
        start = time.perf_counter()
        mask(text)
        assert time.perf_counter() - start < 2, text[:10]


# -- masking x password alphabets, through the real CLI ---------------------------------------

ALPHABETS = {
    "base64": st.sampled_from(list(string.ascii_letters + string.digits + "+/=")),
    "url-reserved": st.sampled_from(list(":/?#[]@!$&'()*+,;= %\"\\<>^`{|}~")),
    "unicode": st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")),
}
# Three tags spread over each password: a masker that cuts the password anywhere shows one.
TAGS = ("K9vw", "Q7zk", "Z3mx")
MASKED_OUTPUTS = (["config", "show"], ["config", "show", "--json"],
                  ["doctor", "--check", "proxy.config"],
                  ["doctor", "--json", "--check", "proxy.config"],
                  ["env", "pw", "--masked"], ["env", "pw", "--masked", "--shell", "fish"],
                  ["doctor", "--json"])


def _password(draw: st.DrawFn, alphabet: str) -> str:
    part = st.text(alphabet=ALPHABETS[alphabet], min_size=1, max_size=8)
    return f"{TAGS[0]}{draw(part)}{TAGS[1]}{draw(part)}{TAGS[2]}"


@pytest.mark.parametrize("alphabet", list(ALPHABETS))
def test_passwords_of_every_alphabet_are_masked_in_every_output(world: World,
                                                                alphabet: str) -> None:
    """Passwords holding '/', '+', '=', spaces, '#' (base64 ones do) were shown in clear by
    `doctor --check proxy.config`, `config show [--json]` and `env --masked`."""

    @settings(max_examples=int(os.environ.get("CLAUDERON_MASK_EXAMPLES", "5")),
              deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        pws = [data.draw(st.composite(lambda d: _password(d, alphabet))()) for _ in range(4)]
        env = {"http_proxy": f"http://alice:{pws[0]}@127.0.0.1:9",
               "HTTPS_PROXY": f"socks5h://bob:{pws[1]}@[::1]:9/",
               "ALL_PROXY": f"carol:{pws[2]}@127.0.0.1:9"}
        entry = json.dumps(f"MIRROR=https://dave:{pws[3]}@mirror.example:8080/x",
                           ensure_ascii=False)
        world.write_config(f"[zellij]\nenv = [{entry}]\n")
        world.ok("new", "pw", env=env)
        try:
            for args in MASKED_OUTPUTS:
                out = world.run(*args, env=env)
                STATS.add("maskpw-outputs")
                text = out.stdout + out.stderr
                assert out.returncode in (0, 1) and TRACEBACK not in text, (args, text)
                shown = [tag for tag in TAGS if tag in text]
                if shown:
                    STATS.add("maskpw-shown")
                assert not shown, (alphabet, pws, args, text)
            masked = world.ok("env", "pw", "--masked", env=env).stdout
            for user in ("alice", "bob", "carol", "dave"):
                assert f"{user}:***@" in masked, (user, masked)
        finally:
            world.run("kill", "pw", env=env)
        STATS.add(f"maskpw:{alphabet}", len(pws))

    check()
    world.write_config("")


# -- the scan (keep it last) ---------------------------------------------------------------------


def test_zz_no_output_anywhere_holds_the_password() -> None:
    """Every stdout and stderr this suite's programs produced (and the fake zellij's call
    logs): the password only where it belongs."""
    assert STATS.outputs, "nothing was recorded"
    leaks = []
    sourced = 0
    for output in STATS.outputs:
        text = output.stdout + output.stderr
        if output.may_hold_secret:
            sourced += SECRET in text
            continue
        if SECRET in text:
            leaks.append((output.label, output.argv[1:4], text[:300]))
        assert TRACEBACK not in output.stderr or output.label != "clauderon", output
    STATS.add("secrets:scanned", len(STATS.outputs))
    STATS.add("secrets:leaks", len(leaks))
    assert not leaks, leaks
    assert sourced, "no `clauderon env NAME` output held the password: the scan proved nothing"
    assert PROXY_URL.count(SECRET) == 1
