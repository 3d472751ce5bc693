"""Training curve renderer (reads the ``metrics`` analyzer: rows of metrics.json)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..analysis import ema
from ..processing import Pipeline, Step, as_pipeline
from ..registry import register_renderer
from ._common import HIGHLIGHT, PALETTE, title

_PANELS = {"loss": "loss", "accuracy": "acc"}


def _columns(snapshots: list[dict], kind: str) -> list[str]:
    names: list[str] = []
    for row in snapshots:
        names.extend(k for k in row if k not in names and k != "epoch")
    token = _PANELS[kind]
    return [n for n in names if token in n.lower()]


@register_renderer(
    "training_curves", kind="cross_epoch", analyzer="metrics", metrics="both", log_y=True,
    smoothing=0.0,
    description="Train/test loss and accuracy over epochs, optional EMA smoothing.",
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
        Which panels to draw: columns whose name contains ``loss`` / ``acc``.
    log_y : bool
        Log scale for the loss panel.
    smoothing : float in [0, 1)
        EMA smoothing; the raw curve is drawn faintly behind the smoothed one.
    processing : vizwidget.processing.Pipeline, step or list of steps, optional
        Applied to each curve ``(epochs, values)`` before the EMA, e.g.
        ``Pipeline([drop_outliers("mad", 5), gaussian(50)])``.
    """
    pipeline = as_pipeline(processing)
    if metrics not in ("both", *_PANELS):
        raise ValueError(f"Unknown metrics {metrics!r}.\nUse one of: both, loss, accuracy.")
    panels = list(_PANELS) if metrics == "both" else [metrics]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=panels,
                        horizontal_spacing=0.12)
    drawn = 0
    for col, panel in enumerate(panels, start=1):
        for j, name in enumerate(_columns(snapshots, panel)):
            raw = np.array([np.nan if r.get(name) is None else r[name] for r in snapshots],
                           dtype=np.float64)
            x = epochs
            if pipeline is not None:
                x, raw = pipeline(epochs, raw)
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
            fig.update_yaxes(range=[-0.02, 1.02], row=1, col=col)
    if drawn == 0:
        names = sorted({k for r in snapshots for k in r if k != "epoch"})
        raise ValueError(f"metrics.json has no {metrics} columns (columns: {', '.join(names)}).\n"
                         "Name columns with 'loss' or 'acc', e.g. train_loss, test_acc.")
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
