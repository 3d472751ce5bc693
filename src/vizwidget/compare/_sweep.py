"""Sweep views of a set of runs: a metric against hyperparameters (scatter, parallel axes, grid)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..colors import PALETTE
from ..errors import ArtifactError, ComparisonError
from ._bands import t_quantile
from ._figure import register_comparison
from ._variants import Member, Variants, _named

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["SWEEP_VIEWS", "hparam_heatmap", "hparam_scatter", "metric_value",
           "parallel_coordinates", "t_quantile"]

#: The sweep views: comparisons only (one run alone has no sweep to show).
SWEEP_VIEWS = ("hparam_scatter", "parallel_coordinates", "hparam_heatmap")
SUMMARIES = ("final", "best", "min", "max")
INTERVALS = {"t95": "± 95 % t-CI", "std": "± 1 std", "sem": "± 1 s.e.m.", None: ""}
#: Config keys that name a run rather than set it.
_NOT_HPARAMS = {"run_id", "run_name", "name", "seed"}
_LOWER_IS_BETTER = {"loss", "error", "err", "perplexity", "ppl", "mse", "mae", "rmse", "nll",
                    "wer", "cer", "bpd", "bpc"}
_RATE = re.compile(r"(^|[^a-z])(lr|learning_rate|rate|decay|wd|eps|epsilon|alpha|lambda|l2)"
                   r"($|[^a-z])", re.IGNORECASE)


def _words(name: str) -> set[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w}


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, bool) and math.isfinite(float(value)))


def _table(variants: Variants, m: Member) -> dict[str, list]:
    try:
        return m.loader.metrics()
    except ArtifactError as err:
        raise _named(err, m) from err


def metric_value(variants: Variants, m: Member, metric: str, summary: str = "final",
                 epoch: int | None = None) -> tuple[float, int]:
    """``(value, epoch)`` of ``metric`` in run ``m``: at the logged epoch nearest ``epoch``
    (ties: earlier), else its ``summary``: "final" (last logged), "best" (min for losses and
    errors, max otherwise), "min" or "max".

    Raises
    ------
    ComparisonError
        The run has no such metric or never logged a finite value of it; unknown summary.
    """
    if summary not in SUMMARIES:
        raise ComparisonError(f"Unknown summary {summary!r}.\n"
                              f"Use one of: {', '.join(SUMMARIES)} (or epoch= a number).")
    table = _table(variants, m)
    if metric not in table or metric == "epoch":
        names = [k for k in table if k != "epoch"]
        raise ComparisonError(
            f"Run {m.label!r} has no metric {metric!r}.\n"
            f"Its metrics: {', '.join(map(repr, names)) or 'none'}; pass metric= one of them.")
    xs = np.asarray(table["epoch"], dtype=float)
    ys = np.array([np.nan if v is None else float(v) for v in table[metric]], dtype=float)
    ok = np.isfinite(ys)
    if not ok.any():
        raise ComparisonError(f"Run {m.label!r} never logged a finite value of {metric!r}.\n"
                              "Leave the run out (filter_string= or a narrower glob).")
    xs, ys = xs[ok], ys[ok]
    if epoch is not None:
        i = int(np.argmin(np.abs(xs - epoch)))  # argmin: the earlier of two ties
    elif summary == "final":
        i = len(ys) - 1
    else:
        lower = summary == "min" or (summary == "best" and bool(_words(metric)
                                                                  & _LOWER_IS_BETTER))
        i = int(np.argmin(ys) if lower else np.argmax(ys))
    return float(ys[i]), int(xs[i])


def _what(metric: str, summary: str, epoch: int | None) -> str:
    if epoch is not None:
        return f"{metric} at epoch ≈ {epoch}"
    if summary == "best":
        best = "min" if _words(metric) & _LOWER_IS_BETTER else "max"
        return f"{metric} (best = {best})"
    return f"{metric} ({summary})"


def _need(value: Any, option: str, view: str) -> None:
    if value is None:
        raise ComparisonError(f"{view} needs {option}.\n"
                              f"Pass {option}=<name>, e.g. comparison_figure(runs, {view!r}, "
                              f"{option}=...).")


def _hparam(m: Member, key: str) -> Any:
    if key not in m.config:
        raise ComparisonError(
            f"Run {m.label!r} has no hyperparameter {key!r}.\n"
            f"Its config has: {', '.join(sorted(map(str, m.config))) or 'nothing'}.")
    return m.config[key]


def _log_axis(key: str, values: Sequence[float]) -> bool:
    """Rates (lr, decay, eps …) and positive values spanning two decades get a log axis."""
    if not values or min(values) <= 0:
        return False
    return bool(_RATE.search(key)) or max(values) / min(values) >= 100


def _interval(ys: np.ndarray, interval: str | None) -> float:
    n = ys.size
    if interval is None or n < 2:
        return 0.0
    std = float(ys.std(ddof=1))
    if interval == "std":
        return std
    sem = std / math.sqrt(n)
    return sem if interval == "sem" else t_quantile(n - 1) * sem


def _spread(X: np.ndarray, values: list[float], log: bool) -> list[float]:
    """Runs of one value side by side: a small horizontal offset each, the mean in the middle
    (in decades on a log axis); hover shows the true value."""
    gaps = np.diff(np.log10(values) if log else values)
    width = 0.12 * (float(gaps.min()) if gaps.size else 1.0)
    out = X.astype(float).copy()
    for v in values:
        idx = np.flatnonzero(X == v)
        offsets = np.linspace(-width, width, idx.size) if idx.size > 1 else np.zeros(1)
        out[idx] = v * 10 ** offsets if log else v + offsets
    return out.tolist()


def _n_text(counts: Sequence[int]) -> str:
    lo, hi = min(counts), max(counts)
    return f"N={lo}" if lo == hi else f"N={lo}–{hi}"


def hparam_scatter(variants: Variants, metric: str | None = None, hparam: str | None = None,
                   *, summary: str = "final", epoch: int | None = None,
                   log_x: bool | None = None, interval: str | None = "t95") -> go.Figure:
    """A metric (final, best or at an epoch) against one numeric hyperparameter.

    Each run is a point (the seeds of one value side by side, slightly apart; hover gives the
    true value); per value a mean with an interval:
    ``"t95"`` (mean ± 95 % Student-t confidence interval), ``"std"``, ``"sem"`` or None.
    ``log_x`` None: log axis for rates (lr, decay, eps …) and values spanning two decades.

    Raises
    ------
    ComparisonError
        A run lacks the metric or the hyperparameter, or its value is not a number (use
        :func:`parallel_coordinates` or :func:`hparam_heatmap` for categories), or a log
        axis gets a value <= 0.
    """
    import plotly.graph_objects as go

    _need(metric, "metric", "hparam_scatter")
    _need(hparam, "hparam", "hparam_scatter")
    if interval not in INTERVALS:
        raise ComparisonError(f"Unknown interval {interval!r}.\n"
                              "Use 't95', 'std', 'sem' or None.")
    xs, ys, labels = [], [], []
    for m in variants:
        x = _hparam(m, hparam)
        if not _is_number(x):
            raise ComparisonError(
                f"Run {m.label!r}: hyperparameter {hparam!r} is {x!r}, not a number, and "
                "hparam_scatter needs a numeric axis.\nUse parallel_coordinates or "
                "hparam_heatmap for categorical values, or log it as a number.")
        xs.append(float(x))
        ys.append(metric_value(variants, m, metric, summary, epoch)[0])
        labels.append(m.label)
    log = _log_axis(hparam, xs) if log_x is None else bool(log_x)
    if log and min(xs) <= 0:
        raise ComparisonError(f"A log axis cannot show {hparam}={min(xs):g}.\n"
                              "Pass log_x=False.")
    X, Y = np.asarray(xs), np.asarray(ys)
    values = sorted(set(xs))
    means = [float(Y[X == v].mean()) for v in values]
    errors = [_interval(Y[X == v], interval) for v in values]
    counts = [int((X == v).sum()) for v in values]
    name = f"mean {INTERVALS[interval]}".rstrip() + f", {_n_text(counts)} per value"
    what = _what(metric, summary, epoch)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=_spread(X, values, log), y=ys, mode="markers", name=f"runs ({len(xs)})",
        text=labels, customdata=xs,
        marker={"color": PALETTE[0], "size": 8, "opacity": 0.6},
        hovertemplate=f"%{{text}}<br>{hparam}=%{{customdata}}<br>{metric}=%{{y:.4g}}"
                      "<extra></extra>",
        meta={"role": "runs"}))
    fig.add_trace(go.Scatter(
        x=values, y=means, mode="lines+markers", name=name,
        error_y={"type": "data", "array": errors, "visible": interval is not None,
                 "thickness": 1.5, "width": 6},
        line={"color": PALETTE[1]}, marker={"color": PALETTE[1], "size": 11, "symbol": "diamond"},
        customdata=counts,
        hovertemplate=f"{hparam}=%{{x}}<br>mean %{{y:.4g}} ± %{{error_y.array:.3g}}"
                      "<br>N=%{customdata}<extra></extra>",
        meta={"role": "mean", "interval": interval, "counts": counts}))
    fig.update_xaxes(title_text=hparam, type="log" if log else "linear")
    fig.update_yaxes(title_text=what)
    fig.update_layout(title={"text": f"{what} vs {hparam} — {len(xs)} runs"},
                      showlegend=True)
    return fig


def _varying(variants: Variants) -> list[str]:
    keys: list[str] = []
    for m in variants:
        keys.extend(k for k in m.config if k not in keys)
    out = []
    for key in keys:
        if key in _NOT_HPARAMS:
            continue
        seen = {repr(m.config.get(key)) for m in variants}
        if len(seen) > 1 and all(not isinstance(m.config.get(key), (dict, list))
                                 for m in variants):
            out.append(key)
    return out


def _sort_key(value: Any) -> tuple:
    return (0, float(value), "") if _is_number(value) else (1, 0.0, str(value))


def _dimension(key: str, values: list[Any]) -> dict:
    if all(_is_number(v) for v in values):
        nums = [float(v) for v in values]
        if _log_axis(key, nums) and bool(_RATE.search(key)):
            return {"label": f"log10({key})", "values": np.log10(nums).tolist()}
        return {"label": key, "values": nums}
    shown = ["(none)" if v is None else v for v in values]
    cats = sorted(set(map(str, shown)), key=lambda s: _sort_key(
        next(v for v in shown if str(v) == s)))
    index = {c: i for i, c in enumerate(cats)}
    return {"label": key, "values": [index[str(v)] for v in shown],
            "tickvals": list(range(len(cats))), "ticktext": cats,
            "range": [-0.25, len(cats) - 0.75] if len(cats) > 1 else [-1, 1]}


def parallel_coordinates(variants: Variants, metric: str | None = None,
                         hparams: Sequence[str] | None = None, *, summary: str = "final",
                         epoch: int | None = None) -> go.Figure:
    """One line per run across hyperparameter axes to the metric (plotly Parcoords).

    ``hparams`` default: every config key whose value differs between runs (not run_id,
    run_name, name or seed). Categorical values get one tick each (tickvals/ticktext); rates
    are drawn as log10. Lines are coloured by the metric.
    """
    import plotly.graph_objects as go

    _need(metric, "metric", "parallel_coordinates")
    keys = list(hparams) if hparams is not None else _varying(variants)
    if not keys:
        raise ComparisonError(
            f"The {len(variants)} runs share every hyperparameter; parallel coordinates has "
            "nothing to spread.\nPass hparams=[...] or compare runs with different settings.")
    for m in variants:
        for k in keys:
            if hparams is not None:
                _hparam(m, k)
    scores = [metric_value(variants, m, metric, summary, epoch)[0] for m in variants]
    dims = [_dimension(k, [m.config.get(k) for m in variants]) for k in keys]
    what = _what(metric, summary, epoch)
    dims.append({"label": what, "values": scores})
    fig = go.Figure(go.Parcoords(
        dimensions=dims,
        line={"color": scores, "colorscale": "Viridis", "showscale": True,
              "colorbar": {"title": {"text": metric}}},
        meta={"runs": variants.labels}))
    over = f"{len(keys)} hyperparameter{'s' if len(keys) > 1 else ''}"
    fig.update_layout(title={"text": f"{what} over {over} — {len(variants)} runs"},
                      margin={"l": 80, "r": 80, "t": 110, "b": 40})
    return fig


def hparam_heatmap(variants: Variants, metric: str | None = None, x: str | None = None,
                   y: str | None = None, *, summary: str = "final",
                   epoch: int | None = None) -> go.Figure:
    """The mean metric for each pair of values of two hyperparameters; N per cell as text."""
    import plotly.graph_objects as go

    _need(metric, "metric", "hparam_heatmap")
    _need(x, "x", "hparam_heatmap")
    _need(y, "y", "hparam_heatmap")
    cells: dict[tuple[str, str], list[float]] = {}
    xs: dict[str, Any] = {}
    ys: dict[str, Any] = {}
    for m in variants:
        vx, vy = _hparam(m, x), _hparam(m, y)
        xs.setdefault(str(vx), vx)
        ys.setdefault(str(vy), vy)
        cells.setdefault((str(vx), str(vy)), []).append(
            metric_value(variants, m, metric, summary, epoch)[0])
    cols = sorted(xs, key=lambda k: _sort_key(xs[k]))
    rows = sorted(ys, key=lambda k: _sort_key(ys[k]))
    z = [[float(np.mean(cells[(c, r)])) if (c, r) in cells else None for c in cols]
         for r in rows]
    text = [[f"{np.mean(cells[(c, r)]):.4g}<br>N={len(cells[(c, r)])}" if (c, r) in cells
             else "" for c in cols] for r in rows]
    what = _what(metric, summary, epoch)
    fig = go.Figure(go.Heatmap(
        x=cols, y=rows, z=z, text=text, texttemplate="%{text}", colorscale="Viridis",
        colorbar={"title": {"text": f"mean {metric}"}}, hoverongaps=False,
        hovertemplate=f"{x}=%{{x}}<br>{y}=%{{y}}<br>%{{text}}<extra></extra>"))
    fig.update_xaxes(title_text=x, type="category")
    fig.update_yaxes(title_text=y, type="category")
    fig.update_layout(title={"text": f"mean {what} by {x} × {y} — {len(variants)} runs"})
    return fig


# -- registration: the comparison functions of the sweep views ------------------------------
def _compare(view: Any):
    def compare(variants: Variants, vis: Any, epoch: int | None, **kw: Any) -> go.Figure:
        return view(variants, epoch=epoch, **kw)

    compare.__name__ = f"{view.__name__}_comparison"
    return compare


for _view in (hparam_scatter, parallel_coordinates, hparam_heatmap):
    register_comparison(_view.__name__)(_compare(_view))
