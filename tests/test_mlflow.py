"""MLflow runs as Variants: a store written by MLflow itself, read over sqlite and a server."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import vizwidget as vz
from vizwidget.cli import main as cli_main
from vizwidget.compare import Variants
from vizwidget.errors import (
    ComparisonError,
    CorruptArtifactError,
    UsageError,
    VariantNotFoundError,
)
from vizwidget.registry import render_visualization
from vizwidget.runs.trackers import _folders

mlflow = pytest.importorskip("mlflow", reason="the mlflow extra: pip install vizwidget[mlflow]")
logging.getLogger("mlflow").setLevel(logging.WARNING)

LRS = ("0.1", "0.01", "0.001")
STEPS = 25


def _two_lines(err: BaseException) -> list[str]:
    lines = str(err).splitlines()
    assert len(lines) == 2, str(err)
    return lines


def _write_store(root: Path) -> str:
    """Experiment 'sweep': lr x seed runs with random metrics, tags, and two checkpointed runs
    (npz in our layout; a Trainer-style checkpoint-N/model.safetensors)."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag
    from safetensors.numpy import save_file

    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(uri)
    eid = client.create_experiment("sweep", artifact_location=(root / "artifacts").as_uri())
    client.create_experiment("other", artifact_location=(root / "other").as_uri())
    rng = np.random.default_rng(0)
    for i, (lr, seed) in enumerate((lr, s) for lr in LRS for s in (0, 1)):
        run = client.create_run(eid, run_name=f"lr{lr}-s{seed}").info.run_id
        points = [Metric(key, float(rng.normal()), 1_700_000_000_000 + step, step)
                  for step in range(STEPS) for key in ("train_loss", "test_acc")]
        client.log_batch(run, metrics=points,
                         params=[Param("lr", lr), Param("seed", str(seed)),
                                 Param("optimizer", "adam" if seed == 0 else "sgd")],
                         tags=[RunTag("team", "vision")])
        if i == 0:
            staging = root / "staging_npz"
            for epoch in (0, 10, 20):
                w = rng.normal(size=(6, 4)) * (1 + epoch / 10)
                folder = staging / "artifacts" / "parameters"
                folder.mkdir(parents=True, exist_ok=True)
                np.savez(folder / f"epoch_{epoch}.npz", W=w, b=np.ones(4) * epoch)
            (staging / "notes.txt").write_text("not a checkpoint")
            client.log_artifacts(run, str(staging))
        if i == 1:
            staging = root / "staging_hf"
            for step in (5, 15):
                folder = staging / f"checkpoint-{step}"
                folder.mkdir(parents=True, exist_ok=True)
                save_file({"layer.weight": rng.normal(size=(5, 3)).astype(np.float32)},
                          str(folder / "model.safetensors"))
            client.log_artifacts(run, str(staging))
        client.set_terminated(run)
    return uri


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    return _write_store(tmp_path_factory.mktemp("mlflow_store"))


@pytest.fixture(scope="module")
def sweep(store, tmp_path_factory) -> Variants:
    cache = tmp_path_factory.mktemp("cache")
    return Variants.from_mlflow(store, "sweep", labels="lr={lr} s{seed}", group_by="lr",
                                cache_dir=cache)


