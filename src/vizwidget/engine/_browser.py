"""Find a Chromium/Chrome binary for the render engine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import BrowserNotFoundError

#: Executable names tried on PATH, in order.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

#: Extra flags for a quiet, offline-friendly headless browser.
EXTRA_FLAGS = (
    "--disable-background-networking",
    "--disable-default-apps",
    "--mute-audio",
)

INSTALL_HINT = (
    "Install one: `sudo apt-get install chromium` (Debian/Ubuntu), or `plotly_get_chrome` "
    "(downloads Chrome), or set BROWSER_PATH to a Chrome/Chromium binary."
)


def _downloaded_chrome() -> str | None:
    """The Chrome that `plotly_get_chrome` / `choreo_get_chrome` downloaded, if any."""
    try:
        from choreographer.cli._cli_utils import get_chrome_download_path
    except ImportError:  # pragma: no cover - layout of a future choreographer
        return None
    path = get_chrome_download_path(mkdir=False)
    return str(path) if path and Path(path).is_file() else None


def find_browser() -> str | None:
    """Path of a Chromium-family browser, or None.

    Order: ``BROWSER_PATH``, then ``chromium``, ``chromium-browser``, ``google-chrome``
    on PATH, then the Chrome downloaded by ``plotly_get_chrome``.
    """
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if Path(env).is_file() else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return _downloaded_chrome()


def require_browser() -> str:
    """Path of a browser, or BrowserNotFoundError saying how to get one."""
    path = find_browser()
    if path is not None:
        return path
    env = os.environ.get("BROWSER_PATH")
    where = f"BROWSER_PATH={env!r} is not a file" if env else "No Chromium or Chrome found"
    raise BrowserNotFoundError(f"{where}; vizwidget needs one to render images.\n{INSTALL_HINT}")


def chromium_class():
    """A choreographer Chromium launcher that adds EXTRA_FLAGS to the command line."""
    from choreographer.browsers.chromium import Chromium

    class QuietChromium(Chromium):
        def get_cli(self):
            return [*super().get_cli(), *EXTRA_FLAGS]

    return QuietChromium
