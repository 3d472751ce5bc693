"""Overlays of over-epochs views: one line per variant, or a group's mean with a spread band."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import numpy as np

from .._epochs import nearest_index
from ..colors import HIGHLIGHT, assign_colors, translucent
from ..figures import axis_key
from ..registry import Visualization
from ._bands import BANDS, band_half_width, check_band, group_curves
from ._lines import Line, Processing, series_lines
from ._many import MANY_RUNS, ManyRuns
from ._variants import Variants

__all__ = ["Processing", "prepare_overlay"]

DASHES = ("solid", "dash", "dot", "dashdot", "longdash")


def _hold_data(layout: dict, lines: list[Line]) -> None:
    """Every x axis spans all variants' data (a renderer fixes it to its own run's)."""
    for xa in {ln.xaxis for ln in lines}:
        xs = np.concatenate([ln.x[np.isfinite(ln.x)] for ln in lines if ln.xaxis == xa])
        spec = layout.get(axis_key(xa))
        if spec and spec.get("range") is not None and spec.get("type") not in ("log", "date"):
            layout[axis_key(xa)] = ({**spec, "range": [float(xs.min()), float(xs.max())]}
                                    if xs.size else {**spec, "range": None, "autorange": True})


def _sparse_style(y: np.ndarray) -> dict:
    """Lines bridge missing values; a point with no finite neighbour also gets a marker."""
    ok = np.isfinite(y)
    before = np.r_[False, ok[:-1]]
    after = np.r_[ok[1:], False]
    alone = ok & ~before & ~after
    if not alone.any():
        return {"mode": "lines", "connectgaps": True}
    return {"mode": "lines+markers", "connectgaps": True,
            "marker": {"size": np.where(alone, 7, 0).tolist()}}


def _group_traces(name: str, label: str, own: list[Line], color: str, dash: str, band: str,
                  log_y: bool, notes: list[str]) -> list[dict]:
    """A group's mean line and, with 2 or more members, its band on the shared epochs."""
    x, Y = group_curves([(ln.x, ln.y) for ln in own])
    xa, ya, series = own[0].xaxis, own[0].yaxis, own[0].series
    n = len(own)
    mean = Y.mean(axis=0) if x.size else np.zeros(0)
    half = band_half_width(Y, band) if x.size else np.zeros(0)
    kind = BANDS[band]
    traces = []
    if n >= 2 and band != "none" and x.size:
        lo, hi = mean - half, mean + half
        if log_y and np.any(lo <= 0):
            clipped = int(np.sum(lo <= 0))
            lo = np.where(lo <= 0, mean * 1e-3, lo)  # a log axis cannot show values <= 0
            notes.append(f"{label}: band clipped to 1e-3 × mean at {clipped} epoch(s) where it "
                         "reaches 0 or below (log axis)")
        traces.append({
            "type": "scatter", "x": np.r_[x, x[::-1]], "y": np.r_[hi, lo[::-1]],
            "fill": "toself", "mode": "lines",
            "line": {"width": 0}, "fillcolor": translucent(color, 0.2), "hoverinfo": "skip",
            "xaxis": xa, "yaxis": ya, "legendgroup": name, "showlegend": False,
            "name": f"{label} {kind}", "meta": {"group": name, "series": series,
                                                "band": True, "kind": band, "n": n},
        })
        legend = f"{label} (mean of {n} runs, band {kind})"
    elif n >= 2:
        legend = f"{label} (mean of {n} runs, no band)"
    else:
        legend = f"{label} (1 run, no band)"
    hover = f"{label}: epoch %{{x}}, mean %{{y:.4g}} (N={n})<extra></extra>"
    traces.append({
        "type": "scatter", "x": x, "y": mean, "xaxis": xa, "yaxis": ya,
        "legendgroup": name, "name": legend, "hovertemplate": hover,
        "line": {"color": color, "dash": dash}, **_sparse_style(mean),
        "meta": {"group": name, "series": series, "members": n, "spread": band},
    })
    return traces


