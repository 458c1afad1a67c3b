"""worktrees.orphans and worktrees.health: every worktree, branch and worktree session
accounted for, in both directions and with git's own view; nothing that holds work is
removed.

Reads git's files directly where they answer (a worktree's ``.git`` file, its ``HEAD``) and
batches the rest per repository (one ``worktree list`` and one ``for-each-ref`` each): not
one ``git status`` per session. Only a worktree directory with no session is asked for its
uncommitted files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from clauderon.doctor.checks._worktree_use import SKIP, in_use, worktree_records
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, plural, shq, skipped, warning

FIX = "clauderon doctor --fix --check worktrees.orphans"


class Finding(NamedTuple):
    kind: str            # directory | missing | prunable | branch
    repo: str | None
    path: str | None     # the worktree directory (directory, missing, prunable)
    branch: str | None
    work: str | None     # what it holds ("nothing" when it holds none); None: unknown
    session: str | None = None

    @property
    def removable(self) -> bool:
        return self.work == "nothing" and self.kind != "missing"


def gitdir_of(worktree: Path) -> Path | None:
    """The ``<repo>/.git/worktrees/<id>`` a linked worktree's ``.git`` file names."""
    try:
        text = (worktree / ".git").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir:"):
        return None
    path = Path(text[len("gitdir:"):].strip())
    return path if path.is_absolute() else (worktree / path).resolve()


def repo_of_gitdir(gitdir: Path) -> Path:
    """The main worktree of a linked worktree's gitdir (``<repo>/.git/worktrees/<id>``)."""
    return gitdir.parent.parent.parent


