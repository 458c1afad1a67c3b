"""Where the packaged data files are: the shell hooks and the completion scripts.

The repository keeps them at its top level (``shell/``, ``completions/``); pyproject's
package-dir mapping installs them inside the package as ``clauderon/shell_files`` and
``clauderon/completion_files``. An installed clauderon (wheel, ``pip install .``) finds them
there; a source checkout or an editable install, where those directories do not exist inside
``clauderon/``, finds them at the top of the repository.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from clauderon.errors import ClauderonError

SHELLS = ("bash", "zsh", "fish")

_HOOKS = {"bash": "clauderon.bash", "zsh": "clauderon.zsh", "fish": "clauderon.fish"}
_COMPLETIONS = {"bash": "clauderon.bash", "zsh": "_clauderon", "fish": "clauderon.fish"}

_PACKAGE_DIR = Path(__file__).resolve().parent


def hook_file(shell: str) -> Path:
    """The shell hook for ``shell`` (``shell/clauderon.{bash,zsh,fish}``)."""
    return _find("clauderon.shell_files", "shell", _file_name(_HOOKS, shell, "shell hook"))


def completion_file(shell: str) -> Path:
    """The completion script for ``shell`` (``completions/{clauderon.bash,_clauderon,...}``)."""
    return _find("clauderon.completion_files", "completions",
                 _file_name(_COMPLETIONS, shell, "completion script"))


def _file_name(table: dict[str, str], shell: str, what: str) -> str:
    try:
        return table[shell]
    except KeyError:
        raise ValueError(f"no {what} for shell {shell!r}; shells: {', '.join(SHELLS)}") from None


def candidates(package: str, source_dir: str, name: str) -> list[Path]:
    """Where ``name`` may be, in the order :func:`_find` tries them."""
    found = [_PACKAGE_DIR / package.rpartition(".")[2] / name]
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        found.extend(Path(p) / name for p in spec.submodule_search_locations)
    found.append(_PACKAGE_DIR.parent / source_dir / name)
    return found


def _find(package: str, source_dir: str, name: str) -> Path:
    tried = candidates(package, source_dir, name)
    for path in tried:
        if path.is_file():
            return path
    raise ClauderonError(f"{name} is missing from this clauderon installation (looked in "
                         f"{', '.join(str(p.parent) for p in tried)}); reinstall clauderon")
