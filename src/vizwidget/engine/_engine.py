"""The warm render engine: a headless Chromium with one reused page, more for parallel threads.

Each browser draws WebGL in its own GPU process, so threads rendering side by side
(``export_batch(jobs=N)``) each get a browser of their own.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from ..errors import NetworkResourceError, RenderError, RenderTimeoutError
from ._browser import chromium_class, require_browser
from ._transport import pack_figure

DEFAULT_TIMEOUT = 60.0
_POLL = 0.25  # seconds between checks for a crashed tab while a figure renders


#: The render timeout grows by one second per this many data values in the figure.
POINTS_PER_SECOND = 100_000

#: Figures with at least this many data values send their arrays to the page as binary.
BINARY_MIN_POINTS = 100_000
_BINARY_FORMATS = ("png", "jpeg", "webp", "svg")

_log = logging.getLogger("vizwidget.engine")


def figure_points(figure: dict) -> int:
    """How many data values a figure's traces hold (arrays of numbers, strings, bdata)."""
    total = 0
    for trace in figure.get("data") or ():
        for value in trace.values():
            if isinstance(value, dict) and "bdata" in value:
                total += len(value["bdata"]) * 3 // 4 // _ITEMSIZE.get(value.get("dtype"), 8)
            elif hasattr(value, "size") and hasattr(value, "ndim"):
                total += int(value.size)
            elif isinstance(value, (list, tuple)):
                total += sum(len(v) if isinstance(v, (list, tuple)) else 1 for v in value)
    return total


_ITEMSIZE = {"f8": 8, "f4": 4, "i4": 4, "u4": 4, "i2": 2, "u2": 2, "i1": 1, "u1": 1, "u1c": 1}


class _TabCrashed(Exception):
    """The page's renderer process died during a render."""


class _ToDebug(logging.Handler):
    """Re-logs the browser libraries' records at debug level under ``vizwidget.engine``."""

    def emit(self, record: logging.LogRecord) -> None:
        _log.debug("%s: %s", record.name, record.getMessage())


def _quiet_browser_logs() -> None:
    """Keep the user's stderr clean: kaleido/choreographer warnings become debug records."""
    for name in ("choreographer", "kaleido"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, _ToDebug) for h in logger.handlers):
            logger.addHandler(_ToDebug())
        logger.propagate = False


