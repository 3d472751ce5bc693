"""Compose several figures into one grid figure: traces copied with their subplots remapped.

Each panel gets a cell of the page (paper coordinates). Its cartesian axes, 3-D scenes,
polar/ternary/geo/map subplots, domain traces (pie, table, ...), color axes, legends,
annotations, shapes and images are renamed and moved into that cell, so one Plotly figure
shows every panel, exactly as the preview draws it and the export core writes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..figures import axis_key

#: Trace types drawn on a named non-cartesian subplot: type -> (trace key, layout base name).
_SUBPLOT_OF: dict[str, tuple[str, str]] = {
    **{t: ("scene", "scene") for t in ("scatter3d", "surface", "mesh3d", "cone", "streamtube",
                                       "volume", "isosurface")},
    **{t: ("subplot", "polar") for t in ("scatterpolar", "scatterpolargl", "barpolar")},
    "scatterternary": ("subplot", "ternary"),
    **{t: ("geo", "geo") for t in ("scattergeo", "choropleth")},
    **{t: ("subplot", "mapbox") for t in ("scattermapbox", "choroplethmapbox", "densitymapbox")},
    **{t: ("subplot", "map") for t in ("scattermap", "choroplethmap", "densitymap")},
    "scattersmith": ("subplot", "smith"),
}
#: Trace types placed by their own ``domain``.
_DOMAIN_TRACES = frozenset({"pie", "sunburst", "treemap", "icicle", "funnelarea", "sankey",
                            "table", "indicator", "parcoords", "parcats"})
#: Trace types that draw a colorbar unless told not to.
_SCALED = frozenset({"heatmap", "heatmapgl", "contour", "histogram2d", "histogram2dcontour",
                     "surface", "volume", "isosurface", "cone", "streamtube", "choropleth",
                     "choroplethmapbox", "choroplethmap", "densitymapbox", "densitymap"})
#: Layout keys that belong to one panel and are remapped (never copied as they are).
_PANEL_KEYS = re.compile(r"^(xaxis|yaxis|scene|polar|ternary|geo|mapbox|map|smith|coloraxis|"
                         r"legend)\d*$")
_DROPPED = {"title", "width", "height", "margin", "annotations", "shapes", "images", "sliders",
            "updatemenus", "grid", "autosize", "showlegend"}
_AXIS_REFS = ("anchor", "overlaying", "matches", "scaleanchor")
#: Top part of a cell kept for the panel title (the figure's own subplot titles go below it).
TITLE_BAND = 0.12
#: Part of a cell's width kept on its right for a colorbar.
COLORBAR_ROOM = 0.14


@dataclass(frozen=True)
class Cell:
    """A panel's box in paper coordinates (0..1, y up)."""

    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, value: float) -> float:
        return self.x0 + float(value) * (self.x1 - self.x0)

    def y(self, value: float) -> float:
        return self.y0 + float(value) * (self.y1 - self.y0)

    def content(self, band: float = TITLE_BAND, right: float = 0.0) -> Cell:
        """The cell below its title band, less ``right`` of its width (room for a colorbar)."""
        x1 = self.x1 - right * (self.x1 - self.x0)
        return Cell(self.x0, round(x1, 6), self.y0,
                    round(self.y1 - band * (self.y1 - self.y0), 6))

    def xs(self, domain: Sequence[float] | None) -> list[float]:
        lo, hi = domain if domain else (0.0, 1.0)
        return [round(self.x(lo), 6), round(self.x(hi), 6)]

    def ys(self, domain: Sequence[float] | None) -> list[float]:
        lo, hi = domain if domain else (0.0, 1.0)
        return [round(self.y(lo), 6), round(self.y(hi), 6)]


@dataclass(frozen=True)
class GridLayout:
    """Rows and columns of a grid and the gaps between cells (fractions of the page)."""

    count: int
    columns: int
    hgap: float = 0.08
    vgap: float = 0.1

    @property
    def rows(self) -> int:
        return max(1, math.ceil(self.count / self.columns))

    def cell(self, index: int) -> Cell:
        """The cell of panel ``index`` (row-major, top row first)."""
        row, col = divmod(index, self.columns)
        width = (1 - (self.columns - 1) * self.hgap) / self.columns
        height = (1 - (self.rows - 1) * self.vgap) / self.rows
        x0 = col * (width + self.hgap)
        y1 = 1 - row * (height + self.vgap)
        return Cell(round(x0, 6), round(x0 + width, 6), round(y1 - height, 6), round(y1, 6))


def _has_colorbar(fig: dict) -> bool:
    """True when a trace or color axis of ``fig`` draws a colorbar."""
    layout = fig.get("layout") or {}
    for trace in fig.get("data") or ():
        marker = trace.get("marker")
        if (trace.get("type") in _SCALED and trace.get("showscale", True) is not False
                and not trace.get("coloraxis")):
            return True
        if (isinstance(marker, dict) and not marker.get("coloraxis")
                and marker.get("showscale", "colorbar" in marker) is not False):
            return True
    return any(re.fullmatch(r"coloraxis\d*", k) and (v or {}).get("showscale", True) is not False
               for k, v in layout.items())


