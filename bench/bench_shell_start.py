"""Shell start inside a session with the hook, against the same shell with an empty rc file.

Target (issue: shell integration): ≤ 1.2× for bash, zsh and fish, measured in the same run.
Each sample is one interactive shell start (`SHELL -i -c exit`) with an isolated HOME.
Run: python3 bench/bench_shell_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_ms, report

ROOT = Path(__file__).resolve().parent.parent

RC = {"bash": ".bashrc", "zsh": ".zshrc", "fish": ".config/fish/config.fish"}


def setup(home: Path, shell: str, with_hook: bool) -> dict[str, str]:
    from clauderon.shellquote import write_env_files
    from clauderon.shellrc import hook_line

    rc = home / RC[shell]
    rc.parent.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "TERM": "xterm",
           "XDG_STATE_HOME": str(home / ".local/state"),
           "XDG_CONFIG_HOME": str(home / ".config")}
    if with_hook:
        rc.write_text(hook_line(shell, ROOT / "shell" / f"clauderon.{shell}") + "\n")
        write_env_files("bench", {"TERM": "xterm-256color",
                                  "HTTP_PROXY": "http://proxy:3128",
                                  "http_proxy": "http://proxy:3128",
                                  "CLAUDERON_SESSION": "bench"}, env)
        env["CLAUDERON_SESSION"] = "bench"
    else:
        rc.write_text("")
    return env


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rows = []
    for shell in ("bash", "zsh", "fish"):
        path = shutil.which(shell)
        if not path:
            print(f"{shell}: not installed, skipped")
            continue
        tmp = Path(tempfile.mkdtemp(prefix=f"clauderon-bench-{shell}-"))
        try:
            bare = setup(tmp / "bare", shell, with_hook=False)
            hooked = setup(tmp / "hooked", shell, with_hook=True)
            argv = [path, "-i", "-c", "exit"]
            # Interleave the two so machine noise hits both alike.
            base = hook = 0.0
            base_samples, hook_samples = [], []
            for _ in range(3):
                base_samples.append(median_ms(argv, env=bare, runs=args.runs // 3))
                hook_samples.append(median_ms(argv, env=hooked, runs=args.runs // 3))
            base = sorted(base_samples)[1]
            hook = sorted(hook_samples)[1]
            print(f"{shell}: empty rc {base:.2f} ms, in a session with the hook {hook:.2f} ms")
            rows.append((f"{shell} start with hook", hook, hook / base, 1.2))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if report(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
