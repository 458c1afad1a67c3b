"""Git worktrees for agent sessions: planning and making one for `new`, the work it holds
(uncommitted files, commits not in its base) as data, the rules `kill` follows, and git's own
list of worktrees.

Every git call goes through :func:`clauderon.proc.run` with an argv list, machine-readable
formats only (``--porcelain -z``, ``rev-list --count``, exit codes), no pager, no colour and
``GIT_TERMINAL_PROMPT=0``. The guards git keeps (``worktree remove`` refuses modified or
untracked files, ``branch -d`` refuses unmerged commits) are bypassed only by ``--force``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from clauderon import paths, proc
from clauderon.config import Config
from clauderon.errors import ClauderonError, UsageError

# The keys a worktree session's registry record carries in ``options``.
KEYS = ("repo", "branch", "base", "worktree", "agent")


class HoldsWork(ClauderonError):
    """`kill` refused: the worktree holds work (exit 1, nothing changed)."""


def git_env(env: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment for machine reads: no prompt, no pager, no colour, no
    optional locks (a read never blocks a user's git), messages in English."""
    out = dict(env)
    out.update(GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", PAGER="cat", GIT_OPTIONAL_LOCKS="0",
               LC_ALL="C")
    out.pop("GIT_DIR", None)
    out.pop("GIT_WORK_TREE", None)
    return out


def git(where: str | Path, *args: str, env: Mapping[str, str], check: bool = True,
        timeout: float = 30) -> proc.Result:
    return proc.run(_git_argv(where, *args), env=git_env(env), timeout=timeout, check=check)


def git_all(where: str | Path, *commands: Sequence[str], env: Mapping[str, str],
            timeout: float = 30) -> list[proc.Result]:
    """Independent git commands in ``where``, run at the same time; results in order."""
    return proc.run_all([_git_argv(where, *c) for c in commands], env=git_env(env),
                        timeout=timeout, check=False)


def _git_argv(where: str | Path, *args: str) -> list[str]:
    return ["git", "-C", str(where), "-c", "color.ui=false", "-c", "core.quotePath=false", *args]


# -- data ---------------------------------------------------------------------------------


class Work(NamedTuple):
    """What a worktree holds that a removal would lose."""

    files: tuple[str, ...]  # uncommitted: modified, staged, untracked (paths)
    commits: int             # commits on the branch in neither the base nor another branch
    gone: bool = False       # the directory is gone (nothing uncommitted can be there)
    branch: bool = True      # the branch exists

    @property
    def holds(self) -> bool:
        return bool(self.files) or self.commits > 0

    def describe(self) -> str:
        from clauderon.words import plural

        parts = []
        if self.files:
            shown = ", ".join(self.files[:5]) + (", ..." if len(self.files) > 5 else "")
            parts.append(f"{plural(len(self.files), 'uncommitted file')} ({shown})")
        if self.commits:
            parts.append(f"{plural(self.commits, 'commit')} not in its base or any other "
                         "branch")
        return " and ".join(parts) or "nothing"


class Plan(NamedTuple):
    """A worktree `new` will make: validated, nothing made yet."""

    repo: Path          # the repository's top level (main worktree)
    common_dir: Path    # its git common dir (``.git``)
    path: Path          # the worktree's directory
    branch: str
    base: str           # the commit sha
    dirty: bool         # the main checkout has uncommitted changes (not in the worktree)

    def options(self, agent: str | None) -> dict[str, object]:
        return {"repo": str(self.repo), "branch": self.branch, "base": self.base,
                "worktree": str(self.path), "agent": agent,
                "git_common_dir": str(self.common_dir)}


def of_record(options: Mapping[str, object]) -> tuple[str, str, str, str] | None:
    """(repo, branch, base, worktree) of a worktree session's record; None otherwise."""
    try:
        values = tuple(str(options[k]) for k in ("repo", "branch", "base", "worktree"))
    except KeyError:
        return None
    return values[0], values[1], values[2], values[3]


# -- new ----------------------------------------------------------------------------------


