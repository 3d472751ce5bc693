"""Curve processing: smoothing, outliers, normalisation and interpolation of ``(x, y)`` curves.

Every function is pure: it takes numpy arrays ``x`` (epochs) and ``y`` (values) and returns new
arrays. NaN in ``y`` means "missing" and is skipped by smoothing. The step factories (``ema``,
``rolling_mean``, ``gaussian``, ``drop_outliers``, ``mask_outliers``, ``normalize``,
``interpolate``) return callables ``(x, y) -> (x, y)`` that :class:`Pipeline` chains::

    pipe = Pipeline([drop_outliers("mad", 5), ema(0.6)])
    x2, y2 = pipe(epochs, loss)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .analysis import ema as debiased_ema
from .errors import VizWidgetError

__all__ = [
    "Pipeline",
    "ProcessingError",
    "Step",
    "as_pipeline",
    "drop_outliers",
    "ema",
    "ema_values",
    "gaussian",
    "gaussian_values",
    "interpolate",
    "interpolate_values",
    "mask_outliers",
    "normalize",
    "normalize_values",
    "outlier_mask",
    "rolling_mean",
    "rolling_mean_values",
]

Curve = tuple[np.ndarray, np.ndarray]
Step = Callable[[np.ndarray, np.ndarray], Curve]


class ProcessingError(VizWidgetError, ValueError):
    """A processing step got an option it cannot use."""


def _xy(x: Sequence[float] | np.ndarray, y: Sequence[float | None] | np.ndarray) -> Curve:
    xa = np.asarray(x, dtype=np.float64)
    ya = np.array([np.nan if v is None else v for v in y], dtype=np.float64)
    if xa.shape != ya.shape or xa.ndim != 1:
        raise ProcessingError(f"x and y must be 1-D and of equal length, got shapes {xa.shape} "
                              f"and {ya.shape}.\nPass one epoch per value.")
    return xa, ya


# -- smoothing --------------------------------------------------------------------------------
def ema_values(y: Sequence[float | None] | np.ndarray, weight: float = 0.6) -> np.ndarray:
    """TensorBoard's zero-debiased exponential moving average.

    ``m_t = weight * m_{t-1} + (1 - weight) * y_t`` from ``m = 0``, divided by
    ``1 - weight ** n`` (``n`` = finite values seen so far), so the start is not pulled to 0.
    Non-finite values stay as they are and do not advance the average.

    Parameters
    ----------
    y : array-like
        The raw curve.
    weight : float in [0, 1)
        Smoothing weight; 0 returns ``y`` unchanged.

    Returns
    -------
    numpy.ndarray
    """
    if not 0.0 <= weight < 1.0:
        raise ProcessingError(f"EMA weight must be in [0, 1), got {weight!r}.\n"
                              "Pass e.g. ema(0.6); 0 turns smoothing off.")
    values = np.array([np.nan if v is None else v for v in y], dtype=np.float64)
    return np.where(np.isfinite(values), debiased_ema(values, weight), values)


def rolling_mean_values(y: Sequence[float | None] | np.ndarray, window: int = 5) -> np.ndarray:
    """Centred rolling mean over ``window`` points, ignoring NaN; windows shrink at the ends.

    Point ``i`` becomes the mean of the finite values among ``y[i - h : i + h + 1]`` with
    ``h = window // 2``; missing points stay NaN.
    """
    if isinstance(window, bool) or int(window) != window or window < 1:
        raise ProcessingError(f"window must be a positive integer, got {window!r}.\n"
                              "Pass e.g. rolling_mean(5).")
    values = np.array([np.nan if v is None else v for v in y], dtype=np.float64)
    half = int(window) // 2
    out = np.full_like(values, np.nan)
    for i in range(len(values)):
        if not np.isfinite(values[i]):
            continue
        part = values[max(0, i - half): i + half + 1]
        out[i] = part[np.isfinite(part)].mean()
    return out


def gaussian_values(x: np.ndarray, y: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian kernel smoothing in units of ``x`` (correct for non-uniform epochs).

    ``s_i = sum_j w_ij y_j / sum_j w_ij`` with ``w_ij = exp(-(x_i - x_j)^2 / (2 sigma^2))`` over
    finite ``y_j``; missing points stay NaN.
    """
    if not sigma > 0:
        raise ProcessingError(f"sigma must be positive (in epochs), got {sigma!r}.\n"
                              "Pass e.g. gaussian(50) for a 50-epoch kernel.")
    xa, ya = _xy(x, y)
    ok = np.isfinite(ya)
    out = np.full_like(ya, np.nan)
    if ok.any():
        w = np.exp(-((xa[ok, None] - xa[None, ok]) ** 2) / (2.0 * sigma**2))
        out[ok] = (w @ ya[ok]) / w.sum(axis=1)
    return out


