"""Large figures: binary transport to the page, pixel-identical to kaleido's own output."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from vizwidget import figure_to_bytes
from vizwidget.engine._transport import MIN_BINARY_VALUES, pack_figure


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _unpack(packed) -> dict:
    """The arrays a page would see, keyed by their path in the figure."""
    blob = packed.blob()
    out = {}
    for path, dtype, offset, n, rows in packed.manifest:
        arr = np.frombuffer(blob, dtype="<" + dtype, count=n, offset=offset)
        out[tuple(path)] = arr.reshape(rows, -1) if rows else arr
    return out


def test_pack_moves_numpy_bdata_and_long_lists_exactly():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(10_000)
    z = rng.integers(-5, 5, size=(100, 80)).astype(np.int32)
    long_list = [float(v) for v in rng.standard_normal(MIN_BINARY_VALUES)]
    bdata = {"dtype": "f4", "bdata": base64.b64encode(x.astype("<f4").tobytes()).decode()}
    figure = {"data": [{"type": "scattergl", "x": x, "y": long_list, "marker": {"color": bdata}},
                       {"type": "heatmap", "z": z},
                       {"type": "scatter", "y": [1, 2, 3], "text": ["a"] * 5000}],
              "layout": {"title": {"text": "t"}}}
    packed = pack_figure(figure)
    arrays = _unpack(packed)
    assert set(arrays) == {("data", 0, "x"), ("data", 0, "y"), ("data", 0, "marker", "color"),
                           ("data", 1, "z")}
    np.testing.assert_array_equal(arrays[("data", 0, "x")], x)
    np.testing.assert_array_equal(arrays[("data", 0, "y")], np.array(long_list))
    np.testing.assert_array_equal(arrays[("data", 0, "marker", "color")], x.astype(np.float32))
    np.testing.assert_array_equal(arrays[("data", 1, "z")], z)
    assert all(offset % 8 == 0 for _p, _d, offset, _n, _r in packed.manifest)
    skeleton = packed.skeleton
    assert skeleton["data"][2] == figure["data"][2]  # short and string arrays stay as they are
    assert skeleton["layout"] == figure["layout"]
    assert figure["data"][0]["x"] is x  # the input is not modified


def test_pack_leaves_lists_with_gaps_and_int64_beyond_float_to_json():
    gappy = [1.0, None] * MIN_BINARY_VALUES
    huge = np.full(MIN_BINARY_VALUES, 2**60, dtype=np.int64)
    packed = pack_figure({"data": [{"type": "scatter", "y": gappy, "x": huge}]})
    assert packed.manifest == []


@pytest.mark.browser
def test_large_figure_export_is_pixel_identical_to_kaleido():
    """1,000,000 Scattergl points: the binary path draws exactly what kaleido draws."""
    import plotly.io as pio

    rng = np.random.default_rng(0)
    n = 1_000_000
    fig = go.Figure(go.Scattergl(x=rng.standard_normal(n), y=rng.standard_normal(n),
                                 mode="markers", marker={"color": rng.random(n)}))
    size = {"width": 400, "height": 300, "scale": 1}
    ours = figure_to_bytes(fig, "png", **size)
    theirs = pio.to_image(fig, format="png", **size)
    a, b = _pixels(ours), _pixels(theirs)
    assert a.shape == b.shape == (300, 400, 4)
    assert (a != 255).any()  # something was drawn
    assert np.array_equal(a, b)


@pytest.mark.browser
def test_large_heatmap_and_svg_take_the_binary_path():
    rng = np.random.default_rng(2)
    fig = go.Figure(go.Heatmap(z=rng.standard_normal((400, 300))))
    png = _pixels(figure_to_bytes(fig, "png", width=300, height=200, scale=1))
    assert png.shape == (200, 300, 4) and len(np.unique(png.reshape(-1, 4), axis=0)) > 50
    svg = figure_to_bytes(fig, "svg", width=300, height=200, scale=1)
    assert svg.startswith(b"<svg") and b"<image" in svg
