"""Long runs: table rows read in one pass, and long lines drawn from M4 points per pixel."""

from __future__ import annotations

import csv
import io
import json
import sys

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from vizwidget import ArtifactLoader, figure_to_bytes
from vizwidget import engine as engine_module
from vizwidget.export import AnimationOptions, animate_frames
from vizwidget.export._decimate import NOTE_NAME, decimate_figure, m4_indices
from vizwidget.figures import typed_array
from vizwidget.registry import as_visualization, cross_epochs, load_snapshots

BLUE = (0x00, 0x72, 0xB2)


def _reference_bins(x: np.ndarray, n_bins: int, log_x: bool) -> np.ndarray:
    pos = np.log10(x) if log_x else x
    rel = (pos - pos[0]) / (pos[-1] - pos[0])
    return np.minimum(np.floor(rel * n_bins).astype(int), n_bins - 1)


@pytest.fixture(params=["tsdownsample", "numpy"])
def backend(request, monkeypatch):
    if request.param == "numpy":
        monkeypatch.setitem(sys.modules, "tsdownsample", None)  # import fails: numpy path
    else:
        pytest.importorskip("tsdownsample")
    return request.param


@pytest.mark.parametrize("log_x", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_m4_keeps_every_column_extreme(backend, log_x, seed):
    rng = np.random.default_rng(seed)
    n, n_bins = 50_000, 137
    x = np.sort(rng.uniform(1, 1000, n)) if seed else np.arange(1.0, n + 1)
    y = rng.standard_normal(n).cumsum() + rng.standard_normal(n) * 5
    kept = m4_indices(x, y, n_bins, log_x=log_x)
    assert kept.size <= 4 * n_bins < n
    assert (np.diff(kept) > 0).all()  # ascending, unique
    bins = _reference_bins(x, n_bins, log_x)
    kept_set = set(kept.tolist())
    for b in np.unique(bins):  # brute force, column by column
        members = np.flatnonzero(bins == b)
        mine = np.array([i for i in members if i in kept_set])
        assert members[0] in kept_set and members[-1] in kept_set
        assert y[mine].max() == y[members].max()
        assert y[mine].min() == y[members].min()


def test_m4_leaves_short_and_flat_series():
    y = np.arange(100.0)
    assert (m4_indices(np.arange(100.0), y, 30) == np.arange(100)).all()  # <= 4 per bin
    same_x = m4_indices(np.ones(1000), np.sin(np.arange(1000.0)), 10)
    assert same_x.size <= 4 and 0 in same_x and 999 in same_x


@pytest.mark.parametrize("n_bins", [0, 1])
def test_m4_in_one_column_keeps_the_ends_and_extremes(backend, n_bins):
    # a frame narrower than the margins leaves at most one pixel column for the data
    y = np.sin(np.arange(80.0))
    kept = m4_indices(np.arange(80.0), y, n_bins)
    assert kept.size <= 4 and {0, 79, int(y.argmin()), int(y.argmax())} == set(kept.tolist())


def _long_line(n: int, spike_at: int | None = None, **trace) -> go.Figure:
    rng = np.random.default_rng(n)
    y = 1 + 0.01 * rng.standard_normal(n)
    if spike_at is not None:
        y[spike_at] *= 50
    return go.Figure(go.Scatter(x=np.arange(n), y=y, mode="lines", line={"color": "#0072B2"},
                                **trace))


def test_decimate_figure_reduces_lines_only_and_notes_it():
    fig = _long_line(200_000).to_dict()
    fig["data"].append(go.Scatter(x=np.arange(200_000.0), y=np.zeros(200_000),
                                  mode="markers").to_plotly_json())
    gap = np.ones(200_000)
    gap[5] = np.nan
    fig["data"].append(go.Scatter(y=gap, mode="lines").to_plotly_json())  # gaps stay gaps
    out = decimate_figure(fig, 1200, 800, 2)
    assert len(out["data"][0]["y"]) <= 4 * 2080 < 200_000
    assert out["data"][1] is fig["data"][1]  # markers are drawn whole
    gapped = out["data"][2]  # reduced on each side of its gap, the gap kept
    assert len(gapped["y"]) <= 5 + 1 + 4 * 2080
    assert np.isnan(gapped["y"]).sum() == 1 and list(gapped["x"][:7]) == [0, 1, 2, 3, 4, 5, 6]
    assert typed_array(fig["data"][0]["y"]).size == 200_000  # the caller's figure is untouched
    note = [a for a in out["layout"]["annotations"] if a.get("name") == NOTE_NAME]
    kept = len(out["data"][0]["y"]) + len(gapped["y"])
    assert note[0]["text"] == f"drawn from {kept:,} of 400,000 points, extremes kept"
    short = _long_line(2000).to_dict()
    assert decimate_figure(short, 1200, 800, 2) is short  # fits the pixels: drawn as it is


def test_decimate_figure_log_axis_and_connectgaps():
    n = 100_000
    y = np.random.default_rng(3).standard_normal(n)
    y[10] = np.nan
    fig = {"data": [{"type": "scattergl", "x": np.geomspace(1, 1e6, n), "y": y,
                     "mode": "lines", "connectgaps": True}],
           "layout": {"xaxis": {"type": "log", "domain": [0, 0.5]}}}
    out = decimate_figure(fig, 800, 600, 1)
    xs, ys = out["data"][0]["x"], out["data"][0]["y"]
    assert np.isfinite(ys).all() and ys.size <= 4 * 320
    assert ys.max() == np.nanmax(y) and ys.min() == np.nanmin(y)
    assert xs[0] == 1 and xs[-1] == pytest.approx(1e6)


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_spike_of_one_row_in_a_million_shows_in_the_png():
    n, spike = 1_000_000, 333_333
    fig = _long_line(n, spike_at=spike)
    png = figure_to_bytes(fig, "png", 1000, 500, 1)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    blue = (np.abs(img - BLUE).sum(axis=2) < 60)
    rows, cols = np.nonzero(blue)
    curve_row = np.median(rows)  # the curve itself: a band at y = 1, near the bottom
    tall = cols[rows < curve_row - 200]  # trace colour far above the curve: the spike
    assert tall.size > 50
    assert tall.max() - tall.min() <= 3  # one narrow stroke, a third of the way along
    assert abs(np.median(tall) - (80 + 840 * spike / n)) < 10


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_data_formats_keep_every_point():
    n = 200_000
    fig = _long_line(n, spike_at=7)
    rows = list(csv.reader(io.StringIO(figure_to_bytes(fig, "csv").decode())))
    assert len(rows) == n + 1
    column = rows[0].index("y")
    ys = [float(r[column]) for r in rows[1:]]
    assert ys == pytest.approx(fig.data[0].y.tolist())
    assert len(fig.data[0].y) == n  # the figure object keeps every point
    data = json.loads(figure_to_bytes(fig, "json"))["data"][0]
    assert "bdata" in data["y"] or len(data["y"]) == n


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_animation_frames_are_decimated(tmp_path, monkeypatch):
    sent = []
    real = engine_module.render

    def spy(figure, *args, **kw):
        sent.append(max(len(t["y"]) for t in figure["data"]))
        return real(figure, *args, **kw)

    monkeypatch.setattr(engine_module, "render", spy)
    out = animate_frames(lambda e: _long_line(100_000, spike_at=e), [10, 20],
                         tmp_path / "frames", options=AnimationOptions(width=600, height=400,
                                                                       scale=1))
    assert len(sent) == 2 and max(sent) <= 4 * 440
    assert len(list(out.glob("*.png"))) == 2


def _write_json_run(folder, epochs, extra=None):
    folder.mkdir()
    table = {"epoch": epochs, "train_loss": [1.0 / (1 + e) for e in range(len(epochs))],
             "test_acc": [None if e % 7 == 0 else e / 100 for e in range(len(epochs))]}
    (folder / "metrics.json").write_text(json.dumps({**table, **(extra or {})}))
    return folder


def test_table_snapshots_equal_per_row_loads(tmp_path):
    epochs = [3, 1, 2, 2, *range(10, 200)]  # unsorted, with an epoch listed twice
    loader = ArtifactLoader(_write_json_run(tmp_path / "run", epochs))
    vis = as_visualization("training_curves")
    wanted = cross_epochs(vis, loader)
    rows = load_snapshots(vis, loader, wanted)
    assert rows == [loader.load("metrics", e) for e in wanted]
    subset = wanted[::3]
    assert load_snapshots(vis, loader, subset) == [loader.load("metrics", e) for e in subset]


def test_table_snapshots_from_csv_and_several_analyzers(tmp_path):
    run = tmp_path / "run"
    (run / "artifacts" / "probe").mkdir(parents=True)
    lines = ["epoch,train_loss,test_acc"] + [f"{e},{1 / (e + 1)},{e / 100}" for e in range(60)]
    (run / "metrics.csv").write_text("\n".join(lines) + "\n")
    for e in range(0, 60, 2):
        (run / "artifacts" / "probe" / f"epoch_{e}.json").write_text(json.dumps({"v": e}))
    loader = ArtifactLoader(run)
    one = as_visualization(lambda s, e, current_epoch=None: None, kind="cross_epoch",
                           analyzer="metrics")
    assert load_snapshots(one, loader, list(range(60))) == [
        loader.load("metrics", e) for e in range(60)]
    both = as_visualization(lambda s, e, current_epoch=None: None, kind="cross_epoch",
                            analyzer=("metrics", "probe"))
    common = cross_epochs(both, loader)
    assert load_snapshots(both, loader, common) == [
        {"metrics": loader.load("metrics", e), "probe": loader.load("probe", e)}
        for e in common]
