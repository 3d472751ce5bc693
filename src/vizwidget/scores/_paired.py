"""Paired comparison of two models on the same samples: per task, mean difference B − A.

Samples are matched by task, task arguments (``task_arg_*``), sample id and inspect epoch;
the interval is the one of the per-sample differences (``mean_stderr``), clustered by sample
when a sample repeats over inspect epochs or by the ``cluster`` column when one is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._deprecation import deprecated_keywords
from ..colors import PALETTE
from ..errors import EvalTableError, NotApplicableError
from ._cells import numbers, source_of
from ._stats import check_ci, interval, interval_label, mean_stderr
from ._style import title as make_title
from ._table import SAMPLE_ID, TableSpec, as_frame, resolve, select_epoch, table_spec

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

__all__ = ["SAMPLE_EPOCH", "paired_difference", "paired_differences"]

#: The inspect epoch of a sample in a sample table (1 when the column is absent).
SAMPLE_EPOCH = "sample_epoch"

#: The column keywords paired views took before ``columns=``.
_LEGACY = ("task_name", "model", "score_value", "epoch_column", "cluster")

COLUMNS = ["task", "model_a", "model_b", "n", "clusters", "mean_a", "mean_b", "difference",
           "stderr", "lo", "hi", "unmatched_a", "unmatched_b"]


def _models(df: pd.DataFrame, column: str, model_a: str | None,
            model_b: str | None) -> tuple[str, str]:
    have = sorted({str(m) for m in df[column].dropna()})
    if model_a is None and model_b is None and len(have) == 2:
        return have[0], have[1]
    if model_a is None or model_b is None:
        raise NotApplicableError(f"A paired comparison needs two models; the table has "
                                 f"{len(have)} ({', '.join(have[:6])}).\n"
                                 "Pass model_a= and model_b= (--paired MODEL_A MODEL_B).")
    for name in (model_a, model_b):
        if name not in have:
            raise EvalTableError(f"The eval samples have no model {name!r}.\n"
                                 f"Pass one of: {', '.join(have[:10])}.")
    if model_a == model_b:
        raise EvalTableError(f"Both models of the paired comparison are {model_a!r}.\n"
                             "Pass two different models.")
    return model_a, model_b


def _keyed(rows: pd.DataFrame, key_columns: list[str], model: str) -> pd.DataFrame:
    dup = rows.duplicated(subset=key_columns, keep=False)
    if dup.any():
        first = rows[dup].iloc[0]
        raise EvalTableError(
            f"Model {model!r} has {int(dup.sum())} samples scored more than once at one "
            f"checkpoint (e.g. sample {first[SAMPLE_ID]!r} of task {first[key_columns[0]]!r}).\n"
            "Keep one run per model, task and checkpoint, or pass epoch= to pick one.")
    return rows.set_index(key_columns)


@deprecated_keywords(*_LEGACY)
def paired_differences(table: Any, model_a: str | None = None, model_b: str | None = None,
                       epoch: int | None = None, *,
                       columns: TableSpec | Mapping[str, str | None] | None = None,
                       ci: float | None = 0.95, **legacy: Any) -> pd.DataFrame:
    """Per task, the mean per-sample difference ``model_b − model_a`` with a paired interval.

    Parameters
    ----------
    table : DataFrame
        A sample table (one row per sample and inspect epoch, with ``sample_id``; see
        ``vizwidget.evals.load_eval_samples``).
    model_a, model_b : str, optional
        The models (default: the table's two models, in sorted order).
    epoch : int, optional
        The checkpoint epoch (default: each task and model at its latest).
    columns : TableSpec or dict, optional
        Which columns hold task, model, score, checkpoint epoch and cluster (default:
        detected; ``cluster``: the sample id, clustered only when a sample repeats over
        inspect epochs). ``task_name=``, ``model=``, … still work and warn.
    ci : float or None, default 0.95
        Confidence level of the paired interval; None gives none.

    Returns
    -------
    pandas.DataFrame
        One row per task: ``task, model_a, model_b, n`` (paired samples), ``clusters``,
        ``mean_a, mean_b, difference, stderr, lo, hi, unmatched_a, unmatched_b`` (samples of
        one model with no partner in the other; left out). ``attrs["method"]`` is ``"se"``
        or ``"clustered"``, ``attrs["interval"]`` names it.

    Raises
    ------
    NotApplicableError
        On a table with one row per evaluation (no per-sample scores), or not two models.
    """
    import pandas as pd

    spec = table_spec("paired_differences", columns, legacy, _LEGACY)
    check_ci(ci)
    df = as_frame(table)
    if SAMPLE_ID not in df.columns:
        raise NotApplicableError(f"A paired comparison needs per-sample scores, but "
                                 f"{source_of(df)} has one row per evaluation (no "
                                 f"{SAMPLE_ID!r} column).\nPass inspect-ai logs or "
                                 "vizwidget.evals.load_eval_samples(logs).")
    r = resolve(df, spec)
    cluster = r.cluster
    a, b = _models(df, r.model, model_a, model_b)
    df = df.assign(_score=numbers(df, r.score))
    df = df[df[r.model].astype(str).isin((a, b))]
    df = select_epoch(df, r, None if epoch is None else int(epoch))
    extra = sorted(c for c in df.columns if str(c).startswith("task_arg_"))
    df = df.assign(_epoch=df[SAMPLE_EPOCH].astype(str) if SAMPLE_EPOCH in df.columns else "1",
                   _args=df[extra].map(str).agg("\x1f".join, axis=1) if extra else "",
                   _sample=df[SAMPLE_ID].map(str))
    df["_cluster"] = df["_args"] + "\x1f" + (df[cluster].map(str) if cluster
                                             else df["_sample"])
    keys = [r.task, "_args", "_sample", "_epoch"]
    rows, clustered = [], bool(cluster)
    for task, part in df.groupby(r.task, sort=False):
        scored = part[np.isfinite(part["_score"].to_numpy(float))]
        left = _keyed(scored[scored[r.model].astype(str) == a], keys, a)
        right = _keyed(scored[scored[r.model].astype(str) == b], keys, b)
        both = left.merge(right[["_score"]], how="inner", left_index=True, right_index=True,
                          suffixes=("_a", "_b"))
        n_a = int((part[r.model].astype(str) == a).sum())
        n_b = int((part[r.model].astype(str) == b).sum())
        clustered = clustered or bool(both["_cluster"].duplicated().any())
        rows.append((task, both, n_a, n_b))
    out = []
    for task, both, n_a, n_b in rows:
        d = (both["_score_b"] - both["_score_a"]).to_numpy(float)
        mean, se, n, g = mean_stderr(d, both["_cluster"].to_numpy() if clustered else None)
        out.append({"task": str(task), "model_a": a, "model_b": b, "n": n, "clusters": g,
                    "mean_a": float(both["_score_a"].mean()) if n else np.nan,
                    "mean_b": float(both["_score_b"].mean()) if n else np.nan,
                    "difference": mean, "stderr": se,
                    "unmatched_a": n_a - n, "unmatched_b": n_b - n})
    result = pd.DataFrame(out, columns=[c for c in COLUMNS if c not in ("lo", "hi")])
    method = "none" if ci is None else "clustered" if clustered else "se"
    result["lo"], result["hi"] = interval(result["difference"].to_numpy(float),
                                          result["stderr"].to_numpy(float), None, method, ci)
    result = result[COLUMNS]
    result.attrs["method"] = method
    result.attrs["interval"] = interval_label(method, ci)
    result.attrs["metric"] = r.metric.label
    return result


@deprecated_keywords(*_LEGACY)
def paired_difference(
    table: Any, epoch: int | None = None, *, model_a: str | None = None,
    model_b: str | None = None,
    columns: TableSpec | Mapping[str, str | None] | None = None,
    ci: float | None = 0.95, title: str | None = None, **legacy: Any,
) -> go.Figure:
    """Per task, the mean difference of two models on the same samples, with a paired CI.

    Parameters are those of :func:`paired_differences`. The bars are ``model_b − model_a``;
    each says its number of paired samples (text and hover), the y axis names the interval,
    and unmatched samples are counted in the hover and a note under the title.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Bar`` over the tasks; ``customdata`` holds ``[n, lower, upper,
        unmatched_a, unmatched_b, mean_a, mean_b]``.
    """
    import plotly.graph_objects as go

    spec = table_spec("paired_difference", columns, legacy, _LEGACY)
    s = paired_differences(table, model_a, model_b, epoch, columns=spec, ci=ci)
    if not (s["n"] > 0).any():
        raise NotApplicableError(f"No sample was scored for both {s['model_a'].iloc[0]!r} "
                                 f"and {s['model_b'].iloc[0]!r}.\nEvaluate both models on the "
                                 "same samples (same task, arguments and sample ids).")
    a, b = s["model_a"].iloc[0], s["model_b"].iloc[0]
    y, lo, hi = (s[c].to_numpy(float) for c in ("difference", "lo", "hi"))
    custom = s[["n", "lo", "hi", "unmatched_a", "unmatched_b", "mean_a", "mean_b"]]
    fig = go.Figure(go.Bar(
        x=s["task"].to_numpy(), y=y, name=f"{b} − {a}", marker_color=PALETTE[0],
        text=[f"n = {n}" for n in s["n"]], textposition="inside", insidetextanchor="start",
        customdata=custom.to_numpy(float),
        error_y=None if not np.isfinite(lo).any() else {
            "type": "data", "symmetric": False, "array": np.nan_to_num(hi - y),
            "arrayminus": np.nan_to_num(y - lo), "visible": True, "thickness": 1.2},
        hovertemplate=("%{x}: %{y:.4g}<br>CI [%{customdata[1]:.3f}, %{customdata[2]:.3f}]"
                       "<br>n = %{customdata[0]:.0f} paired samples; unmatched "
                       f"{a}: %{{customdata[3]:.0f}}, {b}: %{{customdata[4]:.0f}}"
                       "<br>means %{customdata[5]:.4g} → %{customdata[6]:.4g}<extra></extra>")))
    fig.add_hline(y=0, line={"color": "#888", "width": 1})
    label = s.attrs["metric"]
    axis = f"{label} difference"
    fig.update_layout(xaxis_title="task", showlegend=False,
                      yaxis_title=f"{axis} ({s.attrs['interval']})" if s.attrs["interval"]
                      else axis,
                      title=make_title(title or f"{label}: {b} − {a}, paired by sample",
                                       None if epoch is None else int(epoch)))
    unmatched = int(s["unmatched_a"].sum() + s["unmatched_b"].sum())
    if unmatched:
        fig.add_annotation(text=(f"{int(s['unmatched_a'].sum())} samples of {a} and "
                                 f"{int(s['unmatched_b'].sum())} of {b} had no partner "
                                 "and are left out"), xref="paper", yref="paper", x=0,
                           y=1.0, yanchor="bottom", showarrow=False, font={"size": 11})
    return fig
