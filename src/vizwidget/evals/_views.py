"""The eval views of ``vizwidget.scores``, also accepting a table file or inspect-ai logs."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from .. import scores
from ..scores import table_spec
from ._load import read_eval_table

__all__ = ["paired_difference", "paired_differences", "scores_by_factor", "scores_by_model",
           "scores_by_task", "scores_heatmap", "scores_over_epochs", "scores_radar"]


def _reading(view: Callable[..., Any], samples: bool = False) -> Callable[..., Any]:
    """``view`` with a path (CSV/JSON table, log file or log directory) read first; logs as
    a sample table when ``samples``. Column keywords of earlier releases are folded into
    ``columns`` here, so that their warning names the caller's line."""

    @functools.wraps(view)
    def wrapper(table: Any, *args: Any, **kwargs: Any) -> Any:
        old = {k: kwargs.pop(k) for k in getattr(view, "__deprecated_keywords__", ())
               if k in kwargs}
        if old:
            kwargs["columns"] = table_spec(view.__name__, kwargs.get("columns"), old, tuple(old))
        if isinstance(table, (str, os.PathLike)):
            table = read_eval_table(table, samples=samples)
        return view(table, *args, **kwargs)

    return wrapper


scores_by_task = _reading(scores.scores_by_task)
scores_heatmap = _reading(scores.scores_heatmap)
scores_radar = _reading(scores.scores_radar)
scores_by_factor = _reading(scores.scores_by_factor)
scores_by_model = _reading(scores.scores_by_model)
scores_over_epochs = _reading(scores.scores_over_epochs)
paired_difference = _reading(scores.paired_difference, samples=True)
paired_differences = _reading(scores.paired_differences, samples=True)
