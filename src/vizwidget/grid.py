"""Compose several figures into one grid figure with run/visualization headers and one legend.

The one grid composer: comparison small multiples and the Dashboard both draw through it.
Each panel gets a cell of the page (paper coordinates). Its cartesian axes, 3-D scenes,
polar/ternary/geo/map subplots, domain traces (pie, table, ...), color axes, annotations,
shapes and images are renamed and moved into that cell, so one Plotly figure shows every
panel, exactly as the preview draws it and the export core writes it.

Reading the grid: a header above each column names its run and one left of each row names
its visualization; a panel carries a note only where it differs (``epoch 1260 (nearest)``,
``pinned``); long texts are shortened with the full text on hover. Every series (a trace's
``legendgroup``, else its ``name``) has one colour across panels (:mod:`vizwidget.colors`)
and one entry in a single legend outside the plot area.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .colors import assign_colors
from .export import padded_range
from .figures import axis_key, finite_numbers

__all__ = ["Cell", "GridLayout", "PanelLabel", "compose_grid", "default_columns",
           "parse_title", "plan_grid", "scene_extents"]

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
#: Top part of a cell kept for the panel title when the grid's size is not known.
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
        out.pop("legend", None)  # one legend for the whole grid
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


# ---- labels: headers per run and visualization, notes where a panel differs ----

@dataclass(frozen=True)
class PanelLabel:
    """What names a panel: its row (visualization), its column (run) and what differs.

    ``note`` is shown in the panel only, e.g. ``"epoch 1260 (nearest)"`` or ``"pinned"``;
    leave it empty when the panel shows what the grid's title says.
    """

    row: str
    column: str
    note: str = ""


_EPOCH_PART = re.compile(r"^epoch (\d+)(?: \((?:nearest to (\d+)|(pinned))\))?$")


def parse_title(title: str) -> tuple[PanelLabel, int | None] | None:
    """A ``"visualization · run · epoch N (why)"`` title as a label and the epoch asked for.

    ``"svd · seed0 · epoch 1260 (nearest to 1240)"`` -> (PanelLabel("svd", "seed0",
    "epoch 1260 (nearest)"), 1240); ``"svd · seed0 · epoch 1240"`` -> (..., ""), 1240);
    a pinned panel's epoch asked for is None. Other titles give None.
    """
    parts = str(title).split(" · ")
    if len(parts) != 3:
        return None
    found = _EPOCH_PART.match(parts[2])
    if found is None:
        return None
    shown, near, pinned = found.groups()
    if pinned:
        return PanelLabel(parts[0], parts[1], f"epoch {shown} (pinned)"), None
    if near:
        return PanelLabel(parts[0], parts[1], f"epoch {shown} (nearest)"), int(near)
    return PanelLabel(parts[0], parts[1]), int(shown)


def _labels_of(titles: Sequence[str]) -> tuple[list[PanelLabel] | None, str | None]:
    """Labels parsed from every title (or None) and the grid title naming the epoch asked."""
    parsed = [parse_title(t) for t in titles]
    if not parsed or any(p is None for p in parsed):
        return None, None
    asked = {p[1] for p in parsed if p is not None and p[1] is not None}
    return [p[0] for p in parsed if p is not None], (
        f"epoch {asked.pop()}" if len(asked) == 1 else None)


def _fit(text: str, pixels: float, size: float) -> str:
    """``text`` shortened with an ellipsis to about ``pixels`` wide at font ``size``."""
    room = max(4, int(pixels / (0.62 * size)))
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _text(full: str, pixels: float, size: float, **spec: Any) -> dict:
    """An annotation of ``full`` (escaped), shortened to fit with the full text on hover."""
    short = _fit(full, pixels, size)
    out = {"text": html.escape(short, quote=False), "showarrow": False, "xref": "paper",
           "yref": "paper", "font": {"size": size}, **spec}
    if short != full:
        out["hovertext"] = html.escape(full, quote=False)
    return out


# ---- geometry in pixels ----

#: Pixels kept for tick labels and axis titles: left of a cell and below it.
_AXIS_ROOM = (72, 58)
_LINE = 18  # one line of a panel's note or of its own subplot titles
_HEADER = 24
_TITLE = 34
#: The smallest cell a grid is laid out for (the preview may draw it that small).
_MIN_CELL = (400, 300)


def _top_lines(fig: dict) -> int:
    """Lines of a figure's own texts above its plot area (subplot titles, notes)."""
    lines = 0
    for note in (fig.get("layout") or {}).get("annotations") or ():
        y = note.get("y")
        if (note.get("yref") in (None, "paper") and isinstance(y, (int, float)) and y >= 0.98
                and note.get("yanchor", "auto") in ("bottom", "auto")):
            lines = max(lines, str(note.get("text", "")).count("<br>") + 1)
    return lines


