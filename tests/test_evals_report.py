"""Eval report, CLI, run artifacts through the registry (widget, animation, batch), CSV."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from inspect_offline import EPOCHS, expected_accuracy
from PIL import Image

from vizwidget import evals, export_animation
from vizwidget.batch import export_batch
from vizwidget.cli import main
from vizwidget.export import AnimationOptions, ImageOptions, figure_to_bytes
from vizwidget.registry import render_visualization
from vizwidget.runs import ArtifactLoader
from vizwidget.widget import ExportWidget

SLASH = "score_risk_scorer_cruijff_kit/auc_score"


@pytest.fixture(scope="module")
def logs_table(inspect_logs) -> pd.DataFrame:
    return evals.load_eval_logs(inspect_logs)


@pytest.fixture(scope="module")
def eval_run(logs_table, tmp_path_factory):
    """A run directory holding the logs' table as artifacts/evals/epoch_N.json."""
    run = tmp_path_factory.mktemp("evalrun") / "run"
    evals.save_eval_artifacts(logs_table, run)
    return run


def slash_table() -> pd.DataFrame:
    return pd.DataFrame({"task_name": ["t1", "t1", "t2", "t2"], "model": ["a", "b", "a", "b"],
                         "score_s_accuracy": [0.6, 0.8, 0.5, 0.7],
                         "score_s_stderr": [0.05] * 4, "completed_samples": [50] * 4,
                         SLASH: [0.62, 0.71, 0.55, 0.80]})


def test_report_writes_views_comparison_and_skips(logs_table, tmp_path):
    report = evals.export_eval_report(
        logs_table, tmp_path / "rep", image=ImageOptions(500, 350, 1),
        columns=evals.TableSpec(score_value="score_match_accuracy"))
    assert report.ok and report.index.is_file() and report.report.is_file()
    names = {v.name: v for v in report.views}
    assert names["scores_by_task"].status == "written"
    with Image.open(tmp_path / "rep" / "scores_by_task.png") as img:
        assert img.size == (500, 350)
    assert "<html" in (tmp_path / "rep" / "scores_heatmap.html").read_text()[:300].lower()
    assert names["scores_radar_tasks"].status == "skipped"
    assert "at least 3" in names["scores_radar_tasks"].reason
    for task in ("addition", "doubling"):
        assert names[f"scores_by_model_{task}"].status == "written"
    md = report.report.read_text()
    large = (expected_accuracy("addition", "large", 300)
             + expected_accuracy("addition", "large", 300, True)) / 2
    assert f"| addition | **offline/large** | {large:.3f} |" in md
    assert "(95 % Wilson) | 40 |" in md and "## Best model per task" in md
    assert "## Skipped (1)" in md and "scores_radar_tasks" in md and "## Failed (0)" in md
    best = {r["task"]: r["model"] for r in report.comparison if r["best"]}
    assert best == {"addition": "offline/large", "doubling": "offline/large"}
    page = report.index.read_text()
    assert "scores_over_epochs.png" in page and "Skipped (1)" in page


def test_a_failing_view_does_not_stop_the_others(monkeypatch, tmp_path):
    from vizwidget.evals import _report

    def broken(*args, **kwargs):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(_report, "scores_heatmap", broken)
    report = evals.export_eval_report(slash_table(), tmp_path, formats="html")
    assert not report.ok
    assert [v.name for v in report.failed] == ["scores_heatmap"]
    assert "RuntimeError: renderer bug" in report.failed[0].reason
    assert (tmp_path / "scores_by_task.html").is_file()
    assert "## Failed (1)" in report.report.read_text()


