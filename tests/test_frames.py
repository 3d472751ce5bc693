"""Frame transforms of animations: axis extents, locked ranges, the epoch label."""

import numpy as np
import plotly.graph_objects as go
import pytest

from vizwidget.export._frames import (
    LABEL_NAME,
    axis_extents,
    merge_extents,
    with_epoch_label,
    with_ranges,
)


def test_extents_cover_every_trace_and_explicit_ranges():
    fig = {"data": [{"type": "scatter", "x": [0, 1, 2], "y": [1, 2, 3]},
                    {"type": "scatter", "y": [5, 6]}],
           "layout": {"yaxis": {"range": [-10, 2]}}}
    assert axis_extents(fig) == {"xaxis": (0.0, 2.0), "yaxis": (-10.0, 6.0)}


def test_bars_include_zero_and_log_axes_use_log10():
    bars = go.Figure(go.Bar(x=["a", "b"], y=np.array([3.0, 4.0]))).to_dict()  # base64 arrays
    assert axis_extents(bars) == {"yaxis": (0.0, 4.0)}  # categories on x are left alone
    log = {"data": [{"type": "scatter", "x": [1, 10], "y": [10, 1000, -1]}],
           "layout": {"yaxis": {"type": "log"}}}
    assert axis_extents(log)["yaxis"] == pytest.approx((1.0, 3.0))


def test_secondary_axes_and_3d_traces():
    fig = {"data": [{"type": "scatter", "y": [1, 2], "yaxis": "y2"},
                    {"type": "surface", "z": [[1, 2], [3, 4]]}]}
    assert axis_extents(fig) == {"yaxis2": (1.0, 2.0)}  # implicit x and 3D are left alone


def test_merge_and_ranges_are_padded_and_fixed():
    extents = merge_extents({"yaxis": (0.0, 1.0)}, {"yaxis": (-1.0, 0.5), "xaxis": (2.0, 2.0)})
    assert extents == {"yaxis": (-1.0, 1.0), "xaxis": (2.0, 2.0)}
    out = with_ranges({"data": [], "layout": {"yaxis": {"autorange": "reversed"}}}, extents)
    assert out["layout"]["yaxis"] == {"autorange": False, "range": [1.1, -1.1]}
    assert out["layout"]["xaxis"]["range"] == [1.5, 2.5]  # a flat axis still gets a span


def test_label_replaces_an_earlier_label_and_keeps_other_annotations():
    fig = {"data": [], "layout": {"annotations": [{"text": "note"}]}}
    once = with_epoch_label(fig, 10)
    twice = with_epoch_label(once, 20)
    texts = [a["text"] for a in twice["layout"]["annotations"]]
    assert texts == ["note", "epoch 20"]
    assert [a.get("name") for a in twice["layout"]["annotations"]] == [None, LABEL_NAME]
    assert fig["layout"]["annotations"] == [{"text": "note"}]  # input untouched
