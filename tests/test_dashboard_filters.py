"""Dashboard filters: hyperparameters offered, runs kept, the metric shown, what files record."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest
from widget_messages import Sent, request

import vizwidget
from vizwidget.errors import UsageError, VizWidgetError
from vizwidget.widget import Dashboard
from vizwidget.widget._filters import check_filters, hparams_of, matches, metric_options


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[Path]:
    """Four demo runs: lr 1e-3 (30 epochs) and 3e-3 (40 epochs), seeds 0 and 1 each."""
    from vizwidget.demo import Training, make_variant

    root = tmp_path_factory.mktemp("sweep")
    return [make_variant(root / f"lr{lr:g}_s{seed}", p=11, seed=seed, epochs=epochs,
                         training=Training(lr=lr))
            for lr, epochs in ((1e-3, 30), (3e-3, 40)) for seed in (0, 1)]


def labels(d: Dashboard) -> list[str]:
    return [p.spec.label for p in d.panels]


# ---- the hyperparameters and filters themselves ----

def test_hparams_are_the_scalar_keys_that_differ():
    configs = [{"lr": 0.001, "opt": "adam", "p": 11, "betas": [0.9, 0.99], "name": "a",
                "train_seconds": 1.5, "flag": True},
               {"lr": 0.003, "opt": "sgd", "p": 11, "betas": [0.9, 0.9], "name": "b",
                "train_seconds": 2.5, "flag": False},
               {"lr": 1e-3, "opt": "adam", "mixed": 1},
               {"mixed": "x"}]
    assert hparams_of(configs) == {"lr": [0.001, 0.003], "mixed": [1, "x"],
                                   "opt": ["adam", "sgd"]}


def test_matches_compares_numbers_by_value_and_strings_exactly():
    assert matches({"lr": 0.001}, {"lr": [1e-3]})
    assert matches({"seed": 1}, {"seed": [1.0]})
    assert not matches({"lr": 0.001}, {"lr": ["0.001"]})
    assert not matches({"seed": 2}, {"lr": [1e-3]})  # a run without the key is left out
    assert matches({"lr": 0.5}, {"lr": []})  # an empty list filters nothing


def test_check_filters_wraps_single_values_and_names_bad_keys():
    hparams = {"lr": [0.001, 0.003], "opt": ["adam", "sgd"]}
    assert check_filters({"lr": 0.003, "opt": []}, hparams) == {"lr": [0.003]}
    assert check_filters(None, hparams) == {}
    for bad in ({"momentum": [0.9]}, ["lr"], {"lr": [[0.1]]}):
        with pytest.raises(UsageError) as err:
            check_filters(bad, hparams)
        assert len(str(err.value).splitlines()) == 2


def test_metric_reaches_renderers_that_take_one(scratch_registry):
    @vizwidget.register_renderer("one_metric", analyzer="metrics")
    def one_metric(data, epoch, metric="train_loss"):
        return go.Figure()

    assert metric_options("training_curves", "test_acc") == {"metrics": "accuracy"}
    assert metric_options("training_curves", "train_loss") == {"metrics": "loss"}
    assert metric_options("training_curves", "lr") == {"metrics": "both"}
    assert metric_options("one_metric", "test_acc") == {"metric": "test_acc"}
    assert metric_options("singular_value_spectrum", "loss") == {}
    assert metric_options("training_curves", "") == {}


# ---- the dashboard ----

def test_traits_describe_the_runs_and_default_to_everything(runs):
    d = Dashboard(runs, ["training_curves"])
    assert d.hparams == {"epochs": [30, 40], "lr": [0.001, 0.003], "seed": [0, 1]}
    assert d.filters == {} and d.metric == ""
    assert {"loss", "accuracy", "train_loss", "test_acc"} <= set(d.metrics)
    assert len(d.panels) == 4 and d._source.columns == 4
    assert {"filters", "hparams", "metric", "metrics"} <= set(d.keys)  # synced
    with pytest.raises(Exception, match="read-only"):
        d.hparams = {}


def test_filters_at_construction_keep_the_matching_runs(runs):
    d = Dashboard(vizwidget.Variants(runs), ["training_curves", "singular_value_spectrum"],
                  filters={"lr": [3e-3]})
    assert labels(d) == ["lr0.003_s0", "lr0.003_s1"] * 2
    assert d._source.columns == 2 and (d.width, d.height) == (2 * 560, 2 * 420)
    assert d.epochs[-1] == 40


def test_changing_filters_replans_the_panels_and_the_slider_follows(runs):
    d = Dashboard(runs, ["singular_value_spectrum"], epoch=40, height=500)
    assert d.epochs[-1] == 40 and d.epoch == 40
    d.figure(40)
    sent = Sent(d)
    d.filters = {"lr": [0.001], "seed": [1]}
    assert labels(d) == ["lr0.001_s1"]
    assert d.epochs[-1] == 30 and d.epoch == 30  # the slider snaps into the runs shown
    assert d.width == 560 and d.height == 500  # the caller's height stays
    assert d.status == "1 panel · lr ∈ {0.001}, seed ∈ {1}"
    assert d._payloads.get((40, d.theme, d.lod_threshold, d.lod_points)) is None
    request(d, type="figure", epoch=30)
    (content, buffers), = sent.of("figure")
    skeleton = json.loads(bytes(buffers[0]))
    headers = [a["text"] for a in skeleton["layout"]["annotations"]
               if (a.get("name") or "").startswith("vizwidget-column")]
    assert [h.rsplit(" ", 1)[-1] for h in headers] == ["lr0.001_s1"]
    d.filters = {}
    assert len(d.panels) == 4 and d.epochs[-1] == 40


def test_a_filter_matching_no_run_shows_a_message_and_exports_refuse(runs, tmp_path):
    d = Dashboard(runs, ["training_curves"], output_dir=str(tmp_path))
    epochs = list(d.epochs)
    d.filters = {"lr": [0.001], "seed": [7]}
    assert d.panels == [] and d.epochs == epochs  # the slider keeps its epochs
    assert d.status == "No run matches the filters lr ∈ {0.001}, seed ∈ {7}."
    sent = Sent(d)
    request(d, type="figure", epoch=epochs[0])
    (content, buffers), = sent.of("figure")
    assert "error" not in content
    notes = [a["text"] for a in json.loads(bytes(buffers[0]))["layout"]["annotations"]]
    assert notes == ["No run matches the filters lr ∈ {0.001}, seed ∈ {7}."]
    with pytest.raises(VizWidgetError) as err:
        d.export("png")
    assert len(str(err.value).splitlines()) == 2 and "No run matches" in str(err.value)
    assert list(tmp_path.iterdir()) == []
    d.filters = {"seed": [0]}
    assert len(d.panels) == 2
    none = Dashboard(runs, ["training_curves"], filters={"seed": [7]})
    assert none.panels == [] and none.epochs == Dashboard(runs, ["training_curves"]).epochs
    assert none.status == "No run matches the filters seed ∈ {7}."


def test_bad_filters_and_metrics_say_what_to_use(runs):
    d = Dashboard(runs, ["training_curves"])
    for bad in ({"momentum": [0.9]}, {"lr": [{"a": 1}]}):
        with pytest.raises(UsageError) as err:
            d.filters = bad
        assert len(str(err.value).splitlines()) == 2
    assert d.filters == {} and len(d.panels) == 4
    with pytest.raises(UsageError) as err:
        Dashboard(runs, ["training_curves"], metric="bleu")
    assert len(str(err.value).splitlines()) == 2 and "test_acc" in str(err.value)


def test_metric_chooses_what_training_curves_draw(runs):
    d = Dashboard(runs[:1], ["training_curves", "singular_value_spectrum"])
    def curves() -> list[str]:  # trace names of the first panel (the training curves)
        return [t.name for t in d.figure(30).data[:d._source.compose(30)[1][0]]]

    both = curves()
    d.metric = "test_acc"
    shown = curves()
    assert d.panels[0].source.options == {"metrics": "accuracy"}
    assert d.panels[1].source.options == {}
    assert shown and all("acc" in n for n in shown)
    assert any("loss" in (n or "") for n in both)


def test_files_record_the_filters_and_metric_and_show_only_the_kept_runs(runs, tmp_path):
    d = Dashboard(runs, ["training_curves"], output_dir=str(tmp_path),
                  filters={"seed": [0]}, metric="loss", epoch=30)
    still = d.export("json")
    record = vizwidget.read_provenance(still)
    assert record["filters"] == {"seed": [0]} and record["metric"] == "loss"
    assert [p["variant"].rsplit("/", 1)[-1] for p in record["panels"]] == [
        "lr0.001_s0", "lr0.003_s0"]
    assert all(p["kwargs"]["metrics"] == "loss" for p in record["panels"])
    page = d.export("html").read_text()
    assert "lr0.003_s0" in page and "_s1" not in page
    d.filters = {}
    assert vizwidget.read_provenance(d.export("json"))["filters"] == {}


def test_a_running_export_writes_what_was_shown_when_it_started(runs, tmp_path):
    d = Dashboard(runs, ["training_curves"], output_dir=str(tmp_path), epoch=20)
    started = d.export_async("json")
    d.filters = {"seed": [0]}  # while the job runs (or before it starts)
    record = vizwidget.read_provenance(started.result(timeout=120))
    assert record["filters"] == {} and len(record["panels"]) == 4
    assert len(d.panels) == 2