# -- outliers ---------------------------------------------------------------------------------
def outlier_mask(y: Sequence[float | None] | np.ndarray, method: Literal["mad", "iqr"] = "mad",
                 threshold: float | None = None) -> np.ndarray:
    """Boolean mask of outliers among the finite values of ``y`` (NaN is never an outlier).

    ``"mad"``: ``|y - median| / (1.4826 * MAD) > threshold`` (default 3.5; MAD 0 flags
    nothing). ``"iqr"``: outside ``[Q1 - k*IQR, Q3 + k*IQR]`` with ``k = threshold``
    (default 1.5; quartiles by linear interpolation, numpy's default).
    """
    values = np.array([np.nan if v is None else v for v in y], dtype=np.float64)
    ok = np.isfinite(values)
    mask = np.zeros(values.shape, dtype=bool)
    if not ok.any():
        return mask
    finite = values[ok]
    if method == "mad":
        k = 3.5 if threshold is None else float(threshold)
        median = np.median(finite)
        mad = 1.4826 * np.median(np.abs(finite - median))
        if mad > 0:
            mask[ok] = np.abs(finite - median) / mad > k
    elif method == "iqr":
        k = 1.5 if threshold is None else float(threshold)
        q1, q3 = np.percentile(finite, [25, 75])
        spread = q3 - q1
        mask[ok] = (finite < q1 - k * spread) | (finite > q3 + k * spread)
    else:
        raise ProcessingError(f"Unknown outlier method {method!r}.\nUse 'mad' or 'iqr'.")
    return mask


# -- normalisation ----------------------------------------------------------------------------
def normalize_values(y: Sequence[float | None] | np.ndarray,
                     method: Literal["minmax", "zscore", "percentile"] = "minmax") -> np.ndarray:
    """Rescale the finite values: ``"minmax"`` to [0, 1], ``"zscore"`` to mean 0 and standard
    deviation 1 (population), ``"percentile"`` to the fraction of values ``<=`` each one
    (ties share the mean rank). A constant curve maps to 0 (minmax, zscore) or 1 (percentile).
    """
    values = np.array([np.nan if v is None else v for v in y], dtype=np.float64)
    ok = np.isfinite(values)
    out = np.full_like(values, np.nan)
    finite = values[ok]
    if finite.size == 0:
        return out
    if method == "minmax":
        span = finite.max() - finite.min()
        out[ok] = (finite - finite.min()) / span if span > 0 else 0.0
    elif method == "zscore":
        std = finite.std()
        out[ok] = (finite - finite.mean()) / std if std > 0 else 0.0
    elif method == "percentile":
        less = (finite[None, :] < finite[:, None]).sum(axis=1)
        equal = (finite[None, :] == finite[:, None]).sum(axis=1)
        out[ok] = (less + (equal + 1) / 2.0) / finite.size
    else:
        raise ProcessingError(f"Unknown normalisation {method!r}.\n"
                              "Use 'minmax', 'zscore' or 'percentile'.")
    return out


# -- interpolation ----------------------------------------------------------------------------
def interpolate_values(x: np.ndarray, y: np.ndarray,
                       at: Sequence[float] | np.ndarray | None = None) -> Curve:
    """Linear interpolation of missing values, or resampling onto the epochs ``at``.

    Without ``at``: NaN between two finite points is filled linearly in ``x``; NaN before the
    first or after the last finite point stays NaN. With ``at``: the curve at those epochs
    (NaN outside the observed range, never extrapolated).
    """
    xa, ya = _xy(x, y)
    ok = np.isfinite(ya)
    target = xa if at is None else np.asarray(at, dtype=np.float64)
    out = np.full(target.shape, np.nan)
    if ok.sum() >= 1:
        xs, ys = xa[ok], ya[ok]
        order = np.argsort(xs, kind="stable")
        xs, ys = xs[order], ys[order]
        inside = (target >= xs[0]) & (target <= xs[-1])
        out[inside] = np.interp(target[inside], xs, ys)
    return target.copy(), out


