"""Progress reporting: a ``progress(done, total)`` callable, a tqdm bar, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Progress = Callable[[int, int], Any]


def progress_reporter(
    progress: Progress | bool | None, total: int, unit: str = "frame", desc: str | None = None
) -> tuple[Progress, Callable[[], None]]:
    """``(report, close)``: ``report(done, total)`` after each step, ``close()`` at the end.

    ``progress=True`` draws a tqdm bar; a callable is called as is; None reports nothing.
    """
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit=unit, desc=desc)
        return (lambda done, _total: bar.update(done - bar.n)), bar.close
    if callable(progress):
        return progress, (lambda: None)
    return (lambda done, total: None), (lambda: None)
