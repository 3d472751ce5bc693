"""Curve processing: smoothing, outliers, normalisation and interpolation of ``(x, y)`` curves.

Every function is pure: it takes numpy arrays ``x`` (epochs) and ``y`` (values) and returns new
arrays. NaN in ``y`` means "missing" and is skipped by smoothing. The step factories (``ema``,
``rolling_mean``, ``gaussian``, ``drop_outliers``, ``mask_outliers``, ``normalize``,
``interpolate``) return callables ``(x, y) -> (x, y)`` that :class:`Pipeline` chains::

    pipe = Pipeline([drop_outliers("mad", 5), ema(0.6)])
    x2, y2 = pipe(epochs, loss)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .analysis import ema as debiased_ema
from .errors import UsageError

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


class ProcessingError(UsageError):
    """A processing step got an option it cannot use."""


_OUTLIER_METHODS = ("mad", "iqr")
_NORMALISATIONS = ("minmax", "zscore", "percentile")
#: The Gaussian kernel is cut at this many sigmas (scipy.ndimage's default ``truncate``).
TRUNCATE = 4.0
#: Point pairs evaluated at once by the non-uniform Gaussian (bounds its memory).
_PAIR_CHUNK = 1 << 22


def _number(step: str, name: str, value: object, valid: str,
            ok: Callable[[float], bool]) -> float:
    """``value`` as a float if it is a real number passing ``ok``, else a ProcessingError."""
    good = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))
    number = float(value) if good else math.nan  # type: ignore[arg-type]
    if not good or not math.isfinite(number) or not ok(number):
        raise ProcessingError(f"{step}: {name} must be {valid}, got {value!r}.\n"
                              f"Pass {name} as {valid}, e.g. {_EXAMPLES[step]}.")
    return number


def _choice(step: str, name: str, value: object, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ProcessingError(f"{step}: unknown {name} {value!r}.\nUse one of {listed}.")
    return value


_EXAMPLES = {"ema": "ema(0.6)", "rolling_mean": "rolling_mean(5)", "gaussian": "gaussian(50)",
             "drop_outliers": "drop_outliers('mad', 3.5)",
             "mask_outliers": "mask_outliers('iqr', 1.5)", "outlier_mask": "threshold=3.5"}


def _check_weight(weight: object) -> float:
    return _number("ema", "weight", weight, "a number in [0, 1)", lambda w: 0.0 <= w < 1.0)


def _check_window(window: object) -> int:
    w = _number("rolling_mean", "window", window, "a positive whole number",
                lambda w: w >= 1 and w == int(w))
    return int(w)


def _check_sigma(sigma: object) -> float:
    return _number("gaussian", "sigma", sigma, "a positive number of epochs", lambda s: s > 0)


def _check_outliers(step: str, method: object, threshold: object) -> tuple[str, float | None]:
    method = _choice(step, "outlier method", method, _OUTLIER_METHODS)
    if threshold is None:
        return method, None
    return method, _number(step, "threshold", threshold, "a number >= 0", lambda t: t >= 0)


def _values(y: Sequence[float | None] | np.ndarray) -> np.ndarray:
    """``y`` as a float64 array, ``None`` as NaN."""
    if isinstance(y, np.ndarray) and y.dtype != object:
        return np.array(y, dtype=np.float64)
    return np.array([np.nan if v is None else v for v in y], dtype=np.float64)


def _xy(x: Sequence[float] | np.ndarray, y: Sequence[float | None] | np.ndarray) -> Curve:
    xa = np.asarray(x, dtype=np.float64)
    ya = _values(y)
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
    weight = _check_weight(weight)
    values = _values(y)
    return np.where(np.isfinite(values), debiased_ema(values, weight), values)


def rolling_mean_values(y: Sequence[float | None] | np.ndarray, window: int = 5) -> np.ndarray:
    """Centred rolling mean of exactly ``window`` points, ignoring missing ones.

    Point ``i`` becomes the mean of the finite values among ``y[i - window // 2 :
    i + (window - 1) // 2 + 1]`` (an even window has one more point before ``i`` than
    after it), the semantics of pandas' ``rolling(window, center=True, min_periods=1)``.
    Windows are cut at the ends of the curve; missing (non-finite) points stay NaN.
    O(n) time and memory.
    """
    window = _check_window(window)
    values = _values(y)
    ok = np.isfinite(values)
    out = np.full_like(values, np.nan)
    if not ok.any():
        return out
    n = values.size
    shift = float(np.median(values[ok]))  # summing deviations keeps the prefix sums small
    dev = np.where(ok, values - shift, 0.0)
    sums = np.concatenate([[0.0], np.cumsum(dev)])
    counts = np.concatenate([[0], np.cumsum(ok)])
    i = np.arange(n)
    lo = np.maximum(i - window // 2, 0)
    hi = np.minimum(i + (window - 1) // 2 + 1, n)
    total, count = sums[hi] - sums[lo], counts[hi] - counts[lo]
    out[ok] = shift + total[ok] / count[ok]
    return out


def _convolve(a: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The centred part of ``a * kernel`` (odd kernel, zeros outside ``a``), direct or by FFT."""
    size = a.size + kernel.size - 1
    if a.size * kernel.size <= 1 << 24:
        full = np.convolve(a, kernel, mode="full")
    else:
        fast = 1 << (size - 1).bit_length()
        full = np.fft.irfft(np.fft.rfft(a, fast) * np.fft.rfft(kernel, fast), fast)[:size]
    half = kernel.size // 2
    return full[half: half + a.size]


