"""Overlays of many runs: merged lines, the epoch as layout only, level of detail per run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from widget_messages import Sent, decode, request

import vizwidget as vz
from vizwidget.compare import Variants, prepare_comparison
from vizwidget.compare._many import MANY_RUNS, RUNS_PER_TRACE, TICK_PX
from vizwidget.errors import (
    ComparisonError,
    UsageError,
    VariantNotFoundError,
    VisualizationNotFoundError,
)
from vizwidget.export._decimate import decimate_figure
from vizwidget.lod import per_segment, segments
from vizwidget.widget import ExportWidget
from vizwidget.widget._lod_view import SEGMENT_POINTS, reduce_figure

EPOCHS = 40


def _write(root: Path, runs: int, epochs: int = EPOCHS) -> Path:
    """``runs`` runs with train/test loss and accuracy; run i's loss decays at its own rate."""
    rng = np.random.default_rng(runs)
    for i in range(runs):
        run = root / f"run_{i:03d}"
        run.mkdir(parents=True)
        e = np.arange(epochs)
        decay = 1 / (1 + e * (i + 1) / 50)
        rows = {"epoch": e.tolist(), "train_loss": (decay + 0.01 * rng.random(epochs)).tolist(),
                "test_loss": (1.1 * decay).tolist(), "test_acc": (1 - 0.9 * decay).tolist()}
        (run / "metrics.json").write_text(json.dumps(rows))
        (run / "config.json").write_text(json.dumps({"seed": i}))
    return root


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Variants:
    return Variants(str(_write(tmp_path_factory.mktemp("many"), MANY_RUNS + 10) / "run_*"))


def _own(vs: Variants, i: int, series: str) -> tuple[np.ndarray, np.ndarray]:
    rows = json.loads((vs[i].path / "metrics.json").read_text())
    return np.asarray(rows["epoch"], float), np.asarray(rows[series], float)


