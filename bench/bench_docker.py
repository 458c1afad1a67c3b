"""`clauderon new --backend docker` + `clauderon kill` against the raw docker pair.

Target (issue: docker): median(new + kill) ≤ 2 × median(clauderon --version)
+ 1.3 × median(docker run -d + docker rm -f) with the same image, measured in the same run.
Needs a running daemon and the local test image (tests/docker/build-test-image.sh).
Run: python3 bench/bench_docker.py [--runs N] [--image IMAGE]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tmux import pair_ms
from timing import clauderon_argv, median_ms, report, world_env


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--image", default="clauderon-test:latest")
    args = parser.parse_args()
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "image", "inspect", args.image],
                                    capture_output=True).returncode != 0:
        print(f"docker or the image {args.image} is not available; skipped")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="clauderon-bench-docker-"))
    env = world_env(tmp)
    try:
        raw = pair_ms([docker, "run", "-d", "-it", "--name", "clauderon-bench-raw",
                       "-v", f"{tmp}:{tmp}", "-w", str(tmp), args.image, "/bin/sh"],
                      [docker, "rm", "-f", "clauderon-bench-raw"], env, args.runs)
        version = median_ms(clauderon_argv("--version"), env=env, runs=args.runs)
        ours = pair_ms(clauderon_argv("new", "--backend", "docker", "--image", args.image,
                                      "--workdir", str(tmp), "bench"),
                       clauderon_argv("kill", "bench"), env, args.runs)
        budget = 2 * version + 1.3 * raw
        print(f"raw docker run+rm {raw:.1f} ms; clauderon --version {version:.1f} ms; "
              f"budget 2×version + 1.3×raw = {budget:.1f} ms")
        ok = report([("clauderon new+kill (docker)", ours, ours / budget, 1.0)])
        return 0 if ok else 1
    finally:
        subprocess.run([docker, "rm", "-f", "clauderon-bench-raw", "clauderon-bench"],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