def plan(repo: str, base: str | None, branch: str | None, session: str, config: Config,
         env: Mapping[str, str]) -> Plan:
    """Check everything `new --repo` needs (exit 2 on bad input); makes nothing."""
    given = repo
    path = Path(os.path.expanduser(repo))
    if not path.is_dir():
        raise UsageError(f"--repo {given!r} is not a directory; give the path of a git "
                         "repository")
    ref = base if base is not None else "HEAD"
    if ref.startswith("-"):
        raise UsageError(f"--base {base!r} is not a commit; give a branch, tag or sha")
    wanted = branch if branch is not None else f"{config.value('worktree.branch_prefix')}" \
        f"{session}"
    # The questions do not depend on each other: asked at the same time. The first answers
    # the usual case (a work tree, a commit); a failure is told apart below.
    top, fmt, taken, status = git_all(
        path,
        ["rev-parse", "--path-format=absolute", "--show-toplevel", "--git-common-dir",
         f"{ref}^{{commit}}", "--"],
        ["check-ref-format", "--branch", wanted],
        ["show-ref", "--verify", "--quiet", f"refs/heads/{wanted}"],
        ["status", "--porcelain=v1", "-z", "--untracked-files=no"], env=env)
    lines = top.stdout.splitlines()
    if not top.ok or len(lines) < 3:
        top = git(path, "rev-parse", "--path-format=absolute", "--show-toplevel",
                  "--git-common-dir", env=env, check=False)
        if not top.ok or len(top.stdout.splitlines()) != 2:
            raise UsageError(f"--repo {given!r} is not a git work tree (git: "
                             f"{_said(top)}); give a repository's directory")
        what = f"--base {base!r}" if base is not None else "the repository's HEAD"
        raise UsageError(f"{what} is not a commit of {top.stdout.splitlines()[0]}; give a "
                         "branch, tag or sha (git log shows them)")
    toplevel, common, sha = Path(lines[0]), Path(lines[1]), lines[2].strip()
    if not fmt.ok:
        where = "--branch" if branch is not None else "the branch name (worktree.branch_prefix " \
            "+ the session name)"
        raise UsageError(f"{where} {wanted!r} is not a valid git branch name; pick another")
    if taken.ok:
        raise UsageError(f"branch {wanted!r} already exists in {toplevel}; pick another with "
                         f"--branch, or delete it (git -C {proc.describe([str(toplevel)])} "
                         f"branch -d {proc.describe([wanted])})")
    root_setting = config.value("worktree.root")
    root = Path(os.path.expanduser(str(root_setting))) if root_setting else \
        paths.worktree_root(env)
    target = root / toplevel.name / session
    if target.exists():
        raise UsageError(f"the worktree directory {paths.tidy_home(str(target), env)} already "
                         "exists; remove it or pick another session name (clauderon doctor "
                         "lists orphaned worktrees)")
    return Plan(toplevel, common, target, wanted, sha,
                dirty=bool(status.ok and status.stdout))


def make(p: Plan, env: Mapping[str, str]) -> None:
    """``git worktree add -b BRANCH PATH BASE``: both or neither."""
    p.path.parent.mkdir(parents=True, exist_ok=True)
    result = git(p.repo, "worktree", "add", "--quiet", "-b", p.branch, str(p.path), p.base,
                 env=env, check=False, timeout=120)
    if not result.ok:
        unmake(p, env)
        raise ClauderonError(f"git worktree add failed: {_said(result)}")


def unmake(p: Plan, env: Mapping[str, str]) -> list[str]:
    """Undo :func:`make` (the rollback of a failed `new`); returns what is left behind."""
    left: list[str] = []
    if p.path.exists() or _registered(p.repo, p.path, env):
        r = git(p.repo, "worktree", "remove", "--force", str(p.path), env=env, check=False)
        if not r.ok:
            left.append(f"the worktree {p.path} ({_said(r)})")
    if git(p.repo, "show-ref", "--verify", "--quiet", f"refs/heads/{p.branch}", env=env,
           check=False).ok:
        r = git(p.repo, "branch", "-D", p.branch, env=env, check=False)
        if not r.ok:
            left.append(f"the branch {p.branch} ({_said(r)})")
    return left


def _registered(repo: Path, path: Path, env: Mapping[str, str]) -> bool:
    try:
        return any(Path(w.path) == path for w in listing(repo, env))
    except ClauderonError:
        return False


