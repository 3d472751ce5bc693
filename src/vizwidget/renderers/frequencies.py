"""Dominant Fourier frequencies of the token embedding (modular arithmetic runs)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..analysis import dominant_frequencies, frequency_norms, require_finite
from ..registry import register_renderer
from ._common import HIGHLIGHT, add_notes, title


@register_renderer(
    "embedding_frequencies", kind="per_epoch", analyzer="parameters", key="W_E", top_k=None,
    description="Norm of the embedding along each Fourier frequency k >= 1 over the residues "
    "(the constant term is left out); key frequencies: those above the largest gap in norm.",
)
def embedding_frequencies(
    data: dict, epoch: int, key: str = "W_E", top_k: int | None = None
) -> go.Figure:
    """Bar per frequency k = 1..p//2 of the (p, d) embedding; the key frequencies highlighted.

    Parameters
    ----------
    key : str
        The (p, d) embedding matrix.
    top_k : int, optional
        Highlight exactly this many largest frequencies. By default, highlight those above
        the largest ratio between consecutive sorted norms (at least 1.5×; none if the spectrum
        has no such gap), so near-tied frequencies are never split.

    Notes
    -----
    The constant (k = 0, DC) component is not a frequency of the residues and is left out of
    the bars and of the share in the title, which is the share of the non-constant norm².
    """
    if key not in data:
        raise ValueError(f"No embedding {key!r} in the snapshot (has: {', '.join(data)}).\n"
                         "Pass key= naming the (p, d) embedding matrix.")
    freqs, norms = frequency_norms(require_finite(data[key], key, f"epoch {epoch}"))
    top = dominant_frequencies(norms, top_k)
    colors = np.array(["#8da0cb"] * freqs.size, dtype=object)
    colors[top] = HIGHLIGHT
    fig = go.Figure(go.Bar(x=freqs, y=norms, marker={"color": list(colors)}, name="norm"))
    fig.update_layout(title=title("Embedding Fourier spectrum, k ≥ 1", epoch),
                      xaxis_title="frequency k (constant term k = 0 not shown)",
                      yaxis_title=f"‖{key} along k‖", showlegend=False)
    add_notes(fig, [_key_summary(freqs, norms, top, top_k)])
    return fig


def _key_summary(freqs: np.ndarray, norms: np.ndarray, top: np.ndarray,
                 top_k: int | None) -> str:
    """``key k: 4, 9 (largest gap); 85% of non-constant norm²`` for the highlighted bars."""
    total = float(np.sum(norms**2))
    if total == 0:
        return "zero embedding apart from the constant term"
    if top.size == 0:
        return ("no key frequency: no gap of 1.5× or more between sorted norms"
                if top_k is None else "no frequency highlighted (top_k=0)")
    share = float(np.sum(norms[top] ** 2)) / total
    rule = "largest gap" if top_k is None else f"top {top.size}"
    return (f"key k: {', '.join(str(int(freqs[i])) for i in top)} ({rule}); "
            f"{100 * share:.0f}% of non-constant norm²")
