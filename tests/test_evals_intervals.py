"""Eval intervals checked against statsmodels/scipy, one method per figure, paired differences,
and validation of eval inputs (score cells, file names, ci)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from inspect_offline import expected_accuracy
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from vizwidget import evals
from vizwidget.cli import main
from vizwidget.errors import EvalTableError, NotApplicableError, UsageError
from vizwidget.scores import interval_label, mean_stderr, normal_interval, wilson_interval

Z95 = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def logs_table(inspect_logs) -> pd.DataFrame:
    return evals.load_eval_logs(inspect_logs)


@pytest.fixture(scope="module")
def samples(inspect_logs) -> pd.DataFrame:
    return evals.load_eval_samples(inspect_logs)


@pytest.fixture(scope="module")
def repeated_logs(tmp_path_factory):
    """Real logs with inspect epochs = 2; offline/large ran 8 of the 10 samples."""
    pytest.importorskip("inspect_ai")
    from inspect_offline import write_repeated_logs

    root = tmp_path_factory.mktemp("repeated")
    with pytest.MonkeyPatch.context() as env:
        for name in ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            env.setenv(name, str(root / "home" / name.lower()))
        env.setenv("INSPECT_DISPLAY", "none")
        return write_repeated_logs(root / "logs")


def _raw(logs) -> pd.DataFrame:
    """inspect-ai's own samples_df joined with evals_df, read independently of vizwidget."""
    from inspect_ai.analysis import evals_df, samples_df

    s = samples_df(str(logs), quiet=True)
    e = evals_df(str(logs), quiet=True)
    e = e[[c for c in ("eval_id", "model", "task_name", "task_arg_hint", "epochs")
           if c in e.columns]]
    s = s.merge(e, on="eval_id")
    s["y"] = s["score_match"].map({"C": 1.0, "I": 0.0})
    return s


# -- the numbers against statsmodels and scipy --------------------------------------------------
@pytest.mark.parametrize("count, n", [(5, 10), (0, 12), (7, 7), (208, 250), (2, 64)])
@pytest.mark.parametrize("ci", [0.8, 0.95, 0.99])
def test_wilson_equals_statsmodels(count, n, ci):
    lo, hi = wilson_interval(count / n, n, ci)
    ref = proportion_confint(count, n, alpha=1 - ci, method="wilson")
    assert (float(lo), float(hi)) == pytest.approx(ref, abs=1e-12)


def test_clt_interval_equals_scipy():
    values = np.random.default_rng(3).uniform(0, 1, 37)
    mean, se, n, g = mean_stderr(values)
    assert (n, g) == (37, 37)
    assert mean == pytest.approx(values.mean(), abs=1e-15)
    assert se == pytest.approx(stats.sem(values), rel=1e-12)
    lo, hi = normal_interval(mean, se, 0.9)
    assert (float(lo), float(hi)) == pytest.approx(
        stats.norm.interval(0.9, loc=mean, scale=stats.sem(values)), rel=1e-12)


def _ols_cluster_se(values, groups, correction=True) -> float:
    fit = sm.OLS(np.asarray(values, float), np.ones(len(values))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(pd.Series(groups))[0],
                                      "use_correction": correction})
    return float(fit.bse[0])


def test_clustered_se_equals_statsmodels_and_the_paper():
    rng = np.random.default_rng(7)
    groups = np.repeat(np.arange(15), rng.integers(1, 6, 15))
    values = rng.normal(0, 1, 15)[groups] + rng.normal(0, 0.5, groups.size)
    mean, se, n, g = mean_stderr(values, groups)
    assert (n, g) == (groups.size, 15)
    # statsmodels' default small-sample correction on an intercept-only model is G/(G-1)
    assert se == pytest.approx(_ols_cluster_se(values, groups), rel=1e-10)
    # arXiv 2411.00640 (no correction) times sqrt(G/(G-1))
    paper = math.sqrt(sum(np.sum(values[groups == c] - values.mean()) ** 2
                          for c in range(15))) / n
    assert se == pytest.approx(paper * math.sqrt(15 / 14), rel=1e-12)
    assert paper == pytest.approx(_ols_cluster_se(values, groups, False), rel=1e-10)
    # one sample per cluster: exactly the CLT standard error
    assert mean_stderr(values, np.arange(n))[1] == pytest.approx(stats.sem(values), rel=1e-12)


def test_interval_labels():
    assert interval_label("wilson", 0.95) == "95 % Wilson"
    assert interval_label("se", 0.95) == "95 % CI, ±1.96 SE"
    assert interval_label("clustered", 0.9) == "90 % CI, clustered SE"
    assert interval_label("se", None) == ""