def default_columns(count: int) -> int:
    """Columns of a grid of ``count`` panels when none are given: about square."""
    return max(1, math.ceil(math.sqrt(count)))


class _Names:
    """Allocates figure-wide subplot names: ``x``, ``x2``, ...; ``scene``, ``scene2``, ..."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def new(self, base: str) -> str:
        n = self.used.get(base, 0) + 1
        self.used[base] = n
        return base if n == 1 else f"{base}{n}"


def _axis_id(key: str) -> str:
    """Axis id of a layout key: ``xaxis2`` -> ``x2``."""
    return f"{key[0]}{key[5:]}"


class _Panel:
    """Remaps one figure into its cell of the grid."""

    def __init__(self, fig: dict, cell: Cell, names: _Names) -> None:
        self.fig, self.cell, self.names = fig, cell, names
        self.layout: dict[str, Any] = fig.get("layout") or {}
        self.refs: dict[str, str] = {}  # old subplot/axis/coloraxis id -> new id
        self.out: dict[str, Any] = {}  # layout entries for the grid

    # -- names --
    def rename(self, old: str, base: str) -> str:
        if old not in self.refs:
            self.refs[old] = self.names.new(base)
        return self.refs[old]

    def ref(self, value: Any) -> Any:
        """An xref/yref/axis reference with its id remapped (``paper`` stays)."""
        if not isinstance(value, str):
            return value
        head, _, tail = value.partition(" ")
        new = self.refs.get(head)
        return value if new is None else f"{new} {tail}".strip()

    # -- traces --
    def trace(self, trace: dict) -> dict:
        out = dict(trace)
        kind = out.get("type") or "scatter"
        if kind in _SUBPLOT_OF:
            key, base = _SUBPLOT_OF[kind]
            out[key] = self.rename(out.get(key) or base, base)
        elif kind in _DOMAIN_TRACES:
            domain = dict(out.get("domain") or {})
            domain.pop("row", None)
            domain.pop("column", None)
            out["domain"] = {**domain, "x": self.cell.xs(domain.get("x")),
                             "y": self.cell.ys(domain.get("y"))}
        else:
            out["xaxis"] = self.rename(out.get("xaxis") or "x", "x")
            out["yaxis"] = self.rename(out.get("yaxis") or "y", "y")
        self.coloraxis(out)
        self.colorbars(out, kind)
        out["legend"] = self.rename(out.get("legend") or "legend", "legend")
        return out

    def coloraxis(self, trace: dict) -> None:
        if isinstance(trace.get("coloraxis"), str):
            trace["coloraxis"] = self.rename(trace["coloraxis"], "coloraxis")
        marker = trace.get("marker")
        if isinstance(marker, dict) and isinstance(marker.get("coloraxis"), str):
            trace["marker"] = {**marker,
                               "coloraxis": self.rename(marker["coloraxis"], "coloraxis")}

    def colorbar_at(self, colorbar: dict | None) -> dict:
        """A colorbar beside the cell's right edge, as tall as the cell."""
        return {**(colorbar or {}), "x": round(self.cell.x1 + 0.005, 6), "xanchor": "left",
                "xref": "paper", "y": round((self.cell.y0 + self.cell.y1) / 2, 6),
                "yanchor": "middle", "yref": "paper", "len": round(self.cell.y1 - self.cell.y0, 6),
                "lenmode": "fraction", "thickness": 12}

    def colorbars(self, trace: dict, kind: str) -> None:
        if trace.get("coloraxis") is not None:
            return
        if kind in _SCALED and trace.get("showscale", True) is not False:
            trace["colorbar"] = self.colorbar_at(trace.get("colorbar"))
        marker = trace.get("marker")
        if (isinstance(marker, dict) and not marker.get("coloraxis")
                and marker.get("showscale", "colorbar" in marker) is not False):
            trace["marker"] = {**marker, "colorbar": self.colorbar_at(marker.get("colorbar"))}

    # -- layout --
    def axes(self) -> None:
        # axes the layout defines but no trace uses still get a place (e.g. an empty panel)
        for key in sorted(self.layout):
            if re.fullmatch(r"[xy]axis\d*", key):
                self.rename(_axis_id(key), key[0])
        for old, new in list(self.refs.items()):
            if not re.fullmatch(r"[xy]\d*", old):
                continue
            spec = dict(self.layout.get(axis_key(old)) or {})
            for attr in _AXIS_REFS:
                if attr in spec:
                    spec[attr] = self.ref(spec[attr])
            if "anchor" not in spec:  # keep the default pairing (x with y, x2 with y2, ...)
                partner = ("y" if old[0] == "x" else "x") + old[1:]
                if partner in self.refs:
                    spec["anchor"] = self.refs[partner]
            place = self.cell.xs if old[0] == "x" else self.cell.ys
            spec["domain"] = place(spec.get("domain"))
            # plotly measures every tick label per redraw to hide those past the page edge,
            # which clips them anyway; skipping it makes a 2x2 grid redraw ~15 % faster
            spec.setdefault("ticklabeloverflow", "allow")
            if "position" in spec:
                spec["position"] = place([spec["position"], spec["position"]])[0]
            self.out[axis_key(new)] = spec

    def subplots(self) -> None:
        for old, new in self.refs.items():
            base = re.sub(r"\d+$", "", old)
            if base in {"scene", "polar", "ternary", "geo", "mapbox", "map", "smith"}:
                spec = dict(self.layout.get(old) or {})
                domain = dict(spec.get("domain") or {})
                domain.pop("row", None)
                domain.pop("column", None)
                spec["domain"] = {"x": self.cell.xs(domain.get("x")),
                                  "y": self.cell.ys(domain.get("y"))}
                self.out[new] = spec
            elif base == "coloraxis":
                spec = dict(self.layout.get(old) or {})
                if spec.get("showscale", True) is not False:
                    spec["colorbar"] = self.colorbar_at(spec.get("colorbar"))
                self.out[new] = spec
            elif base == "legend":
                spec = {k: v for k, v in (self.layout.get(old) or {}).items()
                        if k not in {"x", "y", "xanchor", "yanchor", "xref", "yref"}}
                self.out[new] = {"bgcolor": "rgba(255,255,255,0.6)", "font": {"size": 10},
                                 **spec, "x": self.cell.x1, "y": self.cell.y1,
                                 "xanchor": "right", "yanchor": "top", "xref": "paper",
                                 "yref": "paper"}

    def placed(self, item: dict, size: bool = False) -> dict:
        """An annotation, shape or image with its references remapped into the cell."""
        out = dict(item)
        for letter, place in (("x", self.cell.x), ("y", self.cell.y)):
            # plotly's default reference is the first axis, or the paper without axes
            ref = out.get(f"{letter}ref") or (letter if letter in self.refs else "paper")
            if ref == "paper":
                for key in (letter, f"{letter}0", f"{letter}1"):
                    if isinstance(out.get(key), (int, float)):
                        out[key] = round(place(out[key]), 6)
                span = self.cell.x1 - self.cell.x0 if letter == "x" else self.cell.y1 - self.cell.y0
                if size and isinstance(out.get(f"size{letter}"), (int, float)):
                    out[f"size{letter}"] = out[f"size{letter}"] * span
                out[f"{letter}ref"] = "paper"
            else:
                out[f"{letter}ref"] = self.ref(ref)
        return out


