"""Per-frame figure transforms: the epoch label and locked axis ranges."""

from __future__ import annotations

import copy
import math

import numpy as np

from ..figures import axis_key, finite_numbers

LABEL_NAME = "vizwidget-epoch-label"
_CARTESIAN = {"scatter", "scattergl", "bar", "histogram", "box", "violin", "funnel",
              "waterfall", "candlestick", "ohlc", None}
_PAD = 0.05


def with_epoch_label(fig: dict, epoch: int, text: str | None = None) -> dict:
    """A copy of ``fig`` with an "epoch N" annotation in the top-right corner."""
    out = dict(fig)
    layout = dict(out.get("layout") or {})
    annotations = [a for a in layout.get("annotations") or () if a.get("name") != LABEL_NAME]
    annotations.append({
        "name": LABEL_NAME, "text": text or f"epoch {epoch}", "showarrow": False,
        "xref": "paper", "yref": "paper", "x": 1, "y": 1.0, "xanchor": "right",
        "yanchor": "bottom", "font": {"size": 16},
    })
    layout["annotations"] = annotations
    out["layout"] = layout
    return out


def axis_extents(fig: dict) -> dict[str, tuple[float, float]]:
    """Data extents per cartesian axis (``{"xaxis": (lo, hi), "yaxis2": ...}``).

    Log axes are measured in log10 units, as plotly's ``range`` expects.
    """
    layout = fig.get("layout") or {}
    extents: dict[str, tuple[float, float]] = {}
    for trace in fig.get("data") or ():
        if trace.get("type") not in _CARTESIAN:
            continue
        horizontal = trace.get("orientation") == "h"
        for letter in ("x", "y"):
            axis = axis_key(trace.get(f"{letter}axis") or letter)
            arr = finite_numbers(trace.get(letter))
            if arr is None:
                continue
            if trace.get("type") == "bar" and (letter == "x") == horizontal:
                arr = np.append(arr, 0.0)  # bars grow from zero
            if (layout.get(axis) or {}).get("type") == "log":
                arr = np.log10(arr[arr > 0])
                if not arr.size:
                    continue
            lo, hi = float(arr.min()), float(arr.max())
            if axis in extents:
                lo, hi = min(lo, extents[axis][0]), max(hi, extents[axis][1])
            extents[axis] = (lo, hi)
    for axis, spec in layout.items():  # explicit ranges set by the renderer count too
        if axis[1:5] == "axis" and isinstance(spec, dict) and spec.get("range"):
            arr = finite_numbers(spec["range"])
            if arr is not None and axis in extents:
                extents[axis] = (min(extents[axis][0], float(arr.min())),
                                 max(extents[axis][1], float(arr.max())))
    return extents


def merge_extents(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]]):
    """Union of two extent maps."""
    out = dict(a)
    for axis, (lo, hi) in b.items():
        out[axis] = (min(lo, out[axis][0]), max(hi, out[axis][1])) if axis in out else (lo, hi)
    return out


def padded_range(lo: float, hi: float) -> list[float]:
    """``[lo, hi]`` widened by 5 % of its span (or a little around a single value)."""
    span = hi - lo
    pad = _PAD * span if span > 0 else max(abs(lo) * _PAD, 0.5)
    return [lo - pad, hi + pad]


def with_ranges(fig: dict, extents: dict[str, tuple[float, float]]) -> dict:
    """A copy of ``fig`` whose axes use the given extents (padded), so they do not jump."""
    out = dict(fig)
    layout = copy.copy(out.get("layout") or {})
    for axis, (lo, hi) in extents.items():
        if not (math.isfinite(lo) and math.isfinite(hi)):
            continue
        spec = dict(layout.get(axis) or {})
        reversed_axis = spec.get("autorange") == "reversed"
        rng = padded_range(lo, hi)
        spec["range"] = rng[::-1] if reversed_axis else rng
        spec["autorange"] = False
        layout[axis] = spec
    out["layout"] = layout
    return out
