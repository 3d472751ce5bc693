"""Per-group summaries of eval tables: pooled or per-sample means, one interval method each."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import EvalTableError
from ._cells import numbers
from ._stats import check_ci, interval, interval_label, mean_stderr
from ._table import EVAL_ID, Resolved

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["cluster_labels", "summarise"]


def _pool(score: np.ndarray, stderr: np.ndarray,
          count: np.ndarray) -> tuple[float, float, float]:
    """One (score, stderr, n) from several rows of the same group (e.g. two factor levels)."""
    if len(score) == 1:
        return float(score[0]), float(stderr[0]), float(count[0])
    if np.isfinite(count).all() and count.sum() > 0:
        total = count.sum()
        se = math.sqrt(float(np.sum((stderr * count) ** 2))) / total
        return float(np.sum(score * count) / total), se, float(total)
    k = len(score)
    se = math.sqrt(float(np.sum(stderr**2))) / k
    n = float(np.nansum(count)) if np.isfinite(count).any() else math.nan
    return float(np.mean(score)), se, n


_METHOD_NAMES = {"auto": "auto", "wilson": "wilson", "stderr": "se", "se": "se",
                 "clustered": "clustered", "none": "none"}


def _method_name(method: str) -> str:
    if method not in _METHOD_NAMES:
        raise EvalTableError(f"Unknown interval method {method!r}.\n"
                             "Use 'auto', 'wilson', 'stderr', 'clustered' or 'none'.")
    return _METHOD_NAMES[method]


def _is_binary(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(finite.size) and bool(np.isin(finite, (0.0, 1.0)).all())


def cluster_labels(df: pd.DataFrame, r: Resolved) -> pd.Series:
    """Per row of a sample table, its cluster: the ``cluster`` column when given, else the
    sample id (repeated over inspect epochs), within its evaluation (``eval_id``)."""
    column = r.cluster or r.sample_id
    labels = df[column].map(str)
    if EVAL_ID in df.columns:
        labels = df[EVAL_ID].map(str) + "\x1f" + labels
    return labels


def _sample_rows(data: pd.DataFrame, r: Resolved, keys: Sequence[str], method: str,
                 ) -> tuple[list[dict], str]:
    """Per group of a sample table: mean, stderr (CLT or clustered), n, clusters; the method."""
    data = data.assign(_cluster=cluster_labels(data, r))
    repeats = bool(data.groupby(list(keys), sort=False, dropna=False)["_cluster"].apply(
        lambda c: c.duplicated().any()).any()) if len(data) else False
    binary = _is_binary(data["_score"].to_numpy(float))
    if method == "auto":
        method = ("clustered" if r.cluster or repeats else "wilson" if binary else "se")
    elif method == "wilson" and not binary:
        raise EvalTableError(f"Wilson intervals need scores of 0 or 1, but {r.score!r} has "
                             "other values.\nUse interval='auto' (a CLT interval).")
    rows = []
    for key, group in data.groupby(list(keys), sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        values = group["_score"].to_numpy(float)
        clusters = group["_cluster"].to_numpy() if method == "clustered" else None
        mean, se, n, g = mean_stderr(values, clusters)
        rows.append({**dict(zip(keys, key, strict=True)), "score": mean, "stderr": se,
                     "n": float(n), "clusters": float(g)})
    return rows, method


def _table_rows(data: pd.DataFrame, r: Resolved, keys: Sequence[str], method: str,
                ) -> tuple[list[dict], str]:
    """Per group of an eval table: pooled score, stderr and n; the method."""
    if method == "clustered":
        raise EvalTableError("Clustered standard errors need per-sample scores, but this "
                             "table has one row per evaluation.\nPass a sample table "
                             "(vizwidget.evals.load_eval_samples) or interval='auto'.")
    flags = data[r.metric.binary] if r.metric.binary else None
    binary = flags is not None and bool(flags.map(lambda v: v is True or v == 1 or str(
        v).lower() == "true").all())
    if method == "auto":
        known_n = r.count is not None and bool(np.isfinite(data["_n"].to_numpy(float)).all())
        has_se = bool(np.isfinite(data["_se"].to_numpy(float)).any())
        method = ("wilson" if binary and known_n and len(data) else "se" if has_se
                  else "none")
    rows = []
    for key, group in data.groupby(list(keys), sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        score, se, n = _pool(group["_score"].to_numpy(float), group["_se"].to_numpy(float),
                             group["_n"].to_numpy(float))
        rows.append({**dict(zip(keys, key, strict=True)), "score": score, "stderr": se,
                     "n": n, "clusters": math.nan})
    return rows, method


def summarise(df: pd.DataFrame, r: Resolved, keys: Sequence[str],
              ci: float | None = 0.95, method: str = "auto") -> pd.DataFrame:
    """One row per ``keys`` group: ``score``, ``stderr``, ``n``, ``clusters``, ``lo``, ``hi``.

    One interval method for all groups, in ``out.attrs["method"]`` (``"wilson"``, ``"se"``,
    ``"clustered"`` or ``"none"``) and named in ``out.attrs["interval"]`` (e.g.
    ``"95 % Wilson"``; see :func:`vizwidget.scores.interval_label`).

    ``method="auto"``: a sample table gets clustered standard errors when a sample repeats
    within its evaluation (inspect epochs > 1) or ``cluster`` is given, else Wilson when
    every score is 0 or 1, else the CLT interval. An eval table's rows of one group are
    pooled (weighted by sample count when every row has one, else averaged); it gets Wilson
    only when its rows say their per-sample scores were 0/1 (``MetricInfo.binary``) and
    have a sample count, else ``score ± z·stderr`` with the metric's own stderr, else none.
    ``"wilson"``, ``"stderr"``, ``"clustered"`` and ``"none"`` force one.
    """
    import pandas as pd

    check_ci(ci)
    method = _method_name(method)
    data = df.copy()
    data["_score"] = numbers(data, r.score)
    data = data[np.isfinite(data["_score"].to_numpy(float))]
    data["_se"] = numbers(data, r.stderr, "score_stderr") if r.stderr else np.nan
    data["_n"] = numbers(data, r.count, "sample_count") if r.count else np.nan
    if r.sample_id:
        rows, method = _sample_rows(data, r, keys, method)
    else:
        rows, method = _table_rows(data, r, keys, method)
    if ci is None:
        method = "none"
    out = pd.DataFrame(rows, columns=[*keys, "score", "stderr", "n", "clusters"])
    lo, hi = interval(out["score"].to_numpy(float), out["stderr"].to_numpy(float),
                      out["n"].to_numpy(float), method, ci)
    out["lo"], out["hi"] = lo, hi
    out.attrs["method"] = method
    out.attrs["interval"] = (interval_label(method, ci) if method != "none" or ci is None
                             else "no interval: no standard error")
    return out
