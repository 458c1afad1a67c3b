"""`clauderon --version` and `clauderon list` (1,000 sessions, the Zellij fake answering)
against `python3 -c pass`, measured in the same run.

Targets (issue: core): --version ≤ 6×, list ≤ 8× the bare interpreter start.
Run: python3 bench/bench_cli.py [--sessions N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import FAKES, PYTHON, clauderon_argv, median_ms, populate, report, world_env


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="clauderon-bench-"))
    try:
        env = world_env(tmp)
        populate(env, args.sessions)
        runs = args.runs
        baseline = median_ms([PYTHON, "-c", "pass"], env=env, runs=runs)
        version = median_ms(clauderon_argv("--version"), env=env, runs=runs)
        listing = median_ms(clauderon_argv("list"), env=env, runs=runs)
        fake_ls = median_ms([str(FAKES / "zellij"), "ls", "-n"], env=env, runs=runs)
        print(f"baseline: python3 -c pass = {baseline:.1f} ms; the fake's own `zellij ls -n` "
              f"with {args.sessions} sessions = {fake_ls:.1f} ms")
        ok = report([
            ("clauderon --version", version, version / baseline, 6),
            (f"clauderon list ({args.sessions} sessions)", listing, listing / baseline, 8),
        ])
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.pop("CLAUDERON_CONFIG", None)
    raise SystemExit(main())
