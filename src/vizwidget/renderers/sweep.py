"""The sweep views of one run alone: registered so every front end lists them; they compare runs.

``hparam_scatter``, ``parallel_coordinates`` and ``hparam_heatmap`` draw a set of runs
(:mod:`vizwidget.compare`); asked of one run they are not applicable.
"""

from __future__ import annotations

from typing import Any

from ..errors import NotApplicableError
from ..registry import register_renderer

_DESCRIPTIONS = {
    "hparam_scatter": "Runs compared: a metric against one hyperparameter, mean ± 95 % t-CI.",
    "parallel_coordinates": "Runs compared: hyperparameters (categorical too) to a metric.",
    "hparam_heatmap": "Runs compared: mean metric over two hyperparameters, N per cell.",
}


def _one_run(view: str) -> NotApplicableError:
    return NotApplicableError(f"{view} compares runs; one run has no sweep to show.\n"
                              f"Use comparison_figure(runs, {view!r}, metric=...) on several.")


@register_renderer("hparam_scatter", kind="cross_epoch", analyzer="metrics",
                   description=_DESCRIPTIONS["hparam_scatter"])
def hparam_scatter_run(snapshots: list[dict], epochs: list[int],
                       current_epoch: int | None = None, metric: str | None = None,
                       hparam: str | None = None, summary: str = "final",
                       log_x: bool | None = None, interval: str | None = "t95") -> Any:
    """hparam_scatter of one run: not applicable (it compares runs)."""
    raise _one_run("hparam_scatter")


@register_renderer("parallel_coordinates", kind="cross_epoch", analyzer="metrics",
                   description=_DESCRIPTIONS["parallel_coordinates"])
def parallel_coordinates_run(snapshots: list[dict], epochs: list[int],
                             current_epoch: int | None = None, metric: str | None = None,
                             hparams: list[str] | None = None, summary: str = "final") -> Any:
    """parallel_coordinates of one run: not applicable (it compares runs)."""
    raise _one_run("parallel_coordinates")


@register_renderer("hparam_heatmap", kind="cross_epoch", analyzer="metrics",
                   description=_DESCRIPTIONS["hparam_heatmap"])
def hparam_heatmap_run(snapshots: list[dict], epochs: list[int],
                       current_epoch: int | None = None, metric: str | None = None,
                       x: str | None = None, y: str | None = None,
                       summary: str = "final") -> Any:
    """hparam_heatmap of one run: not applicable (it compares runs)."""
    raise _one_run("hparam_heatmap")
