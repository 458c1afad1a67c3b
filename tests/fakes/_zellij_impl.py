"""Implementation of the fake ``zellij`` command line (releases 0.39.0 to 0.45.0).

The executable ``zellij`` next to this file is a tiny launcher that imports this module, so
Python caches its bytecode (a script is recompiled on every run: ~60 ms for this file).

It emulates what clauderon relies on (docs/zellij.md, "What clauderon relies on in Zellij's
CLI") and refuses the subcommands clauderon does not use. It keeps its state where the real
Zellij computes its socket and cache directories, so path-length rules and isolation through
``ZELLIJ_SOCKET_DIR`` / ``XDG_CACHE_HOME`` behave the same way. See README.md next to this
file for the knobs (``FAKE_ZELLIJ_*``) and the state layout.

Standard library only; nothing from the product under test is imported. Keep the common
paths (``ls``, ``--version``) free of heavy imports: this runs hundreds of times per test run.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any, NoReturn

# --------------------------------------------------------------------------------------
# Small utilities
# --------------------------------------------------------------------------------------

ENV: dict[str, str] = dict(os.environ)
HELP_URL = "https://zellij.dev/documentation/configuration.html"


class Done(Exception):
    """Raised to end the invocation with an exit code (after output was written)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def out(text: str) -> None:
    sys.stdout.write(text)


def err(text: str) -> None:
    sys.stderr.write(text)


def finish(code: int, stdout: str = "", stderr: str = "") -> NoReturn:
    if stdout:
        out(stdout)
    if stderr:
        err(stderr)
    raise Done(code)


def now_epoch() -> float:
    value = ENV.get("FAKE_ZELLIJ_NOW")
    if value:
        try:
            return float(value)
        except ValueError:
            pass
    return time.time()


def not_emulated(what: str) -> NoReturn:
    """Zellij does this, clauderon never asks for it: a test that does is wrong (exit 70)."""
    finish(70, stderr=f"fake zellij: {what} is not emulated (clauderon does not use it)\n")


def hang_forever() -> NoReturn:
    """Emulate a process that never returns (killed by the test's timeout)."""
    sys.stdout.flush()
    sys.stderr.flush()
    while True:
        time.sleep(3600)


def rust_debug(text: str) -> str:
    """Rust's ``{:?}`` rendering of a string (double quotes, escapes)."""
    parts = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            parts.append('\\"')
        elif ch == "\\":
            parts.append("\\\\")
        elif ch == "\n":
            parts.append("\\n")
        elif ch == "\r":
            parts.append("\\r")
        elif ch == "\t":
            parts.append("\\t")
        elif ch == "\0":
            parts.append("\\0")
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            parts.append(f"\\u{{{code:x}}}")
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


