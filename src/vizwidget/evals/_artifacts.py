"""Eval tables saved into a run directory as the ``evals`` analyzer, one file per checkpoint."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._deprecation import deprecated_keywords
from ..export import atomic_write
from ..scores import TableSpec, resolve, table_spec
from ._load import read_eval_table

__all__ = ["EVALS_ANALYZER", "save_eval_artifacts"]

#: The analyzer name under which the eval views are registered.
EVALS_ANALYZER = "evals"


def _plain(value: Any) -> Any:
    """A JSON-ready cell: numpy values unwrapped, NaN/NA null, lists and dicts kept when they
    are JSON, anything else as text."""
    import pandas as pd

    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (list, dict)):
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            return str(value)
        return value
    if value is None or pd.isna(value):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@deprecated_keywords("epoch_column")
def save_eval_artifacts(table: Any, variant_dir: str | os.PathLike[str], *,
                        columns: TableSpec | Mapping[str, str | None] | None = None,
                        **legacy: Any) -> list[Path]:
    """Write an eval table into ``{variant_dir}/artifacts/evals/epoch_{N}.json``.

    One JSON object of columns per checkpoint epoch (all rows in ``epoch_0.json`` when the
    table has no epoch column), written atomically. The registered eval views read them as
    the ``evals`` analyzer, so the widget's slider, ``export_animation``, batch and the CLI
    work on eval results like on any other artifact.

    Parameters
    ----------
    table : DataFrame, path or logs
        Anything :func:`read_eval_table` reads.
    variant_dir : path
        The run directory (created if missing).
    columns : TableSpec or dict, optional
        Which columns hold what, as in :func:`vizwidget.evals.scores_by_task`; ``epoch_column``
        splits the table by checkpoint (default: detected). ``epoch_column=`` still works
        and warns.

    Returns
    -------
    list of pathlib.Path
        The files written, by epoch.
    """
    import pandas as pd

    spec = table_spec("save_eval_artifacts", columns, legacy, ("epoch_column",))
    df = read_eval_table(table)
    r = resolve(df, spec)
    directory = Path(variant_dir).expanduser() / "artifacts" / EVALS_ANALYZER
    if r.epoch is None:
        groups = [(0, df)]
    else:
        epochs = pd.to_numeric(df[r.epoch], errors="coerce")
        groups = [(int(e), df[epochs == e]) for e in sorted(epochs.dropna().unique())]
    written = []
    for epoch, rows in groups:
        columns = {str(c): [_plain(v) for v in rows[c].tolist()] for c in rows.columns}
        text = json.dumps(columns, allow_nan=False)
        written.append(atomic_write(directory / f"epoch_{epoch}.json", text))
    return written
