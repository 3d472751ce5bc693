"""Reading files we do not trust: regular files only, bounded sizes, paths kept in their folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import CorruptArtifactError

__all__ = ["MAX_TABLE_BYTES", "check_regular", "contained", "read_text_bounded"]

#: Largest metrics table, config or index file read (a million-row CSV is ~100 MB).
MAX_TABLE_BYTES = 512 * 1024 * 1024


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path: Path, what: str, limit: int | None = None) -> os.stat_result:
    """``os.stat`` of ``path`` after checking it is a regular file of at most ``limit`` bytes.

    Called before opening, so a FIFO or device named like a log never blocks a read.

    Raises
    ------
    CorruptArtifactError
        If ``path`` is a FIFO, device, socket or directory, or larger than ``limit``.
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise CorruptArtifactError(
            f"{what} {str(path)!r} is {_kind(st.st_mode)}, not a regular file.\n"
            "Remove it, or replace it with the real file."
        )
    if limit is not None and st.st_size > limit:
        raise CorruptArtifactError(
            f"{what} {str(path)!r} is {st.st_size:,} bytes, more than the {limit:,} read.\n"
            "Split or trim the file, or check that the path names the right file."
        )
    return st


def read_text_bounded(path: Path, what: str, limit: int | None = None,
                      encoding: str = "utf-8") -> str:
    """The text of a regular file of at most ``limit`` bytes (see :func:`check_regular`).

    ``limit`` defaults to :data:`MAX_TABLE_BYTES`.
    """
    limit = MAX_TABLE_BYTES if limit is None else limit
    check_regular(path, what, limit)
    with open(path, "rb") as fh:
        raw = fh.read(limit + 1)
    if len(raw) > limit:  # grew since the stat
        raise CorruptArtifactError(
            f"{what} {str(path)!r} is more than the {limit:,} bytes read.\n"
            "Split or trim the file, or check that the path names the right file."
        )
    return raw.decode(encoding)


def contained(folder: Path, name: object, named_by: Path) -> Path:
    """``folder / name`` after checking that ``name``, found in ``named_by``, stays in ``folder``.

    ``name`` must be a relative path without ``..``, and must not resolve (through symlinks)
    outside ``folder``. Nothing is opened.

    Raises
    ------
    CorruptArtifactError
        Naming ``named_by`` and the offending path.
    """
    text = name if isinstance(name, str) else None
    bad = text is None or not text or "\x00" in text
    if not bad:
        posix, windows = PurePosixPath(text), PureWindowsPath(text)
        bad = (posix.is_absolute() or windows.is_absolute() or bool(windows.drive)
               or ".." in posix.parts or ".." in windows.parts)
    if not bad:
        base = folder.resolve()
        target = (folder / text).resolve()
        bad = target != base and base not in target.parents
    if bad:
        raise CorruptArtifactError(
            f"{str(named_by)!r} names {name!r}, which is outside its folder "
            f"{str(folder)!r}.\n"
            "Files it names must sit in the same folder (plain file names); fix or delete it."
        )
    return folder / text  # type: ignore[operator]
