"""Shell start inside a session with the hook, against the same shell with an empty rc file.

Target (issue: shell integration): ≤ 1.2× for bash, zsh and fish, measured in the same run.
Each sample is one interactive shell start (`SHELL -i -c exit`) with an isolated HOME. Both
shells start inside the session, i.e. with the environment a pane inherits from the session
(TERM, proxies, CLAUDERON_SESSION); they differ only in the rc file. A third, informational
figure is the start where the hook has to repair TERM (an rc file or a resurrected server
left another value): assigning TERM makes the shell load another terminal description.
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


SESSION_ENV = {"TERM": "xterm-256color", "HTTP_PROXY": "http://proxy:3128",
               "http_proxy": "http://proxy:3128", "CLAUDERON_SESSION": "bench"}


def setup(home: Path, shell: str, with_hook: bool, term: str | None = None) -> dict[str, str]:
    from clauderon.shellquote import write_env_files
    from clauderon.shellrc import hook_line

    rc = home / RC[shell]
    rc.parent.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin",
           "XDG_STATE_HOME": str(home / ".local/state"),
           "XDG_CONFIG_HOME": str(home / ".config"), **SESSION_ENV}
    if term is not None:
        env["TERM"] = term
    if with_hook:
        rc.write_text(hook_line(shell, ROOT / "shell" / f"clauderon.{shell}") + "\n")
        write_env_files("bench", SESSION_ENV, env)
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
            repair = setup(tmp / "repair", shell, with_hook=True, term="xterm")
            argv = [path, "-i", "-c", "exit"]
            # Interleave them so machine noise hits all alike; the middle of three medians.
            samples: dict[str, list[float]] = {"bare": [], "hooked": [], "repair": []}
            for _ in range(3):
                for key, env in (("bare", bare), ("hooked", hooked), ("repair", repair)):
                    samples[key].append(median_ms(argv, env=env, runs=args.runs // 3))
            base, hook, fix = (sorted(samples[k])[1] for k in ("bare", "hooked", "repair"))
            print(f"{shell}: empty rc {base:.2f} ms, with the hook {hook:.2f} ms "
                  f"({hook / base:.2f}×); with the hook repairing TERM {fix:.2f} ms "
                  f"({fix / base:.2f}×, informational)")
            rows.append((f"{shell} start with hook", hook, hook / base, 1.2))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if report(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
