"""Checks on loaded arrays before they enter an analysis: finiteness and dtype."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import NonFiniteDataError


def is_floating(value: Any) -> bool:
    """Whether ``value`` is a non-empty floating-point numpy array (a trainable parameter)."""
    return (isinstance(value, np.ndarray) and value.size > 0
            and np.issubdtype(value.dtype, np.floating))


def non_floating_arrays(snapshot: Mapping[str, Any]) -> list[str]:
    """Names of the non-empty arrays of ``snapshot`` that are not floating point, sorted.

    Integer and boolean arrays (step counters, masks, token ids) are not parameters: the
    analyses leave them out, and figures list them with this function.
    """
    return sorted(k for k, v in snapshot.items()
                  if isinstance(v, np.ndarray) and v.size and not is_floating(v))


def require_finite(
    array: Any, name: str, at: str | None = None, analyzer: str = "parameters"
) -> np.ndarray:
    """``array`` as float64, or an error naming the analyzer, array and epoch if not finite.

    Parameters
    ----------
    array : array_like
        The loaded values.
    name : str
        The array's name in its artifact.
    at : str, optional
        Where it comes from, named in the message, e.g. ``"epoch 300"``.
    analyzer : str, default "parameters"
        The analyzer whose artifact holds it.

    Returns
    -------
    numpy.ndarray
        The values as float64.

    Raises
    ------
    NonFiniteDataError
        If any value is NaN or ±Inf; the message counts each kind.
    """
    x = np.asarray(array, dtype=np.float64)
    finite = np.isfinite(x)
    if finite.all():
        return x
    n_nan = int(np.isnan(x).sum())
    where = "" if at is None else f" at {at}"
    raise NonFiniteDataError(
        f"Analyzer {analyzer!r}, array {name!r}{where} holds {n_nan} NaN and "
        f"{int(x.size - finite.sum()) - n_nan} Inf of {x.size} values.\n"
        "Drop or re-save that checkpoint (training may have diverged there), "
        "or select arrays without it."
    )
