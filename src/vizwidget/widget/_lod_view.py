"""The preview's level of detail: large scatter traces down-sampled, with index maps back.

A trace with more points than the threshold is replaced by the points :func:`lod.lod_indices`
picks for the visible range; every per-point array (x, y, colours, sizes, customdata, text)
is taken at the same indices, and the indices are kept so events report full-data points.
A line of NaN-separated segments (many runs merged) is reduced segment by segment.
Exports never pass through here: they always use the full figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import lod
from ..figures import typed_array

#: Trace types that are down-sampled (x/y point traces).
LOD_TYPES = ("scatter", "scattergl")
#: Per-point keys taken at the chosen indices, besides x and y.
_PER_POINT = ("customdata", "text", "hovertext", "ids", "selectedpoints")
_MARKER_PER_POINT = ("color", "size", "opacity", "symbol")
#: Fewest points a segment of a many-run line keeps (about two per pixel column).
SEGMENT_POINTS = 1_000
#: Layout key that carries the view's token (read back from events by the widget).
TOKEN_KEY = "vizwidgetLod"

@dataclass
class LodView:
    """A preview figure and, per down-sampled trace, the full-data index of each point."""

    figure: dict
    maps: dict[int, np.ndarray] = field(default_factory=dict)
    shown: int = 0
    total: int = 0


def as_array(value: Any) -> np.ndarray | None:
    """A 1-D numpy array from a numpy array, a plotly bdata spec or a list; else None."""
    if isinstance(value, dict) and "bdata" in value:
        arr = typed_array(value)
        return arr if arr is not None and arr.ndim == 1 else None
    if isinstance(value, (np.ndarray, list, tuple)):
        arr = np.asarray(value)
        return arr if arr.ndim == 1 else None
    return None


def _take(value: Any, idx: np.ndarray, n: int) -> Any:
    """``value`` at ``idx`` when it is a per-point array of length ``n``, else unchanged."""
    arr = as_array(value)
    if arr is None or arr.size != n:
        return value
    out = arr[idx]
    return out if out.dtype.kind in "iuf" else out.tolist()


def _is_line(trace: dict, n: int) -> bool:
    mode = trace.get("mode")
    if mode is None:  # plotly.js: lines for more than 20 points
        return n > 20
    return "lines" in mode


def _segmented(trace: dict, x: np.ndarray, y: np.ndarray, n_out: int,
               xrange: Any) -> np.ndarray | None:
    """Indices of a line of NaN-separated segments (many runs), each reduced on its own.

    Each segment keeps ``max(n_out / segments, SEGMENT_POINTS)`` points; None when the
    trace is no such line (then it is reduced as a whole).
    """
    if (trace.get("connectgaps") is True or not _is_line(trace, y.size)
            or np.isfinite(x).all()):
        return None
    count = lod.segments(x, y)[0].size
    budget = max(n_out // max(count, 1), SEGMENT_POINTS)
    return lod.per_segment(x, y, lambda xs, ys: lod.lod_indices(
        xs, ys, budget, lines=True, xrange=xrange))


def reduce_figure(figure: dict, threshold: int, n_out: int, xrange: Any = None,
                  yrange: Any = None) -> LodView:
    """The figure with every trace above ``threshold`` points down-sampled to ~``n_out``."""
    view = LodView(figure=figure)
    traces = list(figure.get("data") or [])
    for i, trace in enumerate(traces):
        if not isinstance(trace, dict) or trace.get("type", "scatter") not in LOD_TYPES:
            continue
        y = as_array(trace.get("y"))
        if y is None or y.size <= threshold or y.dtype.kind not in "iuf":
            continue
        x = as_array(trace.get("x"))
        if x is None:
            x = np.arange(y.size, dtype=np.float64)
        if x.size != y.size or x.dtype.kind not in "iuf":
            continue
        on_main = trace.get("xaxis", "x") == "x" and trace.get("yaxis", "y") == "y"
        idx = _segmented(trace, x, y, n_out, xrange if on_main else None)
        if idx is None:
            idx = lod.lod_indices(x, y, n_out, lines=_is_line(trace, y.size),
                                  xrange=xrange if on_main else None,
                                  yrange=yrange if on_main else None)
        new = {k: _take(v, idx, y.size) for k, v in trace.items() if k in _PER_POINT}
        new.update(x=x[idx], y=y[idx])
        if isinstance(trace.get("marker"), dict):
            new["marker"] = {k: (_take(v, idx, y.size) if k in _MARKER_PER_POINT else v)
                             for k, v in trace["marker"].items()}
        traces[i] = {**trace, **new}
        view.maps[i] = idx
        view.shown += int(idx.size)
        view.total += int(y.size)
    if view.maps:
        layout = dict(figure.get("layout") or {})
        note = {"text": f"showing {view.shown:,} of {view.total:,} points", "showarrow": False,
                "xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left",
                "yanchor": "bottom", "font": {"size": 11, "color": "#888"},
                "name": "vizwidget-lod"}
        layout["annotations"] = [*(layout.get("annotations") or []), note]
        view.figure = {**figure, "data": traces, "layout": layout}
    return view


def full_indices(points: list[dict], maps: dict[int, np.ndarray]) -> list[dict]:
    """Event points with ``point`` translated from the drawn trace to the full data."""
    out = []
    for p in points:
        idx = maps.get(p.get("trace"))
        k = p.get("point")
        if idx is not None and isinstance(k, int) and 0 <= k < idx.size:
            p = {**p, "point": int(idx[k])}
        out.append(p)
    return out