def compose_grid(
    figures: Sequence[dict],
    titles: Sequence[str],
    columns: int | None = None,
    *,
    title_size: int = 13,
) -> tuple[dict, list[int]]:
    """One figure showing ``figures`` in a grid, each under its title.

    Parameters
    ----------
    figures : sequence of dict
        Plain figure dicts (``as_figure_dict``), one per panel, row-major.
    titles : sequence of str
        One title per panel, drawn as an annotation above its cell.
    columns : int, optional
        Columns of the grid (default: about square).

    Returns
    -------
    tuple of (dict, list of int)
        The grid figure and the number of traces each panel contributed (in order), so a
        trace index of the grid can be traced back to its panel.
    """
    grid = GridLayout(len(figures), columns or default_columns(len(figures)))
    names = _Names()
    data: list[dict] = []
    layout: dict[str, Any] = {}
    annotations: list[dict] = []
    shapes: list[dict] = []
    images: list[dict] = []
    counts: list[int] = []
    for index, (fig, title) in enumerate(zip(figures, titles, strict=True)):
        cell = grid.cell(index)
        room = COLORBAR_ROOM if _has_colorbar(fig) else 0.0
        panel = _Panel(fig, cell.content(right=room), names)
        traces = [panel.trace(t) for t in fig.get("data") or ()]
        show = panel.layout.get("showlegend")
        for trace in traces:
            if show is False or (show is None and len(traces) == 1
                                 and "showlegend" not in trace):
                trace["showlegend"] = False
        panel.axes()
        panel.subplots()
        for key, value in panel.layout.items():  # the first panel's look is the grid's look
            if index == 0 and key not in _DROPPED and not _PANEL_KEYS.match(key):
                layout[key] = value
        layout.update(panel.out)
        annotations += [panel.placed(a) for a in panel.layout.get("annotations") or ()]
        shapes += [panel.placed(s) for s in panel.layout.get("shapes") or ()]
        images += [panel.placed(i, size=True) for i in panel.layout.get("images") or ()]
        annotations.append({
            "text": title, "name": f"vizwidget-panel-{index}", "showarrow": False,
            "xref": "paper", "yref": "paper", "x": cell.x0, "y": cell.y1, "xanchor": "left",
            "yanchor": "top", "font": {"size": title_size},
        })
        data += traces
        counts.append(len(traces))
    shown = {t.get("legend") or "legend" for t in data if t.get("showlegend") is not False}
    for key in [k for k in layout if k.startswith("legend") and k not in shown]:
        del layout[key]  # an empty legend still costs a redraw per epoch
    layout.update({"annotations": annotations, "showlegend": bool(shown),
                   "margin": {"t": 34, "l": 60, "r": 60, "b": 50}})
    if shapes:
        layout["shapes"] = shapes
    if images:
        layout["images"] = images
    return {"data": data, "layout": layout}, counts