def _series(trace: dict) -> str | None:
    key = trace.get("legendgroup") or trace.get("name")
    return key if isinstance(key, str) and key else None


def _colour(trace: dict) -> str | None:
    """A trace's single colour; ``"various"`` for per-point colours (an array, a scale)."""
    line, marker = trace.get("line") or {}, trace.get("marker") or {}
    colour = line.get("color", marker.get("color"))
    return colour if colour is None or isinstance(colour, str) else "various"


_RECOLOURED = frozenset({"scatter", "scattergl", "scatter3d", "scatterpolar", "scatterpolargl",
                         "scatterternary", "scattergeo", "bar", "barpolar", "histogram", "box",
                         "violin"})


def _recolour(traces: list[dict], colours: dict[str, str], shown: set[int]) -> None:
    """Give each series of a panel its grid colour (traces of another colour keep theirs)."""
    own: dict[str, Any] = {}
    for i in sorted(shown):
        key = _series(traces[i])
        if key in colours:
            own.setdefault(key, _colour(traces[i]))
    for trace in traces:
        key = _series(trace)
        if key not in own or (trace.get("type") or "scatter") not in _RECOLOURED:
            continue
        if _colour(trace) not in (None, own[key]):
            continue  # e.g. a highlight drawn in its own colour
        new = colours[key]
        if isinstance((trace.get("marker") or {}).get("color"), (str, type(None))):
            trace["marker"] = {**(trace.get("marker") or {}), "color": new}
        if "line" in trace or (trace.get("type") or "scatter") in ("scatter", "scattergl",
                                                                      "scatter3d"):
            trace["line"] = {**(trace.get("line") or {}), "color": new}


def _legend_shown(fig: dict, traces: list[dict]) -> set[int]:
    """Indices of the traces a panel on its own would list in its legend."""
    show = (fig.get("layout") or {}).get("showlegend")
    if show is False or (show is None and len(traces) == 1 and "showlegend" not in traces[0]):
        return set()
    return {i for i, t in enumerate(traces) if t.get("showlegend") is not False
            and (t.get("type") or "scatter") not in _DOMAIN_TRACES}


def scene_extents(traces: Sequence[dict], layouts: Sequence[dict]) -> dict[str, tuple]:
    """Data extents of x, y, z over 3-D traces (log axes in log10 units)."""
    out: dict[str, tuple[float, float]] = {}
    for trace, scene in zip(traces, layouts, strict=True):
        for letter in "xyz":
            arr = finite_numbers(trace.get(letter))
            if arr is not None and (scene.get(f"{letter}axis") or {}).get("type") == "log":
                arr = np.log10(arr[arr > 0])
            if arr is None or not arr.size:
                continue
            lo, hi = float(arr.min()), float(arr.max())
            if letter in out:
                lo, hi = min(lo, out[letter][0]), max(hi, out[letter][1])
            out[letter] = (lo, hi)
    return out


