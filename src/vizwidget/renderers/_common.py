"""Shared bits of the built-in renderers."""

from __future__ import annotations

from ..analysis import is_floating, non_floating_arrays, select_names

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
