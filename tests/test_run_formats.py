"""Runs in other people's layouts: safetensors checkpoints, TensorBoard logs, metrics.csv.

Files are written by the real libraries (safetensors, TensorBoard's own summary writer, csv)
and read back through ArtifactLoader, the registry, the export core and the widget.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors import TensorSpec, serialize_file
from safetensors.numpy import save_file
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary import Writer
from tensorboard.summary.writer.event_file_writer import EventFileWriter

import vizwidget as vz
from vizwidget.analysis import parameter_keys
from vizwidget.errors import (
    AnalyzerNotFoundError,
    ArtifactError,
    CorruptArtifactError,
    MissingDependencyError,
    RendererError,
    VizWidgetError,
)
from vizwidget.runs import ArtifactLoader

STEPS = [10, 20, 50, 120]  # a non-uniform Trainer save schedule
PNG = b"\x89PNG\r\n\x1a\n"


def weights(step: int, layers: int = 2) -> dict[str, np.ndarray]:
    """Nested tensor names as a transformer checkpoint has them, drifting with the step."""
    rng = np.random.default_rng(step)
    out = {}
    for i in range(layers):
        out[f"model.layers.{i}.mlp.W_in"] = rng.normal(size=(6, 12)).astype(np.float32)
        out[f"model.layers.{i}.attn.W_Q"] = rng.normal(size=(6, 6)).astype(np.float32)
    out["model.embed.bias"] = np.full(6, step, dtype=np.float32)
    return out


def write_tensorboard(logdir: Path, tags: dict[str, list[tuple[int, float]]]) -> None:
    """Scalars through TensorBoard's framework-free summary writer (v2 scalar tensors)."""
    writer = Writer(str(logdir))
    for tag, points in tags.items():
        for step, value in points:
            writer.add_scalar(tag, value, step=step)
    writer.close()


def write_tensorboard_v1(logdir: Path, tag: str, points: list[tuple[int, float]]) -> None:
    """Scalars as simple values, the encoding PyTorch's SummaryWriter writes."""
    writer = EventFileWriter(str(logdir))
    for step, value in points:
        value_proto = summary_pb2.Summary.Value(tag=tag, simple_value=value)
        writer.add_event(event_pb2.Event(step=step, wall_time=1.0e9 + step,
                                         summary=summary_pb2.Summary(value=[value_proto])))
    writer.close()


@pytest.fixture
def trainer_run(tmp_path: Path) -> Path:
    """A Hugging Face Trainer output folder: checkpoint-{step}/model.safetensors + runs/."""
    run = tmp_path / "trainer_run"
    for step in STEPS:
        folder = run / f"checkpoint-{step}"
        folder.mkdir(parents=True)
        save_file(weights(step), str(folder / "model.safetensors"))
        (folder / "trainer_state.json").write_text("{}")
    write_tensorboard(run / "runs" / "Nov25_host", {
        "train/loss": [(s, 2.0 / (1 + s)) for s in range(0, 121, 10)],
        "eval/accuracy": [(s, min(1.0, s / 100)) for s in range(0, 121, 40)],
    })
    return run


# -- Trainer folders, shards, other checkpoint names -----------------------------------------

def test_trainer_checkpoints_are_the_parameters_analyzer(trainer_run):
    loader = ArtifactLoader(trainer_run)
    assert loader.analyzers() == ["metrics", "parameters"]
    assert loader.epochs("parameters") == STEPS
    assert loader.latest_epoch("parameters") == 120
    data = loader.load("parameters", 50)
    assert sorted(data) == sorted(weights(50))
    np.testing.assert_array_equal(data["model.layers.1.mlp.W_in"],
                                  weights(50)["model.layers.1.mlp.W_in"])
    assert not data["model.embed.bias"].flags.writeable
    data["extra"] = 1  # a caller's own copy ...
    assert "extra" not in loader.load("parameters", 50)  # ... never leaks into the cache


