"""Eval views name their columns with one ``columns=`` (TableSpec or dict); old keywords warn."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import warnings

import pandas as pd
import pytest

import vizwidget
from vizwidget import evals, scores
from vizwidget.cli import main
from vizwidget.errors import EvalTableError
from vizwidget.provenance import read_provenance
from vizwidget.registry import render_visualization, renderer_options
from vizwidget.scores import COLUMN_KEYS, TableSpec, as_spec

#: Non-default column names, so that every view needs ``columns`` to read the table.
COLUMNS = {"task_name": "bench", "model": "system", "score_value": "acc",
           "score_stderr": "acc_se", "sample_count": "count", "epoch_column": "ckpt"}
#: The sample table's columns (a cluster, no stderr or count).
PAIRED = {"task_name": "bench", "model": "system", "score_value": "correct",
          "epoch_column": "ckpt", "cluster": "passage"}


def table() -> pd.DataFrame:
    """3 tasks × 2 models × 2 checkpoints × a boolean factor, one row per evaluation."""
    rows = []
    for ckpt in (1, 2):
        for t, task in enumerate(("t1", "t2", "t3")):
            for m, model in enumerate(("a", "b")):
                for hint in (False, True):
                    acc = 0.3 + 0.1 * t + 0.2 * m + 0.05 * ckpt + 0.1 * hint
                    rows.append({"bench": task, "system": model, "ckpt": ckpt, "hint": hint,
                                 "acc": acc, "acc_se": 0.02 + 0.01 * m, "count": 50})
    return pd.DataFrame(rows)


def samples() -> pd.DataFrame:
    """Per-sample 0/1 scores of two models on two tasks, samples grouped in passages."""
    rows = []
    for task in ("t1", "t2"):
        for model, shift in (("a", 0), ("b", 1)):
            for i in range(8):
                rows.append({"bench": task, "system": model, "ckpt": 1, "sample_id": i,
                             "passage": i // 2, "correct": float((i + shift) % 3 != 0)})
    return pd.DataFrame(rows)


#: (view, table, extra options, column keys the view took before ``columns=``).
VIEWS = [
    ("scores_by_task", table, {}, COLUMNS),
    ("scores_heatmap", table, {}, COLUMNS),
    ("scores_radar", table, {}, COLUMNS),
    ("scores_by_factor", table, {"factor": "hint"}, COLUMNS),
    ("scores_by_model", table, {"task": "t2"}, COLUMNS),
    ("scores_over_epochs", table, {}, COLUMNS),
    ("paired_difference", samples, {"model_a": "a", "model_b": "b"}, PAIRED),
]


def _same(left, right) -> bool:
    if isinstance(left, pd.DataFrame):
        return left.equals(right) and left.attrs == right.attrs
    return left.to_json() == right.to_json()


@pytest.mark.parametrize(("name", "make", "extra", "keys"), VIEWS, ids=[v[0] for v in VIEWS])
@pytest.mark.parametrize("module", [scores, evals], ids=["scores", "evals"])
def test_a_dict_a_tablespec_and_the_old_keywords_give_the_same_figure(module, name, make,
                                                                      extra, keys):
    view = getattr(module, name)
    with pytest.raises(EvalTableError):  # the names are not the detected ones
        view(make(), **extra)
    by_dict = view(make(), columns=dict(keys), **extra)
    by_spec = view(make(), columns=TableSpec(**keys), **extra)
    assert _same(by_dict, by_spec)
    with pytest.warns(DeprecationWarning, match=r"columns=TableSpec\(\.\.\.\)") as caught:
        by_keywords = view(make(), **keys, **extra)
    assert _same(by_keywords, by_dict)
    ours = [w for w in caught if "columns=TableSpec" in str(w.message)]
    assert {w.filename for w in ours} == {__file__}  # the warning names the caller's line
    assert len(ours) == len(keys)


def test_paired_differences_takes_columns_too():
    by_dict = scores.paired_differences(samples(), "a", "b", columns=PAIRED)
    with pytest.warns(DeprecationWarning, match="paired_differences"):
        by_keywords = evals.paired_differences(samples(), "a", "b", **PAIRED)
    assert _same(by_dict, by_keywords) and by_dict.attrs["method"] == "clustered"


@pytest.mark.parametrize("module", [scores, evals], ids=["scores", "evals"])
def test_columns_and_an_old_keyword_together_are_a_type_error(module):
    with pytest.raises(TypeError, match=r"both columns= and score_value="):
        module.scores_by_task(table(), columns={"task_name": "bench"}, score_value="acc")


@pytest.mark.parametrize("module", [scores, evals], ids=["scores", "evals"])
def test_keywords_a_view_never_took_are_type_errors(module):
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        module.scores_by_task(table(), columns=COLUMNS, colour="red")
    with pytest.raises(TypeError, match="unexpected keyword argument 'cluster'"):
        module.scores_heatmap(table(), cluster="bench")  # the heatmap never took cluster=
    with pytest.raises(TypeError, match="unexpected keyword argument 'sample_count'"):
        module.paired_difference(samples(), sample_count="count")


def test_an_unknown_key_names_it_and_the_valid_ones():
    with pytest.raises(EvalTableError) as info:
        scores.scores_by_task(table(), columns={"score": "acc"})
    first, second = str(info.value).splitlines()
    assert "'score'" in first
    assert all(key in second for key in COLUMN_KEYS)
    with pytest.raises(EvalTableError, match="not a column name"):
        as_spec({"score_value": 3})
    with pytest.raises(EvalTableError, match="TableSpec or a dict"):
        as_spec(["score_value"])
    assert as_spec(None) == TableSpec() and as_spec({"model": "m"}) == TableSpec(model="m")


def test_the_report_and_the_artifacts_take_columns(tmp_path):
    report = evals.export_eval_report(table(), tmp_path / "r", formats="json", columns=COLUMNS,
                                      paired=None)
    assert report.ok and "scores_by_task" in {v.name for v in report.views if v.files}
    assert [v.name for v in report.skipped] == ["scores_radar_metrics"]  # one metric only
    with pytest.raises(TypeError, match="both columns="):
        evals.export_eval_report(table(), tmp_path / "x", columns=COLUMNS, model="system")
    assert not (tmp_path / "x").exists()
    written = evals.save_eval_artifacts(table(), tmp_path / "run", columns=COLUMNS)
    assert [p.name for p in written] == ["epoch_1.json", "epoch_2.json"]
    plain = table().rename(columns={"bench": "task_name", "system": "model", "acc": "score"})
    with pytest.warns(DeprecationWarning, match=r"save_eval_artifacts\(epoch_column=\.\.\.\)"):
        old = evals.save_eval_artifacts(plain, tmp_path / "run2", epoch_column="ckpt")
    assert [p.name for p in old] == ["epoch_1.json", "epoch_2.json"]


# -- registered renderers, provenance and reproduce ----------------------------------------------
@pytest.fixture
def run(tmp_path):
    evals.save_eval_artifacts(table(), tmp_path / "run", columns=COLUMNS)
    return tmp_path / "run"


def test_renderer_options_declare_columns_and_the_old_keywords():
    options = renderer_options(scores.scores_by_task)
    assert options is not None and "columns" in options and "score_value" in options
    assert "legacy" not in options and "cluster" not in renderer_options(scores.scores_heatmap)


@pytest.mark.parametrize("columns", [COLUMNS, TableSpec(**COLUMNS)], ids=["dict", "TableSpec"])
@pytest.mark.parametrize("name", ["scores_by_task", "scores_over_epochs"])
def test_a_file_made_with_columns_records_json_and_reproduces(run, tmp_path, name, columns):
    path = vizwidget.export_variant_visualization(run, name, 2, tmp_path / "out", format="json",
                                                  columns=columns)
    record = read_provenance(path)
    assert record["kwargs"] == {"columns": COLUMNS}
    again = vizwidget.reproduce(path)
    assert again.read_bytes() == path.read_bytes()
    direct = render_visualization(name, run, 2, columns=COLUMNS)
    assert json.loads(path.read_text())["data"] == json.loads(direct.to_json())["data"]


def test_a_file_made_with_old_keywords_still_reproduces(run, tmp_path):
    with pytest.warns(DeprecationWarning):
        path = vizwidget.export_variant_visualization(run, "scores_by_task", 1, tmp_path,
                                                      format="json", **COLUMNS)
    assert read_provenance(path)["kwargs"] == COLUMNS
    with pytest.warns(DeprecationWarning):
        again = vizwidget.reproduce(path)
    assert again.read_bytes() == path.read_bytes()


def test_cli_sets_columns_as_json_and_refuses_unknown_options(run, tmp_path, capsys):
    spec = json.dumps(COLUMNS)
    assert main(["export", str(run), "scores_by_task", "--set", f"columns={spec}",
                 "--format", "json", "--out", str(tmp_path / "o"), "-q"]) == 0
    assert main(["export", str(run), "scores_by_task", "--set", "colour=1",
                 "--format", "json", "--out", str(tmp_path / "x")]) == 2
    assert "colour" in capsys.readouterr().err and not (tmp_path / "x").exists()


# -- signatures --------------------------------------------------------------------------------
def _public_modules():
    """vizwidget and every module under it whose dotted name has no part starting with _."""
    yield vizwidget
    for info in pkgutil.walk_packages(vizwidget.__path__, "vizwidget."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            with warnings.catch_warnings():  # a module kept for one release says so
                warnings.simplefilter("ignore", DeprecationWarning)
                module = importlib.import_module(info.name)
            yield module


def _public_names(module):
    """``__all__``, or (without one) the public names the module defines itself."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [name for name, obj in vars(module).items() if not name.startswith("_")
            and getattr(obj, "__module__", None) == module.__name__]


