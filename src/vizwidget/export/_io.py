"""Atomic file output: a temp file beside the target, renamed into place on success."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .._paths import MAX_NAME_BYTES
from ..errors import OutputPathError


def check_target(path: Path) -> None:
    """Raise OutputPathError for a file name that is too long or names a directory."""
    size = len(path.name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise OutputPathError(f"The file name {path.name[:40]!r}… is {size} bytes long; file "
                              f"systems allow at most {MAX_NAME_BYTES}.\n"
                              "Choose a shorter file name.")
    if path.is_dir():
        raise OutputPathError(f"{str(path)!r} is a directory, not a file path.\n"
                              "Pass a file name inside it, e.g. 'figure.png'.")


def _prepare_parent(path: Path) -> None:
    check_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputPathError(f"Cannot create the directory {str(path.parent)!r}: "
                              f"{err.strerror or err}.\nChoose a writable output path.") from err


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s directory; rename it to ``path`` on success.

    On any exception the temporary file is removed and an existing ``path`` is untouched.
    """
    path = Path(path)
    _prepare_parent(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".part",
                                   dir=path.parent)
    except OSError as err:
        raise OutputPathError(f"Cannot write in {str(path.parent)!r}: {err.strerror or err}.\n"
                              "Choose a writable output directory.") from err
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_UMASK)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write bytes or text to ``path`` atomically and return the path."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(path) as tmp:
        tmp.write_bytes(payload)
    return path


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Read once at import: reading the umask means setting it, which would race other threads.
_UMASK = _read_umask()