def readd(options: Mapping[str, object], env: Mapping[str, str]) -> bool:
    """`restore`: a worktree whose directory is gone but whose branch exists is added again
    from the branch (same path: agents keep their conversations per directory). Returns
    whether it re-added one; raises when it cannot."""
    found = of_record(options)
    if found is None:
        return False
    repo, branch, _base, worktree = found
    if Path(worktree).is_dir():
        return False
    if not Path(repo).is_dir():
        raise ClauderonError(f"the repository {repo} of this session is gone; its worktree "
                             "cannot be added again")
    if not git(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}", env=env,
               check=False).ok:
        raise ClauderonError(f"the worktree {worktree} and its branch {branch} are both gone; "
                             "nothing to restore the checkout from")
    git(repo, "worktree", "prune", env=env, check=False)
    Path(worktree).parent.mkdir(parents=True, exist_ok=True)
    result = git(repo, "worktree", "add", "--quiet", worktree, branch, env=env, check=False,
                 timeout=120)
    if not result.ok:
        raise ClauderonError(f"git worktree add {worktree} {branch} failed: {_said(result)}")
    return True


def prepare_restore(options: Mapping[str, object], env: Mapping[str, str]) -> bool:
    """What `restore` calls before re-creating a worktree session (alias of readd)."""
    return readd(options, env)


# -- the work a worktree holds ----------------------------------------------------------


def uncommitted(worktree: str, env: Mapping[str, str]) -> tuple[str, ...]:
    """Modified, staged and untracked paths (``status --porcelain=v1 -z``); raises when
    git cannot answer (unknown is not clean)."""
    return _uncommitted(worktree, git(worktree, *STATUS_ALL, env=env, check=False))


STATUS_ALL = ("status", "--porcelain=v1", "-z", "--untracked-files=all")
TIPS = ("for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/")


def _uncommitted(worktree: str, result: proc.Result) -> tuple[str, ...]:
    if not result.ok:
        raise ClauderonError(f"cannot read the state of {worktree}: {_said(result)}")
    return parse_status(result.stdout)


def parse_status(text: str) -> tuple[str, ...]:
    """Paths from ``git status --porcelain=v1 -z`` (a rename's source entry skipped)."""
    entries = text.split("\0")
    found: list[str] = []
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        found.append(entry[3:])
        if entry[0] in "RC":
            i += 1  # the original path follows
    return tuple(found)


def unmerged_commits(repo: str, branch: str, base: str | None, env: Mapping[str, str],
                     tips: Mapping[str, str] | None = None) -> int:
    """Commits on ``branch`` reachable neither from ``base`` nor from any other local
    branch (merged elsewhere loses nothing when the branch goes); 0 when the branch is
    gone. Raises when git cannot answer."""
    tips = tips if tips is not None else branch_tips(repo, env)
    if tips is None:
        raise ClauderonError(f"cannot list the branches of {repo}")
    if branch not in tips:
        return 0
    if base and tips[branch] == base:
        return 0  # nothing committed since the base: no walk needed
    # Revisions on stdin (one a line): no branch name is ever read as an option or a glob.
    others = "".join(f"^{sha}\n" for name, sha in tips.items() if name != branch)
    result = proc.run(["git", "-C", repo, "rev-list", "--count", "--stdin"],
                      input=f"{tips[branch]}\n" + (f"^{base}\n" if base else "") + others,
                      env=git_env(env), timeout=30, check=False)
    if not result.ok or not result.stdout.strip().isdigit():
        raise ClauderonError(f"cannot count the commits of {branch} in {repo}: "
                             f"{_said(result)}")
    return int(result.stdout.strip())


def work(options: Mapping[str, object], env: Mapping[str, str]) -> Work | None:
    """The work a worktree session holds; None for a plain session."""
    found = of_record(options)
    if found is None:
        return None
    repo, branch, base, worktree = found
    gone = not Path(worktree).is_dir()
    if not Path(repo).is_dir():
        return Work(() if gone else uncommitted(worktree, env), 0, gone, branch=False)
    if gone:
        files: tuple[str, ...] = ()
        tips = branch_tips(repo, env)
    else:  # two independent questions, asked at the same time
        status, listed = proc.run_all([_git_argv(worktree, *STATUS_ALL), _git_argv(repo, *TIPS)],
                                      env=git_env(env), timeout=30, check=False)
        files, tips = _uncommitted(worktree, status), _tips(listed)
    commits = unmerged_commits(repo, branch, base, env, tips)
    return Work(files, commits, gone, branch=tips is not None and branch in tips)


