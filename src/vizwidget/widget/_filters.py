"""Dashboard filters: the runs' hyperparameters, which runs a filter keeps, the metric option."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import UsageError
from ..registry import as_visualization, renderer_options

#: Config keys that name or time a run rather than set it (never offered as filters).
NOT_HPARAMS = frozenset({"run_id", "run_name", "name", "train_seconds"})
#: Metric names every dashboard offers (training curves draw the loss or accuracy family).
METRIC_FAMILIES = ("loss", "accuracy")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def _scalar(value: Any) -> bool:
    """A number (not a bool, finite) or a string: what a filter can match."""
    if isinstance(value, str):
        return True
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(float(value)))


def _order(value: Any) -> tuple:
    return (1, value, 0.0) if isinstance(value, str) else (0, "", float(value))


def hparams_of(configs: Sequence[Mapping[str, Any]]) -> dict[str, list]:
    """Hyperparameters that tell runs apart: key -> distinct values (numbers, then strings).

    A key is kept when it is a number or string in every run that has it and takes at least
    two distinct values; names, run ids and timings are left out.
    """
    found: dict[str, list] = {}
    bad: set[str] = set()
    for config in configs:
        for key, value in config.items():
            if not isinstance(key, str) or key in NOT_HPARAMS or key in bad:
                continue
            if not _scalar(value):
                bad.add(key)
                found.pop(key, None)
                continue
            seen = found.setdefault(key, [])
            if value not in seen:
                seen.append(value)
    return {k: sorted(v, key=_order) for k, v in sorted(found.items()) if len(v) > 1}


def check_filters(filters: Any, hparams: Mapping[str, Sequence]) -> dict[str, list]:
    """``filters`` as hparam -> list of allowed values; a single value becomes a list.

    Raises
    ------
    UsageError
        Not a dict, or it names a key that is not one of the runs' hyperparameters.
    """
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise UsageError(f"filters={filters!r} is not a dict.\n"
                         "Pass e.g. filters={'lr': [0.001, 0.003]} (empty: every run).")
    clean: dict[str, list] = {}
    for key, allowed in filters.items():
        if key not in hparams:
            known = ", ".join(map(str, hparams)) or "none (the runs' configs do not differ)"
            raise UsageError(f"The dashboard cannot filter on {key!r}: no run varies it.\n"
                             f"Filter on one of: {known}.")
        values = list(allowed) if isinstance(allowed, (list, tuple, set, frozenset)) else [allowed]
        bad = [v for v in values if not _scalar(v)]
        if bad:
            raise UsageError(f"Filter {key!r} has a value {bad[0]!r} that is not a number or "
                             "string.\nPass the allowed values as a list of numbers or strings.")
        if values:
            clean[str(key)] = sorted(dict.fromkeys(values), key=_order)
    return clean


def matches(config: Mapping[str, Any], filters: Mapping[str, Sequence]) -> bool:
    """True when the run's config has an allowed value for every filtered hyperparameter."""
    for key, allowed in filters.items():
        if not allowed:
            continue
        if key not in config or not any(_same(config[key], v) for v in allowed):
            return False
    return True


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return _scalar(a) and math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)


def describe(filters: Mapping[str, Sequence]) -> str:
    """One line naming the active filters, e.g. ``lr ∈ {0.001, 0.003}, seed ∈ {0}``."""
    return ", ".join(f"{k} ∈ {{{', '.join(map(str, v))}}}" for k, v in filters.items() if v)


def _family(metric: str) -> str:
    words = set(_WORD_SPLIT.split(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", metric).lower()))
    if "loss" in words:
        return "loss"
    if words & {"acc", "accuracy"}:
        return "accuracy"
    return "both"


def metric_options(visualization: Any, metric: str) -> dict[str, Any]:
    """Renderer options that make a metric-aware visualization show ``metric`` ('' = default).

    A renderer with a ``metrics`` option (training curves) draws the metric's family: loss
    or accuracy (both when the name is neither); one with a ``metric`` option gets the name.
    Other renderers get nothing.
    """
    if not metric:
        return {}
    try:
        vis = as_visualization(visualization)
    except Exception:  # a plain figure or an unknown name: the panel reports it itself
        return {}
    options = renderer_options(vis.fn) or {}
    if "metrics" in options:
        return {"metrics": _family(metric)}
    if "metric" in options:
        return {"metric": metric}
    return {}


def metric_choices(tables: Sequence[Mapping[str, Any]]) -> list[str]:
    """The metrics a dashboard offers: loss, accuracy, then the runs' logged columns."""
    names = list(METRIC_FAMILIES)
    for table in tables:
        for key in table:
            if isinstance(key, str) and key != "epoch" and key not in names:
                names.append(key)
    return names
