"""Every built-in visualization renders on the real demo run and exports to PNG."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

import vizwidget
from vizwidget import analysis
from vizwidget.compare import SWEEP_VIEWS
from vizwidget.registry import render_visualization
from vizwidget.runs import ArtifactLoader

BUILTIN = sorted(v.name for v in vizwidget.visualizations()
                 if v.fn.__module__.startswith("vizwidget.renderers")
                 and v.name not in SWEEP_VIEWS)


def _texts(fig: go.Figure) -> str:
    # labels of single-point traces (hover texts of whole trajectories do not count)
    parts = [str(t.text) for t in fig.data
             if getattr(t, "text", None) is not None and len(t.x if t.x is not None else ()) == 1]
    parts += [str(getattr(t, "name", "") or "") for t in fig.data]
    parts += [str(a.text) for a in fig.layout.annotations]
    parts.append(str(fig.layout.title.text))
    return " ".join(parts)


@pytest.fixture(scope="module")
def loader(demo_variant):
    return ArtifactLoader(demo_variant)


def test_there_are_eleven_builtins():
    assert len(BUILTIN) == 11


@pytest.mark.parametrize("name", BUILTIN)
def test_renders_with_epoch_highlight(loader, name):
    vis = vizwidget.get_visualization(name)
    epochs = loader.epochs(vis.analyzer)
    epoch = epochs[len(epochs) // 2]
    fig = render_visualization(vis, loader, epoch=epoch)
    assert isinstance(fig, go.Figure) and len(fig.data) >= 1
    assert f"epoch {epoch}" in _texts(fig)
    # a cross-epoch figure without current_epoch carries no highlight
    if vis.kind == "cross_epoch":
        plain = render_visualization(vis, loader)
        assert f"epoch {epoch}" not in _texts(plain)
        assert len(plain.data) < len(fig.data) or len(plain.layout.shapes) < len(fig.layout.shapes)


@pytest.mark.browser
@pytest.mark.parametrize("name", BUILTIN)
def test_exports_png(demo_variant, tmp_path, name):
    out = vizwidget.export_variant_visualization(demo_variant, name, output_dir=tmp_path,
                                                 width=480, height=320, scale=1)
    assert out.parent == tmp_path and out.name.startswith(name) and out.suffix == ".png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as img:
        assert img.size == (480, 320)
        colors = img.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colors is not None and len(colors) > 20  # something was drawn


def test_trajectory_points_are_the_pca_projections(loader):
    epochs = loader.epochs("parameters")
    snaps = [d for _, d in loader.load_many("parameters")]
    ref = analysis.pca(analysis.stack_parameters(snaps, "W_in"), 2).projections
    fig = render_visualization("parameter_trajectory_2d", loader, epoch=epochs[3], group="W_in")
    np.testing.assert_allclose(fig.data[0].x, ref[:, 0], atol=1e-9)
    np.testing.assert_allclose(fig.data[0].y, ref[:, 1], atol=1e-9)
    assert (fig.data[1].x[0], fig.data[1].y[0]) == pytest.approx((ref[3, 0], ref[3, 1]))
    fig3 = render_visualization("parameter_trajectory_3d", loader, epoch=epochs[-1] + 7)
    assert fig3.data[1].text == (f"epoch {epochs[-1]}",)  # nearest checkpoint is highlighted


def _counting_pca(monkeypatch) -> list[int]:
    """Count the trajectory renderers' PCA computations."""
    from vizwidget.renderers import trajectory

    calls: list[int] = []
    real = trajectory.pca

    def counted(X, n_components=3):
        calls.append(n_components)
        return real(X, n_components)

    monkeypatch.setattr(trajectory, "pca", counted)
    trajectory._RECENT.clear()
    return calls


