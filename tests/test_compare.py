"""Comparing variants: sets, alignment, overlays, joint PCA, small multiples, exports, CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import vizwidget as vz
from vizwidget.analysis import stack_parameters
from vizwidget.cli import main
from vizwidget.compare import Variants, register_comparison
from vizwidget.errors import (
    AnalyzerNotFoundError,
    ComparisonError,
    FormatError,
    NonFiniteDataError,
    RendererError,
    ShapeMismatchError,
    VariantNotFoundError,
)
from vizwidget.registry import register_renderer, render_visualization
from vizwidget.runs import ArtifactLoader


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> Path:
    """Two seeds of p=23 (300 epochs) and one p=29 run on another schedule (360 epochs)."""
    from vizwidget.demo import make_variant

    root = tmp_path_factory.mktemp("runs")
    make_variant(root / "p23_seed0", p=23, seed=0, epochs=300)
    make_variant(root / "p23_seed1", p=23, seed=1, epochs=300)
    make_variant(root / "p29_seed0", p=29, seed=0, epochs=360)
    return root


@pytest.fixture(scope="session")
def seeds(runs) -> list[Path]:
    return [runs / "p23_seed0", runs / "p23_seed1"]


def _two_lines(err: BaseException) -> list[str]:
    lines = str(err).splitlines()
    assert len(lines) == 2, str(err)
    return lines


# -- the set of variants ----------------------------------------------------------------------
def test_glob_labels_from_config_and_groups(runs):
    vs = Variants(str(runs / "p*_seed*"), labels="p{p}-s{seed}", group_by="p")
    assert vs.labels == ["p23-s0", "p23-s1", "p29-s0"]
    assert {g: [m.label for m in ms] for g, ms in vs.groups.items()} == {
        "p=23": ["p23-s0", "p23-s1"], "p=29": ["p29-s0"]}
    assert vs["p29-s0"].path == (runs / "p29_seed0").resolve()
    assert Variants([runs / "p23_seed0", runs / "p29_seed0"]).labels == ["p23_seed0",
                                                                          "p29_seed0"]
    by_len = Variants(str(runs / "p*"), group_by=lambda label, config: config["epochs"])
    assert list(by_len.groups) == ["300", "360"]


def test_bad_sets_are_errors_naming_the_variant(runs):
    with pytest.raises(VariantNotFoundError, match="No variant directory matches"):
        Variants(str(runs / "q*"))
    with pytest.raises(ComparisonError, match="both get the label 'p23'") as info:
        Variants(str(runs / "p23_*"), labels="p{p}")
    _two_lines(info.value)
    with pytest.raises(ComparisonError, match="Variant 'p23_seed0' has no config key 'lr_x'"):
        Variants(str(runs / "p*"), group_by="lr_x")
    with pytest.raises(ComparisonError, match="does not fit variant 'p23_seed0'"):
        Variants(str(runs / "p*"), labels="{width}")


def test_alignment_takes_the_nearest_checkpoint_and_says_so(runs):
    vs = Variants(str(runs / "p*"), labels="p{p}-s{seed}")
    vis = vz.get_visualization("singular_value_spectrum")
    e23 = ArtifactLoader(runs / "p23_seed0").epochs("parameters")
    e29 = ArtifactLoader(runs / "p29_seed0").epochs("parameters")
    assert e23 != e29  # different schedules
    target = 250
    shown = vs.align(vis, target)
    assert shown["p23-s0"] == min(e23, key=lambda e: (abs(e - target), e))
    assert shown["p29-s0"] == min(e29, key=lambda e: (abs(e - target), e))
    assert vs.align(vis, None)["p23-s0"] == max(set(e23) & set(e29))
    fig = vz.comparison_figure(vs, vis.name, epoch=target)
    named = {a.name: a.text for a in fig.layout.annotations if a.name}
    assert f"epoch {target}" in fig.layout.title.text  # the epoch asked for, once
    for column, (label, epoch) in enumerate(shown.items()):  # a run per column
        assert named[f"vizwidget-column-{column}"].endswith(f" {label}")
        note = named.get(f"vizwidget-panel-{column}")  # only where the panel differs
        assert note == (None if epoch == target else f"epoch {epoch} (nearest)")


def test_top_level_names_load_lazily_without_plotly():
    code = ("import sys, vizwidget as vz; vz.Variants, vz.export_comparison; "
            "print('plotly' in sys.modules, vz.Variants.__module__)")
    env = {**os.environ, "PYTHONPATH": str(Path(vz.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    assert out == ["False", "vizwidget.compare._variants"]


# -- overlays ---------------------------------------------------------------------------------
def test_overlay_one_line_per_variant_with_the_highlight_on_each(runs):
    vs = Variants(str(runs / "p*"), labels="p{p}-s{seed}")
    fig = vz.comparison_figure(vs, "parameter_velocity", epoch=120)
    lines = [t for t in fig.data if t.meta and not t.meta.get("highlight")]
    stars = [t for t in fig.data if t.meta and t.meta.get("highlight")]
    assert [t.meta["variant"] for t in lines] == vs.labels
    assert len({t.line.color for t in lines}) == 3
    assert [t.meta["variant"] for t in stars] == vs.labels
    assert fig.layout.yaxis.type == "log"  # the renderer's layout is kept
    assert [s.x0 for s in fig.layout.shapes] == [120]
    # each line is that variant's own curve, rendered by the registry
    for m, line in zip(vs, lines, strict=True):
        own = render_visualization("parameter_velocity", m.loader).data[0]
        np.testing.assert_allclose(line.y, own.y)
        i = int(np.argmin(np.abs(np.asarray(own.x) - 120)))
        assert stars[vs.labels.index(m.label)].x[0] == own.x[i]


def test_overlay_groups_draw_mean_and_std_band_on_common_epochs(runs):
    vs = Variants(str(runs / "p*"), labels="p{p}-s{seed}", group_by="p")
    fig = vz.comparison_figure(vs, "flatness", epoch=60)
    bands = [t for t in fig.data if t.meta and t.meta.get("band")]
    means = [t for t in fig.data if t.meta and "members" in t.meta
             and not t.meta.get("highlight")]
    assert [t.meta["group"] for t in bands] == ["p=23"]  # a one-run group has no band
    assert [(t.meta["group"], t.meta["members"]) for t in means] == [("p=23", 2), ("p=29", 1)]
    assert [t.name for t in means] == ["p=23 (mean of 2 runs, band ±1 SD (sample, n−1))",
                                       "p=29 (1 run, no band)"]
    assert "band ±1 SD (sample, n−1)" in fig.layout.title.text
    seed_curves = [np.asarray(render_visualization("flatness", m.loader).data[1].y)
                   for m in vs.groups["p=23"]]
    np.testing.assert_allclose(means[0].y, np.mean(seed_curves, axis=0))
    std = np.std(seed_curves, axis=0, ddof=1)
    n = len(means[0].x)
    np.testing.assert_allclose(bands[0].y[:n], means[0].y + std)
    np.testing.assert_allclose(bands[0].y[n:], (means[0].y - std)[::-1])
    assert np.max(std) > 0  # the seeds differ, so the band has a width


def test_group_of_runs_on_disjoint_schedules_is_interpolated_onto_the_first(tmp_path):
    for name, epochs, shift in (("a", [0, 10, 20, 30], 0.0), ("b", [5, 15, 25, 35], 1.0)):
        (tmp_path / name).mkdir()
        rows = {"epoch": epochs, "train_loss": [e + shift for e in epochs]}
        (tmp_path / name / "metrics.json").write_text(json.dumps(rows))
        (tmp_path / name / "config.json").write_text(json.dumps({"lr": 0.1}))
    vs = Variants(str(tmp_path / "*"), group_by="lr")
    fig = vz.comparison_figure(vs, "training_curves", metrics="loss", log_y=False)
    mean = next(t for t in fig.data if t.meta and "members" in t.meta)
    # b is interpolated onto a's epochs inside the overlap [5, 30]: b(e) = e + 1
    np.testing.assert_array_equal(mean.x, [10, 20, 30])
    np.testing.assert_allclose(mean.y, [10.5, 20.5, 30.5])


def test_overlay_applies_processing_and_rejects_it_elsewhere(runs, seeds):
    raw = vz.comparison_figure(seeds, "training_curves")
    doubled = vz.comparison_figure(seeds, "training_curves",
                                   processing=lambda x, y: (x[1:], 2 * y[1:]))
    assert len(raw.data) == len(doubled.data) == 8  # 2 variants x 4 metrics
    for a, b in zip(raw.data, doubled.data, strict=True):
        np.testing.assert_allclose(b.y, 2 * np.asarray(a.y)[1:])
        assert a.xaxis == b.xaxis  # loss and accuracy stay in their own panels
    with pytest.raises(ComparisonError, match="processing= applies to overlays"):
        vz.comparison_figure(seeds, "singular_value_spectrum", processing=lambda x, y: (x, y))


# -- joint trajectories -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["parameter_trajectory_2d", "parameter_trajectory_3d",
                                  "parameter_trajectory_pc3"])
def test_joint_basis_is_one_pca_of_all_variants(seeds, name):
    vs = Variants(seeds)
    fig = vz.comparison_figure(vs, name, epoch=100)
    stacks = [stack_parameters([ArtifactLoader(p).load("parameters", e)
                                for e in ArtifactLoader(p).epochs("parameters")])
              for p in seeds]
    X = np.vstack(stacks)
    U, s, _ = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    ref = U[:, :3] * s[:3]
    lines = [t for t in fig.data if not t.meta.get("highlight")]
    assert [t.meta["variant"] for t in lines] == vs.labels
    got = {"parameter_trajectory_2d": lambda t: np.c_[t.x, t.y],
           "parameter_trajectory_3d": lambda t: np.c_[t.x, t.y, t.z],
           "parameter_trajectory_pc3": lambda t: np.c_[t.y]}[name]
    cols = {"parameter_trajectory_2d": [0, 1], "parameter_trajectory_3d": [0, 1, 2],
            "parameter_trajectory_pc3": [2]}[name]
    P = np.vstack([got(t) for t in lines])
    for j, k in enumerate(cols):
        sign = 1.0 if P[:, j] @ ref[:, k] >= 0 else -1.0
        np.testing.assert_allclose(P[:, j], sign * ref[:, k], atol=1e-8)
    share = 100 * s[0] ** 2 / np.sum(s**2)
    assert f"PC1 {share:.1f}%" in fig.layout.title.text
    assert "one basis" in fig.layout.title.text


def test_joint_pca_over_different_shapes_names_the_variant(runs):
    vs = Variants([runs / "p23_seed0", runs / "p29_seed0"], labels="p{p}-s{seed}")
    with pytest.raises(ShapeMismatchError, match="Variant 'p29-s0' has other parameter shapes "
                       r"than 'p23-s0' \(W_E \(29, 32\) vs \(23, 32\)") as info:
        vz.comparison_figure(vs, "parameter_trajectory_2d")
    _two_lines(info.value)


# -- small multiples and A/B ------------------------------------------------------------------
def test_small_multiples_share_axes_and_title_each_panel(runs):
    vs = Variants(str(runs / "p*"), labels="p{p}-s{seed}")
    fig = vz.comparison_figure(vs, "singular_value_spectrum", epoch=200)
    x_axes = sorted(k for k in fig.layout.to_plotly_json() if k.startswith("xaxis"))
    assert len(x_axes) == 3  # one row of three panels, one run per column
    matched = [fig.layout[a].matches for a in x_axes[1:]]
    assert matched == ["x", "x"]
    assert [fig.layout[f"yaxis{i}"].matches for i in (2, 3)] == ["y", "y"]
    assert all(fig.layout[f"yaxis{i}"].type == "log" for i in ("", 2, 3))
    panel_traces = sum(len(render_visualization("singular_value_spectrum", m.loader,
                                                vs.align(vz.get_visualization(
                                                    "singular_value_spectrum"), 200)[m.label]
                                                ).data) for m in vs)
    assert len(fig.data) == panel_traces
    assert sum(bool(t.showlegend is not False) for t in fig.data) == 3  # legend once
    colours = [t.line.color for t in fig.data]  # each matrix keeps its colour in every panel
    assert colours[0:3] == colours[3:6] == colours[6:9] and len(set(colours[:3])) == 3


def test_small_multiples_of_3d_scenes_get_the_union_of_ranges(seeds):
    fig = vz.comparison_figure(seeds, "parameter_trajectory_3d", epoch=100,
                               layout="small_multiples")
    scenes = [fig.layout.scene, fig.layout.scene2]
    assert scenes[0].xaxis.range == scenes[1].xaxis.range
    assert scenes[0].zaxis.range == scenes[1].zaxis.range
    xs = np.concatenate([np.asarray(t.x) for t in fig.data])
    lo, hi = scenes[0].xaxis.range
    assert lo <= xs.min() and xs.max() <= hi


def test_two_epochs_side_by_side(seeds):
    fig = vz.comparison_figure(seeds[0], "flatness_distribution", epoch=[40, 290])
    named = {a.name: a.text for a in fig.layout.annotations if a.name}
    epochs = ArtifactLoader(seeds[0]).epochs("flatness")
    near = min(epochs, key=lambda e: (abs(e - 290), e))
    # the run heads its row, each epoch its column; the panel says which checkpoint it shows
    assert named["vizwidget-row-0"] == "p23_seed0"
    assert [named["vizwidget-column-0"], named["vizwidget-column-1"]] == ["epoch 40", "epoch 290"]
    assert "vizwidget-panel-0" not in named
    assert named["vizwidget-panel-1"] == f"epoch {near} (nearest)"
    assert fig.layout.xaxis2.matches == "x"
    assert "epochs 40 vs 290" in fig.layout.title.text


# -- errors, user renderers, custom comparisons -----------------------------------------------
def test_missing_analyzer_in_one_variant_is_an_error_naming_it(runs, tmp_path):
    lacking = tmp_path / "no_flatness"
    shutil.copytree(runs / "p23_seed1", lacking)
    shutil.rmtree(lacking / "artifacts" / "flatness")
    vs = Variants([runs / "p23_seed0", lacking])
    with pytest.raises(AnalyzerNotFoundError, match="Variant 'no_flatness'") as info:
        vz.comparison_figure(vs, "flatness")
    first, fix = _two_lines(info.value)
    assert "'flatness'" in first and "leave this one out" in fix


def test_user_renderers_fall_back_to_small_multiples_or_their_own_comparison(
        seeds, scratch_registry):
    calls = []

    @register_renderer("norms", analyzer="parameters")
    def norms(data, epoch):
        import plotly.graph_objects as go

        calls.append(epoch)
        return go.Figure(go.Bar(x=sorted(data), y=[float(np.linalg.norm(data[k]))
                                                   for k in sorted(data)]))

    fig = vz.comparison_figure(seeds, "norms", epoch=100)
    assert len(fig.data) == 2 and fig.layout.xaxis2.matches == "x"
    assert calls == [100, 100]  # run by the registry, once per variant

    @register_comparison("norms")
    def norms_together(variants, vis, epoch, **kw):
        figs = [variants.figure(m, vis, variants.align(vis, epoch)[m.label]) for m in variants]
        return figs[0].add_traces([f.data[0] for f in figs[1:]])

    try:
        fig = vz.comparison_figure(seeds, "norms", epoch=100)
        assert len(fig.data) == 2 and "xaxis2" not in fig.layout.to_plotly_json()
    finally:
        from vizwidget.compare import _figure

        _figure._custom.pop("norms")

    @register_renderer("broken", analyzer="parameters")
    def broken(data, epoch):
        raise ValueError("no good")

    with pytest.raises(RendererError, match="Variant 'p23_seed1'.*no good"):
        vz.comparison_figure([seeds[1]], "broken")


# -- files ------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("suffix", ["png", "svg", "html"])
def test_export_comparison_writes_each_still_format(runs, tmp_path, suffix):
    vs = Variants(str(runs / "p*"), labels="p{p}-s{seed}", group_by="p")
    path = vz.export_comparison(vs, "training_curves", str(tmp_path / f"cmp.{suffix}"),
                                epoch=100, width=600, height=400, scale=1)
    data = path.read_bytes()
    if suffix == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert Image.open(path).size == (600, 400)
    elif suffix == "svg":
        assert b"<svg" in data[:400] and b"p=23" in data
    else:
        assert b"<html" in data[:200].lower() and b"p=29" in data


@pytest.mark.browser
def test_export_comparison_animation_sweeps_the_epochs(seeds, tmp_path):
    path = vz.export_comparison_animation(seeds, "parameter_trajectory_2d",
                                          tmp_path / "joint.gif", epochs=[0, 100, 200, 300],
                                          width=400, height=300,
                                          options=vz.AnimationOptions(scale=1))
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 4 and im.size == (400, 300)


@pytest.mark.browser
def test_the_scale_shortcut_of_export_comparison_animation_still_works_and_warns(seeds,
                                                                                 tmp_path):
    common = {"epochs": [0, 100, 200], "width": 400, "height": 300}
    with pytest.warns(DeprecationWarning, match=r"export_comparison_animation\(scale=.*"
                      r"options=AnimationOptions") as caught:
        old = vz.export_comparison_animation(seeds, "training_curves", tmp_path / "old.gif",
                                             scale=1, **common)
    assert [w.filename for w in caught if "scale=" in str(w.message)] == [__file__]
    new = vz.export_comparison_animation(seeds, "training_curves", tmp_path / "new.gif",
                                         options=vz.AnimationOptions(scale=1), **common)
    assert old.read_bytes() == new.read_bytes()
    with Image.open(old) as im:
        assert im.n_frames == 3 and im.size == (400, 300)


@pytest.mark.browser
@pytest.mark.parametrize("count", [1, 2], ids=["one run", "a comparison"])
def test_cli_animates_at_its_scale_without_deprecated_keywords(seeds, tmp_path, count):
    out = tmp_path / "anim.gif"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["animate", *map(str, seeds[:count]), "training_curves",
                     "--epochs", "0,100,200",
                     "--width", "200", "--height", "150", "--scale", "2", "--theme", "dark",
                     "--out", str(out), "-q"]) == 0
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)
                and "vizwidget" in w.filename]
    with Image.open(out) as im:
        assert im.n_frames == 3 and im.size == (400, 300)


def test_export_comparison_refuses_animation_suffixes_before_any_work(runs, tmp_path):
    with pytest.raises(FormatError, match="Use export_comparison_animation"):
        vz.export_comparison(str(runs / "p*"), "flatness", tmp_path / "x.gif")
    assert not list(tmp_path.iterdir())


# -- command line -----------------------------------------------------------------------------
def _cli(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(vz.__file__).parents[1])}
    return subprocess.run([sys.executable, "-m", "vizwidget", "compare", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.mark.browser
def test_cli_compare(runs, tmp_path):
    proc = _cli(str(runs / "p*"), "--vis", "training_curves", "--group-by", "p", "--epoch",
                "100", "--width", "500", "--height", "300", "--scale", "1", "--json",
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["ok"] and result["groups"] == ["p=23", "p=29"]
    written = tmp_path / "comparison_training_curves.png"
    assert [Path(p) for p in result["written"]] == [Path("comparison_training_curves.png")]
    assert Image.open(written).size == (500, 300)

    proc = _cli(runs / "p23_seed0", runs / "p29_seed0", "--vis", "parameter_trajectory_2d",
                cwd=tmp_path)
    assert proc.returncode == 1
    assert "Variant 'p29_seed0' has other parameter shapes" in proc.stderr
    assert "Traceback" not in proc.stderr

    proc = _cli(runs / "p23_seed0", "--vis", "trajectory", cwd=tmp_path)
    assert proc.returncode == 2 and "No visualization named 'trajectory'" in proc.stderr


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_joint_pca_refuses_a_non_finite_checkpoint_naming_run_array_and_epoch(seeds, tmp_path,
                                                                             bad):
    broken = tmp_path / "p23_seed1"
    shutil.copytree(seeds[1], broken)
    epoch = ArtifactLoader(broken).epochs("parameters")[2]
    path = broken / "artifacts" / "parameters" / f"epoch_{epoch}.npz"
    with np.load(path) as z:
        arrays = dict(z)
    arrays["W_in"][1, 2] = bad
    np.savez(path, **arrays)
    vs = Variants([seeds[0], broken], labels=["seed0", "seed1"])
    with pytest.raises(NonFiniteDataError) as info:
        vz.comparison_figure(vs, "parameter_trajectory_2d", epoch=100)
    what, fix = _two_lines(info.value)
    assert "'W_in'" in what and f"epoch {epoch}" in what and "variant 'seed1'" in what
    assert ("1 NaN" if np.isnan(bad) else "1 Inf") in what and "checkpoint" in fix


# -- overlay bands and sparse metrics ---------------------------------------------------------
def _metric_runs(root: Path, runs: dict[str, tuple[list[int], list[float | None]]],
                 lr: float = 0.1) -> None:
    for name, (epochs, values) in runs.items():
        (root / name).mkdir(parents=True)
        rows = {"epoch": epochs, "train_loss": values}
        (root / name / "metrics.json").write_text(json.dumps(rows))
        (root / name / "config.json").write_text(json.dumps({"lr": lr}))


@pytest.mark.parametrize("band", ["sd", "sem", "ci95"])
def test_group_bands_match_numpy_and_scipy_and_say_what_they_are(tmp_path, band):
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(4)
    epochs = list(range(0, 50, 5))
    values = {f"r{i}": rng.uniform(1.0, 3.0, len(epochs)) for i in range(4)}
    _metric_runs(tmp_path, {k: (epochs, v.tolist()) for k, v in values.items()})
    vs = Variants(str(tmp_path / "r*"), group_by="lr")
    fig = vz.comparison_figure(vs, "training_curves", metrics="loss", log_y=False, band=band)
    area = next(t for t in fig.data if t.meta and t.meta.get("band"))
    mean = next(t for t in fig.data if t.meta and "members" in t.meta)
    Y = np.vstack(list(values.values()))
    ref_mean = Y.mean(axis=0)
    if band == "sd":
        half = Y.std(axis=0, ddof=1)
    elif band == "sem":
        half = stats.sem(Y, axis=0)
    else:
        lo, hi = stats.t.interval(0.95, df=3, loc=ref_mean, scale=stats.sem(Y, axis=0))
        half = (hi - lo) / 2
    np.testing.assert_allclose(mean.y, ref_mean, rtol=1e-12)
    n = len(epochs)
    np.testing.assert_allclose(area.y[:n], ref_mean + half, rtol=1e-12)
    np.testing.assert_allclose(area.y[n:], (ref_mean - half)[::-1], rtol=1e-12)
    words = {"sd": "±1 SD (sample, n−1)", "sem": "±1 SEM (SD/√n)",
             "ci95": "95% CI of the mean (Student t, n−1 df)"}[band]
    assert mean.name == f"lr=0.1 (mean of 4 runs, band {words})"
    assert words in fig.layout.title.text and "N=4" in mean.hovertemplate


def test_t_quantile_is_scipys():
    stats = pytest.importorskip("scipy.stats")
    from vizwidget.compare._bands import t_quantile

    for df in (1, 2, 3, 4, 7, 30, 121):
        assert t_quantile(df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-12)


def test_unknown_band_is_an_error_naming_the_choices(tmp_path):
    _metric_runs(tmp_path, {"a": ([0, 1], [1.0, 2.0]), "b": ([0, 1], [1.5, 2.5])})
    vs = Variants(str(tmp_path / "*"), group_by="lr")
    with pytest.raises(ComparisonError) as info:
        vz.comparison_figure(vs, "training_curves", band="iqr")
    what, fix = _two_lines(info.value)
    assert "'iqr'" in what and "'ci95'" in fix


def test_sparse_metrics_are_drawn_and_bands_use_the_epochs_members_share(tmp_path):
    nan = None
    _metric_runs(tmp_path, {
        "a": ([0, 1, 2, 3, 4, 5, 6], [4.0, nan, 3.0, nan, 2.0, nan, 9.0]),
        "b": ([0, 1, 2, 3, 4, 5, 6], [6.0, 5.0, 5.0, nan, 4.0, 1.0, nan]),
    })
    plain = vz.comparison_figure(Variants(str(tmp_path / "*")), "training_curves",
                                 metrics="loss", log_y=False)
    a = next(t for t in plain.data if t.meta and t.meta.get("variant") == "a")
    assert a.connectgaps is True and "markers" in a.mode
    assert list(a.marker.size) == [7, 0, 7, 0, 7, 0, 7]  # every finite point is isolated
    b = next(t for t in plain.data if t.meta and t.meta.get("variant") == "b")
    assert b.connectgaps is True and b.mode == "lines"  # no isolated point: no markers
    grouped = vz.comparison_figure(Variants(str(tmp_path / "*"), group_by="lr"),
                                   "training_curves", metrics="loss", log_y=False)
    mean = next(t for t in grouped.data if t.meta and "members" in t.meta)
    area = next(t for t in grouped.data if t.meta and t.meta.get("band"))
    np.testing.assert_array_equal(mean.x, [0, 2, 4])  # where both runs have a value
    np.testing.assert_allclose(mean.y, [5.0, 4.0, 3.0])
    sd = np.std([[4.0, 3.0, 2.0], [6.0, 5.0, 4.0]], axis=0, ddof=1)
    np.testing.assert_allclose(area.y[:3], mean.y + sd)


def test_a_band_clipped_on_a_log_axis_says_so(tmp_path):
    _metric_runs(tmp_path, {"a": ([0, 1, 2], [1.0, 0.01, 0.5]),
                            "b": ([0, 1, 2], [1.2, 2.0, 0.6])})
    vs = Variants(str(tmp_path / "*"), group_by="lr")
    fig = vz.comparison_figure(vs, "training_curves", metrics="loss", log_y=True)
    assert fig.layout.yaxis.type == "log"
    area = next(t for t in fig.data if t.meta and t.meta.get("band"))
    assert min(area.y) > 0
    notes = [a.text for a in fig.layout.annotations if a.name == "band note"]
    assert notes == ["lr=0.1: band clipped to 1e-3 × mean at 1 epoch(s) where it reaches 0 "
                     "or below (log axis)"]
    linear = vz.comparison_figure(vs, "training_curves", metrics="loss", log_y=False)
    assert not [a for a in linear.layout.annotations if a.name == "band note"]


def test_one_label_rule_for_every_run_set(tmp_path):
    from vizwidget._paths import run_labels
    from vizwidget.batch import _variant_labels
    from vizwidget.widget._panels import _variants

    paths = []
    for parent in ("a", "b"):
        for name in ("seed0", "seed1"):
            run = tmp_path / parent / name
            (run / "artifacts" / "x").mkdir(parents=True)
            (run / "artifacts" / "x" / "epoch_0.json").write_text("{}")
            paths.append(run)
    assert run_labels(paths) == ["a/seed0", "a/seed1", "b/seed0", "b/seed1"]
    assert vz.Variants(paths).labels == run_labels(paths)
    assert _variants(paths)[1] == run_labels(paths)
    assert _variant_labels(paths) == ["a_seed0", "a_seed1", "b_seed0", "b_seed1"]
    same = [tmp_path / "x" / "r", tmp_path / "x" / "r"]
    assert run_labels(same)[1].endswith("#2")