# -- runs, config, labels, groups --------------------------------------------------------------
def test_runs_become_variants_with_labels_groups_and_numeric_params(sweep, store):
    assert sweep.labels == [f"lr={lr} s{s}" for lr in ("0.1", "0.01", "0.001") for s in (0, 1)]
    assert list(sweep.groups) == ["lr=0.1", "lr=0.01", "lr=0.001"]
    m = sweep[0]
    assert m.config["lr"] == 0.1 and isinstance(m.config["lr"], float)
    assert m.config["seed"] == 0 and isinstance(m.config["seed"], int)
    assert m.config["optimizer"] == "adam" and m.config["team"] == "vision"
    assert not any(k.startswith("mlflow.") for k in m.config)
    run = mlflow.MlflowClient(store).get_run(m.source["run_id"])
    assert m.config["run_name"] == run.info.run_name == m.source["run_name"] == "lr0.1-s0"
    assert m.source["tracker"] == "mlflow" and m.source["experiment"] == "sweep"
    assert m.path.name == run.info.run_id
    assert json.loads((m.path / "tracker.json").read_text())["run_id"] == run.info.run_id
    default = Variants.from_mlflow(store, "sweep", cache_dir=m.path.parents[1],
                                   checkpoints=False)
    assert default.labels == [f"lr{lr}-s{s}" for lr in LRS for s in (0, 1)]


def test_every_logged_value_equals_mlflows_metric_history_exactly(sweep, store):
    client = mlflow.MlflowClient(store)
    for m in sweep:
        table = m.loader.metrics()
        for key in ("train_loss", "test_acc"):
            history = client.get_metric_history(m.source["run_id"], key)
            assert len(history) == STEPS
            assert table["epoch"] == [h.step for h in history]
            assert table[key] == [h.value for h in history]  # exact, no rounding


def test_filter_string_selects_runs_and_a_database_is_read_in_bulk(store, tmp_path,
                                                                   monkeypatch):
    def one_query_per_metric(*args, **kw):
        raise AssertionError("a database store is read in bulk, not per run and metric")

    monkeypatch.setattr(mlflow.MlflowClient, "get_metric_history", one_query_per_metric)
    vs = Variants.from_mlflow(store, "sweep", filter_string="params.optimizer = 'sgd'",
                              cache_dir=tmp_path, checkpoints=False)
    assert [m.config["seed"] for m in vs] == [1, 1, 1]


def test_a_second_load_rewrites_no_file(store, tmp_path):
    first = Variants.from_mlflow(store, "sweep", cache_dir=tmp_path)
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    again = Variants.from_mlflow(store, "sweep", cache_dir=tmp_path)
    assert again.labels == first.labels
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == stamps
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) for p in stamps)


# -- checkpoints from the artifact store -------------------------------------------------------
def test_checkpoints_download_and_research_renderers_work(sweep):
    npz_run, hf_run = sweep[0], sweep[1]
    assert npz_run.loader.epochs("parameters") == [0, 10, 20]
    assert not (npz_run.path / "notes.txt").exists()  # only checkpoints are fetched
    fig = render_visualization("parameter_trajectory_2d", npz_run.loader)
    assert len(fig.data[0].x) == 3
    assert hf_run.loader.epochs("parameters") == [5, 15]
    data = hf_run.loader.load("parameters", 15)
    assert data["layer.weight"].shape == (5, 3)
    spectrum = render_visualization("singular_value_spectrum", hf_run.loader, 15)
    assert len(spectrum.data) >= 1
    assert "parameters" not in sweep[2].loader.analyzers()


def test_a_dashboard_takes_the_mlflow_runs(sweep, tmp_path):
    d = vz.Dashboard(sweep, ["training_curves"], output_dir=str(tmp_path))
    assert [p.spec.label for p in d.panels] == sweep.labels
    assert [p.spec.variant for p in d.panels] == sweep.paths
    assert d.epochs == list(range(STEPS))


def test_a_dashboard_filters_mlflow_runs_by_their_params(sweep, tmp_path):
    d = vz.Dashboard(sweep, ["training_curves"], output_dir=str(tmp_path),
                     filters={"lr": [0.01, 0.001], "optimizer": ["sgd"]}, metric="test_acc")
    assert d.hparams == {"lr": [0.001, 0.01, 0.1], "optimizer": ["adam", "sgd"],
                         "seed": [0, 1]}
    assert [p.spec.label for p in d.panels] == ["lr=0.01 s1", "lr=0.001 s1"]
    record = vz.read_provenance(d.export("json"))
    assert record["filters"] == {"lr": [0.001, 0.01], "optimizer": ["sgd"]}
    assert record["metric"] == "test_acc" and len(record["panels"]) == 2


