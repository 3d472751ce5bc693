"""Long line traces drawn at screen resolution, losslessly: M4 per pixel column for images.

A line of a million points drawn a thousand pixels wide shows, in each pixel column, a
vertical stroke from the column's lowest to its highest value, joined to its neighbours by
the column's first and last points. Keeping exactly those four points per column (M4
aggregation) draws the same picture from a few thousand points, every spike included.
Columns are equal-width bins in x (in log10(x) on a log axis). Only image exports use this;
json, csv and html keep every point.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..figures import typed_array
from ..lod import per_segment

__all__ = ["NOTE_NAME", "decimate_figure", "m4_indices"]

#: ``name`` of the annotation saying that a figure was drawn from fewer points.
NOTE_NAME = "vizwidget-decimated"

#: plotly.js's default left and right margins, in CSS pixels.
_DEFAULT_MARGIN = 80
#: Per-point keys that change the picture: a trace with any of them is drawn whole.
_DRAWN_PER_POINT = ("error_x", "error_y", "selectedpoints")
#: Per-point keys an image does not show: taken at the kept points.
_HIDDEN_PER_POINT = ("text", "hovertext", "customdata", "ids")


def _m4_numpy(bx: np.ndarray, y: np.ndarray, n_bins: int) -> np.ndarray:
    """Sorted indices of the first, last, min and max point of each non-empty bin."""
    b = np.minimum((bx * n_bins).astype(np.int64), n_bins - 1)
    starts = np.flatnonzero(np.diff(b, prepend=-1))
    ends = np.append(starts[1:], b.size) - 1
    picks = [starts, ends]
    counts = ends - starts + 1
    for reduce in (np.minimum, np.maximum):
        extreme = np.repeat(reduce.reduceat(y, starts), counts)
        hits = np.flatnonzero(y == extreme)
        hit_bins = b[hits]
        picks.append(hits[np.diff(hit_bins, prepend=-1) != 0])  # first hit per bin
    return np.unique(np.concatenate(picks))


def m4_indices(x: np.ndarray, y: np.ndarray, n_bins: int, *, log_x: bool = False) -> np.ndarray:
    """Indices of the points M4 keeps: first, last, min and max of each x bin, ascending.

    Parameters
    ----------
    x : numpy.ndarray
        Finite, non-decreasing x values (positive when ``log_x``).
    y : numpy.ndarray
        Finite y values, as many as ``x``.
    n_bins : int
        Number of equal-width bins over ``[x[0], x[-1]]`` (the pixel columns).
    log_x : bool
        Bins equal-width in ``log10(x)``.

    Returns
    -------
    numpy.ndarray of int64
        Sorted, unique indices into ``x`` and ``y``.

    Notes
    -----
    Uses tsdownsample's ``M4Downsampler`` when installed (it bins by x range, as here,
    into half-open bins that leave out the last point, which is added back), a vectorised
    numpy pass otherwise.
    """
    n, n_bins = int(x.size), max(int(n_bins), 1)
    if n <= 4 * n_bins or n < 2:
        return np.arange(n, dtype=np.int64)
    pos = np.log10(x) if log_x else np.asarray(x, dtype=np.float64)
    span = float(pos[-1] - pos[0])
    if not span > 0 or n_bins < 2:  # one column (tsdownsample needs two bins)
        return _m4_numpy(np.zeros(n), y, 1)
    try:
        from tsdownsample import M4Downsampler
    except ImportError:
        return _m4_numpy((pos - pos[0]) / span, y, n_bins)
    idx = M4Downsampler().downsample(np.ascontiguousarray(pos, dtype=np.float64),
                                     np.ascontiguousarray(y, dtype=np.float64), n_out=4 * n_bins)
    # its bins are half-open, so the very last point falls outside them: add it back
    return np.unique(np.append(np.asarray(idx, dtype=np.int64), n - 1))


def _numbers(value: Any) -> np.ndarray | None:
    """A 1-D float array of a trace's numeric data, or None (strings, dates, nested)."""
    arr = typed_array(value)
    if arr is None:
        if isinstance(value, np.ndarray):
            arr = value
        elif isinstance(value, (list, tuple)):
            if any(isinstance(v, (str, bytes)) for v in value[:1]):
                return None  # dates or categories, not numbers
            try:
                arr = np.asarray(value, dtype=np.float64)  # None becomes NaN
            except (TypeError, ValueError):
                return None
        else:
            return None
    if arr.ndim != 1 or arr.dtype.kind not in "fiub":
        return None
    return arr.astype(np.float64, copy=False)


def _is_line(trace: dict) -> bool:
    """A scatter(gl) line with nothing per point but x and y."""
    if trace.get("type", "scatter") not in ("scatter", "scattergl"):
        return False
    mode = trace.get("mode", "lines")  # plotly.js: lines alone for more than 20 points
    if mode != "lines":
        return False
    line = trace.get("line") or {}
    if line.get("shape", "linear") != "linear" or trace.get("fill", "none") not in ("none", ""):
        return False
    if isinstance(trace.get("marker"), dict) and any(
            isinstance(v, (list, tuple, np.ndarray, dict)) and k != "line"
            for k, v in trace["marker"].items()):
        return False
    return all(isinstance(trace.get(k), (str, int, float, type(None))) for k in _DRAWN_PER_POINT)