def _public_callables():
    seen = set()
    for module in _public_modules():
        for name in _public_names(module):
            obj = getattr(module, name)
            found = []
            if inspect.isclass(obj):
                if "__init__" in vars(obj):
                    found.append((f"{name}.__init__", obj.__init__))
                for attr, value in vars(obj).items():
                    method = inspect.isfunction(value) or isinstance(value, (staticmethod,
                                                                             classmethod))
                    if method and not attr.startswith("_"):
                        found.append((f"{name}.{attr}", getattr(obj, attr)))
            elif callable(obj):
                found.append((name, obj))
            for label, fn in found:
                key = getattr(fn, "__func__", fn)
                if key not in seen:
                    seen.add(key)
                    yield pytest.param(fn, id=f"{module.__name__}.{label}")


def test_the_signature_check_reaches_every_public_module_class_and_method():
    ids = {p.id for p in _public_callables()}
    assert {"vizwidget.export_animation", "vizwidget.export_batch",
            "vizwidget.export_comparison_animation", "vizwidget.demo.make_variant",
            "vizwidget.demo.Training.__init__", "vizwidget.engine.RenderEngine.render",
            "vizwidget.ExportWidget.animate",
            "vizwidget.errors.describe"} <= ids  # the last from a module without __all__
    assert len(ids) > 150


@pytest.mark.parametrize("fn", list(_public_callables()))
def test_no_public_function_takes_13_or_more_parameters(fn):
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a builtin or C type without a signature
        return
    assert len(parameters) <= 12, list(parameters)  # **legacy counts as one
