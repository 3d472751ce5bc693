"""Eval-score views from real inspect-ai logs (written offline) and tidy tables."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from inspect_offline import EPOCHS, expected_accuracy

from vizwidget import evals
from vizwidget.errors import (
    EvalTableError,
    MissingDependencyError,
    NotApplicableError,
    UsageError,
)
from vizwidget.scores import normalise_axis, wilson_interval, z_value

#: The per-scorer accuracy column of the offline logs.
ACC = evals.TableSpec(score_value="score_match_accuracy")

Z95 = 1.959963984540054


@pytest.fixture(scope="module")
def logs_table(inspect_logs) -> pd.DataFrame:
    return evals.load_eval_logs(inspect_logs)


def tidy(rows=None) -> pd.DataFrame:
    """A small hand-made table: 2 tasks × 3 models, samples, stderr, a factor."""
    rows = rows or [
        ("math", "a", 0.50, 40), ("math", "b", 0.75, 40), ("math", "c", 0.90, 40),
        ("code", "a", 0.20, 50), ("code", "b", 0.40, 50), ("code", "c", 0.30, 50),
    ]
    return pd.DataFrame(rows, columns=["task_name", "model", "score", "n"])


# -- intervals ---------------------------------------------------------------------------------
@pytest.mark.parametrize("p, n", [(0.5, 10), (0.0, 12), (1.0, 7), (0.83, 250), (0.031, 64)])
def test_wilson_equals_the_closed_form(p, n):
    z = Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo, hi = wilson_interval(p, n, 0.95)
    assert abs(float(lo) - max(0.0, centre - half)) < 1e-12
    assert abs(float(hi) - min(1.0, centre + half)) < 1e-12
    assert 0.0 <= lo <= p <= hi <= 1.0
    # the bounds solve (p - q)^2 = z^2 q (1 - q) / n, the definition of the Wilson interval
    for q in (float(lo), float(hi)):
        if 0 < q < 1:
            assert abs((p - q) ** 2 - z * z * q * (1 - q) / n) < 1e-12


def test_wilson_reference_values_and_levels():
    lo, hi = wilson_interval(0.5, 10)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.2366, 0.7634)
    assert z_value(0.95) == pytest.approx(Z95, abs=1e-12)
    wide = np.subtract(*wilson_interval(0.5, 10, 0.99)[::-1])
    narrow = np.subtract(*wilson_interval(0.5, 10, 0.8)[::-1])
    assert wide > hi - lo > narrow
    with pytest.raises(UsageError, match="between 0 and 1"):
        z_value(95)


# -- real inspect-ai logs ----------------------------------------------------------------------
def test_logs_load_with_scores_samples_epochs_and_factor(logs_table):
    df = logs_table
    assert len(df) == 2 * 3 * len(EPOCHS)
    for column in ("task_name", "model", "score_match_accuracy", "score_match_stderr",
                   "completed_samples", "metadata_checkpoint_epoch", "task_arg_hint"):
        assert column in df.columns
    for _, row in df.iterrows():
        model = row["model"].split("/")[1]
        hint = row["task_arg_hint"] is True
        expected = expected_accuracy(row["task_name"], model, row["metadata_checkpoint_epoch"],
                                     hint)
        assert row["score_match_accuracy"] == pytest.approx(expected, abs=1e-12)


def test_detect_metrics_splits_accuracy_from_supplementary(logs_table):
    metrics = evals.detect_metrics(logs_table)
    kinds = {m.column: (m.kind, m.display, m.scorer) for m in metrics}
    assert kinds["score_match_accuracy"] == ("accuracy", "accuracy", "match")
    assert kinds["score_risk_scorer_confidence_auc"] == ("supplementary", "AUC", "risk_scorer")
    assert "score_match_stderr" not in kinds and "score_headline_value" not in kinds
    assert [m.kind for m in metrics] == sorted(m.kind for m in metrics)  # accuracy first
    extra = pd.DataFrame({"task_name": ["t"], "model": ["m"], "score_cal_ece": [0.1],
                          "score_cal_brier_score": [0.2], "score_cal_stderr": [0.01],
                          "score_risk_scorer_cruijff_kit/auc_score": [0.7]})
    shown = {m.column: (m.display, m.lower_is_better) for m in evals.detect_metrics(extra)}
    assert shown == {"score_cal_ece": ("ECE", True),
                     "score_cal_brier_score": ("Brier score", True),
                     "score_risk_scorer_cruijff_kit/auc_score": ("AUC", False)}


def test_scores_by_task_pools_factor_levels_at_the_latest_checkpoint(logs_table):
    fig = evals.scores_by_task(logs_table, columns=ACC)
    assert sorted(t.name for t in fig.data) == ["offline/large", "offline/small"]
    last = EPOCHS[-1]
    for trace in fig.data:
        model = trace.name.split("/")[1]
        for task, y, (n, lo, hi, _) in zip(trace.x, trace.y, trace.customdata, strict=True):
            if task == "addition":  # both hint levels, 20 samples each, pooled
                expected = (expected_accuracy(task, model, last)
                            + expected_accuracy(task, model, last, True)) / 2
                assert n == 40
            else:
                expected = expected_accuracy(task, model, last)
                assert n == 10
            assert y == pytest.approx(expected, abs=1e-12)
            w_lo, w_hi = wilson_interval(y, n)
            assert (lo, hi) == pytest.approx((float(w_lo), float(w_hi)), abs=1e-12)
            assert 0 <= lo <= y <= hi <= 1
    assert "latest checkpoint" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "match accuracy (95 % Wilson)"


def test_epoch_selects_a_checkpoint(logs_table):
    fig = evals.scores_by_task(logs_table, epoch=100, columns=ACC)
    small = next(t for t in fig.data if t.name == "offline/small")
    assert dict(zip(small.x, small.y, strict=True))["doubling"] == pytest.approx(
        expected_accuracy("doubling", "small", 100))
    assert fig.layout.title.text.endswith("epoch 100")
    with pytest.raises(EvalTableError, match="100, 200, 300"):
        evals.scores_by_task(logs_table, epoch=150)


def test_stderr_intervals_when_the_sample_count_is_unknown():
    table = tidy().drop(columns="n").assign(stderr=0.05)
    fig = evals.scores_by_task(table, columns={"score_stderr": "stderr"})
    a = next(t for t in fig.data if t.name == "a")
    assert a.customdata[0][1] == pytest.approx(0.5 - Z95 * 0.05, abs=1e-12)
    assert a.error_y.array[0] == pytest.approx(Z95 * 0.05, abs=1e-12)
    assert evals.scores_by_task(table, ci=None).data[0].error_y.array is None


def test_heatmap_cells_and_the_diagonal_skip(logs_table):
    fig = evals.scores_heatmap(logs_table, epoch=200, columns=ACC)
    heat = fig.data[0]
    assert sorted(heat.y) == ["offline/large", "offline/small"]
    assert sorted(heat.x) == ["addition", "doubling"]
    cell = heat.z[list(heat.y).index("offline/large")][list(heat.x).index("doubling")]
    assert cell == pytest.approx(expected_accuracy("doubling", "large", 200))
    assert heat.text[list(heat.y).index("offline/large")][list(heat.x).index("doubling")] == \
        f"{cell:.3f}"
    diagonal = pd.DataFrame({"task_name": ["t1", "t2", "t3"], "model": ["m1", "m2", "m3"],
                             "score": [0.1, 0.5, 0.9]})
    with pytest.raises(NotApplicableError, match="diagonal") as info:
        evals.scores_heatmap(diagonal)
    assert len(str(info.value).splitlines()) == 2


def test_scores_by_model_needs_one_task(logs_table):
    with pytest.raises(NotApplicableError, match="scores_heatmap or scores_by_task"):
        evals.scores_by_model(logs_table)
    fig = evals.scores_by_model(logs_table, task="doubling", columns=ACC)
    bars = fig.data[0]
    assert list(bars.y) == ["offline/large", "offline/small"]  # best first
    assert list(bars.x) == pytest.approx([expected_accuracy("doubling", "large", 300),
                                          expected_accuracy("doubling", "small", 300)])
    with pytest.raises(NotApplicableError, match="addition, doubling"):
        evals.scores_by_model(logs_table, task="nope")


def test_scores_by_factor_shows_the_hint_effect(logs_table):
    fig = evals.scores_by_factor(logs_table, factor="task_arg_hint",
                                 factor_labels=("no hint", "hint"),
                                 columns=ACC)
    off, on = fig.data
    assert (off.name, on.name) == ("no hint", "hint")
    # only addition has the factor (doubling rows have none), so the bars are per model
    assert sorted(on.x) == sorted(off.x) == ["offline/large", "offline/small"]
    for trace, hint in ((off, False), (on, True)):
        values = dict(zip(trace.x, trace.y, strict=True))
        for model in ("small", "large"):
            assert values[f"offline/{model}"] == pytest.approx(
                expected_accuracy("addition", model, 300, hint))
    # detected without factor= (the task argument is the boolean column with both values)
    auto = evals.scores_by_factor(logs_table)
    assert auto.layout.legend.title.text == "hint"
    assert [t.name for t in auto.data] == ["hint = False", "hint = True"]
    with pytest.raises(NotApplicableError, match="boolean"):
        evals.scores_by_factor(tidy())


def test_radar_normalisations_and_inversion():
    table = pd.concat([tidy(), tidy([("read", m, s, 30) for m, s in
                                     (("a", 0.9), ("b", 0.6), ("c", 0.6))])])
    fig = evals.scores_radar(table, normalize="min_max")
    assert [t.name for t in fig.data] == ["a", "b", "c"]
    b = fig.data[1]
    assert list(b.theta) == ["math", "code", "read", "math"]  # closed polygon
    assert list(b.r) == pytest.approx([0.625, 1.0, 0.0, 0.625])  # (.75-.5)/.4, top, bottom
    assert list(b.customdata) == pytest.approx([0.75, 0.40, 0.60, 0.75])
    inverted = evals.scores_radar(table, normalize="min_max", invert=["code"])
    assert inverted.data[1].r[1] == pytest.approx(0.0) and "code (inverted)" in \
        inverted.data[1].theta
    pct = evals.scores_radar(table, normalize="percentile").data[1].r
    assert list(pct[:3]) == pytest.approx([2 / 3, 1.0, 0.5])  # ranks 2/3, 3/3, tie (1.5)/3
    absolute = evals.scores_radar(table, normalize="absolute", domain=(0, 1))
    assert list(absolute.data[0].r[:3]) == pytest.approx([0.5, 0.2, 0.9])
    assert list(normalise_axis(np.array([1.0, 2.0, 3.0]), "absolute", True, (0, 4))) == [3, 2, 1]
    with pytest.raises(NotApplicableError, match="at least 3"):
        evals.scores_radar(tidy())


def test_radar_over_metrics_inverts_lower_is_better_ones():
    table = pd.DataFrame({"task_name": ["t"] * 3, "model": ["a", "b", "c"],
                          "score_s_accuracy": [0.5, 0.7, 0.9], "score_s_stderr": [0.01] * 3,
                          "score_cal_ece": [0.3, 0.1, 0.2], "score_cal_stderr": [0.01] * 3,
                          "score_risk_scorer_cruijff_kit/auc_score": [0.6, 0.8, 0.7]})
    fig = evals.scores_radar(table, axes="metrics")
    assert list(fig.data[0].theta[:3]) == ["s accuracy", "cal ECE (inverted)", "AUC"]
    assert list(fig.data[1].r[:3]) == pytest.approx([0.5, 1.0, 1.0])  # b: lowest ECE is best


def test_scores_over_epochs_lines_and_bands(logs_table):
    fig = evals.scores_over_epochs(logs_table, by="both", columns=ACC,
                                   current_epoch=200)
    lines = {t.name: t for t in fig.data if not t.name.endswith(" CI")}
    bands = [t for t in fig.data if t.name.endswith(" CI")]
    assert len(lines) == 4 and len(bands) == 4
    doubling = lines["offline/small · doubling"]
    assert list(doubling.x) == list(EPOCHS)
    assert list(doubling.y) == pytest.approx([expected_accuracy("doubling", "small", e)
                                              for e in EPOCHS])
    band = next(t for t in bands if t.name == "offline/small · doubling CI")
    lo, hi = wilson_interval(np.asarray(doubling.y), 10)
    assert list(band.y) == pytest.approx([*hi, *lo[::-1]], abs=1e-12)
    assert any(s.x0 == 200 for s in fig.layout.shapes)
    with pytest.raises(NotApplicableError, match="epoch"):
        evals.scores_over_epochs(tidy())


def test_missing_columns_and_dependencies_say_what_to_do(monkeypatch, tmp_path):
    with pytest.raises(EvalTableError, match="'score_value'") as info:
        evals.scores_by_task(tidy(), columns={"score_value": "nope"})
    assert len(str(info.value).splitlines()) == 2
    monkeypatch.setitem(sys.modules, "inspect_ai", None)
    (tmp_path / "x.eval").write_bytes(b"PK")
    with pytest.raises(MissingDependencyError, match=r"vizwidget\[inspect\]"):
        evals.load_eval_logs(tmp_path)


def test_tables_from_csv_and_json_files(tmp_path):
    table = tidy()
    table.to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "t.json").write_text(table.to_json(orient="records"))
    for path in (tmp_path / "t.csv", tmp_path / "t.json", str(tmp_path / "t.csv")):
        fig = evals.scores_by_task(path)
        assert sorted(t.name for t in fig.data) == ["a", "b", "c"]
    with pytest.raises(EvalTableError, match="No such eval table"):
        evals.scores_by_task(tmp_path / "missing.csv")


def test_import_vizwidget_stays_free_of_pandas():
    code = ("import sys, time; t = time.perf_counter(); import vizwidget; "
            "dt = time.perf_counter() - t; vizwidget.visualizations(); "
            "print(dt, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert float(out[0]) <= 0.3 and out[1] == "False"


def test_json_figure_of_every_view_is_valid(logs_table):
    for view in (evals.scores_by_task, evals.scores_heatmap, evals.scores_by_factor):
        assert json.loads(view(logs_table).to_json())["data"]


def test_a_model_keeps_its_colour_in_every_view_whoever_else_is_shown():
    from vizwidget.colors import assign_colors, color_of, translucent

    table = pd.concat([tidy(), tidy([("read", m, s, 30) for m, s in
                                     (("a", 0.9), ("b", 0.6), ("c", 0.6))])])
    expected = assign_colors(["a", "b", "c"])
    by_task = {t.name: t.marker.color for t in evals.scores_by_task(table).data}
    radar = evals.scores_radar(table).data
    by_model = evals.scores_by_model(table, task="math").data[0]
    assert by_task == expected
    assert {t.name: t.line.color for t in radar} == expected
    assert {t.name: t.fillcolor for t in radar} == {
        name: translucent(c, 0.12) for name, c in expected.items()}
    assert dict(zip(by_model.y, by_model.marker.color, strict=True)) == expected
    # by name, not by position: without "a", "c" keeps its colour and "b", which gave way
    # to "a" (same colour, later name), takes its own
    without_a = evals.scores_by_task(table[table["model"] != "a"]).data
    assert {t.name: t.marker.color for t in without_a} == {"b": color_of("b"),
                                                           "c": expected["c"]}
    assert color_of("b") != expected["b"] and expected["c"] == color_of("c")
