"""Spread bands of a group's mean curve: sample SD, SEM or a t-based 95 % confidence interval."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..errors import ComparisonError
from ..processing import interpolate_values

__all__ = ["BANDS", "band_half_width", "check_band", "group_curves", "t_quantile"]

#: Band kinds and how legends and titles name them.
BANDS = {"sd": "±1 SD (sample, n−1)", "sem": "±1 SEM (SD/√n)",
         "ci95": "95% CI of the mean (Student t, n−1 df)", "none": "no band"}


def check_band(band: object) -> str:
    """``band`` if it is a known kind (None means "none"), else a ComparisonError."""
    band = "none" if band is None else band
    if not isinstance(band, str) or band not in BANDS:
        raise ComparisonError(f"Unknown band {band!r} for the group overlay.\n"
                              f"Use one of {', '.join(repr(b) for b in BANDS)} (or None).")
    return band


def _t_coverage(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with integer ``df`` (Abramowitz & Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    c2, s = math.cos(theta) ** 2, math.sin(theta)
    if df % 2 == 1:
        total, term = 0.0, 1.0
        for k in range(1, (df - 1) // 2 + 1):
            total += term
            term *= c2 * (2 * k) / (2 * k + 1)
        return 2.0 / math.pi * (theta + s * math.cos(theta) * total) if df > 1 \
            else 2.0 * theta / math.pi
    total, term = 0.0, 1.0
    for k in range(1, df // 2 + 1):
        total += term
        term *= c2 * (2 * k - 1) / (2 * k)
    return s * total


@lru_cache(maxsize=256)
def t_quantile(df: int, level: float = 0.95) -> float:
    """Two-sided Student t quantile: ``t`` with ``P(|T| <= t) = level`` (bisection)."""
    if df < 1:
        raise ValueError(f"A t quantile needs df >= 1, got {df}.")
    lo, hi = 0.0, 1.0
    while _t_coverage(hi, df) < level:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _t_coverage(mid, df) < level:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 0.5 * (lo + hi)


def band_half_width(Y: np.ndarray, band: str) -> np.ndarray:
    """Half width of the band around the mean of the rows of ``Y`` (members × epochs).

    ``"sd"``: the sample standard deviation ``s`` (ddof=1); ``"sem"``: ``s / sqrt(n)``;
    ``"ci95"``: ``t(0.975, n - 1) * s / sqrt(n)``. NaN when fewer than 2 members.
    """
    n = Y.shape[0]
    if n < 2 or band == "none":
        return np.full(Y.shape[1], np.nan)
    s = Y.std(axis=0, ddof=1)
    if band == "sd":
        return s
    sem = s / math.sqrt(n)
    return sem if band == "sem" else t_quantile(n - 1) * sem


def group_curves(curves: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """The members' curves on shared epochs: ``(x, Y)`` with ``Y`` members × epochs.

    Only finite values count. The epochs are those where every member has a value, when
    there are at least two; otherwise the first member's epochs inside the range all members
    cover, the others interpolated linearly there (never extrapolated).
    """
    finite = [(np.asarray(x, float)[np.isfinite(y)], np.asarray(y, float)[np.isfinite(y)])
              for x, y in curves]
    common = set(finite[0][0].tolist())
    for x, _ in finite[1:]:
        common &= set(x.tolist())
    if len(common) >= 2:
        grid = np.array(sorted(common))
        rows = []
        for x, y in finite:
            at = {e: v for e, v in zip(x.tolist(), y.tolist(), strict=True)}
            rows.append([at[e] for e in grid.tolist()])
        return grid, np.array(rows, dtype=float).reshape(len(finite), grid.size)
    if any(x.size == 0 for x, _ in finite):
        return np.zeros(0), np.zeros((len(finite), 0))
    lo, hi = max(x.min() for x, _ in finite), min(x.max() for x, _ in finite)
    first = np.unique(finite[0][0])
    grid = first[(first >= lo) & (first <= hi)]
    rows = [interpolate_values(x, y, grid)[1] for x, y in finite]
    return grid, np.array(rows, dtype=float).reshape(len(finite), grid.size)
