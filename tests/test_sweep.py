"""Sweep views over run folders: a metric against hyperparameters, parallel axes, a grid."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import vizwidget as vz
from vizwidget.batch import export_batch
from vizwidget.compare import SWEEP_VIEWS, Variants, metric_value
from vizwidget.compare._sweep import t_quantile
from vizwidget.errors import ComparisonError, NotApplicableError, is_not_applicable
from vizwidget.registry import render_visualization
from vizwidget.runs import ArtifactLoader

LRS = (0.1, 0.01, 0.001)
SEEDS = (0, 1, 2)
OPTIMIZERS = ("adam", "sgd")


def _loss(lr: float, seed: int, opt: str, epoch: int) -> float:
    return (1 + abs(math.log10(lr) + 2)) / (1 + epoch) + 0.01 * seed + (0.05 if opt == "sgd"
                                                                          else 0)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """3 lr x 3 seeds x 2 optimizers run folders; test_loss logged every 10 epochs to 50."""
    root = tmp_path_factory.mktemp("sweep")
    for lr in LRS:
        for seed in SEEDS:
            for opt in OPTIMIZERS:
                run = root / f"{opt}_lr{lr}_s{seed}"
                run.mkdir()
                (run / "config.json").write_text(json.dumps(
                    {"lr": lr, "seed": seed, "optimizer": opt, "width": 64}))
                epochs = list(range(0, 51, 10))
                (run / "metrics.json").write_text(json.dumps({
                    "epoch": epochs,
                    "test_loss": [_loss(lr, seed, opt, e) for e in epochs],
                    "test_acc": [0.5 + e / 200 - seed / 100 for e in epochs]}))
    return root


@pytest.fixture(scope="module")
def sweep(runs) -> Variants:
    return Variants(str(runs / "*"), labels="{optimizer} lr={lr} s{seed}")


def test_t_quantile_matches_scipy_and_the_normal_limit():
    from scipy import stats

    for df in (1, 2, 5, 29, 40):
        assert t_quantile(df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-10)
    assert t_quantile(10_000) == pytest.approx(1.960, abs=1e-3)


def test_hparam_scatter_points_means_and_t_intervals(sweep):
    fig = vz.comparison_figure(sweep, "hparam_scatter", metric="test_loss", hparam="lr")
    points, means = fig.data
    assert points.meta["role"] == "runs" and len(points.x) == len(sweep) == 18
    true_x = [sweep[label].config["lr"] for label in points.text]
    assert list(points.customdata) == true_x  # hover shows the value; seeds drawn apart
    assert len(set(points.x)) == 18
    np.testing.assert_allclose(np.log10(points.x), np.log10(true_x), atol=0.13)
    assert means.name == "mean ± 95 % t-CI, N=6 per value"
    assert fig.layout.xaxis.type == "log"  # a rate
    assert list(means.x) == sorted(LRS)
    for x, mean, err in zip(means.x, means.y, means.error_y.array, strict=True):
        ys = np.array([_loss(x, s, o, 50) for s in SEEDS for o in OPTIMIZERS])
        assert mean == pytest.approx(ys.mean())
        assert err == pytest.approx(t_quantile(5) * ys.std(ddof=1) / math.sqrt(6))
    std = vz.comparison_figure(sweep, "hparam_scatter", metric="test_loss", hparam="lr",
                               interval="std", log_x=False)
    assert std.data[1].name.startswith("mean ± 1 std") and std.layout.xaxis.type == "linear"


def test_final_best_and_at_an_epoch(sweep):
    m = sweep["sgd lr=0.01 s1"]
    assert metric_value(sweep, m, "test_loss") == (pytest.approx(_loss(0.01, 1, "sgd", 50)), 50)
    assert metric_value(sweep, m, "test_loss", "best")[1] == 50  # a loss: lowest is best
    assert metric_value(sweep, m, "test_acc", "best")[1] == 50  # an accuracy: highest
    assert metric_value(sweep, m, "test_loss", "max")[1] == 0
    assert metric_value(sweep, m, "test_loss", epoch=14)[1] == 10  # nearest logged epoch
    assert metric_value(sweep, m, "test_loss", epoch=15)[1] == 10  # ties: the earlier
    fig = vz.comparison_figure(sweep, "hparam_scatter", epoch=20, metric="test_loss",
                               hparam="lr")
    assert fig.layout.yaxis.title.text == "test_loss at epoch ≈ 20"
    assert max(fig.data[0].y) == pytest.approx(_loss(0.001, 2, "sgd", 20))


def test_parallel_coordinates_encodes_categories_with_ticks(sweep):
    fig = vz.comparison_figure(sweep, "parallel_coordinates", metric="test_loss")
    (par,) = fig.data
    dims = {d.label: d for d in par.dimensions}
    assert list(dims) == ["log10(lr)", "optimizer", "test_loss (final)"]  # width never varies
    opt = dims["optimizer"]
    assert list(opt.ticktext) == ["adam", "sgd"] and list(opt.tickvals) == [0, 1]
    labels = sweep.labels
    assert [opt.ticktext[v] for v in opt["values"]] == [sweep[x].config["optimizer"]
                                                        for x in labels]
    np.testing.assert_allclose(dims["log10(lr)"]["values"],
                               [math.log10(sweep[x].config["lr"]) for x in labels])
    assert list(par.line.color) == list(dims["test_loss (final)"]["values"])
    chosen = vz.comparison_figure(sweep, "parallel_coordinates", metric="test_acc",
                                  hparams=["seed", "width"])
    assert [d.label for d in chosen.data[0].dimensions][:2] == ["seed", "width"]


def test_hparam_heatmap_means_with_n_per_cell(sweep):
    fig = vz.comparison_figure(sweep, "hparam_heatmap", metric="test_loss", x="lr",
                               y="optimizer")
    (hm,) = fig.data
    assert list(hm.x) == ["0.001", "0.01", "0.1"] and list(hm.y) == ["adam", "sgd"]
    for r, opt in enumerate(hm.y):
        for c, lr in enumerate(hm.x):
            mean = np.mean([_loss(float(lr), s, opt, 50) for s in SEEDS])
            assert hm.z[r][c] == pytest.approx(mean)
            assert hm.text[r][c] == f"{mean:.4g}<br>N=3"


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_sweep_views_export_in_still_formats(sweep, tmp_path, fmt):
    magic = {"png": b"\x89PNG", "svg": b"<svg", "pdf": b"%PDF"}[fmt]
    options = {"hparam_scatter": {"metric": "test_loss", "hparam": "lr"},
               "parallel_coordinates": {"metric": "test_loss"},
               "hparam_heatmap": {"metric": "test_acc", "x": "lr", "y": "seed"}}
    for name in SWEEP_VIEWS:
        path = vz.export_comparison(sweep, name, tmp_path / f"{name}.{fmt}", width=500,
                                    height=350, scale=1, **options[name])
        head = path.read_bytes()[:200]
        assert magic in head, (name, head[:40])
        if fmt == "png":
            assert Image.open(path).size == (500, 350)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.{fmt}" for n in SWEEP_VIEWS)


def test_bad_sweep_requests_are_errors_naming_the_fix(sweep, runs, tmp_path):
    cases = [
        ({"metric": "test_loss", "hparam": "optimizer"}, "is 'adam', not a number"),
        ({"metric": "test_loss", "hparam": "depth"}, "has no hyperparameter 'depth'"),
        ({"metric": "val_loss", "hparam": "lr"}, "has no metric 'val_loss'"),
        ({"hparam": "lr"}, "hparam_scatter needs metric"),
        ({"metric": "test_loss", "hparam": "lr", "summary": "median"}, "Unknown summary"),
        ({"metric": "test_loss", "hparam": "seed", "log_x": True}, "log axis cannot show"),
    ]
    for kw, message in cases:
        with pytest.raises(ComparisonError, match=message) as info:
            vz.comparison_figure(sweep, "hparam_scatter", **kw)
        assert len(str(info.value).splitlines()) == 2, str(info.value)
    seeds = Variants(str(runs / "adam_lr0.1_s*"))  # only the seed differs
    with pytest.raises(ComparisonError, match="nothing to spread"):
        vz.comparison_figure(seeds, "parallel_coordinates", metric="test_loss")
    with pytest.raises(ComparisonError, match="needs y"):
        vz.export_comparison(sweep, "hparam_heatmap", tmp_path / "grid.png",
                             metric="test_loss", x="lr")
    assert not list(tmp_path.iterdir())  # no partial file


def test_one_run_alone_is_not_applicable_and_batch_leaves_sweeps_out(runs, tmp_path):
    loader = ArtifactLoader(runs / "adam_lr0.1_s0")
    with pytest.raises(NotApplicableError, match="compares runs") as info:
        render_visualization("hparam_scatter", loader, metric="test_loss", hparam="lr")
    assert is_not_applicable(info.value) and len(str(info.value).splitlines()) == 2
    result = export_batch([runs / "adam_lr0.1_s0"], None, "json", tmp_path / "out",
                          compare=False)
    done = {r.visualization for r in result.results}
    assert done == {"training_curves"} and result.ok


# -- TensorBoard hparams as config ----------------------------------------------------------
def _add_hparams(logdir: Path, hparams: dict, metrics: dict[str, list[tuple[int, float]]],
                 torch_style: bool) -> None:
    """What ``SummaryWriter.add_hparams`` writes (session start record without a tensor, in a
    sub-folder), or the hparams plugin's own ``hparams_pb`` summary; then scalars."""
    from google.protobuf import struct_pb2
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.plugins.hparams import plugin_data_pb2, summary_v2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(logdir / "1700000000.0" if torch_style else logdir))
    if torch_style:
        values = {k: struct_pb2.Value(string_value=v) if isinstance(v, str)
                  else struct_pb2.Value(number_value=float(v)) for k, v in hparams.items()}
        content = plugin_data_pb2.HParamsPluginData(
            version=0, session_start_info=plugin_data_pb2.SessionStartInfo(hparams=values))
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="hparams", content=content.SerializeToString()))
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(
            tag="_hparams_/session_start_info", metadata=meta)])
    else:
        summary = summary_v2.hparams_pb(hparams)
    writer.add_event(event_pb2.Event(wall_time=1.7e9, summary=summary))
    for tag, points in metrics.items():
        for step, value in points:
            value_proto = summary_pb2.Summary.Value(tag=tag, simple_value=value)
            writer.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step,
                                             summary=summary_pb2.Summary(value=[value_proto])))
    writer.close()


