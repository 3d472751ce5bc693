"""The peer suite: plotly.js's own image-test mocks in every still format, and
pixel equality with plotly's own ``fig.to_image``."""

from __future__ import annotations

import io
import json
import time

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from conftest import NETWORK_MOCKS, load_mock, mock_names
from PIL import Image

from vizwidget import export_figure
from vizwidget.errors import NetworkResourceError
from vizwidget.export import figure_to_bytes
from vizwidget.formats import STILL_FORMATS

pytestmark = pytest.mark.filterwarnings("ignore:The kopts argument:UserWarning")

OFFLINE_MOCKS = [m for m in mock_names() if m not in NETWORK_MOCKS]


def test_corpus_is_complete():
    assert len(mock_names()) == 45


@pytest.mark.parametrize("name", OFFLINE_MOCKS)
def test_mock_exports_in_every_still_format(tmp_path, name):
    fig = load_mock(name)
    for fmt in STILL_FORMATS:
        path = export_figure(fig, tmp_path / name, fmt, width=500, height=400, scale=1)
        if fmt == "json":
            assert len(json.loads(path.read_text())["data"]) == len(fig["data"])
        elif fmt == "csv":
            assert path.read_text().startswith("trace,type,point,x,y")
        else:
            assert path.stat().st_size > 1000, fmt
        if fmt in ("png", "jpeg", "webp"):
            with Image.open(path) as img:
                assert img.size == (500, 400)


def test_geo_mock_fails_fast_with_a_clear_error(tmp_path):
    start = time.monotonic()
    for fmt in ("png", "svg", "pdf"):
        with pytest.raises(NetworkResourceError, match="topojson"):
            export_figure(load_mock("geo_first"), tmp_path / "geo", fmt)
    assert time.monotonic() - start < 15
    assert list(tmp_path.iterdir()) == []


def test_mapbox_mock_renders_without_its_basemap(tmp_path):
    start = time.monotonic()
    for fmt in STILL_FORMATS:
        assert export_figure(load_mock("mapbox_0"), tmp_path / "map", fmt).stat().st_size > 100
    assert time.monotonic() - start < 30


def _figures() -> dict[str, go.Figure]:
    rng = np.random.default_rng(7)
    z = rng.random((20, 20))
    x = np.linspace(-2, 2, 30)
    sub = go.Figure().set_subplots(rows=1, cols=2)
    sub.add_trace(go.Scatter(y=[1, 2, 3]), row=1, col=1)
    sub.add_trace(go.Bar(y=[3, 1, 2]), row=1, col=2)
    return {
        "scatter": go.Figure(go.Scatter(x=x, y=np.sin(x), mode="lines+markers")),
        "bar": go.Figure(go.Bar(x=list("abcd"), y=[4, 2, 5, 1])),
        "heatmap": go.Figure(go.Heatmap(z=z)),
        "contour": go.Figure(go.Contour(z=np.outer(np.sin(x), np.cos(x)))),
        "surface3d": go.Figure(go.Surface(z=np.outer(np.sin(x), np.cos(x)))),
        "pie": go.Figure(go.Pie(labels=list("abc"), values=[3, 2, 1])),
        "subplots": sub,
        "annotations": go.Figure(go.Scatter(y=[1, 2]), layout={"annotations": [
            {"x": 1, "y": 2, "text": "peak", "showarrow": True}]}),
        "log_axes": go.Figure(go.Scatter(x=[1, 10, 100], y=[1, 100, 10000]),
                              layout={"xaxis": {"type": "log"}, "yaxis": {"type": "log"}}),
        "webgl_scatter": go.Figure(go.Scattergl(x=rng.random(500), y=rng.random(500),
                                                mode="markers")),
        "mock_box_grouped": go.Figure(load_mock("box_grouped")),
        "mock_polar": go.Figure(load_mock("polar_categories")),
        "mock_scatter3d": go.Figure(load_mock("gl3d_scatter3d-connectgaps")),
        "mock_mesh3d": go.Figure(load_mock("gl3d_tetrahedra")),
    }


@pytest.fixture(scope="module")
def kaleido_server():
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    yield
    kaleido.stop_sync_server(silence_warnings=True)


@pytest.mark.parametrize("name", list(_figures()))
def test_output_equals_plotlys_own_to_image(kaleido_server, name):
    fig = _figures()[name]
    ours = figure_to_bytes(fig, "png", 600, 400, 1)
    theirs = pio.to_image(fig, format="png", width=600, height=400, scale=1)
    a = np.asarray(Image.open(io.BytesIO(ours)).convert("RGBA"), dtype=float)
    b = np.asarray(Image.open(io.BytesIO(theirs)).convert("RGBA"), dtype=float)
    assert a.shape == b.shape == (400, 600, 4)
    assert np.abs(a - b).mean() < 2
    assert a[..., :3].std() > 1  # not a blank image
