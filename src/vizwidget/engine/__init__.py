"""The warm headless browser that turns figure dicts into image bytes.

One Chromium per process, started lazily, with plotly.js (from the installed ``plotly``
package, never a CDN) loaded once in a page that is reused for every figure; threads that
render side by side (``export_batch(jobs=N)``) each get a browser of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._browser import find_browser, require_browser
from ._engine import DEFAULT_TIMEOUT, RenderEngine, bind, engines, get_engine, shutdown

__all__ = [
    "DEFAULT_TIMEOUT",
    "RenderEngine",
    "bind",
    "engines",
    "find_browser",
    "get_engine",
    "render",
    "require_browser",
    "shutdown",
]


def render(
    figure: dict[str, Any],
    format: str = "png",
    width: int = 700,
    height: int = 500,
    scale: float = 1,
    *,
    timeout: float | None = None,
    on_sent: Callable[[], None] | None = None,
) -> bytes:
    """Render a figure dict on this thread's warm engine (the process-wide one unless
    :func:`bind` chose another) and return the bytes."""
    return get_engine().render(figure, format, width, height, scale, timeout=timeout,
                               on_sent=on_sent)
