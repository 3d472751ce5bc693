"""Shared bits of the built-in renderers."""

from __future__ import annotations

import numpy as np

from ..analysis import select_names

HIGHLIGHT = "#e4572e"
COLORSCALE = "Viridis"
#: Colour-blind friendly palette (Okabe-Ito) for traces that must share a colour.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")


def epoch_colorbar() -> dict:
    """Colorbar settings for markers coloured by epoch."""
    return {"title": {"text": "epoch"}, "thickness": 12}


def title(text: str, epoch: int | None = None) -> dict:
    """Figure title, with the epoch appended when given."""
    return {"text": text if epoch is None else f"{text} — epoch {epoch}"}


def matrix_names(data: dict, matrices: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """The 2-D arrays of ``data`` to show: all (sorted), or by name or glob (``"*.mlp.*"``)."""
    return select_names(data, "all" if matrices is None else matrices, _is_matrix, "matrix",
                        choose="some of")


def _is_matrix(value: object) -> bool:
    return isinstance(value, np.ndarray) and value.ndim == 2
