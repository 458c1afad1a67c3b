"""One bash TAB completing session names with 1,000 sessions in the names cache.

Many TABs run inside one bash process (the shipped completions/clauderon.bash, sourced), each
timed with bash's $EPOCHREALTIME so process start is not counted; as a baseline, each TAB is
paired with a call to a trivial bash function in the same loop (same process, same moment).

Target (issue: completions): median ≤ 2 ms per TAB. The ratio to the trivial call says how
fast this machine's bash is (a bare function call costs ~1-2 µs on an idle laptop).
Run: python3 bench/bench_completion.py [--sessions N] [--tabs N]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "completions" / "clauderon.bash"
TARGET_MS = 2.0

# (label, command line up to the cursor)
CASES = (
    ("prefix, many matches", "clauderon attach web-"),
    ("prefix, a few matches", "clauderon kill web-01"),
    ("prefix, no match", "clauderon attach zzz"),
    ("no prefix: all names", "clauderon attach "),
)

DRIVER = r'''
source "$1"
__bench_noop() { :; }
__bench_us() { local t=${1//[!0-9]/}; printf -v REPLY %d "$((10#$t))"; }
tabs=$2
shift 2
for line; do
    COMP_LINE=$line
    COMP_POINT=${#line}
    read -ra COMP_WORDS <<< "$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    tab=() base=()
    for ((i = 0; i < tabs + 5; i++)); do
        t0=$EPOCHREALTIME; _clauderon; t1=$EPOCHREALTIME
        __bench_noop; t2=$EPOCHREALTIME
        ((i < 5)) && continue  # warm-up
        __bench_us "$t0"; a=$REPLY; __bench_us "$t1"; b=$REPLY; __bench_us "$t2"; c=$REPLY
        tab+=($((b - a))) base+=($((c - b)))
    done
    echo "replies ${#COMPREPLY[@]}"
    echo "tab ${tab[*]}"
    echo "base ${base[*]}"
done
'''


def names(count: int) -> list[str]:
    """Session names shaped like real ones: a few projects, a task each."""
    projects = ("api", "web", "infra", "docs", "mobile", "data", "ops", "auth")
    tasks = ("fix", "feat", "refactor", "spike", "review")
    return [f"{projects[i % len(projects)]}-{i:04d}-{tasks[i % len(tasks)]}"
            for i in range(count)]


def run(count: int, tabs: int) -> int:
    bash = shutil.which("bash")
    if bash is None:
        print("bash is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="clauderon-bench-") as tmp:
        home = Path(tmp)
        cache = home / ".cache" / "clauderon" / "names"
        cache.parent.mkdir(parents=True)
        # sorted, as clauderon writes it (sessions.refresh_names_cache)
        cache.write_text("".join(f"{n}\n" for n in sorted(names(count))), encoding="utf-8")
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "LANG": os.environ.get("LANG", "C.UTF-8")}
        argv = [bash, "--norc", "--noprofile", "-c", DRIVER, "bench", str(SCRIPT), str(tabs),
                *(line for _, line in CASES)]
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"bench failed: {shlex.join(argv[:3])} ...\n{out.stderr}", file=sys.stderr)
            return 1
    lines = out.stdout.splitlines()
    print(f"bash TAB completing session names, {count} names in the cache, "
          f"{tabs} TABs per case (median per TAB; baseline: a trivial bash function call)")
    worst = 0.0
    for i, (label, line) in enumerate(CASES):
        replies = int(lines[3 * i].split()[1])
        tab = [int(x) for x in lines[3 * i + 1].split()[1:]]
        base = [int(x) for x in lines[3 * i + 2].split()[1:]]
        tab_ms = statistics.median(tab) / 1000
        base_us = max(statistics.median(base), 1)
        if "prefix," in label:
            worst = max(worst, tab_ms)
        print(f"  {label:<22} {line!r:<28} {replies:>5} replies  {tab_ms:6.3f} ms  "
              f"baseline {base_us:5.1f} µs  ratio {tab_ms * 1000 / base_us:6.0f}x")
    verdict = "OK" if worst <= TARGET_MS else "ABOVE TARGET"
    print(f"worst median with a prefix typed: {worst:.3f} ms (target ≤ {TARGET_MS} ms): "
          f"{verdict}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--tabs", type=int, default=200)
    args = parser.parse_args()
    return run(args.sessions, args.tabs)


if __name__ == "__main__":
    sys.exit(main())
