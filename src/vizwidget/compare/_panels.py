"""Small multiples: several panel figures in one grid (the composer of :mod:`vizwidget.grid`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..colors import assign_colors
from ..figures import typed_array
from ..grid import PanelLabel, compose_grid, scene_extents

__all__ = ["decoded", "panel_grid", "scene_extents"]


def decoded(obj: Any) -> Any:
    """``obj`` with plotly's base64 typed arrays (``{"dtype", "bdata"}``) as numpy arrays."""
    if isinstance(obj, dict):
        arr = typed_array(obj)
        if arr is not None:
            return arr
        return {k: decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decoded(v) for v in obj]
    return obj


def panel_grid(panels: Sequence[tuple[PanelLabel, dict]], title: str,
               columns: int | None = None, *, run_colors: bool = True):
    """One figure holding every panel figure as a grid cell, headed by run and view.

    Parameters
    ----------
    panels : sequence of (PanelLabel, dict)
        Each panel's label (row, column, note) and figure dict, row-major.
    title : str
        Figure title.
    columns : int, optional
        Panels per row (default: one per column label when there are at most four, else
        about square).
    run_colors : bool
        Put each column's run colour (:mod:`vizwidget.colors`) by its header.

    Returns
    -------
    plotly.graph_objects.Figure
        Panels of one row label share their axes (one joint autorange; 3-D scenes the union
        of their data ranges); one legend for the grid, a colour per series across panels.
    """
    import plotly.graph_objects as go

    labels = [label for label, _ in panels]
    runs = list(dict.fromkeys(label.column for label in labels))
    if columns is None:
        columns = len(runs) if len(runs) <= 4 and len(labels) % len(runs) == 0 else None
    figures = [{**fig, "data": [decoded(t) for t in fig.get("data") or ()]} for _, fig in panels]
    fig, _ = compose_grid(figures, [""] * len(panels), columns, labels=labels, title=title,
                          share_axes=True,
                          header_colors=assign_colors(runs) if run_colors else {})
    return go.Figure(fig)
