"""Shared timing helpers for the benchmarks: medians of whole-command runs, ratios."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

PYTHON = sys.executable


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
