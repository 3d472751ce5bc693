"""Run numpy's OpenBLAS on one thread while a block runs (a no-op where unsupported).

Renderers do small linear algebra (PCA, SVD). Multi-threaded OpenBLAS spin-waits for cores,
and while Chromium and an encoder (ffmpeg, Pillow) hold both cores of a small machine that
spinning turns a millisecond SVD into minutes. One thread is both faster and safe here.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_lock = threading.Lock()
_depth = 0
_restore: list[tuple[Any, int]] = []


def _openblas_controls() -> list[tuple[Any, Any]]:
    """(set, get) function pairs of the OpenBLAS libraries numpy ships."""
    import ctypes

    import numpy as np

    controls = []
    for lib_path in sorted((Path(np.__file__).parent.parent / "numpy.libs").glob("*openblas*")):
        lib = ctypes.CDLL(str(lib_path))
        for setter in _SETTERS:
            getter = setter.replace("set_", "get_")
            if hasattr(lib, setter) and hasattr(lib, getter):
                controls.append((getattr(lib, setter), getattr(lib, getter)))
                break
    return controls


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit OpenBLAS to one thread inside the block; nested and concurrent uses are safe."""
    global _depth
    with _lock:
        if _depth == 0:
            try:
                for set_fn, get_fn in _openblas_controls():
                    _restore.append((set_fn, int(get_fn())))
                    set_fn(1)
            except Exception:  # pragma: no cover - best effort: other BLAS builds
                pass
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                while _restore:
                    set_fn, previous = _restore.pop()
                    set_fn(previous)
