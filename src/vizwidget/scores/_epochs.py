"""Scores over checkpoint epochs: one line per task or model, with confidence bands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._deprecation import deprecated_keywords
from ..colors import HIGHLIGHT, assign_colors, translucent
from ..errors import EvalTableError, NotApplicableError
from ._style import axis_title
from ._style import title as make_title
from ._summary import summarise
from ._table import COLUMN_KEYS, EPOCH_CANDIDATES, TableSpec, as_frame, resolve, table_spec

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["scores_over_epochs", "scores_over_epochs_snapshots"]


@deprecated_keywords(*COLUMN_KEYS)
def scores_over_epochs(
    table: Any, *, by: Literal["auto", "task", "model", "both"] = "auto",
    current_epoch: int | None = None,
    columns: TableSpec | Mapping[str, str | None] | None = None,
    ci: float | None = 0.95, interval: str = "auto", title: str | None = None, **legacy: Any,
) -> go.Figure:
    """Score per checkpoint epoch: one line per series, with a confidence band.

    Parameters
    ----------
    by : {"auto", "task", "model", "both"}
        One line per task (pooled over models), per model (pooled over tasks), or per
        (model, task). ``"auto"``: per model when there is one task, per task when there is
        one model, else both.
    current_epoch : int, optional
        Epoch highlighted with a dotted line (the cross-epoch renderer contract).
    columns : TableSpec or dict, optional
        Which columns hold what, as in :func:`scores_by_task` (``epoch_column``: the
        checkpoint epoch, default detected).
    ci, interval
        As in :func:`scores_by_task`; one method for every band, named on the y axis.

    Returns
    -------
    plotly.graph_objects.Figure
        Per series a ``go.Scatter`` line (``customdata`` ``[n, lower, upper]``, n in the
        hover) and, when
        intervals exist, a filled band trace named ``"{series} CI"`` before it.

    Raises
    ------
    NotApplicableError
        Without an epoch column, or with fewer than two checkpoint epochs.
    """
    import pandas as pd
    import plotly.graph_objects as go

    spec = table_spec("scores_over_epochs", columns, legacy)
    df = as_frame(table)
    r = resolve(df, spec)
    if r.epoch is None:
        raise NotApplicableError("The eval table has no checkpoint epoch column (looked for "
                                 f"{', '.join(EPOCH_CANDIDATES[:3])}, ...).\nAdd one, or pass "
                                 "columns={'epoch_column': ...} naming it.")
    df = df.assign(_epoch=pd.to_numeric(df[r.epoch], errors="coerce")).dropna(subset=["_epoch"])
    if df["_epoch"].nunique() < 2:
        raise NotApplicableError(f"The eval table has one checkpoint epoch only "
                                 f"({', '.join(map(str, df['_epoch'].unique()))}).\n"
                                 "Evaluate several checkpoints, or use scores_by_task.")
    if by == "auto":
        by = ("model" if df[r.task].nunique() == 1 else "task" if df[r.model].nunique() == 1
              else "both")
    keys = {"task": [r.task], "model": [r.model], "both": [r.model, r.task]}.get(by)
    if keys is None:
        raise EvalTableError(f"Unknown by={by!r}.\nUse 'auto', 'task', 'model' or 'both'.")
    s = summarise(df, r, [*keys, "_epoch"], ci, interval)
    shown = s.attrs["interval"]
    s = s.sort_values("_epoch", kind="stable")
    labels = s[keys].astype(str).agg(" · ".join, axis=1)
    fig = go.Figure()
    colors = assign_colors(labels)
    for name in dict.fromkeys(labels):
        part = s[labels == name]
        x = part["_epoch"].to_numpy(float)
        y, lo, hi = (part[c].to_numpy(float) for c in ("score", "lo", "hi"))
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.any():
            fig.add_trace(go.Scatter(
                x=np.concatenate([x[ok], x[ok][::-1]]), y=np.concatenate([hi[ok], lo[ok][::-1]]),
                fill="toself", fillcolor=translucent(colors[name], 0.18), line={"width": 0},
                mode="lines",
                name=f"{name} CI", showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines+markers", name=name, line={"color": colors[name]},
            customdata=np.column_stack([part["n"].to_numpy(float), lo, hi]),
            hovertemplate=("%{fullData.name}<br>epoch %{x}: %{y:.4g}<br>CI [%{customdata[1]:.3f},"
                           " %{customdata[2]:.3f}], n = %{customdata[0]:.0f}<extra></extra>")))
    if current_epoch is not None:
        fig.add_vline(x=current_epoch, line={"color": HIGHLIGHT, "dash": "dot", "width": 1.5},
                      annotation_text=f"epoch {current_epoch}",
                      annotation_position="bottom right")
    fig.update_layout(xaxis_title="checkpoint epoch",
                      yaxis_title=axis_title(r.metric.label, shown),
                      legend_title_text={"both": "model · task"}.get(by, by),
                      title=make_title(title or f"{r.metric.label} over checkpoints"))
    return fig


def scores_over_epochs_snapshots(
    snapshots: Sequence[Any], epochs: Sequence[int], current_epoch: int | None = None,
    *, columns: TableSpec | Mapping[str, str | None] | None = None,
    **options: Any,
) -> go.Figure:
    """The cross-epoch renderer: per-epoch tables (e.g. ``artifacts/evals/epoch_N.json``)
    joined into one, each tagged with its epoch when it has no epoch column, then
    :func:`scores_over_epochs` with ``columns`` and ``options``."""
    import pandas as pd

    old = {k: options.pop(k) for k in COLUMN_KEYS if k in options}
    spec = table_spec("scores_over_epochs", columns, old)
    column = spec.epoch_column
    frames = []
    for snapshot, epoch in zip(snapshots, epochs, strict=True):
        frame = as_frame(snapshot)
        has = column in frame.columns if column else any(c in frame.columns
                                                         for c in EPOCH_CANDIDATES)
        if not has:
            frame[column or "checkpoint_epoch"] = epoch
        frames.append(frame)
    if not frames:
        raise NotApplicableError("No eval tables to plot over epochs.\nSave one per "
                                 "checkpoint with vizwidget.evals.save_eval_artifacts.")
    return scores_over_epochs(pd.concat(frames, ignore_index=True),
                              current_epoch=current_epoch, columns=spec, **options)
