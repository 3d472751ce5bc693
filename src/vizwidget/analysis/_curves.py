"""Smoothing of training curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ema(values: Sequence[float | None], smoothing: float = 0.6) -> np.ndarray:
    """Exponential moving average debiased from zero, as TensorBoard smooths scalars.

    ``s_n = smoothing * s_{n-1} + (1 - smoothing) * x_n`` with ``s_0 = 0``, and the output is
    ``s_n / (1 - smoothing**n)``, where ``n`` counts the non-missing values so far. The
    division removes the pull towards 0 of the zero start, so the first output equals the
    first value. None/NaN/Inf entries stay NaN in the output and neither reset the average
    nor count towards ``n``.

    Parameters
    ----------
    values : sequence of float or None
        The raw curve.
    smoothing : float, default 0.6
        In ``[0, 1)``; 0 returns the values unchanged.

    Returns
    -------
    numpy.ndarray
        Float array of the same length.
    """
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}.")
    x = np.array(values, dtype=np.float64)  # None becomes NaN
    if smoothing == 0.0:
        return np.where(np.isfinite(x), x, np.nan)
    out = np.full_like(x, np.nan)
    acc, n = 0.0, 0
    for i, v in enumerate(x):
        if not np.isfinite(v):
            continue
        n += 1
        acc = smoothing * acc + (1.0 - smoothing) * v
        out[i] = acc / (1.0 - smoothing**n)
    return out