def _axis(layout: dict, ref: str | None) -> dict:
    ref = ref or "x"
    axis = layout.get("xaxis" + ref[1:]) or {}
    over = axis.get("overlaying") if isinstance(axis, dict) else None
    if isinstance(over, str) and over.startswith("x") and over != ref:
        base = layout.get("xaxis" + over[1:]) or {}
        return {**base, "type": axis.get("type", base.get("type"))}
    return axis if isinstance(axis, dict) else {}


def _pixels(layout: dict, axis: dict, width: int, scale: float) -> int:
    """Device pixel columns of an x axis (an upper bound: automargins only shrink it)."""
    margin = layout.get("margin") or {}
    left = margin.get("l", _DEFAULT_MARGIN)
    right = margin.get("r", _DEFAULT_MARGIN)
    domain = axis.get("domain") or [0, 1]
    try:
        plot = max(float(width) - float(left) - float(right), 1.0)
        fraction = min(max(float(domain[1]) - float(domain[0]), 0.0), 1.0)
    except (TypeError, ValueError, IndexError):
        plot, fraction = float(width), 1.0
    return max(math.ceil(plot * fraction * float(scale)), 1)


def _reduce(trace: dict, layout: dict, width: int, scale: float) -> tuple[dict, int, int] | None:
    """``(reduced trace, kept, total)`` or None when the trace is drawn as it is."""
    if not isinstance(trace, dict) or not _is_line(trace):
        return None
    y = _numbers(trace.get("y"))
    if y is None:
        return None
    n = y.size
    axis = _axis(layout, trace.get("xaxis"))
    pixels = _pixels(layout, axis, width, scale)
    if n <= 4 * pixels:
        return None
    if "x" in trace:
        x = _numbers(trace["x"])
        if x is None or x.size != n:
            return None
    else:  # implied x: x0 + i * dx
        try:
            x = float(trace.get("x0", 0)) + float(trace.get("dx", 1)) * np.arange(n)
        except (TypeError, ValueError):
            return None
    log_x = axis.get("type") == "log"
    keep = np.isfinite(y)
    if not keep.all() and not trace.get("connectgaps", False):  # segments (e.g. many runs)
        idx = per_segment(x, y, lambda xs, ys: (
            np.arange(xs.size) if log_x and not (xs > 0).all()
            else m4_indices(xs, ys, pixels, log_x=log_x)))
        return None if idx is None or idx.size >= n else _taken(trace, x, y, idx)
    if not keep.all():
        x, y, trace = x[keep], y[keep], _taken(trace, x, y, np.flatnonzero(keep))[0]
    if x.size < 2 or not np.isfinite(x).all() or (log_x and not (x > 0).all()):
        return None
    if (np.diff(x) < 0).any():
        return None
    rng = axis.get("range")
    if (isinstance(rng, (list, tuple)) and len(rng) == 2
            and all(isinstance(v, (int, float)) for v in rng)):
        lo, hi = (np.log10(x[[0, -1]]) if log_x else x[[0, -1]])
        shown = abs(float(rng[1]) - float(rng[0]))
        if shown > 0:  # a zoomed axis: bins as narrow as its pixels
            pixels = max(pixels, math.ceil(pixels * float(hi - lo) / shown))
    idx = m4_indices(x, y, pixels, log_x=log_x)
    if idx.size >= n:
        return None
    return _taken(trace, x, y, idx)[0], int(idx.size), int(n)


def _taken(trace: dict, x: np.ndarray, y: np.ndarray, idx: np.ndarray) -> tuple[dict, int, int]:
    """``(trace at the rows idx, kept, total)``: x, y and every per-point array alike."""
    out = dict(trace)
    out["x"], out["y"] = x[idx], y[idx]
    out.pop("x0", None)
    out.pop("dx", None)
    for key in _HIDDEN_PER_POINT:
        value = trace.get(key)
        arr = typed_array(value) if isinstance(value, dict) else (
            np.asarray(value) if isinstance(value, (list, tuple, np.ndarray)) else None)
        if arr is not None:
            out[key] = arr[idx] if arr.ndim >= 1 and len(arr) == y.size else None
    return out, int(idx.size), int(y.size)


def decimate_figure(figure: dict, width: int, height: int, scale: float = 1) -> dict:
    """``figure`` with each long line trace reduced to M4 points per pixel column.

    Parameters
    ----------
    figure : dict
        A plotly figure dict (not modified).
    width, height : int
        Layout size in CSS pixels.
    scale : float
        Pixel density (an image is ``width*scale`` pixels wide).

    Returns
    -------
    dict
        ``figure`` itself when no trace is longer than the pixels it is drawn on; else a
        copy whose reduced traces keep every column's first, last, lowest and highest
        point, with a small note "drawn from N of M points, extremes kept".
    """
    del height  # columns are what matter; every row is kept by min and max
    traces = figure.get("data") or []
    layout = figure.get("layout") or {}
    if not isinstance(layout, dict):
        return figure
    data, kept, total, changed = [], 0, 0, False
    for trace in traces:
        reduced = _reduce(trace, layout, width, scale)
        if reduced is None:
            data.append(trace)
            continue
        data.append(reduced[0])
        kept += reduced[1]
        total += reduced[2]
        changed = True
    if not changed:
        return figure
    note = {"name": NOTE_NAME, "text": f"drawn from {kept:,} of {total:,} points, extremes kept",
            "xref": "paper", "yref": "paper", "x": 1, "y": 0, "xanchor": "right",
            "yanchor": "top", "yshift": -44, "showarrow": False,
            "font": {"size": 10, "color": "#777"}}
    annotations = [*list(layout.get("annotations") or []), note]
    return {**figure, "data": data, "layout": {**layout, "annotations": annotations}}
