"""The lines an overlay draws: every data series of every variant's over-epochs figure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ComparisonError
from ..figures import typed_array
from ..registry import Visualization
from ._variants import Member, Variants

__all__ = ["Line", "Processing", "series_lines"]

Processing = Callable[[np.ndarray, np.ndarray], tuple[Any, Any]]


@dataclass(frozen=True)
class Line:
    """One series of one variant: its subplot axes, series name, and data."""

    member: Member
    xaxis: str
    yaxis: str
    series: str
    x: np.ndarray
    y: np.ndarray


def _is_series(trace: dict) -> bool:
    """The renderer's data lines: not bands, highlights, faint raw curves or markers only."""
    mode = trace.get("mode") or "lines+markers"
    return (trace.get("type", "scatter") in ("scatter", "scattergl") and "lines" in mode
            and not trace.get("fill") and trace.get("showlegend") is not False)


def _floats(values: Any) -> np.ndarray:
    """A trace's coordinates as floats (typed arrays decoded; None and missing as NaN)."""
    decoded = typed_array(values)
    if decoded is not None:
        return np.asarray(decoded, dtype=float).ravel()
    return np.asarray(() if values is None else values, dtype=float).ravel()


def series_lines(variants: Variants, vis: Visualization, processing: Processing | None,
                 kw: dict) -> tuple[dict, list[Line]]:
    """The first variant's layout, and every variant's data lines (after ``processing``)."""
    layout: dict = {}
    lines: list[Line] = []
    for m in variants:
        fig = variants.figure_dict(m, vis, None, **kw)  # no highlight: drawn here
        layout = layout or fig.get("layout") or {}
        for trace in fig.get("data") or ():
            if not _is_series(trace):
                continue
            x = _floats(trace.get("x"))
            y = _floats(trace.get("y"))
            if processing is not None:
                px, py = processing(x, y)
                x, y = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
            lines.append(Line(m, trace.get("xaxis") or "x", trace.get("yaxis") or "y",
                               str(trace.get("name") or vis.name), x, y))
    if not lines:
        raise ComparisonError(
            f"{vis.name!r} draws no lines over epochs to overlay.\n"
            "Use layout='small_multiples' for it.")
    return layout, lines
