"""The numpy modular-addition demo run: grokking shape, schedule, determinism, artifacts."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

import vizwidget
from vizwidget.compare import SWEEP_VIEWS
from vizwidget.demo import Training, checkpoint_schedule, make_variant
from vizwidget.runs import ArtifactLoader


def test_grokking_shape(demo_variant):
    m = ArtifactLoader(demo_variant).metrics()
    epochs = np.array(m["epoch"])
    train_acc, test_acc = np.array(m["train_acc"]), np.array(m["test_acc"])
    fit = epochs[np.argmax(train_acc >= 0.99)]
    generalise = epochs[np.argmax(test_acc >= 0.9)]
    assert train_acc[-1] == 1.0 and test_acc[-1] >= 0.95
    assert test_acc[epochs == fit][0] < 0.1  # memorised, not generalised
    assert generalise - fit >= 400  # "long before"
    assert m["test_loss"][-1] < 0.1 < max(m["test_loss"])


def test_schedule_is_dense_early_sparse_later():
    s = checkpoint_schedule(1500)
    gaps = np.diff(s)
    assert s[0] == 0 and s[-1] == 1500 and s == sorted(set(s))
    assert gaps[:10].max() < gaps[-5:].min()
    assert checkpoint_schedule(3)[0] == 0 and checkpoint_schedule(3)[-1] == 3
    with pytest.raises(ValueError):
        checkpoint_schedule(0)


def test_writes_artifacts_for_every_builtin_renderer(demo_variant):
    loader = ArtifactLoader(demo_variant)
    config = json.loads((demo_variant / "config.json").read_text())
    assert config["p"] == 59 and config["seed"] == 0 and config["task"] == "modular_addition"
    needed = {a for v in vizwidget.visualizations()
              if v.fn.__module__.startswith("vizwidget.renderers")
                 and v.name not in SWEEP_VIEWS for a in v.analyzers}
    assert needed == {"parameters", "flatness", "metrics"} <= set(loader.analyzers())
    files = sorted(p.name for p in (demo_variant / "artifacts" / "parameters").iterdir())
    assert len(files) == len(config["checkpoints"])
    snap = loader.load("parameters", 0)
    assert snap["W_E"].shape == (59, 32) and snap["W_in"].shape == (64, 128)
    assert snap["W_out"].shape == (128, 59)
    assert not list(demo_variant.rglob(".*.tmp"))


def test_deterministic_for_a_seed_and_different_across_seeds(tmp_path):
    small = {"p": 13, "epochs": 60,
             "training": Training(d_embed=8, d_hidden=16, flatness_samples=2)}
    a = ArtifactLoader(make_variant(tmp_path / "a", seed=3, **small))
    b = ArtifactLoader(make_variant(tmp_path / "b", seed=3, **small))
    c = ArtifactLoader(make_variant(tmp_path / "c", seed=4, **small))
    assert a.epochs("parameters") == b.epochs("parameters")
    for e in a.epochs("parameters"):
        for name in ("parameters", "flatness"):
            da, db = a.load(name, e), b.load(name, e)
            for key in da:
                np.testing.assert_array_equal(da[key], db[key])
    assert a.metrics() == b.metrics() != c.metrics()


def test_overwrite_and_bad_arguments(tmp_path):
    small = {"p": 7, "epochs": 10,
             "training": Training(d_embed=4, d_hidden=8, flatness_samples=1)}
    path = make_variant(tmp_path / "v", **small)
    (path / "artifacts" / "parameters" / "epoch_999.npz").write_bytes(b"stale")
    make_variant(path, **small)
    assert 999 not in ArtifactLoader(path).epochs("parameters")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        make_variant(path, overwrite=False, **small)
    with pytest.raises(ValueError, match="p must be an integer >= 3"):
        make_variant(tmp_path / "w", p=2)
    with pytest.raises(ValueError, match="train_fraction"):
        make_variant(tmp_path / "w", training=Training(train_fraction=1.5))
    with pytest.raises(ValueError, match="d_hidden must be an integer >= 1, got 0"):
        make_variant(tmp_path / "w", training=Training(d_hidden=0))
    with pytest.raises(TypeError, match="unexpected keyword arguments: colour"):
        make_variant(tmp_path / "w", colour="red")
    assert not (tmp_path / "w").exists()  # refused before anything is written


def _files(root):
    """Every file of a run by relative path: bytes (config.json without its timing)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "config.json":
                config = json.loads(data)
                assert config.pop("train_seconds") >= 0
                data = config
            out[path.relative_to(root).as_posix()] = data
    return out


def test_training_keywords_of_the_previous_release_still_work_and_warn(tmp_path):
    old_keywords = {"d_embed": 4, "d_hidden": 8, "train_fraction": 0.5, "lr": 1e-2,
                    "weight_decay": 1.0, "metrics_every": 5, "flatness_samples": 1,
                    "flatness_scale": 0.1}
    with pytest.warns(DeprecationWarning) as caught:
        old = make_variant(tmp_path / "old", p=7, seed=1, epochs=12, **old_keywords)
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert len(messages) == len(old_keywords)
    assert all("training=Training(...)" in m for m in messages)
    assert {w.filename for w in caught} == {__file__}  # points at the caller
    new = make_variant(tmp_path / "new", p=7, seed=1, epochs=12,
                       training=Training(**old_keywords))
    assert _files(old) == _files(new)
    config = json.loads((new / "config.json").read_text())
    assert {k: config[k] for k in old_keywords} == old_keywords
    # an old keyword overrides the same field of training=
    with pytest.warns(DeprecationWarning, match=r"make_variant\(lr=\.\.\.\)"):
        mixed = make_variant(tmp_path / "mixed", p=7, seed=1, epochs=12, lr=1e-2,
                             training=Training(**{**old_keywords, "lr": 0.5}))
    assert _files(mixed) == _files(new)


def test_training_is_a_frozen_value_with_the_previous_defaults():
    import dataclasses
    import inspect

    t = Training()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.lr = 1.0  # type: ignore[misc]
    assert dataclasses.asdict(t) == {"d_embed": 32, "d_hidden": 128, "train_fraction": 0.4,
                                     "lr": 6e-3, "weight_decay": 1.5, "metrics_every": 10,
                                     "flatness_samples": 16, "flatness_scale": 0.05}
    assert len(inspect.signature(make_variant).parameters) <= 12


def test_default_run_is_fast_enough(tmp_path):
    t0 = time.perf_counter()
    make_variant(tmp_path / "timed")
    assert time.perf_counter() - t0 < 60
