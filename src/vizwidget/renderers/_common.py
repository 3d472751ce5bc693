"""Shared bits of the built-in renderers."""

from __future__ import annotations

from ..analysis import is_floating, non_floating_arrays, select_names

HIGHLIGHT = "#e4572e"
COLORSCALE = "Viridis"


def epoch_marker(fig, epoch: float, span: tuple[float, float] | None, *, label: bool = True,
                 row: int | None = None, col: int | None = None) -> None:
    """A dotted line at ``epoch`` on a subplot, labelled inside the plot area.

    The label is anchored in the subplot's own coordinates (``x domain``/``y domain``) and
    put on the side of the line with more room, so it never extends the axis range or
    leaves the plot area, whatever the epoch.
    """
    fig.add_vline(x=epoch, line={"color": HIGHLIGHT, "dash": "dot", "width": 1.5}, row=row,
                  col=col)
    if not label:
        return
    shape = fig.layout.shapes[-1]
    xref = str(shape.xref).split(" ")[0]
    yref = str(shape.yref).split(" ")[0]
    where = 0.5 if span is None or span[1] <= span[0] else \
        min(max((epoch - span[0]) / (span[1] - span[0]), 0.0), 1.0)
    fig.add_annotation(text=f"epoch {epoch:g}", x=where, xref=f"{xref} domain", y=0.02,
                       yref=f"{yref} domain", xanchor="right" if where > 0.5 else "left",
                       xshift=-4 if where > 0.5 else 4, yanchor="bottom", showarrow=False,
                       font={"color": HIGHLIGHT, "size": 11})


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
