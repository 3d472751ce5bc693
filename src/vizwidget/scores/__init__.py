"""Eval-score views: tables of (task, model, score) rows -> Plotly figures, with intervals.

Content layer: no file I/O. ``vizwidget.evals`` adds reading CSV/JSON tables and inspect-ai
logs, saving tables into a run directory, and the report.
"""

from ._cells import numbers
from ._epochs import scores_over_epochs, scores_over_epochs_snapshots
from ._paired import SAMPLE_EPOCH, paired_difference, paired_differences
from ._radar import normalise_axis, scores_radar
from ._stats import (
    check_ci,
    interval,
    interval_label,
    mean_stderr,
    normal_interval,
    wilson_interval,
    z_value,
)
from ._summary import cluster_labels, summarise
from ._table import (
    COLUMN_KEYS,
    EPOCH_CANDIDATES,
    MEAN_METRICS,
    SAMPLE_ID,
    MetricInfo,
    Resolved,
    TableSpec,
    as_frame,
    as_spec,
    detect_metrics,
    factor_values,
    metric_info,
    resolve,
    select_epoch,
    table_spec,
)
from ._views import scores_by_factor, scores_by_model, scores_by_task, scores_heatmap

#: The per-checkpoint views, by name.
PER_EPOCH_VIEWS = {
    "scores_by_task": scores_by_task,
    "scores_heatmap": scores_heatmap,
    "scores_radar": scores_radar,
    "scores_by_factor": scores_by_factor,
    "scores_by_model": scores_by_model,
    "paired_difference": paired_difference,
}

__all__ = [
    "COLUMN_KEYS",
    "EPOCH_CANDIDATES",
    "MEAN_METRICS",
    "PER_EPOCH_VIEWS",
    "SAMPLE_EPOCH",
    "SAMPLE_ID",
    "MetricInfo",
    "Resolved",
    "TableSpec",
    "as_frame",
    "as_spec",
    "check_ci",
    "cluster_labels",
    "detect_metrics",
    "factor_values",
    "interval",
    "interval_label",
    "mean_stderr",
    "metric_info",
    "normal_interval",
    "normalise_axis",
    "numbers",
    "paired_difference",
    "paired_differences",
    "resolve",
    "scores_by_factor",
    "scores_by_model",
    "scores_by_task",
    "scores_heatmap",
    "scores_over_epochs",
    "scores_over_epochs_snapshots",
    "scores_radar",
    "select_epoch",
    "summarise",
    "table_spec",
    "wilson_interval",
    "z_value",
]
