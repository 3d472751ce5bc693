"""Score cells as numbers: every non-empty cell must be one, else an error counting the others."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..errors import EvalTableError
from ._stats import score_to_float

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["numbers", "source_of"]


def source_of(df: pd.DataFrame) -> str:
    """The file a table was read from (``df.attrs["source"]``), or "the eval table"."""
    source = df.attrs.get("source") if hasattr(df, "attrs") else None
    return f"the eval table {source!r}" if source else "the eval table"


def numbers(df: pd.DataFrame, column: str, keyword: str = "score_value") -> pd.Series:
    """Column ``column`` as floats; empty cells become NaN.

    Numbers, booleans, text holding a number and inspect-ai's letter grades (C, I, P, N) are
    scores; anything else (other text, lists, infinities) is not. ``keyword`` is the
    ``columns=`` key the error message suggests.

    Raises
    ------
    EvalTableError
        Naming the file, the column and how many cells are not numbers.
    """
    import pandas as pd

    values, bad = [], []
    for index, cell in df[column].items():
        if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA \
                or cell is pd.NaT:
            values.append(math.nan)
            continue
        try:
            value = score_to_float(cell)
        except (TypeError, ValueError):
            value = math.inf
        if math.isinf(value):
            bad.append(index)
            value = math.nan
        values.append(value)
    if bad:
        first = df[column].loc[bad[0]]
        raise EvalTableError(
            f"Column {column!r} of {source_of(df)} has {len(bad)} of {len(df)} cells that are "
            f"not finite numbers (first: {str(first)[:40]!r} in row {bad[0]}).\n"
            f"Fix or remove those rows, or pass columns={{{keyword!r}: ...}} naming a numeric "
            "column.")
    return pd.Series(np.asarray(values, dtype=np.float64), index=df.index, name=column)
