"""How to install a backend's program on this machine, as a command to paste.

A backend declares ``install``: OS family -> command (``{sudo}`` is filled in with ``sudo ``
unless running as root). Families: ``macos``, ``debian`` (Debian, Ubuntu, Mint, ...),
``fedora`` (Fedora, RHEL, CentOS, Rocky, Alma), ``arch``, ``alpine``, ``suse``, ``gentoo``,
``nixos``; ``*`` is for every other system, and for a family the backend does not name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

FAMILIES: dict[str, tuple[str, ...]] = {
    "debian": ("debian", "ubuntu", "linuxmint", "pop", "raspbian"),
    "fedora": ("fedora", "rhel", "centos", "rocky", "almalinux"),
    "arch": ("arch", "manjaro", "endeavouros", "artix"),
    "alpine": ("alpine",),
    "suse": ("opensuse", "opensuse-tumbleweed", "suse", "opensuse-leap"),
    "gentoo": ("gentoo",),
    "nixos": ("nixos",),
}


def detected_os() -> tuple[str, list[str]]:
    """(sys.platform, [distro id, ids it is like...]); distro is imported only here."""
    if sys.platform == "darwin":
        return "darwin", []
    try:
        import distro
    except ImportError:  # pragma: no cover - distro is a dependency
        return sys.platform, []
    return sys.platform, [distro.id(), *distro.like().split()]


def family(platform: str, ids: Sequence[str]) -> str | None:
    if platform == "darwin":
        return "macos"
    for os_id in ids:
        for name, members in FAMILIES.items():
            if os_id in members:
                return name
    return None


def hint(install: Mapping[str, str], platform: str, ids: Sequence[str], *, root: bool,
         machine: str = "x86_64") -> str:
    """The command for this OS (``{sudo}`` and ``{arch}`` filled in)."""
    found = family(platform, ids)
    command = install.get(found or "*") or install.get("*", "")
    arch = "aarch64" if machine in ("aarch64", "arm64") else "x86_64"
    return command.format(sudo="" if root else "sudo ", arch=arch)


def for_this_machine(install: Mapping[str, str]) -> str:
    import platform as _platform

    plat, ids = detected_os()
    return hint(install, plat, ids, root=os.geteuid() == 0, machine=_platform.machine())
