"""Effective dimensionality renderers (SVD spectrum, participation ratio, entropy)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..analysis import effective_dimensionality as eff_dim
from ..analysis import nearest_index, require_finite, singular_values
from ..colors import assign_colors
from ..registry import register_renderer
from ._common import HIGHLIGHT, epoch_marker, matrix_names, title


@register_renderer(
    "singular_value_spectrum", kind="per_epoch", analyzer="parameters", matrices="all",
    normalize=True, log_y=True,
    description="Singular value spectrum of each weight matrix at one epoch.",
)
def singular_value_spectrum(
    data: dict, epoch: int, matrices: str | list[str] = "all", normalize: bool = True,
    log_y: bool = True,
) -> go.Figure:
    """Singular values of each 2-D parameter matrix, optionally divided by the largest."""
    fig = go.Figure()
    names = matrix_names(data, matrices)
    colors = assign_colors(names)  # a matrix keeps its colour in every panel and file
    for name in names:
        m = require_finite(data[name], name, f"epoch {epoch}")
        s = singular_values(m)
        if normalize and s[0] > 0:
            s = s / s[0]
        d = eff_dim(m)
        fig.add_trace(go.Scatter(
            x=np.arange(1, s.size + 1), y=s, mode="lines+markers",
            name=f"{name} (PR {d['participation_ratio']:.1f})", legendgroup=name,
            line={"color": colors[name]}, marker={"color": colors[name]},
        ))
    fig.update_layout(title=title("Singular value spectrum", epoch), xaxis_title="index",
                      yaxis_title="σ / σ₁" if normalize else "σ",
                      yaxis_type="log" if log_y else "linear")
    return fig


_MEASURES = {"participation_ratio": "participation ratio", "entropy": "entropy dimension"}


@register_renderer(
    "effective_dimensionality", kind="cross_epoch", analyzer="parameters", matrices="all",
    measure="both",
    description="Participation ratio and entropy-based dimension of each matrix over epochs.",
)
def effective_dimensionality(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    matrices: str | list[str] = "all", measure: str = "both",
) -> go.Figure:
    """Effective dimension of each weight matrix over epochs, current epoch marked."""
    if measure not in (*_MEASURES, "both"):
        raise ValueError(f"Unknown measure {measure!r}.\n"
                         f"Use one of: {', '.join(_MEASURES)}, both.")
    measures = list(_MEASURES) if measure == "both" else [measure]
    names = matrix_names(snapshots[0], matrices) if snapshots else []
    fig = go.Figure()
    i = nearest_index(epochs, current_epoch)
    colors = assign_colors(names)
    for name in names:
        color = colors[name]
        dims = [eff_dim(require_finite(s[name], name, f"epoch {e}"))
                for s, e in zip(snapshots, epochs, strict=True)]
        for m in measures:
            y = [d[m] for d in dims]
            fig.add_trace(go.Scatter(
                x=epochs, y=y, mode="lines+markers", name=f"{name} · {_MEASURES[m]}",
                legendgroup=name,
                line={"color": color,
                      "dash": "solid" if m == "participation_ratio" else "dash"},
            ))
            if i is not None:
                fig.add_trace(go.Scatter(
                    x=[epochs[i]], y=[y[i]], mode="markers", showlegend=False,
                    marker={"color": HIGHLIGHT, "size": 11, "symbol": "star"},
                    hovertemplate=f"epoch {epochs[i]}: %{{y:.2f}}<extra>{name}</extra>",
                ))
    if epochs:  # the axis holds the data, whatever the marked epoch
        fig.update_xaxes(range=[min(epochs), max(epochs)], autorange=False)
    if i is not None:
        epoch_marker(fig, epochs[i], (min(epochs), max(epochs)))
    fig.update_layout(title=title("Effective dimensionality"), xaxis_title="epoch",
                      yaxis_title="effective dimension")
    return fig
