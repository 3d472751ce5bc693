"""Overlays of many runs: every run's line, merged into a few traces; the epoch drawn as layout.

Past :data:`MANY_RUNS` ungrouped variants, a trace per run costs plotly.js more than the
lines themselves (a thousand runs of three series are 3,000 traces), and a star per run
would make every epoch step redraw them all. So the runs of one series share a few traces
(their lines joined with a gap between runs, each point's run number in ``customdata``),
and the current epoch is drawn with layout shapes only: the dotted line and, per series, a
short tick at each run's value there (the runs' spread at that epoch). A step then changes
the shapes alone, which plotly.js redraws without touching the lines.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..colors import HIGHLIGHT, assign_colors, translucent
from ..figures import axis_key

if TYPE_CHECKING:
    from ._lines import Line
    from ._variants import Variants

__all__ = ["MANY_RUNS", "RUNS_PER_TRACE", "epoch_marks", "many_traces"]

#: More ungrouped variants than this are drawn merged (see the module's docstring).
MANY_RUNS = 50
#: Runs per merged trace. Lines of one trace do not darken where they cross, lines of
#: different traces do: a thousand runs in 20 traces still show where most of them run.
RUNS_PER_TRACE = 50
#: Opacity where the lines of every trace of a series cross one spot.
DARKEST = 0.7
#: Half the length of a run's tick at the current epoch, in pixels.
TICK_PX = 6


def _series_keys(lines: list[Line]) -> list[tuple[str, str, str]]:
    return list(dict.fromkeys((ln.xaxis, ln.yaxis, ln.series) for ln in lines))


def _joined(runs: list[tuple[int, np.ndarray, np.ndarray]]) -> dict:
    """x, y and run numbers of several runs in one line, a NaN row between runs."""
    xs, ys, ids = [], [], []
    for number, x, y in runs:
        ok = np.isfinite(x) & np.isfinite(y)  # a run's gaps are bridged, as in an overlay
        xs += [x[ok], [np.nan]]
        ys += [y[ok], [np.nan]]
        ids.append(np.full(int(ok.sum()) + 1, number, dtype=np.int32))
    return {"x": np.concatenate(xs), "y": np.concatenate(ys), "customdata": np.concatenate(ids)}


def many_traces(variants: Variants, lines: list[Line]) -> list[dict]:
    """Per series, the lines of every run in ``ceil(runs / RUNS_PER_TRACE)`` traces.

    A series has one colour (runs are too many to tell apart by colour), translucent enough
    that where most runs go shows darker; its legend entry is a line of its own, opaque.
    Hovering a line names its series, epoch, value and the run's number in ``variants``
    (``customdata``, also what click and selection events report).
    """
    number = {id(m): i for i, m in enumerate(variants)}
    colors = assign_colors(ln.series for ln in lines)
    traces: list[dict] = []
    for xa, ya, series in _series_keys(lines):
        own = [ln for ln in lines if (ln.xaxis, ln.yaxis, ln.series) == (xa, ya, series)]
        parts = math.ceil(len(own) / RUNS_PER_TRACE)
        alpha = 1 - (1 - DARKEST) ** (1 / parts)  # every trace over one spot: DARKEST
        group = {"xaxis": xa, "yaxis": ya, "legendgroup": f"{xa}{ya}{series}",
                 "name": f"{series} ({len(own):,} runs)",
                 "meta": {"series": series, "runs": len(own)}}
        traces.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None],
                       "line": {"color": colors[series], "width": 2}, "hoverinfo": "skip",
                       **group, "meta": {**group["meta"], "legend": True}})
        for k in range(parts):
            traces.append({
                "type": "scatter", "mode": "lines", "connectgaps": False,
                **_joined([(number[id(ln.member)], ln.x, ln.y) for ln in own[k::parts]]),
                **group, "showlegend": False,
                "line": {"color": translucent(colors[series], alpha), "width": 1},
                "hovertemplate": f"{series}: epoch %{{x}}, %{{y:.4g}}<br>"
                                 "run #%{customdata}<extra></extra>",
            })
    return traces


def _values_at(lines: list[Line], epoch: int) -> np.ndarray:
    """Each run's finite value at its point nearest ``epoch`` (earlier one on a tie)."""
    out = []
    for ln in lines:
        ok = np.isfinite(ln.x) & np.isfinite(ln.y)
        x, y = ln.x[ok], ln.y[ok]
        if x.size:
            out.append(y[int(np.argmin(np.abs(x - epoch)))])
    return np.asarray(out, dtype=float)


def epoch_marks(lines: list[Line], epoch: int, layout: dict) -> list[dict]:
    """Layout shapes for ``epoch``: a dotted line per subplot, a tick per run and series.

    On a log axis, values of 0 or below (which it cannot show) get no tick.
    """
    shapes = [{"type": "line", "xref": xa, "yref": f"{ya} domain", "x0": epoch, "x1": epoch,
               "y0": 0, "y1": 1, "line": {"color": HIGHLIGHT, "dash": "dot", "width": 1.5}}
              for xa, ya in dict.fromkeys((ln.xaxis, ln.yaxis) for ln in lines)]
    for xa, ya, series in _series_keys(lines):
        values = _values_at([ln for ln in lines
                             if (ln.xaxis, ln.yaxis, ln.series) == (xa, ya, series)], epoch)
        if (layout.get(axis_key(ya)) or {}).get("type") == "log":
            values = values[values > 0]
        if not values.size:
            continue
        path = "".join(f"M{-TICK_PX},{v:.7g}H{TICK_PX}" for v in values)
        shapes.append({"type": "path", "xref": xa, "yref": ya, "xsizemode": "pixel",
                       "xanchor": epoch, "path": path, "name": f"{series} at epoch {epoch}",
                       "line": {"color": HIGHLIGHT, "width": 1.5}})
    return shapes