class Changes(NamedTuple):
    """`list`'s summary of a worktree session: uncommitted files, commits ahead of base."""

    files: int | None
    ahead: int | None

    def as_json(self) -> dict[str, int | None]:
        return {"uncommitted": self.files, "ahead": self.ahead}

    def __str__(self) -> str:
        files = "?" if self.files is None else str(self.files)
        ahead = "?" if self.ahead is None else str(self.ahead)
        return f"{files} files, {ahead} ahead"


def changes(records: Iterable[tuple[str, Mapping[str, object]]], env: Mapping[str, str]
            ) -> dict[str, Changes]:
    """Changes per worktree session: per repository one ``for-each-ref`` gives every
    branch's tip; a session whose tip is its base is 0 ahead without another call, else one
    ``rev-list --count``; one ``status`` per worktree (uncommitted files are per checkout).
    None where git could not answer."""
    by_repo: dict[str, list[tuple[str, str, str, str]]] = {}
    for name, options in records:
        found = of_record(options)
        if found is not None:
            by_repo.setdefault(found[0], []).append((name, found[1], found[2], found[3]))
    out: dict[str, Changes] = {}
    for repo, sessions in by_repo.items():
        tips = branch_tips(repo, env)
        for name, branch, base, worktree in sessions:
            try:
                files: int | None = len(uncommitted(worktree, env)) \
                    if Path(worktree).is_dir() else None
            except ClauderonError:
                files = None
            tip = tips.get(branch) if tips is not None else None
            ahead: int | None
            if tip is None:
                ahead = None
            elif tip == base:
                ahead = 0
            else:
                r = git(repo, "rev-list", "--count", f"{base}..{tip}", env=env, check=False)
                ahead = int(r.stdout.strip()) if r.ok and r.stdout.strip().isdigit() else None
            out[name] = Changes(files, ahead)
    return out


def branch_tips(repo: str, env: Mapping[str, str]) -> dict[str, str] | None:
    """Every local branch's tip sha, in one call; None when git cannot answer."""
    if not Path(repo).is_dir():
        return None
    return _tips(git(repo, *TIPS, env=env, check=False))


def _tips(r: proc.Result) -> dict[str, str] | None:
    if not r.ok:
        return None
    tips: dict[str, str] = {}
    for line in r.stdout.splitlines():
        sha, _, ref = line.partition(" ")
        tips[ref.removeprefix("refs/heads/")] = sha
    return tips


# -- kill -------------------------------------------------------------------------------


KEEP, FORCE, REFUSE = "keep", "force", "refuse"


def removal_commands(repo: str, branch: str, worktree: str, *, force: bool = False) -> list[str]:
    """The commands that remove a worktree and its branch by hand (quoted for pasting)."""
    extra = ["--force"] if force else []
    return [proc.describe(["git", "-C", repo, "worktree", "remove", *extra, worktree]),
            proc.describe(["git", "-C", repo, "branch", "-D", branch])]