def head_of(gitdir: Path) -> str | None:
    """The branch a worktree is on (short name), ``""`` when detached, None if unreadable."""
    try:
        text = (gitdir / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text.removeprefix("ref: refs/heads/") if text.startswith("ref: refs/heads/") else ""


def root(ctx: Context) -> Path:
    from clauderon import paths

    configured = ctx.config_or_default().value("worktree.root")
    return Path(os.path.expanduser(str(configured))) if configured else \
        paths.worktree_root(ctx.env)


def _what(ctx: Context, repo: str, branch: str | None, base: str | None,
          worktree: Path | None, tips: dict[str, str] | None) -> str | None:
    from clauderon import worktrees
    from clauderon.errors import ClauderonError

    try:
        files = worktrees.uncommitted(str(worktree), ctx.env) if worktree is not None else ()
        commits = worktrees.unmerged_commits(repo, branch, base, ctx.env, tips) \
            if branch else 0
    except ClauderonError:
        return None
    return worktrees.Work(files, commits).describe()


def findings(ctx: Context) -> list[Finding]:
    from clauderon import worktrees

    records = worktree_records(ctx)
    recorded = {str(r.options["worktree"]): r for r in records}
    repos: dict[str, None] = {str(r.options["repo"]): None for r in records}
    found: list[Finding] = []
    tips_cache: dict[str, dict[str, str] | None] = {}

    def tips(repo: str) -> dict[str, str] | None:
        if repo not in tips_cache:
            tips_cache[repo] = worktrees.branch_tips(repo, ctx.env)
        return tips_cache[repo]

    claimed: set[tuple[str, str]] = set()  # (repo, branch) reported with its directory
    base = root(ctx)
    for repo_dir in sorted(base.iterdir()) if base.is_dir() else ():
        if not repo_dir.is_dir():
            continue
        for tree in sorted(repo_dir.iterdir()):
            if not tree.is_dir() or str(tree) in recorded:
                continue
            gitdir = gitdir_of(tree)
            if gitdir is None or not gitdir.is_dir():
                found.append(Finding("directory", None, str(tree), None, None))
                continue
            repo = str(repo_of_gitdir(gitdir))
            repos.setdefault(repo, None)
            branch = head_of(gitdir) or None
            if branch:
                claimed.add((repo, branch))
            found.append(Finding("directory", repo, str(tree), branch,
                                 _what(ctx, repo, branch, None, tree, tips(repo))))
    for path, record in recorded.items():
        if not Path(path).is_dir():
            repo, branch = str(record.options["repo"]), str(record.options["branch"])
            claimed.add((repo, branch))
            work = _what(ctx, repo, branch, str(record.options.get("base")), None,
                         tips(repo)) if Path(repo).is_dir() else None
            found.append(Finding("missing", repo, path, branch, work, record.name))
    prefix = str(ctx.config_or_default().value("worktree.branch_prefix"))
    session_branches = {(str(r.options["repo"]), str(r.options["branch"])) for r in records}
    for repo in repos:
        if not Path(repo).is_dir():
            continue
        try:
            listed = worktrees.listing(repo, ctx.env)
        except Exception:
            listed = []
        checked_out: dict[str, str] = {}
        for entry in listed:
            if entry.prunable:
                if entry.branch:
                    claimed.add((repo, entry.branch))
                if entry.path not in recorded:  # else reported as a session's gone worktree
                    # its branch goes too when it is clauderon's, of no session, with no work
                    own = entry.branch if entry.branch and entry.branch.startswith(prefix) \
                        and (repo, entry.branch) not in session_branches else None
                    found.append(Finding("prunable", repo, entry.path, own, "nothing"))
            elif entry.branch:
                checked_out[entry.branch] = entry.path
        for branch in sorted(tips(repo) or {}):
            if (branch.startswith(prefix) and (repo, branch) not in session_branches
                    and (repo, branch) not in claimed):
                elsewhere = checked_out.get(branch)
                work = _what(ctx, repo, branch, None, Path(elsewhere) if elsewhere else None,
                             tips(repo))
                if elsewhere is not None and work == "nothing":
                    work = f"nothing, but it is checked out at {elsewhere}"
                found.append(Finding("branch", repo, elsewhere, branch, work))
    return found


def _line(ctx: Context, f: Finding) -> str:
    holds = "holds no work" if f.work == "nothing" else \
        "cannot tell whether it holds work" if f.work is None else f"holds work: {f.work}"
    where = ctx.tidy(f.path) if f.path else ""
    if f.kind == "directory":
        return (f"worktree directory {where} has no session"
                + (f" (branch {f.branch} of {ctx.tidy(f.repo)})" if f.repo else
                   " (git does not know it as a worktree)") + f"; {holds}")
    if f.kind == "missing":
        return f'session "{f.session}": its worktree {where} is gone (branch {f.branch}); ' \
               f"{holds}"
    if f.kind == "prunable":
        return f"git lists {where} as a prunable worktree of {ctx.tidy(f.repo or '')} " \
               "(its directory is gone)"
    if f.work and f.work.startswith("nothing, but"):
        holds = f"holds no work{f.work[len('nothing'):]} (not removed: not clauderon's " \
            "directory)"
    return f"branch {f.branch} in {ctx.tidy(f.repo or '')} has no session; {holds}"


def _remedy(ctx: Context, findings_: list[Finding]) -> str | None:
    from clauderon.doctor.model import cmd

    for f in findings_:
        if f.removable:
            return FIX
    for f in findings_:
        if f.kind == "missing" and f.session:
            return f"clauderon restore {shq(f.session, ctx.env)}   # or: clauderon kill " \
                   f"{shq(f.session, ctx.env)}"
        if f.kind == "directory" and f.repo and f.path:
            return cmd("git", "-C", f.path, "status", env=ctx.env) + \
                "   # commit or keep what it holds, then: " + \
                cmd("git", "-C", f.repo, "worktree", "remove", f.path, env=ctx.env)
        if f.kind == "branch" and f.repo and f.branch:
            return cmd("git", "-C", f.repo, "log", "--oneline", f.branch, env=ctx.env) + \
                "   # merge or keep it; delete when done: " + \
                cmd("git", "-C", f.repo, "branch", "-D", f.branch, env=ctx.env)
        if f.kind == "directory" and f.path:
            return cmd("ls", "-la", f.path, env=ctx.env) + "   # not a git worktree: check " \
                "it, remove it by hand when it holds nothing you need"
    return None


def check_orphans(ctx: Context) -> Result:
    if not in_use(ctx) and not root(ctx).is_dir():
        return skipped(SKIP)
    found = findings(ctx)
    if not found:
        return ok("every worktree, clauderon branch and worktree session is accounted for")
    lines = [_line(ctx, f) for f in found]
    removable = [f for f in found if f.removable]
    summary = f"{plural(len(found), 'orphan')} found"
    if removable:
        summary += f" ({len(removable)} holding no work: --fix removes them)"
    return warning(summary, details=lines, remedy=_remedy(ctx, found),
                   fixable=bool(removable), data={"findings": removable})


def fix_orphans(ctx: Context, result: Result) -> list[str]:
    from clauderon import worktrees

    done: list[str] = []
    for f in result.data.get("findings", ()):
        assert isinstance(f, Finding)
        repo = f.repo
        if repo is None:
            continue
        # look again right before removing: work done since the check is not lost
        if f.kind in ("directory", "branch") or (f.kind == "prunable" and f.branch):
            now = _what(ctx, repo, f.branch, None,
                        Path(f.path) if f.kind == "directory" and f.path else None,
                        worktrees.branch_tips(repo, ctx.env))
            if now != "nothing" and f.kind != "prunable":
                done.append(f"kept {f.path or f.branch}: it holds work now ({now})")
                continue
            if now != "nothing":
                f = f._replace(branch=None)  # prune the entry, keep the branch
        if f.kind == "prunable" or (f.kind == "directory" and f.path):
            args = ["worktree", "prune"] if f.kind == "prunable" else \
                ["worktree", "remove", str(f.path)]
            ctx.announce(f"doctor --fix: {' '.join(['git', *args])} in {ctx.tidy(repo)}")
            r = worktrees.git(repo, *args, env=ctx.env, check=False)
            if not r.ok:
                done.append(f"could not remove {f.path}: {r.stderr.strip()[:120]}")
                continue
            done.append(f"removed {ctx.tidy(f.path or '')}" if f.kind == "directory"
                        else f"pruned {ctx.tidy(f.path or '')} from git's list")
        if f.branch:
            ctx.announce(f"doctor --fix: git branch -D {f.branch} in {ctx.tidy(repo)}")
            r = worktrees.git(repo, "branch", "-D", f.branch, env=ctx.env, check=False)
            done.append(f"deleted branch {f.branch}" if r.ok else
                        f"could not delete branch {f.branch}: {r.stderr.strip()[:120]}")
    return done


def check_health(ctx: Context) -> Result:
    from clauderon.doctor.model import cmd

    records = worktree_records(ctx)
    if not records:
        return skipped("no worktree session" if in_use(ctx) else SKIP)
    problems: list[str] = []
    remedy = None
    for r in records:
        repo, branch = str(r.options["repo"]), str(r.options["branch"])
        tree = Path(str(r.options["worktree"]))
        if not Path(repo).is_dir():
            problems.append(f'session "{r.name}": its repository {ctx.tidy(repo)} is gone')
            continue
        if not tree.is_dir():
            continue  # worktrees.orphans reports it (restore adds it again)
        gitdir = gitdir_of(tree)
        if gitdir is None or not gitdir.is_dir():
            problems.append(f'session "{r.name}": the git directory its worktree names '
                            f"({gitdir or 'no .git file'}) is not reachable")
            remedy = remedy or cmd("git", "-C", repo, "worktree", "repair", str(tree), env=ctx.env)
            continue
        head = head_of(gitdir)
        if head != branch:
            now = "detached" if head == "" else f"on {head}" if head else "unreadable"
            problems.append(f'session "{r.name}": its worktree is {now}, not on its branch '
                            f"{branch}")
            remedy = remedy or cmd("git", "-C", str(tree), "switch", branch, env=ctx.env)
    if problems:
        return error(f"{plural(len(problems), 'worktree session')} not as recorded",
                     details=problems, remedy=remedy)
    return ok(f"{plural(len(records), 'worktree session')} on their branches, repositories "
              "and git directories reachable")


CHECKS = [
    Check("worktrees.orphans", "Agents", "worktrees, branches and sessions accounted for",
          check_orphans, fix=fix_orphans),
    Check("worktrees.health", "Agents", "worktree sessions as recorded", check_health),
]