def _traces(variants: Variants, lines: list[Line], layout: dict,
            band: str = "sd") -> tuple[list[dict], list[str]]:
    """Trace dicts per variant, or mean line + band per group and series; and notes."""
    multi = len({(ln.xaxis, ln.yaxis, ln.series) for ln in lines}) > 1
    series_dash: dict[tuple, str] = {}
    for ln in lines:
        series_dash.setdefault((ln.xaxis, ln.series), DASHES[
            sum(1 for key in series_dash if key[0] == ln.xaxis) % len(DASHES)])
    traces: list[dict] = []
    notes: list[str] = []
    groups = variants.groups
    if not groups:
        colors = assign_colors(m.label for m in variants)  # a run's colour, in every figure
        for m in variants:
            for ln in (ln for ln in lines if ln.member is m):
                traces.append({
                    "type": "scatter", "x": ln.x, "y": ln.y, **_sparse_style(ln.y),
                    "xaxis": ln.xaxis, "yaxis": ln.yaxis, "legendgroup": m.label,
                    "name": f"{m.label} · {ln.series}" if multi else m.label,
                    "line": {"color": colors[m.label],
                             "dash": series_dash[(ln.xaxis, ln.series)]},
                    "meta": {"variant": m.label, "series": ln.series},
                })
        return traces, notes
    colors = assign_colors(groups)
    for name, members in groups.items():
        keys = dict.fromkeys((ln.xaxis, ln.yaxis, ln.series) for ln in lines
                             if ln.member in members)
        for xa, ya, series in keys:
            own = [ln for ln in lines if ln.member in members
                   and (ln.xaxis, ln.yaxis, ln.series) == (xa, ya, series)]
            log_y = (layout.get(axis_key(ya)) or {}).get("type") == "log"
            traces += _group_traces(name, f"{name} · {series}" if multi else name, own,
                                    colors[name], series_dash[(xa, series)],
                                    band, log_y, notes)
    return traces, notes


def _highlight(traces: list[dict], epoch: int, layout: dict) -> tuple[list[dict], list[dict]]:
    """A star on every line at its point nearest ``epoch``, and a dotted line per subplot."""
    stars, shapes = [], []
    for t in traces:
        x = np.asarray(t["x"], dtype=float)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(np.asarray(t["y"], dtype=float)))
        if t.get("fill") or not ok.size:
            continue
        i = int(ok[nearest_index(x[ok].tolist(), epoch)])
        stars.append({
            "type": "scatter", "x": [t["x"][i]], "y": [t["y"][i]], "mode": "markers",
            "xaxis": t["xaxis"], "yaxis": t["yaxis"], "showlegend": False,
            "legendgroup": t["legendgroup"],
            "marker": {"color": t["line"]["color"], "size": 12, "symbol": "star",
                       "line": {"color": HIGHLIGHT, "width": 1.5}},
            "hovertemplate": f"{t['name']}: epoch %{{x}}, %{{y:.4g}}<extra></extra>",
            "meta": {**t["meta"], "highlight": True},
        })
    for xa, ya in dict.fromkeys((t["xaxis"], t["yaxis"]) for t in traces):
        shapes.append({"type": "line", "xref": xa, "yref": f"{ya} domain", "x0": epoch,
                       "x1": epoch, "y0": 0, "y1": 1,
                       "line": {"color": HIGHLIGHT, "dash": "dot", "width": 1.5}})
    return stars, shapes


def _x_span(trace: dict, traces: list[dict]) -> tuple[float, float]:
    """The finite x range of every trace on ``trace``'s x axis ((0, 0) when empty)."""
    xs = np.concatenate([np.asarray(t["x"], dtype=float) for t in traces
                         if t["xaxis"] == trace["xaxis"]])
    xs = xs[np.isfinite(xs)]
    return (float(xs.min()), float(xs.max())) if xs.size else (0.0, 0.0)


