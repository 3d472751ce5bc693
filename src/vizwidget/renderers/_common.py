"""Shared bits of the built-in renderers."""

from __future__ import annotations

import json
from functools import cache

from ..analysis import is_floating, non_floating_arrays, select_names
from ..colors import HIGHLIGHT

COLORSCALE = "Viridis"


def epoch_marker(fig, epoch: float, span: tuple[float, float] | None, *, label: bool = True,
                 row: int | None = None, col: int | None = None) -> None:
    """A dotted line at ``epoch`` on a subplot of a ``go.Figure``, labelled inside it.

    See :func:`epoch_marker_items`; ``row``/``col`` pick the subplot of ``make_subplots``.
    """
    fig.add_vline(x=epoch, line={"color": HIGHLIGHT, "dash": "dot", "width": 1.5}, row=row,
                  col=col)
    shape = fig.layout.shapes[-1]
    fig.layout.shapes = fig.layout.shapes[:-1]
    xref, yref = str(shape.xref).split(" ")[0], str(shape.yref).split(" ")[0]
    line, note = epoch_marker_items(epoch, span, xref, yref)
    fig.add_shape(line)
    if label:
        fig.add_annotation(note)


def epoch_marker_dict(layout: dict, epoch: float, span: tuple[float, float] | None,
                      col: int = 1, *, label: bool = True) -> None:
    """The same marker added to a figure dict's ``layout``, on subplot ``x{col}``/``y{col}``."""
    suffix = str(col) if col > 1 else ""
    line, note = epoch_marker_items(epoch, span, f"x{suffix}", f"y{suffix}")
    layout.setdefault("shapes", []).append(line)
    if label:
        layout.setdefault("annotations", []).append(note)


def epoch_marker_items(epoch: float, span: tuple[float, float] | None, xref: str,
                       yref: str) -> tuple[dict, dict]:
    """A dotted line at ``epoch`` over the subplot's height, and its label inside the plot.

    The label is anchored in the subplot's own coordinates (``x domain``/``y domain``) and
    put on the side of the line with more room, so it never extends the axis range or
    leaves the plot area, whatever the epoch.
    """
    line = {"type": "line", "x0": epoch, "x1": epoch, "xref": xref, "y0": 0, "y1": 1,
            "yref": f"{yref} domain",
            "line": {"color": HIGHLIGHT, "dash": "dot", "width": 1.5}}
    where = 0.5 if span is None or span[1] <= span[0] else \
        min(max((epoch - span[0]) / (span[1] - span[0]), 0.0), 1.0)
    note = {"text": f"epoch {epoch:g}", "x": where, "xref": f"{xref} domain", "y": 0.02,
            "yref": f"{yref} domain", "xanchor": "right" if where > 0.5 else "left",
            "xshift": -4 if where > 0.5 else 4, "yanchor": "bottom", "showarrow": False,
            "font": {"color": HIGHLIGHT, "size": 11}}
    return line, note


@cache
def _template_json() -> str:
    import plotly.io as pio

    template = pio.templates[pio.templates.default] if pio.templates.default else None
    return json.dumps(template.to_plotly_json() if template is not None else {})


def default_template() -> dict:
    """plotly's default template as a dict: what a ``go.Figure`` would carry (a fresh copy)."""
    return json.loads(_template_json())


def epoch_colorbar() -> dict:
    """Colorbar settings for markers coloured by epoch."""
    return {"title": {"text": "epoch"}, "thickness": 12}


def title(text: str, epoch: int | None = None) -> dict:
    """Figure title, with the epoch appended when given."""
    return {"text": text if epoch is None else f"{text} — epoch {epoch}"}


NO_MOVEMENT = "no movement: all checkpoints identical"


def add_notes(fig, notes: list[str]) -> None:
    """Write ``notes`` (caveats the reader must see) under the title, one per line."""
    if notes:
        fig.add_annotation(text="<br>".join(notes), xref="paper", yref="paper", x=0, y=1,
                           xanchor="left", yanchor="bottom", showarrow=False,
                           align="left", font={"size": 11, "color": "#555"})


def left_out_note(snapshot: dict, group) -> list[str]:
    """A note naming the non-floating arrays that ``group="all"`` left out (if any)."""
    if group != "all":
        return []
    skipped = non_floating_arrays(snapshot)
    if not skipped:
        return []
    return [f"left out (not floating point): {', '.join(skipped)}"]


def matrix_names(data: dict, matrices: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """The 2-D arrays of ``data`` to show: all (sorted), or by name or glob (``"*.mlp.*"``)."""
    return select_names(data, "all" if matrices is None else matrices, _is_matrix, "matrix",
                        choose="some of")


def _is_matrix(value: object) -> bool:
    return is_floating(value) and value.ndim == 2
