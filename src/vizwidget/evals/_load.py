"""Eval tables from DataFrames, CSV/JSON files and inspect-ai logs (evals and samples)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EvalTableError, MissingDependencyError
from ..scores import SAMPLE_EPOCH, SAMPLE_ID, as_frame, numbers

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_eval_logs", "load_eval_samples", "read_eval_table"]

LOG_SUFFIXES = (".eval", ".json")


def _need(module: str, extra: str = "inspect") -> Any:
    """Import an optional dependency, or say which extra installs it."""
    from importlib import import_module

    what = "inspect-ai logs" if extra == "inspect" else "eval tables"
    try:
        return import_module(module)
    except ImportError as err:
        raise MissingDependencyError(
            f"Reading {what} needs {module}, which is not installed.\n"
            f"Install it with: pip install 'vizwidget[{extra}]'") from err


def _is_inspect_json(path: Path) -> bool:
    """An inspect-ai JSON log starts with an object holding ``version`` and ``eval``."""
    try:
        with open(path, encoding="utf-8") as fh:
            head = fh.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return head.lstrip().startswith("{") and '"eval"' in head and '"version"' in head


def _log_paths(paths_or_dir: Any) -> tuple[list[Path], list[Path]]:
    """The given paths and the log files/directories among them; raises when none exist."""
    paths = [paths_or_dir] if isinstance(paths_or_dir, (str, os.PathLike)) else paths_or_dir
    paths = [Path(p).expanduser() for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise EvalTableError(f"No such eval log or directory: {missing[0]!r}.\n"
                             "Pass inspect-ai log files (.eval, .json) or their directory.")
    for module in ("pandas", "pyarrow", "inspect_ai"):
        _need(module)
    found = [p for p in paths if p.is_dir() and any(
        f.suffix in LOG_SUFFIXES for f in p.rglob("*"))] + [p for p in paths if p.is_file()]
    if not found:
        raise EvalTableError(f"No inspect-ai logs in {', '.join(map(str, paths))}.\n"
                             "Run inspect_ai.eval(..., log_dir=DIR) first, or pass a table.")
    return paths, found


def _read(reader: Any, found: list[Path], **kwargs: Any) -> pd.DataFrame:
    try:
        return reader([str(p) for p in found], quiet=True, **kwargs)
    except (ValueError, OSError, KeyError) as err:
        raise EvalTableError(f"Could not read the eval logs in {str(found[0])!r}: "
                             f"{type(err).__name__}: {err}.\n"
                             "Pass inspect-ai log files or the directory holding them.") from err


def _raw_samples(found: list[Path]) -> pd.DataFrame:
    """``samples_df`` of the logs: eval id, sample id, inspect epoch and raw score cells."""
    from inspect_ai.analysis import samples_df

    df = _read(samples_df, found)
    df.attrs["source"] = str(found[0]) if len(found) == 1 else ", ".join(map(str, found[:3]))
    return df


def _sample_scores(raw: pd.DataFrame) -> dict[str, pd.Series]:
    """Each ``score_{scorer}`` column of ``samples_df`` as floats (raises on other cells)."""
    return {str(c): numbers(raw, c) for c in raw.columns if str(c).startswith("score_")}


def _binary_flags(evals: pd.DataFrame, raw: pd.DataFrame,
                  scores: dict[str, pd.Series]) -> pd.DataFrame:
    """``score_{scorer}_binary``: True where an evaluation scored every sample 0 or 1 once
    (inspect epochs = 1), so its accuracy is a proportion that a Wilson interval fits."""
    import pandas as pd

    once = (pd.to_numeric(evals["epochs"], errors="coerce").fillna(1) <= 1
            if "epochs" in evals.columns else pd.Series(True, index=evals.index))
    flags = {}
    for column, values in scores.items():
        scored = values.notna()
        zero_one = values.isin((0.0, 1.0)) | ~scored
        per_eval = pd.DataFrame({"eval_id": raw["eval_id"], "ok": zero_one,
                                 "any": scored}).groupby("eval_id").agg({"ok": "all",
                                                                         "any": "any"})
        good = per_eval["ok"] & per_eval["any"]
        flags[f"{column}_binary"] = (evals["eval_id"].map(good).fillna(False).astype(bool)
                                     & once)
    return evals.assign(**flags)


def load_eval_logs(paths_or_dir: str | os.PathLike[str] | list[str | os.PathLike[str]],
                   ) -> pd.DataFrame:
    """Read inspect-ai eval logs into an eval table with ``inspect_ai.analysis.evals_df``.

    Besides ``evals_df``'s default columns (``task_name``, ``model``, ``completed_samples``,
    ``score_{scorer}_{metric}``, ``score_{scorer}_stderr``, ``task_arg_*``, ...), the eval
    metadata and model arguments are expanded into ``metadata_*`` and ``model_arg_*`` columns,
    so a checkpoint epoch recorded as ``metadata={"checkpoint_epoch": 100}`` or
    ``model_args={"checkpoint": 100}`` and a boolean factor in the task metadata become
    columns the views find.

    Parameters
    ----------
    paths_or_dir : path or list of paths
        Log files (``.eval`` or ``.json``) and/or directories holding them.

    A ``score_{scorer}_binary`` column per scorer says whether that evaluation scored every
    sample 0 or 1, once (inspect epochs = 1): only then do the views draw Wilson intervals
    of its accuracy.

    Returns
    -------
    pandas.DataFrame
        One row per log.

    Raises
    ------
    MissingDependencyError
        Without inspect-ai, pandas or pyarrow (``pip install 'vizwidget[inspect]'``).
    EvalTableError
        When no log is found, or a per-sample score is not a number.
    """
    paths, found = _log_paths(paths_or_dir)
    df = _evals(paths, found)
    raw = _raw_samples(found)
    return _binary_flags(df, raw, _sample_scores(raw))


def _evals(paths: list[Path], found: list[Path]) -> pd.DataFrame:
    from inspect_ai.analysis import EvalColumn, EvalColumns, evals_df

    columns = [*EvalColumns, EvalColumn("metadata_*", path="eval.metadata"),
               EvalColumn("model_arg_*", path="eval.model_args")]
    df = _read(evals_df, found, columns=columns)
    if df.empty:
        raise EvalTableError(f"No inspect-ai logs in {', '.join(map(str, paths))}.\n"
                             "Run inspect_ai.eval(..., log_dir=DIR) first, or pass a table.")
    df.attrs["source"] = str(found[0]) if len(found) == 1 else ", ".join(map(str, found[:3]))
    return df


def load_eval_samples(paths_or_dir: str | os.PathLike[str] | list[str | os.PathLike[str]],
                      ) -> pd.DataFrame:
    """Read inspect-ai eval logs into a sample table: one row per sample and inspect epoch.

    Columns: the evaluation's (``eval_id``, ``task_name``, ``model``, ``task_arg_*``,
    ``metadata_*``, ``model_arg_*``, ...), ``sample_id`` (the dataset sample id, as text),
    ``sample_epoch`` (the inspect epoch) and ``score_{scorer}`` per scorer as numbers
    (inspect's grades C/I/P/N as 1/0/0.5/0; empty where a scorer did not score a sample).
    The views compute means and intervals of such a table from the per-sample scores (CLT,
    Wilson for 0/1 scores, clustered when a sample repeats); ``paired_difference`` needs one.

    Raises
    ------
    EvalTableError
        When no log is found, or a per-sample score is not a number (naming the log, the
        column and how many cells).
    """
    paths, found = _log_paths(paths_or_dir)
    evals = _evals(paths, found)
    raw = _raw_samples(found)
    scores = _sample_scores(raw)
    keep = [c for c in evals.columns if not str(c).startswith("score_")]
    samples = raw[["eval_id"]].assign(**{SAMPLE_ID: raw["id"].astype(str),
                                         SAMPLE_EPOCH: raw["epoch"]}, **scores)
    df = samples.merge(evals[keep], on="eval_id", how="left", validate="many_to_one")
    df.attrs["source"] = raw.attrs["source"]
    return df


def _read_file(path: Path) -> pd.DataFrame:
    df = _read_table(path)
    df.attrs["source"] = str(path)
    return df


def _read_table(path: Path) -> pd.DataFrame:
    pd = _need("pandas", "evals")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True)
        if suffix == ".json":
            raw = json.loads(path.read_text(encoding="utf-8"))
            return as_frame(raw)
        if suffix == ".parquet":
            return pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError) as err:
        raise EvalTableError(f"Could not read the eval table {str(path)!r}: "
                             f"{type(err).__name__}: {err}.\n"
                             "Pass a CSV, JSON (rows or columns) or Parquet table.") from err
    raise EvalTableError(f"Unknown eval table type {suffix or '(no suffix)'!r} of "
                         f"{str(path)!r}.\nPass a .csv, .tsv, .json, .jsonl or .parquet table, "
                         "or inspect-ai logs (.eval).")


def read_eval_table(source: Any, *, samples: bool = False) -> pd.DataFrame:
    """An eval table from a DataFrame, dict of columns, list of rows, table file or logs.

    Parameters
    ----------
    source : DataFrame, mapping, list of dicts, or path
        A ``.csv``/``.tsv``/``.json``/``.jsonl``/``.parquet`` table, an inspect-ai log
        (``.eval``, or a ``.json`` log), or a directory of logs.
    samples : bool, default False
        Logs are read as a sample table (:func:`load_eval_samples`) instead of one row per
        evaluation (:func:`load_eval_logs`).

    Returns
    -------
    pandas.DataFrame
        A copy; the caller may change it.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if not path.exists():
            raise EvalTableError(f"No such eval table or log: {str(path)!r}.\n"
                                 "Pass a CSV/JSON table, an inspect-ai log or a log directory.")
        if path.is_dir() or path.suffix == ".eval" or (path.suffix == ".json"
                                                       and _is_inspect_json(path)):
            return load_eval_samples(path) if samples else load_eval_logs(path)
        return _read_file(path)
    _need("pandas", "evals")
    return as_frame(source)
