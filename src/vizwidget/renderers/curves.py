"""Training curve renderer (reads the ``metrics`` analyzer: rows of metrics.json)."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..analysis import ema
from ..processing import Pipeline, Step, as_pipeline
from ..registry import register_renderer
from ._common import HIGHLIGHT, PALETTE, title

#: A column goes to a panel when one of the words of its name is one of the panel's words.
_PANELS = {"loss": {"loss"}, "accuracy": {"acc", "accuracy"}}


def _words(name: str) -> set[str]:
    """Lower-case words of a column name: split at non-alphanumerics and camelCase humps.

    ``"test_acc"`` -> {test, acc}; ``"valAccuracy"`` -> {val, accuracy};
    ``"accumulated_loss"`` -> {accumulated, loss} (so it is a loss, not an accuracy).
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w}


def _columns(snapshots: list[dict], kind: str) -> list[str]:
    names: list[str] = []
    for row in snapshots:
        names.extend(k for k in row if k not in names and k != "epoch")
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
    for col, panel in enumerate(panels, start=1):
        raws = []
        for j, name in enumerate(_columns(snapshots, panel)):
            raw = np.array([np.nan if r.get(name) is None else r[name] for r in snapshots],
                           dtype=np.float64)
            x = epochs
            if pipeline is not None:
                x, raw = pipeline(epochs, raw)
            raws.append(raw)
            color = PALETTE[j % len(PALETTE)]
            if smoothing > 0:
                fig.add_trace(go.Scatter(x=x, y=raw, mode="lines", opacity=0.3,
                                         line={"color": color}, showlegend=False,
                                         hoverinfo="skip"), row=1, col=col)
            fig.add_trace(go.Scatter(x=x, y=ema(raw, smoothing), mode="lines", name=name,
                                     line={"color": color}, connectgaps=True), row=1, col=col)
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
    if current_epoch is not None:
        for col in range(1, len(panels) + 1):
            label = {}
            if col == len(panels):
                label = {"annotation_text": f"epoch {current_epoch}",
                         "annotation_position": "bottom right",
                         "annotation_font_color": HIGHLIGHT}
            fig.add_vline(x=current_epoch, line={"color": HIGHLIGHT, "dash": "dot", "width": 1.5},
                          row=1, col=col, **label)
    fig.update_layout(title=title("Training curves"))
    return fig
