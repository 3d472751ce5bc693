"""Level-of-detail sampling: extremes and outliers survive, zooms stay inside their range."""

from __future__ import annotations

import numpy as np
import pytest
from widget_messages import Sent, decode

from vizwidget import lod


def _walk(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return np.arange(n, dtype=np.float64), np.cumsum(rng.standard_normal(n))


def _cloud(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(n), rng.standard_normal(n)
    x[::9973] *= 40  # a few far-out points
    y[5::7919] += 60
    return x, y


@pytest.mark.parametrize("n", [200_001, 1_000_000])
def test_line_sample_keeps_global_extremes_ends_and_is_small(n):
    x, y = _walk(n)
    y[n // 3] = 1e6  # a one-sample spike
    idx = lod.lod_indices(x, y, 5_000)
    assert idx.dtype == np.int64 and np.all(np.diff(idx) > 0)
    assert idx.size <= 5_100
    assert {0, n - 1, int(np.argmin(y)), int(np.argmax(y)), n // 3} <= set(idx.tolist())


def test_numpy_fallback_keeps_each_bucket_extremes(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_tsdownsample(name, *args, **kwargs):
        if name == "tsdownsample":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tsdownsample)
    x, y = _walk(100_000, seed=3)
    idx = lod.minmax_sample(x, y, 1_000)
    assert idx.size <= 1_002
    assert {0, 99_999, int(np.argmin(y)), int(np.argmax(y))} <= set(idx.tolist())
    edges = np.linspace(0, y.size, 1_000 // 2).astype(int)
    kept = set(idx.tolist())
    for a, b in zip(edges[:-1], edges[1:], strict=True):  # each bucket keeps its min
        assert a + int(np.argmin(y[a:b])) in kept


def test_cloud_sample_keeps_every_outlier_and_the_extremes():
    x, y = _cloud(1_000_000)
    idx = lod.lod_indices(x, y, 20_000)
    kept = set(idx.tolist())
    must = np.flatnonzero(lod.outliers(x) | lod.outliers(y))
    assert must.size > 100 and set(must.tolist()) <= kept
    for a in (x, y):
        assert {int(np.argmin(a)), int(np.argmax(a))} <= kept
    assert idx.size <= 1.05 * 20_000 + must.size  # one point per non-empty cell at least


def test_cloud_sample_preserves_density_and_sparse_regions():
    rng = np.random.default_rng(5)
    dense = rng.normal(0, 1, (900_000, 2))
    sparse = rng.uniform(2.5, 3.5, (100_000, 2))  # a 10 % blob, inside the robust envelope
    pts = np.vstack([dense, sparse])
    idx = lod.cloud_sample(pts[:, 0], pts[:, 1], 20_000)
    share = np.mean(idx >= 900_000)
    assert 0.05 < share < 0.2


def test_zoom_resample_returns_only_points_inside_the_range():
    x, y = _cloud(500_000, seed=1)
    idx = lod.lod_indices(x, y, 5_000, xrange=[-0.5, 1.0], yrange=[0.2, 2.0])
    assert idx.size > 1_000
    assert np.all((x[idx] >= -0.5) & (x[idx] <= 1.0) & (y[idx] >= 0.2) & (y[idx] <= 2.0))
    lx, ly = _walk(500_000)
    idx = lod.lod_indices(lx, ly, 2_000, xrange=[1_000.5, 90_000])
    assert np.all((lx[idx] >= 1_000.5) & (lx[idx] <= 90_000))
    inside = (lx >= 1_000.5) & (lx <= 90_000)
    assert int(np.argmax(np.where(inside, ly, -np.inf))) in set(idx.tolist())


def test_small_traces_are_kept_whole():
    x, y = _cloud(1_000)
    assert np.array_equal(lod.lod_indices(x, y, 5_000), np.arange(1_000))


# ---- the widget's down-sampled preview ----
def _widget_cloud(n: int = 300_000):
    import plotly.graph_objects as go

    from vizwidget import ExportWidget

    x, y = _cloud(n, seed=7)
    return ExportWidget(go.Figure(go.Scattergl(x=x, y=y, mode="markers",
                                               customdata=np.arange(n)))), x, y


def test_widget_sends_a_sample_with_a_note_and_exports_stay_full():
    w, x, y = _widget_cloud()
    sent = Sent(w)
    w._on_custom_msg(w, {"type": "figure", "epoch": 0, "reset": True}, [])
    content, buffers = sent.messages[-1]
    fig = decode(content, buffers)
    trace = fig["data"][0]
    assert w.lod_points * 0.8 <= trace["x"].size <= w.lod_points * 1.1
    np.testing.assert_array_equal(trace["x"], x[trace["customdata"]])  # arrays stay aligned
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert notes == [f"showing {trace['x'].size:,} of 300,000 points"]
    assert len(w.figure().data[0].x) == 300_000  # exports take the full figure


def test_zoom_view_holds_only_points_in_range_and_clicks_map_to_full_data():
    w, x, y = _widget_cloud()
    sent = Sent(w)
    got = []
    w.on_click(got.append)
    w._on_custom_msg(w, {"type": "view", "epoch": 0, "xrange": [0.1, 0.3],
                         "yrange": [-0.2, 0.0]}, [])
    content, buffers = sent.messages[-1]
    assert content["view"] is True
    fig = decode(content, buffers)
    vx, vy = fig["data"][0]["x"], fig["data"][0]["y"]
    inside = (x >= 0.1) & (x <= 0.3) & (y >= -0.2) & (y <= 0.0)
    assert vx.size == min(int(inside.sum()), vx.size) and vx.size > 1_000
    assert np.all((vx >= 0.1) & (vx <= 0.3) & (vy >= -0.2) & (vy <= 0.0))
    token = fig["layout"]["vizwidgetLod"]
    k = 17  # the 18th point drawn in the zoomed view
    point = {"trace": 0, "point": k, "x": float(vx[k]), "y": float(vy[k])}
    w._on_custom_msg(w, {"type": "event", "kind": "click", "epoch": 0, "points": [point],
                         "lod": token}, [])
    full = got[0][0]["point"]
    assert full == int(fig["data"][0]["customdata"][k])
    assert (x[full], y[full]) == (vx[k], vy[k])