# -- one method per figure -----------------------------------------------------------------------
def test_one_method_per_figure_when_a_row_lacks_its_count():
    table = pd.DataFrame({"task_name": ["t1", "t2", "t3"], "model": ["m"] * 3,
                          "score": [0.5, 0.7, 0.9], "n": [40, np.nan, 30],
                          "stderr": [0.08, 0.05, 0.05], "binary": [True] * 3})
    fig = evals.scores_by_task(table)
    bar = fig.data[0]
    assert fig.layout.yaxis.title.text == "score (95 % CI, ±1.96 SE)"
    for y, se, (_, lo, hi, _) in zip(bar.y, table["stderr"], bar.customdata, strict=True):
        assert (lo, hi) == pytest.approx((y - Z95 * se, y + Z95 * se), abs=1e-12)
    with_counts = table.assign(n=[40, 20, 30])
    fig = evals.scores_by_task(with_counts)
    assert fig.layout.yaxis.title.text == "score (95 % Wilson)"
    for y, n, (_, lo, hi, _) in zip(fig.data[0].y, with_counts["n"], fig.data[0].customdata,
                                    strict=True):
        assert (lo, hi) == pytest.approx(proportion_confint(round(y * n), n, method="wilson"),
                                         abs=1e-12)


def test_means_of_fractions_do_not_get_wilson():
    rows = [("t", "m", str(i), v) for i, v in enumerate([0.5, 0.25, 1.0, 0.75, 0.0, 0.5])]
    table = pd.DataFrame(rows, columns=["task_name", "model", "sample_id", "score"])
    fig = evals.scores_by_task(table)
    n, lo, hi, _ = fig.data[0].customdata[0]
    assert fig.layout.yaxis.title.text == "score (95 % CI, ±1.96 SE)"
    assert n == 6
    assert (lo, hi) == pytest.approx(stats.norm.interval(0.95, loc=table["score"].mean(),
                                                         scale=stats.sem(table["score"])))
    # an eval table of such means with a count but no 0/1 flag gets no Wilson interval either
    agg = pd.DataFrame({"task_name": ["t"], "model": ["m"], "score": [0.5], "n": [6]})
    fig = evals.scores_by_task(agg)
    assert fig.data[0].error_y.array is None
    assert "no interval" in fig.layout.yaxis.title.text


def test_a_supplementary_metric_does_not_borrow_the_accuracy_stderr(logs_table):
    auc = "score_risk_scorer_confidence_auc"
    info = next(m for m in evals.detect_metrics(logs_table) if m.column == auc)
    assert info.stderr is None and info.binary is None
    fig = evals.scores_by_task(logs_table, columns={"score_value": auc})
    assert fig.data[0].error_y.array is None
    assert fig.layout.yaxis.title.text == "risk_scorer AUC (no interval: no standard error)"
    accuracy = next(m for m in evals.detect_metrics(logs_table)
                    if m.column == "score_risk_scorer_accuracy")
    assert accuracy.stderr == "score_risk_scorer_stderr"
    assert accuracy.binary == "score_risk_scorer_binary"


def test_sample_tables_give_the_same_numbers_as_the_eval_table(logs_table, samples):
    fig = evals.scores_by_task(samples, columns={"score_value": "score_match"})
    ref = evals.scores_by_task(logs_table, columns={"score_value": "score_match_accuracy"})
    assert fig.layout.yaxis.title.text == "match (95 % Wilson)"
    for a, b in zip(fig.data, ref.data, strict=True):
        assert a.name == b.name and list(a.x) == list(b.x)
        assert list(a.y) == pytest.approx(list(b.y), abs=1e-12)
        assert np.asarray(a.customdata)[:, :3] == pytest.approx(np.asarray(b.customdata)[:, :3])


def test_repeated_samples_get_clustered_intervals(repeated_logs):
    table = evals.load_eval_samples(repeated_logs)
    raw = _raw(repeated_logs)
    assert set(raw["epochs"]) == {2}
    fig = evals.scores_by_model(table, columns={"score_value": "score_match"})
    assert fig.layout.xaxis.title.text == "match (95 % CI, clustered SE)"
    for model, (n, lo, hi, clusters) in zip(fig.data[0].y, fig.data[0].customdata,
                                            strict=True):
        part = raw[raw["model"] == model]
        se = _ols_cluster_se(part["y"], part["id"])
        assert (n, clusters) == (len(part), part["id"].nunique())
        assert (lo, hi) == pytest.approx((part["y"].mean() - Z95 * se,
                                          part["y"].mean() + Z95 * se), abs=1e-12)
    # the eval table of the same logs: inspect's stderr, and no Wilson (samples repeat)
    logs = evals.load_eval_logs(repeated_logs)
    assert not logs["score_match_binary"].any()
    fig = evals.scores_by_model(logs, columns={"score_value": "score_match_accuracy"})
    assert fig.layout.xaxis.title.text == "match accuracy (95 % CI, ±1.96 SE)"


