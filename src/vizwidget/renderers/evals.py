"""Registers the eval-score views (``vizwidget.scores``) for the ``evals`` analyzer.

A run directory holds eval tables as ``artifacts/evals/epoch_{N}.json`` (one object of
columns per checkpoint; see ``vizwidget.evals.save_eval_artifacts``), so the widget slider,
``export_animation``, batch and the CLI sweep checkpoints like any other artifact.
"""

from __future__ import annotations

from ..registry import register_renderer
from ..scores import PER_EPOCH_VIEWS, scores_over_epochs_snapshots

ANALYZER = "evals"

_DESCRIPTIONS = {
    "scores_by_task": "Eval scores per task and model; one interval method, named on the axis.",
    "scores_heatmap": "Model × task matrix of eval scores (skipped for a diagonal table).",
    "scores_radar": "One polygon per model over tasks or metrics, normalised per spoke.",
    "scores_by_factor": "Effect of a boolean factor (e.g. hint or not) per model.",
    "scores_by_model": "Models compared on one task, best first, with intervals.",
    "paired_difference": "Per task, model B − model A on the same samples, with a paired CI "
                         "(needs a sample table).",
}

for _name, _view in PER_EPOCH_VIEWS.items():
    register_renderer(_name, analyzer=ANALYZER, description=_DESCRIPTIONS[_name])(_view)

register_renderer("scores_over_epochs", kind="cross_epoch", analyzer=ANALYZER,
                  description="Eval score per checkpoint epoch with confidence bands.",
                  )(scores_over_epochs_snapshots)
