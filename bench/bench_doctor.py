"""`clauderon doctor` on a healthy setup with 100 sessions, against `python3 -c pass`.

Target (issue: doctor): median ≤ 20× the bare interpreter start, the proxy-propagation check
included (it starts the user's shell interactively on a pseudo-terminal).
Run: python3 bench/bench_doctor.py [--sessions N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import PYTHON, clauderon_argv, median_ms, populate, report, world_env


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="clauderon-bench-doctor-"))
    try:
        env = world_env(tmp)
        env["SHELL"] = shutil.which("bash") or "/bin/bash"
        populate(env, args.sessions, env_files=True)
        for setup in (["shell", "install", "--shell", "bash"],
                      ["completions", "install", "--shell", "bash"]):
            subprocess.run(clauderon_argv(*setup), env=env, check=True,
                           stdout=subprocess.DEVNULL)
        probe = subprocess.run(clauderon_argv("doctor", "--json"), env=env,
                               capture_output=True, text=True)
        summary = json.loads(probe.stdout)["summary"]
        print(f"doctor on {args.sessions} sessions: {summary}")
        if summary["error"] or summary["warning"]:
            bad = [c for c in json.loads(probe.stdout)["checks"]
                   if c["status"] in ("error", "warning")]
            print("not a healthy setup:", json.dumps(bad, indent=1))
            return 1
        baseline = median_ms([PYTHON, "-c", "pass"], env=env, runs=args.runs)
        doctor = median_ms(clauderon_argv("doctor"), env=env, runs=args.runs)
        print(f"baseline: python3 -c pass = {baseline:.1f} ms")
        ok = report([(f"clauderon doctor ({args.sessions} sessions)", doctor,
                      doctor / baseline, 20)])
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
