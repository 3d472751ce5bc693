"""Loss-landscape flatness renderers.

Flatness here is the loss increase under random Gaussian perturbations of the parameters,
each array perturbed by ``scale`` times its root-mean-square value (see
:func:`vizwidget.analysis.perturbation_loss_deltas`): lower = flatter.

Artifacts of analyzer ``flatness`` per epoch: ``loss_deltas`` (n,) array of loss changes
under random perturbations, ``scale`` (float) and optionally ``base_loss`` (float).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..analysis import flatness_summary, nearest_index, require_finite
from ..registry import register_renderer
from ._common import HIGHLIGHT, title


def _deltas(data: dict, epoch: int) -> np.ndarray:
    if "loss_deltas" not in data:
        raise ValueError(f"Flatness artifact lacks 'loss_deltas' (has: {', '.join(data)}).\n"
                         "Write the loss changes under perturbation as 'loss_deltas'.")
    return require_finite(data["loss_deltas"], "loss_deltas", f"epoch {epoch}", "flatness")


@register_renderer(
    "flatness_distribution", kind="per_epoch", analyzer="flatness", bins=20,
    description="Flatness at one epoch: distribution of the loss change under random "
    "layer-normalised parameter perturbations (lower = flatter).",
)
def flatness_distribution(data: dict, epoch: int, bins: int = 20) -> go.Figure:
    """Histogram of loss deltas with their mean marked."""
    d = _deltas(data, epoch)
    summary = flatness_summary(d)
    fig = go.Figure(go.Histogram(x=d, nbinsx=int(bins), name="loss change"))
    fig.add_vline(x=summary["mean"], line={"color": HIGHLIGHT, "dash": "dash"},
                  annotation_text=f"mean {summary['mean']:.3g}")
    scale = data.get("scale")
    sub = f" (relative scale {float(scale):g})" if scale is not None else ""
    fig.update_layout(title=title(f"Flatness: loss change under perturbation{sub}", epoch),
                      xaxis_title="Δ loss", yaxis_title="count", showlegend=False)
    return fig


@register_renderer(
    "flatness", kind="cross_epoch", analyzer="flatness", log_y=False,
    description="Flatness over epochs: mean loss change under random layer-normalised "
    "parameter perturbations (lower = flatter).",
)
def flatness_over_epochs(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    log_y: bool = False,
) -> go.Figure:
    """Mean ± standard deviation of the loss deltas per checkpoint."""
    stats = [flatness_summary(_deltas(s, e)) for s, e in zip(snapshots, epochs, strict=True)]
    mean = np.array([s["mean"] for s in stats])
    std = np.array([s["std"] for s in stats])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(epochs) + list(epochs)[::-1],
                             y=list(mean + std) + list(mean - std)[::-1], fill="toself",
                             line={"width": 0}, opacity=0.25, hoverinfo="skip", name="± std"))
    fig.add_trace(go.Scatter(x=epochs, y=mean, mode="lines+markers", name="mean Δ loss"))
    i = nearest_index(epochs, current_epoch)
    if i is not None:
        fig.add_trace(go.Scatter(
            x=[epochs[i]], y=[mean[i]], mode="markers+text", text=[f"epoch {epochs[i]}"],
            textposition="top center", marker={"color": HIGHLIGHT, "size": 14, "symbol": "star"},
            showlegend=False,
        ))
        fig.add_vline(x=epochs[i], line={"color": HIGHLIGHT, "dash": "dot", "width": 1})
    fig.update_layout(title=title("Flatness: mean loss change under perturbation "
                                  "(lower = flatter)"),
                      xaxis_title="epoch", yaxis_title="Δ loss",
                      yaxis_type="log" if log_y else "linear")
    return fig
