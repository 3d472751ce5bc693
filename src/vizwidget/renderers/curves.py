"""Training curve renderer (reads the ``metrics`` analyzer: rows of metrics.json)."""

from __future__ import annotations

import re

import numpy as np

from ..analysis import ema
from ..colors import assign_colors
from ..figures import axis_key
from ..processing import Pipeline, Step, as_pipeline
from ..registry import register_renderer
from ._common import default_template, epoch_marker_dict, title

#: A column goes to a panel when one of the words of its name is one of the panel's words.
_PANELS = {"loss": {"loss"}, "accuracy": {"acc", "accuracy"}}


def _words(name: str) -> set[str]:
    """Lower-case words of a column name: split at non-alphanumerics and camelCase humps.

    ``"test_acc"`` -> {test, acc}; ``"valAccuracy"`` -> {val, accuracy};
    ``"accumulated_loss"`` -> {accumulated, loss} (so it is a loss, not an accuracy).
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w}


def _names(snapshots: list[dict]) -> list[str]:
    """Every column name of the rows, in first-seen order (rows share their keys mostly)."""
    names: dict[str, None] = {}
    for keys in dict.fromkeys(map(tuple, snapshots)):
        names.update(dict.fromkeys(keys))
    names.pop("epoch", None)
    return list(names)


def _columns(names: list[str], kind: str) -> list[str]:
    return [n for n in names if _words(n) & _PANELS[kind]]


def _accuracy_range(values: list[np.ndarray]) -> list[float] | None:
    """Fixed y range of the accuracy panel: fractions, percentages, or None (autorange)."""
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.zeros(0)
    if finite.size == 0 or (finite.min() >= 0 and finite.max() <= 1):
        return [-0.02, 1.02]
    if finite.min() >= 0 and finite.max() <= 100:
        return [-2.0, 102.0]
    return None


@register_renderer(
    "training_curves", kind="cross_epoch", analyzer="metrics", metrics="both", log_y=True,
    smoothing=0.0,
    description="Train/test loss and accuracy over epochs, optional EMA smoothing (debiased "
    "from zero, as TensorBoard smooths).",
)
def training_curves(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    metrics: str = "both", log_y: bool = True, smoothing: float = 0.0,
    processing: Pipeline | Step | list[Step] | None = None,
) -> dict:
    """Loss (log-y by default) and accuracy columns of the metrics table against epoch.

    Returns a plain figure dict (one row of panels, laid out as ``make_subplots`` would):
    built without plotly's validation, it costs a millisecond for a short run, so overlays
    of a thousand runs stay fast.

    Parameters
    ----------
    metrics : {"both", "loss", "accuracy"}
        Which panels to draw: columns with the word ``loss`` / ``acc`` or ``accuracy`` in
        their name (words split at ``_``, ``/``, ``-``, ``.``, spaces and camelCase).
    log_y : bool
        Log scale for the loss panel.
    smoothing : float in [0, 1)
        EMA smoothing debiased from zero (see :func:`vizwidget.analysis.ema`); the raw curve
        is drawn faintly behind the smoothed one.
    processing : vizwidget.processing.Pipeline, step or list of steps, optional
        Applied to each curve ``(epochs, values)`` before the EMA, e.g.
        ``Pipeline([drop_outliers("mad", 5), gaussian(50)])``.

    Notes
    -----
    The accuracy panel spans [0, 1] for fractions, [0, 100] when a value exceeds 1 (percent),
    and autoranges otherwise.
    """
    pipeline = as_pipeline(processing)
    if metrics not in ("both", *_PANELS):
        raise ValueError(f"Unknown metrics {metrics!r}.\nUse one of: both, loss, accuracy.")
    panels = list(_PANELS) if metrics == "both" else [metrics]
    layout, data = _subplots(panels), []  # a plain figure dict: cheap for 1,000 runs too
    names = _names(snapshots)
    colors = assign_colors(n for panel in panels for n in _columns(names, panel))
    spans: list[np.ndarray] = []
    epoch_array = np.asarray(epochs)  # shared by the traces (nothing writes into it)
    for col, panel in enumerate(panels, start=1):
        axes = {"xaxis": f"x{col if col > 1 else ''}", "yaxis": f"y{col if col > 1 else ''}"}
        raws = []
        for name in _columns(names, panel):
            raw = np.array([r.get(name) for r in snapshots], dtype=np.float64)  # None: NaN
            x = epoch_array
            if pipeline is not None:
                x, raw = pipeline(epochs, raw)
            raws.append(raw)
            spans.append(np.asarray(x, dtype=float))
            line = {"color": colors[name]}
            if smoothing > 0:
                data.append({"type": "scatter", "x": x, "y": raw, "mode": "lines",
                             "opacity": 0.3, "line": line, "showlegend": False,
                             "legendgroup": name, "hoverinfo": "skip", **axes})
            data.append({"type": "scatter", "x": x, "y": ema(raw, smoothing), "mode": "lines",
                         "name": name, "legendgroup": name, "line": line,
                         "connectgaps": True, **axes})
        y_axis = layout[axis_key(axes["yaxis"])]
        if panel == "loss" and log_y:
            y_axis["type"] = "log"
        if panel == "accuracy":
            y_axis["range"] = _accuracy_range(raws)
    if not data:
        names = sorted({k for r in snapshots for k in r if k != "epoch"})
        raise ValueError(f"The metrics table has no {metrics} columns "
                         f"(columns: {', '.join(names)}).\n"
                         "Name columns with the word 'loss', 'acc' or 'accuracy', "
                         "e.g. train_loss, test_acc.")
    xs = np.concatenate(spans) if spans else np.zeros(0)
    xs = xs[np.isfinite(xs)]
    span = (float(xs.min()), float(xs.max())) if xs.size else None
    for col in range(1, len(panels) + 1):
        if span is not None:  # the axes hold the data: a marker or its label never stretches them
            layout[axis_key(f"x{col if col > 1 else ''}")].update(range=list(span),
                                                                   autorange=False)
        if current_epoch is not None:
            epoch_marker_dict(layout, current_epoch, span, col, label=col == len(panels))
    layout["title"] = title("Training curves")
    layout["template"] = default_template()  # the look a go.Figure would have
    return {"data": data, "layout": layout}


#: Horizontal gap between the loss and accuracy panels, as a share of the width.
_SPACING = 0.12


def _subplots(panels: list[str]) -> dict:
    """A layout of one row of panels, each titled, as ``make_subplots`` lays it out."""
    width = (1.0 - _SPACING * (len(panels) - 1)) / len(panels)
    layout: dict = {"annotations": [], "shapes": []}
    for i, panel in enumerate(panels):
        suffix = str(i + 1) if i else ""
        x0 = i * (width + _SPACING)
        layout[f"xaxis{suffix}"] = {"domain": [x0, x0 + width], "anchor": f"y{suffix}",
                                    "title": {"text": "epoch"}}
        layout[f"yaxis{suffix}"] = {"domain": [0.0, 1.0], "anchor": f"x{suffix}"}
        layout["annotations"].append({"text": panel, "x": x0 + width / 2, "y": 1.0,
                                      "xref": "paper", "yref": "paper", "xanchor": "center",
                                      "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": 16}})
    return layout