def test_a_cluster_column_clusters():
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"task_name": "t", "model": "m", "sample_id": [str(i) for i in
                                                                         range(30)],
                          "passage": np.repeat(np.arange(6), 5),
                          "score": rng.integers(0, 2, 30).astype(float)})
    fig = evals.scores_by_task(table, columns={"cluster": "passage"})
    n, lo, hi, g = fig.data[0].customdata[0]
    se = _ols_cluster_se(table["score"], table["passage"])
    assert (n, g) == (30, 6)
    assert hi - lo == pytest.approx(2 * Z95 * se, abs=1e-12)
    assert fig.layout.yaxis.title.text == "score (95 % CI, clustered SE)"
    with pytest.raises(EvalTableError, match="per-sample"):
        evals.scores_by_task(table.drop(columns="sample_id"), columns={"cluster": "passage"})


def test_every_bar_and_point_shows_its_count(logs_table):
    figs = [evals.scores_by_task(logs_table), evals.scores_by_model(logs_table, task="doubling"),
            evals.scores_by_factor(logs_table), evals.scores_over_epochs(logs_table),
            evals.scores_heatmap(logs_table)]
    for fig in figs:
        for trace in fig.data:
            if trace.hoverinfo == "skip":  # a band
                continue
            assert "n = %{customdata" in trace.hovertemplate
            assert np.isfinite(np.asarray(trace.customdata, float)).any()


# -- paired comparison ----------------------------------------------------------------------------
def test_paired_difference_equals_ttest_rel(samples):
    table = evals.paired_differences(samples, "offline/small", "offline/large",
                                     columns={"score_value": "score_match"})
    assert list(table["task"]) == ["doubling", "addition"] or set(table["task"]) == {
        "doubling", "addition"}
    doubling = table[table["task"] == "doubling"].iloc[0]
    assert doubling["difference"] == pytest.approx(
        expected_accuracy("doubling", "large", 300) - expected_accuracy("doubling", "small", 300))
    # addition: both hint levels, the same 20 sample ids each, matched within a level
    assert table[table["task"] == "addition"].iloc[0]["n"] == 40
    checkpoint = samples[samples["metadata_checkpoint_epoch"] == 300]
    for task, part in checkpoint.groupby("task_name"):
        part = part.assign(key=part["task_arg_hint"].astype(str) + part["sample_id"])
        a = part[part["model"] == "offline/small"].set_index("key")["score_match"]
        b = part[part["model"] == "offline/large"].set_index("key")["score_match"]
        a, b = a.align(b, join="inner")
        t = stats.ttest_rel(b, a).statistic
        d = (b - a).to_numpy()
        row = table[table["task"] == task].iloc[0]
        assert row["difference"] == pytest.approx(d.mean(), abs=1e-12)
        assert row["stderr"] == pytest.approx(d.mean() / t, rel=1e-10)
        assert (row["lo"], row["hi"]) == pytest.approx(
            stats.norm.interval(0.95, loc=d.mean(), scale=d.mean() / t), rel=1e-10)
        assert row["unmatched_a"] == row["unmatched_b"] == 0
    assert table.attrs["interval"] == "95 % CI, ±1.96 SE"


def test_paired_difference_clusters_repeats_and_counts_unmatched(repeated_logs):
    table = evals.load_eval_samples(repeated_logs)
    row = evals.paired_differences(table, "offline/small", "offline/large").iloc[0]
    raw = _raw(repeated_logs)
    a = raw[raw["model"] == "offline/small"].set_index(["id", "epoch"])["y"]
    b = raw[raw["model"] == "offline/large"].set_index(["id", "epoch"])["y"]
    a, b = a.align(b, join="inner")
    d = b - a
    se = _ols_cluster_se(d.to_numpy(), d.index.get_level_values("id"))
    assert (row["n"], row["clusters"]) == (16, 8)
    assert (row["unmatched_a"], row["unmatched_b"]) == (4, 0)
    assert row["difference"] == pytest.approx(d.mean(), abs=1e-12)
    assert row["stderr"] == pytest.approx(se, rel=1e-10)
    fig = evals.paired_difference(repeated_logs, model_a="offline/small",
                                  model_b="offline/large")
    bar = fig.data[0]
    assert list(bar.text) == ["n = 16"]
    assert fig.layout.yaxis.title.text == "match difference (95 % CI, clustered SE)"
    assert fig.layout.title.text == "match: offline/large − offline/small, paired by sample"
    assert "4 samples of offline/small and 0 of offline/large had no partner" in \
        fig.layout.annotations[0].text
    with pytest.raises(NotApplicableError, match="per-sample"):
        evals.paired_difference(evals.load_eval_logs(repeated_logs))


