"""Confidence intervals of scores: Wilson score intervals for proportions, or stderr-based."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from ..errors import EvalTableError

__all__ = ["interval", "normal_interval", "wilson_interval", "z_value"]


def z_value(ci: float) -> float:
    """The two-sided normal quantile of a confidence level (0.95 -> 1.959963984540054)."""
    if isinstance(ci, bool) or not isinstance(ci, (int, float)) or not 0 < ci < 1:
        raise EvalTableError(f"ci must be a confidence level between 0 and 1, got {ci!r}.\n"
                             "Pass e.g. ci=0.95, or ci=None for no intervals.")
    return NormalDist().inv_cdf(0.5 + ci / 2.0)


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


def interval(value: np.ndarray, stderr: np.ndarray | None, n: np.ndarray | None,
             proportion: bool, ci: float | None = 0.95,
             method: str = "auto") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper bounds per score, and which rows used Wilson.

    ``method="auto"``: Wilson where the score is a proportion in [0, 1] with a known sample
    count, ``value ± z·stderr`` where a stderr is known, NaN otherwise. ``"wilson"`` and
    ``"stderr"`` force one kind (NaN where its inputs are missing); ``ci=None``: all NaN.
    """
    value = np.asarray(value, dtype=np.float64)
    lo = np.full(value.shape, np.nan)
    hi = np.full(value.shape, np.nan)
    used_wilson = np.zeros(value.shape, dtype=bool)
    if ci is None or ci is False:
        return lo, hi, used_wilson
    if method not in ("auto", "wilson", "stderr"):
        raise EvalTableError(f"Unknown interval method {method!r}.\n"
                             "Use 'auto', 'wilson' or 'stderr'.")
    if n is not None and method in ("auto", "wilson") and (proportion or method == "wilson"):
        counts = np.asarray(n, dtype=np.float64)
        ok = np.isfinite(value) & np.isfinite(counts) & (counts > 0) & (value >= 0) & (value <= 1)
        if ok.any():
            lo[ok], hi[ok] = wilson_interval(value[ok], counts[ok], ci)
            used_wilson = ok
    if stderr is not None and method in ("auto", "stderr"):
        se = np.asarray(stderr, dtype=np.float64)
        ok = ~used_wilson & np.isfinite(value) & np.isfinite(se)
        if ok.any():
            lo[ok], hi[ok] = normal_interval(value[ok], se[ok], ci)
    return lo, hi, used_wilson
