"""A figure's data as CSV: one row per point (one per cell for heatmaps and surfaces).

Columns: ``trace`` (name, or ``trace N``), ``type``, ``point`` (index within the trace), then
the coordinate columns some trace has, in the order of :data:`POINT_KEYS` (``x`` and ``y``
always), then ``text`` and ``customdata``. Gridded traces (heatmap, contour, surface, ...) with
a 2-D ``z`` give one row per cell with its ``x``, ``y`` and ``z``. Scatter and bar traces
without ``x`` (or ``y``) get plotly's implicit coordinates ``x0 + i*dx``. A trace without point
data (indicator, a trace with no arrays) is skipped and leaves a comment row whose first cell
starts with ``#``. Lists inside cells (2-D ``customdata``) are written as JSON. Plotly's
base64 typed arrays (``{"bdata", "dtype", "shape"}``) are decoded. Text cells are made
safe for spreadsheets by default (see :func:`figure_to_csv`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import numpy as np

from .._escape import csv_cell
from ..figures import typed_array

__all__ = ["POINT_KEYS", "decode_array", "figure_to_csv", "figure_rows"]

#: Per-point coordinate arrays written as columns, in column order.
POINT_KEYS = ("x", "y", "z", "r", "theta", "a", "b", "c", "lat", "lon", "labels", "values",
              "open", "high", "low", "close", "u", "v", "w")
#: Trace types whose 2-D ``z`` is a grid over ``x`` (columns) and ``y`` (rows).
GRID_TYPES = frozenset({"heatmap", "heatmapgl", "contour", "surface", "histogram2d",
                        "histogram2dcontour"})
#: Trace types with plotly's implicit coordinates (``x0``/``dx``, ``y0``/``dy``).
IMPLICIT_TYPES = frozenset({"scatter", "scattergl", "bar", "waterfall", "funnel"})
def decode_array(value: Any) -> Any:
    """A plotly typed array ``{"bdata", "dtype"[, "shape"]}`` as a numpy array; else unchanged."""
    arr = typed_array(value)
    return value if arr is None else arr


def _is_array(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _cell(value: Any) -> Any:
    """One CSV cell: numbers as Python numbers, None/NaN empty, lists as JSON."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    return value


def _at(values: Any, i: int) -> Any:
    if values is None:
        return None
    if not _is_array(values):
        return values  # a scalar applies to every point (e.g. text="label")
    return values[i] if i < len(values) else None


def _grid_rows(trace: dict) -> list[dict[str, Any]] | None:
    z = decode_array(trace.get("z"))
    if not _is_array(z):
        return None
    z = np.asarray(z, dtype=object)
    if z.ndim != 2:
        return None
    x, y = decode_array(trace.get("x")), decode_array(trace.get("y"))
    text = decode_array(trace.get("text"))
    custom = decode_array(trace.get("customdata"))
    rows = []
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            row = {"x": x[j] if _is_array(x) and j < len(x) else j,
                   "y": y[i] if _is_array(y) and i < len(y) else i, "z": z[i, j]}
            for key, values in (("text", text), ("customdata", custom)):
                inner = _at(values, i)
                row[key] = _at(inner, j) if _is_array(values) and _is_array(inner) else inner
            rows.append(row)
    return rows


def _point_rows(trace: dict, kind: str) -> list[dict[str, Any]]:
    arrays = {k: decode_array(trace[k]) for k in POINT_KEYS
              if _is_array(decode_array(trace.get(k)))}
    n = max((len(v) for v in arrays.values()), default=0)
    if n and kind in IMPLICIT_TYPES:
        for axis in ("x", "y"):
            if axis not in arrays:
                start, step = trace.get(f"{axis}0", 0), trace.get(f"d{axis}", 1)
                if isinstance(start, (int, float)) and isinstance(step, (int, float)):
                    arrays[axis] = [start + i * step for i in range(n)]
    text, custom = decode_array(trace.get("text")), decode_array(trace.get("customdata"))
    rows = []
    for i in range(n):
        row = {k: _at(v, i) for k, v in arrays.items()}
        row["text"], row["customdata"] = _at(text, i), _at(custom, i)
        rows.append(row)
    return rows


def figure_rows(figure: dict) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of :func:`figure_to_csv` (comment rows have one ``#`` cell)."""
    per_trace: list[tuple[str, str, list[dict[str, Any]] | None]] = []
    for k, trace in enumerate(figure.get("data") or []):
        kind = str(trace.get("type") or "scatter")
        name = trace.get("name")
        label = str(name) if name not in (None, "") else f"trace {k}"
        rows = _grid_rows(trace) if kind in GRID_TYPES else None
        if rows is None:
            rows = _point_rows(trace, kind)
        per_trace.append((label, kind, rows or None))
    present = {key for _, _, rows in per_trace for row in rows or () for key in row}
    coords = [k for k in POINT_KEYS if k in ("x", "y") or k in present]
    header = ["trace", "type", "point", *coords, "text", "customdata"]
    out: list[list[Any]] = []
    for k, (label, kind, rows) in enumerate(per_trace):
        if rows is None:
            out.append([f"# skipped trace {k} ({label!r}, {kind}): no point data"])
            continue
        for i, row in enumerate(rows):
            out.append([label, kind, i, *(_cell(row.get(c)) for c in header[3:])])
    return header, out


def figure_to_csv(figure: dict, *, lineterminator: str = "\n",
                  spreadsheet_safe: bool = True) -> str:
    """The data of a figure dict as CSV text (see the module docstring for the columns).

    With ``spreadsheet_safe`` (default) the file is safe to open in a spreadsheet: a text
    cell (trace name, type, text, a category) starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return gets a leading ``'``, OWASP's advice against CSV injection, so it
    shows as text instead of running as a formula. Numbers, negative ones included, and text
    that is a plain decimal number (``"-1.5"``) are written unchanged. Pass False when only
    programs read the file and need the strings exactly.
    """
    header, rows = figure_rows(figure)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow(header)
    writer.writerows([csv_cell(cell, spreadsheet_safe) for cell in row] for row in rows)
    return buffer.getvalue()