def test_slash_metric_exports_with_a_sanitised_file_name(tmp_path):
    report = evals.export_eval_report(slash_table(), tmp_path, formats="html,csv")
    stem = "scores_by_task_score_risk_scorer_cruijff_kit_auc_score"
    assert (tmp_path / f"{stem}.html").is_file() and (tmp_path / f"{stem}.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == []
    fig = evals.scores_by_task(slash_table(), columns={"score_value": SLASH})
    assert fig.layout.yaxis.title.text == "AUC (no interval: no standard error)"
    rows = list(csv.DictReader(io.StringIO((tmp_path / f"{stem}.csv").read_text())))
    assert [float(r["y"]) for r in rows] == [0.62, 0.55, 0.71, 0.80]
    assert report.ok


def test_cli_evals_on_logs_and_tables(inspect_logs, tmp_path, capsys):
    code = main(["evals", str(inspect_logs), "--out", str(tmp_path / "o"), "--formats", "html",
                 "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["ok"] and payload["command"] == "evals"
    assert [s["name"] for s in payload["skipped"]] == ["scores_radar_tasks"]
    assert all((tmp_path / "o" / p).exists() for p in payload["written"])
    table = tmp_path / "t.csv"
    slash_table().to_csv(table, index=False)
    assert main(["evals", str(table), "--out", str(tmp_path / "s"), "--formats", "csv",
                 "--metric", SLASH, "-q"]) == 0
    assert (tmp_path / "s" / "scores_heatmap.csv").is_file()
    capsys.readouterr()
    assert main(["evals", str(table), "--metric", "nope", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "'score_value'" in err and len(err.strip().splitlines()) == 1
    assert main(["evals", str(tmp_path / "missing"), "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


def test_run_artifacts_feed_the_registry_widget_and_animation(eval_run, logs_table, tmp_path):
    loader = ArtifactLoader(eval_run)
    assert loader.epochs("evals") == list(EPOCHS)
    via_registry = render_visualization("scores_by_task", eval_run, 200,
                                        columns={"score_value": "score_match_accuracy"})
    direct = evals.scores_by_task(logs_table, 200, columns={"score_value": "score_match_accuracy"})
    assert [list(t.y) for t in via_registry.data] == [list(t.y) for t in direct.data]
    over = render_visualization("scores_over_epochs", eval_run, 200,
                                columns={"score_value": "score_match_accuracy"})
    line = next(t for t in over.data if t.name == "offline/small · doubling")
    assert list(line.y) == pytest.approx([expected_accuracy("doubling", "small", e)
                                          for e in EPOCHS])
    widget = ExportWidget.from_variant(eval_run, "scores_heatmap")
    assert list(widget.epochs) == list(EPOCHS)
    assert widget.figure(100).layout.title.text.endswith("epoch 100")
    gif = export_animation("scores_by_task", eval_run, None, tmp_path / "sweep.gif",
                           options=AnimationOptions(width=300, height=200, scale=1))
    with Image.open(gif) as img:
        assert img.n_frames == len(EPOCHS)


def test_batch_records_not_applicable_views_as_skipped(tmp_path):
    diagonal = pd.DataFrame({"task_name": ["t1", "t2", "t3"], "model": ["m1", "m2", "m3"],
                             "score": [0.2, 0.5, 0.9], "n": [20, 20, 20]})
    run = tmp_path / "diag"
    evals.save_eval_artifacts(diagonal, run)
    result = export_batch(run, formats="png", output_dir=tmp_path / "out",
                          image=ImageOptions(300, 200, 1))
    skipped = {r.visualization for r in result.skipped}
    assert {"scores_heatmap", "scores_by_model", "scores_by_factor",
            "scores_over_epochs"} <= skipped
    assert result.ok and not result.failed
    assert {r.visualization for r in result.succeeded} >= {"scores_by_task", "scores_radar"}
    report = result.report.read_text()
    assert "## Skipped: not applicable" in report and "diagonal" in report
    assert result.to_dict()["skipped"]


def _numbers(cells: list[str]) -> list[float]:
    return [float(c) if c else float("nan") for c in cells]


@pytest.mark.parametrize("view", ["scores_by_task", "scores_heatmap", "scores_radar",
                                  "scores_by_factor", "scores_by_model", "scores_over_epochs"])
def test_csv_of_every_eval_view_equals_its_arrays(eval_run, view):
    options = {"scores_by_model": {"task": "doubling"},
               "scores_radar": {"axes": "metrics"}}.get(view, {})
    fig = render_visualization(view, eval_run, 300 if view != "scores_over_epochs" else None,
                               **options)
    rows = list(csv.DictReader(io.StringIO(figure_to_bytes(fig, "csv").decode())))
    for k, trace in enumerate(fig.data):
        label = trace.name or f"trace {k}"
        mine = [r for r in rows if r["trace"] == label]
        if trace.type == "heatmap":
            z = np.asarray(trace.z, dtype=float)
            assert _numbers([r["z"] for r in mine]) == pytest.approx(z.ravel().tolist(),
                                                                     nan_ok=True)
        elif trace.type == "scatterpolar":
            assert _numbers([r["r"] for r in mine]) == pytest.approx(list(trace.r))
            assert [r["theta"] for r in mine] == list(trace.theta)
        else:
            assert len(mine) == len(trace.x) > 0
            for axis in ("x", "y"):
                for row, value in zip(mine, getattr(trace, axis), strict=True):
                    if isinstance(value, str):
                        assert row[axis] == value
                    else:
                        assert float(row[axis]) == pytest.approx(float(value), abs=1e-12)


MAGIC = {"png": b"\x89PNG", "jpeg": b"\xff\xd8\xff", "webp": b"RIFF", "svg": b"<svg",
         "pdf": b"%PDF-", "html": b"<html", "json": b"{", "csv": b"trace,type,point,x,y"}


def test_eval_views_export_in_every_still_format(tmp_path):
    from vizwidget import export_figure
    from vizwidget.formats import STILL_FORMATS

    assert set(STILL_FORMATS) == set(MAGIC)
    fig = evals.scores_heatmap(slash_table(), columns={"score_value": SLASH})
    for fmt in STILL_FORMATS:
        head = export_figure(fig, tmp_path / "heat", format=fmt, width=400, height=300,
                             scale=1).read_bytes()[:300]
        assert MAGIC[fmt] in head.lower() if fmt == "html" else head.startswith(MAGIC[fmt])


def test_cli_export_of_a_slash_metric_from_a_run(tmp_path, capsys):
    run = tmp_path / "run"
    evals.save_eval_artifacts(slash_table(), run)
    code = main(["export", str(run), "scores_by_model", "--set",
                 f'columns={{"score_value": "{SLASH}"}}', "--set", "task=t2", "--format", "csv",
                 "--out", str(tmp_path / "o"), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(open(payload["written"][0]).read())))
    assert [(r["y"], float(r["x"])) for r in rows] == [("b", 0.80), ("a", 0.55)]


def test_report_keywords_of_earlier_releases_still_work_and_warn(tmp_path):
    table = slash_table()
    with pytest.warns(DeprecationWarning, match=r"width=.*image=ImageOptions"):
        old = evals.export_eval_report(table, out_dir=tmp_path / "old", formats="json",
                                       width=500, height=300, scale=1, title="Old")
    new = evals.export_eval_report(table, tmp_path / "new", formats="json",
                                   image=ImageOptions(500, 300, 1), heading="Old")
    assert old.report.read_text().splitlines()[0] == new.report.read_text().splitlines()[0]
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == sorted(
        p.name for p in (tmp_path / "new").iterdir())
