"""Still export: a figure to bytes (``figure_to_bytes``) and to a file (``export_figure``)."""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any, Literal

from ..errors import FigureError, OutputPathError, SizeError
from ..formats import IMAGE_FORMATS, STILL_FORMATS, normalize, resolve_output
from ._csv import figure_to_csv
from ._io import atomic_write

Figureish = Any  # go.Figure, go.FigureWidget or a figure dict


def figure_to_dict(fig: Figureish) -> dict:
    """A plain figure dict from a go.Figure, go.FigureWidget or figure dict."""
    if isinstance(fig, dict):
        if "data" not in fig and "layout" not in fig:
            raise FigureError("This dict is not a figure: it has neither 'data' nor 'layout'.\n"
                              "Pass a go.Figure or a dict like {'data': [...], 'layout': {...}}.")
        return fig
    from plotly.basedatatypes import BaseFigure

    if isinstance(fig, BaseFigure):
        return fig.to_dict()
    raise FigureError(f"Expected a Plotly figure, got {type(fig).__name__}.\n"
                      "Pass a go.Figure, go.FigureWidget or figure dict (renderers must "
                      "return a go.Figure).")


def check_size(width: Any, height: Any, scale: Any) -> None:
    """Raise SizeError unless width/height are positive integers and scale is positive."""
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
            raise SizeError(f"{name} must be a positive integer number of pixels, got {value!r}.\n"
                            f"Pass e.g. {name}={1200 if name == 'width' else 800}.")
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not scale > 0:
        raise SizeError(f"scale must be a positive number, got {scale!r}.\n"
                        "Pass e.g. scale=2 for a high-DPI image.")


def figure_to_bytes(
    fig: Figureish,
    format: str = "png",
    width: int = 1200,
    height: int = 800,
    scale: float = 2,
    *,
    theme: str | None = None,
    include_plotlyjs: bool | Literal["cdn"] = True,
    timeout: float | None = None,
) -> bytes:
    """Render a figure to the bytes of a still format.

    Images (png, jpeg, webp, svg, pdf) come from the warm render engine; html, json and
    csv (the figure's data, one row per point) need no browser. Raster images are exactly
    ``width*scale`` by ``height*scale`` pixels.
    """
    fmt = normalize(format, STILL_FORMATS)
    check_size(width, height, scale)
    figure = figure_to_dict(fig)
    if theme is not None:
        from ..themes import apply_theme

        figure = apply_theme(figure, theme)
    if fmt in IMAGE_FORMATS:
        from .. import engine

        return engine.render(figure, fmt, int(width), int(height), scale, timeout=timeout)
    if fmt == "csv":
        return figure_to_csv(figure).encode("utf-8")
    import plotly.io as pio

    if fmt == "json":
        return pio.to_json(figure, validate=False).encode("utf-8")
    html = pio.to_html(
        figure, include_plotlyjs=include_plotlyjs, include_mathjax=False, full_html=True,
        validate=False, default_width=f"{int(width)}px", default_height=f"{int(height)}px",
    )
    return html.encode("utf-8")


def export_figure(
    fig: Figureish,
    output_path: str | Path,
    format: str | None = None,
    width: int = 1200,
    height: int = 800,
    scale: float = 2,
    *,
    theme: str | None = None,
    include_plotlyjs: bool | Literal["cdn"] = True,
    timeout: float | None = None,
) -> Path:
    """Export a figure to a file and return its path.

    Parameters
    ----------
    fig : go.Figure, go.FigureWidget or dict
        The figure.
    output_path : str or Path
        Target file. Parent directories are created. A path without suffix gets the
        format's suffix; a suffix that disagrees with ``format`` is an error.
    format : str, optional
        png, jpeg/jpg, webp, svg, pdf, html, json or csv; inferred from the suffix when None.
    width, height : int
        Layout size in CSS pixels.
    scale : float
        Pixel density: a PNG is ``width*scale`` by ``height*scale`` pixels.
    theme : str, optional
        "default", "dark" or "publication" (see ``vizwidget.themes``).
    include_plotlyjs : bool or "cdn"
        HTML only: embed plotly.js (default, works offline) or link the CDN.
    timeout : float, optional
        Seconds the browser may take for this figure (engine default: 60).

    The figure is rendered before the file is touched, and written atomically: a failure
    never leaves a partial file nor clobbers an existing one.
    """
    if Path(output_path).is_dir():
        raise OutputPathError(f"{str(output_path)!r} is a directory, not a file path.\n"
                              "Pass a file name inside it, e.g. 'figure.png'.")
    path, fmt = resolve_output(output_path, format, STILL_FORMATS)
    data = figure_to_bytes(fig, fmt, width, height, scale, theme=theme,
                           include_plotlyjs=include_plotlyjs, timeout=timeout)
    return atomic_write(path, data)
