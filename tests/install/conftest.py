"""clauderon installed from a built wheel, the ways users install it: ``pipx install`` and
``pip install --user`` (issue 14, item 10).

The wheel is built once per session (``pip wheel --no-deps`` from a copy of the source tree,
so the checkout gets no ``build/``); each install goes into a sandbox HOME of its own, with
``PIPX_HOME``/``PIPX_BIN_DIR`` or ``PYTHONUSERBASE`` inside it, so nothing lands on the
machine. The dependencies (typer, rich, ...) come from the package index pip is configured
with; one pip cache is shared by the installs of a session. Nothing here imports the
checkout's ``clauderon``: every command is the installed console script, with no PYTHONPATH.

pipx, tmux and the shells missing skip the tests with the reason; under
``CLAUDERON_REQUIRE_REAL=1`` (CI) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from installing import INSTALL_TIMEOUT, PROXIES, REPO, Installed, ok, run, sandbox_env
from realtools import require


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "install: installs a built wheel with pipx and pip --user into a sandbox "
        "HOME (the dependencies come from the package index)")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """clauderon's wheel, built from a copy of this checkout."""
    source = tmp_path_factory.mktemp("source") / "clauderon"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"))
    out = tmp_path_factory.mktemp("wheel")
    ok([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
       {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_USER")},
       timeout=INSTALL_TIMEOUT)
    (built,) = out.glob("clauderon-*.whl")
    return built


@pytest.fixture(scope="session")
def pip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pip-cache")


def _user_python() -> str:
    """The interpreter ``pip install --user`` installs for: this one, or, inside a
    virtualenv (which has no user site), the one it was made from (this pip runs for it:
    ``pip --python``, so it needs no pip of its own)."""
    if sys.prefix == sys.base_prefix:
        return sys.executable
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    found = shutil.which(version, path=str(Path(sys.base_prefix) / "bin"))
    if found is None:
        pytest.fail(f"no {version} in {sys.base_prefix}/bin for pip install --user")
    return found


@pytest.fixture(scope="module", params=["pipx", "pip --user"])
def installed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              wheel: Path, pip_cache: Path) -> Iterator[Installed]:
    """clauderon installed from the wheel, with pipx or with pip --user, in a new sandbox."""
    how: str = request.param
    home = tmp_path_factory.mktemp("home-" + how.replace(" ", "").replace("-", ""))
    for sub in (".config/clauderon", ".local/share", ".local/state", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    tmux_tmpdir = Path(tempfile.mkdtemp(prefix="cri-"))  # short: a socket path is < 108 bytes
    env = sandbox_env(home, tmux_tmpdir)
    # The installers may need the machine's proxy to reach the index; the sessions do not.
    installing = {**env, **{k: v for k, v in os.environ.items() if k in PROXIES},
                  "PIP_CACHE_DIR": str(pip_cache)}
    if how == "pipx":
        pipx = require("pipx", "clauderon's README installs it with pipx (apt-get install pipx)")
        bin_dir = home / ".local" / "bin"
        pipx_env = {"PIPX_HOME": str(home / ".local" / "pipx"), "PIPX_BIN_DIR": str(bin_dir),
                    "PIPX_MAN_DIR": str(home / ".local" / "share" / "man")}
        ok([pipx, "install", str(wheel)], {**installing, **pipx_env}, timeout=INSTALL_TIMEOUT)
        env.update(pipx_env)
        python = str(home / ".local" / "pipx" / "venvs" / "clauderon" / "bin" / "python")
    else:
        python = _user_python()
        user_base = home / ".local"
        env["PYTHONUSERBASE"] = str(user_base)
        # A Debian/Ubuntu Python refuses pip outside a venv (PEP 668) unless told: the
        # sandbox's user site is ours to break.
        ok([sys.executable, "-m", "pip", "--python", python, "install", "--user",
            "--no-warn-script-location", str(wheel)],
           {**installing, "PYTHONUSERBASE": str(user_base), "PIP_BREAK_SYSTEM_PACKAGES": "1"},
           timeout=INSTALL_TIMEOUT)
        bin_dir = user_base / "bin"
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    clauderon = bin_dir / "clauderon"
    assert clauderon.is_file(), f"{how} put no clauderon in {bin_dir}"
    try:
        yield Installed(how, home, env, clauderon, python)
    finally:
        run(["tmux", "kill-server"], env)
        shutil.rmtree(tmux_tmpdir, ignore_errors=True)
