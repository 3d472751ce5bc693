"""Progress reporting: a ``progress(done, total)`` callable, a tqdm bar, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import ExportCancelled

if TYPE_CHECKING:
    import threading

Progress = Callable[[int, int], Any]


def progress_reporter(
    progress: Progress | bool | None, total: int, unit: str = "frame", desc: str | None = None
) -> tuple[Progress, Callable[[], None]]:
    """``(report, close)``: ``report(done, total)`` after each step, ``close()`` at the end.

    ``progress=True`` draws a tqdm bar (its total follows the ``total`` each report gives);
    a callable is called as is; None reports nothing.
    """
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit=unit, desc=desc)

        def report(done: int, now: int) -> None:
            if bar.total != now:
                bar.total = now
            bar.update(done - bar.n)

        return report, bar.close
    if callable(progress):
        return progress, (lambda: None)
    return (lambda done, total: None), (lambda: None)


def cancellable(progress: Progress | None, cancel: threading.Event) -> Progress:
    """``progress`` that first raises ExportCancelled once ``cancel`` is set.

    Exports call ``progress(done, total)`` between steps (``done`` stays 0 while they
    prepare), so a set event stops them at the next step and nothing is written.
    """
    def report(done: int, total: int) -> None:
        if cancel.is_set():
            raise ExportCancelled("The export was cancelled; no file was written.")
        if progress is not None:
            progress(done, total)

    return report
