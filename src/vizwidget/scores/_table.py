"""Eval score tables: coercion to a DataFrame, column resolution, metrics, checkpoints.

A table has one row per evaluation (task × model [× factor level] [× checkpoint epoch]) and
columns for the task, the model, one or more scores, and optionally their stderr, the sample
count, a boolean factor and the checkpoint epoch. A *sample table* (it has a ``sample_id``
column; see ``vizwidget.evals.load_eval_samples``) has one row per sample and epoch of the
eval; its groups' means and intervals are computed from the per-sample scores. Column names
default to what ``inspect_ai.analysis.evals_df`` writes (``task_name``, ``model``,
``score_{scorer}_{metric}``, ``completed_samples``) and are configurable per view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._deprecation import fold_legacy
from ..errors import EvalTableError, NotApplicableError
from ._cells import numbers, source_of

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EvalTableError",
    "MetricInfo",
    "Resolved",
    "COLUMN_KEYS",
    "SAMPLE_ID",
    "TableSpec",
    "as_frame",
    "as_spec",
    "detect_metrics",
    "factor_values",
    "metric_info",
    "resolve",
    "select_epoch",
    "table_spec",
]

#: The column that makes a table a sample table, and the one naming its evaluation.
SAMPLE_ID = "sample_id"
EVAL_ID = "eval_id"
#: Metrics that are means of per-sample scores: the scorer's stderr and 0/1 flag are theirs.
MEAN_METRICS = ("accuracy", "mean")
TASK_CANDIDATES = ("task_name", "task", "task_display_name")
MODEL_CANDIDATES = ("model_display_name", "model")
COUNT_CANDIDATES = ("completed_samples", "total_samples", "sample_count", "samples", "n")
EPOCH_CANDIDATES = tuple(f"{prefix}{name}" for prefix in ("", "metadata_", "model_arg_",
                                                           "task_arg_")
                         for name in ("checkpoint_epoch", "checkpoint", "epoch"))
#: ``score_*`` columns of ``evals_df`` that are not metrics of their own.
HEADLINE = ("score_headline_name", "score_headline_metric", "score_headline_score",
            "score_headline_value", "score_headline_stderr")
#: Metric-name fragments -> (display name, kind, lower is better).
_KNOWN = (
    ("expected_calibration", "ECE", "supplementary", True),
    ("ece", "ECE", "supplementary", True),
    ("calibration", "calibration error", "supplementary", True),
    ("brier", "Brier score", "supplementary", True),
    ("auroc", "AUC", "supplementary", False),
    ("auc", "AUC", "supplementary", False),
    ("nll", "NLL", "supplementary", True),
    ("log_loss", "log loss", "supplementary", True),
    ("risk", "risk", "supplementary", True),
    ("std", "std", "supplementary", False),
    ("var", "variance", "supplementary", False),
)


@dataclass(frozen=True)
class TableSpec:
    """Which columns hold what (None: detected; see the module docstring)."""

    task_name: str | None = None
    model: str | None = None
    score_value: str | None = None
    score_stderr: str | None = None
    sample_count: str | None = None
    epoch_column: str | None = None
    cluster: str | None = None


#: The keys of a ``columns=`` mapping: the fields of :class:`TableSpec`.
COLUMN_KEYS = tuple(f.name for f in fields(TableSpec))


def as_spec(columns: TableSpec | Mapping[str, str | None] | None) -> TableSpec:
    """``columns`` as a :class:`TableSpec`: a TableSpec, a mapping of its fields, or None.

    Raises
    ------
    EvalTableError
        A mapping key that is not a field of TableSpec, or a value that is not a column
        name (str or None).
    """
    if columns is None:
        return TableSpec()
    if isinstance(columns, TableSpec):
        return columns
    if not isinstance(columns, Mapping):
        raise EvalTableError(f"columns= takes a TableSpec or a dict of column names, got "
                             f"{type(columns).__name__}.\nPass e.g. "
                             "columns={'score_value': 'score_match_accuracy'}.")
    for key, value in columns.items():
        if key not in COLUMN_KEYS:
            shown = repr(key) if len(repr(key)) <= 80 else repr(key)[:80] + "…"
            raise EvalTableError(f"columns= has the key {shown}, which names no column "
                                 f"role.\nUse one of: {', '.join(COLUMN_KEYS)}.")
        if value is not None and not isinstance(value, str):
            raise EvalTableError(f"columns[{key!r}] is a {type(value).__name__}, not a "
                                 f"column name.\nPass the column's name as a string (or None "
                                 "to detect it).")
    return TableSpec(**dict(columns))


def table_spec(func: str, columns: TableSpec | Mapping[str, str | None] | None,
               legacy: dict[str, Any],
               names: Sequence[str] = COLUMN_KEYS, stacklevel: int = 4) -> TableSpec:
    """``columns`` with the column keywords of earlier releases in ``legacy`` folded in.

    Those keywords (``names``) warn; any other keyword in ``legacy`` is a TypeError, as is
    an old keyword given together with ``columns``. ``stacklevel`` is fold_legacy's: 4 when
    the user's call is the one that calls ``table_spec``.
    """
    old = [name for name in names if name in legacy]
    if old and columns is not None:
        raise TypeError(f"{func}() got both columns= and {old[0]}=; pass columns= only.")
    given = fold_legacy(legacy, func, tuple(names), "columns=TableSpec(...)", stacklevel)
    if legacy:
        raise TypeError(f"{func}() got an unexpected keyword argument {next(iter(legacy))!r}")
    return replace(as_spec(columns), **given)


@dataclass(frozen=True)
class MetricInfo:
    """One score column.

    Attributes
    ----------
    column : str
        The column, e.g. ``score_match_accuracy`` or ``score_risk_scorer_kit/auc_score``.
    scorer : str or None
        The scorer part of an ``evals_df`` column, when known.
    metric : str
        The metric part (may contain ``/``).
    display : str
        A readable metric name: ``"accuracy"``, ``"ECE"``, ``"Brier score"``, ``"AUC"``.
    kind : {"accuracy", "supplementary"}
        Accuracy-like scores versus calibration, risk and spread metrics.
    lower_is_better : bool
        True for ECE, Brier score, NLL, losses and risks.
    stderr : str or None
        The column with this metric's standard error, if any: a scorer's ``_stderr``
        column belongs to its mean metric (``accuracy`` or ``mean``) only, never to AUC,
        ECE or another metric of the same scorer.
    binary : str or None
        The column saying whether the per-sample scores were all 0 or 1 (written by
        ``load_eval_logs``), if any; only such scores get Wilson intervals.
    """

    column: str
    scorer: str | None
    metric: str
    display: str
    kind: Literal["accuracy", "supplementary"]
    lower_is_better: bool
    stderr: str | None
    binary: str | None = None

    @property
    def label(self) -> str:
        """``"{scorer} {display}"``, or the display name alone."""
        return f"{self.scorer} {self.display}" if self.scorer else self.display


@dataclass(frozen=True)
class Resolved:
    """The columns of one table a view uses."""

    task: str
    model: str
    score: str
    stderr: str | None
    count: str | None
    epoch: str | None
    metric: MetricInfo
    sample_id: str | None = None
    cluster: str | None = None


def _pd():
    import pandas as pd

    return pd


def as_frame(table: Any) -> pd.DataFrame:
    """A copy of ``table`` as a DataFrame: a DataFrame, a mapping of columns or a list of rows."""
    pd = _pd()
    if isinstance(table, pd.DataFrame):
        return table.copy()
    if isinstance(table, Mapping):
        try:
            return pd.DataFrame(dict(table))
        except ValueError as err:
            raise EvalTableError(f"The columns of this eval table have different lengths "
                                 f"({err}).\nGive every column one value per row.") from err
    if isinstance(table, Sequence) and not isinstance(table, (str, bytes)) and all(
            isinstance(row, Mapping) for row in table):
        return pd.DataFrame(list(table))
    raise EvalTableError(f"Expected an eval table, got {type(table).__name__}.\n"
                         "Pass a pandas DataFrame, a dict of columns or a list of row dicts "
                         "(vizwidget.evals also reads CSV, JSON and inspect-ai logs).")


def _columns_text(df: pd.DataFrame) -> str:
    names = [str(c) for c in df.columns]
    return ", ".join(names[:25]) + (" ..." if len(names) > 25 else "")


def _keyword(key: str) -> str:
    """How a user names ``key``: ``columns={'task_name': ...}``, or ``factor=``."""
    return f"columns={{{key!r}: ...}}" if key in COLUMN_KEYS else f"{key}="


def _pick(df: pd.DataFrame, given: str | None, candidates: Sequence[str], what: str,
          keyword: str, required: bool = True) -> str | None:
    keyword = _keyword(keyword)
    if given is not None:
        if given not in df.columns:
            raise EvalTableError(f"The eval table has no {what} column {given!r} "
                                 f"(columns: {_columns_text(df)}).\n"
                                 f"Pass {keyword} naming one of its columns.")
        return given
    for name in candidates:
        if name in df.columns and df[name].notna().any():
            return name
    if required:
        raise EvalTableError(f"The eval table has no {what} column (looked for "
                             f"{', '.join(candidates)}; columns: {_columns_text(df)}).\n"
                             f"Pass {keyword} naming the column.")
    return None


def _numeric(df: pd.DataFrame, column: str) -> bool:
    pd = _pd()
    values = pd.to_numeric(df[column], errors="coerce")
    return bool(values.notna().any()) and not pd.api.types.is_bool_dtype(df[column])


def _describe(metric: str) -> tuple[str, str, bool]:
    last = metric.rsplit("/", 1)[-1].lower()
    for fragment, display, kind, lower in _KNOWN:
        if fragment in last.split("_") or (len(fragment) > 3 and fragment in last):
            return display, kind, lower
    lower = any(word in last for word in ("loss", "error", "perplexity"))
    return last.replace("_", " "), ("supplementary" if lower else "accuracy"), lower


def _scorer_prefixes(columns: Iterable[str]) -> list[str]:
    """``score_{scorer}`` prefixes that have a ``_stderr`` column, longest first."""
    found = [c[: -len("_stderr")] for c in columns
             if c.startswith("score_") and c.endswith("_stderr") and c not in HEADLINE]
    return sorted(found, key=len, reverse=True)


def metric_info(table: Any, column: str) -> MetricInfo:
    """What a score column measures (see :class:`MetricInfo`)."""
    df = table if hasattr(table, "columns") else as_frame(table)
    columns = [str(c) for c in df.columns]
    if column == "score_headline_value":
        name = "headline"
        if "score_headline_metric" in columns and df["score_headline_metric"].notna().any():
            name = str(df["score_headline_metric"].dropna().iloc[0])
        display, kind, lower = _describe(name)
        scorer = None
        if "score_headline_name" in columns and df["score_headline_name"].notna().any():
            scorer = str(df["score_headline_name"].dropna().iloc[0])
        mean = name in MEAN_METRICS
        stderr = ("score_headline_stderr" if mean and "score_headline_stderr" in columns
                  else None)
        binary = f"score_{scorer}_binary"
        return MetricInfo(column, scorer, name, display, kind, lower, stderr,
                          binary if mean and binary in columns else None)
    for prefix in _scorer_prefixes(columns):
        if column.startswith(prefix + "_"):
            metric = column[len(prefix) + 1:]
            display, kind, lower = _describe(metric)
            mean = metric in MEAN_METRICS
            binary = f"{prefix}_binary" if mean and f"{prefix}_binary" in columns else None
            return MetricInfo(column, prefix[len("score_"):], metric, display, kind, lower,
                              f"{prefix}_stderr" if mean else None, binary)
    metric = column[len("score_"):] if column.startswith("score_") else column
    display, kind, lower = _describe(metric)
    stderr = next((c for c in (f"{column}_stderr", "stderr") if c in columns), None)
    binary = next((c for c in (f"{column}_binary", "binary") if c in columns), None)
    return MetricInfo(column, None, metric, display, kind, lower, stderr, binary)


def detect_metrics(table: Any) -> list[MetricInfo]:
    """Every numeric ``score_*`` column as a :class:`MetricInfo`: accuracy-like metrics first,
    then supplementary ones (calibration, Brier score, AUC, risk, spread), each in table order.

    ``stderr`` columns and the headline columns of ``evals_df`` are not metrics of their own.
    A table without ``score_*`` columns but with a ``score`` column gives that one.
    """
    df = as_frame(table) if not hasattr(table, "columns") else table
    columns = [str(c) for c in df.columns]
    found = [metric_info(df, c) for c in columns
             if c.startswith("score_") and c not in HEADLINE
             and not c.endswith(("_stderr", "_binary")) and _numeric(df, c)]
    if not found and "score" in columns and _numeric(df, "score"):
        found = [metric_info(df, "score")]
    return ([m for m in found if m.kind == "accuracy"]
            + [m for m in found if m.kind == "supplementary"])


def resolve(df: pd.DataFrame, spec: TableSpec) -> Resolved:
    """The columns of ``df`` a view uses, detected where ``spec`` leaves them None."""
    task = _pick(df, spec.task_name, TASK_CANDIDATES, "task", "task_name")
    model = _pick(df, spec.model, MODEL_CANDIDATES, "model", "model")
    score = spec.score_value
    if score is None:
        metrics = detect_metrics(df)
        headline = "score_headline_value"
        if headline in df.columns and _numeric(df, headline):
            score = headline
        elif metrics:
            score = metrics[0].column
        else:
            raise EvalTableError(f"The eval table has no score column (columns: "
                                 f"{_columns_text(df)}).\nPass columns={{'score_value': "
                                 "...} naming it, e.g. 'score_match_accuracy'.")
    _pick(df, score, (), "score", "score_value")
    if not _numeric(df, score):
        raise EvalTableError(f"The score column {score!r} holds no numbers.\n"
                             "Pass columns={'score_value': ...} naming a numeric column.")
    info = metric_info(df, score)
    stderr = spec.score_stderr
    if stderr is not None:
        _pick(df, stderr, (), "stderr", "score_stderr")
    elif info.stderr in df.columns:
        stderr = info.stderr
    sample_id = SAMPLE_ID if SAMPLE_ID in df.columns else None
    count = None if sample_id else _pick(df, spec.sample_count, COUNT_CANDIDATES,
                                         "sample-count", "sample_count", required=False)
    cluster = spec.cluster
    if cluster is not None:
        _pick(df, cluster, (), "cluster", "cluster")
        if sample_id is None:
            raise EvalTableError(f"The cluster column {cluster!r} needs per-sample scores, but "
                                 f"{source_of(df)} has one row per evaluation.\n"
                                 "Pass a sample table (vizwidget.evals.load_eval_samples).")
    for column, keyword in ((score, "score_value"), (stderr, "score_stderr"),
                            (count, "sample_count")):
        if column is not None:
            numbers(df, column, keyword)  # raises naming the cells that are not numbers
    epoch = spec.epoch_column
    if epoch is not None:
        _pick(df, epoch, (), "epoch", "epoch_column")
    else:
        epoch = next((c for c in EPOCH_CANDIDATES if c in df.columns and _numeric(df, c)),
                     None)
    return Resolved(task, model, score, stderr, count, epoch, info, sample_id, cluster)


def _epochs(df: pd.DataFrame, column: str) -> pd.Series:
    return _pd().to_numeric(df[column], errors="coerce")


def select_epoch(df: pd.DataFrame, r: Resolved, epoch: int | None) -> pd.DataFrame:
    """Rows at checkpoint ``epoch``; with ``epoch=None`` each (task, model) at its latest one.

    A table without an epoch column is returned whole (``epoch`` then only labels figures).
    """
    if r.epoch is None:
        return df
    epochs = _epochs(df, r.epoch)
    if epoch is not None:
        rows = df[epochs == epoch]
        if rows.empty:
            have = sorted({int(e) for e in epochs.dropna()})
            raise EvalTableError(f"No evaluation at checkpoint epoch {epoch} (column "
                                 f"{r.epoch!r} has {', '.join(map(str, have)) or 'none'}).\n"
                                 "Pass one of those epochs, or epoch=None for the latest.")
        return rows
    latest = epochs.groupby([df[r.task], df[r.model]]).transform("max")
    return df[epochs == latest]


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _as_bool(series: pd.Series) -> pd.Series | None:
    """The column as booleans (True/False, or their text/0-1 forms), None if it is not one."""
    values = series.dropna()
    if values.empty:
        return None
    texts = values.map(lambda v: str(v).strip().lower())
    if not texts.isin(_TRUE | _FALSE).all():
        return None
    if not all(isinstance(v, (bool, np.bool_, str)) for v in values):
        return None
    pd = _pd()
    return series.map(lambda v: None if pd.isna(v) else str(v).strip().lower() in _TRUE)


def factor_values(df: pd.DataFrame, factor: str | None, exclude: Iterable[str] = ()) -> tuple[
        str, pd.Series]:
    """The boolean factor column (given, or the first one with both values) as booleans.

    Raises
    ------
    EvalTableError
        ``factor`` names a column that is missing or not boolean.
    NotApplicableError
        No boolean column with both True and False rows.
    """
    if factor is not None:
        _pick(df, factor, (), "factor", "factor")
        values = _as_bool(df[factor])
        if values is None:
            raise EvalTableError(f"The factor column {factor!r} is not boolean (values: "
                                 f"{', '.join(map(str, df[factor].unique()[:5]))}).\n"
                                 "Pass factor= naming a True/False column.")
        return factor, values
    skip = set(exclude)
    ordered = sorted(df.columns, key=lambda c: (not str(c).startswith(("metadata_",
                                                                        "task_arg_")), 0))
    for column in ordered:
        if column in skip or str(column).startswith("score_") or column == SAMPLE_ID:
            continue
        values = _as_bool(df[column])
        if values is not None and values.dropna().nunique() == 2:
            return str(column), values
    raise NotApplicableError("The eval table has no boolean factor column with both True and "
                             "False rows.\nAdd one (e.g. metadata 'hint': true/false) or pass "
                             "factor= naming it.")
