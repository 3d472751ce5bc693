"""Edge cases where a research figure would mislead: each checked against a reference value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import vizwidget
from vizwidget import analysis as A
from vizwidget.errors import (
    ArtifactError,
    InconsistentSnapshotsError,
    NonFiniteDataError,
    RendererError,
)
from vizwidget.registry import render_visualization

PCA_FIGURES = ["parameter_trajectory_2d", "parameter_trajectory_3d", "parameter_trajectory_pc3",
               "explained_variance"]


def _fn(name: str):
    return vizwidget.get_visualization(name).fn


def _all_text(fig: go.Figure) -> str:
    layout = fig.layout
    parts = [str(layout.title.text), *(str(a.text) for a in layout.annotations)]
    parts += [str(ax.title.text) for ax in (layout.xaxis, layout.yaxis, layout.scene.xaxis,
                                            layout.scene.yaxis, layout.scene.zaxis)]
    return " | ".join(parts)


def _write_run(root: Path, snapshots: dict[int, dict[str, np.ndarray]]) -> Path:
    art = root / "artifacts" / "parameters"
    art.mkdir(parents=True)
    for epoch, arrays in snapshots.items():
        np.savez(art / f"epoch_{epoch}.npz", **arrays)
    return root


# --- identical snapshots: no fake percentages -----------------------------------------------------

def test_identical_snapshots_have_exactly_zero_variance():
    row = np.array([0.1, 0.7, -3.3, 1e-3, 12.9])
    X = np.tile(row, (3, 1))
    assert np.any(X - X.mean(axis=0) != 0)  # plain centring leaves rounding noise here
    res = A.pca(X, n_components=3)
    np.testing.assert_array_equal(res.explained_variance_ratio, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(res.projections, np.zeros((3, 3)))
    np.testing.assert_array_equal(res.mean, row)
    assert A.no_movement(X) and A.no_movement(X[:2])


def test_is_still_is_no_movements_rule_and_refuses_nan():
    from vizwidget.errors import UsageError

    X = np.array([[1e6, 0.0], [1e6, 1e-6]])
    D = X - X.mean(axis=0)
    spread = float(np.sum(D ** 2)) / len(X)
    assert A.is_still(spread, 1e6) == A.no_movement(X) is True
    moving = np.array([[1.0, 0.0], [1.0, 1e-6]])  # the same spread at scale 1
    assert A.is_still(spread, 1.0) == A.no_movement(moving) is False
    with pytest.raises(UsageError, match="needs numbers.*\n.*finite"):
        A.is_still(float("nan"), 1.0)


def test_no_movement_is_relative_to_the_data_scale():
    # rows (1e6, 0) and (1e6, d): total variance = 2 * (d/2)**2 / 2 = d**2 / 4,
    # threshold (1e-12 * 1e6)**2 = 1e-12  ->  still for d = 1e-6, moving for d = 4e-6
    assert A.no_movement(np.array([[1e6, 0.0], [1e6, 1e-6]]))
    assert not A.no_movement(np.array([[1e6, 0.0], [1e6, 4e-6]]))
    assert not A.no_movement(np.array([[1.0, 0.0], [1.0, 4e-6]]))  # same step, smaller scale
    assert A.no_movement(np.zeros((4, 3)))


_ZERO_AXES = {"parameter_trajectory_2d": [(0, "xy")], "parameter_trajectory_3d": [(0, "xyz")],
              "parameter_trajectory_pc3": [(0, "y")], "explained_variance": [(0, "y"), (1, "y")]}


@pytest.mark.parametrize("n_snapshots", [2, 5])
@pytest.mark.parametrize("name", PCA_FIGURES)
def test_frozen_group_says_no_movement(name, n_snapshots):
    rng = np.random.default_rng(0)
    frozen = rng.normal(size=(6, 4)) * 0.1
    snaps = [{"frozen": frozen.copy(), "moving": rng.normal(size=5)} for _ in range(n_snapshots)]
    epochs = list(range(0, 100 * n_snapshots, 100))
    fig = _fn(name)(snaps, epochs, current_epoch=epochs[-1], group="frozen")
    text = _all_text(fig)
    assert "no movement: all checkpoints identical" in text
    assert "%" not in text
    for trace, axes in _ZERO_AXES[name]:  # every point (and bar) sits at exactly zero
        for axis in axes:
            np.testing.assert_array_equal(np.asarray(getattr(fig.data[trace], axis)), 0.0)
    moving = _fn(name)(snaps, epochs, group="moving")
    assert "no movement" not in _all_text(moving)


def test_moving_trajectory_reports_variance_over_checkpoints():
    X = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
    snaps = [{"w": x} for x in X]
    fig = _fn("parameter_trajectory_2d")(snaps, [0, 1, 2, 3])
    # centred columns have variances 2.25 and 0.25 -> 90% and 10%
    assert fig.layout.xaxis.title.text == "PC1 (90.0% of variance over checkpoints)"
    assert fig.layout.yaxis.title.text == "PC2 (10.0% of variance over checkpoints)"
    scene = _fn("parameter_trajectory_3d")(snaps, [0, 1, 2, 3]).layout
    # short titles in 3-D (long ones run into each other), and the note says what they are
    assert scene.scene.xaxis.title.text == "PC1 (90.0%)"
    assert scene.scene.yaxis.title.text == "PC2 (10.0%)"
    assert any("variance over checkpoints" in a.text for a in scene.annotations)
    ev = _fn("explained_variance")(snaps, [0, 1, 2, 3])
    np.testing.assert_allclose(ev.data[0].y, [0.9, 0.1], atol=1e-13)
    assert ev.layout.yaxis.title.text == "fraction of variance over checkpoints"
    for name in PCA_FIGURES:
        assert "variance over checkpoints" in vizwidget.get_visualization(name).description


# --- shapes must match per array ------------------------------------------------------------------

def test_same_size_reshape_is_rejected_naming_array_shapes_and_epochs():
    snaps = [{"W": np.ones((6, 4)), "b": np.zeros(3)}, {"W": np.ones((4, 6)), "b": np.zeros(3)}]
    with pytest.raises(InconsistentSnapshotsError) as info:
        A.stack_parameters(snaps, epochs=[100, 250])
    msg = str(info.value)
    assert msg.splitlines()[0] == "Array 'W' has shape (6, 4) at epoch 100 but (4, 6) at epoch 250."
    assert len(msg.splitlines()) == 2
    assert isinstance(info.value, ArtifactError) and isinstance(info.value, ValueError)
    with pytest.raises(InconsistentSnapshotsError, match=r"\(6, 4\) at snapshot 0"):
        A.stack_parameters(snaps)
    np.testing.assert_array_equal(A.stack_parameters(snaps, "b"), np.zeros((2, 3)))


def test_reshape_in_a_run_fails_every_trajectory_figure(tmp_path):
    run = _write_run(tmp_path / "run", {0: {"W": np.ones((6, 4))}, 10: {"W": np.ones((6, 4))},
                                        20: {"W": np.ones((4, 6))}})
    for name in [*PCA_FIGURES, "parameter_velocity"]:
        with pytest.raises(InconsistentSnapshotsError) as info:  # a data error, not wrapped
            render_visualization(name, run, epoch=0)
        assert not isinstance(info.value, RendererError)
        assert "Array 'W' has shape (6, 4) at epoch 0 but (4, 6) at epoch 20" in str(info.value)


# --- NaN / Inf name analyzer, array and epoch -----------------------------------------------------

def _nan_run(root: Path) -> Path:
    rng = np.random.default_rng(1)
    snaps = {e: {"W_E": rng.normal(size=(7, 3)), "W_in": rng.normal(size=(3, 4))}
             for e in (0, 100, 200, 300)}
    snaps[100]["W_in"][1, 2] = np.nan
    snaps[200]["W_E"][0, 0] = np.inf
    snaps[200]["W_E"][1, 0] = -np.inf
    snaps[200]["W_E"][2, 0] = np.nan
    return _write_run(root, snaps)


@pytest.mark.parametrize("name", [*PCA_FIGURES, "parameter_velocity", "effective_dimensionality"])
def test_nan_names_the_bad_epoch_not_the_highlighted_one(tmp_path, name):
    run = _nan_run(tmp_path / "run")
    option = {"matrices": "W_in"} if name == "effective_dimensionality" else {"group": "W_in"}
    with pytest.raises(NonFiniteDataError) as info:  # a data error, not a renderer error
        render_visualization(name, run, epoch=300, **option)
    cause = info.value
    assert isinstance(cause, NonFiniteDataError) and isinstance(cause, ArtifactError)
    assert str(cause).splitlines()[0] == \
        "Analyzer 'parameters', array 'W_in' at epoch 100 holds 1 NaN and 0 Inf of 12 values."
    assert len(str(cause).splitlines()) == 2
    assert "did not converge" not in str(info.value)


def test_inf_in_the_embedding_is_named_not_a_nan_percentage(tmp_path):
    run = _nan_run(tmp_path / "run")
    with pytest.raises(NonFiniteDataError) as info:
        render_visualization("embedding_frequencies", run, epoch=200)
    assert str(info.value).splitlines()[0] == \
        "Analyzer 'parameters', array 'W_E' at epoch 200 holds 1 NaN and 2 Inf of 21 values."
    fig = render_visualization("embedding_frequencies", run, epoch=300)
    assert "nan" not in _all_text(fig).lower()


def test_nan_in_flatness_deltas_is_named():
    snaps = [{"loss_deltas": np.array([0.1, 0.2])}, {"loss_deltas": np.array([0.1, np.nan])}]
    with pytest.raises(NonFiniteDataError, match="'flatness', array 'loss_deltas' at epoch 50 "
                                                 "holds 1 NaN and 0 Inf of 2 values"):
        _fn("flatness")(snaps, [0, 50])


def test_velocity_of_a_non_finite_row_raises():
    snaps = [{"w": np.array([1.0, 2.0])}, {"w": np.array([1.0, np.inf])}]
    with pytest.raises(NonFiniteDataError, match="'w' at epoch 7 holds 0 NaN and 1 Inf"):
        _fn("parameter_velocity")(snaps, [3, 7])


# --- velocity: zero speed and a single checkpoint -------------------------------------------------

def _velocity_snaps() -> tuple[list[dict], list[int]]:
    # the hand example of test_analysis: speeds 0.05, 0, 0.01, 0.02
    X = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 4.0], [3.0, 9.0], [9.0, 17.0]])
    return [{"w": x} for x in X], [0, 100, 200, 700, 1200]


def test_zero_speed_is_drawn_at_the_log_axis_floor():
    snaps, epochs = _velocity_snaps()
    fig = _fn("parameter_velocity")(snaps, epochs, current_epoch=200)
    assert fig.layout.yaxis.type == "log"  # the line has a gap where the speed is 0
    np.testing.assert_allclose(fig.data[0].y, [0.05, np.nan, 0.01, 0.02], atol=1e-15)
    zero = [t for t in fig.data if t.name == "0 (no change)"]
    assert len(zero) == 1
    assert list(zero[0].x) == [200] and zero[0].y[0] == pytest.approx(0.001)  # 0.01 / 10
    assert "0 (no change)" in zero[0].hovertemplate
    assert list(zero[0].customdata) == [100]  # the interval 100 -> 200
    star = fig.data[-1]
    assert star.text == ("epoch 200",) and star.y[0] == pytest.approx(0.001)
    assert any("speed 0 (no change)" in a.text for a in fig.layout.annotations)
    linear = _fn("parameter_velocity")(snaps, epochs, log_y=False)
    assert linear.layout.yaxis.type == "linear" and len(linear.data) == 1
    np.testing.assert_allclose(linear.data[0].y, [0.05, 0.0, 0.01, 0.02], atol=1e-15)


def test_all_zero_speed_is_linear_and_says_no_movement():
    snaps = [{"w": np.array([0.3, 0.1])} for _ in range(3)]
    fig = _fn("parameter_velocity")(snaps, [0, 5, 10])
    assert fig.layout.yaxis.type == "linear"
    np.testing.assert_array_equal(fig.data[0].y, [0.0, 0.0])
    assert "no movement: all checkpoints identical" in _all_text(fig)


def test_one_checkpoint_says_two_are_needed():
    fig = _fn("parameter_velocity")([{"w": np.ones(3)}], [40], current_epoch=40)
    assert len(fig.data) == 0
    assert "needs at least two checkpoints (found 1)" in _all_text(fig)


def test_velocity_labels_say_end_of_interval_and_chord():
    snaps, epochs = _velocity_snaps()
    fig = _fn("parameter_velocity")(snaps, epochs)
    assert fig.layout.xaxis.title.text == "epoch (end of interval)"
    assert "chord" in fig.data[0].hovertemplate
    assert list(fig.data[0].customdata) == [0, 100, 200, 700]  # interval starts in the hover
    assert "chord" in vizwidget.get_visualization("parameter_velocity").description.lower()


# --- integer arrays are not parameters ------------------------------------------------------------

def test_integer_arrays_are_left_out_and_named():
    snaps = [{"W": np.full((2, 2), float(i)), "step": np.array([10 * i]),
              "mask": np.array([True, False])} for i in range(3)]
    assert A.parameter_keys(snaps[0]) == ["W"]
    assert A.non_floating_arrays(snaps[0]) == ["mask", "step"]
    np.testing.assert_array_equal(A.stack_parameters(snaps), [[0.0] * 4, [1.0] * 4, [2.0] * 4])
    with pytest.raises(ValueError, match="'step' holds int64, not floating point"):
        A.parameter_keys(snaps[0], "step")
    for name in [*PCA_FIGURES, "parameter_velocity"]:
        fig = _fn(name)(snaps, [0, 1, 2])
        assert "left out (not floating point): mask, step" in _all_text(fig)
        assert "left out" not in _all_text(_fn(name)(snaps, [0, 1, 2], group="W"))


def test_flatness_perturbs_floating_arrays_only():
    w = np.array([1.0, -2.0, 0.5, 3.0])
    seen = []

    def loss(P):
        seen.append((P["step"].dtype, int(P["step"][0])))
        return float(np.sum(P["w"] ** 2))

    deltas = A.perturbation_loss_deltas(loss, {"w": w, "step": np.array([7])}, scale=0.1,
                                        n_samples=3, seed=5)
    assert set(seen) == {(np.dtype(np.int64), 7)}
    # reference: the same generator, noise N(0, (0.1 * rms(w))²) on w only
    rng = np.random.default_rng(5)
    sigma = 0.1 * np.sqrt(np.mean(w**2))
    ref = [np.sum((w + sigma * rng.standard_normal(4)) ** 2) - np.sum(w**2) for _ in range(3)]
    np.testing.assert_allclose(deltas, ref, rtol=1e-13)

    w32 = w.astype(np.float32)
    kept = []
    A.perturbation_loss_deltas(lambda P: kept.append(P["w"]) or 0.0, {"w": w32}, 0.1, 1, seed=5)
    rng = np.random.default_rng(5)
    assert kept[1].dtype == np.float32
    np.testing.assert_array_equal(kept[1], (w + sigma * rng.standard_normal(4)).astype(np.float32))


# --- Fourier: the constant term and near-tied key frequencies -------------------------------------

def _embedding(p: int, amplitudes: dict[int, float]) -> np.ndarray:
    x = np.arange(p)
    return np.stack([a * np.cos(2 * np.pi * k * x / p) for k, a in amplitudes.items()], axis=1)


def test_six_near_tied_frequencies_are_all_key():
    p = 31
    amps = {3: 1.0, 5: 0.99, 8: 0.98, 11: 0.97, 13: 0.96, 14: 0.95, 2: 0.1}
    freqs, norms = A.frequency_norms(_embedding(p, amps))
    # a cos k column of amplitude a has norm a * sqrt(p / 2) along k
    np.testing.assert_allclose(norms[[k - 1 for k in amps]],
                               np.sqrt(p / 2) * np.array(list(amps.values())), atol=1e-12)
    top = A.dominant_frequencies(norms)
    assert list(freqs[top]) == [3, 5, 8, 11, 13, 14]
    assert list(freqs[A.dominant_frequencies(norms, top_k=5)]) == [3, 5, 8, 11, 13]
    fig = _fn("embedding_frequencies")({"W_E": _embedding(p, amps)}, 9)
    assert list(fig.data[0].marker.color).count("#e4572e") == 6
    share = sum(a**2 for k, a in amps.items() if k != 2) / sum(a**2 for a in amps.values())
    assert fig.layout.annotations[0].text == \
        f"key k: 3, 5, 8, 11, 13, 14 (largest gap); {100 * share:.0f}% of non-constant norm²"
    assert "k ≥ 1" in fig.layout.title.text
    assert "constant term" in fig.layout.xaxis.title.text


def test_key_frequencies_follow_the_largest_ratio_gap():
    # one frequency twice as strong as four others, above a floor of ten at 0.1
    norms = np.array([0.1] * 3 + [0.6] + [0.1] * 4 + [1.0, 0.5, 0.55] + [0.1] * 3 + [0.5])
    # sorted ratios 1.67, 1.09, 1.1, 1.0, 5.0, 1, ... -> the cut after five
    assert list(A.dominant_frequencies(norms)) == [8, 3, 10, 9, 14]  # ties: lower index
    assert A.dominant_frequencies(norms, min_gap=6.0).size == 0


def test_flat_spectrum_has_no_key_frequency():
    p = 11
    norms = np.full(5, 2.0)
    assert A.dominant_frequencies(norms).size == 0
    assert list(A.dominant_frequencies(np.array([0.0, 4.0, 0.0, 0.0, 0.0]))) == [1]
    assert A.dominant_frequencies(np.zeros(5)).size == 0
    flat = _embedding(p, {k: 1.0 for k in range(1, 6)})
    fig = _fn("embedding_frequencies")({"W_E": flat}, 0)
    assert "no key frequency" in _all_text(fig) and "%" not in _all_text(fig)


def test_constant_offset_does_not_change_the_spectrum():
    p = 13
    W = _embedding(p, {4: 2.0})
    _, base = A.frequency_norms(W)
    _, shifted = A.frequency_norms(W + 100.0)  # a DC offset only
    np.testing.assert_allclose(shifted, base, atol=1e-10)


# --- flatness naming, EMA, training-curve panels --------------------------------------------------

def test_flatness_is_named_flatness_everywhere():
    snaps = [{"loss_deltas": np.array([0.1, 0.3])}, {"loss_deltas": np.array([0.2, 0.2])}]
    over = _fn("flatness")(snaps, [0, 10])
    one = _fn("flatness_distribution")(snaps[0], 0)
    for fig in (over, one):
        assert "flatness" in fig.layout.title.text.lower()
        assert "sharp" not in fig.layout.title.text.lower()
    np.testing.assert_allclose(over.data[1].y, [0.2, 0.2], atol=1e-15)
    for name in ("flatness", "flatness_distribution"):
        assert "lower = flatter" in vizwidget.get_visualization(name).description


def test_ema_is_debiased_from_zero_by_hand():
    out = A.ema([2.0, np.nan, 4.0, None, 1.0], smoothing=0.6)
    # s = 0.8, 2.08, 1.648 over 1 - 0.6**n = 0.4, 0.64, 0.784
    np.testing.assert_allclose(out[[0, 2, 4]], [2.0, 3.25, 103 / 49], rtol=1e-14)
    assert np.isnan(out[1]) and np.isnan(out[3])
    np.testing.assert_allclose(A.ema([5.0] * 6, 0.9), 5.0, rtol=1e-14)  # no pull towards 0


def _curves(rows: list[dict], **kw) -> go.Figure:
    return go.Figure(_fn("training_curves")(rows, [r["epoch"] for r in rows], **kw))


def test_accuracy_in_percent_is_not_cut_off():
    rows = [{"epoch": e, "train_loss": 1.0 / (e + 1), "test_acc": a}
            for e, a in [(0, 2.0), (10, 55.0), (20, 99.5)]]
    assert list(_curves(rows).layout.yaxis2.range) == [-2.0, 102.0]
    fractions = [dict(r, test_acc=r["test_acc"] / 100) for r in rows]
    assert list(_curves(fractions).layout.yaxis2.range) == [-0.02, 1.02]
    odd = [dict(r, test_acc=r["test_acc"] * 3) for r in rows]  # not an accuracy scale
    assert _curves(odd).layout.yaxis2.range is None


def test_panels_are_chosen_by_whole_words():
    rows = [{"epoch": e, "accumulated_loss": 1.0 + e, "train_acc": 0.5, "valAccuracy": 0.4,
             "lossless_ratio": 3.0} for e in (0, 1)]
    fig = _curves(rows)
    panel = {t.name: t.xaxis for t in fig.data}
    assert panel == {"accumulated_loss": "x", "train_acc": "x2", "valAccuracy": "x2"}
