"""Level of detail: pick which points of a large trace to draw, as indices into the full data.

Pure numpy (``tsdownsample`` is used for line traces when installed: ``vizwidget[lod]``).
Every function returns sorted ``int64`` indices, so callers keep an index map from the drawn
points back to the full data (events report full-data indices).

- Line-like traces with sorted ``x``: min/max-preserving down-sampling (MinMaxLTTB when
  ``tsdownsample`` is available, else the min and max of equal-width buckets). The first and
  last point and each bucket's extremes survive, so peaks never vanish.
- Lines of several segments (many runs in one trace, a NaN row between them): each
  segment on its own (:func:`per_segment`), the NaN rows kept, so no two runs are joined.
- Point clouds (markers, unsorted ``x``): every outlier (a value more than
  :data:`OUTLIER_MADS` robust standard deviations from the median, in ``x`` or ``y``), the
  global extremes, and a stratified sample of the rest over a grid, at least one point per
  non-empty cell, so sparse regions stay visible and dense ones keep their density.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import UsageError

#: Default number of points a down-sampled trace keeps.
DEFAULT_N_OUT = 20_000
#: A value is an outlier when |v - median| > OUTLIER_MADS * 1.4826 * MAD.
OUTLIER_MADS = 4.0
#: Grid cells per side for the stratified sample of a point cloud.
GRID = 64

__all__ = ["DEFAULT_N_OUT", "OUTLIER_MADS", "cloud_sample", "in_range", "is_sorted",
           "lod_indices", "minmax_sample", "outliers", "per_segment", "segments"]


def is_sorted(x: np.ndarray) -> bool:
    """True when ``x`` is non-decreasing (NaN-free)."""
    return x.size < 2 or bool(np.all(x[1:] >= x[:-1]))


def _extremes(*arrays: np.ndarray) -> np.ndarray:
    """Indices of the global min and max of each array (NaN ignored)."""
    out = []
    for a in arrays:
        if a.size and np.isfinite(a).any():
            out += [int(np.nanargmin(a)), int(np.nanargmax(a))]
    return np.asarray(out, dtype=np.int64)


def minmax_sample(x: np.ndarray, y: np.ndarray, n_out: int) -> np.ndarray:
    """About ``n_out`` indices of a line with sorted ``x``: each bucket's min and max of y."""
    n = y.size
    if n <= n_out:
        return np.arange(n, dtype=np.int64)
    try:
        from tsdownsample import MinMaxLTTBDownsampler

        idx = MinMaxLTTBDownsampler().downsample(np.ascontiguousarray(x),
                                                 np.ascontiguousarray(y), n_out=n_out)
        idx = np.asarray(idx, dtype=np.int64)
    except ImportError:
        buckets = max(n_out // 2 - 1, 1)
        edges = np.linspace(0, n, buckets + 1).astype(np.int64)
        starts, sizes = edges[:-1], np.diff(edges)
        keep = starts[sizes > 0]
        yy = np.where(np.isnan(y), np.inf, y)
        lo = np.minimum.reduceat(yy, keep)
        mins = _first_match(yy, keep, lo)
        yy = np.where(np.isnan(y), -np.inf, y)
        hi = np.maximum.reduceat(yy, keep)
        maxs = _first_match(yy, keep, hi)
        idx = np.concatenate([mins, maxs])
    return np.unique(np.concatenate([idx, [0, n - 1], _extremes(y)]))


def _first_match(values: np.ndarray, starts: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per bucket (from ``starts``), the first index whose value equals the bucket's target."""
    bucket = np.repeat(np.arange(starts.size), np.diff(np.append(starts, values.size)))
    hit = np.flatnonzero(values == targets[bucket])
    first = np.unique(bucket[hit], return_index=True)[1]
    return hit[first].astype(np.int64)


def outliers(v: np.ndarray, mads: float = OUTLIER_MADS) -> np.ndarray:
    """Boolean mask of values more than ``mads`` robust standard deviations from the median."""
    finite = np.isfinite(v)
    if not finite.any():
        return np.zeros(v.shape, dtype=bool)
    med = np.median(v[finite])
    scale = 1.4826 * np.median(np.abs(v[finite] - med))
    if scale == 0:
        return finite & (v != med)
    return finite & (np.abs(v - med) > mads * scale)


def cloud_sample(x: np.ndarray, y: np.ndarray, n_out: int, seed: int = 0) -> np.ndarray:
    """Indices of a point cloud: all outliers, the extremes, a stratified sample of the rest.

    The rest is sampled per grid cell with probability ``budget / n`` (so each cell keeps its
    share of the points and dense regions stay dense), plus the first point of every
    non-empty cell, so sparse regions stay visible. Linear time: no sort of the cloud.
    """
    n = y.size
    if n <= n_out:
        return np.arange(n, dtype=np.int64)
    keep = outliers(x) | outliers(y)
    fixed = np.concatenate([np.flatnonzero(keep), _extremes(x, y)])
    rest = np.flatnonzero(~keep & np.isfinite(x) & np.isfinite(y))
    budget = max(n_out - fixed.size, 0)
    if budget and rest.size:
        cells = _cells(x[rest], y[rest])
        first = np.full(GRID * GRID, -1, dtype=np.int64)
        first[cells[::-1]] = np.arange(rest.size - 1, -1, -1)  # the first point of each cell
        firsts = first[first >= 0]
        share = max(budget - firsts.size, 0) / rest.size
        drawn = np.random.default_rng(seed).random(rest.size) < share
        fixed = np.concatenate([fixed, rest[firsts], rest[drawn]])
    return np.unique(fixed).astype(np.int64)


def _cells(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Grid cell number of each point over the points' bounding box."""
    def bins(v: np.ndarray) -> np.ndarray:
        lo, hi = float(v.min()), float(v.max())
        if hi <= lo:
            return np.zeros(v.size, dtype=np.int64)
        return np.minimum(((v - lo) / (hi - lo) * GRID).astype(np.int64), GRID - 1)
    return bins(x) * GRID + bins(y)


def in_range(x: np.ndarray, y: np.ndarray, xrange: Any = None, yrange: Any = None
             ) -> np.ndarray:
    """Indices of the points inside ``xrange`` and ``yrange`` (either may be None)."""
    mask = np.ones(y.size, dtype=bool)
    for v, r in ((x, xrange), (y, yrange)):
        if r is not None:
            lo, hi = sorted(float(b) for b in r)
            mask &= (v >= lo) & (v <= hi)
    return np.flatnonzero(mask).astype(np.int64)


def lod_indices(x: np.ndarray, y: np.ndarray, n_out: int = DEFAULT_N_OUT, *,
                lines: bool | None = None, xrange: Any = None, yrange: Any = None
                ) -> np.ndarray:
    """Indices (into the full data) of the points to draw for the visible range.

    ``lines`` None decides by the data: sorted ``x`` is a line, anything else a cloud.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    line = is_sorted(x) if lines is None else (lines and is_sorted(x))
    if xrange is None and yrange is None:
        visible = None
    elif line and yrange is None:
        lo, hi = sorted(float(b) for b in xrange)
        visible = np.arange(np.searchsorted(x, lo, "left"), np.searchsorted(x, hi, "right"))
    else:
        visible = in_range(x, y, xrange, yrange)
    xs, ys = (x, y) if visible is None else (x[visible], y[visible])
    pick = minmax_sample(xs, ys, n_out) if line else cloud_sample(xs, ys, n_out)
    return pick if visible is None else visible[pick].astype(np.int64)


def segments(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and stops (exclusive) of the runs of rows where both ``x`` and ``y`` are finite.

    Raises
    ------
    UsageError
        When ``x`` and ``y`` are not 1-D arrays of one length.
    """
    if np.ndim(x) != 1 or np.shape(x) != np.shape(y):
        raise UsageError(f"x and y must be 1-D and of one length, got shapes {np.shape(x)} "
                         f"and {np.shape(y)}.\nPass one y value per x value.")
    ok = np.isfinite(x) & np.isfinite(y)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(np.int8), [0]])))
    return edges[0::2], edges[1::2]


def per_segment(x: np.ndarray, y: np.ndarray,
                pick: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray | None:
    """The rows ``pick(x_seg, y_seg)`` keeps of each segment, and every row between segments.

    Returns None when a segment's ``x`` is not sorted (it is no line over x).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    starts, stops = segments(x, y)
    out = [np.flatnonzero(~(np.isfinite(x) & np.isfinite(y)))]
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        if not is_sorted(x[a:b]):
            return None
        out.append(a + np.asarray(pick(x[a:b], y[a:b]), dtype=np.int64))
    return np.unique(np.concatenate(out)).astype(np.int64)
