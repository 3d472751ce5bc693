"""Still export: a figure to bytes (``figure_to_bytes``) and to a file (``export_figure``)."""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Any, Literal

from .. import engine
from ..errors import SizeError
from ..figures import Figureish, as_figure_dict
from ..formats import IMAGE_FORMATS, RASTER_FORMATS, STILL_FORMATS, normalize, resolve_output
from ..themes import apply_theme
from ._csv import figure_to_csv
from ._decimate import decimate_figure
from ._htmlpage import figure_page
from ._imagecheck import check_image
from ._io import atomic_write, check_target
from ._metadata import Provenance, embed, finish_html, make_record
from ._stable import deterministic

#: Former name of :func:`vizwidget.figures.as_figure_dict`, kept for callers.
figure_to_dict = as_figure_dict


#: Chromium's canvas limits: the longest side and the largest area, in pixels.
MAX_SIDE_PIXELS = 32_767
MAX_AREA_PIXELS = 268_435_456  # 16384²
#: The WebP format's own limit on a side.
WEBP_MAX_SIDE = 16_383


def check_size(width: Any, height: Any, scale: Any, raster: bool | str = False) -> None:
    """Raise SizeError unless width/height are positive integers and scale a finite number > 0.

    With ``raster`` (True or the raster format's name) the image (``width*scale`` ×
    ``height*scale``) must also fit Chromium's canvas (:data:`MAX_SIDE_PIXELS`,
    :data:`MAX_AREA_PIXELS`; WebP: :data:`WEBP_MAX_SIDE` a side); beyond it the browser
    returns garbage instead of an error.
    """
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
            raise SizeError(f"{name} must be a positive integer number of pixels, got {value!r}.\n"
                            f"Pass e.g. {name}={1200 if name == 'width' else 800}.")
    if (isinstance(scale, bool) or not isinstance(scale, numbers.Real)
            or not math.isfinite(scale) or not scale > 0):
        raise SizeError(f"scale must be a positive, finite number, got {scale!r}.\n"
                        "Pass e.g. scale=2 for a high-DPI image.")
    if raster:
        side = WEBP_MAX_SIDE if raster == "webp" else MAX_SIDE_PIXELS
        w, h = round(width * scale), round(height * scale)
        largest = min(side / max(width, height), math.sqrt(MAX_AREA_PIXELS / (width * height)))
        if max(w, h) > side or w * h > MAX_AREA_PIXELS:
            kind = raster if isinstance(raster, str) else "raster"
            raise SizeError(
                f"A {w}×{h}-pixel {kind} image is larger "
                f"than the browser can draw (at most {side} pixels a side and "
                f"{MAX_AREA_PIXELS:,} pixels in all).\n"
                f"Use scale <= {math.floor(largest * 1000) / 1000:g} for {width}×{height}, "
                "a smaller size, or svg/pdf.")


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
    provenance: Provenance = False,
    spreadsheet_safe: bool = True,
) -> bytes:
    """Render a figure to the bytes of a still format.

    Images (png, jpeg, webp, svg, pdf) come from the warm render engine; a line trace
    longer than the pixels it is drawn on is drawn from each pixel column's first, last,
    lowest and highest points (noted on the image), which draws the same line. html, json
    and csv (the figure's data, one row per point) need no browser and keep every point.
    Raster images are exactly ``width*scale`` by ``height*scale`` pixels. The same figure
    and options give the same bytes (stable SVG ids and HTML div id, no PDF dates).
    ``provenance`` (True or a dict of fields to add; default False here) embeds a record,
    see :func:`export_figure`; ``spreadsheet_safe`` guards csv text cells against
    formulas, see :func:`export_figure`.
    """
    fmt = normalize(format, STILL_FORMATS)
    check_size(width, height, scale, raster=fmt if fmt in RASTER_FORMATS else False)
    figure = as_figure_dict(fig)
    size = {"width": int(width), "height": int(height), "scale": scale, "theme": theme}
    record = make_record(provenance, fmt, size, figure)
    if theme is not None:
        figure = apply_theme(figure, theme)
    if fmt in IMAGE_FORMATS:
        drawn = decimate_figure(figure, int(width), int(height), scale)
        data = engine.render(drawn, fmt, int(width), int(height), scale, timeout=timeout)
        if fmt in RASTER_FORMATS:
            check_image(data, fmt, width, height, scale)
        return embed(deterministic(data, fmt), fmt, record)
    if fmt == "csv":  # a plain table: a comment line would break most CSV readers
        return figure_to_csv(figure, spreadsheet_safe=spreadsheet_safe).encode("utf-8")
    if fmt == "json":
        import plotly.io as pio

        return embed(pio.to_json(figure, validate=False).encode("utf-8"), fmt, record)
    html = figure_page(figure, div_id=_DIV_PLACEHOLDER, width=f"{int(width)}px",
                       height=f"{int(height)}px", include_plotlyjs=include_plotlyjs)
    return finish_html(html.encode("utf-8"), _DIV_PLACEHOLDER, record)


#: Replaced by ``vizwidget-{hash of the figure part}`` so HTML output is stable.
_DIV_PLACEHOLDER = "vizwidget-div-placeholder"


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
    provenance: Provenance = None,
    spreadsheet_safe: bool = True,
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
    provenance : dict or bool, optional
        None or True (default): embed a provenance record (versions, format, size, theme,
        and the figure itself when it is small); a dict adds its fields (the joining layer
        passes visualization, variant, artifact hashes, epochs, kwargs); False embeds none.
        See :func:`vizwidget.read_provenance`.
    spreadsheet_safe : bool, default True
        CSV only: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
        return gets a leading ``'`` so a spreadsheet shows it as text instead of running it
        as a formula (CSV injection); numbers, negative ones included, stay numbers. Pass
        False for exact strings in a file only programs read.

    Every string of the figure written into HTML is escaped, so a trace name or title such
    as ``</script><script>...`` is shown as text and never becomes markup or script.

    Notes
    -----
    The figure is rendered before the file is touched, and written atomically: a failure
    never leaves a partial file nor clobbers an existing one.
    """
    check_target(Path(output_path))
    path, fmt = resolve_output(output_path, format, STILL_FORMATS)
    data = figure_to_bytes(fig, fmt, width, height, scale, theme=theme,
                           include_plotlyjs=include_plotlyjs, timeout=timeout,
                           provenance=True if provenance is None else provenance,
                           spreadsheet_safe=spreadsheet_safe)
    return atomic_write(path, data)
