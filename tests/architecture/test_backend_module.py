"""Adding a backend is one module in clauderon/backends/: a throwaway backend dropped into a
copy of the package is picked up by new/list/attach/kill, config validation, config show,
config init and doctor, with no other file changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.architecture.importgraph import PACKAGE

MEMO = '''"""A throwaway backend: each session is a file in $MEMO_DIR."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clauderon.backends.base import AttachCommand, BackendInfo, SessionSpec, Setting, State


class MemoBackend:
    name = "memo"
    label = "Memo"
    create_refuses_existing = False

    def __init__(self, config: Any, env: Mapping[str, str]) -> None:
        self.config = config
        self.dir = Path(env["MEMO_DIR"])

    def check_name(self, name: str) -> None:
        pass

    def prepare(self, spec: SessionSpec) -> SessionSpec:
        return spec

    def create(self, spec: SessionSpec) -> None:
        self.dir.mkdir(exist_ok=True)
        colour = self.config.value("memo.colour")
        (self.dir / spec.name).write_text(f"{spec.workdir} {colour} {spec.shell}\\n")

    def states(self) -> dict[str, State]:
        if not self.dir.exists():
            return {}
        return {p.name: State.RUNNING for p in self.dir.iterdir()}

    def attach(self, record: Any, caller_env: dict[str, str]) -> AttachCommand:
        return AttachCommand(["cat", str(self.dir / record.name)], dict(caller_env))

    def kill(self, name: str, record: Any = None) -> None:
        (self.dir / name).unlink(missing_ok=True)

    def version(self) -> str:
        return "1.0"

    def remove_hint(self, name: str) -> str:
        return f"rm {self.dir / name}"

    def seen_elsewhere(self, name: str) -> str | None:
        return None

    def restart_exited(self, record: Any) -> str | None:
        return None


INFO = BackendInfo(
    name="memo",
    label="Memo",
    program="cat",
    factory=MemoBackend,
    settings=(
        Setting("colour", str, "blue", "the colour of every memo", choices=("blue", "red")),
        Setting("shell", str, None, "the shell", default_doc="$SHELL"),
        Setting("env", list, [], "extra variables"),
    ),
    install={"*": "install coreutils"},
    list_command="ls $MEMO_DIR",
)


def doctor_checks() -> list[Any]:
    from clauderon.doctor.model import Check, ok

    return [Check("memo.health", "Memo", "the memo backend answers",
                  lambda ctx: ok("memos are fine"))]
'''


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pkg")
    shutil.copytree(PACKAGE, root / "clauderon",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "clauderon" / "backends" / "memo.py").write_text(MEMO)
    return root


class Cli:
    def __init__(self, package: Path, home: Path) -> None:
        self.home = home
        self.env = {
            "PATH": os.environ["PATH"], "HOME": str(home), "SHELL": "/bin/sh",
            "PYTHONPATH": str(package), "MEMO_DIR": str(home / "memos"),
            "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".data"),
            "XDG_STATE_HOME": str(home / ".state"), "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(home / ".run"), "TERM": "xterm-256color",
        }

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "clauderon", *args], cwd=self.home,
                              env=self.env, capture_output=True, text=True, timeout=60)

    def config(self, text: str) -> None:
        path = self.home / ".config" / "clauderon" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def cli(package: Path, tmp_path: Path) -> Cli:
    return Cli(package, tmp_path)


def test_the_copy_runs_the_copy(cli: Cli, package: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import clauderon; print(clauderon.__file__)"],
                          cwd=cli.home, env=cli.env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == str(package / "clauderon" / "__init__.py")


def test_new_list_attach_kill(cli: Cli) -> None:
    work = cli.home / "work"
    work.mkdir()
    made = cli("new", "s1", "--backend", "memo", "--workdir", str(work))
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == ['Created Memo session "s1" in ~/work',
                                        "Attach with: clauderon attach s1"]

    listed = cli("list", "--json")
    assert [(s["name"], s["backend"], s["status"]) for s in json.loads(listed.stdout)] == [
        ("s1", "memo", "running")]

    attached = cli("attach", "s1")
    assert attached.stdout == f"{work} blue /bin/sh\n"

    killed = cli("kill", "s1")
    assert killed.returncode == 0, killed.stderr
    assert not (cli.home / "memos" / "s1").exists()
    assert json.loads(cli("list", "--json").stdout) == []


def test_config_validation_show_and_init(cli: Cli) -> None:
    cli.config('[memo]\ncolour = "green"\n')
    bad = cli("new", "s2", "--backend", "memo")
    assert bad.returncode == 2
    assert bad.stderr.endswith("memo.colour = 'green' is not supported; use one of: blue, "
                               "red\n")

    cli.config('default_backend = "memo"\n[memo]\ncolour = "red"\n')
    assert cli("new", "s2").returncode == 0
    assert cli("attach", "s2").stdout.split()[1] == "red"

    shown = json.loads(cli("config", "show", "--json").stdout)["settings"]
    assert {"key": "memo.colour", "value": "red", "source": "file"} in shown
    assert {"key": "default_backend", "value": "memo", "source": "file"} in shown

    (cli.home / ".config" / "clauderon" / "config.toml").unlink()
    assert cli("config", "init").returncode == 0
    starter = (cli.home / ".config" / "clauderon" / "config.toml").read_text()
    assert "[memo]" in starter and "# colour = \"blue\"" in starter
    assert "docker | memo | tmux | zellij" in starter


def test_an_unknown_backend_names_the_new_one(cli: Cli) -> None:
    done = cli("new", "x", "--backend", "nope")
    assert done.returncode == 2
    assert "use one of: docker, memo, tmux, zellij" in done.stderr


def test_doctor_runs_its_checks_and_scans_its_sessions(cli: Cli) -> None:
    cli.config('default_backend = "memo"\n')
    assert cli("new", "s3").returncode == 0
    report = json.loads(cli("doctor", "--json").stdout)
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["memo.health"]["status"] == "ok"
    assert checks["memo.health"]["group"] == "Memo"
    assert "memo (1 session)" in checks["sessions.orphans"]["summary"]
    (cli.home / "memos" / "s3").unlink()  # gone behind clauderon's back
    report = json.loads(cli("doctor", "--json", "--check", "sessions.orphans").stdout)
    assert report["checks"][0]["summary"] == "1 session problem: 1 missing"
