"""sessions.space: the disks under the registry and the env files have room left.

``clauderon new`` writes a registry row and two env files; on a full disk (or one out of
inodes) it fails, and SQLite's own message for that is often only "disk I/O error". This
check asks ``statvfs`` about the file system of each directory (the nearest existing
ancestor when the directory is not made yet), once per file system.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, shq, warning

MIB = 1024 * 1024
ERROR_BYTES = 1 * MIB      # below this, the next `clauderon new` may well fail
WARNING_BYTES = 16 * MIB
ERROR_INODES = 64          # every session takes two env files (and their temporary files)
WARNING_INODES = 512


@dataclass(frozen=True)
class Space:
    dirs: tuple[tuple[str, Path], ...]  # (role, directory) sharing one file system
    probed: Path                         # the directory statvfs was asked about
    free: int                            # bytes available (as `df` says)
    total: int
    inodes: int | None                   # free inodes (None: the file system has no limit)
    read_only: bool


def size(count: int) -> str:
    """``0 bytes``, ``212 KiB``, ``3.2 MiB``, ``80 GiB``."""
    if count < 1024:
        return f"{count} bytes"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def directories(ctx: Context) -> list[tuple[str, Path]]:
    from clauderon import paths

    return [("registry", paths.data_dir(ctx.env)),
            ("env files", paths.session_env_dir(ctx.env))]


def measure(ctx: Context) -> tuple[list[Space], list[str]]:
    """The file systems under clauderon's directories, and the ones statvfs could not ask."""
    by_device: dict[int, list[tuple[str, Path]]] = {}
    probed: dict[int, Path] = {}
    failed: list[str] = []
    stats: dict[int, os.statvfs_result] = {}
    for role, directory in directories(ctx):
        where = _existing(directory)
        try:
            device = where.stat().st_dev
            if device not in stats:
                stats[device] = os.statvfs(where)
                probed[device] = where
        except OSError as exc:
            failed.append(f"{ctx.tidy(str(directory))} ({role}): {exc.strerror or exc}")
            continue
        by_device.setdefault(device, []).append((role, directory))
    spaces = []
    for device, dirs in by_device.items():
        st = stats[device]
        # What `df` shows as available (root may dip into a reserve beyond that).
        inodes = st.f_favail if st.f_files else None
        spaces.append(Space(tuple(dirs), probed[device], st.f_bavail * st.f_frsize,
                            st.f_blocks * st.f_frsize, inodes,
                            bool(st.f_flag & os.ST_RDONLY)))
    return spaces, failed


def _named(ctx: Context, space: Space) -> str:
    return " and ".join(f"{ctx.tidy(str(d))} ({role})" for role, d in space.dirs)


def run_space(ctx: Context) -> Result:
    spaces, failed = measure(ctx)
    errors: list[str] = []
    warnings: list[str] = []
    fine: list[str] = []
    remedies: list[str] = []
    for space in spaces:
        named = _named(ctx, space)
        shown = shq(space.probed, ctx.env)
        free = f"{size(space.free)} free of {size(space.total)}"
        inodes = "" if space.inodes is None else f", {space.inodes} inodes free"
        if space.read_only:
            errors.append(f"{named} is on a read-only file system")
            remedies.append(f"findmnt -T {shown}   # remount it read-write")
        elif space.free < ERROR_BYTES:
            errors.append(f"the disk under {named} is full: {free}")
            remedies.append(f"df -h {shown}   # free some space there")
        elif space.inodes is not None and space.inodes < ERROR_INODES:
            errors.append(f"the disk under {named} is out of inodes: {space.inodes} free")
            remedies.append(f"df -i {shown}   # delete some files there")
        elif space.free < WARNING_BYTES:
            warnings.append(f"the disk under {named} is nearly full: {free}")
            remedies.append(f"df -h {shown}   # free some space there")
        elif space.inodes is not None and space.inodes < WARNING_INODES:
            warnings.append(f"the disk under {named} is nearly out of inodes: "
                            f"{space.inodes} free")
            remedies.append(f"df -i {shown}   # delete some files there")
        else:
            fine.append(f"{named}: {free}{inodes}")
    details = [*fine, *(f"cannot ask about {line}" for line in failed)]
    remedy = "; ".join(dict.fromkeys(remedies)) or None
    if errors:
        return error("; ".join(errors) + ": `clauderon new` and `kill` will fail",
                     details=[*warnings, *details], remedy=remedy)
    if warnings:
        return warning("; ".join(warnings), details=details, remedy=remedy)
    if failed:
        return warning(f"cannot ask about the disk under {failed[0]}", details=details,
                       remedy=f"ls -ld {shq(directories(ctx)[0][1], ctx.env)}")
    return ok(", ".join(fine))


CHECKS = [
    Check("sessions.space", "Sessions",
          "the disks under the registry and the env files have free space and inodes, and "
          "are writable", run_space),
]
