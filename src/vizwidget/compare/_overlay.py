"""Overlays of over-epochs views: one line per variant, or a group's mean with a spread band."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._epochs import nearest_index
from ..colors import HIGHLIGHT, assign_colors
from ..errors import ComparisonError
from ..figures import axis_key, typed_array
from ..registry import Visualization
from ._bands import BANDS, band_half_width, check_band, group_curves
from ._variants import Member, Variants

__all__ = ["Processing", "prepare_overlay"]

Processing = Callable[[np.ndarray, np.ndarray], tuple[Any, Any]]
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")


@dataclass(frozen=True)
class _Line:
    """One series of one variant: its subplot axes, series name, and data."""

    member: Member
    xaxis: str
    yaxis: str
    series: str
    x: np.ndarray
    y: np.ndarray


def _is_series(trace: dict) -> bool:
    """The renderer's data lines: not bands, highlights, faint raw curves or markers only."""
    mode = trace.get("mode") or "lines+markers"
    return (trace.get("type", "scatter") in ("scatter", "scattergl") and "lines" in mode
            and not trace.get("fill") and trace.get("showlegend") is not False)


def _floats(values: Any) -> np.ndarray:
    """A trace's coordinates as floats (typed arrays decoded; None and missing as NaN)."""
    decoded = typed_array(values)
    if decoded is not None:
        return np.asarray(decoded, dtype=float).ravel()
    return np.asarray(() if values is None else values, dtype=float).ravel()


def _lines(variants: Variants, vis: Visualization, processing: Processing | None,
           kw: dict) -> tuple[dict, list[_Line]]:
    layout: dict = {}
    lines: list[_Line] = []
    for m in variants:
        fig = variants.figure_dict(m, vis, None, **kw)  # no highlight: drawn here
        layout = layout or fig.get("layout") or {}
        for trace in fig.get("data") or ():
            if not _is_series(trace):
                continue
            x = _floats(trace.get("x"))
            y = _floats(trace.get("y"))
            if processing is not None:
                px, py = processing(x, y)
                x, y = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
            lines.append(_Line(m, trace.get("xaxis") or "x", trace.get("yaxis") or "y",
                               str(trace.get("name") or vis.name), x, y))
    if not lines:
        raise ComparisonError(
            f"{vis.name!r} draws no lines over epochs to overlay.\n"
            "Use layout='small_multiples' for it.")
    return layout, lines


def _hold_data(layout: dict, lines: list[_Line]) -> None:
    """Every x axis spans all variants' data (a renderer fixes it to its own run's)."""
    for xa in {ln.xaxis for ln in lines}:
        xs = np.concatenate([ln.x[np.isfinite(ln.x)] for ln in lines if ln.xaxis == xa])
        spec = layout.get(axis_key(xa))
        if spec and spec.get("range") is not None and spec.get("type") not in ("log", "date"):
            layout[axis_key(xa)] = ({**spec, "range": [float(xs.min()), float(xs.max())]}
                                    if xs.size else {**spec, "range": None, "autorange": True})


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


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


def _group_traces(name: str, label: str, own: list[_Line], color: str, dash: str, band: str,
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
            "line": {"width": 0}, "fillcolor": _rgba(color, 0.2), "hoverinfo": "skip",
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


def _traces(variants: Variants, lines: list[_Line], layout: dict,
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


def _epoch_label(epoch: int, trace: dict, traces: list[dict]) -> dict:
    """The "epoch N" label inside the first subplot, by the line on its roomier side.

    Placed in the subplot's own box (``x domain``), it neither stretches the axis nor
    meets the subplot's title above it.
    """
    xs = np.concatenate([np.asarray(t["x"], dtype=float) for t in traces
                         if t["xaxis"] == trace["xaxis"]])
    xs = xs[np.isfinite(xs)]
    lo, hi = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 0.0)
    where = 0.5 if hi <= lo else min(max((epoch - lo) / (hi - lo), 0.0), 1.0)
    return {"text": f"epoch {epoch}", "x": where, "xref": f"{trace['xaxis']} domain",
            "y": 0.02, "yref": f"{trace['yaxis']} domain", "showarrow": False,
            "xanchor": "right" if where > 0.5 else "left", "xshift": -4 if where > 0.5 else 4,
            "yanchor": "bottom", "font": {"color": HIGHLIGHT, "size": 11}}


def prepare_overlay(variants: Variants, vis: Visualization, *,
                    processing: Processing | None = None, band: str | None = "sd",
                    **kw: Any) -> Callable[..., Any]:
    """A function ``epoch -> go.Figure`` overlaying ``vis`` of every variant.

    The variants' figures are rendered once (through the registry); each call only moves
    the current-epoch highlight. Missing values are bridged (``connectgaps``), and a point
    with no finite neighbour gets a marker.

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
    import plotly.graph_objects as go

    band = check_band(band)
    layout, lines = _lines(variants, vis, processing, kw)
    traces, notes = _traces(variants, lines, layout, band)
    base = {k: v for k, v in layout.items() if k not in ("shapes", "template")}
    what = (f"{len(variants.groups)} groups of {len(variants)} variants (mean, band "
            f"{BANDS[band]})" if variants.groups else f"{len(variants)} variants")
    old = (layout.get("title") or {}).get("text") or vis.name
    base["title"] = {"text": f"{old} — {what}"}
    _hold_data(base, lines)
    base["showlegend"] = True

    def figure(epoch: int | None = None) -> go.Figure:
        fig = go.Figure({"data": traces, "layout": base})
        if notes:
            fig.add_annotation(text="<br>".join(html.escape(n) for n in notes), xref="paper",
                               yref="paper", x=0, y=-0.12, xanchor="left", yanchor="top",
                               showarrow=False, align="left", font={"size": 10},
                               name="band note")
        if epoch is not None:
            stars, shapes = _highlight(traces, epoch, layout)
            fig.add_traces(stars)
            fig.update_layout(shapes=shapes)
            fig.add_annotation(**_epoch_label(epoch, traces[0], traces))
        return fig

    return figure
