"""On a healthy setup with 100 sessions, `clauderon doctor` (proxy propagation included)
takes at most 20 times as long as `python3 -c pass`, both measured here, interleaved."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from fakes.fakezellij import _fake, _paths

from clauderon import config, session_env
from clauderon.registry import Record, Registry
from clauderon.shellquote import write_env_files
from tests.doctor.world import Listener, World, shell_path

SESSIONS = 100
RUNS = 5
LIMIT = 20.0


def _plant(world: World, count: int) -> None:
    """``count`` sessions as `clauderon new` leaves them (registry row, env files, a running
    session in the fake's store), written directly: creating them one by one takes long."""
    cfg = config.load(world.env)
    registry = Registry.default(world.env)
    fake, where = _fake(), _paths(world.env)
    for i in range(count):
        name = f"s{i:03d}"
        senv = session_env.compute(name, config=cfg, backend="zellij", caller_env=world.env)
        write_env_files(name, senv.variables, world.env)
        registry.add(Record(name=name, backend="zellij", workdir=str(world.work),
                            created_at=Record.now(), shell=world.env["SHELL"],
                            env=senv.variables, layout="default"))
        fake.write_running(where, {"name": name, "created": time.time(),
                                   "env": senv.process_env(SHELL=world.env["SHELL"]),
                                   "cwd": str(world.work), "created_by": "attach -b"}, True)


def _wall(argv: list[str], world: World) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=world.env, cwd=world.work, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False, timeout=60)
    return time.perf_counter() - start


def test_doctor_with_100_sessions_is_within_20_times_python_startup(world: World,
                                                                   listener: Listener) -> None:
    world.make_healthy()
    world.write_config(f'[proxy]\nhttp = "http://127.0.0.1:{listener.port}"\n'
                       'no_proxy = ["localhost", "127.0.0.1", "::1"]\n')
    _plant(world, SESSIONS)
    check = world.doctor()
    assert check.data is not None
    assert check.data["summary"]["warning"] == 0 and check.data["summary"]["error"] == 0, \
        check.stdout
    assert f"{SESSIONS} recorded sessions" in check.check("sessions.orphans")["summary"]

    doctor = [shell_path("zsh"), "-c", '"$@"; exit $?', "perf", sys.executable, "-m",
              "clauderon", "doctor"]
    bare = [sys.executable, "-c", "pass"]
    _wall(bare, world)  # the doctor's warm-up was the run above
    doctor_times, bare_times = [], []
    for _ in range(RUNS):
        bare_times.append(_wall(bare, world))
        doctor_times.append(_wall(doctor, world))
    ratio = statistics.median(doctor_times) / statistics.median(bare_times)

    print(f"doctor {statistics.median(doctor_times) * 1000:.0f} ms, python3 -c pass "
          f"{statistics.median(bare_times) * 1000:.0f} ms, ratio {ratio:.1f}")
    assert ratio <= LIMIT
