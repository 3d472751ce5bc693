"""Confidence intervals of scores: one function per number, used by every view and the report.

Methods (one per figure, named on it by :func:`interval_label`):

``"wilson"``
    Wilson score interval of a proportion; only for scores that are 0/1 per sample.
``"se"``
    ``mean ± z·SE`` with the metric's own standard error, or the CLT standard error of
    per-sample scores, ``sd(ddof=1) / sqrt(n)``.
``"clustered"``
    ``mean ± z·SE`` with the cluster-robust standard error of the mean (Miller, "Adding Error
    Bars to Evals", arXiv 2411.00640, appendix A) times the finite-cluster correction
    ``sqrt(G / (G - 1))``: ``sqrt(G/(G-1) · Σ_c (Σ_{i∈c} (s_i - mean))²) / n``. The
    correction is the one of inspect-ai's ``stderr(cluster=...)`` and of statsmodels'
    ``cov_type="cluster"`` (default ``use_correction=True``) on an intercept-only model, and
    with one sample per cluster it gives exactly the CLT standard error above.
``"none"``
    No interval (``ci=None``, or no standard error known).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from ..errors import EvalTableError, UsageError

__all__ = ["METHODS", "check_ci", "interval", "interval_label", "mean_stderr",
           "normal_interval", "score_to_float", "wilson_interval", "z_value"]

METHODS = ("wilson", "se", "clustered", "none")

#: inspect-ai's letter grades as numbers (its ``value_to_float``).
_GRADES = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}


def check_ci(ci: float | None) -> float | None:
    """``ci`` itself when it is None or a level strictly between 0 and 1.

    Raises
    ------
    UsageError
        Any other value (e.g. ``95`` for 95 %).
    """
    if ci is None:
        return None
    if isinstance(ci, bool) or not isinstance(ci, (int, float)) or not 0 < ci < 1:
        raise UsageError(f"ci must be a confidence level between 0 and 1, got {ci!r}.\n"
                         "Pass e.g. ci=0.95 (--ci 0.95), or ci=None for no intervals.")
    return float(ci)


def z_value(ci: float) -> float:
    """The two-sided normal quantile of a confidence level (0.95 -> 1.959963984540054)."""
    level = check_ci(ci)
    if level is None:
        raise UsageError("ci=None has no normal quantile.\nPass a level such as 0.95.")
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def interval_label(method: str, ci: float | None) -> str:
    """What the intervals of a figure are: ``"95 % Wilson"``, ``"95 % CI, ±1.96 SE"``,
    ``"95 % CI, clustered SE"``; ``""`` for ``"none"``."""
    if method == "none" or ci is None:
        return ""
    level = f"{ci * 100:.6g} %"
    if method == "wilson":
        return f"{level} Wilson"
    if method == "clustered":
        return f"{level} CI, clustered SE"
    return f"{level} CI, ±{z_value(ci):.2f} SE"


def wilson_interval(p: float | np.ndarray, n: float | np.ndarray,
                    ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``p`` observed over ``n`` samples.

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``; always inside [0, 1].

    Parameters
    ----------
    p : float or array
        Observed proportions in [0, 1].
    n : float or array
        Sample counts (> 0).
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    (lower, upper) : tuple of numpy.ndarray
    """
    z = z_value(ci)
    p = np.asarray(p, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = (z / denom) * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def normal_interval(value: float | np.ndarray, stderr: float | np.ndarray,
                    ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """``value ± z·stderr`` (a normal approximation)."""
    z = z_value(ci)
    value = np.asarray(value, dtype=np.float64)
    stderr = np.asarray(stderr, dtype=np.float64)
    return value - z * stderr, value + z * stderr


def mean_stderr(values: Sequence[float] | np.ndarray,
                clusters: Sequence[object] | np.ndarray | None = None,
                ) -> tuple[float, float, int, int]:
    """Mean of per-sample scores, its standard error, the sample and the cluster count.

    Without ``clusters`` every sample is its own cluster, which gives the CLT standard error
    ``sd(ddof=1) / sqrt(n)``; with them, the cluster-robust one (see the module docstring).
    The standard error is NaN with fewer than two clusters.

    Returns
    -------
    (mean, stderr, n, clusters) : tuple
    """
    s = np.asarray(values, dtype=np.float64)
    n = int(s.size)
    if n == 0:
        return math.nan, math.nan, 0, 0
    mean = float(s.mean())
    if clusters is None:
        sums = s - mean
    else:
        labels = np.asarray([str(c) for c in clusters], dtype=object)
        if labels.shape != s.shape:
            raise EvalTableError(f"{labels.size} cluster labels for {n} scores.\n"
                                 "Give one cluster label per score.")
        _, index = np.unique(labels, return_inverse=True)
        sums = np.bincount(index, weights=s - mean)
    g = int(sums.size)
    if g < 2:
        return mean, math.nan, n, g
    se = math.sqrt(float(np.sum(sums**2)) * g / (g - 1)) / n
    return mean, se, n, g


def score_to_float(value: object) -> float:
    """One per-sample score as a number: numbers and booleans as they are, inspect-ai's
    letter grades C/I/P/N as 1/0/0.5/0, text holding a number as that number; NaN when
    missing. Raises ``ValueError`` for anything else."""
    if value is None:
        return math.nan
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text in _GRADES:
            return _GRADES[text]
        if text == "":
            return math.nan
        return float(text)
    raise ValueError(f"not a score: {value!r}")


def interval(value: np.ndarray, stderr: np.ndarray | None, n: np.ndarray | None,
             method: str, ci: float | None = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds per score with one method for all of them.

    ``"wilson"`` needs ``n``; ``"se"`` and ``"clustered"`` need ``stderr``. A row missing
    what its method needs gets NaN bounds (no error bar); ``ci=None`` or ``"none"``: all NaN.
    """
    if method not in METHODS:
        raise EvalTableError(f"Unknown interval method {method!r}.\n"
                             f"Use one of: {', '.join(METHODS)}.")
    value = np.asarray(value, dtype=np.float64)
    lo = np.full(value.shape, np.nan)
    hi = np.full(value.shape, np.nan)
    if ci is None or method == "none":
        return lo, hi
    if method == "wilson":
        counts = np.asarray(n if n is not None else np.nan, dtype=np.float64) * np.ones_like(value)
        ok = np.isfinite(value) & np.isfinite(counts) & (counts > 0) & (value >= 0) & (value <= 1)
        if ok.any():
            lo[ok], hi[ok] = wilson_interval(value[ok], counts[ok], ci)
        return lo, hi
    se = np.asarray(stderr if stderr is not None else np.nan, dtype=np.float64) * np.ones_like(
        value)
    ok = np.isfinite(value) & np.isfinite(se)
    if ok.any():
        lo[ok], hi[ok] = normal_interval(value[ok], se[ok], ci)
    return lo, hi
