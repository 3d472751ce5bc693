"""Dominant Fourier frequencies of the token embedding (modular arithmetic runs)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..analysis import dominant_frequencies, frequency_norms
from ..registry import register_renderer
from ._common import HIGHLIGHT, title


@register_renderer(
    "embedding_frequencies", kind="per_epoch", analyzer="parameters", key="W_E", top_k=5,
    description="Norm of the embedding along each Fourier frequency over the residues.",
)
def embedding_frequencies(data: dict, epoch: int, key: str = "W_E", top_k: int = 5) -> go.Figure:
    """Bar per frequency k = 1..p//2 of the (p, d) embedding; the top_k bars highlighted."""
    if key not in data:
        raise ValueError(f"No embedding {key!r} in the snapshot (has: {', '.join(data)}).\n"
                         "Pass key= naming the (p, d) embedding matrix.")
    freqs, norms = frequency_norms(data[key])
    top = dominant_frequencies(norms, top_k)
    colors = np.array(["#8da0cb"] * freqs.size, dtype=object)
    colors[top] = HIGHLIGHT
    fig = go.Figure(go.Bar(x=freqs, y=norms, marker={"color": list(colors)}, name="norm"))
    share = float(np.sum(norms[top] ** 2) / np.sum(norms**2)) if np.any(norms) else 0.0
    fig.update_layout(
        title=title(f"Embedding Fourier spectrum (top {len(top)}: "
                    f"{', '.join(str(int(freqs[i])) for i in top)}; {100 * share:.0f}% of norm²)",
                    epoch),
        xaxis_title="frequency k", yaxis_title=f"‖{key} along k‖", showlegend=False,
    )
    return fig