class _HostileRepo:
    """An artifact store that lists paths leading out of the run, and one oversize file."""

    def __init__(self, files: dict[str, int], root: Path) -> None:
        self.files, self.root = files, root

    def list_artifacts(self, path=None):
        from mlflow.entities import FileInfo

        if path is None:
            return [FileInfo(p, False, s) for p, s in self.files.items()] + [
                FileInfo("checkpoint-1", True, None)]
        return [FileInfo("checkpoint-1/model.safetensors", False, 10)]

    def download_artifacts(self, path, dst_path):
        outside = self.root / "escaped.safetensors"
        outside.write_bytes(b"x" * 10)
        return str(outside)  # a download that lands out of the staging folder


def test_hostile_artifact_paths_are_never_followed(tmp_path):
    for bad in ("../x/epoch_1.npz", "/etc/passwd", "artifacts/../../epoch_1.npz",
                "artifacts\\p\\epoch_1.npz", "checkpoint-1/..", "a/b/c/d/e"):
        assert _folders._safe_relative(bad) is None
    run = tmp_path / "run"
    run.mkdir()
    repo = _HostileRepo({"../checkpoint-2/model.safetensors": 10,
                         "/abs/checkpoint-3/model.safetensors": 10}, tmp_path)
    with pytest.raises(CorruptArtifactError, match="did not download as the listed") as info:
        _folders.download_checkpoints(repo, "r1", run)
    _two_lines(info.value)
    assert sorted(p.name for p in run.iterdir()) == ["checkpoint-1"]
    assert not any((run / "checkpoint-1").iterdir())  # nothing moved into place
    with pytest.raises(vz.VizWidgetError, match="more than the"):
        _folders.download_checkpoints(repo, "r1", run, max_bytes=5)


# -- bad input ---------------------------------------------------------------------------------
def test_a_missing_store_is_an_error_and_creates_nothing(tmp_path):
    db = tmp_path / "nope" / "mlflow.db"
    t0 = time.perf_counter()
    with pytest.raises(VariantNotFoundError, match="does not exist") as info:
        Variants.from_mlflow(f"sqlite:///{db}", "sweep", cache_dir=tmp_path / "c")
    _two_lines(info.value)
    assert not db.parent.exists() and not (tmp_path / "c").exists()
    with pytest.raises(VariantNotFoundError, match="does not answer"):
        Variants.from_mlflow(f"http://127.0.0.1:{_free_port()}", "sweep")
    assert time.perf_counter() - t0 < 30


def test_an_unknown_experiment_names_the_ones_there(store, tmp_path):
    with pytest.raises(VariantNotFoundError, match="no experiment named 'swep'") as info:
        Variants.from_mlflow(store, "swep", cache_dir=tmp_path)
    assert "'sweep'" in _two_lines(info.value)[1]
    with pytest.raises(VariantNotFoundError, match="has no runs matching"):
        Variants.from_mlflow(store, "sweep", filter_string="params.lr = '7'",
                             cache_dir=tmp_path)
    with pytest.raises(UsageError, match="cannot search runs") as info:
        Variants.from_mlflow(store, "sweep", filter_string="params.lr ~~ 1", cache_dir=tmp_path)
    _two_lines(info.value)


def test_runs_without_the_metric_and_non_numeric_params_are_clear_errors(sweep):
    with pytest.raises(ComparisonError, match="Run 'lr=0.1 s0' has no metric 'val_loss'") as i:
        vz.comparison_figure(sweep, "hparam_scatter", metric="val_loss", hparam="lr")
    assert "'test_acc'" in _two_lines(i.value)[1]
    with pytest.raises(ComparisonError, match="'optimizer' is 'adam', not a number") as i:
        vz.comparison_figure(sweep, "hparam_scatter", metric="test_acc", hparam="optimizer")
    _two_lines(i.value)