def test_tensorboard_hparams_become_the_config(tmp_path):
    for i, (lr, opt) in enumerate([(0.1, "adam"), (0.01, "adam"), (0.1, "sgd"), (0.01, "sgd")]):
        _add_hparams(tmp_path / f"run{i}", {"lr": lr, "optimizer": opt, "layers": 3},
                     {"val_loss": [(s, lr * 10 / (1 + s) + i * 0.01) for s in range(5)]},
                     torch_style=i % 2 == 0)
    vs = Variants(str(tmp_path / "run*"), labels="{optimizer} lr={lr}", group_by="optimizer")
    assert vs.labels == ["adam lr=0.1", "adam lr=0.01", "sgd lr=0.1", "sgd lr=0.01"]
    assert vs[0].config == {"lr": 0.1, "optimizer": "adam", "layers": 3}
    assert isinstance(vs[0].config["layers"], int) and list(vs.groups) == [
        "optimizer=adam", "optimizer=sgd"]
    fig = vz.comparison_figure(vs, "hparam_scatter", metric="val_loss", hparam="lr")
    assert list(fig.data[1].meta["counts"]) == [2, 2]
    (tmp_path / "run0" / "config.json").write_text('{"lr": 5}')  # config.json still wins
    assert ArtifactLoader(tmp_path / "run0").config() == {"lr": 5}
