"""A healthy setup reports no warning and no error, in JSON and as text."""

from __future__ import annotations

from tests.doctor.world import Listener, World

ALL_IDS = {
    "zellij.binary", "zellij.sockets", "sessions.orphans", "sessions.env_files", "sessions.space",
    "registry.db", "config.file", "config.layout", "config.shell", "proxy.config",
    "proxy.reachable", "proxy.propagation", "shell.init", "shell.completions", "terminal.term",
}


def test_healthy_setup_has_no_warnings_or_errors(world: World, listener: Listener) -> None:
    world.make_healthy()
    world.write_config(
        "[proxy]\n"
        f'http = "http://user:s3cret@127.0.0.1:{listener.port}"\n'
        f'https = "http://127.0.0.1:{listener.port}"\n'
        'no_proxy = ["localhost", "127.0.0.1", "::1"]\n')
    world.config_path.chmod(0o600)
    world.new("api", cli=True)
    world.new("web")

    run = world.doctor()

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.data is not None
    statuses = run.statuses()
    assert ALL_IDS <= set(statuses)
    bad = {k: run.text(k) for k, v in statuses.items() if v in ("warning", "error")}
    assert bad == {}
    assert run.data["summary"]["warning"] == 0 and run.data["summary"]["error"] == 0
    assert run.data["summary"]["ok"] + run.data["summary"]["skipped"] == len(statuses)
    assert "2 recorded sessions" in run.check("sessions.orphans")["summary"]
    assert statuses["proxy.reachable"] == "ok"
    assert statuses["proxy.propagation"] == "ok"
    assert "s3cret" not in run.stdout


def test_healthy_text_report_is_plain_and_grouped(world: World) -> None:
    world.make_healthy()

    run = world.doctor(as_json=False, env={"NO_COLOR": "1"})

    assert run.returncode == 0, run.stdout + run.stderr
    assert "\x1b[" not in run.stdout
    lines = run.stdout.splitlines()
    groups = [line for line in lines if line and not line.startswith(" ")]
    assert groups[:9] == ["Docker", "tmux", "Zellij", "Sessions", "Agents", "Configuration",
                          "Proxy", "Shell", "Terminal"]
    # backends this user never used are skipped with one line, never a warning
    assert any(line.startswith("  – docker.daemon") or line.startswith("  - docker.daemon")
               for line in lines), lines
    assert any(line.startswith("  ✓ zellij.binary") for line in lines)
    assert lines[-1].startswith("Summary: ") and "0 warnings, 0 errors" in lines[-1]
