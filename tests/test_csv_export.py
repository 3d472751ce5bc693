"""Figure data as CSV: every built-in visualization, grids, typed arrays, skipped traces."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import plotly.graph_objects as go
import pytest

import vizwidget
from vizwidget import export_figure
from vizwidget.compare import SWEEP_VIEWS
from vizwidget.export import figure_to_bytes
from vizwidget.registry import render_visualization

BUILTIN = sorted(v.name for v in vizwidget.visualizations()
                 if v.fn.__module__.startswith("vizwidget.renderers")
                 and v.name not in SWEEP_VIEWS)
GRID = {"heatmap", "contour", "surface"}


def _read(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def _same(cell: str, value) -> bool:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return cell == ""
    if isinstance(value, (bool, np.bool_)):
        return cell == str(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(cell) == float(value)
    return cell == str(value)


def _expected_rows(fig: go.Figure) -> list[tuple[str, dict]]:
    """(trace label, {column: value}) per point, from the go objects' own arrays."""
    out = []
    for k, trace in enumerate(fig.data):
        label = trace.name if trace.name else f"trace {k}"
        if trace.type in GRID:
            z = np.asarray(trace.z)
            for i in range(z.shape[0]):
                for j in range(z.shape[1]):
                    out.append((label, {"x": trace.x[j] if trace.x is not None else j,
                                        "y": trace.y[i] if trace.y is not None else i,
                                        "z": z[i, j]}))
            continue
        cols = {c: getattr(trace, c) for c in ("x", "y", "z")
                if getattr(trace, c, None) is not None}
        n = max(len(v) for v in cols.values())
        for c in ("x", "y"):  # plotly's implicit coordinates of scatter and bar traces
            if c not in cols and trace.type in ("scatter", "scattergl", "bar"):
                cols[c] = np.arange(n)
        out.extend((label, {c: v[i] for c, v in cols.items()}) for i in range(n))
    return out


@pytest.mark.parametrize("name", BUILTIN)
def test_csv_of_every_builtin_equals_the_figure_arrays(demo_variant, tmp_path, name):
    fig = render_visualization(name, demo_variant, None)
    path = export_figure(fig, tmp_path / f"{name}.csv")
    header, rows = _read(path.read_text())
    assert header[:5] == ["trace", "type", "point", "x", "y"]
    assert header[-2:] == ["text", "customdata"]
    expected = _expected_rows(fig)
    assert len(rows) == len(expected) > 0
    for row, (label, values) in zip(rows, expected, strict=True):
        cells = dict(zip(header, row, strict=True))
        assert cells["trace"] == label
        for column, value in values.items():
            assert _same(cells[column], value), (name, label, column, cells[column], value)


def test_heatmap_is_one_row_per_cell_with_text_and_customdata():
    z = np.arange(6.0).reshape(2, 3)
    fig = go.Figure(go.Heatmap(z=z, x=["a", "b", "c"], y=[10, 20], name="grid",
                               text=[["p", "q", "r"], ["s", "t", "u"]]))
    header, rows = _read(figure_to_bytes(fig, "csv").decode())
    assert header == ["trace", "type", "point", "x", "y", "z", "text", "customdata"]
    assert [r[3:7] for r in rows] == [["a", "10", "0.0", "p"], ["b", "10", "1.0", "q"],
                                      ["c", "10", "2.0", "r"], ["a", "20", "3.0", "s"],
                                      ["b", "20", "4.0", "t"], ["c", "20", "5.0", "u"]]


def test_typed_arrays_and_skipped_trace_from_a_json_figure(tmp_path):
    fig = go.Figure([go.Scatter(x=np.array([0.5, 1.5]), y=np.array([2, 4], dtype=np.int16),
                                customdata=np.array([[1, 2], [3, 4]]), text="same"),
                     go.Indicator(mode="number", value=7, name="gauge")])
    as_json = json.loads(figure_to_bytes(fig, "json"))
    assert "bdata" in as_json["data"][0]["x"]  # plotly encodes numpy arrays as typed arrays
    header, rows = _read(figure_to_bytes(as_json, "csv").decode())
    assert header == ["trace", "type", "point", "x", "y", "text", "customdata"]
    assert rows[0] == ["trace 0", "scatter", "0", "0.5", "2", "same", "[1, 2]"]
    assert rows[1] == ["trace 0", "scatter", "1", "1.5", "4", "same", "[3, 4]"]
    assert rows[2][0].startswith("# skipped trace 1 ('gauge', indicator)") and len(rows[2]) == 1


def test_csv_format_from_suffix_and_argument(tmp_path, bar_figure):
    a = export_figure(bar_figure, tmp_path / "bars.csv")
    b = export_figure(bar_figure, tmp_path / "bars", format="csv")
    assert b.suffix == ".csv" and a.read_text() == b.read_text()
    assert a.read_text().splitlines()[1] == "trace 0,bar,0,a,3,,"


def test_grid_text_cells_are_spreadsheet_safe_and_negative_z_stays_a_number():
    fig = go.Figure(go.Heatmap(z=[[-1.5, 2.0]], x=["=a", "b"], y=[-3], name="@grid",
                               text=[["=1+1", "-cmd"]]))
    header, rows = _read(figure_to_bytes(fig, "csv").decode())
    assert [r[:1] + r[3:7] for r in rows] == [["'@grid", "'=a", "-3", "-1.5", "'=1+1"],
                                              ["'@grid", "b", "-3", "2.0", "'-cmd"]]
    _, exact = _read(figure_to_bytes(fig, "csv", spreadsheet_safe=False).decode())
    assert [r[0] for r in exact] == ["@grid"] * 2 and exact[0][6] == "=1+1"