def _share(panels: list[_Panel], groups: list[Any], layout: dict, data: list[dict],
           starts: list[int]) -> None:
    """Panels of one group (one visualization) share their axes: cartesian by ``matches``,
    3-D scenes by the union of their data ranges."""
    first: dict[tuple, str] = {}
    scenes: dict[tuple, list[tuple[str, int]]] = {}
    for p, (panel, group) in enumerate(zip(panels, groups, strict=True)):
        for old, new in panel.refs.items():
            if re.fullmatch(r"[xy]\d*", old):
                lead = first.setdefault((group, old), new)
                spec = layout.get(axis_key(new))
                if lead != new and spec is not None and "matches" not in spec:
                    spec["matches"] = lead
            elif re.fullmatch(r"scene\d*", old):
                scenes.setdefault((group, old), []).append((new, p))
    for members in scenes.values():
        names = {name for name, _ in members}
        traces = [t for p in {p for _, p in members}
                  for t in data[starts[p]:starts[p + 1]] if t.get("scene") in names]
        extents = scene_extents(traces, [layout.get(t["scene"]) or {} for t in traces])
        for name in names:
            spec = layout.setdefault(name, {})
            for letter, (lo, hi) in extents.items():
                spec[f"{letter}axis"] = {**(spec.get(f"{letter}axis") or {}),
                                         "range": padded_range(lo, hi), "autorange": False}


def _headers(labels: Sequence[PanelLabel], columns: int) -> tuple[list, list, list[str]]:
    """Column headers, row headers (None where panels differ) and each panel's own text."""
    rows = max(1, math.ceil(len(labels) / columns))
    col_heads: list[str | None] = []
    for c in range(columns):
        names = {lab.column for lab in labels[c::columns]}
        col_heads.append(names.pop() if len(names) == 1 else None)
    row_heads: list[str | None] = []
    for r in range(rows):
        names = {lab.row for lab in labels[r * columns:(r + 1) * columns]}
        row_heads.append(names.pop() if len(names) == 1 else None)
    own = []
    for i, lab in enumerate(labels):
        r, c = divmod(i, columns)
        parts = [lab.row if row_heads[r] is None else "",
                 lab.column if col_heads[c] is None else "", lab.note]
        own.append(" · ".join(p for p in parts if p))
    return col_heads, row_heads, own


def plan_grid(count: int, columns: int, width: int | None = None, height: int | None = None,
              *, column_headers: bool = False, row_headers: bool = False,
              title: bool = False) -> tuple[GridLayout, dict, tuple[float, float]]:
    """The cells of a grid laid out for ``width`` × ``height`` px (default 560 × 420 a cell).

    Returns the cells, the page margins (px) and the plot area's size (px): the gaps
    between cells hold the axes' tick labels and titles; the margins the headers.
    """
    rows = max(1, math.ceil(count / columns))
    page_w, page_h = width or 560 * columns, height or 420 * rows
    margin = {"t": 8 + (_TITLE if title else 0) + (_HEADER if column_headers else 0),
              "l": _AXIS_ROOM[0] + (_HEADER + 4 if row_headers else 0), "r": 16, "b": 50}
    plot_w = max(page_w - margin["l"] - margin["r"], 100)
    plot_h = max(page_h - margin["t"] - margin["b"], 100)
    hgap = min(_AXIS_ROOM[0] / plot_w, 0.3)
    vgap = min(_AXIS_ROOM[1] / plot_h, 0.3) if rows > 1 else 0.0
    return GridLayout(count, columns, hgap, vgap), margin, (plot_w, plot_h)


