"""`clauderon new --backend tmux` + `clauderon kill` against the raw tmux pair.

Target (architecture issue, relaxed from 1.0): median(new + kill) ≤ 1.25 × (2 ×
median(clauderon --version) + 3 × median(tmux new-session -d + kill-session)), all measured in
the same run, on a tmux server of its own.
Run: python3 bench/bench_tmux.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import clauderon_argv, median_ms, report, world_env


def pair_ms(first: list[str], second: list[str], env: dict[str, str], runs: int) -> float:
    samples = []
    for i in range(runs + 2):
        start = time.perf_counter()
        subprocess.run(first, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(second, env=env, check=True, stdout=subprocess.DEVNULL)
        if i >= 2:
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    tmux = shutil.which("tmux")
    if not tmux:
        print("tmux is not installed; skipped")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="clauderon-bench-tmux-"))
    env = world_env(tmp)
    env["TMUX_TMPDIR"] = str(tmp / "tmux")
    Path(env["TMUX_TMPDIR"]).mkdir()
    env["SHELL"] = "/bin/sh"
    try:
        # Keep the server alive between samples, as a user's server is.
        subprocess.run([tmux, "new-session", "-d", "-s", "keepalive"], env=env, check=True)
        raw = pair_ms([tmux, "new-session", "-d", "-s", "raw", "-c", str(tmp)],
                      [tmux, "kill-session", "-t", "=raw"], env, args.runs)
        version = median_ms(clauderon_argv("--version"), env=env, runs=args.runs)
        ours = pair_ms(clauderon_argv("new", "--backend", "tmux", "--workdir", str(tmp), "ours"),
                       clauderon_argv("kill", "ours"), env, args.runs)
        budget = 2 * version + 3 * raw
        print(f"raw tmux new+kill {raw:.1f} ms; clauderon --version {version:.1f} ms; "
              f"budget 2×version + 3×raw = {budget:.1f} ms")
        ok = report([("clauderon new+kill (tmux)", ours, ours / budget, 1.25)])
        return 0 if ok else 1
    finally:
        subprocess.run([tmux, "kill-server"], env=env, stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