def test_tensors_load_lazily_on_first_access(trainer_run):
    loader = ArtifactLoader(trainer_run)
    data = loader.load("parameters", 20)
    tensors = data.maps[-1]
    assert "0 loaded" in repr(tensors) and len(data) == 5
    first = data["model.layers.0.attn.W_Q"]
    assert "1 loaded" in repr(tensors)
    assert loader.load("parameters", 20)["model.layers.0.attn.W_Q"] is first  # cached
    assert tensors.dtype_shape("model.layers.0.mlp.W_in") == ("F32", [6, 12])
    assert "1 loaded" in repr(tensors)


def test_sharded_checkpoint_with_index(tmp_path):
    run = tmp_path / "sharded"
    for step in (100, 200):
        folder = run / f"checkpoint-{step}"
        folder.mkdir(parents=True)
        w = weights(step)
        names = sorted(w)
        halves = {"model-00001-of-00002.safetensors": names[:2],
                  "model-00002-of-00002.safetensors": names[2:]}
        for shard, keys in halves.items():
            save_file({k: w[k] for k in keys}, str(folder / shard))
        index = {"metadata": {}, "weight_map": {k: s for s, ks in halves.items() for k in ks}}
        (folder / "model.safetensors.index.json").write_text(json.dumps(index))
    loader = ArtifactLoader(run)
    assert loader.epochs("parameters") == [100, 200]
    data = loader.load("parameters", 200)
    assert sorted(data) == sorted(weights(200))
    np.testing.assert_array_equal(data["model.embed.bias"], np.full(6, 200.0))

    (run / "checkpoint-200" / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(CorruptArtifactError, match="missing shard") as info:
        loader.load("parameters", 200)
    assert "model-00002-of-00002.safetensors" in str(info.value)


@pytest.mark.parametrize("layout", ["checkpoints_files", "step_dirs", "epoch_dirs",
                                    "artifacts_dir"])
def test_other_checkpoint_names(tmp_path, layout):
    run = tmp_path / "run"
    for epoch in (3, 7, 12):
        if layout == "checkpoints_files":
            path = run / "checkpoints" / f"epoch_{epoch}.safetensors"
        elif layout == "artifacts_dir":
            path = run / "artifacts" / "parameters" / f"epoch_{epoch:04d}.safetensors"
        else:
            prefix = "step_" if layout == "step_dirs" else "epoch_"
            path = run / f"{prefix}{epoch}" / "adapter_model.safetensors"
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file(weights(epoch), str(path))
    loader = ArtifactLoader(run)
    assert "parameters" in loader.analyzers()
    assert loader.epochs("parameters") == [3, 7, 12]
    assert loader.load("parameters", 7)["model.embed.bias"][0] == 7.0


def test_new_checkpoints_appear_while_training_runs(trainer_run):
    loader = ArtifactLoader(trainer_run)
    assert loader.epochs("parameters") == STEPS
    folder = trainer_run / "checkpoint-500"
    folder.mkdir()
    assert loader.epochs("parameters") == STEPS  # the folder exists, its model not yet
    save_file(weights(500), str(folder / "model.safetensors"))
    assert loader.epochs("parameters") == [*STEPS, 500]


def test_bfloat16_tensors_are_widened_to_float32(tmp_path):
    run = tmp_path / "bf16"
    (run / "checkpoint-1").mkdir(parents=True)
    values = np.array([[1.0, -2.5], [3.140625, 1e-3]], dtype=np.float32)
    bits = (values.view(np.uint32) >> 16).astype("<u2")  # bf16 = the top half of a float32
    fp8 = np.zeros(4, dtype=np.uint8)
    serialize_file({
        "w": TensorSpec(dtype="bfloat16", shape=[2, 2], data_ptr=bits.ctypes.data,
                        data_len=bits.nbytes),
        "q": TensorSpec(dtype="float8_e4m3fn", shape=[4], data_ptr=fp8.ctypes.data,
                        data_len=fp8.nbytes),
    }, str(run / "checkpoint-1" / "model.safetensors"))
    data = ArtifactLoader(run).load("parameters", 1)
    assert data["w"].dtype == np.float32
    expected = (bits.astype(np.uint32) << 16).view(np.float32)
    np.testing.assert_array_equal(data["w"], expected)
    assert data["w"][0, 1] == -2.5
    with pytest.raises(ArtifactError, match="F8_E4M3, which numpy cannot hold") as info:
        data["q"]
    assert len(str(info.value).splitlines()) == 2 and "float32" in str(info.value)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_corrupt_safetensors_names_the_file(trainer_run, damage):
    path = trainer_run / "checkpoint-50" / "model.safetensors"
    raw = path.read_bytes()
    path.write_bytes({"truncated": raw[:-7], "garbage": b"\x10\x00" + b"x" * 40,
                      "empty": b""}[damage])
    loader = ArtifactLoader(trainer_run)
    with pytest.raises(CorruptArtifactError) as info:
        loader.load("parameters", 50)
    lines = str(info.value).splitlines()
    assert len(lines) == 2 and str(path) in lines[0] and "re-save" in lines[1]
    assert loader.load("parameters", 20)  # the other checkpoints still load


def test_missing_safetensors_package_says_how_to_install(trainer_run, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)  # as if it were not installed
    with pytest.raises(MissingDependencyError) as info:
        ArtifactLoader(trainer_run).load("parameters", 10)
    assert "pip install 'vizwidget[safetensors]'" in str(info.value)
    assert isinstance(info.value, VizWidgetError)


def test_missing_tensorboard_package_says_how_to_install(trainer_run, monkeypatch):
    # as if it were not installed: the scalar reader decodes with its protobuf classes
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)
    monkeypatch.setitem(sys.modules, "tensorboard.backend.event_processing", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'vizwidget\[tensorboard\]'"):
        ArtifactLoader(trainer_run).metrics()


# -- parameter groups by glob ----------------------------------------------------------------

def test_parameter_groups_by_name_and_glob(trainer_run):
    data = ArtifactLoader(trainer_run).load("parameters", 120)
    assert parameter_keys(data, "*.mlp.*") == ["model.layers.0.mlp.W_in",
                                               "model.layers.1.mlp.W_in"]
    assert parameter_keys(data, ["model.embed.bias", "model.layers.1.*"]) == [
        "model.embed.bias", "model.layers.1.attn.W_Q", "model.layers.1.mlp.W_in"]
    vz.runs.clear_cache()  # the process-wide cache may hold this checkpoint already
    fresh = ArtifactLoader(trainer_run).load("parameters", 10)
    parameter_keys(fresh, "*.attn.*")
    assert "2 loaded" in repr(fresh.maps[-1])  # only the matched tensors were read
    with pytest.raises(ValueError, match=r"Unknown parameter group \['\*\.mlp2\.\*'\]"):
        parameter_keys(data, "*.mlp2.*")


def test_glob_groups_in_trajectory_velocity_and_dimensionality(trainer_run):
    from vizwidget.registry import render_visualization

    fig = render_visualization("parameter_trajectory_2d", trainer_run, group="*.mlp.*")
    assert "*.mlp.*" in fig.layout.title.text and len(fig.data[0].x) == len(STEPS)
    everything = render_visualization("parameter_trajectory_2d", trainer_run)
    assert not np.allclose(fig.data[0].x, everything.data[0].x)  # a different subspace
    velocity = render_visualization("parameter_velocity", trainer_run, group="*.attn.*")
    assert list(velocity.data[0].x) == STEPS[1:]
    spectrum = render_visualization("singular_value_spectrum", trainer_run, 50,
                                    matrices="*.attn.*")
    assert [t.name.split(" ")[0] for t in spectrum.data] == [
        "model.layers.0.attn.W_Q", "model.layers.1.attn.W_Q"]
    dims = render_visualization("effective_dimensionality", trainer_run, matrices="*.mlp.*")
    assert len(dims.data) >= 2
    with pytest.raises(RendererError, match="Unknown parameter group"):
        render_visualization("parameter_trajectory_2d", trainer_run, group="*.nothing.*")


# -- TensorBoard and CSV scalars -------------------------------------------------------------

def test_tensorboard_scalars_are_the_metrics_analyzer(trainer_run):
    loader = ArtifactLoader(trainer_run)
    table = loader.metrics()
    assert table["epoch"] == list(range(0, 121, 10))  # the steps are the x axis
    assert table["train/loss"][3] == pytest.approx(2.0 / 31)
    assert table["eval/accuracy"][:5] == [0.0, None, None, None, pytest.approx(0.4)]
    assert loader.epochs("metrics") == table["epoch"]
    row = loader.load("metrics", 40)
    assert row["eval/accuracy"] == pytest.approx(0.4) and row["epoch"] == 40


def test_tensorboard_v1_simple_values_folders_and_restarts(tmp_path):
    run = tmp_path / "keras_like"
    write_tensorboard_v1(run / "logs" / "train", "epoch_loss", [(0, 1.0), (1, 0.5), (2, 0.25)])
    write_tensorboard_v1(run / "logs" / "validation", "epoch_loss", [(0, 1.5), (2, 0.75)])
    write_tensorboard_v1(run / "logs" / "validation", "epoch_loss", [(2, 0.7), (3, 0.6)])
    table = ArtifactLoader(run).metrics()
    assert table == {"epoch": [0, 1, 2, 3],
                     "train/epoch_loss": [1.0, 0.5, 0.25, None],
                     "validation/epoch_loss": [1.5, None, pytest.approx(0.7),
                                               pytest.approx(0.6)]}


def test_torn_and_corrupt_event_files(tmp_path):
    run = tmp_path / "torn"
    write_tensorboard(run, {"loss": [(0, 1.0), (1, 0.5), (2, 0.25)]})
    event = next(run.glob("events.out.tfevents.*"))
    event.write_bytes(event.read_bytes()[:-5])  # a writer still busy with its last record
    assert ArtifactLoader(run).metrics() == {"epoch": [0, 1], "loss": [1.0, 0.5]}
    event.write_bytes(b"\x00" * 8 + b"not a tfrecord at all" * 4)
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(run).metrics()
    assert str(event) in str(info.value) and len(str(info.value).splitlines()) == 2


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def test_metrics_csv_by_epoch_merges_rows(tmp_path):
    # PyTorch Lightning's CSVLogger: train and validation metrics on separate rows
    write_csv(tmp_path / "metrics.csv", ["epoch", "step", "train_loss", "val_acc"], [
        [0, 9, 1.0, ""], [0, 9, "", 0.25], [1, 19, 0.5, ""], [1, 19, "", 0.5], [2, 29, 0.2, ""],
    ])
    loader = ArtifactLoader(tmp_path)
    assert loader.analyzers() == ["metrics"]
    assert loader.metrics() == {"epoch": [0, 1, 2], "step": [9.0, 19.0, 29.0],
                                "train_loss": [1.0, 0.5, 0.2], "val_acc": [0.25, 0.5, None]}
    assert loader.load("metrics", 1)["val_acc"] == 0.5


def test_metrics_csv_by_step(tmp_path):
    write_csv(tmp_path / "metrics.csv", ["step", "loss"], [[100, 0.9], [0, 2.0], [50, "nan"]])
    assert ArtifactLoader(tmp_path).metrics() == {"epoch": [0, 50, 100],
                                                  "loss": [2.0, None, 0.9]}


@pytest.mark.parametrize("header, rows, message", [
    (["loss"], [[1.0]], "no 'epoch' or 'step' column"),
    (["epoch", "loss"], [[0, "high"]], "'high' is not a number"),
    (["epoch", "loss"], [[0.5, 1.0]], "is not a whole number"),
])
def test_bad_metrics_csv(tmp_path, header, rows, message):
    write_csv(tmp_path / "metrics.csv", header, rows)
    with pytest.raises(CorruptArtifactError, match=message) as info:
        ArtifactLoader(tmp_path).metrics()
    assert len(str(info.value).splitlines()) == 2


def test_metrics_json_still_wins_over_csv_and_tensorboard(trainer_run):
    (trainer_run / "metrics.json").write_text(json.dumps({"epoch": [1, 2], "loss": [3.0, 2.0]}))
    write_csv(trainer_run / "metrics.csv", ["epoch", "loss"], [[1, 9.0]])
    assert ArtifactLoader(trainer_run).metrics() == {"epoch": [1, 2], "loss": [3.0, 2.0]}


# -- layout= ---------------------------------------------------------------------------------

@pytest.fixture
def custom_run(tmp_path: Path) -> Path:
    """A layout no convention covers: ckpt/model_ep{N}.safetensors and logs/."""
    run = tmp_path / "custom"
    (run / "ckpt").mkdir(parents=True)
    for epoch in (5, 15, 40):
        save_file(weights(epoch), str(run / "ckpt" / f"model_ep{epoch}.safetensors"))
    (run / "ckpt" / "model_best.safetensors").write_bytes(b"not matched by the pattern")
    write_tensorboard(run / "logs" / "tb", {"loss": [(e, 1.0 / (1 + e)) for e in (5, 15, 40)]})
    return run


def test_layout_mapping(custom_run):
    assert ArtifactLoader(custom_run).analyzers() == ["metrics"]  # found: the TensorBoard log
    layout = {"parameters": "ckpt/model_ep{epoch}.safetensors", "metrics": "logs/"}
    loader = ArtifactLoader(custom_run, layout=layout)
    assert loader.analyzers() == ["metrics", "parameters"]
    assert loader.epochs("parameters") == [5, 15, 40]
    assert loader.epochs("metrics") == [5, 15, 40]
    assert loader.load("parameters", 15)["model.embed.bias"][0] == 15.0
    assert "layout=" in repr(loader)
    copy = ArtifactLoader(loader)  # a loader passed where a directory is expected
    assert copy.layout == loader.layout and copy.epochs("parameters") == [5, 15, 40]


def test_layout_folders_and_files(custom_run):
    (custom_run / "ckpt" / "epoch_99").mkdir()
    save_file(weights(99), str(custom_run / "ckpt" / "epoch_99" / "model.safetensors"))
    write_csv(custom_run / "logs" / "scalars.csv", ["step", "acc"], [[1, 0.1], [2, 0.2]])
    loader = ArtifactLoader(custom_run, layout={"weights": "ckpt",
                                                "metrics": "logs/scalars.csv"})
    assert loader.epochs("weights") == [99]  # a folder: epoch_N files and folders in it
    assert loader.metrics() == {"epoch": [1, 2], "acc": [0.1, 0.2]}
    pattern = ArtifactLoader(custom_run, layout={"weights": "ckpt/*{epoch}*"})
    assert pattern.epochs("weights") == [5, 15, 40, 99]


@pytest.mark.parametrize("layout, message", [
    (["parameters"], "layout must be a mapping"),
    ({"parameters": ""}, "Bad layout entry"),
    ({"": "ckpt"}, "Bad layout entry"),
    ({"parameters": "/abs/ep{epoch}.safetensors"}, "must be relative"),
])
def test_bad_layouts(custom_run, layout, message):
    with pytest.raises(ArtifactError, match=message) as info:
        ArtifactLoader(custom_run, layout=layout)
    assert len(str(info.value).splitlines()) == 2


def test_layout_paths_that_do_not_exist(custom_run):
    loader = ArtifactLoader(custom_run, layout={"weights": "nowhere", "metrics": "nolog.txt"})
    with pytest.raises(AnalyzerNotFoundError, match=r"Fix layout\['weights'\]"):
        loader.epochs("weights")
    with pytest.raises(ArtifactError, match=r"layout\['metrics'\]") as info:
        loader.metrics()
    assert len(str(info.value).splitlines()) == 2


# -- end to end: export, animation, widget, CLI ----------------------------------------------

@pytest.mark.browser
def test_export_and_animate_a_trainer_run(trainer_run, tmp_path):
    from PIL import Image

    png = vz.export_variant_visualization(trainer_run, "parameter_trajectory_2d", epoch=50,
                                          width=400, height=300, scale=1, group="*.mlp.*")
    assert png == trainer_run / "exports" / "parameter_trajectory_2d_epoch50.png"
    assert png.read_bytes()[:8] == PNG
    curves = vz.export_variant_visualization(trainer_run, "training_curves", format="svg",
                                             output_dir=tmp_path)
    assert "train/loss" in curves.read_text() and "eval/accuracy" in curves.read_text()
    gif = vz.export_animation("singular_value_spectrum", trainer_run, None, tmp_path / "s.gif",
                              options=vz.AnimationOptions(fps=4, width=300, height=200, scale=1))
    with Image.open(gif) as image:
        assert image.n_frames == len(STEPS) and image.size == (300, 200)


@pytest.mark.browser
def test_export_widget_on_trainer_and_layout_runs(trainer_run, custom_run, tmp_path):
    from PIL import Image

    from vizwidget import ExportWidget

    w = ExportWidget.from_variant(trainer_run, "parameter_trajectory_2d", width=300,
                                  height=200, scale=1)
    assert w.epochs == STEPS
    fig = w.figure()
    assert len(fig.data[0].x) == len(STEPS)
    path = w.export()
    assert path.parent == trainer_run / "exports" and path.read_bytes()[:8] == PNG
    w.close()

    layout = {"parameters": "ckpt/model_ep{epoch}.safetensors", "metrics": "logs/"}
    loader = ArtifactLoader(custom_run, layout=layout)
    w = ExportWidget.from_variant(loader, "singular_value_spectrum", output_dir=str(tmp_path),
                                  width=300, height=200, scale=1)
    assert w.epochs == [5, 15, 40]
    gif = w.animate("gif", epochs=[5, 40])  # animations read through the same layout
    with Image.open(gif) as image:
        assert image.n_frames == 2
    w.close()


def test_cli_lists_a_trainer_run(trainer_run):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    proc = subprocess.run([sys.executable, "-m", "vizwidget", "list", str(trainer_run),
                           "--json"], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)["visualizations"]}
    assert rows["parameter_velocity"]["epochs"] == {"first": 10, "last": 120, "count": 4}
    assert rows["training_curves"]["available"] and not rows["flatness"]["available"]