def compose_grid(
    figures: Sequence[dict],
    titles: Sequence[str],
    columns: int | None = None,
    *,
    title_size: int = 13,
    labels: Sequence[PanelLabel] | None = None,
    title: str | None = None,
    width: int | None = None,
    height: int | None = None,
    share_axes: bool = False,
    header_colors: dict[str, str] | None = None,
) -> tuple[dict, list[int]]:
    """One figure showing ``figures`` in a grid, headed by run and visualization.

    Parameters
    ----------
    figures : sequence of dict
        Plain figure dicts (``as_figure_dict``), one per panel, row-major.
    titles : sequence of str
        One title per panel. Titles ``"visualization · run · epoch N (why)"`` (the
        Dashboard's) become headers, the epoch asked for the grid's title and a note
        where a panel shows another epoch; other titles are drawn above their cells.
    columns : int, optional
        Columns of the grid (default: about square).
    title_size : int
        Font size of headers (notes are two points smaller).
    labels : sequence of PanelLabel, optional
        Row, column and note of each panel (instead of parsing ``titles``).
    title : str, optional
        The grid's title (default: the epoch parsed from ``titles``, if one).
    width, height : int, optional
        Pixel size the grid is laid out for (default 560 × 420 per cell); texts are
        shortened to fit cells of at most 400 × 300 px, the smallest the preview draws.
    share_axes : bool
        Panels of one row label share their axes (``matches``; 3-D: one data range).
    header_colors : dict of str to str, optional
        A colour swatch per column header. Default: each run's colour
        (:func:`vizwidget.colors.assign_colors` of the column headers); ``{}`` for none.

    Returns
    -------
    tuple of (dict, list of int)
        The grid figure and the number of traces each panel contributed (in order), so a
        trace index of the grid can be traced back to its panel.
    """
    count = len(figures)
    cols = max(1, min(columns or default_columns(count), max(count, 1)))
    rows = max(1, math.ceil(count / cols))
    if labels is None:
        labels, asked = _labels_of(titles)
        title = title if title is not None else asked
    if labels is not None and len(labels) != count:
        raise ValueError(f"{len(labels)} labels for {count} panels.")
    if labels is not None:
        col_heads, row_heads, own = _headers(labels, cols)
    else:
        col_heads, row_heads, own = [None] * cols, [None] * rows, [str(t) for t in titles]
    if len(own) != count:
        raise ValueError(f"{len(own)} titles for {count} panels.")
    for heads in (col_heads, row_heads):  # one run (or view) everywhere: said once, in the title
        if len(heads) > 1 and None not in heads and len(set(heads)) == 1:
            title = (title if title and heads[0] in title
                     else f"{heads[0]} · {title}" if title else heads[0])
            heads[:] = [None] * len(heads)
    has_cols, has_rows = any(col_heads), any(row_heads)
    if header_colors is None:
        header_colors = assign_colors(h for h in col_heads if h)
    grid, margin, (plot_w, plot_h) = plan_grid(count, cols, width, height,
                                               column_headers=has_cols, row_headers=has_rows,
                                               title=bool(title))
    cell_w = min(plot_w / cols, _MIN_CELL[0])
    cell_h = min(plot_h / rows, _MIN_CELL[1])
    note_size = max(title_size - 2, 8)
    lines = max([(1 if text else 0) + _top_lines(fig)
                 for fig, text in zip(figures, own, strict=True)] or [0])
    band = min((lines * _LINE + 4) / cell_h, 0.4) if lines else 0.0

    names = _Names()
    data: list[list[dict]] = []
    layout: dict[str, Any] = {}
    annotations: list[dict] = []
    shapes: list[dict] = []
    images: list[dict] = []
    counts: list[int] = []
    panels: list[_Panel] = []
    shown: list[set[int]] = []
    for index, fig in enumerate(figures):
        cell = grid.cell(index)
        room = COLORBAR_ROOM if _has_colorbar(fig) else 0.0
        panel = _Panel(fig, cell.content(band=band, right=room), names)
        traces = [panel.trace(t) for t in fig.get("data") or ()]
        shown.append(_legend_shown(fig, traces))
        panel.axes()
        panel.subplots()
        for key, value in panel.layout.items():  # the first panel's look is the grid's look
            if index == 0 and key not in _DROPPED and not _PANEL_KEYS.match(key):
                layout[key] = value
        layout.update(panel.out)
        annotations += [panel.placed(a) for a in panel.layout.get("annotations") or ()]
        shapes += [panel.placed(s) for s in panel.layout.get("shapes") or ()]
        images += [panel.placed(i, size=True) for i in panel.layout.get("images") or ()]
        if own[index]:
            annotations.append(_text(own[index], cell_w - 8, note_size if labels else title_size,
                                     name=f"vizwidget-panel-{index}", x=cell.x0, y=cell.y1,
                                     xanchor="left", yanchor="top",
                                     font={"size": note_size, "color": "#555"} if labels
                                     else {"size": title_size}))
        panels.append(panel)
        data.append(traces)
        counts.append(len(traces))

    # one colour per series across panels, and one legend entry per series
    flat = [t for traces in data for t in traces]
    keys = [_series(t) for traces, idx in zip(data, shown, strict=True)
            for i, t in enumerate(traces) if i in idx]
    colours = assign_colors(k for k in keys if k)
    listed: set[str] = set()
    for traces, idx in zip(data, shown, strict=True):
        _recolour(traces, colours, idx)
        for i, trace in enumerate(traces):
            key = _series(trace)
            if i not in idx or key is None or key in listed:
                trace["showlegend"] = False
                continue
            listed.add(key)
            trace["showlegend"], trace["legendgroup"] = True, key
            if trace.get("name") != key:  # the panel's own name stays in its hover
                if "hovertemplate" not in trace:
                    own_name = html.escape(str(trace.get("name") or key), quote=False)
                    trace["hovertemplate"] = f"(%{{x}}, %{{y}})<extra>{own_name}</extra>"
                trace["name"] = key
            for other in flat:
                if other is not trace and _series(other) == key and "legendgroup" not in other:
                    other["legendgroup"] = key
    starts = [0]
    for n in counts:
        starts.append(starts[-1] + n)
    if share_axes:
        groups: list[Any] = ([lab.row for lab in labels] if labels is not None
                             else [0] * count)
        _share(panels, groups, layout, flat, starts)

    for c, head in enumerate(col_heads):
        if head:
            top = grid.cell(c)
            swatch = header_colors.get(head)
            spec = _text(head, cell_w - 24, title_size, x=(top.x0 + top.x1) / 2, y=1,
                         xanchor="center", yanchor="bottom", yshift=2,
                         name=f"vizwidget-column-{c}")
            spec["font"] = {"size": title_size + 1}
            if swatch:
                spec["text"] = f'<span style="color:{swatch}">■</span> {spec["text"]}'
            annotations.append(spec)
    for r, head in enumerate(row_heads):
        if head:
            left = grid.cell(r * cols)
            spec = _text(head, cell_h * (1 - band) - 8, title_size, x=0,
                         y=(left.y0 + left.content(band=band).y1) / 2, xanchor="right",
                         yanchor="middle", xshift=-(_AXIS_ROOM[0] - 6), textangle=-90,
                         name=f"vizwidget-row-{r}")
            spec["font"] = {"size": title_size + 1}
            annotations.append(spec)
    layout.update({"annotations": annotations, "showlegend": bool(listed), "margin": margin})
    if listed:
        layout["legend"] = {"x": 1.0, "xanchor": "left", "y": 1, "yanchor": "top",
                            "xref": "paper", "yref": "paper", "font": {"size": 11},
                            "tracegroupgap": 2}
    if title:
        layout["title"] = {"text": html.escape(title, quote=False), "x": 0, "xref": "paper",
                           "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top",
                           "pad": {"t": 8}, "font": {"size": title_size + 3}}
    if shapes:
        layout["shapes"] = shapes
    if images:
        layout["images"] = images
    return {"data": flat, "layout": layout}, counts
