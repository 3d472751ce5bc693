"""Radar view of eval scores: one closed polygon per model over tasks or metrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._deprecation import deprecated_keywords
from ..colors import assign_colors, translucent
from ..errors import EvalTableError, NotApplicableError
from ._style import title as make_title
from ._summary import summarise
from ._table import (
    COLUMN_KEYS,
    TableSpec,
    detect_metrics,
    metric_info,
    resolve,
    table_spec,
)
from ._views import prepare

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["normalise_axis", "scores_radar"]

NORMALISATIONS = ("min_max", "percentile", "absolute")
#: The column keywords the radar took before ``columns=``.
_LEGACY = tuple(k for k in COLUMN_KEYS if k != "cluster")


def normalise_axis(values: np.ndarray, method: str, invert: bool = False,
                   domain: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """Scale one axis's values across models.

    ``"min_max"``: ``(v - min) / (max - min)`` (all 1 when the models tie); ``"percentile"``:
    average rank / count (pandas' ``rank(pct=True)``); ``"absolute"``: unchanged. ``invert``
    flips the axis so that higher is better: ``1 - x`` for min_max, ranks of ``-v`` for
    percentile, ``domain[0] + domain[1] - v`` for absolute. NaN stays NaN.
    """
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v)
    out = np.full(v.shape, np.nan)
    if not ok.any():
        return out
    finite = v[ok]
    if method == "min_max":
        span = finite.max() - finite.min()
        scaled = (finite - finite.min()) / span if span > 0 else np.ones_like(finite)
        out[ok] = 1.0 - scaled if invert and span > 0 else scaled
    elif method == "percentile":
        key = -finite if invert else finite
        less = (key[None, :] < key[:, None]).sum(axis=1)
        equal = (key[None, :] == key[:, None]).sum(axis=1)
        out[ok] = (less + (equal + 1) / 2.0) / finite.size
    elif method == "absolute":
        out[ok] = domain[0] + domain[1] - finite if invert else finite
    else:
        raise EvalTableError(f"Unknown normalisation {method!r}.\n"
                             f"Use one of: {', '.join(NORMALISATIONS)}.")
    return out


@deprecated_keywords(*_LEGACY)
def scores_radar(
    table: Any, epoch: int | None = None, *, axes: Literal["tasks", "metrics"] = "tasks",
    metrics: Sequence[str] | None = None,
    normalize: Literal["min_max", "percentile", "absolute"] = "min_max",
    domain: tuple[float, float] | None = None, invert: Sequence[str] | None = None,
    columns: TableSpec | Mapping[str, str | None] | None = None,
    title: str | None = None, **legacy: Any,
) -> go.Figure:
    """One trace per model over tasks (one metric) or over metrics (pooled over tasks).

    Parameters
    ----------
    axes : {"tasks", "metrics"}
        The spokes: the tasks, or the score columns.
    metrics : list of str, optional
        ``axes="metrics"``: score columns (default: every one ``detect_metrics`` finds).
    normalize : {"min_max", "percentile", "absolute"}
        Per-spoke scaling across models (see :func:`normalise_axis`).
    domain : (float, float), optional
        Radial range of ``"absolute"`` (default (0, 1) when every value lies in it, else
        the data range).
    invert : list of str, optional
        Spokes where lower is better (task names, score columns or metric names); they are
        flipped so that outward is always better and labelled "(inverted)". Default for
        ``axes="metrics"``: the lower-is-better metrics (ECE, Brier score, ...).
    columns : TableSpec or dict, optional
        Which columns hold what, as in :func:`vizwidget.scores.scores_by_task`.

    Returns
    -------
    plotly.graph_objects.Figure
        One closed ``go.Scatterpolar`` per model; ``customdata`` holds the raw values.

    Raises
    ------
    NotApplicableError
        With fewer than three spokes.
    """
    import pandas as pd
    import plotly.graph_objects as go

    spec = table_spec("scores_radar", columns, legacy, _LEGACY)
    rows, r, at = prepare(table, epoch, spec)
    if axes == "tasks":
        s = summarise(rows, r, [r.model, r.task], None)
        matrix = s.pivot_table(index=r.model, columns=r.task, values="score", sort=False)
        spokes = [str(c) for c in matrix.columns]
        inverted = set(invert or ())
        label = r.metric.label
    elif axes == "metrics":
        infos = ([metric_info(rows, m) for m in metrics] if metrics is not None
                 else detect_metrics(rows))
        columns = {}
        for info in infos:
            ri = resolve(rows, TableSpec(r.task, r.model, info.column, None, r.count, r.epoch))
            part = summarise(rows, ri, [r.model], None)
            columns[info.label] = part.set_index(r.model)["score"]
        matrix = pd.DataFrame(columns)
        spokes = list(columns)
        names = set(invert) if invert is not None else {
            i.column for i in infos if i.lower_is_better}
        inverted = {i.label for i in infos if {i.column, i.metric, i.display, i.label} & names}
        label = "metrics"
    else:
        raise EvalTableError(f"Unknown axes {axes!r}.\nUse 'tasks' or 'metrics'.")
    if len(spokes) < 3:
        raise NotApplicableError(f"A radar needs at least 3 {axes}, this table has "
                                 f"{len(spokes)} ({', '.join(spokes)}).\n"
                                 "Use scores_by_task or scores_heatmap instead.")
    raw = matrix.to_numpy(float)
    if domain is None:
        finite = raw[np.isfinite(raw)]
        inside = finite.size and finite.min() >= 0 and finite.max() <= 1
        domain = (0.0, 1.0) if inside else (float(finite.min()), float(finite.max()))
    scaled = np.column_stack([
        normalise_axis(raw[:, k], normalize, spokes[k] in inverted, domain)
        for k in range(len(spokes))])
    theta = [f"{a} (inverted)" if a in inverted else a for a in spokes]
    fig = go.Figure()
    colors = assign_colors(str(name) for name in matrix.index)
    for i, name in enumerate(matrix.index):
        fig.add_trace(go.Scatterpolar(
            r=np.append(scaled[i], scaled[i][0]), theta=[*theta, theta[0]], name=str(name),
            mode="lines+markers", fill="toself", fillcolor=translucent(colors[str(name)], 0.12),
            line={"color": colors[str(name)]}, customdata=np.append(raw[i], raw[i][0]),
            hovertemplate="%{fullData.name}<br>%{theta}: %{customdata:.4g}<extra></extra>"))
    radial = list(domain) if normalize == "absolute" else [0, 1]
    fig.update_layout(polar={"radialaxis": {"range": radial}}, legend_title_text="model",
                      title=make_title(title or f"{label} radar ({normalize})", **at))
    return fig
