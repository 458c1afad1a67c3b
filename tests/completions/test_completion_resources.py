"""clauderon.resources finds the shell hooks and completion scripts both in an installed
package (``clauderon/shell_files``, ``clauderon/completion_files``, from pyproject's package-dir
mapping) and in a source tree or editable install (the repository's ``shell/``,
``completions/``)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from completion_harness import ROOT

from clauderon import resources

SCRIPTS = {"bash": "clauderon.bash", "zsh": "_clauderon", "fish": "clauderon.fish"}
HOOKS = {"bash": "clauderon.bash", "zsh": "clauderon.zsh", "fish": "clauderon.fish"}
PROBE = ("import sys; from clauderon import resources as r; "
         "print(r.completion_file(sys.argv[1])); print(r.hook_file(sys.argv[1]))")


def _source_copy(tmp_path: Path) -> Path:
    """The files a build reads, copied (a build writes egg-info next to them)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("clauderon", "shell", "completions"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    return src


def _probe(pythonpath: Path, shell: str, cwd: Path) -> list[Path]:
    # -S: no site-packages, so neither the editable install's finder nor the working tree.
    out = subprocess.run([sys.executable, "-S", "-c", PROBE, shell], cwd=cwd,
                         env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True)
    return [Path(line) for line in out.stdout.splitlines()]


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_source_tree_finds_the_repository_files(shell: str) -> None:
    assert resources.completion_file(shell).samefile(ROOT / "completions" / SCRIPTS[shell])
    assert resources.hook_file(shell).samefile(ROOT / "shell" / HOOKS[shell])


def test_installed_layout_finds_the_packaged_files(tmp_path: Path) -> None:
    """setuptools' build_py lays the package out exactly as a wheel installs it."""
    src = _source_copy(tmp_path)
    lib = tmp_path / "lib"
    subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q",
                    "build_py", "--build-lib", str(lib)], cwd=src, check=True,
                   capture_output=True)
    for shell in SCRIPTS:
        script, hook = _probe(lib, shell, tmp_path)
        assert script == lib / "clauderon" / "completion_files" / SCRIPTS[shell]
        assert hook == lib / "clauderon" / "shell_files" / HOOKS[shell]
        assert script.read_bytes() == (ROOT / "completions" / SCRIPTS[shell]).read_bytes()


def test_source_tree_without_the_mapped_dirs_falls_back_to_top_level(tmp_path: Path) -> None:
    src = _source_copy(tmp_path)
    assert not (src / "clauderon" / "completion_files").exists()
    script, hook = _probe(src, "zsh", tmp_path)
    assert script == src / "completions" / "_clauderon"
    assert hook == src / "shell" / "clauderon.zsh"


def test_a_missing_file_is_a_clauderon_error(tmp_path: Path) -> None:
    src = _source_copy(tmp_path)
    (src / "completions" / "clauderon.fish").unlink()
    result = subprocess.run([sys.executable, "-S", "-c", PROBE, "fish"], cwd=tmp_path,
                            env={"PYTHONPATH": str(src)}, capture_output=True, text=True)
    assert result.returncode != 0 and "ClauderonError" in result.stderr
    assert "clauderon.fish is missing" in result.stderr


def test_unknown_shell_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="tcsh"):
        resources.completion_file("tcsh")
    with pytest.raises(ValueError, match="tcsh"):
        resources.hook_file("tcsh")


def test_wheel_contains_the_scripts(tmp_path: Path) -> None:
    """A real wheel, when the `wheel` package is there to build one offline."""
    if importlib.util.find_spec("wheel") is None:
        pytest.skip("the `wheel` package is not installed (build_py test above covers layout)")
    src = _source_copy(tmp_path)
    subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(tmp_path / "dist")], cwd=src,
                   check=True, capture_output=True, timeout=120)
    (wheel,) = (tmp_path / "dist").glob("clauderon-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shell in SCRIPTS:
        assert f"clauderon/completion_files/{SCRIPTS[shell]}" in names
        assert f"clauderon/shell_files/{HOOKS[shell]}" in names