def _uniform_step(xs: np.ndarray) -> float | None:
    """The spacing of sorted ``xs`` if it is uniform (to 1e-9 relative), else None."""
    if xs.size < 2:
        return 1.0
    gaps = np.diff(xs)
    step = float(gaps[0])
    if step > 0 and np.all(np.abs(gaps - step) <= 1e-9 * step):
        return step
    return None


def gaussian_values(x: np.ndarray, y: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian kernel smoothing in units of ``x`` (correct for non-uniform epochs).

    ``s_i = sum_j w_ij y_j / sum_j w_ij`` with ``w_ij = exp(-(x_i - x_j)^2 / (2 sigma^2))``
    over the finite ``y_j`` with ``|x_i - x_j| <= 4 sigma`` (the kernel is truncated at
    4 sigma, like scipy's ``gaussian_filter1d``). At the ends and around gaps the kernel is
    renormalised over the points that exist: no padding, no reflection. On evenly spaced
    epochs this equals ``gaussian_filter1d(y * m, s, mode="constant") /
    gaussian_filter1d(m, s, mode="constant")`` with ``m`` the finite mask and ``s`` sigma in
    steps. Missing (non-finite) points come out NaN.

    Evenly spaced epochs take O(n log n) time (a convolution); other epochs O(n k) time, k
    the number of points within 4 sigma, in O(n) memory.
    """
    sigma = _check_sigma(sigma)
    xa, ya = _xy(x, y)
    ok = np.isfinite(ya)
    out = np.full_like(ya, np.nan)
    if not ok.any():
        return out
    order = np.argsort(xa, kind="stable")
    xs, ys, oks = xa[order], np.where(ok, ya, 0.0)[order], ok[order]
    step = _uniform_step(xs)
    if step is not None:
        radius = min(int(TRUNCATE * sigma / step + 0.5), xs.size - 1)
        offsets = np.arange(-radius, radius + 1) * step
        kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
        num = _convolve(ys, kernel)
        den = _convolve(oks.astype(np.float64), kernel)
    else:
        num, den = _windowed(xs, ys, oks.astype(np.float64), sigma)
    smooth = np.empty_like(num)
    smooth[order] = num / np.where(den > 0, den, 1.0)
    out[ok] = smooth[ok]
    return out


def _windowed(xs: np.ndarray, ys: np.ndarray, mask: np.ndarray,
              sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Kernel sums over the 4-sigma window of each sorted ``xs``, in bounded chunks."""
    reach = TRUNCATE * sigma
    lo = np.searchsorted(xs, xs - reach, side="left")
    hi = np.searchsorted(xs, xs + reach, side="right")
    num, den = np.zeros(xs.size), np.zeros(xs.size)
    start = 0
    while start < xs.size:
        sizes = np.cumsum(hi[start:] - lo[start:])
        stop = start + max(1, int(np.searchsorted(sizes, _PAIR_CHUNK, side="right")))
        counts = hi[start:stop] - lo[start:stop]
        rows = np.repeat(np.arange(start, stop), counts)
        cols = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
        cols += np.repeat(lo[start:stop], counts)
        w = np.exp(-0.5 * ((xs[rows] - xs[cols]) / sigma) ** 2) * mask[cols]
        num[start:stop] = np.bincount(rows - start, w * ys[cols], stop - start)
        den[start:stop] = np.bincount(rows - start, w, stop - start)
        start = stop
    return num, den


# -- outliers ---------------------------------------------------------------------------------
def outlier_mask(y: Sequence[float | None] | np.ndarray, method: Literal["mad", "iqr"] = "mad",
                 threshold: float | None = None) -> np.ndarray:
    """Boolean mask of outliers among the finite values of ``y`` (NaN is never an outlier).

    ``"mad"``: ``|y - median| / (1.4826 * MAD) > threshold`` (default 3.5; MAD 0 flags
    nothing). ``"iqr"``: outside ``[Q1 - k*IQR, Q3 + k*IQR]`` with ``k = threshold``
    (default 1.5; quartiles by linear interpolation, numpy's default). ``threshold`` must be
    a finite number >= 0.
    """
    method, k = _check_outliers("outlier_mask", method, threshold)
    values = _values(y)
    ok = np.isfinite(values)
    mask = np.zeros(values.shape, dtype=bool)
    if not ok.any():
        return mask
    finite = values[ok]
    if method == "mad":
        k = 3.5 if k is None else k
        median = np.median(finite)
        mad = 1.4826 * np.median(np.abs(finite - median))
        if mad > 0:
            mask[ok] = np.abs(finite - median) / mad > k
    else:
        k = 1.5 if k is None else k
        q1, q3 = np.percentile(finite, [25, 75])
        spread = q3 - q1
        mask[ok] = (finite < q1 - k * spread) | (finite > q3 + k * spread)
    return mask


# -- normalisation ----------------------------------------------------------------------------
def normalize_values(y: Sequence[float | None] | np.ndarray,
                     method: Literal["minmax", "zscore", "percentile"] = "minmax") -> np.ndarray:
    """Rescale the finite values; missing (non-finite) points stay NaN.

    ``"minmax"``: to [0, 1]. ``"zscore"``: to mean 0 and standard deviation 1 (population,
    ``ddof=0``). ``"percentile"``: the fraction of the finite values ``<=`` each one, in
    (0, 1] (``scipy.stats.percentileofscore(kind="weak") / 100``; O(n log n)). A constant
    curve maps to 0 (minmax, zscore) or 1 (percentile).
    """
    method = _choice("normalize", "normalisation", method, _NORMALISATIONS)
    values = _values(y)
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
    else:
        at_most = np.searchsorted(np.sort(finite), finite, side="right")
        out[ok] = at_most / finite.size
    return out


# -- interpolation ----------------------------------------------------------------------------
def _grid(at: object) -> np.ndarray:
    try:
        grid = np.asarray(at, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ProcessingError(f"interpolate: at must be a list of epochs, got {at!r}.\n"
                              "Pass numbers, e.g. interpolate(at=[0, 100, 200]).") from err
    if grid.ndim != 1 or not np.isfinite(grid).all():
        raise ProcessingError(f"interpolate: at must be a flat list of finite epochs, got "
                              f"{at!r}.\nPass numbers, e.g. interpolate(at=[0, 100, 200]).")
    return grid


def interpolate_values(x: np.ndarray, y: np.ndarray,
                       at: Sequence[float] | np.ndarray | None = None) -> Curve:
    """Linear interpolation of missing values, or resampling onto the epochs ``at``.

    Without ``at``: NaN between two finite points is filled linearly in ``x``; NaN before the
    first or after the last finite point stays NaN. With ``at``: the curve at those epochs
    (NaN outside the observed range, never extrapolated).
    """
    xa, ya = _xy(x, y)
    ok = np.isfinite(ya)
    target = xa if at is None else _grid(at)
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
    """Step: :func:`ema_values` (TensorBoard's debiased EMA); ``weight`` in [0, 1)."""
    w = _check_weight(weight)
    return _Step(f"ema({weight})", lambda x, y: (x, ema_values(y, w)))


def rolling_mean(window: int = 5) -> _Step:
    """Step: :func:`rolling_mean_values` (centred, exactly ``window`` points)."""
    w = _check_window(window)
    return _Step(f"rolling_mean({window})", lambda x, y: (x, rolling_mean_values(y, w)))


def gaussian(sigma: float) -> _Step:
    """Step: :func:`gaussian_values` with ``sigma`` (> 0) in epochs."""
    s = _check_sigma(sigma)
    return _Step(f"gaussian({sigma})", lambda x, y: (x, gaussian_values(x, y, s)))


def drop_outliers(method: Literal["mad", "iqr"] = "mad", threshold: float | None = None) -> _Step:
    """Step: remove the points :func:`outlier_mask` flags (x and y shrink together)."""
    method, k = _check_outliers("drop_outliers", method, threshold)

    def step(x: np.ndarray, y: np.ndarray) -> Curve:
        keep = ~outlier_mask(y, method, k)  # type: ignore[arg-type]
        return x[keep], y[keep]

    return _Step(f"drop_outliers({method!r}, {threshold})", step)


def mask_outliers(method: Literal["mad", "iqr"] = "mad", threshold: float | None = None) -> _Step:
    """Step: set the points :func:`outlier_mask` flags to NaN (a gap; x unchanged)."""
    method, k = _check_outliers("mask_outliers", method, threshold)

    def step(x: np.ndarray, y: np.ndarray) -> Curve:
        out = y.copy()
        out[outlier_mask(y, method, k)] = np.nan  # type: ignore[arg-type]
        return x, out

    return _Step(f"mask_outliers({method!r}, {threshold})", step)


def normalize(method: Literal["minmax", "zscore", "percentile"] = "minmax") -> _Step:
    """Step: :func:`normalize_values`."""
    method = _choice("normalize", "normalisation", method, _NORMALISATIONS)
    return _Step(f"normalize({method!r})",
                 lambda x, y: (x, normalize_values(y, method)))  # type: ignore[arg-type]


def interpolate(at: Sequence[float] | None = None) -> _Step:
    """Step: :func:`interpolate_values` (fill gaps, or resample onto the epochs ``at``)."""
    grid = None if at is None else _grid(at)
    return _Step("interpolate()" if grid is None else f"interpolate({len(grid)} epochs)",
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
