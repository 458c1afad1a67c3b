"""proxy.propagation end to end: real interactive bash, zsh and fish on a pseudo-terminal,
real rc files, the real hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.doctor.world import World

CHECK = ("--check", "proxy.propagation")
PROXY = "http://user:secretpw@127.0.0.1:3128"
RC = {"bash": ".bashrc", "zsh": ".zshrc", "fish": "fish/config.fish"}
UNSET = {"bash": "unset http_proxy HTTP_PROXY\n", "zsh": "unset http_proxy HTTP_PROXY\n",
         "fish": "set -e http_proxy; set -e HTTP_PROXY\n"}


def _configure(world: World, shell: str) -> None:
    world.set_shell(shell)
    world.write_config(f'[proxy]\nhttp = "{PROXY}"\nno_proxy = ["localhost", "127.0.0.1", '
                       '"::1"]\n')
    world.install_hook()


def _rc(world: World, shell: str) -> str:
    """The rc file as the report shows it (fish's lives in XDG_CONFIG_HOME, outside HOME)."""
    if shell == "fish":
        return f"{world.env['XDG_CONFIG_HOME']}/{RC[shell]}"
    return f"~/{RC[shell]}"


def _append_rc(world: World, shell: str, text: str) -> None:
    shown = _rc(world, shell)
    rc = world.home / shown[2:] if shown.startswith("~/") else Path(shown)
    rc.parent.mkdir(parents=True, exist_ok=True)
    with rc.open("a", encoding="utf-8") as handle:
        handle.write(text)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_session_variable_survives_start_up(world: World, shell: str) -> None:
    _configure(world, shell)

    item = world.doctor(*CHECK).check("proxy.propagation")

    assert item["status"] == "ok", item
    assert item["summary"] == f"an interactive {shell} keeps all 6 session variables"
    assert item["details"][0] == ("CLAUDERON_SESSION, HTTP_PROXY, NO_PROXY, TERM, http_proxy, "
                                  "no_proxy")
    assert item["details"][1] == "the clauderon hook ran"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_rc_file_that_unsets_the_proxy_is_found(world: World, shell: str) -> None:
    _configure(world, shell)
    _append_rc(world, shell, UNSET[shell])

    run = world.doctor(*CHECK)
    item = run.check("proxy.propagation")

    assert item["status"] == "error"
    assert item["summary"] == f"{shell} start-up loses 2 session variables: HTTP_PROXY, " \
                              "http_proxy"
    assert "http_proxy is unset (expected 'http://user:***@127.0.0.1:3128')" in item["details"]
    assert item["remedy"].startswith("grep -nE 'HTTP_PROXY|http_proxy' ")
    assert _rc(world, shell) in item["remedy"]
    assert "secretpw" not in run.stdout
    assert run.returncode == 1


def test_unset_before_the_hook_is_repaired_by_the_hook(world: World) -> None:
    world.write_config(f'[proxy]\nhttp = "{PROXY}"\nno_proxy = ["localhost", "127.0.0.1", '
                       '"::1"]\n')
    _append_rc(world, "bash", UNSET["bash"])
    world.install_hook("bash")  # the hook block goes after the unset

    item = world.doctor(*CHECK).check("proxy.propagation")

    assert item["status"] == "ok", item


def test_rc_file_that_resets_term_is_a_warning(world: World) -> None:
    _append_rc(world, "bash", "export TERM=vt100\n")

    item = world.doctor(*CHECK).check("proxy.propagation")

    assert item["status"] == "warning"
    assert item["summary"] == "bash start-up loses 1 session variable: TERM"
    assert "TERM changed from 'xterm-256color' to 'vt100'" in item["details"]
    assert "the clauderon hook is not installed for this shell (see shell.init)" \
        in item["details"]


def test_inside_a_session_the_current_environment_is_compared(world: World) -> None:
    world.write_config(f'[proxy]\nhttp = "{PROXY}"\nno_proxy = ["localhost", "127.0.0.1", '
                       '"::1"]\n')
    world.install_hook("bash")
    world.new("insider")

    inside = {"CLAUDERON_SESSION": "insider", "ZELLIJ_SESSION_NAME": "insider", "ZELLIJ": "0",
              "TERM": "xterm-256color", "http_proxy": None, "HTTP_PROXY": PROXY,
              "no_proxy": "localhost,127.0.0.1,::1", "NO_PROXY": "localhost,127.0.0.1,::1"}
    run = world.doctor(*CHECK, env=inside)
    item = run.check("proxy.propagation")

    assert item["status"] == "error"
    assert item["summary"] == "this shell lacks 1 variable of session insider"
    assert "here: http_proxy is unset (expected 'http://user:***@127.0.0.1:3128')" \
        in item["details"]
    assert item["remedy"].startswith("exec /usr/bin/bash")

    whole = {**inside, "http_proxy": PROXY}
    assert world.doctor(*CHECK, env=whole).check("proxy.propagation")["status"] == "ok"


def test_rc_file_that_exits_is_an_error_not_a_crash(world: World) -> None:
    _append_rc(world, "bash", "exit 3\n")

    item = world.doctor(*CHECK).check("proxy.propagation")

    assert item["status"] == "error"
    assert item["summary"].startswith("`/usr/bin/bash -i` exited (status 3) before reaching a "
                                      "prompt")
    assert item["remedy"] == "/usr/bin/bash -i   # does an rc file exit or exec another program?"


def test_rc_file_waiting_for_input_times_out(world: World) -> None:
    _append_rc(world, "bash", "read -r answer < /dev/tty\nread -r again < /dev/tty\n")

    run = world.doctor(*CHECK, "--timeout", "1.5")
    item = run.check("proxy.propagation")

    assert item["status"] == "error"
    assert item["summary"].startswith("timed out: `/usr/bin/bash -i` did not reach its prompt")
    assert item["remedy"].startswith("$SHELL -i")


# -- a state directory the probe cannot write ----------------------------------------------------


def _assert_named(item: dict[str, object], fragment: str) -> None:
    details = [str(d) for d in item["details"]]  # type: ignore[attr-defined]
    text = "\n".join([str(item["summary"]), *details, str(item["remedy"])])
    assert item["status"] == "error", item
    assert "crashed" not in text and "Traceback" not in text and "OSError" not in text, text
    assert fragment in str(item["summary"]), item["summary"]


def test_a_full_state_directory_is_named_not_a_crash(world: World) -> None:
    from adversarial.support import fill, tiny_disk

    _configure(world, "bash")
    world.env_dir.mkdir(parents=True)
    with tiny_disk(world.env_dir, size="64k"):
        fill(world.env_dir)
        item = world.doctor(*CHECK).check("proxy.propagation")
        left = sorted(p.name for p in world.env_dir.iterdir())

    _assert_named(item, f"cannot write the probe's env file in {world.env_dir}: the disk is "
                        "full (0 bytes free")
    assert "`clauderon new` cannot write env files there either" in item["summary"]
    assert item["remedy"] == f"df -h {world.env_dir}   # free some space there"
    assert left == [".filler"]  # no half-written probe file


def test_a_read_only_state_directory_is_named_not_a_crash(world: World) -> None:
    from adversarial.support import read_only

    _configure(world, "bash")
    world.env_dir.mkdir(parents=True)
    with read_only(world.env_dir) as how:
        item = world.doctor(*CHECK).check("proxy.propagation")

    if how == "chmod a-w":
        _assert_named(item, "permission denied")
    else:
        _assert_named(item, f"cannot write the probe's env file in {world.env_dir}: it is on "
                            "a read-only file system")
        assert item["remedy"] == f"findmnt -T {world.env_dir}   # remount it read-write"


def test_no_usable_temporary_directory_is_named_not_a_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tempfile skips a full TMPDIR for /tmp; when none is usable it raises (in-process)."""
    import errno
    import tempfile

    from clauderon.doctor.checks.propagation import run_propagation
    from clauderon.doctor.context import Context

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/clauderon-doctor-x")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", full)
    ctx = Context({"HOME": str(tmp_path), "SHELL": "/bin/sh", "PATH": "/usr/bin:/bin"},
                  timeout=5)

    result = run_propagation(ctx)

    assert result.status.value == "error"
    assert result.summary.startswith("cannot write the probe's temporary directory in /tmp: "
                                     "the disk is full (")
    assert result.summary.endswith("; the probe cannot run")
