"""Shared timing helpers for the benchmarks: medians of whole-command runs, ratios."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent
FAKES = ROOT / "tests" / "fakes"


def median_ms(argv: Sequence[str], *, env: Mapping[str, str] | None = None, runs: int = 15,
              warmup: int = 2, cwd: str | None = None) -> float:
    """Median wall time of ``argv`` in milliseconds (output discarded, must exit 0)."""
    samples: list[float] = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        result = subprocess.run(list(argv), env=dict(env) if env is not None else None,
                                cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = (time.perf_counter() - start) * 1000
        if result.returncode != 0:
            raise SystemExit(f"benchmark command failed: {list(argv)}: "
                             f"{result.stderr.decode(errors='replace')[-500:]}")
        if i >= warmup:
            samples.append(elapsed)
    return statistics.median(samples)


def clauderon_argv(*args: str) -> list[str]:
    """The installed console script (what users run), else the same entry point."""
    import shutil

    script = shutil.which("clauderon")
    if script:
        return [script, *args]
    return [PYTHON, "-c", "from clauderon.__main__ import main; main()", *args]


def report(rows: Sequence[tuple[str, float, float, float]]) -> bool:
    """Print ``name, value_ms, ratio, target`` rows; True when every ratio meets its target."""
    ok = True
    width = max(len(r[0]) for r in rows)
    for name, value, ratio, target in rows:
        verdict = "ok" if ratio <= target else "OVER"
        ok &= ratio <= target
        print(f"{name:<{width}}  {value:8.1f} ms  ratio {ratio:5.2f}  (target ≤ {target:g})  "
              f"{verdict}")
    return ok


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ZELLIJ", "CLAUDERON"))}


def world_env(tmp: Path, version: str = "0.43.1") -> dict[str, str]:
    """An isolated HOME with the Zellij fake first on PATH (run on this interpreter)."""
    home = tmp / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = base_env()
    env.update({
        "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"), "ZELLIJ_SOCKET_DIR": str(tmp / "zs"),
        "FAKE_ZELLIJ_VERSION": version, "TERM": "xterm-256color",
        "PATH": f"{FAKES}:{Path(PYTHON).parent}:{env.get('PATH', '/usr/bin:/bin')}",
    })
    env.pop("CLAUDERON_CONFIG", None)
    return env


def populate(env: dict[str, str], count: int, *, env_files: bool = False) -> None:
    """``count`` healthy Zellij sessions: fake state, registry rows and (optionally) the env
    files clauderon writes — the same records ``clauderon new`` leaves, made faster."""
    import json
    import subprocess

    from clauderon.registry import Record, Registry
    from clauderon.shellquote import write_env_files

    first = "bench-0000"
    subprocess.run([str(FAKES / "zellij"), "attach", "-b", first], env=env, check=True,
                   cwd=env["HOME"])
    sock = Path(env["ZELLIJ_SOCKET_DIR"]) / env["FAKE_ZELLIJ_VERSION"]
    template = json.loads((sock / first).read_text())
    registry = Registry(Path(env["XDG_DATA_HOME"]) / "clauderon" / "sessions.db")
    for i in range(count):
        name = f"bench-{i:04d}"
        variables = {"TERM": env["TERM"], "CLAUDERON_SESSION": name}
        if i:
            template["name"] = name
            (sock / name).write_text(json.dumps(template))
        registry.add(Record(name=name, backend="zellij", workdir=env["HOME"],
                            created_at=Record.now(), shell="/bin/bash", env=variables,
                            layout="default"))
        if env_files:
            write_env_files(name, variables, env)