def test_report_and_cli_show_the_paired_comparison(inspect_logs, tmp_path, capsys):
    code = main(["evals", str(inspect_logs), "--out", str(tmp_path / "o"), "--formats", "html",
                 "--paired", "offline/small", "offline/large", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["ok"]
    doubling = next(r for r in payload["paired"] if r["task"] == "doubling")
    assert doubling["n"] == 10 and doubling["difference"] == pytest.approx(
        expected_accuracy("doubling", "large", 300) - expected_accuracy("doubling", "small", 300))
    md = (tmp_path / "o" / "report.md").read_text()
    assert "## Paired comparison — match accuracy: offline/large − offline/small" in md
    assert f"| doubling | 10 | {doubling['mean_a']:.3f} | {doubling['mean_b']:.3f} | " in md
    assert "0 samples of A and 0 of B had no partner" in md
    assert (tmp_path / "o" / "paired_difference.html").is_file()
    assert "Paired comparison" in (tmp_path / "o" / "index.html").read_text()
    # an eval table alone cannot be paired: said before anything is written
    with pytest.raises(UsageError, match="per-sample"):
        evals.export_eval_report(evals.load_eval_logs(inspect_logs), tmp_path / "p",
                                 paired=("offline/small", "offline/large"))
    assert not (tmp_path / "p").exists()


# -- validation -----------------------------------------------------------------------------------
def test_score_cells_that_are_not_numbers_are_an_error(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"task_name": ["t"] * 4, "model": list("abcd"),
                  "score": ["0.5", "oops", "0.7", "high"]}).to_csv(path, index=False)
    with pytest.raises(EvalTableError) as info:
        evals.scores_by_task(path)
    message = str(info.value)
    assert len(message.splitlines()) == 2
    assert str(path) in message and "'score'" in message and "2 of 4 cells" in message
    assert main(["evals", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "2 of 4 cells" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_task_names_that_sanitise_alike_get_distinct_files(tmp_path):
    table = pd.DataFrame({"task_name": ["x/y", "x/y", "x y", "x y"], "model": ["a", "b"] * 2,
                          "score": [0.2, 0.4, 0.6, 0.8], "stderr": [0.05] * 4})
    report = evals.export_eval_report(table, tmp_path, formats="csv")
    files = {v.name: v.files for v in report.views if v.view == "scores_by_model"}
    assert set(files) == {"scores_by_model_x/y", "scores_by_model_x y"}
    first, second = (files[k][0] for k in sorted(files))
    assert first != second and all(p.startswith(str(tmp_path)) for p in (first, second))
    values = {k: pd.read_csv(v[0])["x"].tolist() for k, v in files.items()}
    assert values == {"scores_by_model_x/y": [0.4, 0.2], "scores_by_model_x y": [0.8, 0.6]}


@pytest.mark.parametrize("ci", [95, 1.0, 0.0, -0.5, True])
def test_ci_outside_the_unit_interval_is_a_usage_error_before_writing(tmp_path, capsys, ci):
    table = pd.DataFrame({"task_name": ["t"], "model": ["m"], "score": [0.5]})
    with pytest.raises(UsageError, match="between 0 and 1"):
        evals.export_eval_report(table, tmp_path / "api", ci=ci)
    with pytest.raises(UsageError):
        evals.scores_by_task(table, ci=ci)
    assert not (tmp_path / "api").exists()
    csv = tmp_path / "t.csv"
    table.to_csv(csv, index=False)
    if not isinstance(ci, bool) and ci > 0:  # --ci takes positive numbers only
        assert main(["evals", str(csv), "--ci", str(ci), "--out", str(tmp_path / "cli")]) == 2
        err = capsys.readouterr().err
        assert "between 0 and 1" in err and len(err.strip().splitlines()) == 1
        assert not (tmp_path / "cli").exists()


def test_paired_difference_is_a_registered_view_of_sample_artifacts(repeated_logs, tmp_path):
    from vizwidget.registry import render_visualization

    samples = evals.load_eval_samples(repeated_logs)
    evals.save_eval_artifacts(samples, tmp_path / "run")
    fig = render_visualization("paired_difference", tmp_path / "run", 100,
                               model_a="offline/small", model_b="offline/large")
    direct = evals.paired_difference(samples, 100, model_a="offline/small",
                                     model_b="offline/large")
    assert list(fig.data[0].y) == pytest.approx(list(direct.data[0].y), abs=1e-12)
    assert list(fig.data[0].customdata[0][:3]) == pytest.approx(
        list(direct.data[0].customdata[0][:3]), abs=1e-12)
    assert fig.layout.title.text.endswith("epoch 100")
