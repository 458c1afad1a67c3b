"""Run every benchmark in turn; exit 1 when any misses its target.

Run: python3 bench/run_all.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_cli.py", "bench_shell_start.py", "bench_completion.py", "bench_doctor.py",
           "bench_tmux.py", "bench_docker.py", "bench_agents.py"]


def main() -> int:
    failed = []
    for name in BENCHES:
        if not (HERE / name).exists():
            continue
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name)]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"over target or failed: {', '.join(failed)}")
        return 1
    print("every benchmark met its target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
