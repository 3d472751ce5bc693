"""Scalar tables from metrics.csv and TensorBoard event files, keyed by step or epoch."""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CorruptArtifactError, describe
from ._csv_columns import arrow_columns, numpy_columns, plain_header
from ._events import (
    last_per_step,
    missing_tensorboard,
    read_event_plugin_contents,
    read_event_scalars,
)
from ._untrusted import read_text_bounded

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EVENTS_PREFIX", "find_event_files", "read_csv_table", "read_tensorboard_hparams",
           "read_tensorboard_table"]

EVENTS_PREFIX = "events.out.tfevents."
#: Folders never searched for event files (outputs and dependencies, not logs).
_SKIP_DIRS = {"exports", "node_modules", "__pycache__", ".git", ".ipynb_checkpoints"}
_X_COLUMNS = ("epoch", "step")


def table_from_series(series: Mapping[str, Mapping[int, float | None]],
                      xs: Iterable[int] = ()) -> dict[str, list]:
    """Columns ``{"epoch": [x, ...], name: [value or None, ...]}`` from per-name ``{x: value}``.

    The x values (steps or epochs) are the sorted union over all names and ``xs``; a name
    without a value at some x gets None there.
    """
    xs = sorted(set(xs).union(*(s.keys() for s in series.values())))
    table: dict[str, list] = {"epoch": xs}
    for name, values in series.items():
        table[name] = [values.get(x) for x in xs]
    return table


def _number(text: str, path: Path, line: int, column: str) -> float | None:
    text = text.strip()
    if not text or text.lower() in ("nan", "none", "null"):
        return None
    try:
        if not text.isascii():  # float() would read Arabic-Indic and other digits
            raise ValueError(text)
        value = float(text)
    except ValueError as err:
        raise CorruptArtifactError(
            f"{str(path)!r} line {line}, column {column!r}: {text!r} is not a number.\n"
            "Write numbers only (leave a cell empty when a metric was not logged)."
        ) from err
    return None if math.isnan(value) else value


def _x_value(row: dict, x_name: str, path: Path, line: int) -> int:
    """The row's epoch (or step): a finite whole number written in ASCII digits."""
    text = row.get(x_name) or ""
    x = _number(text, path, line, x_name)
    if x is None or not math.isfinite(x) or x != int(x):
        raise CorruptArtifactError(
            f"{str(path)!r} line {line}: {x_name} {text!r} is not a whole number.\n"
            f"Write one finite whole {x_name} number per row, such as 0, 1, 2 "
            "(no empty, nan or inf cell)."
        )
    return int(x)


def read_csv_table(path: Path) -> dict[str, list]:
    """A ``metrics.csv`` as a table keyed by its ``epoch`` column (else its ``step`` column).

    Rows sharing an x value are merged, later non-empty cells winning (loggers such as
    PyTorch Lightning's CSVLogger write train and validation metrics on separate rows).
    A UTF-8 byte-order mark (as Excel writes) is skipped. Plain files are read column by
    column (by pyarrow's CSV reader when pyarrow is installed, else numpy); anything else
    row by row, with the same result.

    Raises
    ------
    CorruptArtifactError
        No header, no epoch/step column, a non-integer or non-finite x, a non-numeric cell,
        a file over :data:`MAX_TABLE_BYTES`, or not a regular file.
    """
    try:
        text = read_text_bounded(path, "Metrics table", encoding="utf-8-sig")
        table = _csv_fast(text)  # plain ASCII numbers: columns read by pyarrow or numpy
        if table is None:  # anything unusual: the row-by-row reader names the bad cell
            table = _csv_rows(text, path)
    except (UnicodeDecodeError, csv.Error) as err:
        raise CorruptArtifactError(
            f"{str(path)!r} is not a readable CSV file ({describe(err)}).\n"
            "Write UTF-8 text with a header row, e.g. 'epoch,train_loss,test_acc'."
        ) from err
    return table


def _csv_fast(text: str, arrow: bool = True) -> dict[str, list] | None:
    """The table of a well-formed ASCII CSV read column by column, else None.

    Columns are read by pyarrow when it is installed (and ``arrow``), else (or when pyarrow
    refuses a cell) by numpy. None (for the row-by-row reader to explain) on quotes,
    carriage returns, non-ASCII text, ragged or blank rows, repeated column names, a
    missing x column, a bad x or a non-numeric cell.
    """
    import numpy as np

    header = plain_header(text)
    if header is None:
        return None
    x_name = next((c for c in _X_COLUMNS if c in header), None)
    if x_name is None or len(set(header)) != len(header):
        return None
    x_at = header.index(x_name)
    wanted = [j for j, name in enumerate(header) if j == x_at or name.strip()]
    columns = arrow_columns(text, len(header), wanted) if arrow else None
    if columns is None:
        columns = numpy_columns(text, len(header), wanted)
    if columns is None:
        return None
    xs = columns[x_at]
    if not np.isfinite(xs).all() or (np.abs(xs) >= 2.0 ** 53).any():
        return None
    if not (xs == np.floor(xs)).all():
        return None
    x_int = xs.astype(np.int64)
    increasing = len(x_int) < 2 or bool(np.all(x_int[1:] > x_int[:-1]))  # no x repeated
    series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for j in wanted:
        if j == x_at:
            continue
        values = columns[j]
        kept = ~np.isnan(values)
        if not kept.all():
            x_kept, values = x_int[kept], values[kept]
        else:
            x_kept = x_int
        series[header[j]] = (x_kept, values) if increasing else last_per_step(x_kept, values)
    return table_from_arrays(series, x_int if increasing else np.unique(x_int))


