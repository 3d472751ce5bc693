"""Background work for the widget: one export/animation job at a time, and a directory watcher."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from ..errors import VizWidgetError


class JobRunner:
    """Runs one job at a time in a daemon thread; ``cancel()`` sets the job's Event."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.cancel_event = threading.Event()

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self, name: str, work: Callable[[threading.Event], Any]) -> Future:
        """Run ``work(cancel_event)`` in a thread; the Future gets its result or exception."""
        future: Future = Future()
        with self._lock:
            if self.running:
                raise VizWidgetError(
                    "The widget is already exporting.\nWait for it to finish or call .cancel()."
                )
            self.cancel_event = cancel = threading.Event()

            def run() -> None:
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    future.set_result(work(cancel))
                except BaseException as err:  # handed to the Future, never lost
                    future.set_exception(err)

            self._thread = threading.Thread(target=run, name=f"vizwidget-{name}", daemon=True)
            self._thread.start()
        return future

    def cancel(self) -> None:
        """Ask the running job to stop."""
        self.cancel_event.set()


class Watcher:
    """Calls ``poll()`` every ``interval`` seconds in a daemon thread until stopped."""

    def __init__(self, poll: Callable[[], None], interval: float) -> None:
        self.poll = poll
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vizwidget-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
