"""Colours and titles shared by the eval-score views."""

from __future__ import annotations

import numpy as np

from ..colors import translucent

#: Colour-blind friendly palette (Okabe-Ito), the one the training renderers use.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")


def color(i: int) -> str:
    """The ``i``-th palette colour (cycling)."""
    return PALETTE[i % len(PALETTE)]


def band_color(i: int, alpha: float = 0.18) -> str:
    """The ``i``-th palette colour as a translucent ``rgba()`` for CI bands."""
    return translucent(color(i), alpha)


def title(text: str, epoch: int | None = None, latest: bool = False) -> dict:
    """A figure title, with the checkpoint epoch (or "latest checkpoint") appended."""
    if epoch is not None:
        text = f"{text} — epoch {epoch}"
    elif latest:
        text = f"{text} — latest checkpoint"
    return {"text": text}


def axis_title(label: str, interval: str) -> str:
    """A value axis title naming the figure's interval: ``"accuracy (95 % Wilson)"``."""
    return f"{label} ({interval})" if interval else label


def error_bars(score: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> dict | None:
    """Asymmetric plotly error bars from interval bounds (None when there are none)."""
    if not np.isfinite(lo).any():
        return None
    return {"type": "data", "symmetric": False, "array": np.nan_to_num(hi - score),
            "arrayminus": np.nan_to_num(score - lo), "visible": True, "thickness": 1.2}
