"""Output names: file-name-safe text, and paths that cannot leave the folder the user chose."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import OutputPathError

__all__ = ["MAX_NAME_BYTES", "file_in", "make_dir", "run_labels", "safe_filename"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")
#: Longest file name most file systems accept (ext4, APFS, NTFS: 255 bytes).
MAX_NAME_BYTES = 255


def safe_filename(text: Any, max_length: int = 120) -> str:
    """A file-name-safe version of ``text``: one path component, never ``.``/``..``.

    Path separators, spaces, ``..`` and other unsafe characters become ``_``; accents are
    stripped; leading and trailing dots are removed (no hidden files).

    Parameters
    ----------
    text : object
        Usually a visualization or metric name such as ``"train/loss"``.
    max_length : int, default 120
        Longest result.

    Returns
    -------
    str
        Non-empty (``"unnamed"`` when nothing is left).

    Examples
    --------
    >>> safe_filename("train/loss (EMA)")
    'train_loss_EMA'
    """
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"\.{2,}", "_", _UNSAFE.sub("_", s))  # no separators, no ".." runs
    s = re.sub(r"_{2,}", "_", s).strip("._")[:max_length].rstrip("._")
    return s or "unnamed"


def make_dir(folder: str | os.PathLike[str], option: str = "output_dir=") -> Path:
    """``folder`` resolved and created; OutputPathError naming ``option`` when it cannot be."""
    path = Path(folder).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputPathError(f"Cannot create the output directory {str(path)!r}: "
                              f"{err.strerror or err}.\n"
                              f"Pass {option} pointing to a writable directory.") from err
    return path


def file_in(folder: Path, stem: str, suffix: str = "") -> Path:
    """``folder/stem+suffix`` with ``stem`` sanitised; never a path outside ``folder``.

    Raises
    ------
    OutputPathError
        If the result would leave ``folder`` (it cannot after sanitising; checked anyway).
    """
    folder = Path(folder).resolve()
    name = safe_filename(stem, max_length=MAX_NAME_BYTES - len(suffix) - 8) + suffix
    path = (folder / name).resolve()
    if path.parent != folder:
        raise OutputPathError(f"The file name {stem!r} would write outside {str(folder)!r}.\n"
                              "Pass a plain file name, without directories.")
    return path


def run_labels(paths: Sequence[Path]) -> list[str]:
    """Short unique names of run folders: the folder's name, with parents while names clash.

    ``runs/a/seed0`` and ``runs/b/seed0`` become ``a/seed0`` and ``b/seed0``; names still
    equal three folders up get ``#2``, ``#3`` … in order. The one rule for every run set
    (comparisons, the Dashboard, batch file names).
    """
    labels = [p.name for p in paths]
    for depth in range(2, 4):
        if len(set(labels)) == len(labels):
            return labels
        labels = ["/".join(p.parts[-depth:]) for p in paths]
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return unique
