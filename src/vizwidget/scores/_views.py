"""Per-checkpoint eval-score views: by task, model × task heatmap, by model, by factor.

Each view is ``view(table, epoch=None, **options) -> go.Figure`` (the per-epoch renderer
contract): ``table`` is a DataFrame, a dict of columns or a list of rows; ``epoch`` picks a
checkpoint when the table has an epoch column (default: each task and model at its latest).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._deprecation import deprecated_keywords
from ..colors import PALETTE, assign_colors
from ..errors import EvalTableError, NotApplicableError
from ._style import axis_title, error_bars
from ._style import title as make_title
from ._summary import summarise
from ._table import (
    COLUMN_KEYS,
    Resolved,
    TableSpec,
    as_frame,
    factor_values,
    resolve,
    select_epoch,
    table_spec,
)

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

__all__ = ["prepare", "scores_by_factor", "scores_by_model", "scores_by_task", "scores_heatmap"]

#: The column keywords of views that took no ``cluster=`` before ``columns=``.
_UNCLUSTERED = tuple(k for k in COLUMN_KEYS if k != "cluster")

_HOVER = ("%{fullData.name}<br>%{x}: %{y:.4g}<br>CI [%{customdata[1]:.3f}, "
          "%{customdata[2]:.3f}], n = %{customdata[0]:.0f}<extra></extra>")


def prepare(table: Any, epoch: int | None,
            spec: TableSpec) -> tuple[pd.DataFrame, Resolved, dict]:
    """The rows at ``epoch``, the resolved columns and the title suffix arguments."""
    df = as_frame(table)
    r = resolve(df, spec)
    rows = select_epoch(df, r, None if epoch is None else int(epoch))
    # a table without an epoch column (e.g. artifacts/evals/epoch_0.json) shows no epoch
    at = {"epoch": None if epoch is None or r.epoch is None else int(epoch),
          "latest": epoch is None and r.epoch is not None}
    return rows, r, at


def _unit_range(fig: go.Figure, scores: np.ndarray, r: Resolved, axis: str = "y") -> None:
    finite = scores[np.isfinite(scores)]
    if r.metric.kind == "accuracy" and finite.size and ((finite >= 0) & (finite <= 1)).all():
        fig.update_layout({f"{axis}axis": {"range": [0, 1.05]}})


def _custom(s: pd.DataFrame) -> np.ndarray:
    """``[n, lower, upper, clusters]`` per bar (the hover shows n and the interval)."""
    return np.column_stack([s["n"].to_numpy(float), s["lo"].to_numpy(float),
                            s["hi"].to_numpy(float), s["clusters"].to_numpy(float)])


@deprecated_keywords(*COLUMN_KEYS)
def scores_by_task(
    table: Any, epoch: int | None = None, *,
    columns: TableSpec | Mapping[str, str | None] | None = None,
    ci: float | None = 0.95, interval: str = "auto", title: str | None = None, **legacy: Any,
) -> go.Figure:
    """Bars per task, one per model within a task, with confidence intervals.

    Parameters
    ----------
    table : DataFrame, dict of columns or list of rows
        One row per evaluation.
    epoch : int, optional
        Checkpoint epoch to show (default: each task and model at its latest).
    columns : TableSpec or dict, optional
        Which columns hold task, model, score, stderr, sample count, checkpoint epoch and
        cluster, e.g. ``{"score_value": "acc"}`` (default: detected; see
        ``vizwidget.scores``). ``cluster``: in a sample table, the column whose equal values
        form a cluster (e.g. a passage id). ``task_name=``, ``model=``, … still work and warn.
    ci : float or None, default 0.95
        Confidence level of the intervals; None draws none.
    interval : {"auto", "wilson", "stderr", "clustered", "none"}
        One method for every bar, named on the value axis (``"95 % Wilson"``, ``"95 % CI,
        ±1.96 SE"``, ``"95 % CI, clustered SE"``); ``"auto"`` picks it as
        :func:`vizwidget.scores.summarise` says: Wilson only for 0/1 scores, else the
        metric's own stderr or a CLT interval of per-sample scores, clustered when samples
        repeat or ``cluster`` is given.
    title : str, optional
        Figure title (default: the metric and the epoch).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Bar`` per model; ``customdata`` holds ``[n, lower, upper, clusters]`` per
        bar.
    """
    import plotly.graph_objects as go

    spec = table_spec("scores_by_task", columns, legacy)
    rows, r, at = prepare(table, epoch, spec)
    s = summarise(rows, r, [r.task, r.model], ci, interval)
    fig = go.Figure()
    names = s[r.model].astype(str)
    models = list(dict.fromkeys(names))
    colors = assign_colors(models)
    for name in models:
        part = s[names == name]
        fig.add_trace(go.Bar(
            x=part[r.task].astype(str).to_numpy(), y=part["score"].to_numpy(float),
            name=name, marker_color=colors[name], customdata=_custom(part),
            error_y=error_bars(part["score"].to_numpy(float), part["lo"].to_numpy(float),
                               part["hi"].to_numpy(float)), hovertemplate=_HOVER))
    fig.update_layout(barmode="group", xaxis_title="task",
                      yaxis_title=axis_title(r.metric.label, s.attrs["interval"]),
                      legend_title_text="model",
                      title=make_title(title or f"{r.metric.label} by task", **at))
    _unit_range(fig, s["score"].to_numpy(float), r)
    return fig


@deprecated_keywords(*_UNCLUSTERED)
def scores_heatmap(
    table: Any, epoch: int | None = None, *,
    columns: TableSpec | Mapping[str, str | None] | None = None,
    digits: int = 3, title: str | None = None, **legacy: Any,
) -> go.Figure:
    """A model × task matrix of scores with the value written in each cell.

    Parameters
    ----------
    columns : TableSpec or dict, optional
        Which columns hold what, as in :func:`scores_by_task`.
    digits : int, default 3
        Decimals written in each cell.

    Raises
    ------
    NotApplicableError
        When every model was evaluated on one task only (the matrix would be a diagonal).
    """
    import plotly.graph_objects as go

    spec = table_spec("scores_heatmap", columns, legacy, _UNCLUSTERED)
    rows, r, at = prepare(table, epoch, spec)
    s = summarise(rows, r, [r.model, r.task], None)
    if (s.groupby(r.model)[r.task].nunique() <= 1).all():
        raise NotApplicableError(
            "Every model was evaluated on one task only, so a model × task heatmap would be a "
            "diagonal.\nUse scores_by_task (or scores_by_model for one task) instead.")
    matrix = s.pivot_table(index=r.model, columns=r.task, values="score", sort=False)
    counts = s.pivot_table(index=r.model, columns=r.task, values="n", sort=False,
                           dropna=False).reindex(index=matrix.index, columns=matrix.columns)
    z = matrix.to_numpy(float)
    text = [["" if not np.isfinite(v) else f"{v:.{digits}f}" for v in row] for row in z]
    proportion = r.metric.kind == "accuracy" and np.nanmin(z) >= 0 and np.nanmax(z) <= 1
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(c) for c in matrix.columns], y=[str(i) for i in matrix.index], text=text,
        texttemplate="%{text}", colorscale="Viridis", reversescale=r.metric.lower_is_better,
        zmin=0 if proportion else None, zmax=1 if proportion else None,
        colorbar={"title": {"text": r.metric.display}}, name=r.metric.label,
        customdata=counts.to_numpy(float),
        hovertemplate="%{y} on %{x}: %{z:.4g}, n = %{customdata:.0f}<extra></extra>"))
    fig.update_layout(xaxis_title="task", yaxis_title="model", yaxis_autorange="reversed",
                      title=make_title(title or f"{r.metric.label}: model × task", **at))
    return fig


@deprecated_keywords(*COLUMN_KEYS)
def scores_by_model(
    table: Any, epoch: int | None = None, *, task: str | None = None,
    columns: TableSpec | Mapping[str, str | None] | None = None,
    ci: float | None = 0.95, interval: str = "auto", title: str | None = None, **legacy: Any,
) -> go.Figure:
    """Models compared on one task: horizontal bars, best first, with confidence intervals.

    Parameters
    ----------
    task : str, optional
        The task to show when the table has several.
    columns : TableSpec or dict, optional
        Which columns hold what, as in :func:`scores_by_task` (as are ``ci`` and
        ``interval``).

    Raises
    ------
    NotApplicableError
        When the table has several tasks and ``task`` is not given.
    """
    import plotly.graph_objects as go

    spec = table_spec("scores_by_model", columns, legacy)
    rows, r, at = prepare(table, epoch, spec)
    tasks = sorted({str(t) for t in rows[r.task]})
    if task is not None:
        if str(task) not in tasks:
            raise NotApplicableError(f"The table has no task {task!r}.\n"
                                     f"Pass task= as one of: {', '.join(tasks)}.")
        rows = rows[rows[r.task].astype(str) == str(task)]
    elif len(tasks) > 1:
        raise NotApplicableError(
            f"scores_by_model compares models on one task, but the table has {len(tasks)} "
            f"tasks ({', '.join(tasks[:6])}).\nPass task= to pick one, or use scores_heatmap "
            "or scores_by_task to compare several tasks.")
    s = summarise(rows, r, [r.model], ci, interval)
    shown = s.attrs["interval"]
    s = s.sort_values("score", ascending=r.metric.lower_is_better, kind="stable")
    scores = s["score"].to_numpy(float)
    models = s[r.model].astype(str).to_numpy()
    colors = assign_colors(models)
    fig = go.Figure(go.Bar(
        y=models, x=scores, orientation="h", name=r.metric.label,
        marker_color=[colors[m] for m in models], customdata=_custom(s),
        error_x=error_bars(scores, s["lo"].to_numpy(float), s["hi"].to_numpy(float)),
        hovertemplate=("%{y}: %{x:.4g}<br>CI [%{customdata[1]:.3f}, %{customdata[2]:.3f}], "
                       "n = %{customdata[0]:.0f}<extra></extra>")))
    fig.update_layout(xaxis_title=axis_title(r.metric.label, shown),
                      yaxis_title="model",
                      yaxis_autorange="reversed",
                      title=make_title(title or f"{r.metric.label} on {task or tasks[0]}", **at))
    _unit_range(fig, scores, r, axis="x")
    return fig


@deprecated_keywords(*COLUMN_KEYS)
def scores_by_factor(
    table: Any, epoch: int | None = None, *, factor: str | None = None,
    factor_labels: tuple[str, str] | None = None,
    columns: TableSpec | Mapping[str, str | None] | None = None,
    ci: float | None = 0.95, interval: str = "auto", title: str | None = None, **legacy: Any,
) -> go.Figure:
    """The effect of a boolean factor (e.g. with or without a hint) per model.

    Parameters
    ----------
    factor : str, optional
        The True/False column (default: the first boolean column with both values,
        ``metadata_*`` and ``task_arg_*`` columns first).
    factor_labels : (str, str), optional
        Legend labels of False and True (default ``"{factor} = False"``, ``"... = True"``,
        without a ``metadata_``/``task_arg_``/``model_arg_`` prefix).
    columns : TableSpec or dict, optional
        Which columns hold what, as in :func:`scores_by_task` (as are ``ci`` and
        ``interval``).

    Returns
    -------
    plotly.graph_objects.Figure
        Two ``go.Bar`` traces (False, True) over the models (``task · model`` when the table
        has several tasks), with confidence intervals.

    Raises
    ------
    NotApplicableError
        When the table has no boolean column with both values.
    """
    import plotly.graph_objects as go

    spec = table_spec("scores_by_factor", columns, legacy)
    rows, r, at = prepare(table, epoch, spec)
    exclude = [r.task, r.model, r.score, r.stderr, r.count, r.epoch, r.cluster]
    name, levels = factor_values(rows, factor, [c for c in exclude if c])
    rows = rows.assign(_level=levels).dropna(subset=["_level"])
    shown = name
    for prefix in ("metadata_", "task_arg_", "model_arg_"):
        shown = shown.removeprefix(prefix)
    labels = factor_labels or (f"{shown} = False", f"{shown} = True")
    if len(labels) != 2:
        raise EvalTableError(f"factor_labels needs two labels (False, True), got "
                                 f"{labels!r}.\nPass e.g. factor_labels=('no hint', 'hint').")
    s = summarise(rows, r, [r.task, r.model, "_level"], ci, interval)
    several = s[r.task].nunique() > 1
    s["_x"] = (s[r.task].astype(str) + " · " + s[r.model].astype(str) if several
               else s[r.model].astype(str))
    fig = go.Figure()
    for j, level in enumerate((False, True)):
        part = s[s["_level"] == level]
        fig.add_trace(go.Bar(
            x=part["_x"].to_numpy(), y=part["score"].to_numpy(float), name=str(labels[j]),
            marker_color=PALETTE[j], customdata=_custom(part),
            error_y=error_bars(part["score"].to_numpy(float), part["lo"].to_numpy(float),
                               part["hi"].to_numpy(float)), hovertemplate=_HOVER))
    fig.update_layout(barmode="group", legend_title_text=shown,
                      yaxis_title=axis_title(r.metric.label, s.attrs["interval"]),
                      xaxis_title="task · model" if several else "model",
                      title=make_title(title or f"{r.metric.label} by {shown}", **at))
    _unit_range(fig, s["score"].to_numpy(float), r)
    return fig
