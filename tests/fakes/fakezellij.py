"""Python helpers for tests that drive the fake ``zellij`` executable in this directory.

Typical use in an integration test::

    from tests.fakes.fakezellij import fake_env, read_session, run_zellij, session_names

    def test_create(tmp_path):
        env = fake_env(tmp_path, version="0.44.0")
        # ... run the product with env=env (it finds the fake first on PATH) ...
        run_zellij(env, "attach", "-b", "demo")
        assert session_names(env) == ["demo"]
        rec = read_session(env, "demo")
        assert rec["state"] == "running" and rec["cwd"] == str(tmp_path / "work")

State layout (the same paths the real Zellij computes; see README.md):

* running session  -> ``<socket dir>/<name>``: a JSON file (the fake's "socket").
* exited session   -> ``<cache>/session_info/<name>/session-layout.kdl`` (+ ``fake-session.json``).

The helpers reuse the fake's own path logic (it is loaded as a module, never executed), so
they always agree with what the executable does for the same environment.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path
from types import ModuleType
from typing import Any

#: Directory holding the fake ``zellij`` executable. Prepend it to ``PATH``.
FAKE_ZELLIJ_DIR: Path = Path(__file__).resolve().parent
#: The fake executable itself (a small launcher).
FAKE_ZELLIJ: Path = FAKE_ZELLIJ_DIR / "zellij"
#: Its implementation module (imported by the launcher so that its bytecode is cached).
FAKE_ZELLIJ_IMPL: Path = FAKE_ZELLIJ_DIR / "_zellij_impl.py"
#: The release emulated when ``FAKE_ZELLIJ_VERSION`` is not set.
DEFAULT_VERSION = "0.43.1"
#: Releases whose contract differences the fake emulates (docs/zellij.md, "What clauderon
#: relies on in Zellij's CLI").
VERSIONS = ("0.39.0", "0.40.0", "0.41.0", "0.43.1", "0.44.0", "0.44.1", "0.45.0")

_module: ModuleType | None = None


def _fake() -> ModuleType:
    """The fake's implementation loaded as a module (its ``main()`` is not run)."""
    global _module
    if _module is None:
        loader = SourceFileLoader("_fake_zellij_impl", str(FAKE_ZELLIJ_IMPL))
        spec = spec_from_loader(loader.name, loader)
        assert spec is not None
        module = module_from_spec(spec)
        loader.exec_module(module)
        _module = module
    return _module