def _csv_rows(text: str, path: Path) -> dict[str, list]:
    """The table of any CSV, row by row, naming the line and column of a bad cell."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h for h in (reader.fieldnames or []) if h is not None]
    x_name = next((c for c in _X_COLUMNS if c in header), None)
    if x_name is None:
        raise CorruptArtifactError(
            f"{str(path)!r} has no 'epoch' or 'step' column "
            f"(columns: {', '.join(header) or 'none'}).\n"
            "Add a header row with an 'epoch' (or 'step') column first."
        )
    series: dict[str, dict[int, float | None]] = {
        c: {} for c in header if c != x_name and c.strip()
    }
    xs: set[int] = set()  # a table without metric columns still lists its x values
    for row in reader:
        line = reader.line_num
        x = _x_value(row, x_name, path, line)
        xs.add(x)
        for name in series:
            value = _number(row.get(name) or "", path, line, name)
            if value is not None or x not in series[name]:
                series[name][x] = value
    return table_from_series(series, xs)


def find_event_files(root: Path) -> list[Path]:
    """Every ``events.out.tfevents.*`` file under ``root`` (or ``root`` itself), sorted."""
    if root.is_file():
        return [root] if root.name.startswith(EVENTS_PREFIX) else []
    found = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        found.extend(Path(here) / f for f in files if f.startswith(EVENTS_PREFIX))
    return sorted(found)


def read_tensorboard_table(files: Iterable[Path]) -> dict[str, list]:
    """Scalars of TensorBoard event files as a table whose ``epoch`` column holds the steps.

    Tag names keep their slashes (``train/loss``). When the files sit in several folders
    (``logs/train``, ``logs/validation``), each tag is prefixed with its folder relative to
    the folders' common parent (``validation/epoch_loss``). Files in one folder (a restarted
    run) are merged, the later file winning for a step logged twice.
    """
    import numpy as np

    files = sorted(files)
    dirs = sorted({f.parent for f in files})
    common = Path(os.path.commonpath([str(d) for d in dirs])) if dirs else None
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for path in files:
        folder = path.parent.relative_to(common).as_posix() if common else "."
        prefix = "" if len(dirs) == 1 or folder == "." else folder + "/"
        for tag, points in read_event_scalars(path).items():
            parts.setdefault(prefix + tag, []).append(points)
    series = {tag: last_per_step(np.concatenate([s for s, _ in p]),
                                 np.concatenate([v for _, v in p]))
              for tag, p in parts.items()}
    return table_from_arrays(series)


def table_from_arrays(series: Mapping[str, tuple[np.ndarray, np.ndarray]],
                      xs: np.ndarray | None = None) -> dict[str, list]:
    """Like :func:`table_from_series`, from per-name sorted unique ``(xs, values)`` arrays.

    ``xs`` (sorted, unique, a superset of every name's) defaults to their union.
    """
    import numpy as np

    if xs is None:
        xs = (np.unique(np.concatenate([x for x, _ in series.values()])) if series
              else np.zeros(0, dtype=np.int64))
    table: dict[str, list] = {"epoch": xs.tolist()}
    for name, (x, values) in series.items():
        if len(x) == len(xs):  # logged at every x (x and xs are both sorted and unique)
            table[name] = values.tolist()
            continue
        column = np.full(len(xs), None, dtype=object)
        column[np.searchsorted(xs, x)] = values.tolist()
        table[name] = column.tolist()
    return table


def _hparam_value(value) -> float | int | str | bool | None:
    """A ``google.protobuf.Value`` of the hparams plugin as a Python scalar (whole numbers as
    int: PyTorch logs every number as a double)."""
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        number = value.number_value
        return int(number) if math.isfinite(number) and number == int(number) else number
    if kind == "bool_value":
        return bool(value.bool_value)
    if kind == "string_value":
        return value.string_value
    return None


def read_tensorboard_hparams(files: Iterable[Path]) -> dict[str, float | int | str | bool]:
    """The hyperparameters of the hparams plugin's session records in TensorBoard event files
    (as ``SummaryWriter.add_hparams`` or ``tensorboard.plugins.hparams`` write them); later
    files win for a name written twice. ``{}`` when there are none."""
    try:
        from tensorboard.plugins.hparams import plugin_data_pb2
    except ImportError as err:
        raise missing_tensorboard() from err
    found: dict[str, float | int | str | bool] = {}
    for path in sorted(files):
        contents = read_event_plugin_contents(path, "hparams")
        try:
            for content in contents.values():
                data = plugin_data_pb2.HParamsPluginData.FromString(content)
                if data.HasField("session_start_info"):
                    for name, value in data.session_start_info.hparams.items():
                        converted = _hparam_value(value)
                        if converted is not None:
                            found[str(name)] = converted
        except Exception as err:  # the library's parse errors: a foreign record
            raise CorruptArtifactError(
                f"TensorBoard event file {str(path)!r} has unreadable hparams "
                f"({describe(err)}).\nDelete it, or write the run's config.json.") from err
    return found
