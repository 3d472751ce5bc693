"""Files the widget ships to the browser: its JS/CSS bundle and plotly.js, plus figure payloads."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BundleMissingError
from ..figures import as_figure_dict
from ..themes import apply_theme
from ._payload import Payload, split_figure

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ESM_PATH = STATIC_DIR / "widget.js"
CSS_PATH = STATIC_DIR / "widget.css"


def bundle_missing_message() -> str:
    """Two-line message for a missing ``static/widget.js``."""
    return (
        f"The ExportWidget JavaScript bundle is missing ({ESM_PATH}).\n"
        "Run `make build-js` (or `cd js && npm ci && npm run build`), then restart the kernel."
    )


def bundle_exists() -> bool:
    """True when the built ``widget.js`` and ``widget.css`` are present."""
    return ESM_PATH.is_file() and CSS_PATH.is_file()


def check_bundle() -> None:
    """Raise BundleMissingError when the bundle has not been built."""
    if not bundle_exists():
        raise BundleMissingError(bundle_missing_message())


@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    """The plotly.min.js shipped with the installed ``plotly`` package (never a CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


def figure_payload(fig: Any, theme: str = "") -> Payload:
    """A figure for the browser: a JSON skeleton plus numeric arrays as raw buffers."""
    data = as_figure_dict(fig)
    return split_figure(apply_theme(data, theme) if theme else data)
