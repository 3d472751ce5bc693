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
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..colors import HIGHLIGHT, assign_colors, translucent
from ..figures import axis_key

if TYPE_CHECKING:
    from ._lines import Line
    from ._variants import Variants

__all__ = ["MANY_RUNS", "RUNS_PER_TRACE", "ManyRuns"]

#: More ungrouped variants than this are drawn merged (see the module's docstring).
MANY_RUNS = 50
#: Runs per merged trace. Lines of one trace do not darken where they cross, lines of
#: different traces do: a thousand runs in 20 traces still show where most of them run.
RUNS_PER_TRACE = 50
#: Opacity where the lines of every trace of a series cross one spot.
DARKEST = 0.7
#: Half the length of a run's tick at the current epoch, in pixels.
TICK_PX = 6


@dataclass(frozen=True)
class _Run:
    """One run's line of one series: its number in the variants, and its finite points."""

    number: int
    x: np.ndarray
    y: np.ndarray


class ManyRuns:
    """The lines of many runs grouped by series once: their merged traces, a step's marks.

    A run's gaps are bridged, as in any overlay: only its finite points are kept.
    """

    def __init__(self, variants: Variants, lines: list[Line]) -> None:
        number = {id(m): i for i, m in enumerate(variants)}
        self.series: dict[tuple[str, str, str], list[_Run]] = {}
        for ln in lines:
            ok = np.isfinite(ln.x) & np.isfinite(ln.y)
            self.series.setdefault((ln.xaxis, ln.yaxis, ln.series), []).append(
                _Run(number[id(ln.member)], ln.x[ok], ln.y[ok]))

    def traces(self) -> list[dict]:
        """Per series, the lines of every run in ``ceil(runs / RUNS_PER_TRACE)`` traces.

        A series has one colour (runs are too many to tell apart by colour), translucent
        enough that where most runs go shows darker; its legend entry is a line of its own,
        opaque. Hovering a line names its series, epoch, value and the run's number in the
        variants (``customdata``, also what click and selection events report).
        """
        colors = assign_colors(series for _, _, series in self.series)
        traces: list[dict] = []
        for (xa, ya, series), runs in self.series.items():
            parts = math.ceil(len(runs) / RUNS_PER_TRACE)
            alpha = 1 - (1 - DARKEST) ** (1 / parts)  # every trace over one spot: DARKEST
            group = {"xaxis": xa, "yaxis": ya, "legendgroup": f"{xa}{ya}{series}",
                     "name": f"{series} ({len(runs):,} runs)",
                     "meta": {"series": series, "runs": len(runs)}}
            traces.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None],
                           "line": {"color": colors[series], "width": 2}, "hoverinfo": "skip",
                           **group, "meta": {**group["meta"], "legend": True}})
            for k in range(parts):
                traces.append({
                    "type": "scatter", "mode": "lines", "connectgaps": False,
                    **_joined(runs[k::parts]), **group, "showlegend": False,
                    "line": {"color": translucent(colors[series], alpha), "width": 1},
                    "hovertemplate": f"{series}: epoch %{{x}}, %{{y:.4g}}<br>"
                                     "run #%{customdata}<extra></extra>",
                })
        return traces

    def marks(self, epoch: int, layout: dict) -> list[dict]:
        """Layout shapes for ``epoch``: a dotted line per subplot, a tick per run and series.

        A run's tick is at its point nearest ``epoch`` (the earlier one on a tie). On a log
        axis, values of 0 or below (which it cannot show) get no tick.
        """
        shapes = [{"type": "line", "xref": xa, "yref": f"{ya} domain", "x0": epoch,
                   "x1": epoch, "y0": 0, "y1": 1,
                   "line": {"color": HIGHLIGHT, "dash": "dot", "width": 1.5}}
                  for xa, ya in dict.fromkeys((xa, ya) for xa, ya, _ in self.series)]
        for (xa, ya, series), runs in self.series.items():
            values = np.asarray([r.y[int(np.argmin(np.abs(r.x - epoch)))]
                                 for r in runs if r.x.size], dtype=float)
            if (layout.get(axis_key(ya)) or {}).get("type") == "log":
                values = values[values > 0]
            if not values.size:
                continue
            path = "".join(f"M{-TICK_PX},{v:.7g}H{TICK_PX}" for v in values)
            shapes.append({"type": "path", "xref": xa, "yref": ya, "xsizemode": "pixel",
                           "xanchor": epoch, "path": path,
                           "name": f"{series} at epoch {epoch}",
                           "line": {"color": HIGHLIGHT, "width": 1.5}})
        return shapes


def _joined(runs: list[_Run]) -> dict:
    """x, y and run numbers of several runs in one line, a NaN row between runs."""
    xs = np.concatenate([np.r_[r.x, np.nan] for r in runs])
    ys = np.concatenate([np.r_[r.y, np.nan] for r in runs])
    ids = np.concatenate([np.full(r.x.size + 1, r.number, dtype=np.int32) for r in runs])
    return {"x": xs, "y": ys, "customdata": ids}