def test_many_runs_share_a_few_traces_and_hover_names_each_run(many):
    fig = vz.comparison_figure(many, "training_curves")
    assert len(many) > MANY_RUNS
    parts = -(-len(many) // RUNS_PER_TRACE)
    legend = [t for t in fig.data if t.meta.get("legend")]
    merged = [t for t in fig.data if not t.meta.get("legend")]
    assert len(merged) == 3 * parts  # three series, no trace per run
    assert [t.name for t in legend] == [
        f"{s} ({len(many):,} runs)" for s in ("train_loss", "test_loss", "test_acc")]
    assert all(t.line.color.startswith("#") for t in legend)  # opaque, unlike the lines
    assert all(t.showlegend is False and t.line.color.startswith("rgba") for t in merged)
    assert all("run #%{customdata}" in t.hovertemplate for t in merged)
    seen = set()
    for trace in (t for t in merged if t.meta["series"] == "test_acc"):
        x, y, who = (np.asarray(v) for v in (trace.x, trace.y, trace.customdata))
        starts, stops = segments(x, y)
        assert np.isnan(x[stops]).all()  # a gap after every run: no two runs joined
        for a, b in zip(starts, stops, strict=True):
            run = int(who[a])
            assert (who[a:b + 1] == run).all()
            np.testing.assert_allclose(y[a:b], _own(many, run, "test_acc")[1])
            seen.add(run)
    assert seen == set(range(len(many)))


def test_an_epoch_step_changes_the_layout_only_with_a_tick_per_run(many):
    _, _, figure = prepare_comparison(many, "training_curves")
    one, two = figure(10), figure(11)
    for a, b in zip(one["data"], two["data"], strict=True):
        assert a.keys() == b.keys() and all(a[k] is b[k] for k in a)  # the very same arrays
    assert one["layout"]["shapes"] != two["layout"]["shapes"]
    ticks = [s for s in two["layout"]["shapes"] if s["type"] == "path"]
    assert [s["name"] for s in ticks] == [f"{s} at epoch 11"
                                          for s in ("train_loss", "test_loss", "test_acc")]
    for shape in ticks:
        assert shape["xsizemode"] == "pixel" and shape["xanchor"] == 11
        series = shape["name"].split(" at ")[0]
        drawn = [float(v) for v in re.findall(rf"M-{TICK_PX},([^H]+)H{TICK_PX}", shape["path"])]
        want = [_own(many, i, series)[1][11] for i in range(len(many))]
        np.testing.assert_allclose(drawn, want, rtol=1e-6)
    dotted = [s for s in two["layout"]["shapes"] if s["type"] == "line"]
    assert [s["x0"] for s in dotted] == [11, 11]  # one per subplot
    assert any(a.get("text") == "epoch 11" for a in two["layout"]["annotations"])


def test_few_runs_keep_a_trace_and_a_star_each(tmp_path):
    vs = Variants(str(_write(tmp_path, MANY_RUNS) / "run_*"))
    fig = vz.comparison_figure(vs, "training_curves", epoch=5, metrics="loss")
    stars = [t for t in fig.data if t.meta and t.meta.get("highlight")]
    assert len(fig.data) - len(stars) == 2 * MANY_RUNS and len(stars) == 2 * MANY_RUNS


def test_no_tick_for_a_value_a_log_axis_cannot_show(tmp_path):
    root = _write(tmp_path, MANY_RUNS + 1)
    rows = json.loads((root / "run_000" / "metrics.json").read_text())
    rows["train_loss"][3] = 0.0
    (root / "run_000" / "metrics.json").write_text(json.dumps(rows))
    _, _, figure = prepare_comparison(str(root / "run_*"), "training_curves", metrics="loss")
    shapes = figure(3)["layout"]["shapes"]
    train = next(s for s in shapes if s.get("name") == "train_loss at epoch 3")
    test = next(s for s in shapes if s.get("name") == "test_loss at epoch 3")
    assert train["path"].count("M") == MANY_RUNS == test["path"].count("M") - 1


def test_a_widget_step_over_many_runs_sends_no_line_again(many):
    w = ExportWidget.from_comparison(many, "training_curves")
    assert w.name == f"training_curves of {len(many)} runs" and w.epochs == list(range(EPOCHS))
    sent = Sent(w)
    request(w, type="figure", epoch=5, reset=True)
    request(w, type="figure", epoch=6)
    (first, buffers), (step, step_buffers) = sent.of("figure")
    assert len(buffers) > 1 and len(step_buffers) == 1  # the step: the JSON skeleton alone
    held: dict = {}
    decode(first, buffers, held)
    fig = decode(step, step_buffers, held)
    assert any(s.get("name") == "test_acc at epoch 6" for s in fig["layout"]["shapes"])


def test_lod_reduces_each_run_of_a_merged_line_on_its_own():
    rng = np.random.default_rng(0)
    runs = [np.cumsum(rng.standard_normal(5_000)) for _ in range(3)]
    runs[1][1234] = 500.0  # a spike in one run
    x = np.concatenate([np.r_[np.arange(5_000.0), np.nan] for _ in runs])
    y = np.concatenate([np.r_[r, np.nan] for r in runs])
    who = np.repeat(np.arange(3), 5_001).astype(np.int32)
    trace = {"type": "scatter", "mode": "lines", "x": x, "y": y, "customdata": who}
    view = reduce_figure({"data": [trace], "layout": {}}, threshold=1_000, n_out=600)
    out = view.figure["data"][0]
    assert out["y"].size <= 3 * (2 * SEGMENT_POINTS) + 3 < y.size
    starts, stops = segments(out["x"], out["y"])
    assert len(starts) == 3  # the gaps survive: no run joined to the next
    for k, (a, b) in enumerate(zip(starts, stops, strict=True)):
        assert (out["customdata"][a:b] == k).all()
        assert out["y"][a:b].max() == runs[k].max() and out["y"][a:b].min() == runs[k].min()
    np.testing.assert_array_equal(y[view.maps[0]], out["y"])  # the map points into the data
    assert 500.0 in out["y"]


def test_image_export_reduces_each_run_and_keeps_hover_data_aligned():
    x = np.concatenate([np.r_[np.arange(20_000.0), np.nan] for _ in range(2)])
    y = np.concatenate([np.r_[np.sin(np.arange(20_000) / 50) * (k + 1), np.nan]
                        for k in range(2)])
    who = np.repeat([0, 1], 20_001).astype(np.int32)
    fig = {"data": [{"type": "scatter", "mode": "lines", "x": x, "y": y, "customdata": who}],
           "layout": {"width": 600}}
    out = decimate_figure(fig, 600, 400, 1)["data"][0]
    assert out["y"].size < y.size
    starts, stops = segments(out["x"], out["y"])
    assert len(starts) == 2
    for k, (a, b) in enumerate(zip(starts, stops, strict=True)):
        assert (out["customdata"][a:b] == k).all()
        assert out["y"][a:b].max() == pytest.approx(k + 1, abs=1e-3)


def test_from_comparison_names_bad_runs_views_and_bands_and_writes_nothing(many, tmp_path):
    with pytest.raises(VariantNotFoundError, match=r"No variant directory matches(.|\n)*"
                                                   r"Check the pattern"):
        ExportWidget.from_comparison(str(tmp_path / "nothing_*"), "training_curves")
    with pytest.raises(VisualizationNotFoundError, match="no_such_view"):
        ExportWidget.from_comparison(many, "no_such_view")
    with pytest.raises(ComparisonError, match=r"(?s)bogus.*Use one of .sd."):
        ExportWidget.from_comparison(many, "training_curves", band="bogus")
    assert list(tmp_path.iterdir()) == []


def test_segments_refuse_x_and_y_of_other_lengths():
    for x, y in ((np.arange(3.0), np.arange(4.0)), (np.zeros((2, 2)), np.zeros((2, 2)))):
        with pytest.raises(UsageError, match=r"(?s)one length.*one y value per x value"):
            segments(x, y)
        with pytest.raises(UsageError, match="one length"):
            per_segment(x, y, lambda xs, ys: np.arange(xs.size))
