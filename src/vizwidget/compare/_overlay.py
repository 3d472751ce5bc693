"""Overlays of over-epochs views: one line per variant, or a group's mean with a ±1 std band."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._epochs import nearest_index
from ..errors import ComparisonError
from ..figures import axis_key
from ..registry import Visualization
from ._variants import Member, Variants

__all__ = ["Processing", "prepare_overlay"]

Processing = Callable[[np.ndarray, np.ndarray], tuple[Any, Any]]
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
           "#F0E442")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
HIGHLIGHT = "#e4572e"


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


def _lines(variants: Variants, vis: Visualization, processing: Processing | None,
           kw: dict) -> tuple[dict, list[_Line]]:
    layout: dict = {}
    lines: list[_Line] = []
    for m in variants:
        fig = variants.figure(m, vis, None, **kw)  # no highlight: drawn here
        layout = layout or fig.to_dict().get("layout") or {}
        for obj in fig.data:
            trace = obj.to_plotly_json()
            if not _is_series(trace):
                continue
            x = np.asarray(obj.x if obj.x is not None else (), dtype=float)
            y = np.asarray(obj.y if obj.y is not None else (), dtype=float)
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


def _group_stats(lines: list[_Line]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and std over members on their common epochs (else interpolated onto the first)."""
    common = set(lines[0].x.tolist())
    for line in lines[1:]:
        common &= set(line.x.tolist())
    if len(common) >= 2:
        x = np.array(sorted(common))
        ys = [line.y[np.searchsorted(line.x, x)] for line in lines]
    else:
        lo = max(line.x.min() for line in lines)
        hi = min(line.x.max() for line in lines)
        x = lines[0].x[(lines[0].x >= lo) & (lines[0].x <= hi)]
        ys = [np.interp(x, line.x, line.y) for line in lines]
    Y = np.vstack(ys)
    std = Y.std(axis=0, ddof=1) if len(lines) > 1 else np.zeros(x.size)
    return x, Y.mean(axis=0), std


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _traces(variants: Variants, lines: list[_Line], layout: dict) -> list[dict]:
    """(trace dicts) per variant, or mean line + band per group and series."""
    multi = len({(ln.xaxis, ln.yaxis, ln.series) for ln in lines}) > 1
    series_dash: dict[tuple, str] = {}
    for ln in lines:
        series_dash.setdefault((ln.xaxis, ln.series), DASHES[
            sum(1 for key in series_dash if key[0] == ln.xaxis) % len(DASHES)])
    traces: list[dict] = []
    groups = variants.groups
    if not groups:
        for i, m in enumerate(variants):
            for ln in (ln for ln in lines if ln.member is m):
                traces.append({
                    "type": "scatter", "x": ln.x, "y": ln.y, "mode": "lines",
                    "xaxis": ln.xaxis, "yaxis": ln.yaxis, "legendgroup": m.label,
                    "name": f"{m.label} · {ln.series}" if multi else m.label,
                    "line": {"color": PALETTE[i % len(PALETTE)],
                             "dash": series_dash[(ln.xaxis, ln.series)]},
                    "meta": {"variant": m.label, "series": ln.series},
                })
        return traces
    for g, (name, members) in enumerate(groups.items()):
        color = PALETTE[g % len(PALETTE)]
        keys = dict.fromkeys((ln.xaxis, ln.yaxis, ln.series) for ln in lines
                             if ln.member in members)
        for xa, ya, series in keys:
            own = [ln for ln in lines if ln.member in members
                   and (ln.xaxis, ln.yaxis, ln.series) == (xa, ya, series)]
            x, mean, std = _group_stats(own)
            lo, hi = mean - std, mean + std
            if (layout.get(axis_key(ya)) or {}).get("type") == "log":
                lo = np.maximum(lo, mean * 1e-3)  # a log axis cannot show values <= 0
            label = f"{name} · {series}" if multi else name
            traces.append({
                "type": "scatter", "x": np.concatenate([x, x[::-1]]),
                "y": np.concatenate([hi, lo[::-1]]), "fill": "toself", "mode": "lines",
                "line": {"width": 0}, "fillcolor": _rgba(color, 0.2), "hoverinfo": "skip",
                "xaxis": xa, "yaxis": ya, "legendgroup": name, "showlegend": False,
                "name": f"{label} ± std", "meta": {"group": name, "series": series,
                                                   "band": True},
            })
            traces.append({
                "type": "scatter", "x": x, "y": mean, "mode": "lines", "xaxis": xa,
                "yaxis": ya, "legendgroup": name,
                "name": f"{label} (mean of {len(own)})",
                "line": {"color": color, "dash": series_dash[(xa, series)]},
                "meta": {"group": name, "series": series, "members": len(own)},
            })
    return traces


def _highlight(traces: list[dict], epoch: int, layout: dict) -> tuple[list[dict], list[dict]]:
    """A star on every line at its point nearest ``epoch``, and a dotted line per subplot."""
    stars, shapes = [], []
    for t in traces:
        if t.get("fill") or not len(t["x"]):
            continue
        i = nearest_index(list(t["x"]), epoch)
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


def prepare_overlay(variants: Variants, vis: Visualization, *,
                    processing: Processing | None = None, **kw: Any) -> Callable[..., Any]:
    """A function ``epoch -> go.Figure`` overlaying ``vis`` of every variant.

    The variants' figures are rendered once (through the registry); each call only moves
    the current-epoch highlight.
    """
    import plotly.graph_objects as go

    layout, lines = _lines(variants, vis, processing, kw)
    traces = _traces(variants, lines, layout)
    base = {k: v for k, v in layout.items() if k not in ("shapes", "template")}
    what = (f"{len(variants.groups)} groups of {len(variants)} variants (mean ± std)"
            if variants.groups else f"{len(variants)} variants")
    old = (layout.get("title") or {}).get("text") or vis.name
    base["title"] = {"text": f"{old} — {what}"}
    base["showlegend"] = True

    def figure(epoch: int | None = None) -> go.Figure:
        fig = go.Figure({"data": traces, "layout": base})
        if epoch is not None:
            stars, shapes = _highlight(traces, epoch, layout)
            fig.add_traces(stars)
            fig.update_layout(shapes=shapes)
            fig.add_annotation(text=f"epoch {epoch}", x=epoch, xref=traces[0]["xaxis"],
                               y=1, yref=f"{traces[0]['yaxis']} domain", showarrow=False,
                               yanchor="bottom", font={"color": HIGHLIGHT})
        return fig

    return figure