def before_kill(name: str, options: Mapping[str, object], mode: str, env: Mapping[str, str],
                say: Callable[[str], None]) -> Callable[[], None] | None:
    """What `kill` calls FIRST for a session: None for a plain session or with
    ``--keep-work`` (nothing to remove after the kill); else the removal to run once the
    session is killed. Raises HoldsWork (nothing changed) when the worktree holds work and
    neither --keep-work nor --force was given; with --force prints what will be discarded
    first. A state git cannot report counts as holding work: unknown is not clean."""
    found = of_record(options)
    if found is None:
        return None
    repo, branch, _base, worktree = found
    if mode == KEEP:
        return None
    try:
        held = work(options, env)
    except ClauderonError as exc:
        if mode != FORCE:
            raise HoldsWork(f'session "{name}": cannot tell whether its worktree {worktree} '
                            f"holds work ({exc}); nothing was changed. Keep it: clauderon kill "
                            f"{proc.describe([name])} --keep-work; discard whatever it holds: "
                            f"clauderon kill {proc.describe([name])} --force") from None
        held = None
    if held is not None and held.holds and mode != FORCE:
        raise HoldsWork(
            f'session "{name}" holds work in {worktree} (branch {branch}): {held.describe()}; '
            f"nothing was changed. Keep the work: clauderon kill {proc.describe([name])} "
            f"--keep-work (kills the session, keeps the worktree and branch); discard it: "
            f"clauderon kill {proc.describe([name])} --force")
    if mode == FORCE and (held is None or held.holds):
        what = held.describe() if held is not None else "whatever it holds (git could not say)"
        say(f'Discarding from session "{name}": {what} (worktree {worktree}, branch {branch})')
    force = mode == FORCE

    def remove() -> None:
        remove_worktree(repo, branch, worktree, env, force=force, branch_exists=True
                        if held is not None and held.branch else None)

    return remove


def remove_worktree(repo: str, branch: str, worktree: str, env: Mapping[str, str], *,
                    force: bool, branch_exists: bool | None = None) -> None:
    """Remove the worktree and delete its branch; without ``force`` git's own guards stay
    on (``worktree remove`` without --force, ``branch -d`` only when merged into the base
    is not checked by git: the caller has counted the commits)."""
    if not Path(repo).is_dir():
        return
    if Path(worktree).exists():
        args = ["worktree", "remove", *(["--force", "--force"] if force else []), worktree]
        r = git(repo, *args, env=env, check=False, timeout=120)
        if not r.ok:
            raise ClauderonError(f"could not remove the worktree {worktree}: {_said(r)}")
    else:
        git(repo, "worktree", "prune", env=env, check=False)
    if branch_exists or (branch_exists is None and git(
            repo, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}", env=env,
            check=False).ok):
        r = git(repo, "branch", "-D", branch, env=env, check=False)
        if not r.ok:
            raise ClauderonError(f"could not delete the branch {branch}: {_said(r)}")


# -- git's own list -------------------------------------------------------------------


class Listed(NamedTuple):
    path: str
    head: str | None
    branch: str | None  # short name; None when detached or bare
    detached: bool
    locked: bool
    prunable: bool


def listing(repo: str | Path, env: Mapping[str, str]) -> list[Listed]:
    """``git worktree list --porcelain -z``, parsed; raises when git cannot answer."""
    r = git(repo, "worktree", "list", "--porcelain", "-z", env=env, check=False)
    if not r.ok:
        raise ClauderonError(f"git worktree list failed in {repo}: {_said(r)}")
    return parse_listing(r.stdout)


def parse_listing(text: str) -> list[Listed]:
    """Blocks of ``worktree PATH``, ``HEAD SHA``, ``branch REF`` | ``detached`` | ``bare``,
    ``locked [why]``, ``prunable [why]``; with ``-z`` each line ends in NUL and a block in an
    extra NUL."""
    out: list[Listed] = []
    block: dict[str, str] = {}

    def flush() -> None:
        if "worktree" in block:
            branch = block.get("branch")
            out.append(Listed(block["worktree"], block.get("HEAD"),
                              branch.removeprefix("refs/heads/") if branch else None,
                              "detached" in block, "locked" in block, "prunable" in block))
        block.clear()

    for line in text.split("\0"):
        if not line:
            flush()
            continue
        key, _, value = line.partition(" ")
        block[key] = value
    flush()
    return out


def _said(result: proc.Result) -> str:
    lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else f"exit status {result.returncode}"


def check_repo_args(repo: str | None, workdir: str | None, base: str | None,
                    branch: str | None) -> None:
    """The option rules of `new --repo` (exit 2)."""
    if repo is not None and workdir is not None:
        raise UsageError("--repo and --workdir exclude each other: a worktree session starts "
                         "in its worktree")
    if repo is None:
        for option, value in (("--base", base), ("--branch", branch)):
            if value is not None:
                raise UsageError(f"{option} needs --repo PATH (the repository to make a "
                                 "worktree of)")

