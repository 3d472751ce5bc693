"""Eval tables from DataFrames, CSV/JSON files and inspect-ai logs (``evals_df``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EvalTableError, MissingDependencyError
from ..scores import as_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_eval_logs", "read_eval_table"]

_LOG_SUFFIXES = (".eval", ".json")


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

    Returns
    -------
    pandas.DataFrame
        One row per log.

    Raises
    ------
    MissingDependencyError
        Without inspect-ai, pandas or pyarrow (``pip install 'vizwidget[inspect]'``).
    EvalTableError
        When no log is found.
    """
    paths = [paths_or_dir] if isinstance(paths_or_dir, (str, os.PathLike)) else paths_or_dir
    paths = [Path(p).expanduser() for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise EvalTableError(f"No such eval log or directory: {missing[0]!r}.\n"
                             "Pass inspect-ai log files (.eval, .json) or their directory.")
    for module in ("pandas", "pyarrow", "inspect_ai"):
        _need(module)
    from inspect_ai.analysis import EvalColumn, EvalColumns, evals_df

    columns = [*EvalColumns, EvalColumn("metadata_*", path="eval.metadata"),
               EvalColumn("model_arg_*", path="eval.model_args")]
    found = [p for p in paths if p.is_dir() and any(
        f.suffix in _LOG_SUFFIXES for f in p.rglob("*"))] + [p for p in paths if p.is_file()]
    if not found:
        raise EvalTableError(f"No inspect-ai logs in {', '.join(map(str, paths))}.\n"
                             "Run inspect_ai.eval(..., log_dir=DIR) first, or pass a table.")
    try:
        df = evals_df([str(p) for p in found], columns=columns, quiet=True)
    except (ValueError, OSError, KeyError) as err:
        raise EvalTableError(f"Could not read the eval logs in {str(found[0])!r}: "
                             f"{type(err).__name__}: {err}.\n"
                             "Pass inspect-ai log files or the directory holding them.") from err
    if df.empty:
        raise EvalTableError(f"No inspect-ai logs in {', '.join(map(str, paths))}.\n"
                             "Run inspect_ai.eval(..., log_dir=DIR) first, or pass a table.")
    return df


def _read_file(path: Path) -> pd.DataFrame:
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


def read_eval_table(source: Any) -> pd.DataFrame:
    """An eval table from a DataFrame, dict of columns, list of rows, table file or logs.

    Parameters
    ----------
    source : DataFrame, mapping, list of dicts, or path
        A ``.csv``/``.tsv``/``.json``/``.jsonl``/``.parquet`` table, an inspect-ai log
        (``.eval``, or a ``.json`` log), or a directory of logs.

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
            return load_eval_logs(path)
        return _read_file(path)
    _need("pandas", "evals")
    return as_frame(source)
