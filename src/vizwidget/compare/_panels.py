"""Small multiples: copy the traces of several panel figures into one grid with shared axes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..export import padded_range
from ..figures import axis_key, typed_array

__all__ = ["decoded", "panel_grid", "scene_extents"]

_SCENE_TYPES = {"scatter3d", "surface", "mesh3d", "cone", "streamtube", "isosurface", "volume"}
_DOMAIN_TYPES = {"pie", "sunburst", "treemap", "icicle", "funnelarea", "table", "indicator",
                 "sankey", "parcoords", "parcats"}
_AXIS_SKIP = {"domain", "anchor", "matches", "overlaying", "position", "scaleanchor"}
#: plotly's default colorway, for figures whose template does not name one.
COLORWAY = ("#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692",
            "#B6E880", "#FF97FF", "#FECB52")


def _cell(trace: dict) -> tuple[str, ...]:
    kind = trace.get("type") or "scatter"
    if kind in _SCENE_TYPES:
        return ("scene", trace.get("scene") or "scene")
    if kind in _DOMAIN_TYPES:
        return ("domain",)
    return ("xy", trace.get("xaxis") or "x", trace.get("yaxis") or "y")


def _layout_key(ref: str) -> str:
    """``"x2"`` -> ``"xaxis2"``, ``"scene"`` -> ``"scene"``."""
    return ref if ref.startswith("scene") else axis_key(ref)


def _ref(layout_key: str) -> str:
    """``"xaxis2"`` -> ``"x2"``."""
    return layout_key if layout_key.startswith("scene") else layout_key[0] + layout_key[5:]


def decoded(obj: Any) -> Any:
    """``obj`` with plotly's base64 typed arrays (``{"dtype", "bdata"}``) as numpy arrays."""
    if isinstance(obj, dict):
        arr = typed_array(obj)
        if arr is not None:
            return arr
        return {k: decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decoded(v) for v in obj]
    return obj


def _numbers(values: Any) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.empty(0)
    return arr[np.isfinite(arr)]


def scene_extents(traces: Sequence[dict], layouts: Sequence[dict]) -> dict[str, tuple]:
    """Data extents of x, y, z over 3-D traces (log axes in log10 units)."""
    out: dict[str, tuple[float, float]] = {}
    for trace, scene in zip(traces, layouts, strict=True):
        for letter in "xyz":
            arr = _numbers(trace.get(letter, ()))
            if (scene.get(f"{letter}axis") or {}).get("type") == "log":
                arr = np.log10(arr[arr > 0])
            if not arr.size:
                continue
            lo, hi = float(arr.min()), float(arr.max())
            if letter in out:
                lo, hi = min(lo, out[letter][0]), max(hi, out[letter][1])
            out[letter] = (lo, hi)
    return out


def _own_colour(trace: dict, color: str) -> dict:
    """Pin the colour plotly would give the trace in its own figure (its index there).

    In the grid the default colour would follow the trace's index in the whole grid, so
    the same series would change colour from panel to panel.
    """
    marker, line = trace.get("marker") or {}, trace.get("line") or {}
    if "color" in marker or "color" in line or trace.get("type") in _DOMAIN_TYPES:
        return trace
    out = {**trace, "marker": {**marker, "color": color}}
    if (trace.get("type") or "scatter") in ("scatter", "scattergl", "scatter3d"):
        out["line"] = {**line, "color": color}
    return out


def _remap(item: dict, axes: dict[str, str]) -> dict | None:
    """A shape/annotation moved onto the grid's axes; None for paper-anchored ones."""
    out = dict(item)
    for key in ("xref", "yref"):
        ref = item.get(key, "paper")
        base, _, suffix = str(ref).partition(" ")
        if base == "paper" or base not in axes:
            return None
        out[key] = f"{axes[base]} {suffix}".strip()
    return out