def test_layout_metrics_with_epoch_is_a_per_epoch_analyzer(custom_run):
    (custom_run / "evals").mkdir()
    for epoch in (5, 15):
        (custom_run / "evals" / f"eval-{epoch}.json").write_text(json.dumps({"acc": epoch / 20}))
    loader = ArtifactLoader(custom_run, layout={"metrics": "evals/eval-{epoch}.json"})
    assert loader.epochs("metrics") == [5, 15]
    assert loader.load("metrics", 15) == {"acc": 0.75}


def test_select_names_order_repeats_and_unusable_entries():
    from vizwidget.analysis import select_names

    snap = {"b.W": np.ones((2, 2)), "a.W": np.ones((2, 2)), "a.bias": np.ones(2), "lr": 0.1}
    is_matrix = lambda v: isinstance(v, np.ndarray) and v.ndim == 2  # noqa: E731
    assert select_names(snap, ["b.W", "*.W"], is_matrix, "matrix") == ["b.W", "a.W"]
    assert select_names(snap, "all", is_matrix, "matrix") == ["a.W", "b.W"]
    with pytest.raises(ValueError, match=r"Unknown matrix \['a.bias'\]") as info:
        select_names(snap, "a.bias", is_matrix, "matrix")  # present, but not a matrix
    assert "a.W, b.W (or a glob" in str(info.value)
    with pytest.raises(ValueError, match=r"Unknown matrix \['\*.bias'\]"):
        select_names(snap, "*.bias", is_matrix, "matrix")
    with pytest.raises(ValueError, match="no array usable as a matrix"):
        select_names({"lr": 0.1}, "all", is_matrix, "matrix")
