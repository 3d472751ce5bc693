"""ArtifactLoader on hand-made variant directories and on the real demo run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from vizwidget.errors import (
    AnalyzerNotFoundError,
    ArtifactError,
    CorruptArtifactError,
    EpochNotFoundError,
    VariantNotFoundError,
)
from vizwidget.runs import ArtifactLoader
from vizwidget.runs import _loader as artifacts


def _bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def variant(tmp_path: Path) -> Path:
    v = tmp_path / "run"
    (v / "artifacts" / "weights").mkdir(parents=True)
    (v / "artifacts" / "stats").mkdir()
    for epoch, name in [(0, "epoch_0000.npz"), (100, "epoch_100.npz"), (1500, "epoch_01500.npz"),
                        (600, "epoch_600.npz")]:
        np.savez(v / "artifacts" / "weights" / name, W=np.full((2, 3), float(epoch)),
                 lr=np.float64(0.1), tag=np.array("x"))
    (v / "artifacts" / "weights" / "notes.txt").write_text("ignored")
    (v / "artifacts" / "stats" / "epoch_5.json").write_text(json.dumps({"loss": 1.5, "k": [1, 2]}))
    (v / "metrics.json").write_text(json.dumps(
        {"epoch": [10, 0, 20], "train_loss": [2.0, 3.0, 1.0], "test_acc": [0.1, 0.0, None]}))
    (v / "config.json").write_text(json.dumps({"p": 7, "seed": 1}))
    return v


def test_lists_analyzers_and_sorted_epochs_with_any_padding(variant):
    loader = ArtifactLoader(variant)
    assert loader.variant_dir == variant.resolve()
    assert loader.artifacts_dir == variant.resolve() / "artifacts"
    assert loader.analyzers() == ["metrics", "stats", "weights"]
    assert loader.epochs("weights") == [0, 100, 600, 1500]
    assert loader.latest_epoch("weights") == 1500
    assert loader.epochs("stats") == [5]


def test_accepts_the_artifacts_dir_itself_and_str_paths(variant):
    loader = ArtifactLoader(str(variant / "artifacts"))
    assert loader.variant_dir == variant.resolve()
    assert loader.epochs("weights") == [0, 100, 600, 1500]
    assert loader.config() == {"p": 7, "seed": 1}


def test_load_npz_json_and_scalars(variant):
    loader = ArtifactLoader(variant)
    data = loader.load("weights", 600)
    assert set(data) == {"W", "lr", "tag"}
    np.testing.assert_array_equal(data["W"], np.full((2, 3), 600.0))
    assert data["lr"] == 0.1 and isinstance(data["lr"], float)
    assert data["tag"] == "x"
    assert loader.load("weights", np.int64(100))["W"][0, 0] == 100.0
    assert loader.load("stats", 5) == {"loss": 1.5, "k": [1, 2]}


def test_cached_arrays_are_shared_and_read_only(variant):
    loader = ArtifactLoader(variant)
    first, second = loader.load("weights", 0), loader.load("weights", 0)
    assert first is not second  # callers may add keys to their dict
    assert first["W"] is second["W"]  # but the file was read once
    with pytest.raises(ValueError):
        first["W"][0, 0] = 1.0


def test_rewritten_file_is_reloaded(variant):
    loader = ArtifactLoader(variant)
    path = variant / "artifacts" / "weights" / "epoch_100.npz"
    assert loader.load("weights", 100)["W"][0, 0] == 100.0
    np.savez(path, W=np.full((2, 3), -1.0))
    _bump_mtime(path)
    assert loader.load("weights", 100)["W"][0, 0] == -1.0


def test_new_epoch_files_appear_while_training_runs(variant):
    loader = ArtifactLoader(variant)
    assert loader.epochs("weights")[-1] == 1500
    np.savez(variant / "artifacts" / "weights" / "epoch_2000.npz", W=np.zeros((2, 3)))
    _bump_mtime(variant / "artifacts" / "weights")
    assert loader.epochs("weights")[-1] == 2000
    assert loader.latest_epoch("weights") == 2000


def test_cache_is_bounded(tmp_path):
    (tmp_path / "artifacts" / "a").mkdir(parents=True)
    for e in range(80):
        np.savez(tmp_path / "artifacts" / "a" / f"epoch_{e}.npz", x=np.arange(3) + e)
    loader = ArtifactLoader(tmp_path)
    artifacts.clear_cache()
    assert [d["x"][0] for _, d in loader.load_many("a")] == list(range(80))
    assert len(artifacts._cache) == artifacts._CACHE_SIZE == 64


def test_load_many_is_lazy(variant):
    loader = ArtifactLoader(variant)
    it = loader.load_many("weights")
    epoch, data = next(it)
    assert epoch == 0 and data["W"][0, 0] == 0.0
    # a file broken *after* the first step only fails when the iterator reaches it
    (variant / "artifacts" / "weights" / "epoch_100.npz").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(CorruptArtifactError):
        next(it)
    chosen = [e for e, _ in loader.load_many("weights", epochs=[1500, 600])]
    assert chosen == [1500, 600]


def test_metrics_table_sorted_by_epoch(variant):
    loader = ArtifactLoader(variant)
    assert loader.metrics() == {"epoch": [0, 10, 20], "train_loss": [3.0, 2.0, 1.0],
                                "test_acc": [0.0, 0.1, None]}
    # the virtual "metrics" analyzer serves rows of the same table
    assert loader.epochs("metrics") == [0, 10, 20]
    assert loader.load("metrics", 10) == {"epoch": 10, "train_loss": 2.0, "test_acc": 0.1}


def test_metrics_as_list_of_rows(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps(
        [{"epoch": 1, "loss": 0.5}, {"epoch": 0, "loss": 0.9, "acc": 0.2}]))
    loader = ArtifactLoader(tmp_path)
    assert loader.metrics() == {"epoch": [0, 1], "loss": [0.9, 0.5], "acc": [0.2, None]}
    assert loader.analyzers() == ["metrics"]


def test_config_is_optional(tmp_path):
    (tmp_path / "artifacts").mkdir()
    loader = ArtifactLoader(tmp_path)
    assert loader.config() == {}
    assert loader.analyzers() == []
    with pytest.raises(ArtifactError, match="No metrics.json"):
        loader.metrics()


# -- errors ------------------------------------------------------------------------------------

def test_missing_directory(tmp_path):
    with pytest.raises(VariantNotFoundError, match="does not exist") as info:
        ArtifactLoader(tmp_path / "nope")
    assert str(tmp_path / "nope") in str(info.value)
    assert isinstance(info.value, FileNotFoundError)


def test_directory_that_is_not_a_variant(tmp_path):
    (tmp_path / "readme.md").write_text("hi")
    with pytest.raises(ArtifactError, match="does not look like a variant") as info:
        ArtifactLoader(tmp_path)
    assert "readme.md" in str(info.value)


def test_unknown_analyzer_lists_the_ones_found(variant):
    with pytest.raises(AnalyzerNotFoundError) as info:
        ArtifactLoader(variant).epochs("weight")
    msg = str(info.value)
    assert "'weight'" in msg and "metrics, stats, weights" in msg


def test_missing_epoch_lists_the_nearest(variant):
    with pytest.raises(EpochNotFoundError) as info:
        ArtifactLoader(variant).load("weights", 550)
    msg = str(info.value)
    assert "550" in msg and "epochs: 0, 100, 600 " in msg and "0..1500" in msg
    with pytest.raises(EpochNotFoundError):
        ArtifactLoader(variant).load("weights", "600")
    with pytest.raises(EpochNotFoundError, match="Nearest available epochs: 0, 10, 20"):
        ArtifactLoader(variant).load("metrics", 15)


def test_latest_epoch_of_empty_analyzer(tmp_path):
    (tmp_path / "artifacts" / "empty").mkdir(parents=True)
    with pytest.raises(EpochNotFoundError, match="no epoch files yet"):
        ArtifactLoader(tmp_path).latest_epoch("empty")


def test_truncated_npz(variant):
    path = variant / "artifacts" / "weights" / "epoch_600.npz"
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(variant).load("weights", 600)
    assert str(path.resolve()) in str(info.value) and "Delete it" in str(info.value)


def test_corrupt_json_and_non_object_json(variant):
    stats = variant / "artifacts" / "stats"
    (stats / "epoch_6.json").write_text('{"loss": 1.')
    (stats / "epoch_7.json").write_text("[1, 2]")
    loader = ArtifactLoader(variant)
    with pytest.raises(CorruptArtifactError, match="corrupt or truncated"):
        loader.load("stats", 6)
    with pytest.raises(CorruptArtifactError, match="not an object"):
        loader.load("stats", 7)


@pytest.mark.parametrize("content, message", [
    ({"train_loss": [1.0]}, "no 'epoch' column"),
    ({"epoch": [0, 1], "loss": [1.0]}, "different lengths"),
    ({"epoch": ["a"], "loss": [1.0]}, "not a whole number"),
    ("oops", "not a table"),
])
def test_bad_metrics(tmp_path, content, message):
    (tmp_path / "metrics.json").write_text(json.dumps(content))
    with pytest.raises(CorruptArtifactError, match=message):
        ArtifactLoader(tmp_path).metrics()


def test_two_files_for_one_epoch(variant):
    np.savez(variant / "artifacts" / "weights" / "epoch_00100.npz", W=np.zeros(1))
    with pytest.raises(ArtifactError, match="Two files for epoch 100"):
        ArtifactLoader(variant).epochs("weights")


def test_demo_variant_loads(demo_variant):
    loader = ArtifactLoader(demo_variant)
    assert {"parameters", "flatness", "metrics"} <= set(loader.analyzers())
    epochs = loader.epochs("parameters")
    assert epochs == loader.epochs("flatness") == loader.config()["checkpoints"]
    first = [loader.load("parameters", e)["W_E"] for e in epochs]
    again = [loader.load("parameters", e)["W_E"] for e in epochs[-10:]]  # scrubbing: cache hits
    assert all(a is b for a, b in zip(first[-10:], again, strict=True))
    assert first[0].dtype == np.float32 and not np.array_equal(first[0], first[-1])