def fake_env(
    tmp_path: Path | str,
    version: str = DEFAULT_VERSION,
    *,
    socket_dir: Path | str | None = None,
    extra: Mapping[str, str] | None = None,
    path: str = "/usr/local/bin:/usr/bin:/bin",
) -> dict[str, str]:
    """An isolated environment, built from scratch, in which ``zellij`` is the fake.

    Creates and sets under ``tmp_path``: ``HOME`` (``home/``), ``XDG_CACHE_HOME`` (``cache/``),
    ``XDG_CONFIG_HOME`` (``config/``), ``XDG_DATA_HOME`` (``data/``), ``TMPDIR`` (``tmp/``),
    ``ZELLIJ_SOCKET_DIR`` (``zj/`` unless ``socket_dir`` is given) and a ``work/`` directory
    (a convenient cwd; not set in the env). ``PATH`` is the fake's directory followed by
    ``path`` (keep slow interpreter shims such as pyenv's off it: the fake runs on
    ``python3`` from ``PATH``). Also sets ``FAKE_ZELLIJ_VERSION``, ``SHELL=/bin/sh`` and
    ``LANG=C.UTF-8``. No ``ZELLIJ*`` session variables and no ``TERM`` are set. ``extra``
    entries are added last and win.

    Mind the socket path budget (< 108 bytes for ``<socket dir>/<subdir>/<name>``); see
    :func:`name_budget`, or pass a short ``socket_dir``.
    """
    base = Path(tmp_path)
    dirs = {name: base / name for name in ("home", "cache", "config", "data", "tmp", "work")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    sock = Path(socket_dir) if socket_dir is not None else base / "zj"
    env = {
        "HOME": str(dirs["home"]),
        "XDG_CACHE_HOME": str(dirs["cache"]),
        "XDG_CONFIG_HOME": str(dirs["config"]),
        "XDG_DATA_HOME": str(dirs["data"]),
        "TMPDIR": str(dirs["tmp"]),
        "ZELLIJ_SOCKET_DIR": str(sock),
        "PATH": f"{FAKE_ZELLIJ_DIR}{os.pathsep}{path}",
        "FAKE_ZELLIJ_VERSION": version,
        "SHELL": "/bin/sh",
        "LANG": "C.UTF-8",
    }
    if extra:
        env.update(extra)
    return env


def run_zellij(
    env: Mapping[str, str],
    *args: str,
    cwd: Path | str | None = None,
    timeout: float = 20,
    text: bool = True,
    input: str | bytes | None = None,
) -> subprocess.CompletedProcess[Any]:
    """Run the fake directly (not through PATH) with exactly ``env``; never raises on exit codes.

    ``cwd`` defaults to ``<tmp_path>/work`` when ``env`` came from :func:`fake_env`.
    ``text=False`` gives the exact stdout/stderr bytes.
    """
    if cwd is None:
        home = Path(env.get("HOME", "/"))
        cwd = home.parent / "work" if (home.parent / "work").is_dir() else None
    return subprocess.run(
        [str(FAKE_ZELLIJ), *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=text,
        timeout=timeout,
        input=input,
        check=False,
    )


def _paths(env: Mapping[str, str]) -> Any:
    fake = _fake()
    return fake.Paths(env, fake.Version(env.get("FAKE_ZELLIJ_VERSION") or DEFAULT_VERSION))


def socket_dir(env: Mapping[str, str]) -> Path:
    """``<socket base>/<version or contract_version_1>`` for this environment."""
    return Path(_paths(env).sock_dir)


def cache_dir(env: Mapping[str, str]) -> Path:
    """``<cache>/zellij/<version or contract_version_1>`` for this environment."""
    return Path(_paths(env).cache_dir)


def session_info_dir(env: Mapping[str, str]) -> Path:
    """``<cache dir>/session_info`` (where EXITED sessions live)."""
    return Path(_paths(env).session_info)


def name_budget(env: Mapping[str, str]) -> int:
    """The longest session name (in UTF-8 bytes) whose socket path stays under the limit."""
    paths = _paths(env)
    return int(paths.sock_max) - 1 - len(os.fsencode(os.path.join(paths.sock_dir, "")))


def running_sessions(env: Mapping[str, str]) -> list[str]:
    """Names of running sessions, sorted."""
    return sorted(name for name, _ in _fake().list_running(_paths(env)))


def exited_sessions(env: Mapping[str, str]) -> list[str]:
    """Names with a ``session-layout.kdl`` in session_info (EXITED unless also running), sorted."""
    info = session_info_dir(env)
    if not info.is_dir():
        return []
    return sorted(p.name for p in info.iterdir() if (p / "session-layout.kdl").exists())


def session_names(env: Mapping[str, str]) -> list[str]:
    """Every session ``zellij ls`` would know about (running or exited), sorted, no duplicates."""
    return sorted(set(running_sessions(env)) | set(exited_sessions(env)))


def session_state(env: Mapping[str, str], name: str) -> str | None:
    """``"running"``, ``"exited"`` or ``None`` (unknown)."""
    if name in running_sessions(env):
        return "running"
    if name in exited_sessions(env):
        return "exited"
    return None


def read_session(env: Mapping[str, str], name: str) -> dict[str, Any]:
    """The fake's record of a session. Raises ``KeyError`` if it neither runs nor exited.

    Keys (running and exited alike): ``name``, ``state`` (``running``/``exited``), ``created``
    (epoch float), ``created_by`` (``attach -b``, ``attach -c``, ``attach``, ``new``), ``argv``
    of the creating call, ``env`` (full environment of the process that created or last
    resurrected the session: what every pane inherits, before Zellij adds ``ZELLIJ=0``,
    ``ZELLIJ_SESSION_NAME``, ``ZELLIJ_PANE_ID``), ``cwd`` (its cwd), ``shell``, ``layout``
    (the ``-l``/``-n`` value as given, or None), ``layout_resolved`` (``kind``: builtin,
    file, url, string or resurrection; ``name``; ``path``), ``layout_text``, ``options``
    (``attach … options …`` flags that were honoured), ``tabs``, ``panes`` (``id``, ``tab``,
    ``name``, ``command``, ``args``, ``cwd``, ``edit``, ``floating``, ``start_suspended``,
    ``close_on_exit``), ``plugins``, ``focused_pane``, ``clients``, ``attaches`` (one entry
    per interactive attach), ``events``, ``resurrections``, ``serialization``.
    Exited records also have ``killed`` and ``layout_file``. A session-layout.kdl planted by
    a test without a JSON beside it gives a minimal record with ``foreign: True``.
    """
    fake = _fake()
    paths = _paths(env)
    rec = fake.read_running(paths, name)
    if rec is None:
        rec = fake.read_exited(paths, name)
    if rec is None:
        raise KeyError(name)
    return dict(rec)


def set_created(env: Mapping[str, str], name: str, epoch: float) -> None:
    """Back-date (or forward-date) a session: changes what ``ls`` shows as its age.

    The fake takes a running session's age from its socket file mtime and an exited one's
    from ``session-layout.kdl``, as Zellij does; this keeps the JSON ``created`` in step.
    """
    paths = _paths(env)
    sock = Path(paths.sock(name))
    layout = Path(paths.layout_file(name))
    targets = [p for p in (sock, layout) if p.exists()]
    if not targets:
        raise KeyError(name)
    for json_path in (sock, layout.parent / "fake-session.json"):
        if json_path.exists():
            try:
                data = json.loads(json_path.read_text(encoding="utf-8"))
            except ValueError:
                continue
            data["created"] = float(epoch)
            json_path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    for p in targets:
        os.utime(p, (epoch, epoch))


def add_exited_session(
    env: Mapping[str, str],
    name: str,
    layout_text: str | None = None,
    *,
    created: float | None = None,
    with_record: bool = False,
) -> Path:
    """Plant an EXITED session (a ``session-layout.kdl``), as a serialized, killed one leaves.

    ``layout_text`` defaults to a one-pane layout. ``with_record=True`` also writes a minimal
    ``fake-session.json``. Returns the session folder.
    """
    folder = session_info_dir(env) / name
    folder.mkdir(parents=True, exist_ok=True)
    layout = folder / "session-layout.kdl"
    layout.write_text(layout_text or 'layout {\n    tab name="Tab #1" {\n        pane\n    }\n}\n')
    if with_record:
        (folder / "fake-session.json").write_text(
            json.dumps({"name": name, "created": created or layout.stat().st_mtime, "env": {}})
        )
    if created is not None:
        os.utime(layout, (created, created))
    return folder


def read_log(path: Path | str) -> list[dict[str, Any]]:
    """Entries written by ``FAKE_ZELLIJ_LOG=<path>``: one dict per invocation.

    Each has ``argv`` (list, without the program name), ``cwd``, ``pid``, ``time``,
    ``version``, ``ZELLIJ_SOCKET_DIR`` and ``env`` = {``ZELLIJ``, ``ZELLIJ_SESSION_NAME``,
    ``ZELLIJ_PANE_ID``} of the caller (None when unset).
    """
    p = Path(path)
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line]