def _loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Tasks of a killed browser are reported at debug level, not printed."""
    _log.debug("browser event loop: %s", context.get("message"), exc_info=context.get("exception"))
_NETWORK_HINTS = ("fetching topojson", "mapbox", "Failed to fetch", "net::ERR")


class RenderEngine:
    """A headless Chromium with plotly.js loaded once, rendering figure dicts to bytes.

    The browser starts on first use, runs its event loop in a daemon thread (so it works
    from Jupyter's running loop and from any thread) and is restarted when it died.

    Parameters
    ----------
    browser_path : str, optional
        Chromium/Chrome binary; found automatically when omitted.
    timeout : float
        Seconds one figure may take before RenderTimeoutError (the browser is then restarted).
    mathjax : bool or str
        False (default) renders without MathJax; True or a path/URL loads it.
    """

    def __init__(
        self,
        browser_path: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        mathjax: bool | str = False,
    ) -> None:
        self.browser_path = browser_path
        self.timeout = timeout
        self.mathjax = mathjax
        self._kaleido: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        self.starts = 0  # how many browsers this engine has launched
        self.pages = 1  # warm pages (tabs) the browser keeps; see ensure_pages

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        """True while a browser process is alive."""
        proc = getattr(self._kaleido, "subprocess", None)
        return proc is not None and proc.poll() is None

    @property
    def pid(self) -> int | None:
        """PID of the browser launcher process, or None when not running."""
        return self._kaleido.subprocess.pid if self.is_running else None

    def start(self) -> None:
        """Launch the browser and load the page (no-op when already running)."""
        with self._lifecycle:
            if self.is_running:
                return
            self._stop_locked()
            path = self.browser_path or require_browser()
            from ._page import WarmKaleido, page_generator

            _quiet_browser_logs()
            self._loop = asyncio.new_event_loop()
            self._loop.set_exception_handler(_loop_exception)
            self._thread = threading.Thread(
                target=self._loop.run_forever, name="vizwidget-engine", daemon=True
            )
            self._thread.start()
            kaleido = WarmKaleido(
                n=self.pages, timeout=None, page_generator=page_generator(self.mathjax),
                path=path, browser_cls=chromium_class(),
            )
            try:
                self._submit(kaleido.open(), timeout=max(self.timeout, 60.0))
            except BaseException as err:
                self._kaleido = kaleido
                self._stop_locked()
                raise RenderError(
                    f"Could not start the browser at {path!r}: {err}\n"
                    "Check that it runs headless (`chromium --headless --version`)."
                ) from err
            self._kaleido = kaleido
            self.starts += 1

    def close(self) -> None:
        """Close the browser and its event loop; the next render starts a new one."""
        with self._lifecycle:
            self._stop_locked()

    def _stop_locked(self) -> None:
        kaleido, loop, thread = self._kaleido, self._loop, self._thread
        self._kaleido = self._loop = self._thread = None
        if kaleido is not None and loop is not None:
            try:
                asyncio.run_coroutine_threadsafe(kaleido.close(), loop).result(timeout=15)
            except BaseException:
                proc = getattr(kaleido, "subprocess", None)
                if proc is not None and proc.poll() is None:
                    proc.kill()
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(timeout=5)
            if not loop.is_running():
                loop.close()

    def _submit(self, coro: Any, timeout: float | None) -> Any:
        """Run ``coro`` on the browser's loop; give up on timeout or when the tab crashes."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        crashed = getattr(self._kaleido, "crashed", None)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
                try:
                    return future.result(timeout=_POLL if left is None else min(left, _POLL))
                except FutureTimeout:
                    if crashed is not None and crashed.is_set():
                        raise _TabCrashed() from None
                    if left is not None and left <= _POLL:
                        raise
        except BaseException:
            future.cancel()
            raise

    # -- rendering -------------------------------------------------------------------------
    def render(
        self,
        figure: dict,
        format: str = "png",
        width: int = 700,
        height: int = 500,
        scale: float = 1,
        *,
        timeout: float | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> bytes:
        """Render a figure dict to image bytes (png, jpeg, webp, svg, pdf or json).

        Thread-safe; concurrent callers share the warm pages (one figure at a time on each,
        see :meth:`ensure_pages`).
        Without ``timeout``, the engine's :attr:`timeout` plus one second per
        :data:`POINTS_PER_SECOND` data values applies. ``on_sent`` is called (from a browser
        thread) once the figure is in the browser, the moment to start preparing the next
        one; it may not be called at all, e.g. when the render fails before that.
        """
        points = figure_points(figure)
        if timeout is None:  # the engine's timeout grows with the figure; a given one is kept
            timeout = self.timeout + points / POINTS_PER_SECOND
        opts = {"format": format, "width": width, "height": height, "scale": scale}
        packed = None
        if points >= BINARY_MIN_POINTS and format in _BINARY_FORMATS:
            packed = pack_figure(figure)
            packed = packed if packed.manifest else None
        for attempt in (1, 2):
            self.start()
            kaleido = self._kaleido
            job = (kaleido.calc_fig(figure, opts=opts) if packed is None
                   else kaleido.calc_fig_binary(packed, opts))
            if on_sent is not None:
                kaleido.sent_hooks.append(on_sent)
            try:
                return self._submit(job, timeout=timeout)
            except _TabCrashed:
                self.close()  # the page is gone: a fresh browser, then one more try
                if attempt == 1:
                    continue
                raise RenderError(
                    f"The browser tab crashed twice while rendering a {format}.\n"
                    "The figure may need more memory than the browser has; simplify it."
                ) from None
            except FutureTimeout:
                self.close()  # a hung page cannot be trusted with the next figure
                raise RenderTimeoutError(
                    f"Rendering a {format} of {points:,} data values took longer than "
                    f"{timeout:g} s; the browser was restarted.\nSimplify or down-sample the "
                    f"figure, or raise the timeout (e.g. timeout={max(2 * timeout, 1):.0f}, "
                    "or vizwidget.engine.get_engine().timeout)."
                ) from None
            except Exception as err:
                if not self.is_running and attempt == 1:
                    continue  # the browser died under us: start a new one and retry once
                raise _render_error(err, format) from err
            finally:
                if on_sent is not None:
                    with contextlib.suppress(ValueError):  # not sent: must not fire later
                        kaleido.sent_hooks.remove(on_sent)
        raise AssertionError("unreachable")  # pragma: no cover

    def ensure_pages(self, n: int) -> None:
        """Keep at least ``n`` warm pages, so ``n`` threads render at the same time.

        Starts the browser if needed and opens the missing pages (each loads plotly.js
        once); a browser started later opens them all. Pages are never closed: call
        :meth:`close` to shrink.
        """
        self.start()
        with self._lifecycle:
            missing = int(n) - self.pages
            if missing <= 0 or self._kaleido is None:
                return
            self._submit(self._kaleido.add_pages(missing), timeout=max(self.timeout, 60.0))
            self.pages = int(n)

    def page_timings(self) -> list[float]:
        """Seconds plotly.js spent in each ``Plotly.toImage`` (draw and encode) since the last
        call, measured in the page; the first call starts the measuring (a debug hook for
        benchmarks: it tells the in-page floor of a render apart from the transport)."""
        self.start()
        return [ms / 1000 for ms in self._submit(self._kaleido.page_timings(self.pages),
                                                 timeout=self.timeout)]

    def page_stats(self) -> dict[str, Any]:
        """Counts of plot divs, DOM nodes and JS heap bytes on the warm page."""
        self.start()
        return self._submit(self._kaleido.page_stats(), timeout=self.timeout)


def _render_error(err: Exception, format: str) -> RenderError:
    message = str(err).strip() or type(err).__name__
    if any(hint in message for hint in _NETWORK_HINTS):
        return NetworkResourceError(
            f"The figure needs a network resource that could not be fetched: {message}\n"
            "Render it where the network is reachable, or configure a local file "
            "(e.g. plotly.io.defaults.topojson for geo maps)."
        )
    return RenderError(
        f"plotly.js could not render the figure as {format}: {message}\n"
        "Check the figure with fig.show() or plotly.io.to_json(fig, validate=True)."
    )


_engine: RenderEngine | None = None
_extra: list[RenderEngine] = []  # more browsers for threads rendering side by side
_engine_lock = threading.Lock()
_bound = threading.local()


def get_engine() -> RenderEngine:
    """The engine of this thread (see :func:`bind`), else the process-wide one (created on
    first call, started on first render)."""
    mine = getattr(_bound, "engine", None)
    return mine if mine is not None else _process_engine()


def _process_engine() -> RenderEngine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = RenderEngine()
            atexit.register(shutdown)
        return _engine


def engines(n: int) -> list[RenderEngine]:
    """``n`` engines: the process-wide one and ``n - 1`` more, kept warm until
    :func:`shutdown` (each starts its browser on its first render)."""
    first = _process_engine()
    with _engine_lock:
        while len(_extra) < n - 1:
            _extra.append(RenderEngine(first.browser_path, timeout=first.timeout,
                                       mathjax=first.mathjax))
        return [first, *_extra[:n - 1]]


def bind(engine: RenderEngine | None) -> None:
    """Make ``engine`` the one this thread renders on (None: the process-wide one again)."""
    _bound.engine = engine


def shutdown() -> None:
    """Close every browser of this process; the next render starts a fresh one."""
    for engine in [_engine, *_extra]:
        if engine is not None:
            engine.close()