def panel_grid(panels: Sequence[tuple[str, dict]], title: str, columns: int | None = None):
    """One figure holding every panel figure as a grid cell (or a row of cells).

    Parameters
    ----------
    panels : sequence of (str, dict)
        Panel title and figure dict, e.g. one per variant at the same epoch.
    title : str
        Figure title.
    columns : int, optional
        Panels per row when each panel has a single subplot (default: near-square grid).
        A panel with several subplots (e.g. loss | accuracy) takes one row.

    Returns
    -------
    plotly.graph_objects.Figure
        Cartesian axes of the same subplot are shared across panels through plotly's
        ``matches`` (one joint autorange), 3-D scenes get the union of their data ranges;
        one title per panel; the legend and colour bar are shown once.
    """
    from plotly.subplots import make_subplots

    cells: list[tuple[str, ...]] = []
    for _, fig in panels:
        for trace in fig.get("data") or ():
            if _cell(trace) not in cells:
                cells.append(_cell(trace))
    if not cells:
        cells = [("xy", "x", "y")]
    n, k = len(panels), len(cells)
    if k == 1:
        cols = columns or math.ceil(math.sqrt(n))
        rows = math.ceil(n / cols)
        where = {(p, 0): (p // cols + 1, p % cols + 1) for p in range(n)}
    else:
        rows, cols = n, k
        where = {(p, c): (p + 1, c + 1) for p in range(n) for c in range(k)}
    kinds = {"xy": "xy", "scene": "scene", "domain": "domain"}
    specs = [[None] * cols for _ in range(rows)]
    titles = [""] * (rows * cols)
    for (p, c), (r, col) in where.items():
        specs[r - 1][col - 1] = {"type": kinds[cells[c][0]]}
        if c == 0:
            titles[(r - 1) * cols + col - 1] = panels[p][0]
    grid = make_subplots(rows=rows, cols=cols, specs=specs, horizontal_spacing=0.08,
                         vertical_spacing=0.12 if rows > 1 else 0.1,
                         subplot_titles=[t for (r, row) in enumerate(specs)
                                         for (c, s) in enumerate(row) if s is not None
                                         for t in [titles[r * cols + c]]])
    first_axis: dict[int, dict[str, str]] = {}
    scene_data: dict[int, tuple[list, list, list[str]]] = {}
    extra: dict[str, list[dict]] = {"shapes": [], "annotations": []}
    for p, (_, fig) in enumerate(panels):
        layout = fig.get("layout") or {}
        axes: dict[str, str] = {}
        for c, cell in enumerate(cells):
            r, col = where[(p, c)]
            sub = grid.get_subplot(r, col)
            if cell[0] == "xy":
                for ref, axis in zip(cell[1:], (sub.xaxis, sub.yaxis), strict=True):
                    axes[ref] = _ref(axis.plotly_name)
                    spec = {key: v for key, v in (layout.get(_layout_key(ref)) or {}).items()
                            if key not in _AXIS_SKIP}
                    first = first_axis.setdefault(c, {}).setdefault(ref[0], axes[ref])
                    if first != axes[ref]:
                        spec["matches"] = first
                    grid.layout[axis.plotly_name].update(spec)
            elif cell[0] == "scene":
                spec = {key: v for key, v in (layout.get(cell[1]) or {}).items()
                        if key not in _AXIS_SKIP}
                grid.layout[sub.plotly_name].update(spec)
                entry = scene_data.setdefault(c, ([], [], []))
                entry[2].append(sub.plotly_name)
        colorway = (layout.get("colorway")
                    or ((layout.get("template") or {}).get("layout") or {}).get("colorway")
                    or COLORWAY)
        for j, trace in enumerate(fig.get("data") or ()):
            trace = _own_colour(trace, colorway[j % len(colorway)])
            c = cells.index(_cell(trace))
            r, col = where[(p, c)]
            t = {key: decoded(v) for key, v in trace.items()
                 if key not in ("xaxis", "yaxis", "scene")}
            t["legendgroup"] = t.get("legendgroup") or t.get("name")
            if p > 0:
                t["showlegend"] = False
                if isinstance(t.get("marker"), dict) and "colorbar" in t["marker"]:
                    t["marker"] = {**t["marker"], "showscale": False}
                if "colorbar" in t:
                    t["showscale"] = False
            if cells[c][0] == "scene":
                scene_data[c][0].append(t)
                scene_data[c][1].append(layout.get(cells[c][1]) or {})
            grid.add_trace(t, row=r, col=col)
        for key in ("shapes", "annotations"):
            for item in layout.get(key) or ():
                moved = _remap(item, axes)
                if moved is not None:
                    extra[key].append(moved)
    for traces, layouts, names in scene_data.values():
        extents = scene_extents(traces, layouts)
        for name in names:
            for letter, (lo, hi) in extents.items():
                grid.layout[name][f"{letter}axis"].update(range=padded_range(lo, hi),
                                                           autorange=False)
    grid.update_layout(title={"text": title}, showlegend=True,
                       shapes=[*grid.layout.shapes, *extra["shapes"]],
                       annotations=[*grid.layout.annotations, *extra["annotations"]])
    return grid