def test_trajectory_views_of_loaded_checkpoints_share_one_pca(loader, monkeypatch):
    calls = _counting_pca(monkeypatch)
    epochs = loader.epochs("parameters")
    snaps = [d for _, d in loader.load_many("parameters")]
    ref = analysis.pca(analysis.stack_parameters(snaps, "all"), 3)
    for epoch in epochs[:4]:  # the widget's steps: one PCA, not one per step
        fig = render_visualization("parameter_trajectory_2d", loader, epoch=epoch)
        np.testing.assert_allclose(fig.data[0].x, ref.projections[:, 0], atol=1e-9)
    fig3 = render_visualization("parameter_trajectory_3d", loader, epoch=epochs[1])
    pc3 = render_visualization("parameter_trajectory_pc3", loader, epoch=epochs[1])
    assert calls == [3]  # 2-D, 3-D and PC3 views share the three components
    np.testing.assert_allclose(fig3.data[0].z, ref.projections[:, 2], atol=1e-9)
    np.testing.assert_allclose(pc3.data[0].y, ref.projections[:, 2], atol=1e-9)
    assert fig.layout.xaxis.title.text == f"PC1 ({100 * ref.explained_variance_ratio[0]:.1f}% " \
        "of variance over checkpoints)"
    render_visualization("parameter_trajectory_2d", loader, epoch=epochs[0], group="W_in")
    assert calls == [3, 3]  # another group is another projection


def test_velocity_steps_of_loaded_checkpoints_stack_them_once(loader, monkeypatch):
    from vizwidget.renderers import trajectory

    stacked: list[int] = []
    real = trajectory.stack_parameters

    def counted(snapshots, group="all", epochs=None):
        stacked.append(len(snapshots))
        return real(snapshots, group, epochs)

    monkeypatch.setattr(trajectory, "stack_parameters", counted)
    trajectory._RECENT.clear()
    epochs = loader.epochs("parameters")
    snaps = [d for _, d in loader.load_many("parameters")]
    ends, speeds = analysis.parameter_velocity(analysis.stack_parameters(snaps), epochs)
    for epoch in epochs[1:5]:
        fig = render_visualization("parameter_velocity", loader, epoch=epoch, log_y=False)
        np.testing.assert_allclose(fig.data[0].y, speeds)
    assert stacked == [len(epochs)]
    res, _ = trajectory._projection(snaps, epochs, "all", 2)
    assert not res.projections.flags.writeable  # shared with later calls


def test_trajectory_of_changeable_or_new_arrays_is_computed_afresh(monkeypatch):
    from vizwidget.renderers import trajectory

    calls = _counting_pca(monkeypatch)
    rng = np.random.default_rng(0)
    snaps = [{"w": rng.normal(size=(4, 5))} for _ in range(6)]
    before = trajectory.parameter_trajectory_2d(snaps, list(range(6))).data[0].x
    snaps[2]["w"][:] += 5.0  # user arrays may change between calls: never reused
    after = trajectory.parameter_trajectory_2d(snaps, list(range(6))).data[0].x
    assert len(calls) == 2 and not np.allclose(before, after)
    # new read-only arrays at a dead array's address (same id()) are not the cached ones
    monkeypatch.setattr(trajectory, "id", lambda obj: 1, raising=False)
    for _ in range(3):
        frozen = [{"w": rng.normal(size=(4, 5))} for _ in range(6)]
        for snap in frozen:
            snap["w"].flags.writeable = False
        ref = analysis.pca(analysis.stack_parameters(frozen, "all"), 2).projections
        got = trajectory.parameter_trajectory_2d(frozen, list(range(6))).data[0].x
        np.testing.assert_allclose(got, ref[:, 0], atol=1e-9)
    assert len(calls) == 5


@pytest.mark.parametrize("name", ["parameter_trajectory_2d", "parameter_trajectory_3d",
                                  "parameter_trajectory_pc3", "explained_variance"])
def test_large_runs_take_the_gram_path_to_the_same_figure(loader, monkeypatch, name):
    from vizwidget.renderers import trajectory

    epochs = loader.epochs("parameters")
    epoch = epochs[len(epochs) // 3]
    trajectory._RECENT.clear()
    stacked = render_visualization(name, loader, epoch=epoch, group="W_in")
    monkeypatch.setattr(trajectory, "STACK_LIMIT", 0)  # every run is "large"
    monkeypatch.setattr(trajectory, "stack_parameters", _one_or_two_rows(trajectory))
    trajectory._RECENT.clear()
    gram = render_visualization(name, loader, epoch=epoch, group="W_in")
    assert len(gram.data) == len(stacked.data)
    for a, b in zip(gram.data, stacked.data, strict=True):
        for key in ("x", "y", "z"):
            if key not in a:
                continue
            got, want = np.asarray(a[key]), np.asarray(b[key])
            if got.dtype.kind == "f":
                np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)
            else:
                assert np.array_equal(got, want)
    assert gram.layout.xaxis.title.text == stacked.layout.xaxis.title.text
    assert gram.layout.yaxis.title.text == stacked.layout.yaxis.title.text


