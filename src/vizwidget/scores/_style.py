"""Colours and titles shared by the eval-score views."""

from __future__ import annotations

import numpy as np


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
