"""Worktree agent sessions (issue 13).

Targets, all measured in the same run:
* median(`new --repo R --agent A` + `kill`, tmux) ≤ 1.3 × (2 × median(clauderon --version) +
  median(raw `git worktree add -b` + `git worktree remove` + `git branch -D`) + 3 × median(raw
  tmux new-session -d + kill-session)); the agent is tests/agents/fakeagent;
* median(`clauderon doctor`) with 100 worktree sessions (Zellij fake, real git worktrees of one
  repository, an agent configured) ≤ 25 × median(python3 -c pass).
Run: python3 bench/bench_agents.py [--runs N] [--sessions N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import PYTHON, ROOT, clauderon_argv, median_ms, populate, report, world_env

AGENT = ROOT / "tests" / "agents" / "fakeagent"


def git(*args: str, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], env=env, check=True, capture_output=True,
                          text=True).stdout


def make_repo(path: Path, env: dict[str, str]) -> None:
    path.mkdir(parents=True)
    git("-C", str(path), "init", "-q", "-b", "main", env=env)
    (path / "README").write_text("bench\n")
    git("-C", str(path), "add", "README", env=env)
    git("-C", str(path), "commit", "-q", "-m", "first", env=env)


def steps_ms(steps: list[list[list[str]]], env: dict[str, str], runs: int) -> float:
    """Median of running each step's commands in order (2 warm-up rounds)."""
    samples = []
    for i in range(runs + 2):
        start = time.perf_counter()
        for argv in steps[i % len(steps)]:
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if i >= 2:
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_new_kill(tmp: Path, runs: int) -> bool:
    tmux = shutil.which("tmux")
    if not tmux:
        print("tmux is not installed; new+kill skipped")
        return True
    env = world_env(tmp / "nk")
    env.update(TMUX_TMPDIR=str(tmp / "tmux"), SHELL="/bin/sh",
               FAKEAGENT_LOG=str(tmp / "agentlog"), GIT_AUTHOR_NAME="b",
               GIT_AUTHOR_EMAIL="b@example.invalid", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@example.invalid")
    Path(env["TMUX_TMPDIR"]).mkdir()
    config = tmp / "nk" / "config.toml"
    config.write_text(f'default_backend = "tmux"\n[agents.fake]\ncommand = ["{AGENT}"]\n')
    env["CLAUDERON_CONFIG"] = str(config)
    repo = tmp / "nk" / "repo"
    make_repo(repo, env)
    try:
        subprocess.run([tmux, "new-session", "-d", "-s", "keepalive"], env=env, check=True)
        raw_tmux = steps_ms([[[tmux, "new-session", "-d", "-s", "raw", "-c", str(tmp)],
                              [tmux, "kill-session", "-t", "=raw"]]], env, runs)
        wt = str(tmp / "raw-wt")
        raw_git = steps_ms([[["git", "-C", str(repo), "worktree", "add", "-q", "-b", "raw/x",
                              wt, "HEAD"],
                             ["git", "-C", str(repo), "worktree", "remove", wt],
                             ["git", "-C", str(repo), "branch", "-q", "-D", "raw/x"]]],
                           env, runs)
        version = median_ms(clauderon_argv("--version"), env=env, runs=runs)
        ours = steps_ms([[clauderon_argv("new", "--repo", str(repo), "--agent", "fake",
                                         "--prompt", "bench", "--shell", "/bin/sh", "s"),
                          clauderon_argv("kill", "s")]], env, runs)
        plain = steps_ms([[clauderon_argv("new", "--workdir", str(repo), "--shell", "/bin/sh",
                                          "p"), clauderon_argv("kill", "p")]], env, runs)
        budget = 2 * version + raw_git + 3 * raw_tmux
        print(f"raw git worktree add+remove+branch -D {raw_git:.1f} ms; raw tmux pair "
              f"{raw_tmux:.1f} ms; clauderon --version {version:.1f} ms; budget {budget:.1f} ms")
        print(f"for reference: plain new+kill (no worktree, no agent) {plain:.1f} ms = "
              f"{plain / (2 * version + 3 * raw_tmux):.2f} x its own budget; the worktree and "
              f"the agent add {ours - plain:.1f} ms (raw git: {raw_git:.1f} ms)")
        return report([("new --repo --agent + kill (tmux)", ours, ours / budget, 1.3)])
    finally:
        subprocess.run([tmux, "kill-server"], env=env, stderr=subprocess.DEVNULL)


def bench_doctor(tmp: Path, sessions: int, runs: int) -> bool:
    from clauderon.registry import Registry

    env = world_env(tmp / "dr")
    env["SHELL"] = shutil.which("bash") or "/bin/bash"
    env.update(GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.invalid",
               GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.invalid")
    config = Path(env["XDG_CONFIG_HOME"]) / "clauderon" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[agents.fake]\ncommand = ["{AGENT}"]\n')
    populate(env, sessions, env_files=True)
    repo = tmp / "dr" / "repo"
    make_repo(repo, env)
    base = git("-C", str(repo), "rev-parse", "HEAD", env=env).strip()
    root = Path(env["XDG_DATA_HOME"]) / "clauderon" / "worktrees" / "repo"
    registry = Registry(Path(env["XDG_DATA_HOME"]) / "clauderon" / "sessions.db")
    for record in registry.all():
        tree = root / record.name
        branch = f"clauderon/{record.name}"
        git("-C", str(repo), "worktree", "add", "-q", "-b", branch, str(tree), base, env=env)
        registry.forget(record.name)
        registry.add(replace(record, workdir=str(tree), options={
            "repo": str(repo), "branch": branch, "base": base, "worktree": str(tree),
            "agent": "fake", "git_common_dir": str(repo / ".git")}))
    for setup in (["shell", "install", "--shell", "bash"],
                  ["completions", "install", "--shell", "bash"]):
        subprocess.run(clauderon_argv(*setup), env=env, check=True, stdout=subprocess.DEVNULL)
    probe = json.loads(subprocess.run(clauderon_argv("doctor", "--json"), env=env,
                                      capture_output=True, text=True).stdout)
    mine = {c["id"]: c["status"] for c in probe["checks"]
            if c["id"].split(".")[0] in ("git", "agents", "worktrees")}
    print(f"doctor on {sessions} worktree sessions: {probe['summary']}; {mine}")
    if any(status != "ok" for status in mine.values()):
        print("the worktree checks are not all ok:", json.dumps(
            [c for c in probe["checks"] if c["id"] in mine], indent=1))
        return False
    baseline = median_ms([PYTHON, "-c", "pass"], env=env, runs=runs)
    doctor = median_ms(clauderon_argv("doctor"), env=env, runs=runs)
    print(f"baseline: python3 -c pass = {baseline:.1f} ms")
    return report([(f"clauderon doctor ({sessions} worktree sessions)", doctor,
                    doctor / baseline, 25)])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=100)
    args = parser.parse_args()
    if not shutil.which("git"):
        print("git is not installed; skipped")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="clauderon-bench-agents-"))
    try:
        ok = bench_new_kill(tmp, args.runs)
        ok = bench_doctor(tmp, args.sessions, args.runs) and ok
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