def _one_or_two_rows(trajectory):
    """stack_parameters that refuses to stack more than two snapshots (the Gram path's)."""
    real = trajectory.stack_parameters

    def limited(snapshots, group="all", epochs=None):
        assert len(snapshots) <= 2, "the Gram path stacked the whole run"
        return real(snapshots, group, epochs)

    return limited


def test_gram_path_keeps_the_checks_and_the_still_note(monkeypatch):
    from vizwidget.errors import InconsistentSnapshotsError, NonFiniteDataError
    from vizwidget.renderers import trajectory

    monkeypatch.setattr(trajectory, "STACK_LIMIT", 0)
    still = [{"w": np.ones((3, 4))} for _ in range(5)]
    fig = trajectory.parameter_trajectory_2d(still, list(range(5)))
    assert not np.any(fig.data[0].x) and trajectory.NO_MOVEMENT in _texts(fig)
    moved = [{"w": np.full((3, 4), float(i))} for i in range(5)]
    assert np.ptp(trajectory.parameter_trajectory_2d(moved, list(range(5))).data[0].x) > 0
    reshaped = [{"w": np.zeros((3, 4))}, {"w": np.ones((4, 3))}]
    with pytest.raises(InconsistentSnapshotsError, match="shape"):
        trajectory.parameter_trajectory_2d(reshaped, [0, 1])
    broken = [{"w": np.zeros((3, 4))}, {"w": np.full((3, 4), np.nan)}]
    with pytest.raises(NonFiniteDataError):
        trajectory.parameter_trajectory_2d(broken, [0, 1])


def test_velocity_uses_epoch_gaps(loader):
    epochs = loader.epochs("parameters")
    assert len(set(np.diff(epochs))) > 1  # the demo schedule really is non-uniform
    fig = render_visualization("parameter_velocity", loader, log_y=False)
    snaps = [d for _, d in loader.load_many("parameters")]
    X = analysis.stack_parameters(snaps)
    by_hand = [np.linalg.norm(X[i + 1] - X[i]) / (epochs[i + 1] - epochs[i])
               for i in range(len(epochs) - 1)]
    np.testing.assert_allclose(fig.data[0].y, by_hand, rtol=1e-9)
    assert fig.layout.yaxis.type == "linear"


def test_training_curves_options(loader):
    fig = render_visualization("training_curves", loader, epoch=500)
    names = {t.name for t in fig.data}
    assert {"train_loss", "test_loss", "train_acc", "test_acc"} <= names
    assert fig.layout.yaxis.type == "log"
    raw = render_visualization("training_curves", loader, metrics="loss", log_y=False,
                               smoothing=0.8)
    assert raw.layout.yaxis.type != "log"
    smooth = [t for t in raw.data if t.name == "train_loss"][0]
    metrics = loader.metrics()
    np.testing.assert_allclose(smooth.y, analysis.ema(metrics["train_loss"], 0.8))
    assert len(raw.data) == 4  # two faint raw curves + two smoothed ones


def test_frequency_and_flatness_contents(loader):
    p = loader.config()["p"]
    fig = render_visualization("embedding_frequencies", loader, top_k=3)
    assert len(fig.data[0].x) == p // 2
    assert list(fig.data[0].marker.color).count("#e4572e") == 3
    latest = loader.latest_epoch("flatness")
    hist = render_visualization("flatness_distribution", loader)
    np.testing.assert_allclose(hist.data[0].x, loader.load("flatness", latest)["loss_deltas"])
    spec = render_visualization("singular_value_spectrum", loader, matrices=["W_E"])
    assert len(spec.data) == 1 and spec.data[0].y[0] == pytest.approx(1.0)
    eff = render_visualization("effective_dimensionality", loader, measure="entropy")
    assert len(eff.data) == 3


@pytest.mark.parametrize("name, kwargs, message", [
    ("training_curves", {"metrics": "speed"}, "Use one of: both, loss, accuracy"),
    ("effective_dimensionality", {"measure": "rank"}, "Use one of: participation_ratio"),
    ("singular_value_spectrum", {"matrices": "W_x"}, "some of: W_E, W_in, W_out"),
    ("embedding_frequencies", {"key": "W_x"}, "No embedding 'W_x'"),
])
def test_bad_options_name_the_fix(loader, name, kwargs, message):
    with pytest.raises(vizwidget.VizWidgetError, match=message):
        render_visualization(name, loader, **kwargs)