def _epoch_label(epoch: int, trace: dict, span: tuple[float, float]) -> dict:
    """The "epoch N" label in ``trace``'s subplot (x range ``span``), on its roomier side.

    Placed in the subplot's own box (``x domain``), it neither stretches the axis nor
    meets the subplot's title above it.
    """
    lo, hi = span
    where = 0.5 if hi <= lo else min(max((epoch - lo) / (hi - lo), 0.0), 1.0)
    return {"text": f"epoch {epoch}", "x": where, "xref": f"{trace['xaxis']} domain",
            "y": 0.02, "yref": f"{trace['yaxis']} domain", "showarrow": False,
            "xanchor": "right" if where > 0.5 else "left", "xshift": -4 if where > 0.5 else 4,
            "yanchor": "bottom", "font": {"color": HIGHLIGHT, "size": 11}}


def prepare_overlay(variants: Variants, vis: Visualization, *,
                    processing: Processing | None = None, band: str | None = "sd",
                    **kw: Any) -> Callable[..., Any]:
    """A function ``epoch -> figure dict`` overlaying ``vis`` of every variant.

    The variants' figures are rendered once (through the registry); each call only moves
    the current-epoch highlight, and returns a plain figure dict (no plotly validation:
    a step of a thousand runs costs milliseconds). Missing values are bridged
    (``connectgaps``), and a point with no finite neighbour gets a marker.

    More than :data:`~vizwidget.compare._many.MANY_RUNS` ungrouped variants are drawn as a
    few merged traces per series, and the current epoch as layout shapes (a tick per run on
    the dotted line), so that an epoch step redraws no line; hovering names the run's
    number in ``variants``.

    Parameters
    ----------
    band : {"sd", "sem", "ci95", "none"} or None, default "sd"
        Grouped variants only: the band around each group's mean, over the epochs every
        member has a value at (see :func:`group_curves`). ``"sd"``: ±1 sample standard
        deviation (n−1); ``"sem"``: ±SD/√n; ``"ci95"``: the 95% confidence interval of the
        mean, ``±t(0.975, n−1)·SD/√n``. The legend names the band and the number of runs;
        a one-run group draws no band and its legend says so. On a log axis a band reaching
        0 or below is clipped, and a note under the figure says where.
    """
    band = check_band(band)
    layout, lines = series_lines(variants, vis, processing, kw)
    many = None if variants.groups or len(variants) <= MANY_RUNS else ManyRuns(variants, lines)
    traces, notes = (many.traces(), []) if many else _traces(variants, lines, layout, band)
    span = _x_span(traces[0], traces)  # the epoch label's subplot, computed once
    base = {k: v for k, v in layout.items() if k not in ("shapes", "template")}
    what = (f"{len(variants.groups)} groups of {len(variants):,} variants (mean, band "
            f"{BANDS[band]})" if variants.groups else f"{len(variants):,} variants")
    old = (layout.get("title") or {}).get("text") or vis.name
    base["title"] = {"text": f"{old} — {what}"}
    _hold_data(base, lines)
    base["showlegend"] = True

    def figure(epoch: int | None = None) -> dict:
        data = [dict(t) for t in traces]  # callers may set keys of their own copy
        annotations = list(base.get("annotations") or ())
        shapes: list[dict] = []
        if notes:
            annotations.append({"text": "<br>".join(html.escape(n) for n in notes),
                                "xref": "paper", "yref": "paper", "x": 0, "y": -0.12,
                                "xanchor": "left", "yanchor": "top", "showarrow": False,
                                "align": "left", "font": {"size": 10}, "name": "band note"})
        if epoch is not None and many:  # layout only: a step leaves the lines be
            shapes = many.marks(epoch, layout)
        elif epoch is not None:
            stars, shapes = _highlight(traces, epoch, layout)
            data += stars
        if epoch is not None:
            annotations.append(_epoch_label(epoch, traces[0], span))
        return {"data": data, "layout": {**base, "annotations": annotations, "shapes": shapes}}

    return figure
