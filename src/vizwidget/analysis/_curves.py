"""Smoothing of training curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ema(values: Sequence[float | None], smoothing: float = 0.6) -> np.ndarray:
    """Exponential moving average, TensorBoard style, skipping missing values.

    ``s_t = smoothing * s_{t-1} + (1 - smoothing) * x_t``, with ``s_0 = x_0``. None/NaN
    entries stay NaN in the output and do not reset the average.

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
    x = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    out = np.full_like(x, np.nan)
    last = None
    for i, v in enumerate(x):
        if np.isnan(v):
            continue
        last = v if last is None else smoothing * last + (1.0 - smoothing) * v
        out[i] = last
    return out