def humantime(secs: int) -> str:
    """``humantime::format_duration`` for whole seconds (year = 365.25 d, month = 30.44 d)."""
    if secs <= 0:
        return "0s"
    years, rest = divmod(secs, 31_557_600)
    months, rest = divmod(rest, 2_630_016)
    days, rest = divmod(rest, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    items = []
    for n, unit, plural in (
        (years, "year", True),
        (months, "month", True),
        (days, "day", True),
        (hours, "h", False),
        (minutes, "m", False),
        (seconds, "s", False),
    ):
        if n:
            items.append(f"{n}{unit}{'s' if plural and n > 1 else ''}")
    return " ".join(items)


def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a:
        return len(b)
    if not b:
        return len(a)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(candidates: list[str], lookup: str) -> str | None:
    """The ``suggest`` crate (rustc's ``find_best_match_for_name``)."""
    max_dist = max(len(lookup.encode()), 3) // 3
    case_match = None
    best: tuple[str, int] | None = None
    for cand in candidates:
        dist = levenshtein(lookup, cand)
        if dist > max_dist:
            continue
        if cand.upper() == lookup.upper():
            case_match = cand
        if best is None or dist < best[1]:
            best = (cand, dist)
    if case_match is not None:
        return case_match
    if best is not None:
        return best[0]

    def words(s: str) -> str:
        return "_".join(sorted(s.split("_")))

    found = None
    for cand in candidates:
        if words(cand) == words(lookup):
            found = cand
    return found


def kdl_quote(text: str) -> str:
    parts = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            parts.append('\\"')
        elif ch == "\\":
            parts.append("\\\\")
        elif ch == "\n":
            parts.append("\\n")
        elif ch == "\r":
            parts.append("\\r")
        elif ch == "\t":
            parts.append("\\t")
        elif code < 0x20 or code == 0x7F:
            parts.append(f"\\u{{{code:x}}}")
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


# --------------------------------------------------------------------------------------
# Version
# --------------------------------------------------------------------------------------


def vtuple(text: str) -> tuple[int, int, int]:
    a, b, c = text.split(".")
    return int(a), int(b), int(c)


class Version:
    """The emulated release, from ``FAKE_ZELLIJ_VERSION`` (``X.Y.Z``, optional ``-suffix``)."""

    def __init__(self, text: str) -> None:
        core = text.split("-", 1)[0].split("+", 1)[0]
        parts = core.split(".")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
            raise ValueError(text)
        self.text = text
        self.t = (int(parts[0]), int(parts[1]), int(parts[2]))

    def ge(self, other: str) -> bool:
        return self.t >= vtuple(other)

    @property
    def clap4(self) -> bool:
        return self.ge("0.45.0")

    @property
    def subdir(self) -> str:
        return "contract_version_1" if self.ge("0.44.0") else self.text


# --------------------------------------------------------------------------------------
# Paths (the same computation as zellij-utils consts.rs / envs.rs / home.rs)
# --------------------------------------------------------------------------------------


class Paths:
    def __init__(self, env: Mapping[str, str], ver: Version) -> None:
        uid = os.getuid()
        tmp = env.get("TMPDIR") or "/tmp"
        darwin = sys.platform == "darwin"
        runtime = env.get("XDG_RUNTIME_DIR") or ""
        if env.get("ZELLIJ_SOCKET_DIR"):
            base = env["ZELLIJ_SOCKET_DIR"]
        elif runtime and runtime.startswith("/") and not darwin:
            base = os.path.join(runtime, "zellij")
        else:
            base = os.path.join(tmp, f"zellij-{uid}")
        self.sock_base = base
        self.subdir = ver.subdir
        self.sock_dir = os.path.join(base, ver.subdir)
        home = env.get("HOME") or os.path.expanduser("~")
        if darwin:
            cache_root = os.path.join(home, "Library", "Caches", "org.Zellij-Contributors.Zellij")
        else:
            xdg_cache = env.get("XDG_CACHE_HOME") or ""
            if not xdg_cache.startswith("/"):
                xdg_cache = os.path.join(home, ".cache")
            cache_root = os.path.join(xdg_cache, "zellij")
        self.cache_root = cache_root
        self.cache_dir = os.path.join(cache_root, ver.subdir)
        self.session_info = os.path.join(self.cache_dir, "session_info")
        self.private = os.path.join(self.sock_dir, ".fakezellij")
        self.lock_path = os.path.join(self.cache_dir, ".fakezellij.lock")
        self.sock_max = 104 if (darwin and ver.ge("0.44.1")) else 108
        self.home = home

    def sock(self, name: str) -> str:
        return os.path.join(self.sock_dir, name)

    def info(self, name: str) -> str:
        return os.path.join(self.session_info, name)

    def layout_file(self, name: str) -> str:
        return os.path.join(self.session_info, name, "session-layout.kdl")

    def path_len(self, name: str) -> int:
        return len(os.fsencode(self.sock(name)))

    def too_long(self, name: str) -> bool:
        return self.path_len(name) >= self.sock_max


# --------------------------------------------------------------------------------------
# State store: running sessions are files in the socket dir, exited ones live in the cache
# --------------------------------------------------------------------------------------

EXITED_JSON = "fake-session.json"


def io_kind(exc: OSError) -> str:
    import errno

    return {
        errno.EACCES: "PermissionDenied",
        errno.EPERM: "PermissionDenied",
        errno.ENOENT: "NotFound",
        errno.ENOTDIR: "NotADirectory",
        errno.ECONNREFUSED: "ConnectionRefused",
    }.get(exc.errno or 0, "Other")


def list_running(paths: Paths) -> list[tuple[str, float]]:
    """(name, mtime) of every running session; raises OSError except for a missing dir."""
    try:
        it = os.scandir(paths.sock_dir)
    except FileNotFoundError:
        return []
    result = []
    with it:
        for entry in it:
            try:
                if entry.is_file(follow_symlinks=False):
                    result.append((entry.name, entry.stat(follow_symlinks=False).st_mtime))
            except FileNotFoundError:
                continue
    return result


def list_exited(paths: Paths, ver: Version) -> list[tuple[str, float | None]]:
    """(name, layout mtime) of resurrectable sessions, with the per-version listing rules."""
    try:
        it = os.scandir(paths.session_info)
    except OSError:
        return []
    result: list[tuple[str, float | None]] = []
    exact_0430 = ver.t == (0, 43, 0)
    needs_parse = not ver.ge("0.43.0")
    with it:
        for entry in it:
            try:
                if not entry.is_dir():
                    continue
            except OSError:
                continue
            layout = os.path.join(entry.path, "session-layout.kdl")
            try:
                mtime: float | None = os.stat(layout).st_mtime
            except OSError:
                mtime = None
            if mtime is None and not exact_0430:
                continue
            if needs_parse and mtime is not None and not layout_file_parses(layout, ver):
                continue
            result.append((entry.name, mtime))
    return result


def exited_names_for_collision(paths: Paths) -> set[str]:
    """``get_resurrectable_session_names``: folders holding session-layout.kdl (no parse)."""
    names: set[str] = set()
    try:
        it = os.scandir(paths.session_info)
    except OSError:
        return names
    with it:
        for entry in it:
            if os.path.exists(os.path.join(entry.path, "session-layout.kdl")):
                names.add(entry.name)
    return names


def layout_file_parses(path: str, ver: Version) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        parse_layout_text(text, ver)
    except (OSError, UnicodeDecodeError, LayoutError):
        return False
    return True


def read_running(paths: Paths, name: str) -> dict[str, Any] | None:
    import json

    path = paths.sock(name)
    try:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
        st = os.stat(path)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    try:
        rec = json.loads(raw)
    except ValueError:
        rec = None
    if not isinstance(rec, dict):
        rec = {"name": name, "foreign": True}
    rec.setdefault("name", name)
    rec.setdefault("created", st.st_mtime)
    rec.setdefault("env", {})
    rec.setdefault("cwd", "/")
    rec.setdefault("tabs", [{"id": 0, "name": "Tab #1"}])
    rec.setdefault("panes", [])
    rec.setdefault("focused_pane", None)
    rec.setdefault("attaches", [])
    rec.setdefault("events", [])
    rec.setdefault("clients", 0)
    rec["state"] = "running"
    return rec


def _tmp_name() -> str:
    return f"tmp-{os.getpid()}-{os.urandom(4).hex()}"


def ensure_sock_dir(paths: Paths) -> None:
    if not os.path.isdir(paths.sock_dir):
        os.makedirs(paths.sock_base, mode=0o700, exist_ok=True)
        try:
            os.mkdir(paths.sock_dir, 0o700)
        except FileExistsError:
            pass
    os.makedirs(paths.private, mode=0o700, exist_ok=True)


def write_running(paths: Paths, rec: dict[str, Any], create: bool) -> bool:
    """Write a running record atomically. With create=True fail (False) if it exists."""
    import json

    ensure_sock_dir(paths)
    tmp = os.path.join(paths.private, _tmp_name())
    data = json.dumps(rec, indent=1, ensure_ascii=False, sort_keys=True)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(data)
    created = float(rec.get("created", now_epoch()))
    try:
        os.chmod(tmp, 0o1700)
    except OSError:
        os.chmod(tmp, 0o700)
    os.utime(tmp, (created, created))
    final = paths.sock(rec["name"])
    try:
        if create:
            try:
                os.link(tmp, final)
            except FileExistsError:
                return False
        else:
            os.replace(tmp, final)
            tmp = ""
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
    return True


def write_in_dir(directory: str, filename: str, data: str, mtime: float | None = None) -> None:
    """Atomically write directory/filename, re-creating the directory if pruned meanwhile."""
    for _ in range(10):
        try:
            os.makedirs(directory, exist_ok=True)
            tmp = os.path.join(directory, "." + _tmp_name())
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(data)
            if mtime is not None:
                os.utime(tmp, (mtime, mtime))
            os.replace(tmp, os.path.join(directory, filename))
            return
        except FileNotFoundError:
            continue


def read_exited(paths: Paths, name: str) -> dict[str, Any] | None:
    import json

    folder = paths.info(name)
    layout = os.path.join(folder, "session-layout.kdl")
    try:
        st = os.stat(layout)
    except OSError:
        return None
    rec: dict[str, Any] = {}
    try:
        with open(os.path.join(folder, EXITED_JSON), encoding="utf-8") as fh:
            loaded = json.load(fh)
        if isinstance(loaded, dict):
            rec = loaded
    except (OSError, ValueError):
        rec = {"foreign": True}
    rec.setdefault("name", name)
    rec.setdefault("created", st.st_mtime)
    rec["state"] = "exited"
    rec["layout_file"] = layout
    return rec


class Lock:
    """An exclusive flock on <cache>/<subdir>/.fakezellij.lock for read-modify-write steps.

    Re-entrant within the process (a second flock on a new descriptor would deadlock).
    """

    depth = 0
    fd = -1

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def __enter__(self) -> None:
        if Lock.depth == 0:
            import fcntl

            os.makedirs(self.paths.cache_dir, exist_ok=True)
            Lock.fd = os.open(self.paths.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(Lock.fd, fcntl.LOCK_EX)
        Lock.depth += 1

    def __exit__(self, *exc: object) -> None:
        Lock.depth -= 1
        if Lock.depth == 0:
            os.close(Lock.fd)
            Lock.fd = -1


def write_metadata(paths: Paths, name: str) -> None:
    write_in_dir(paths.info(name), "session-metadata.kdl", f"name {kdl_quote(name)}\n")


def kill_running(ctx: Ctx, name: str) -> bool:
    """Stop a running session. Keeps an EXITED record unless told not to."""
    paths = ctx.paths
    with Lock(paths):
        rec = read_running(paths, name)
        if rec is None:
            return False
        keep = ENV.get("FAKE_ZELLIJ_KILL_KEEPS_RECORD", "1") != "0"
        if not rec.get("serialization", True):
            keep = False
        try:
            os.unlink(paths.sock(name))
        except FileNotFoundError:
            return False
        folder = paths.info(name)
        try:
            os.unlink(os.path.join(folder, "session-metadata.kdl"))
        except OSError:
            pass
        if keep:
            save_exited(paths, rec, ctx.now)
        else:
            os.makedirs(folder, exist_ok=True)
    return True


def save_exited(paths: Paths, rec: dict[str, Any], now: float) -> None:
    import json

    rec = dict(rec)
    rec["state"] = "exited"
    rec["killed"] = now
    rec["clients"] = 0
    rec.setdefault("events", []).append({"event": "killed", "time": now})
    folder = paths.info(rec["name"])
    write_in_dir(folder, EXITED_JSON, json.dumps(rec, indent=1, ensure_ascii=False, sort_keys=True))
    write_in_dir(folder, "session-layout.kdl", resurrection_kdl(rec), mtime=float(rec["created"]))


def update_running(ctx: Ctx, name: str, change: Callable[[dict[str, Any]], Any]) -> Any:
    """Read-modify-write of a running record under the lock. Returns change()'s result."""
    with Lock(ctx.paths):
        rec = read_running(ctx.paths, name)
        if rec is None:
            return None
        result = change(rec)
        rec.pop("state", None)
        write_running(ctx.paths, rec, create=False)
        return result


# --------------------------------------------------------------------------------------
# KDL v1 parser (enough for Zellij layouts and config files)
# --------------------------------------------------------------------------------------

NEWLINES = "\r\n\x85\x0c\u2028\u2029"
SPACES = (
    "\t \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000\ufeff"
)
NON_IDENT = set('\\/(){}<>;[]=,"') | set(NEWLINES) | set(SPACES)
DESERIALIZE_HELP = (
    "Failed to deserialize KDL node. \nPossible reasons:\n"
    "- Missing `;` after a node name, eg. { node; another_node; }\n"
    '- Missing quotations (") around an argument node eg. { first_node "argument_node"; }\n'
    '- Missing an equal sign (=) between node arguments on a title line. eg. argument="value"\n'
    "- Found an extraneous equal sign (=) between node child arguments and their values. "
    'eg. { argument="value" }'
)


class LayoutError(Exception):
    """A KDL syntax error or a Zellij layout semantic error, with a source span."""

    def __init__(self, message: str, offset: int = 0, length: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.length = max(1, length)


class Value:
    __slots__ = ("length", "offset", "v")

    def __init__(self, v: object, offset: int, length: int) -> None:
        self.v = v
        self.offset = offset
        self.length = length


class Node:
    __slots__ = ("args", "children", "length", "name", "offset", "prop_spans", "props")

    def __init__(self, name: str, offset: int) -> None:
        self.name = name
        self.args: list[Value] = []
        self.props: dict[str, Value] = {}
        self.prop_spans: dict[str, tuple[int, int]] = {}
        self.children: list[Node] | None = None
        self.offset = offset
        self.length = max(1, len(name))

    def entry_names(self) -> list[tuple[str | None, Value]]:
        """Entries as (name for props / string args, value) like zellij's checks use."""
        items: list[tuple[str | None, Value]] = []
        for a in self.args:
            items.append((a.v if isinstance(a.v, str) else None, a))
        for k, v in self.props.items():
            offset, length = self.prop_spans.get(k, (v.offset, v.length))
            items.append((k, Value(k, offset, length)))
        return items


class KdlParser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)

    def fail(self, message: str, offset: int | None = None, length: int = 1) -> NoReturn:
        raise LayoutError(message, self.i if offset is None else offset, length)

    def parse(self) -> list[Node]:
        nodes = self.nodes(top=True)
        return nodes

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < self.n else ""

    def skip_block_comment(self) -> None:
        start = self.i
        depth = 0
        while self.i < self.n:
            if self.s.startswith("/*", self.i):
                depth += 1
                self.i += 2
            elif self.s.startswith("*/", self.i):
                depth -= 1
                self.i += 2
                if depth == 0:
                    return
            else:
                self.i += 1
        self.fail("Unterminated multi-line comment", start, 2)

    def skip_ws(self) -> bool:
        """Skip unicode spaces and /* */ comments. Returns True if anything was skipped."""
        start = self.i
        while self.i < self.n:
            c = self.s[self.i]
            if c in SPACES:
                self.i += 1
            elif self.s.startswith("/*", self.i):
                self.skip_block_comment()
            else:
                break
        return self.i != start

    def skip_line_comment(self) -> None:
        while self.i < self.n and self.s[self.i] not in NEWLINES:
            self.i += 1

    def skip_newline(self) -> bool:
        if self.s.startswith("\r\n", self.i):
            self.i += 2
            return True
        if self.i < self.n and self.s[self.i] in NEWLINES:
            self.i += 1
            return True
        return False

    def skip_linespace(self) -> None:
        while self.i < self.n:
            if self.skip_ws() or self.skip_newline():
                continue
            if self.s.startswith("//", self.i):
                self.skip_line_comment()
                continue
            break

    def skip_node_space(self) -> bool:
        """ws and line continuations (``\\`` + newline). Returns True if anything skipped."""
        start = self.i
        while True:
            self.skip_ws()
            if self.peek() == "\\":
                save = self.i
                self.i += 1
                self.skip_ws()
                if self.s.startswith("//", self.i):
                    self.skip_line_comment()
                if not self.skip_newline() and self.i < self.n:
                    self.i = save
                    break
                continue
            break
        return self.i != start

    def nodes(self, top: bool) -> list[Node]:
        result: list[Node] = []
        while True:
            self.skip_linespace()
            if self.i >= self.n:
                if not top:
                    self.fail("Expected a closing '}' for this children block", self.n - 1)
                return result
            if self.s[self.i] == "}":
                if top:
                    self.fail("Found an unexpected '}'")
                return result
            discard = False
            if self.s.startswith("/-", self.i):
                self.i += 2
                self.skip_node_space()
                discard = True
            node = self.node()
            if not discard:
                result.append(node)

    def type_annotation(self) -> None:
        if self.peek() == "(":
            self.i += 1
            self.identifier()
            if self.peek() != ")":
                self.fail("Expected ')' to close the type annotation")
            self.i += 1

    def node(self) -> Node:
        start = self.i
        self.type_annotation()
        name_start = self.i
        name = self.identifier()
        node = Node(name, name_start)
        node.length = self.i - name_start
        children_seen = False
        while True:
            spaced = self.skip_node_space()
            if self.i >= self.n:
                break
            c = self.s[self.i]
            if c == ";":
                self.i += 1
                break
            if c in NEWLINES:
                self.skip_newline()
                break
            if self.s.startswith("//", self.i):
                self.skip_line_comment()
                self.skip_newline()
                break
            if c == "}":
                break
            if children_seen:
                self.fail(DESERIALIZE_HELP, start, self.i - start)
            if self.s.startswith("/-", self.i):
                self.i += 2
                self.skip_node_space()
                if self.peek() == "{":
                    self.children_block()
                else:
                    self.entry(Node("", self.i))
                continue
            if c == "{":
                kids = self.children_block()
                node.children = kids
                children_seen = True
                continue
            if not spaced:
                self.fail(DESERIALIZE_HELP, start, self.i - start + 1)
            self.entry(node)
        return node

    def children_block(self) -> list[Node]:
        self.i += 1
        kids = self.nodes(top=False)
        self.i += 1  # the closing brace
        return kids

    def at_delimiter(self) -> bool:
        if self.i >= self.n:
            return True
        c = self.s[self.i]
        return c in SPACES or c in NEWLINES or c in ";{}\\" or self.s.startswith("/", self.i)

    def entry(self, node: Node) -> None:
        start = self.i
        c = self.peek()
        if c == "(":
            self.type_annotation()
            value = self.value()
            node.args.append(value)
        elif c == '"' or (c == "r" and self.peek(1) in ('"', "#")):
            text = self.string()
            if self.peek() == "=":
                self.i += 1
                node.props[text] = self.value()
                node.prop_spans[text] = (start, self.i - start)
            else:
                node.args.append(Value(text, start, self.i - start))
        elif c.isdigit() or (c in "+-" and self.peek(1).isdigit()):
            node.args.append(self.number())
        else:
            ident = self.bare_identifier()
            if self.peek() == "=":
                self.i += 1
                node.props[ident] = self.value()
                node.prop_spans[ident] = (start, self.i - start)
            elif ident in ("true", "false", "null"):
                node.args.append(
                    Value({"true": True, "false": False, "null": None}[ident], start, len(ident))
                )
            else:
                self.fail(DESERIALIZE_HELP, start, len(ident))
        if not self.at_delimiter():
            self.fail(DESERIALIZE_HELP, start, self.i - start + 1)

    def value(self) -> Value:
        self.type_annotation()
        start = self.i
        c = self.peek()
        if c == '"' or (c == "r" and self.peek(1) in ('"', "#")):
            text = self.string()
            return Value(text, start, self.i - start)
        if c.isdigit() or (c in "+-" and self.peek(1).isdigit()):
            return self.number()
        ident = self.bare_identifier() if c and c not in NON_IDENT else ""
        if ident in ("true", "false", "null"):
            return Value({"true": True, "false": False, "null": None}[ident], start, len(ident))
        self.fail(DESERIALIZE_HELP, start, max(1, len(ident)))

    def identifier(self) -> str:
        c = self.peek()
        if c == '"' or (c == "r" and self.peek(1) in ('"', "#")):
            return self.string()
        ident = self.bare_identifier()
        if ident in ("true", "false", "null"):
            self.fail(
                f"Found a keyword ({ident}) where a node name was expected",
                self.i - len(ident),
                len(ident),
            )
        return ident

    def bare_identifier(self) -> str:
        start = self.i
        while self.i < self.n and self.s[self.i] not in NON_IDENT:
            self.i += 1
        ident = self.s[start : self.i]
        if not ident:
            self.fail(DESERIALIZE_HELP, start)
        if ident[0].isdigit() or (ident[0] in "+-" and len(ident) > 1 and ident[1].isdigit()):
            self.fail(DESERIALIZE_HELP, start, len(ident))
        return ident

    def string(self) -> str:
        start = self.i
        if self.s[self.i] == "r":
            self.i += 1
            hashes = 0
            while self.peek() == "#":
                hashes += 1
                self.i += 1
            if self.peek() != '"':
                self.fail("Invalid raw string", start)
            self.i += 1
            closing = '"' + "#" * hashes
            end = self.s.find(closing, self.i)
            if end < 0:
                self.fail("Unclosed raw string", start, self.n - start)
            text = self.s[self.i : end]
            self.i = end + len(closing)
            return text
        self.i += 1
        parts: list[str] = []
        escapes = {
            "n": "\n",
            "r": "\r",
            "t": "\t",
            "\\": "\\",
            "/": "/",
            '"': '"',
            "b": "\b",
            "f": "\f",
        }
        while True:
            if self.i >= self.n:
                self.fail("Unclosed string", start, self.n - start)
            c = self.s[self.i]
            if c == '"':
                self.i += 1
                return "".join(parts)
            if c == "\\":
                e = self.peek(1)
                if e in escapes:
                    parts.append(escapes[e])
                    self.i += 2
                    continue
                if e == "u" and self.peek(2) == "{":
                    end = self.s.find("}", self.i + 3)
                    digits = self.s[self.i + 3 : end] if end > 0 else ""
                    try:
                        if not 1 <= len(digits) <= 6:
                            raise ValueError
                        parts.append(chr(int(digits, 16)))
                    except ValueError:
                        self.fail("Invalid unicode escape", self.i, 3)
                    self.i = end + 1
                    continue
                self.fail("Invalid escape sequence in string", self.i, 2)
            parts.append(c)
            self.i += 1

    def number(self) -> Value:
        start = self.i
        if self.peek() in "+-":
            self.i += 1
        body_start = self.i
        radix = 10
        if self.s.startswith(("0x", "0o", "0b"), self.i):
            radix = {"x": 16, "o": 8, "b": 2}[self.s[self.i + 1]]
            self.i += 2
            digits = "0123456789abcdefABCDEF"[: radix + (6 if radix == 16 else 0)] + "_"
            while self.i < self.n and self.s[self.i] in digits:
                self.i += 1
        else:
            while self.i < self.n and (self.s[self.i].isdigit() or self.s[self.i] == "_"):
                self.i += 1
            if self.peek() == "." and self.peek(1).isdigit():
                self.i += 1
                while self.i < self.n and (self.s[self.i].isdigit() or self.s[self.i] == "_"):
                    self.i += 1
            if self.peek() in ("e", "E"):
                self.i += 1
                if self.peek() in "+-":
                    self.i += 1
                while self.i < self.n and (self.s[self.i].isdigit() or self.s[self.i] == "_"):
                    self.i += 1
        text = self.s[start : self.i].replace("_", "")
        if not self.at_delimiter():
            self.fail(DESERIALIZE_HELP, start, self.i - start + 1)
        try:
            if radix != 10:
                sign = -1 if text.startswith("-") else 1
                number: object = sign * int(self.s[body_start + 2 : self.i].replace("_", ""), radix)
            elif any(ch in text for ch in ".eE"):
                number = float(text)
            else:
                number = int(text)
        except ValueError:
            self.fail("Invalid number", start, self.i - start)
        return Value(number, start, self.i - start)


def parse_kdl(text: str) -> list[Node]:
    return KdlParser(text).parse()


# --------------------------------------------------------------------------------------
# Zellij layout semantics (kdl_layout_parser.rs rules listed in section 9)
# --------------------------------------------------------------------------------------

PANE_PROPS = {
    "borderless",
    "focus",
    "name",
    "size",
    "plugin",
    "command",
    "edit",
    "cwd",
    "args",
    "close_on_exit",
    "start_suspended",
    "split_direction",
    "stacked",
    "expanded",
    "exclude_from_sync",
    "contents_file",
    "pane",
    "children",
}
FLOATING_PROPS = {
    "borderless",
    "focus",
    "name",
    "plugin",
    "command",
    "edit",
    "cwd",
    "args",
    "close_on_exit",
    "start_suspended",
    "x",
    "y",
    "width",
    "height",
    "pinned",
    "contents_file",
    "exclude_from_sync",
}
TAB_PROPS = {"name", "focus", "split_direction", "cwd", "hide_floating_panes"}
SWAP_TAB_PROPS = TAB_PROPS | {"max_panes", "min_panes", "exact_panes"}
LAYOUT_CHILDREN = {
    "pane",
    "floating_panes",
    "tab",
    "pane_template",
    "tab_template",
    "default_tab_template",
    "new_tab_template",
    "swap_tiled_layout",
    "swap_floating_layout",
    "cwd",
}
ROOT_LAYOUT_WORDS = LAYOUT_CHILDREN - {"cwd"}
RESERVED = {
    "pane",
    "layout",
    "pane_template",
    "tab_template",
    "default_tab_template",
    "command",
    "edit",
    "plugin",
    "children",
    "tab",
    "args",
    "close_on_exit",
    "start_suspended",
    "borderless",
    "focus",
    "name",
    "size",
    "cwd",
    "split_direction",
}
CHILDREN = "__children__"


def lerr(message: str, where: Node | Value) -> NoReturn:
    raise LayoutError(message, where.offset, where.length)


def prop_or_child(node: Node, key: str) -> tuple[bool, Value | None, Node | Value | None]:
    """(present, value, span): property first, then the first argument of a child node."""
    if key in node.props:
        return True, node.props[key], node.props[key]
    for child in node.children or ():
        if child.name == key:
            return True, (child.args[0] if child.args else None), child
    return False, None, None


def get_str(node: Node, key: str) -> str | None:
    present, value, _span = prop_or_child(node, key)
    if not present or value is None:
        return None
    if not isinstance(value.v, str):
        lerr(f"{key} must be a string", value)
    return value.v


def get_bool(node: Node, key: str) -> bool | None:
    present, value, _span = prop_or_child(node, key)
    if not present or value is None:
        return None
    if not isinstance(value.v, bool):
        lerr(f"{key} must be a boolean (true or false)", value)
    return value.v


class Leaf(dict):  # type: ignore[type-arg]
    """A pane description (dict) produced by the layout walker."""


class LayoutWalker:
    def __init__(self, ver: Version, layout: Node) -> None:
        self.ver = ver
        self.layout = layout
        self.pane_props = PANE_PROPS | ({"default_fg", "default_bg"} if ver.ge("0.44.0") else set())
        self.pane_template_nodes: dict[str, Node] = {}
        self.pane_templates: dict[str, dict[str, Any]] = {}
        self.tab_templates: dict[str, dict[str, Any]] = {}
        self.default_tab_template: dict[str, Any] | None = None
        self.resolving: set[str] = set()

    # ---- values ----
    def check_size(self, node: Node) -> None:
        present, value, span = prop_or_child(node, "size")
        if not present:
            return
        if value is None:
            lerr(
                "size cannot be bare, it should have a value (eg. 'size 1', or 'size \"50%\"')",
                span or node,
            )
        v = value.v
        if isinstance(v, bool) or v is None or isinstance(v, float):
            lerr('size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")', value)
        if isinstance(v, int):
            if v == 0:
                lerr("size should be greater than 0", value)
            if v < 0:
                lerr('size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")', value)
            return
        text = str(v)
        if (
            text.endswith("%")
            and text[:-1].isascii()
            and text[:-1].isdigit()
            and 0 < int(text[:-1]) <= 100
        ):
            return
        lerr('size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")', value)

    def check_split(self, node: Node) -> str | None:
        direction = get_str(node, "split_direction")
        if direction is None:
            return None
        if direction not in ("horizontal", "vertical", "Horizontal", "Vertical"):
            _, value, _ = prop_or_child(node, "split_direction")
            lerr(
                f'split_direction should be either "horizontal" or "vertical" found: {direction}',
                value or node,
            )
        return direction.lower()

    def check_plugin(self, block: Node) -> str:
        location = get_str(block, "location")
        if location is None:
            lerr("Plugins must have a location", block)
        _, value, _ = prop_or_child(block, "location")
        if not self.ver.ge("0.40.0"):
            scheme = location.split(":", 1)[0] if ":" in location else ""
            if not scheme:
                lerr("Failed to parse url: relative URL without a base", value or block)
            if scheme not in ("zellij", "file", "http", "https"):
                lerr(
                    f"Failed to parse plugin location: unsupported scheme {scheme}", value or block
                )
        return location

    def run_of(self, node: Node, is_template: bool) -> dict[str, Any]:
        command = get_str(node, "command")
        edit = get_str(node, "edit")
        cwd = get_str(node, "cwd")
        args = None
        for child in node.children or ():
            if child.name == "args":
                if not child.args:
                    lerr(
                        "args cannot be empty and should contain one or more command arguments "
                        '(eg. args "-h" "-v")',
                        child,
                    )
                args = [str(a.v) for a in child.args]
        if "args" in node.props:
            v = node.props["args"].v
            args = [str(v)]
        close = get_bool(node, "close_on_exit")
        suspended = get_bool(node, "start_suspended")
        if command is not None and edit is not None:
            lerr("cannot have both a command and an edit instruction for the same pane", node)
        plugin = None
        for child in node.children or ():
            if child.name == "plugin":
                if command is not None or edit is not None:
                    lerr(
                        "Cannot have both a command/edit and a plugin block for a single pane",
                        child,
                    )
                plugin = self.check_plugin(child)
        if "plugin" in node.props and isinstance(node.props["plugin"].v, str):
            plugin = node.props["plugin"].v
        if not is_template and command is None:
            for key, val in (
                ("args", args),
                ("close_on_exit", close),
                ("start_suspended", suspended),
            ):
                if val is not None:
                    lerr(
                        f"{key} can only be specified if a command was specified either in the "
                        "pane_template or in the pane",
                        node,
                    )
        return {
            "command": command,
            "edit": edit,
            "cwd": cwd,
            "args": args,
            "close_on_exit": close,
            "start_suspended": suspended,
            "plugin": plugin,
        }

    def check_entries(self, node: Node, allowed: set[str], label: str) -> None:
        for name, value in node.entry_names():
            if name is None:
                lerr(f"Unknown {label} property", value)
            if name not in allowed:
                lerr(f"Unknown {label} property: {name}", value)

    # ---- panes ----
    def pane(self, node: Node, in_stack: bool = False, is_template: bool = False) -> Leaf:
        self.check_entries(
            node, self.pane_props | (FLOATING_PROPS if is_template else set()), "pane"
        )
        self.check_size(node)
        split = self.check_split(node)
        run = self.run_of(node, is_template)
        stacked = get_bool(node, "stacked")
        expanded = get_bool(node, "expanded")
        if expanded and not in_stack:
            lerr("expanded can only be set on a pane inside a stack (stacked=true)", node)
        children = self.pane_children(node, in_stack=bool(stacked))
        nested = [c for c in children if c is not CHILDREN]
        if stacked:
            if not nested:
                lerr("Stacked panes must have child panes", node)
            if split == "vertical":
                lerr("Stacked panes cannot have a vertical split_direction", node)
        if (nested or CHILDREN in children) and not is_template:
            offending = []
            if get_bool(node, "borderless") is not None:
                offending.append("borderless")
            if get_bool(node, "focus") is not None:
                offending.append("focus")
            if any(run[k] is not None for k in ("command", "edit", "plugin")):
                offending.append("command/edit/plugin")
            if run["cwd"] is not None:
                offending.append("cwd")
            if offending:
                lerr(
                    f"Cannot have both properties ({', '.join(offending)}) and nested children",
                    node,
                )
        leaf = Leaf(run)
        leaf.update(
            name=None if is_template else get_str(node, "name"),
            focus=bool(get_bool(node, "focus")),
            children=children,
        )
        return leaf

    def pane_children(self, node: Node, in_stack: bool) -> list[Any]:
        items: list[Any] = []
        for child in node.children or ():
            name = child.name
            if name == "pane":
                items.append(self.pane(child, in_stack=in_stack))
            elif name == "children":
                if child.args or child.props or child.children:
                    lerr(
                        "Invalid `children` properties: the `children` node must be bare. All "
                        "properties should be placed on the node consuming this template.",
                        child,
                    )
                items.append(CHILDREN)
            elif name in self.pane_template_nodes:
                items.append(self.template_instance(child, in_stack))
            elif name not in self.pane_props:
                lerr(f"Unknown pane property: {name}", child)
        return items

    def pane_template(self, name: str) -> dict[str, Any]:
        if name in self.pane_templates:
            return self.pane_templates[name]
        if name in self.resolving:
            lerr("Circular dependency detected between pane templates.", self.layout)
        self.resolving.add(name)
        node = self.pane_template_nodes[name]
        tmpl = self.pane(node, is_template=True)
        self.pane_templates[name] = tmpl
        self.resolving.discard(name)
        return tmpl

    def template_instance(self, node: Node, in_stack: bool) -> Leaf:
        tmpl = self.pane_template(node.name)
        self.check_size(node)
        run = self.run_of(node, is_template=True)
        has_run = any(run[k] is not None for k in ("command", "edit", "cwd", "plugin"))
        tmpl_has_run = any(tmpl.get(k) is not None for k in ("command", "edit", "cwd", "plugin"))
        if not has_run and not tmpl_has_run:
            for key in ("args", "close_on_exit", "start_suspended"):
                if run[key] is not None:
                    lerr(
                        f"{key} can only be specified if a command was specified either in the "
                        "pane_template or in the pane",
                        node,
                    )
        leaf = Leaf(tmpl)
        for key in ("command", "edit", "cwd", "plugin", "close_on_exit", "start_suspended"):
            if run[key] is not None:
                leaf[key] = run[key]
        if run["args"] is not None:
            leaf["args"] = run["args"]
        name = get_str(node, "name")
        if name is not None:
            leaf["name"] = name
        focus = get_bool(node, "focus")
        if focus is not None:
            leaf["focus"] = focus
        nested = self.pane_children(node, in_stack)
        tmpl_children = list(tmpl.get("children") or [])
        slots = tmpl_children.count(CHILDREN)
        if nested:
            if slots == 0:
                lerr("This template does not have children", node)
            if slots != 1:
                lerr(
                    f"This template has {slots} children blocks, only 1 is allowed when used to "
                    "insert child panes",
                    node,
                )
            idx = tmpl_children.index(CHILDREN)
            tmpl_children[idx : idx + 1] = [
                Leaf(
                    command=None,
                    edit=None,
                    cwd=None,
                    args=None,
                    plugin=None,
                    close_on_exit=None,
                    start_suspended=None,
                    name=None,
                    focus=False,
                    children=nested,
                )
            ]
        else:
            tmpl_children = [
                Leaf(
                    command=None,
                    edit=None,
                    cwd=None,
                    args=None,
                    plugin=None,
                    close_on_exit=None,
                    start_suspended=None,
                    name=None,
                    focus=False,
                    children=[],
                )
                if c is CHILDREN
                else c
                for c in tmpl_children
            ]
        leaf["children"] = tmpl_children
        return leaf

    def floating(self, node: Node) -> list[Leaf]:
        result = []
        for child in node.children or ():
            if child.name == "pane":
                self.check_entries(child, FLOATING_PROPS, "floating pane")
                leaf = Leaf(self.run_of(child, is_template=False))
                leaf.update(
                    name=get_str(child, "name"), focus=bool(get_bool(child, "focus")), children=[]
                )
                result.append(leaf)
            elif child.name in self.pane_template_nodes:
                result.append(self.template_instance(child, False))
            else:
                lerr(f"floating_panes can only contain pane nodes, found: {child.name}", child)
        for leaf in result:
            leaf["floating"] = True
        return result

    # ---- tabs ----
    def tab_body(self, node: Node, label: str, swap: bool = False) -> dict[str, Any]:
        allowed = SWAP_TAB_PROPS if swap else TAB_PROPS
        for key in node.props:
            if key not in allowed:
                lerr(f"Invalid {label} property '{key}'", node)
        self.check_split(node)
        panes: list[Any] = []
        floating: list[Leaf] = []
        for child in node.children or ():
            name = child.name
            if name == "pane":
                panes.append(self.pane(child))
            elif name == "children" and label != "tab":
                if child.args or child.props or child.children:
                    lerr(
                        "Invalid `children` properties: the `children` node must be bare. All "
                        "properties should be placed on the node consuming this template.",
                        child,
                    )
                panes.append(CHILDREN)
            elif name in self.pane_template_nodes:
                panes.append(self.template_instance(child, False))
            elif name == "floating_panes":
                floating.extend(self.floating(child))
            elif name in allowed:
                lerr(
                    f"Tab property '{name}' must be placed on the {label} title line and not in "
                    "the child braces",
                    child,
                )
            else:
                lerr(f"Invalid {label} property: {name}", child)
        return {
            "name": node.props["name"].v if "name" in node.props else None,
            "focus": bool(node.props["focus"].v) if "focus" in node.props else False,
            "cwd": node.props["cwd"].v if "cwd" in node.props else None,
            "panes": panes,
            "floating": floating,
        }

    def tab(self, node: Node, template: dict[str, Any] | None) -> dict[str, Any]:
        body = self.tab_body(node, "tab")
        if template is None:
            if not body["panes"]:
                body["panes"] = [Leaf(children=[])]
            return body
        panes = list(template["panes"])
        own = body["panes"]
        if CHILDREN in panes:
            idx = panes.index(CHILDREN)
            panes[idx : idx + 1] = own if own else [Leaf(children=[])]
        elif own:
            lerr("This template does not have children", node)
        body["panes"] = panes
        body["floating"] = list(template["floating"]) + body["floating"]
        return body

    def walk(self) -> dict[str, Any]:
        children = self.layout.children or []
        for child in children:
            if child.name == "pane_template":
                name = get_str(child, "name")
                if name is None:
                    lerr("Pane templates must have a name", child)
                self.check_template_name(name, child)
                if name in self.pane_template_nodes:
                    lerr(f'Duplicate definition of the "{name}" pane_template', child)
                self.pane_template_nodes[name] = child
        for name in list(self.pane_template_nodes):
            self.pane_template(name)
        for child in children:
            if child.name == "tab_template":
                name = get_str(child, "name")
                if name is None:
                    lerr("Tab templates must have a name", child)
                self.check_template_name(name, child)
                if name in self.tab_templates:
                    lerr(f'Duplicate definition of the "{name}" tab_template', child)
                if name in self.pane_template_nodes:
                    lerr(
                        f'There is already a pane_template with the name "{name}" - can\'t have a '
                        "tab_template with the same name",
                        child,
                    )
                stripped = Node(child.name, child.offset)
                stripped.props = {k: v for k, v in child.props.items() if k != "name"}
                stripped.children = [c for c in child.children or () if c.name != "name"]
                self.tab_templates[name] = self.tab_body(stripped, "tab_template")
            elif child.name == "default_tab_template":
                self.default_tab_template = self.tab_body(child, "tab_template")
            elif child.name == "new_tab_template":
                self.tab_body(child, "tab_template")
            elif child.name in ("swap_tiled_layout", "swap_floating_layout"):
                for sub in child.children or ():
                    if sub.name == "tab":
                        self.tab_body(sub, "tab", swap=True)
        global_cwd = get_str(self.layout, "cwd")
        tabs: list[dict[str, Any]] = []
        panes: list[Any] = []
        floating: list[Leaf] = []
        for child in children:
            name = child.name
            if name in ("pane", "floating_panes") and tabs:
                lerr("Cannot have both tabs and panes in the same node", child)
            if name == "pane":
                panes.append(self.pane(child))
            elif name == "floating_panes":
                floating.extend(self.floating(child))
            elif name == "tab":
                if panes or floating:
                    lerr("Cannot have both tabs and panes in the same node", child)
                tabs.append(self.tab(child, self.default_tab_template))
            elif name in self.tab_templates:
                if panes:
                    lerr("Cannot have both tabs and panes in the same node", child)
                tabs.append(self.tab(child, self.tab_templates[name]))
            elif name in self.pane_template_nodes:
                if tabs:
                    lerr("Cannot have both tabs and panes in the same node", child)
                panes.append(self.template_instance(child, False))
            elif name not in LAYOUT_CHILDREN:
                lerr(f"Unknown layout node: '{name}'", child)
        if tabs:
            if sum(1 for t in tabs if t["focus"]) > 1:
                lerr("Only one tab can be focused", self.layout)
        else:
            tmpl = self.default_tab_template
            if tmpl is not None:
                body = list(tmpl["panes"])
                if CHILDREN in body:
                    idx = body.index(CHILDREN)
                    body[idx : idx + 1] = panes if panes else [Leaf(children=[])]
                tabs = [
                    {
                        "name": None,
                        "focus": True,
                        "cwd": None,
                        "panes": body,
                        "floating": list(tmpl["floating"]) + floating,
                    }
                ]
            else:
                tabs = [
                    {
                        "name": None,
                        "focus": True,
                        "cwd": None,
                        "panes": panes or [Leaf(children=[])],
                        "floating": floating,
                    }
                ]
        return {"global_cwd": global_cwd, "tabs": tabs}

    def check_template_name(self, name: str, node: Node) -> None:
        if any(ch.isspace() for ch in name):
            lerr(f"Node names ({name}) cannot contain whitespace.", node)
        if name in RESERVED:
            lerr(f"Node name '{name}' is a reserved word.", node)
        if not name:
            lerr("Template names cannot be empty", node)
        if "(" in name or ")" in name:
            lerr("Template names cannot contain parantheses", node)
        if name[0].isnumeric():
            lerr("Template names cannot start with numbers", node)


def parse_layout_text(text: str, ver: Version) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse and validate a layout. Returns (walked layout, root config). Raises LayoutError."""
    nodes = parse_kdl(text)
    layouts = [n for n in nodes if n.name == "layout"]
    whole = Node("", 0)
    whole.length = max(1, len(text))
    if not layouts:
        lerr("No layout found", whole)
    if len(layouts) > 1:
        lerr("Only one layout node per file allowed", whole)
    for n in nodes:
        if n.name in ROOT_LAYOUT_WORDS:
            lerr('This node should be inside the main "layout" node', n)
    config = config_from_nodes([n for n in nodes if n.name != "layout"])
    walked = LayoutWalker(ver, layouts[0]).walk()
    return walked, config


def config_from_nodes(nodes: list[Node]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for n in nodes:
        if n.name == "env":
            config["env"] = {c.name: str(c.args[0].v) for c in n.children or () if c.args}
        elif n.args:
            v = n.args[0].v
            config[n.name] = v
    return config


def leaves(items: list[Any], cwd_prefix: str | None) -> list[Leaf]:
    """Flatten a pane tree into leaf panes, applying a cwd prefix to relative cwds."""
    result: list[Leaf] = []
    for item in items:
        if item is CHILDREN:
            continue
        kids = item.get("children") or []
        if kids:
            result.extend(leaves(kids, join_cwd(cwd_prefix, item.get("cwd"))))
            continue
        leaf = Leaf(item)
        leaf["cwd"] = join_cwd(cwd_prefix, item.get("cwd"))
        result.append(leaf)
    return result


def join_cwd(prefix: str | None, cwd: str | None) -> str | None:
    if cwd is None:
        return prefix
    if prefix is None:
        return cwd
    return os.path.join(prefix, cwd)


# --------------------------------------------------------------------------------------
# Built-in layouts and config
# --------------------------------------------------------------------------------------


def builtin_layouts(ver: Version) -> dict[str, str]:
    pre = "zellij:" if not ver.ge("0.40.0") else ""
    status = 1 if ver.ge("0.41.0") else 2

    def bar(loc: str, size: int) -> str:
        return (
            f"    pane size={size} borderless=true {{\n"
            f'        plugin location="{pre}{loc}"\n    }}\n'
        )

    default = "layout {\n" + bar("tab-bar", 1) + "    pane\n" + bar("status-bar", status) + "}\n"
    layouts = {
        "default": default,
        "compact": "layout {\n    pane\n" + bar("compact-bar", 1) + "}\n",
        "strider": (
            "layout {\n"
            + bar("tab-bar", 1)
            + '    pane split_direction="vertical" {\n        pane size="20%" {\n'
            + f'            plugin location="{pre}strider"\n        }}\n        pane\n    }}\n'
            + bar("status-bar", 2)
            + "}\n"
        ),
        "disable-status-bar": "layout {\n" + bar("tab-bar", 1) + "    pane\n}\n",
    }
    if ver.ge("0.40.0"):
        layouts["welcome"] = (
            'layout {\n    pane borderless=true {\n        plugin location="session-manager" {\n'
            "            welcome_screen true\n        }\n    }\n}\n"
        )
    if ver.ge("0.41.0"):
        layouts["classic"] = (
            "layout {\n" + bar("tab-bar", 1) + "    pane\n" + bar("status-bar", 2) + "}\n"
        )
    return layouts


# fmt: off
# fmt: on
# fmt: off
# fmt: on


# --------------------------------------------------------------------------------------
# clap-like argument parsing and errors
# --------------------------------------------------------------------------------------


class Arg:
    __slots__ = ("key", "long", "multi", "short", "since", "value")

    def __init__(
        self,
        key: str,
        short: str | None = None,
        long: str | None = None,
        value: str | None = None,
        since: str | None = None,
        multi: bool = False,
    ) -> None:
        self.key = key
        self.short = short
        self.long = long
        self.value = value
        self.since = since
        self.multi = multi

    def desc(self) -> str:
        flag = self.long or self.short or self.key
        return f"{flag} <{self.value}>" if self.value else flag


class Clap:
    def __init__(self, ver: Version) -> None:
        self.ver = ver

    def _usage(self, usage: str) -> str:
        if self.ver.clap4:
            usage = usage.replace("[SUBCOMMAND]", "[COMMAND]").replace("<SUBCOMMAND>", "<COMMAND>")
            return f"Usage: {usage}\n\n"
        return f"USAGE:\n    {usage}\n\n"

    def _tail(self) -> str:
        return (
            "For more information, try '--help'.\n"
            if self.ver.clap4
            else "For more information try --help\n"
        )

    def fail(self, text: str) -> NoReturn:
        finish(2, stderr=text)

    def unexpected(self, arg: str, usage: str) -> NoReturn:
        if self.ver.clap4:
            tip = (
                f"  tip: to pass '{arg}' as a value, use '-- {arg}'\n\n"
                if arg.startswith("-")
                else ""
            )
            self.fail(
                f"error: unexpected argument '{arg}' "
                f"found\n\n{tip}{self._usage(usage)}{self._tail()}"
            )
        hint = (
            f"\tIf you tried to supply `{arg}` as a value rather than a flag, use `-- {arg}`\n\n"
            if arg.startswith("-")
            else ""
        )
        self.fail(
            f"error: Found argument '{arg}' which wasn't expected, or isn't valid in this "
            "context\n\n"
            f"{hint}{self._usage(usage)}{self._tail()}"
        )

    def unrecognized_subcommand(self, name: str, usage: str) -> NoReturn:
        if self.ver.clap4:
            self.fail(
                f"error: unrecognized subcommand '{name}'\n\n{self._usage(usage)}{self._tail()}"
            )
        self.unexpected(name, usage)

    def missing_value(self, arg: Arg, usage: str) -> NoReturn:
        if self.ver.clap4:
            self.fail(
                f"error: a value is required for '{arg.desc()}' but none was "
                f"supplied\n\n{self._tail()}"
            )
        self.fail(
            f"error: The argument '{arg.desc()}' requires a value but none was supplied\n\n"
            f"{self._usage(usage)}{self._tail()}"
        )

    def missing_required(self, what: str, usage: str) -> NoReturn:
        if self.ver.clap4:
            self.fail(
                f"error: the following required arguments were not provided:\n  {what}\n\n"
                f"{self._usage(usage)}{self._tail()}"
            )
        self.fail(
            f"error: The following required arguments were not provided:\n    {what}\n\n"
            f"{self._usage(usage)}{self._tail()}"
        )

    def invalid_value(self, value: str, desc: str, reason: str) -> NoReturn:
        if self.ver.clap4:
            self.fail(f"error: invalid value '{value}' for '{desc}': {reason}\n\n{self._tail()}")
        self.fail(f"error: Invalid value \"{value}\" for '{desc}': {reason}\n\n{self._tail()}")

    def missing_subcommand(self, path: str, usage: str) -> NoReturn:
        self.fail(
            f"error: '{path}' requires a subcommand but one was not provided\n\n"
            f"{self._usage(usage)}{self._tail()}"
        )


class Parsed:
    def __init__(self) -> None:
        self.opts: dict[str, Any] = {}
        self.pos: list[str] = []
        self.trailing: list[str] | None = None
        self.sub: str | None = None
        self.sub_args: list[str] = []


def parse_args(
    ctx: Ctx,
    argv: list[str],
    args: list[Arg],
    usage: str,
    positionals: int = 0,
    multi_pos: bool = False,
    trailing: bool = False,
    subcommands: Iterable[str] = (),
    help_text: str | None = None,
    top: bool = False,
) -> Parsed:
    """A small clap: long/short options, clusters, ``--opt=value``, ``--``, subcommands."""
    clap = ctx.clap
    live = [a for a in args if a.since is None or ctx.ver.ge(a.since)]
    longs = {a.long: a for a in live if a.long}
    shorts = {a.short[1:]: a for a in live if a.short}
    subs = set(subcommands)
    p = Parsed()
    i = 0

    def store(arg: Arg, value: Any) -> None:
        if arg.multi:
            p.opts.setdefault(arg.key, []).append(value)
        else:
            p.opts[arg.key] = value
        if top:
            on_global(ctx, arg, value)

    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest = argv[i + 1 :]
            if trailing:
                p.trailing = rest
            else:
                for r in rest:
                    if len(p.pos) < positionals or multi_pos:
                        p.pos.append(r)
                    else:
                        clap.unexpected(r, usage)
            break
        if a.startswith("--") and len(a) > 2:
            name, eq, val = a.partition("=")
            if name == "--help":
                finish(0, stdout=help_text or f"{usage}\n")
            if name == "--version" and top:
                print_version(ctx)
            arg = longs.get(name)
            if arg is None:
                clap.unexpected(name if eq else a, usage)
            if arg.value is None:
                if eq:
                    clap.unexpected(a, usage)
                store(arg, True)
            else:
                if not eq:
                    if i + 1 >= len(argv):
                        clap.missing_value(arg, usage)
                    i += 1
                    val = argv[i]
                store(arg, val)
            i += 1
            continue
        if a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                ch = a[j]
                if ch == "h" and "h" not in shorts:
                    finish(0, stdout=help_text or f"{usage}\n")
                if ch == "V" and top:
                    print_version(ctx)
                arg = shorts.get(ch)
                if arg is None:
                    clap.unexpected("-" + ch, usage)
                if arg.value is None:
                    store(arg, True)
                    j += 1
                    continue
                attached = a[j + 1 :].removeprefix("=")
                if attached:
                    store(arg, attached)
                elif i + 1 < len(argv):
                    i += 1
                    store(arg, argv[i])
                else:
                    clap.missing_value(arg, usage)
                break
            i += 1
            continue
        if a in subs:
            p.sub = a
            p.sub_args = argv[i + 1 :]
            return p
        if len(p.pos) < positionals or multi_pos:
            p.pos.append(a)
        elif top:
            clap.unrecognized_subcommand(a, usage)
        else:
            clap.unexpected(a, usage)
        i += 1
    return p


def on_global(ctx: Ctx, arg: Arg, value: Any) -> None:
    """clap value parsers of the top-level arguments (run as each is parsed)."""
    if arg.key == "session" and ctx.paths.too_long(value):
        ctx.clap.invalid_value(
            value, "--session <SESSION>", "session name must be less than 0 characters"
        )


def print_version(ctx: Ctx) -> NoReturn:
    override = ENV.get("FAKE_ZELLIJ_VERSION_OUTPUT")
    if override is not None:
        finish(0, stdout=override)
    finish(0, stdout=f"zellij {ctx.ver.text}\n")


# --------------------------------------------------------------------------------------
# Invocation context
# --------------------------------------------------------------------------------------


class Ctx:
    def __init__(self, ver: Version, argv: list[str]) -> None:
        self.ver = ver
        self.argv = argv
        self.env = ENV
        self.paths = Paths(ENV, ver)
        self.clap = Clap(ver)
        self.now = now_epoch()
        try:
            self.cwd = os.getcwd()
        except OSError:
            self.cwd = ENV.get("PWD", "/")
        self.g: dict[str, Any] = {}
        self.config: dict[str, Any] | None = None

    @property
    def current(self) -> str | None:
        return self.env.get("ZELLIJ_SESSION_NAME")


# --------------------------------------------------------------------------------------
# Listing
# --------------------------------------------------------------------------------------


def session_table(ctx: Ctx) -> list[tuple[str, int, bool]]:
    """(name, age in whole seconds, is_dead); running entries win over exited ones."""
    running = list_running(ctx.paths)
    table: dict[str, tuple[int, bool]] = {}
    for name, mtime in list_exited(ctx.paths, ctx.ver):
        table[name] = (age(ctx, mtime), True)
    for name, mtime in running:
        table[name] = (age(ctx, mtime), False)
    return [(n, a, d) for n, (a, d) in table.items()]


def age(ctx: Ctx, mtime: float | None) -> int:
    if mtime is None:
        return 0
    delta = ctx.now - mtime
    return int(delta) if delta > 0 else 0


def format_sessions(
    ctx: Ctx,
    sessions: list[tuple[str, int, bool]],
    no_formatting: bool,
    short: bool,
    newest_first: bool,
) -> str:
    current = ctx.current if ctx.current is not None else ""
    ordered = sorted(sessions, key=lambda s: s[1], reverse=not newest_first)
    lines = []
    for name, secs, dead in ordered:
        if short:
            lines.append(f"{name}\n")
            continue
        if name == current:
            suffix = "(current)"
        elif dead:
            suffix = (
                "(EXITED - attach to resurrect)"
                if no_formatting
                else "(\x1b[31;1mEXITED\x1b[m - attach to resurrect)"
            )
        else:
            suffix = ""
        if no_formatting:
            lines.append(f"{name} [Created {humantime(secs)} ago] {suffix}\n")
        else:
            lines.append(
                f"\x1b[32;1m{name}\x1b[m [Created \x1b[35;1m{humantime(secs)}\x1b[m ago] {suffix}\n"
            )
    return "".join(lines)


def list_sessions_and_exit(ctx: Ctx, no_formatting: bool, short: bool, reverse: bool) -> NoReturn:
    """``list_sessions`` of sessions.rs: prints and exits (0, or 1 when there is nothing)."""
    try:
        table = session_table(ctx)
    except OSError as exc:
        finish(1, stderr=f"Error occurred: {io_kind(exc)}\n")
    if not table:
        finish(1, stderr="No active zellij sessions found.\n")
    newest_first = reverse or not ctx.ver.ge("0.40.0")
    finish(0, stdout=format_sessions(ctx, table, no_formatting, short, newest_first))


def cmd_list_sessions(ctx: Ctx, argv: list[str]) -> NoReturn:
    p = parse_args(
        ctx,
        argv,
        [
            Arg("no_formatting", "-n", "--no-formatting"),
            Arg("short", "-s", "--short"),
            Arg("reverse", "-r", "--reverse", since="0.40.0"),
        ],
        "zellij list-sessions [OPTIONS]",
    )
    list_sessions_and_exit(
        ctx,
        bool(p.opts.get("no_formatting")),
        bool(p.opts.get("short")),
        bool(p.opts.get("reverse")),
    )


# --------------------------------------------------------------------------------------
# Config and layout resolution (section 4)
# --------------------------------------------------------------------------------------


def default_config_dirs(ctx: Ctx) -> list[str]:
    home = ctx.paths.home
    xdg = ctx.env.get("XDG_CONFIG_HOME") or ""
    if not xdg.startswith("/"):
        xdg = os.path.join(home, ".config")
    if sys.platform == "darwin":
        platform_dir = os.path.join(
            home, "Library", "Application Support", "org.Zellij-Contributors.Zellij"
        )
    else:
        platform_dir = os.path.join(xdg, "zellij")
    return [os.path.join(home, ".config", "zellij"), platform_dir, "/etc/zellij"]


def find_default_config_dir(ctx: Ctx) -> str | None:
    for d in default_config_dirs(ctx):
        if os.path.exists(d):
            return d
    return None


def config_dir(ctx: Ctx) -> str | None:
    return (
        ctx.g.get("config_dir") or ctx.env.get("ZELLIJ_CONFIG_DIR") or find_default_config_dir(ctx)
    )


def config_file(ctx: Ctx) -> str | None:
    explicit = ctx.g.get("config") or ctx.env.get("ZELLIJ_CONFIG_FILE")
    if explicit:
        return explicit
    d = config_dir(ctx)
    return os.path.join(d, "config.kdl") if d else None


def diagnostic(source: str, text: str, e: LayoutError) -> str:
    """A miette-style report whose first line carries the Zellij headline."""
    tty = sys.stderr.isatty()
    offset = min(max(0, e.offset), len(text))
    line_no = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    col = offset - line_start + 1
    lines = text.split("\n")
    width = len(str(min(len(lines), line_no + 1)))
    cross, top, bar, dot, corner, end = (
        ("\u00d7", "╭─[", "│", "·", "╰──", "╰────")
        if tty
        else ("x", ",-[", "|", ":", "`--", "`----")
    )
    pad = " " * width
    out_lines = [
        f"  {cross} Failed to parse Zellij configuration",
        f" {pad}{top}{source}:{line_no}:{col}]",
    ]
    if line_no > 1:
        out_lines.append(f" {line_no - 1:>{width}} {bar} {lines[line_no - 2]}")
    out_lines.append(
        f" {line_no:>{width}} {bar} {lines[line_no - 1] if line_no - 1 < len(lines) else ''}"
    )
    length = max(
        1, min(e.length, len(lines[line_no - 1]) - col + 1 if line_no - 1 < len(lines) else 1)
    )
    out_lines.append(f" {pad} {dot} {' ' * (col - 1)}{'^' * length}")
    label = e.message.split("\n")
    out_lines.append(f" {pad} {dot} {' ' * (col - 1)}{corner} {label[0]}")
    for extra in label[1:]:
        out_lines.append(f" {pad} {dot} {' ' * (col - 1)}    {extra}")
    if line_no < len(lines):
        out_lines.append(f" {line_no + 1:>{width}} {bar} {lines[line_no]}")
    out_lines.append(f" {pad}{end}")
    out_lines.append(
        f"  help: For more information, please see our configuration guide: {HELP_URL}"
    )
    return "\n".join(out_lines) + "\n"


def load_config(ctx: Ctx) -> dict[str, Any]:
    """Read the config file (if any). A KDL error prints the diagnostic and exits 1."""
    if ctx.config is not None:
        return ctx.config
    path = config_file(ctx)
    config: dict[str, Any] = {}
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError):
            text = None
        if text is not None:
            try:
                config = config_from_nodes(parse_kdl(text))
            except LayoutError as e:
                finish(1, stderr=diagnostic(path, text, e))
            config["__file__"] = path
    ctx.config = config
    return config


class LayoutInfo:
    def __init__(
        self,
        requested: str | None,
        kind: str,
        name: str,
        path: str | None,
        text: str | None,
        walked: dict[str, Any] | None,
        config: dict[str, Any],
        swap: str | None = None,
    ) -> None:
        self.requested = requested
        self.kind = kind
        self.name = name
        self.path = path
        self.text = text
        self.walked = walked
        self.config = config
        self.swap = swap

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "path": self.path, "swap_path": self.swap}


class LayoutFailure(Exception):
    def __init__(self, message: str, is_io: bool) -> None:
        super().__init__(message)
        self.message = message
        self.is_io = is_io


def path_components(spec: str) -> list[str]:
    """Rust ``Path::components``: root, a leading ``.``, and the normal parts."""
    comps = ["/"] if spec.startswith("/") else []
    for idx, part in enumerate(spec.split("/")):
        if part == "" or (part == "." and (idx > 0 or spec.startswith("/"))):
            continue
        comps.append(part)
    return comps


def has_ext_or_components(spec: str) -> bool:
    """Section 4 rule 4: an extension (Rust ``Path::extension``) or more than one component."""
    comps = path_components(spec)
    if len(comps) > 1:
        return True
    if not comps or comps[-1] in ("/", ".", ".."):
        return False
    before, dot, _after = comps[-1].rpartition(".")
    return bool(dot) and before != ""


def read_layout_file(path: str, display: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise LayoutFailure(
            f"IoError: Is a directory (os error 21), File: {display}", True
        ) from None
    except PermissionError:
        raise LayoutFailure(
            f"IoError: Permission denied (os error 13), File: {display}", True
        ) from None


def resolve_layout(
    ctx: Ctx,
    spec: str | None,
    layout_string: str | None,
    options: dict[str, Any],
    base_cwd: str | None = None,
) -> LayoutInfo:
    """Layout resolution of section 4. Raises LayoutFailure with the text zellij prints."""
    config = load_config(ctx)
    cwd = base_cwd or ctx.cwd
    if layout_string is not None:
        return finish_layout(
            ctx, spec, "string", "layout-string", None, layout_string, "layout-string"
        )
    choice = spec or options.get("default_layout") or config.get("default_layout") or "default"
    choice = str(choice)
    if choice.startswith(("http://", "https://")):
        return LayoutInfo(spec, "url", choice, None, None, None, {})
    if has_ext_or_components(choice):
        path = os.path.normpath(os.path.join(cwd, choice))
        for candidate, shown in ((path, choice), (path + ".kdl", choice + ".kdl")):
            try:
                text = read_layout_file(candidate, choice)
            except FileNotFoundError:
                continue
            return finish_layout(ctx, spec, "file", choice, candidate, text, shown)
        raise LayoutFailure(
            f"IoError: No such file or directory (os error 2), File: {choice}", True
        )
    layout_dir = options.get("layout_dir") or config.get("layout_dir")
    if not layout_dir:
        cdir = config_dir(ctx)
        layout_dir = os.path.join(cdir, "layouts") if cdir else None
    if layout_dir:
        for candidate in (
            os.path.join(layout_dir, choice),
            os.path.join(layout_dir, choice + ".kdl"),
        ):
            if os.path.isfile(candidate):
                text = read_layout_file(candidate, candidate)
                return finish_layout(ctx, spec, "file", choice, candidate, text, candidate)
    builtins = builtin_layouts(ctx.ver)
    if choice in builtins:
        return finish_layout(ctx, spec, "builtin", choice, None, builtins[choice], choice)
    raise LayoutFailure(f"IoError: The layout was not found, File: {choice}", True)


def finish_layout(
    ctx: Ctx, spec: str | None, kind: str, name: str, path: str | None, text: str, source: str
) -> LayoutInfo:
    try:
        walked, config = parse_layout_text(text, ctx.ver)
    except LayoutError as e:
        raise LayoutFailure(diagnostic(source, text, e), False) from None
    swap = None
    if path:
        stem = path.removesuffix(".kdl")
        if os.path.isfile(stem + ".swap.kdl"):
            swap = stem + ".swap.kdl"
    return LayoutInfo(spec, kind, name, path, text, walked, config, swap)


# --------------------------------------------------------------------------------------
# Session records
# --------------------------------------------------------------------------------------


def default_leaf() -> Leaf:
    return Leaf(
        command=None,
        edit=None,
        cwd=None,
        args=None,
        plugin=None,
        close_on_exit=None,
        start_suspended=None,
        name=None,
        focus=False,
        children=[],
    )


def build_panes(
    ctx: Ctx,
    walked: dict[str, Any] | None,
    server_cwd: str,
    default_cwd: str | None,
    suspend_commands: bool = False,
    force_run: bool = False,
) -> dict[str, Any]:
    """Turn a walked layout into tabs/panes/plugins records with terminal ids from 0."""
    if walked is None:
        walked = {
            "global_cwd": None,
            "tabs": [
                {
                    "name": None,
                    "focus": True,
                    "cwd": None,
                    "panes": [default_leaf()],
                    "floating": [],
                }
            ],
        }
    tabs = []
    panes: list[dict[str, Any]] = []
    plugins = []
    focused_tab = 0
    for t_index, tab in enumerate(walked["tabs"]):
        if tab.get("focus"):
            focused_tab = t_index
        tabs.append({"id": t_index, "name": tab.get("name") or f"Tab #{t_index + 1}"})
        prefix = join_cwd(walked.get("global_cwd"), tab.get("cwd"))
        for leaf in leaves(tab["panes"], prefix) + leaves(tab.get("floating", []), prefix):
            if leaf.get("plugin"):
                plugins.append(
                    {"tab": t_index, "location": leaf["plugin"], "name": leaf.get("name")}
                )
                continue
            cwd = leaf.get("cwd")
            if cwd is not None:
                cwd = os.path.expandvars(os.path.expanduser(cwd))
            base = default_cwd or server_cwd
            resolved = os.path.normpath(os.path.join(server_cwd, base, cwd or ""))
            command = leaf.get("command")
            suspended = bool(leaf.get("start_suspended")) or (
                suspend_commands and command is not None
            )
            if force_run:
                suspended = False
            panes.append(
                {
                    "id": len(panes),
                    "tab": t_index,
                    "name": leaf.get("name"),
                    "command": command,
                    "args": list(leaf.get("args") or []),
                    "edit": leaf.get("edit"),
                    "cwd": resolved,
                    "floating": bool(leaf.get("floating")),
                    "focus": bool(leaf.get("focus")),
                    "start_suspended": suspended,
                    "close_on_exit": bool(leaf.get("close_on_exit")),
                }
            )
    focused = None
    tab_panes = [p for p in panes if p["tab"] == focused_tab and not p["floating"]]
    for p in tab_panes:
        if p["focus"]:
            focused = p["id"]
            break
    if focused is None and tab_panes:
        focused = tab_panes[0]["id"]
    if focused is None and panes:
        focused = panes[0]["id"]
    return {
        "tabs": tabs,
        "panes": panes,
        "plugins": plugins,
        "focused_pane": focused,
        "focused_tab": focused_tab,
    }


def new_record(
    ctx: Ctx,
    name: str,
    how: str,
    layout: LayoutInfo | None,
    options: dict[str, Any],
    resurrected: dict[str, Any] | None = None,
    force_run: bool = False,
) -> dict[str, Any]:
    config = dict(load_config(ctx))
    if layout is not None:
        config.update(layout.config)
    env = dict(ctx.env)
    shell = (
        options.get("default_shell") or config.get("default_shell") or env.get("SHELL") or "/bin/sh"
    )
    default_cwd = options.get("default_cwd") or config.get("default_cwd")
    if resurrected is not None:
        walked = resurrected["walked"]
        built = build_panes(
            ctx, walked, ctx.cwd, default_cwd, suspend_commands=True, force_run=force_run
        )
    else:
        built = build_panes(ctx, layout.walked if layout else None, ctx.cwd, default_cwd)
    rec: dict[str, Any] = {
        "fake_zellij": 1,
        "name": name,
        "version": ctx.ver.text,
        "created": ctx.now,
        "created_by": how,
        "argv": ctx.argv,
        "pid": os.getpid(),
        "env": env,
        "cwd": ctx.cwd,
        "shell": str(shell),
        "default_cwd": default_cwd,
        "config_file": config.get("__file__"),
        "config_env": config.get("env", {}),
        "layout": layout.requested if layout else None,
        "layout_resolved": layout.describe()
        if layout
        else {"kind": "resurrection", "name": name, "path": None, "swap_path": None},
        "layout_text": layout.text if layout else (resurrected or {}).get("text"),
        "options": {k: v for k, v in options.items()},
        "force_run_commands": force_run,
        "serialization": str(
            options.get("session_serialization", config.get("session_serialization", True))
        ).lower()
        != "false",
        "clients": 0,
        "attaches": [],
        "events": [
            {
                "event": "resurrected" if resurrected is not None else "created",
                "time": ctx.now,
                "how": how,
            }
        ],
        "resurrections": 0,
    }
    if resurrected is not None:
        prev = resurrected.get("record") or {}
        rec["resurrections"] = int(prev.get("resurrections", 0)) + 1
        rec["previous"] = {
            k: prev.get(k) for k in ("created", "killed", "cwd", "created_by") if k in prev
        }
        rec["layout"] = None
    rec.update(built)
    return rec


def resurrection_kdl(rec: dict[str, Any]) -> str:
    """The session-layout.kdl a serialized session leaves behind."""
    lines = ["layout {"]
    focused_tab = rec.get("focused_tab", 0)
    tabs = rec.get("tabs") or [{"id": 0, "name": "Tab #1"}]
    for tab in tabs:
        head = f"    tab name={kdl_quote(str(tab.get('name') or 'Tab'))}"
        if tab.get("id") == focused_tab:
            head += " focus=true"
        lines.append(head + " {")
        tiled = [
            p
            for p in rec.get("panes", [])
            if p.get("tab") == tab.get("id") and not p.get("floating")
        ]
        floating = [
            p for p in rec.get("panes", []) if p.get("tab") == tab.get("id") and p.get("floating")
        ]
        if not tiled:
            lines.append("        pane")
        for pane in tiled:
            lines.extend(pane_kdl(pane, rec, "        "))
        if floating:
            lines.append("        floating_panes {")
            for pane in floating:
                lines.extend(pane_kdl(pane, rec, "            "))
            lines.append("        }")
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def pane_kdl(pane: dict[str, Any], rec: dict[str, Any], indent: str) -> list[str]:
    head = f"{indent}pane"
    kids = []
    if pane.get("command"):
        head += f" command={kdl_quote(str(pane['command']))}"
        if pane.get("args"):
            kids.append("args " + " ".join(kdl_quote(str(a)) for a in pane["args"]))
        if pane.get("close_on_exit"):
            kids.append("close_on_exit true")
        kids.append("start_suspended true")
    elif pane.get("edit"):
        head += f" edit={kdl_quote(str(pane['edit']))}"
    if pane.get("cwd"):
        head += f" cwd={kdl_quote(str(pane['cwd']))}"
    if pane.get("name"):
        head += f" name={kdl_quote(str(pane['name']))}"
    if pane.get("id") == rec.get("focused_pane"):
        head += " focus=true"
    if not kids:
        return [head]
    return [head + " {"] + [f"{indent}    {k}" for k in kids] + [f"{indent}}}"]


# --------------------------------------------------------------------------------------
# attach / create / resurrect (section 2)
# --------------------------------------------------------------------------------------


def validate_session_name(name: str) -> str | None:
    if not name.strip():
        return "Session name cannot be empty. Please provide a specific session name."
    if name in (".", ".."):
        return f'Invalid session name: "{name}".'
    if "/" in name:
        return "Session name cannot contain '/'."
    return None


def running_names(ctx: Ctx, panic: bool = False) -> list[str]:
    try:
        return [n for n, _ in list_running(ctx.paths)]
    except OSError as exc:
        if panic:
            socket_dir_panic(ctx, exc)
        finish(1, stderr=f"Error occurred: {io_kind(exc)}\n")


def socket_dir_panic(ctx: Ctx, exc: OSError) -> NoReturn:
    if ctx.ver.ge("0.45.0"):
        finish(
            1,
            stderr=(
                "Failed to list existing Zellij sessions in the socket directory: "
                f"{ctx.paths.sock_dir}\n"
                f"Error: {io_kind(exc)}\n\n"
                "This usually means the directory exists but is not accessible to the current "
                "user.\n"
                "To fix this, use a socket directory you own, eg.:\n"
                "  ZELLIJ_SOCKET_DIR=/tmp/zellij-$USER zellij\n"
            ),
        )
    rust_panic(
        ctx,
        f"called `Result::unwrap()` on an `Err` value: {io_kind(exc)}",
        "src/sessions.rs:204:50",
    )


def rust_panic(ctx: Ctx, message: str, location: str) -> NoReturn:
    if ctx.ver.ge("0.40.0"):
        text = f"thread 'main' panicked at {location}:\n{message}\n"
    else:
        text = f"thread 'main' panicked at '{message}', {location}\n"
    text += "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
    finish(101, stderr=text)


def assert_session_ne(ctx: Ctx, name: str) -> None:
    problem = validate_session_name(name)
    if problem:
        finish(1, stderr=problem + "\n")
    if name in running_names(ctx):
        finish(
            1,
            stdout=f"Session with name {rust_debug(name)} already exists. Use attach command to "
            "connect to it or specify a different name.\n",
        )
    if name in exited_names_for_collision(ctx.paths):
        finish(
            1,
            stdout=f"Session with name {rust_debug(name)} already exists, but is dead. Use the "
            "attach command to resurrect it or, the delete-session command to kill it or "
            "specify a different name.\n",
        )


def resurrection_layout(ctx: Ctx, name: str) -> dict[str, Any] | None:
    """``resurrection_layout``: the parsed session-layout.kdl or None (0.43+: exit 2 if broken)."""
    path = ctx.paths.layout_file(name)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        walked, _config = parse_layout_text(text, ctx.ver)
    except LayoutError as e:
        if ctx.ver.ge("0.43.0"):
            detail = e.message.split("\n")[0].strip()
            finish(2, stderr=f"Failed to parse resurrection layout file {path}: {detail}.\n")
        return None
    return {"walked": walked, "text": text, "record": read_exited(ctx.paths, name)}


def check_socket_path(ctx: Ctx, name: str) -> None:
    """The too-long IPC path: a clear error from 0.44.1, a hang before (issue #3213)."""
    if not ctx.paths.too_long(name):
        return
    if ctx.ver.ge("0.44.1"):
        path = ctx.paths.sock(name)
        finish(
            1,
            stderr=(
                f"Error: the IPC socket path is too long ({ctx.paths.path_len(name)} bytes, max "
                f"{ctx.paths.sock_max - 1}):\n  {path}\n\nThis is usually caused by a long "
                "$TMPDIR path.\n"
                "To fix this, set a shorter socket directory, eg.:\n  "
                "ZELLIJ_SOCKET_DIR=/tmp/zellij zellij\n"
            ),
        )
    hang_forever()


def load_layout_or_exit(ctx: Ctx, options: dict[str, Any]) -> LayoutInfo:
    spec = ctx.g.get("new_layout") or ctx.g.get("layout")
    try:
        return resolve_layout(ctx, spec, ctx.g.get("layout_string"), options)
    except LayoutFailure as f:
        finish(1, stderr=f.message if f.message.endswith("\n") else f.message + "\n")


def resolve_client(
    ctx: Ctx, attach: bool, name: str | None, create: bool, background: bool
) -> tuple[str, str, dict[str, Any] | None]:
    """Which session this client goes to: (``new``/``attach``/``resurrect``, name, layout)."""
    if not attach:  # `zellij -s NAME`
        if name is None:
            not_emulated("`zellij` without a session name (a random name, config session_name)")
        assert_session_ne(ctx, name)
        return "new", name, None
    try:
        names = [n for n, _ in list_running(ctx.paths)]
    except OSError as exc:
        socket_dir_panic(ctx, exc)
    exists = name is not None and name in names
    resurrect = resurrection_layout(ctx, name) if name is not None else None
    if (create or background) and not exists and resurrect is None and name is not None:
        assert_session_ne(ctx, name)
    if name is not None and resurrect is not None and not exists:
        return "resurrect", name, resurrect
    kind, target = attach_with_session_name(ctx, name, create or background, names)
    return kind, target, None


def nesting_panic(ctx: Ctx, target: str, location: str) -> NoReturn:
    rust_panic(
        ctx,
        f'You are trying to attach to the current session ("{target}"). This is not supported.',
        location,
    )


def start_client(
    ctx: Ctx,
    *,
    attach: bool,
    name: str | None,
    create: bool = False,
    background: bool = False,
    force: bool = False,
) -> NoReturn:
    """commands.rs ``start_client``: resolve the target, then create/attach/resurrect.

    Resolution and creation happen under the state lock, so concurrent clients see one
    consistent order (exactly one of N ``attach -b SAME`` creates, the rest get "already
    exists"). The lock is released before hanging or blocking in an interactive client.
    """
    options: dict[str, Any] = {}
    load_config(ctx)
    layout = load_layout_or_exit(ctx, options)
    how = ("attach -b" if background else "attach -c" if create else "attach") if attach else "new"
    hang = False
    with Lock(ctx.paths):
        kind, target, resurrect = resolve_client(ctx, attach, name, create, background)
        if ctx.current is not None and ctx.current == target:
            nesting_panic(ctx, target, "src/commands.rs:487:17")
        if background and kind == "attach":
            finish(1, stderr="Session already exists\n")
        if kind in ("new", "resurrect"):
            if ctx.paths.too_long(target):
                if ctx.ver.ge("0.44.1"):
                    check_socket_path(ctx, target)
                hang = True
            else:
                rec = create_or_resurrect(ctx, target, kind, layout, options, resurrect, force, how)
                if rec is None and background:
                    finish(1, stderr="Session already exists\n")
                if rec is None:
                    finish(
                        1,
                        stdout=f"Session with name {rust_debug(target)} already exists. Use "
                        "attach command to connect to it or specify a different name.\n",
                    )
    if hang:
        hang_forever()  # the client retries the connection forever (#3213)
    if kind in ("new", "resurrect"):
        fail_after_create()
    if background:
        finish(0)
    interactive_client(ctx, target, kind)


def fail_after_create() -> None:
    if ENV.get("FAKE_ZELLIJ_FAIL_AFTER_CREATE") == "1":
        finish(
            1,
            stderr="Error occurred in server:\nFailed to connect to the session server: "
            "Connection reset by peer (os error 104)\n",
        )


def attach_with_session_name(
    ctx: Ctx, name: str | None, create: bool, names: list[str]
) -> tuple[str, str]:
    if name is not None and create:
        return ("attach", name) if name in names else ("new", name)
    if name is not None:
        matches = [n for n in names if n.startswith(name)]
        if name in matches:
            return "attach", name
        if len(matches) == 1:
            return "attach", matches[0]
        if not matches:
            finish(1, stderr=f"No session with the name '{name}' found!\n")
        listing = format_sessions(ctx, [(n, 0, False) for n in matches], False, False, True)
        finish(
            1,
            stdout=f"Ambiguous selection: multiple sessions names start with '{name}':\n{listing}",
        )
    if not names:
        if create:
            not_emulated("creating a session without a name (a random name)")
        finish(1, stderr="No active zellij sessions found.\n")
    if len(names) == 1:
        return "attach", names[0]
    out(
        "Please specify the session to attach to, either by using the full name or a unique "
        "prefix.\n"
        "The following sessions are active:\n"
    )
    list_sessions_and_exit(ctx, False, False, True)


def create_or_resurrect(
    ctx: Ctx,
    name: str,
    kind: str,
    layout: LayoutInfo,
    options: dict[str, Any],
    resurrect: dict[str, Any] | None,
    force: bool,
    how: str,
) -> dict[str, Any] | None:
    """Create (or resurrect) the running record atomically. None if it is already running."""
    paths = ctx.paths
    with Lock(paths):
        if kind == "resurrect":
            if read_running(paths, name) is not None:
                return None
            if resurrect is None:
                resurrect = resurrection_layout(ctx, name)
            rec = new_record(
                ctx,
                name,
                how,
                None,
                options,
                resurrected=resurrect or {"walked": None},
                force_run=force,
            )
        else:
            rec = new_record(ctx, name, how, layout, options)
        if not write_running(paths, rec, create=True):
            return None
        folder = paths.info(name)
        if kind == "resurrect":
            for leftover in ("session-layout.kdl", EXITED_JSON):
                try:
                    os.unlink(os.path.join(folder, leftover))
                except OSError:
                    pass
        write_metadata(paths, name)
    return rec


def interactive_client(ctx: Ctx, name: str, kind: str) -> NoReturn:
    """An interactive client: FAKE_ZELLIJ_ATTACH=exit (default) returns at once, block waits."""
    mode = ENV.get("FAKE_ZELLIJ_ATTACH", "exit")
    event = {
        "time": ctx.now,
        "pid": os.getpid(),
        "cwd": ctx.cwd,
        "kind": kind,
        "mode": mode,
        "argv": ctx.argv,
    }

    def register(rec: dict[str, Any]) -> float:
        rec.setdefault("attaches", []).append(event)
        if mode == "block":
            rec["clients"] = int(rec.get("clients", 0)) + 1
        return float(rec["created"])

    created = update_running(ctx, name, register)
    if mode != "block" or created is None:
        finish(0)
    import signal

    def on_signal(signum: int, frame: object) -> None:
        raise Done(0)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    code = 0
    try:
        sys.stdout.flush()
        while True:
            time.sleep(0.1)
            try:
                os.stat(ctx.paths.sock(name))
            except FileNotFoundError:
                out("Bye from Zellij!\n")
                break
    except Done as d:
        code = d.code
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)

        def unregister(rec: dict[str, Any]) -> None:
            rec["clients"] = max(0, int(rec.get("clients", 1)) - 1)

        update_running(ctx, name, unregister)
    finish(code)


def cmd_attach(ctx: Ctx, argv: list[str]) -> NoReturn:
    args = [
        Arg("create", "-c", "--create"),
        Arg("background", "-b", "--create-background", since="0.40.0"),
        Arg("force", "-f", "--force-run-commands"),
    ]
    p = parse_args(
        ctx,
        argv,
        args,
        "zellij attach [OPTIONS] [SESSION_NAME] [SUBCOMMAND]",
        positionals=1,
        subcommands=("options",),
    )
    if p.sub == "options":
        not_emulated("`attach NAME options ...`")
    name = p.pos[0] if p.pos else None
    if layout_adds_tab(ctx):
        layout_new_tab(ctx)
    start_client(
        ctx,
        attach=True,
        name=name,
        create=bool(p.opts.get("create")),
        background=bool(p.opts.get("background")),
        force=bool(p.opts.get("force")),
    )


# --------------------------------------------------------------------------------------
# kill / delete (section 3)
# --------------------------------------------------------------------------------------


def cmd_kill_session(ctx: Ctx, argv: list[str]) -> NoReturn:
    p = parse_args(ctx, argv, [], "zellij kill-session [TARGET_SESSION]", positionals=1)
    if not p.pos:
        finish(1, stdout="Please specify the session name to kill.\n")
    name = p.pos[0]
    names = running_names(ctx)
    if name not in names:
        text = f"No session named {rust_debug(name)} found.\n"
        hint = suggest(names, name)
        if hint is not None:
            text += f"  help: Did you mean `{hint}`?\n"
        finish(1, stdout=text)
    if not kill_running(ctx, name):
        finish(
            1,
            stderr='Error occurred: Os { code: 111, kind: ConnectionRefused, message: "Connection '
            'refused" }\n',
        )
    finish(0)


def delete_session_impl(ctx: Ctx, name: str, force: bool) -> int:
    import shutil

    if force:
        kill_running(ctx, name)
    with Lock(ctx.paths):
        try:
            shutil.rmtree(ctx.paths.info(name))
        except FileNotFoundError:
            err(f"Session: {rust_debug(name)} not found.\n")
            return 2
        except OSError:
            return 0
    out(f"Session: {rust_debug(name)} successfully deleted.\n")
    return 0


def cmd_delete_session(ctx: Ctx, argv: list[str]) -> NoReturn:
    p = parse_args(
        ctx,
        argv,
        [Arg("force", "-f", "--force")],
        "zellij delete-session [OPTIONS] [TARGET_SESSION]",
        positionals=1,
    )
    if not p.pos:
        finish(1, stdout="Please specify the session name to delete.\n")
    name = p.pos[0]
    if ctx.ver.ge("0.44.0"):
        problem = validate_session_name(name)
        if problem:
            finish(1, stderr=problem + "\n")
    force = bool(p.opts.get("force"))
    if name in running_names(ctx):
        if not force:
            finish(
                1,
                stdout=f"A session by the name {rust_debug(name)} exists and is active, use "
                "--force to "
                "delete it.\n",
            )
        out(
            f"A session by the name {rust_debug(name)} exists and is active, but will be force "
            "killed and "
            "deleted.\n"
        )
    finish(delete_session_impl(ctx, name, force))


# --------------------------------------------------------------------------------------
# -l with a target session (0.41+: adds a tab; not emulated)
# --------------------------------------------------------------------------------------


def layout_adds_tab(ctx: Ctx) -> bool:
    """0.41+: ``-l``/``--layout-string`` with a known target session means "add a tab"."""
    if not ctx.ver.ge("0.41.0") or ctx.g.get("new_layout"):
        return False
    if ctx.g.get("layout") is None and ctx.g.get("layout_string") is None:
        return False
    return bool(ctx.g.get("session") or ctx.current is not None)


def layout_new_tab(ctx: Ctx) -> NoReturn:
    """Adding a tab to a running session is not emulated: fail loudly, so that a caller that
    meant to create a session with ``-l`` (clauderon uses ``-n`` from 0.41 and never passes
    ``ZELLIJ_SESSION_NAME`` on) is caught rather than served a new session."""
    finish(70, stderr="fake zellij: -l/--layout-string with a target session adds a tab to it "
                      "(0.41+); the fake does not emulate that\n")


# --------------------------------------------------------------------------------------
# setup (section 4)
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Top level
# --------------------------------------------------------------------------------------

GLOBAL_ARGS = [
    Arg("max_panes", None, "--max-panes", "MAX_PANES"),
    Arg("data_dir", None, "--data-dir", "DATA_DIR"),
    Arg("server", None, "--server", "SERVER"),
    Arg("session", "-s", "--session", "SESSION"),
    Arg("layout", "-l", "--layout", "LAYOUT"),
    Arg("new_layout", "-n", "--new-session-with-layout", "NEW_SESSION_WITH_LAYOUT", since="0.41.0"),
    Arg("layout_string", None, "--layout-string", "LAYOUT_STRING", since="0.44.1"),
    Arg("config", "-c", "--config", "CONFIG"),
    Arg("config_dir", None, "--config-dir", "CONFIG_DIR"),
    Arg("debug", "-d", "--debug"),
]

ALIASES = {
    "ls": "list-sessions",
    "a": "attach",
    "k": "kill-session",
    "d": "delete-session",
}

# Zellij's other subcommands (and their aliases): clauderon uses none of them, so the fake
# does not emulate them. Calling one is a test bug: exit 70 with a message saying so.
NOT_EMULATED = frozenset({
    "kill-all-sessions", "ka", "delete-all-sessions", "da", "action", "ac", "run", "r",
    "edit", "e", "setup", "options", "plugin", "p", "pipe", "list-aliases", "la",
    "convert-config", "convert-layout", "convert-theme", "web",
})


def subcommand_table(ver: Version) -> dict[str, Callable[[Ctx, list[str]], NoReturn]]:
    return {
        "list-sessions": cmd_list_sessions,
        "attach": cmd_attach,
        "kill-session": cmd_kill_session,
        "delete-session": cmd_delete_session,
    }


def invocation_key(argv: list[str]) -> tuple[str, str | None]:
    """(subcommand key, action name) used by FAKE_ZELLIJ_HANG / FAKE_ZELLIJ_GARBAGE."""
    i = 0
    valued = {
        "-s",
        "--session",
        "-l",
        "--layout",
        "-n",
        "--new-session-with-layout",
        "--layout-string",
        "-c",
        "--config",
        "--config-dir",
        "--max-panes",
        "--data-dir",
        "--server",
    }
    while i < len(argv):
        a = argv[i]
        if a in ("-V", "--version"):
            return "--version", None
        if a in valued:
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        key = ALIASES.get(a, a)
        action = None
        if key == "action":
            rest = [x for x in argv[i + 1 :] if not x.startswith("-")]
            action = rest[0] if rest else None
        return key, action
    return "session", None


def knob_matches(knob: str, key: str, action: str | None) -> bool:
    values = {v.strip() for v in ENV.get(knob, "").split(",") if v.strip()}
    if not values:
        return False
    names = {key} | {alias for alias, full in ALIASES.items() if full == key}
    if key == "--version":
        names |= {"-V", "version"}
    if action:
        names |= {f"action:{action}"}
    return bool(values & names)


def log_invocation(ctx_argv: list[str], ver_text: str) -> None:
    path = ENV.get("FAKE_ZELLIJ_LOG")
    if not path:
        return
    import json

    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None
    entry = {
        "argv": ctx_argv,
        "cwd": cwd,
        "pid": os.getpid(),
        "time": time.time(),
        "version": ver_text,
        "env": {k: ENV.get(k) for k in ("ZELLIJ", "ZELLIJ_SESSION_NAME", "ZELLIJ_PANE_ID")},
        "ZELLIJ_SOCKET_DIR": ENV.get("ZELLIJ_SOCKET_DIR"),
    }
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8", "surrogateescape"))
    finally:
        os.close(fd)


def prepare_cache(ctx: Ctx) -> None:
    """Every invocation creates the cache and session_info dirs; 0.45 prunes empty folders."""
    try:
        os.makedirs(ctx.paths.session_info, exist_ok=True)
    except OSError:
        return
    if ctx.ver.ge("0.45.0"):
        try:
            with os.scandir(ctx.paths.session_info) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        try:
                            os.rmdir(entry.path)
                        except OSError:
                            pass
        except OSError:
            pass


GARBAGE = (
    "\x1b[?1049h\x1b[H\ufffd\ufffd zellij: <<garbage>> ]] [[ \x00 Created? ago? ::: %%%\n"
    "\x1b[?1049l"
)


def run(argv: list[str]) -> int:
    try:
        ver = Version(ENV.get("FAKE_ZELLIJ_VERSION") or "0.43.1")
    except ValueError:
        err(
            "fake zellij: FAKE_ZELLIJ_VERSION must look like X.Y.Z, got "
            f"{ENV.get('FAKE_ZELLIJ_VERSION')!r}\n"
        )
        return 64
    log_invocation(argv, ver.text)
    ctx = Ctx(ver, argv)
    try:
        for a in argv:
            try:
                a.encode("utf-8")
            except UnicodeEncodeError:
                ctx.clap.fail(
                    "error: Invalid UTF-8 was detected in one or more arguments\n\n"
                    + ctx.clap._usage("zellij [OPTIONS] [SUBCOMMAND]")
                    + ctx.clap._tail()
                )
        prepare_cache(ctx)
        key, action = invocation_key(argv)
        if knob_matches("FAKE_ZELLIJ_HANG", key, action):
            hang_forever()
        if knob_matches("FAKE_ZELLIJ_GARBAGE", key, action):
            finish(0, stdout=GARBAGE)
        if key in NOT_EMULATED:
            finish(70, stderr=f"fake zellij: `zellij {key}` is not emulated (clauderon does not "
                              "use it; see tests/fakes/README.md)\n")
        table = subcommand_table(ver)
        names = set(table) | {a for a, full in ALIASES.items() if full in table}
        p = parse_args(
            ctx,
            argv,
            GLOBAL_ARGS,
            "zellij [OPTIONS] [SUBCOMMAND]",
            subcommands=names,
            top=True,
            help_text=f"zellij {ver.text}\n\nUSAGE:\n    zellij [OPTIONS] [SUBCOMMAND]\n",
        )
        ctx.g = p.opts
        if p.sub is None:
            if layout_adds_tab(ctx):
                layout_new_tab(ctx)
            start_client(ctx, attach=False, name=ctx.g.get("session"))
        handler = table[ALIASES.get(p.sub, p.sub)]
        handler(ctx, p.sub_args)
    except Done as done:
        return done.code
    except BrokenPipeError:
        return 141
    return 0


def main() -> None:
    try:
        sys.stdout.reconfigure(encoding="utf-8", errors="surrogateescape")  # type: ignore[union-attr]
        sys.stderr.reconfigure(encoding="utf-8", errors="surrogateescape")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    code = run(sys.argv[1:])
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = code or 141
    sys.exit(code)


if __name__ == "__main__":
    main()
