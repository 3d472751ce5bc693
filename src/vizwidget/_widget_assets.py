"""Files the widget ships to the browser: its JS/CSS bundle and plotly.js, plus figure payloads."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import VizWidgetError

STATIC_DIR = Path(__file__).parent / "static"
ESM_PATH = STATIC_DIR / "widget.js"
CSS_PATH = STATIC_DIR / "widget.css"


class BundleMissingError(VizWidgetError, FileNotFoundError):
    """The widget's JavaScript bundle has not been built."""


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


def theme_names() -> list[str]:
    """Theme names offered by the picker; ``""`` keeps the figure's own look."""
    try:
        from . import themes
    except ImportError:
        return [""]
    for attr in ("theme_names", "available_themes"):
        fn = getattr(themes, attr, None)
        if callable(fn):
            return ["", *fn()]
    table = getattr(themes, "THEMES", None)
    return ["", *table] if isinstance(table, dict) else ["", "default", "dark", "publication"]


def figure_dict(fig: Any, theme: str = "") -> dict[str, Any]:
    """A plain plotly figure dict, themed when ``theme`` is set."""
    data = fig if isinstance(fig, dict) else fig.to_plotly_json()
    if theme:
        from .themes import apply_theme

        data = apply_theme(data, theme)
    return data


def figure_payload(fig: Any, theme: str = "") -> Any:
    """A figure for the browser: a JSON skeleton plus numeric arrays as raw buffers.

    Returns a :class:`~vizwidget._widget_payload.Payload`.
    """
    from ._widget_payload import split_figure

    return split_figure(figure_dict(fig, theme))