def test_without_mlflow_the_error_gives_the_install_line(tmp_path):
    code = ("import sys; sys.modules['mlflow'] = None\n"
            "from vizwidget.compare import Variants\n"
            "try:\n    Variants.from_mlflow('sqlite:///x.db', 'e')\n"
            "except Exception as e:\n    print(type(e).__name__); print(e)\n")
    env = {**os.environ, "PYTHONPATH": str(Path(vz.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=120).stdout.splitlines()
    assert out[0] == "MissingDependencyError"
    assert out[2] == 'Install it with: pip install "vizwidget[mlflow]"'
    assert not (tmp_path / "x.db").exists()


# -- command line ------------------------------------------------------------------------------
def test_cli_compare_reads_an_mlflow_experiment(store, tmp_path, capsys):
    out = tmp_path / "lr.png"
    code = cli_main(["compare", "--mlflow", store, "--experiment", "sweep", "--vis",
                     "hparam_scatter", "--set", 'metric="test_acc"', "--set", 'hparam="lr"',
                     "--labels", "lr={lr} s{seed}", "--cache-dir", str(tmp_path / "cache"),
                     "--out", str(out), "--width", "500", "--height", "350", "--scale", "1",
                     "--json"])
    assert code == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)
    assert result["variants"][0] == "lr=0.1 s0" and out.read_bytes()[:4] == b"\x89PNG"
    record = vz.read_provenance(out)
    assert {r["run_name"] for r in record["runs"].values()} == {
        f"lr{lr}-s{s}" for lr in LRS for s in (0, 1)}
    assert cli_main(["compare", "--mlflow", store, "--vis", "hparam_scatter"]) == 2
    assert "--experiment NAME" in capsys.readouterr().err


# -- a real tracking server --------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(store):
    """``mlflow server`` on a free loopback port over the same sqlite store."""
    import requests

    port = _free_port()
    db = store.removeprefix("sqlite:///")
    log = open(Path(db).parent / "server.log", "wb")  # noqa: SIM115 (closed at teardown)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", store,
         "--default-artifact-root", (Path(db).parent / "artifacts").as_uri(),
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"mlflow server exited: {(Path(db).parent / 'server.log').read_text()}")
            try:
                if requests.get(url + "/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail("mlflow server did not start within 180 s")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        log.close()


def test_a_tracking_server_gives_the_same_runs_and_histories(server, sweep, tmp_path,
                                                             monkeypatch):
    from vizwidget.runs.trackers import _mlflow

    requests_sent = []
    make_bulk = _mlflow._rest_bulk

    def counting(uri):
        bulk = make_bulk(uri)

        def send(run_ids, key, limit):
            points = bulk(run_ids, key, limit)
            requests_sent.append((len(run_ids), key, len(points)))
            return points

        return send

    monkeypatch.setattr(_mlflow, "_rest_bulk", counting)
    remote = Variants.from_mlflow(server, "sweep", labels="lr={lr} s{seed}", group_by="lr",
                                  cache_dir=tmp_path)
    assert remote.labels == sweep.labels and list(remote.groups) == list(sweep.groups)
    # one bulk request per metric for all six runs, not one per run and metric
    assert sorted(requests_sent) == [(6, "test_acc", 6 * STEPS), (6, "train_loss", 6 * STEPS)]
    client = mlflow.MlflowClient(server)
    for m, local in zip(remote, sweep, strict=True):
        assert m.config == local.config and m.source["tracking_uri"] == server
        table = m.loader.metrics()
        history = client.get_metric_history(m.source["run_id"], "train_loss")
        assert table["train_loss"] == [h.value for h in history]
        assert table == local.loader.metrics()
    assert remote[0].loader.epochs("parameters") == [0, 10, 20]
    assert remote[1].loader.epochs("parameters") == [5, 15]
