"""Scalar tables from metrics.csv and TensorBoard event files, keyed by step or epoch."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import CorruptArtifactError, MissingDependencyError, describe

__all__ = ["EVENTS_PREFIX", "find_event_files", "read_csv_table", "read_tensorboard_hparams",
           "read_tensorboard_table"]

EVENTS_PREFIX = "events.out.tfevents."
#: Folders never searched for event files (outputs and dependencies, not logs).
_SKIP_DIRS = {"exports", "node_modules", "__pycache__", ".git", ".ipynb_checkpoints"}
_X_COLUMNS = ("epoch", "step")


def table_from_series(series: Mapping[str, Mapping[int, float | None]]) -> dict[str, list]:
    """Columns ``{"epoch": [x, ...], name: [value or None, ...]}`` from per-name ``{x: value}``.

    The x values (steps or epochs) are the sorted union over all names; a name without a
    value at some x gets None there.
    """
    xs = sorted(set().union(*(s.keys() for s in series.values()))) if series else []
    table: dict[str, list] = {"epoch": xs}
    for name, values in series.items():
        table[name] = [values.get(x) for x in xs]
    return table


def _number(text: str, path: Path, line: int, column: str) -> float | None:
    text = text.strip()
    if not text or text.lower() in ("nan", "none", "null"):
        return None
    try:
        value = float(text)
    except ValueError as err:
        raise CorruptArtifactError(
            f"{str(path)!r} line {line}, column {column!r}: {text!r} is not a number.\n"
            "Write numbers only (leave a cell empty when a metric was not logged)."
        ) from err
    return None if math.isnan(value) else value


def read_csv_table(path: Path) -> dict[str, list]:
    """A ``metrics.csv`` as a table keyed by its ``epoch`` column (else its ``step`` column).

    Rows sharing an x value are merged, later non-empty cells winning (loggers such as
    PyTorch Lightning's CSVLogger write train and validation metrics on separate rows).

    Raises
    ------
    CorruptArtifactError
        No header, no epoch/step column, a non-integer x or a non-numeric cell.
    """
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
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
            for row in reader:
                line = reader.line_num
                x = _number(row.get(x_name) or "", path, line, x_name)
                if x is None or x != int(x):
                    raise CorruptArtifactError(
                        f"{str(path)!r} line {line}: {x_name} {row.get(x_name)!r} is not a whole "
                        "number.\nWrite one whole epoch (or step) number per row."
                    )
                for name in series:
                    value = _number(row.get(name) or "", path, line, name)
                    if value is not None or int(x) not in series[name]:
                        series[name][int(x)] = value
    except (UnicodeDecodeError, csv.Error) as err:
        raise CorruptArtifactError(
            f"{str(path)!r} is not a readable CSV file ({describe(err)}).\n"
            "Write UTF-8 text with a header row, e.g. 'epoch,train_loss,test_acc'."
        ) from err
    return table_from_series(series)


def find_event_files(root: Path) -> list[Path]:
    """Every ``events.out.tfevents.*`` file under ``root`` (or ``root`` itself), sorted."""
    if root.is_file():
        return [root] if root.name.startswith(EVENTS_PREFIX) else []
    found = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        found.extend(Path(here) / f for f in files if f.startswith(EVENTS_PREFIX))
    return sorted(found)


def _event_accumulator():
    try:
        from tensorboard.backend.event_processing import plugin_event_accumulator
        from tensorboard.util import tensor_util
    except ImportError as err:
        raise MissingDependencyError(
            "Reading TensorBoard event files needs the 'tensorboard' package.\n"
            "Install it with: pip install 'vizwidget[tensorboard]'"
        ) from err
    return plugin_event_accumulator, tensor_util


def _scalars(path: Path) -> dict[str, dict[int, float]]:
    """``{tag: {step: value}}`` of one event file (v1 simple values and v2 scalar tensors)."""
    pea, tensor_util = _event_accumulator()
    try:
        acc = pea.EventAccumulator(str(path), size_guidance={pea.TENSORS: 0})
        acc.Reload()
        if acc.file_version is None and path.stat().st_size > 0:
            # every writer starts with a file_version event; none read: not an event file
            raise ValueError("no readable event records")
        tags = acc.PluginTagToContent("scalars") if "scalars" in acc.ActivePlugins() else {}
        out: dict[str, dict[int, float]] = {}
        for tag in tags:
            values = out.setdefault(tag, {})
            for event in acc.Tensors(tag):
                array = tensor_util.make_ndarray(event.tensor_proto)
                if array.size == 1:
                    values[int(event.step)] = float(array.reshape(()))
        return out
    except Exception as err:  # the library's parse errors: a torn or foreign file
        raise CorruptArtifactError(
            f"TensorBoard event file {str(path)!r} cannot be read ({describe(err)}).\n"
            "Delete it, or point layout={'metrics': ...} at the right log folder."
        ) from err


def read_tensorboard_table(files: Iterable[Path]) -> dict[str, list]:
    """Scalars of TensorBoard event files as a table whose ``epoch`` column holds the steps.

    Tag names keep their slashes (``train/loss``). When the files sit in several folders
    (``logs/train``, ``logs/validation``), each tag is prefixed with its folder relative to
    the folders' common parent (``validation/epoch_loss``). Files in one folder (a restarted
    run) are merged, the later file winning for a step logged twice.
    """
    files = sorted(files)
    dirs = sorted({f.parent for f in files})
    common = Path(os.path.commonpath([str(d) for d in dirs])) if dirs else None
    series: dict[str, dict[int, float | None]] = {}
    for path in files:
        folder = path.parent.relative_to(common).as_posix() if common else "."
        prefix = "" if len(dirs) == 1 or folder == "." else folder + "/"
        for tag, values in _scalars(path).items():
            series.setdefault(prefix + tag, {}).update(values)
    return table_from_series(series)


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
    pea, _ = _event_accumulator()
    from tensorboard.plugins.hparams import plugin_data_pb2

    found: dict[str, float | int | str | bool] = {}
    for path in sorted(files):
        try:
            acc = pea.EventAccumulator(str(path), size_guidance={pea.TENSORS: 1})
            acc.Reload()
            contents = acc.PluginTagToContent("hparams") if "hparams" in (
                acc.ActivePlugins()) else {}
            for content in contents.values():
                data = plugin_data_pb2.HParamsPluginData.FromString(content)
                if data.HasField("session_start_info"):
                    for name, value in data.session_start_info.hparams.items():
                        converted = _hparam_value(value)
                        if converted is not None:
                            found[str(name)] = converted
        except Exception as err:  # the library's parse errors: a torn or foreign file
            raise CorruptArtifactError(
                f"TensorBoard event file {str(path)!r} has unreadable hparams "
                f"({describe(err)}).\nDelete it, or write the run's config.json.") from err
    return found
