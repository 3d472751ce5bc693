"""Eval-score views from tables and inspect-ai logs, saved run artifacts, and the report.

::

    from vizwidget import evals

    table = evals.load_eval_logs("logs/")           # inspect-ai logs -> DataFrame
    evals.scores_by_task(table)                      # go.Figure, intervals named on it
    samples = evals.load_eval_samples("logs/")      # one row per sample and epoch
    evals.paired_difference(samples, model_a="a", model_b="b")  # B − A, paired CI
    evals.export_eval_report(table, "report/")       # every view + index.html + report.md
    evals.save_eval_artifacts(table, "runs/p59")     # artifacts/evals/epoch_N.json

Needs ``pip install 'vizwidget[evals]'`` (pandas) for tables and ``vizwidget[inspect]``
(inspect-ai, pyarrow, pandas) for logs.
"""

from ..errors import EvalTableError, NotApplicableError
from ..scores import MetricInfo, TableSpec, detect_metrics, wilson_interval
from ._artifacts import EVALS_ANALYZER, save_eval_artifacts
from ._load import load_eval_logs, load_eval_samples, read_eval_table
from ._report import EvalReport, ViewResult, export_eval_report
from ._views import (
    paired_difference,
    paired_differences,
    scores_by_factor,
    scores_by_model,
    scores_by_task,
    scores_heatmap,
    scores_over_epochs,
    scores_radar,
)

__all__ = [
    "EVALS_ANALYZER",
    "EvalReport",
    "EvalTableError",
    "MetricInfo",
    "NotApplicableError",
    "TableSpec",
    "ViewResult",
    "detect_metrics",
    "export_eval_report",
    "load_eval_logs",
    "load_eval_samples",
    "paired_difference",
    "paired_differences",
    "read_eval_table",
    "save_eval_artifacts",
    "scores_by_factor",
    "scores_by_model",
    "scores_by_task",
    "scores_heatmap",
    "scores_over_epochs",
    "scores_radar",
    "wilson_interval",
]