# -- steps and pipelines ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Step:
    """A named ``(x, y) -> (x, y)`` step; the name shows in reprs and legends."""

    name: str
    fn: Step

    def __call__(self, x: np.ndarray, y: np.ndarray) -> Curve:
        xa, ya = _xy(x, y)
        return self.fn(xa, ya)

    def __repr__(self) -> str:
        return self.name


def ema(weight: float = 0.6) -> _Step:
    """Step: :func:`ema_values` (TensorBoard's debiased EMA)."""
    ema_values([], weight)  # validate now, not at the first curve
    return _Step(f"ema({weight})", lambda x, y: (x, ema_values(y, weight)))


def rolling_mean(window: int = 5) -> _Step:
    """Step: :func:`rolling_mean_values`."""
    rolling_mean_values([], window)
    return _Step(f"rolling_mean({window})", lambda x, y: (x, rolling_mean_values(y, window)))


def gaussian(sigma: float) -> _Step:
    """Step: :func:`gaussian_values` with ``sigma`` in epochs."""
    gaussian_values(np.zeros(0), np.zeros(0), sigma)
    return _Step(f"gaussian({sigma})", lambda x, y: (x, gaussian_values(x, y, sigma)))


def drop_outliers(method: Literal["mad", "iqr"] = "mad", threshold: float | None = None) -> _Step:
    """Step: remove the points :func:`outlier_mask` flags (x and y shrink together)."""
    outlier_mask([], method, threshold)

    def step(x: np.ndarray, y: np.ndarray) -> Curve:
        keep = ~outlier_mask(y, method, threshold)
        return x[keep], y[keep]

    return _Step(f"drop_outliers({method!r}, {threshold})", step)


def mask_outliers(method: Literal["mad", "iqr"] = "mad", threshold: float | None = None) -> _Step:
    """Step: set the points :func:`outlier_mask` flags to NaN (a gap; x unchanged)."""
    outlier_mask([], method, threshold)

    def step(x: np.ndarray, y: np.ndarray) -> Curve:
        out = y.copy()
        out[outlier_mask(y, method, threshold)] = np.nan
        return x, out

    return _Step(f"mask_outliers({method!r}, {threshold})", step)


def normalize(method: Literal["minmax", "zscore", "percentile"] = "minmax") -> _Step:
    """Step: :func:`normalize_values`."""
    normalize_values([], method)
    return _Step(f"normalize({method!r})", lambda x, y: (x, normalize_values(y, method)))


def interpolate(at: Sequence[float] | None = None) -> _Step:
    """Step: :func:`interpolate_values` (fill gaps, or resample onto the epochs ``at``)."""
    grid = None if at is None else np.asarray(at, dtype=np.float64)
    return _Step("interpolate()" if at is None else f"interpolate({len(grid)} epochs)",
                 lambda x, y: interpolate_values(x, y, grid))


class Pipeline:
    """Steps applied in order: ``Pipeline([drop_outliers("mad", 5), ema(0.6)])(x, y)``.

    Parameters
    ----------
    steps : iterable of callables
        Each ``(x, y) -> (x, y)``; the factories of this module, or your own functions.
    """

    def __init__(self, steps: Iterable[Step] = ()) -> None:
        self.steps = tuple(steps)
        bad = [s for s in self.steps if not callable(s)]
        if bad:
            raise ProcessingError(f"Pipeline steps must be callables (x, y) -> (x, y), got "
                                  f"{type(bad[0]).__name__}.\nUse e.g. Pipeline([ema(0.6)]).")

    def __call__(self, x: Sequence[float] | np.ndarray,
                 y: Sequence[float | None] | np.ndarray) -> Curve:
        xa, ya = _xy(x, y)
        for step in self.steps:
            xa, ya = _xy(*step(xa, ya))
        return xa, ya

    def __repr__(self) -> str:
        return f"Pipeline([{', '.join(map(repr, self.steps))}])"

    def __len__(self) -> int:
        return len(self.steps)


def as_pipeline(processing: Pipeline | Step | Iterable[Step] | None) -> Pipeline | None:
    """A Pipeline from a Pipeline, one step, a list of steps, or None."""
    if processing is None or isinstance(processing, Pipeline):
        return processing
    if callable(processing):
        return Pipeline([processing])
    return Pipeline(processing)
