"""Training curve renderer (reads the ``metrics`` analyzer: rows of metrics.json)."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..analysis import ema
from ..colors import assign_colors
from ..processing import Pipeline, Step, as_pipeline
from ..registry import register_renderer
from ._common import epoch_marker, title

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
    for keys in dict.fromkeys(tuple(row) for row in snapshots):
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
) -> go.Figure:
    """Loss (log-y by default) and accuracy columns of metrics.json against epoch.

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
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=panels,
                        horizontal_spacing=0.12)
    drawn = 0
    names = _names(snapshots)
    colors = assign_colors(n for panel in panels for n in _columns(names, panel))
    spans: list[np.ndarray] = []
    for col, panel in enumerate(panels, start=1):
        raws = []
        for name in _columns(names, panel):
            raw = np.array([r.get(name) for r in snapshots], dtype=np.float64)  # None: NaN
            x = np.asarray(epochs)
            if pipeline is not None:
                x, raw = pipeline(epochs, raw)
            raws.append(raw)
            spans.append(np.asarray(x, dtype=float))
            color = colors[name]
            if smoothing > 0:
                fig.add_trace(go.Scatter(x=x, y=raw, mode="lines", opacity=0.3,
                                         line={"color": color}, showlegend=False,
                                         legendgroup=name, hoverinfo="skip"), row=1, col=col)
            fig.add_trace(go.Scatter(x=x, y=ema(raw, smoothing), mode="lines", name=name,
                                     legendgroup=name, line={"color": color},
                                     connectgaps=True), row=1, col=col)
            drawn += 1
        fig.update_xaxes(title_text="epoch", row=1, col=col)
        if panel == "loss" and log_y:
            fig.update_yaxes(type="log", row=1, col=col)
        if panel == "accuracy":
            fig.update_yaxes(range=_accuracy_range(raws), row=1, col=col)
    if drawn == 0:
        names = sorted({k for r in snapshots for k in r if k != "epoch"})
        raise ValueError(f"The metrics table has no {metrics} columns "
                         f"(columns: {', '.join(names)}).\n"
                         "Name columns with the word 'loss', 'acc' or 'accuracy', "
                         "e.g. train_loss, test_acc.")
    xs = np.concatenate(spans) if spans else np.zeros(0)
    xs = xs[np.isfinite(xs)]
    if xs.size:  # the axes hold the data: a marker or its label never stretches them
        fig.update_xaxes(range=[float(xs.min()), float(xs.max())], autorange=False)
    if current_epoch is not None:
        for col in range(1, len(panels) + 1):
            epoch_marker(fig, current_epoch, (float(xs.min()), float(xs.max())) if xs.size
                         else None, label=col == len(panels), row=1, col=col)
    fig.update_layout(title=title("Training curves"))
    return fig
