"""Read the artifacts of one training run: epoch snapshots, metrics and config.

A variant (run) directory looks like::

    {variant}/
      config.json                         optional hyper-parameters
      metrics.json | metrics.csv          optional per-epoch (or per-step) scalars
      artifacts/{analyzer}/epoch_{N}.npz  one file per checkpoint epoch (.json, .safetensors)

Runs written by other tools work too: Hugging Face Trainer folders ``checkpoint-{N}/``
(``model.safetensors`` or shards with ``model.safetensors.index.json``), ``step_{N}/`` and
``epoch_{N}/`` folders, ``checkpoints/epoch_{N}.safetensors`` (all offered as the analyzer
``parameters``), TensorBoard ``events.out.tfevents.*`` files, and any other layout given
with ``layout=``. This module knows files and numpy, not plotly.

The ``metrics`` analyzer
    When a scalar table exists (``metrics.json``, ``metrics.csv`` or TensorBoard event files)
    and there is no ``artifacts/metrics/`` directory, the loader exposes the table as a virtual
    analyzer named ``"metrics"``: its epochs are the table's ``epoch`` column (the steps, for
    TensorBoard) and ``load("metrics", N)`` returns that row as ``{column: value}``. This lets
    cross-epoch renderers of training curves use the same snapshot contract as every other one.
"""

from __future__ import annotations

import bisect
import json
import math
import operator
import os
import time
import zipfile
import zlib
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .._cache import LRU
from ..errors import (
    AnalyzerNotFoundError,
    ArtifactError,
    CorruptArtifactError,
    EpochNotFoundError,
    MissingDependencyError,
    NotAVariantError,
    VariantNotFoundError,
)
from ._layout import (
    EPOCH_FIELD,
    Scan,
    check_layout,
    missing_folder,
    mtimes,
    scan_checkpoints,
    scan_folder,
    scan_template,
)
from ._metrics import (
    EVENTS_PREFIX,
    find_event_files,
    read_csv_table,
    read_tensorboard_hparams,
    read_tensorboard_table,
)
from ._safetensors import SafetensorsCheckpoint, checkpoint_files
from ._untrusted import check_regular, read_text_bounded

__all__ = ["ArtifactLoader", "METRICS_ANALYZER", "PARAMETERS_ANALYZER", "clear_cache",
           "resolve_variant_dir"]

#: Name of the virtual analyzer backed by metrics.json, metrics.csv or TensorBoard scalars.
METRICS_ANALYZER = "metrics"
#: Analyzer under which checkpoint folders (``checkpoint-{N}/`` …) appear.
PARAMETERS_ANALYZER = "parameters"

_CACHE_SIZE = 64
#: Seconds a search for TensorBoard event files is reused before the run is walked again.
_EVENTS_RESCAN = 1.0

_cache = LRU(_CACHE_SIZE)
_MISSING = object()


def clear_cache() -> None:
    """Drop every cached artifact (files are re-read on next access)."""
    _cache.clear()


def resolve_variant_dir(path: str | os.PathLike[str]) -> Path:
    """The variant directory of ``path``, which may also name its ``artifacts/`` folder."""
    given = Path(path).expanduser().resolve()
    if given.name == "artifacts" and not (given / "artifacts").is_dir():
        return given.parent
    return given


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


def _stat_keys(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    try:
        return tuple(_stat_key(p) for p in paths)
    except FileNotFoundError as err:
        raise EpochNotFoundError(
            f"Artifact file {err.filename!r} disappeared while reading it.\n"
            "Check whether another process is deleting or rewriting the variant."
        ) from err


def _cached(path: Path, reader: Callable[[Path], Any]) -> Any:
    """Return ``reader(path)`` cached per (file, mtime, size) in a bounded LRU."""
    return _remember(_stat_keys([path])[0], lambda: reader(path))


def _remember(key: tuple, compute: Callable[[], Any]) -> Any:
    """Return ``compute()`` cached under ``key`` (which names files and their stats)."""
    value = _cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        _cache.put(key, value)
    return value


def _as_epoch(epoch: Any) -> int | None:
    """``epoch`` as an int (numpy integers accepted), or None if it is not an integer."""
    if isinstance(epoch, bool):
        return None
    try:
        return operator.index(epoch)
    except TypeError:
        return None


def _corrupt(path: Path, err: BaseException) -> CorruptArtifactError:
    detail = str(err).split(". ")[0].rstrip(".")  # drop numpy's "load it unsafely" advice
    if "allow_pickle" in str(err):
        return CorruptArtifactError(
            f"Artifact file {str(path)!r} holds pickled Python objects, which vizwidget never "
            "loads (they can run code).\n"
            "Save plain numeric arrays instead (numpy.savez with ndarray values)."
        )
    return CorruptArtifactError(
        f"Artifact file {str(path)!r} is corrupt or truncated ({type(err).__name__}: {detail}).\n"
        "Delete it and re-run the analyzer for that epoch (it may still be being written)."
    )


def _read_npz(path: Path) -> dict[str, Any]:
    import numpy as np

    check_regular(path, "Artifact file")
    try:
        with np.load(path, allow_pickle=False) as npz:
            data: dict[str, Any] = {}
            for key in npz.files:
                arr = npz[key]
                if arr.ndim == 0:
                    data[key] = arr.item()
                else:
                    arr.setflags(write=False)  # shared through the cache: keep it immutable
                    data[key] = arr
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError) as err:
        raise _corrupt(path, err) from err
    return data


def _read_json(path: Path) -> Any:
    try:
        text = read_text_bounded(path, "Artifact file")
    except UnicodeDecodeError as err:
        raise _corrupt(path, err) from err
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise _corrupt(path, err) from err


def _read_json_dict(path: Path) -> dict[str, Any]:
    value = _read_json(path)
    if not isinstance(value, dict):
        raise CorruptArtifactError(
            f"Artifact file {str(path)!r} holds a JSON {type(value).__name__}, not an object.\n"
            "Write a JSON object ({\"name\": value, ...}) per epoch file."
        )
    return value


def _read_safetensors(path: Path) -> SafetensorsCheckpoint:
    return SafetensorsCheckpoint([path])


def _metrics_table(path: Path) -> dict[str, list]:
    raw = _read_json(path)
    if isinstance(raw, list):  # list of rows -> columns
        if not all(isinstance(row, dict) for row in raw):
            raise CorruptArtifactError(
                f"{str(path)!r} is a list, but not a list of row objects.\n"
                'Write {"epoch": [...], "train_loss": [...]} or [{"epoch": 0, ...}, ...].'
            )
        names: list[str] = []
        for row in raw:
            names.extend(k for k in row if k not in names)
        raw = {name: [row.get(name) for row in raw] for name in names}
    if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
        raise CorruptArtifactError(
            f"{str(path)!r} is not a table of per-epoch columns.\n"
            'Write {"epoch": [...], "train_loss": [...], ...} with one list per column.'
        )
    if "epoch" not in raw:
        raise CorruptArtifactError(
            f"{str(path)!r} has no 'epoch' column (columns: {', '.join(raw) or 'none'}).\n"
            'Add an "epoch" list giving the epoch of each row.'
        )
    lengths = {name: len(col) for name, col in raw.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k}={n}" for k, n in lengths.items())
        raise CorruptArtifactError(
            f"Columns of {str(path)!r} have different lengths ({detail}).\n"
            "Every column needs one value per epoch row (use null for a missing value)."
        )
    epochs = [_json_epoch(e, path, row) for row, e in enumerate(raw["epoch"])]
    order = sorted(range(len(epochs)), key=epochs.__getitem__)
    table = {name: [col[i] for i in order] for name, col in raw.items()}
    table["epoch"] = [epochs[i] for i in order]
    return table


def _json_epoch(value: Any, path: Path, row: int) -> int:
    """An epoch of metrics.json: a finite whole number (or a string of ASCII digits)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise CorruptArtifactError(
        f"{str(path)!r} row {row}: epoch {value!r} is not a whole number.\n"
        "Write one finite whole epoch number per row, such as 0, 1, 2 (no null, NaN or "
        "Infinity)."
    )


def _table_index(table: dict[str, list]) -> dict[int, int]:
    """Epoch -> row of a metrics table (the first row for an epoch listed twice)."""
    epochs = table["epoch"]
    n = len(epochs)
    # built from the end, so the first row of an epoch listed twice is the one kept
    return dict(zip(reversed(epochs), range(n - 1, -1, -1), strict=True))


class ArtifactLoader:
    """Read the artifacts of one run directory, with a bounded per-file cache.

    Parameters
    ----------
    path : str, os.PathLike or ArtifactLoader
        The run (variant) directory, or its ``artifacts/`` directory. An ArtifactLoader is
        copied with its ``layout``, so functions that wrap a run directory in a loader
        (``export_variant_visualization``, ``export_animation``, ``ExportWidget.from_variant``)
        also take one.
    layout : mapping of str to str, optional
        Where analyzers live when the run does not follow a known layout, relative to the
        run directory: ``{analyzer: pattern}``. A pattern with ``{epoch}`` matches files
        (``.npz``, ``.json``, ``.safetensors``) or checkpoint folders, ``*`` and ``?`` as in
        glob: ``{"parameters": "ckpt/model_ep{epoch}.safetensors"}``. A folder without
        ``{epoch}`` is scanned for ``epoch_{N}.*`` files and ``checkpoint-{N}``/``step_{N}``/
        ``epoch_{N}`` folders. ``"metrics"`` names a ``.json``/``.csv`` table, a TensorBoard
        event file, or a folder searched for them (``{"metrics": "logs/"}``); with ``{epoch}``
        it is a per-epoch analyzer like the others. Entries override what is found
        automatically; other analyzers are still found as usual.

    Attributes
    ----------
    variant_dir : pathlib.Path
        The run directory.
    artifacts_dir : pathlib.Path
        ``variant_dir / "artifacts"`` (it may not exist).
    layout : dict of str to str
        The validated ``layout`` (empty when none was given).

    Raises
    ------
    VariantNotFoundError
        If ``path`` does not exist or is not a directory.
    NotAVariantError
        If the directory holds nothing the loader can read and no ``layout`` is given.
    ArtifactError
        If ``layout`` is malformed.

    Notes
    -----
    Found without ``layout``:

    - ``artifacts/{analyzer}/epoch_{N}.npz`` (or ``.json``, ``.safetensors``);
    - analyzer ``"parameters"``, when there is no ``artifacts/parameters/``: Hugging Face
      Trainer folders ``checkpoint-{N}/`` holding ``model.safetensors`` (or shards named by
      ``model.safetensors.index.json``, or any ``*.safetensors``), ``step_{N}/`` and
      ``epoch_{N}/`` folders, in the run directory or in ``checkpoints/``, and
      ``checkpoints/epoch_{N}.safetensors``; the epoch is the number in the name (a step
      count for Trainer folders);
    - analyzer ``"metrics"``: ``metrics.json``, else ``metrics.csv`` (x column ``epoch``,
      else ``step``), else the scalars of every TensorBoard ``events.out.tfevents.*`` file
      under the run directory (x = step, tag names such as ``train/loss`` kept).

    Safetensors tensors keep their names (``model.layers.0.mlp.W_in``) and load lazily: a
    checkpoint's data is a read-only mapping that reads one tensor from the memory-mapped
    file on first access, so listing the tensors of a large checkpoint reads only its
    header. Reading them needs ``pip install 'vizwidget[safetensors]'``; TensorBoard files
    need ``pip install 'vizwidget[tensorboard]'``.

    Files are cached per (path, mtime, size) in a process-wide LRU of 64 entries; listings
    are re-read whenever a directory they come from changes, so epochs written by a running
    training job appear on the next :meth:`epochs` call.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | ArtifactLoader,
        *,
        layout: Mapping[str, str | os.PathLike[str]] | None = None,
    ) -> None:
        if isinstance(path, ArtifactLoader):
            layout = path.layout if layout is None else layout
            path = path.variant_dir
        self.layout = check_layout(layout)
        given = Path(path).expanduser()
        if not given.is_dir():
            what = "is not a directory" if given.exists() else "does not exist"
            raise VariantNotFoundError(
                f"Variant directory {str(given)!r} {what}.\n"
                "Pass the directory of one training run (the one containing 'artifacts/' or "
                "its checkpoints)."
            )
        self.variant_dir = resolve_variant_dir(given)
        self.artifacts_dir = self.variant_dir / "artifacts"
        self._listings: dict[str, tuple[tuple[Path, ...], tuple, list[int], dict[int, Path]]] = {}
        self._events: tuple[float, list[Path]] | None = None
        if not self.layout and not self._looks_like_a_run():
            found = sorted(p.name for p in self.variant_dir.iterdir())[:10]
            raise NotAVariantError(
                f"{str(self.variant_dir)!r} does not look like a variant directory: it has no "
                "'artifacts/', 'metrics.json', 'metrics.csv', 'config.json', checkpoint "
                f"folders with .safetensors files or TensorBoard event files (found: "
                f"{', '.join(found) or 'nothing'}).\n"
                "Pass the directory of one training run, or say where its files are with "
                "layout={'parameters': 'path/epoch{epoch}.safetensors', ...}."
            )

    def __repr__(self) -> str:
        extra = f", layout={self.layout!r}" if self.layout else ""
        return f"ArtifactLoader({str(self.variant_dir)!r}{extra})"

    def _looks_like_a_run(self) -> bool:
        markers = (self.artifacts_dir, self._config_path)
        return (any(m.exists() for m in markers) or self._metrics_source() is not None
                or self._has_checkpoints())

    @property
    def _config_path(self) -> Path:
        return self.variant_dir / "config.json"

    def _has_checkpoints(self) -> bool:
        return bool(scan_checkpoints(self.variant_dir, PARAMETERS_ANALYZER).files) or (
            self.variant_dir / "checkpoints").is_dir()

    def is_table(self, analyzer: str) -> bool:
        """True when ``analyzer``'s epochs are the rows of one table (``metrics.json``,
        ``metrics.csv`` or TensorBoard scalars), not one file per epoch."""
        if analyzer != METRICS_ANALYZER:
            return False
        if METRICS_ANALYZER in self.layout:  # unless it names per-epoch files
            return EPOCH_FIELD not in self.layout[METRICS_ANALYZER]
        return (not (self.artifacts_dir / METRICS_ANALYZER).is_dir()
                and self._metrics_source() is not None)

    # -- where the scalars are -----------------------------------------------------------------

    def _event_files(self, root: Path) -> list[Path]:
        """Event files under ``root``; the run directory's search is reused for a second."""
        if root != self.variant_dir:
            return find_event_files(root)
        now = time.monotonic()
        if self._events is None or now - self._events[0] > _EVENTS_RESCAN:
            self._events = (now, find_event_files(root))
        return self._events[1]

    def _table_in(self, folder: Path) -> tuple[str, list[Path]] | None:
        for name, kind in (("metrics.json", "json"), ("metrics.csv", "csv")):
            if (folder / name).is_file():
                return kind, [folder / name]
        events = self._event_files(folder)
        return ("tensorboard", events) if events else None

    def _metrics_source(self) -> tuple[str, list[Path]] | None:
        """(kind, files) of the scalar table, kind "json", "csv" or "tensorboard"; or None."""
        where = self.layout.get(METRICS_ANALYZER)
        if where is None:
            return self._table_in(self.variant_dir)
        if EPOCH_FIELD in where:
            return None
        path = self.variant_dir / where
        if path.is_dir():
            return self._table_in(path) or ("tensorboard", [])
        if path.is_file():
            if path.name.startswith(EVENTS_PREFIX):
                return "tensorboard", [path]
            if path.suffix in (".json", ".csv"):
                return path.suffix[1:], [path]
        raise ArtifactError(
            f"layout['metrics'] = {where!r} is not a .json or .csv table, a TensorBoard event "
            f"file or a folder (looked for {str(path)!r}).\n"
            "Point it at metrics.json, metrics.csv, an events.out.tfevents.* file or its folder."
        )

    def _table(self) -> tuple[dict[str, list], dict[int, int]]:
        """The cached scalar table and its epoch -> row index."""
        source = self._metrics_source()
        if source is None:
            raise ArtifactError(
                f"No metrics.json, metrics.csv or TensorBoard event files in "
                f"{str(self.variant_dir)!r}.\n"
                'Write {"epoch": [...], "train_loss": [...], ...} to metrics.json (or log with '
                "TensorBoard) to get training curves, or pass layout={'metrics': ...}."
            )
        kind, files = source
        readers = {"json": lambda: _metrics_table(files[0]),
                   "csv": lambda: read_csv_table(files[0]),
                   "tensorboard": lambda: read_tensorboard_table(files)}

        def compute() -> tuple[dict[str, list], dict[int, int]]:
            table = readers[kind]()
            return table, _table_index(table)

        return _remember((kind, *_stat_keys(files)), compute)

    # -- listing -------------------------------------------------------------------------------

    def analyzers(self) -> list[str]:
        """Names of the analyzers this run has, sorted.

        Returns
        -------
        list of str
            Sub-directories of ``artifacts/``, the ``layout`` keys, ``"parameters"`` when
            checkpoint folders exist, and ``"metrics"`` when a scalar table exists.
        """
        names = set(self.layout)
        if self.artifacts_dir.is_dir():
            names |= {p.name for p in self.artifacts_dir.iterdir() if p.is_dir()}
        if METRICS_ANALYZER not in names and self._metrics_source() is not None:
            names.add(METRICS_ANALYZER)
        if PARAMETERS_ANALYZER not in names and self._has_checkpoints():
            names.add(PARAMETERS_ANALYZER)
        return sorted(names)

    def _scan(self, analyzer: str) -> Scan:
        if not isinstance(analyzer, str) or not analyzer:
            raise AnalyzerNotFoundError(
                f"Analyzer name must be a non-empty string, got {analyzer!r}.\n"
                f"Use one of: {', '.join(self.analyzers()) or 'none found'}."
            )
        where = self.layout.get(analyzer)
        if where is not None and EPOCH_FIELD in where:
            return scan_template(self.variant_dir, where, analyzer)
        if where is not None:
            folder = self.variant_dir / where
            if not folder.is_dir():
                raise missing_folder(folder, analyzer, self.analyzers())
            return scan_folder(folder, analyzer)
        directory = self.artifacts_dir / analyzer
        if directory.is_dir():
            return scan_folder(directory, analyzer)
        if analyzer == PARAMETERS_ANALYZER and self._has_checkpoints():
            return scan_checkpoints(self.variant_dir, analyzer)
        found = self.analyzers()
        raise AnalyzerNotFoundError(
            f"No artifacts for analyzer {analyzer!r}: {str(directory)!r} does not exist.\n"
            f"Analyzers found in {str(self.variant_dir)!r}: "
            f"{', '.join(found) if found else 'none'}."
        )

    def _listing(self, analyzer: str) -> tuple[list[int], dict[int, Path]]:
        cached = self._listings.get(analyzer)
        if cached is not None and mtimes(cached[0]) == cached[1]:
            return cached[2], cached[3]
        base = (self.variant_dir, self.artifacts_dir)
        before = mtimes(base)
        scan = self._scan(analyzer)
        watched = base + scan.watched
        stamp = before + mtimes(scan.watched)
        epochs = sorted(scan.files)
        self._listings[analyzer] = (watched, stamp, epochs, scan.files)
        return epochs, scan.files

    def epochs(self, analyzer: str) -> list[int]:
        """Sorted epochs that have an artifact for ``analyzer``.

        Parameters
        ----------
        analyzer : str
            Analyzer name (a sub-directory of ``artifacts/``, a ``layout`` key,
            ``"parameters"`` for checkpoint folders, or ``"metrics"``).

        Returns
        -------
        list of int
            Epoch numbers parsed from file and folder names (any zero padding); for
            ``"metrics"`` the table's epoch (or step) column.

        Raises
        ------
        AnalyzerNotFoundError
            If the analyzer has no artifacts; the message lists the analyzers found.
        """
        if self.is_table(analyzer):
            return sorted(self._table()[1])
        return list(self._listing(analyzer)[0])

    def latest_epoch(self, analyzer: str) -> int:
        """The largest epoch available for ``analyzer``.

        Raises
        ------
        EpochNotFoundError
            If the analyzer has no epochs yet.
        """
        epochs = self.epochs(analyzer)
        if not epochs:
            where = self.layout.get(analyzer) or str(self.artifacts_dir / analyzer)
            where = (self._where(analyzer) if self.is_table(analyzer)
                     else repr(where))
            raise EpochNotFoundError(
                f"Analyzer {analyzer!r} has no epoch files yet in {where}.\n"
                "Expected files named epoch_{N}.npz, .json or .safetensors (or checkpoint-{N}/ "
                "folders with .safetensors files); wait for the first checkpoint or check the "
                "training job."
            )
        return epochs[-1]

    # -- loading -------------------------------------------------------------------------------

    def _missing_epoch(self, analyzer: str, epoch: Any, epochs: list[int]) -> EpochNotFoundError:
        if not epochs:
            near = "none (no epoch files yet)"
        else:
            try:
                target = int(epoch)
            except (TypeError, ValueError):
                target = epochs[-1]
            i = bisect.bisect_left(epochs, target)
            nearest = sorted(epochs[max(0, i - 2): i + 2], key=lambda e: (abs(e - target), e))
            near = ", ".join(str(e) for e in sorted(nearest[:3]))
            near += f" (available: {epochs[0]}..{epochs[-1]}, {len(epochs)} epochs)"
        return EpochNotFoundError(
            f"No artifact for epoch {epoch!r} of analyzer {analyzer!r} in "
            f"{self._where(analyzer)}.\n"
            f"Nearest available epochs: {near}."
        )

    def _where(self, analyzer: str) -> str:
        """Where ``analyzer`` is read from, for messages: the scalar table's file(s) by name."""
        source = self._metrics_source() if self.is_table(analyzer) else None
        if not source or not source[1]:
            return repr(str(self.variant_dir))
        kind, files = source
        more = f" and {len(files) - 1} more" if len(files) > 1 else ""
        what = {"tensorboard": "TensorBoard event file"}.get(kind, kind.upper() + " table")
        return f"{what} {str(files[0])!r}{more}"

    def load(self, analyzer: str, epoch: int) -> dict[str, Any]:
        """Load one epoch's artifact.

        Parameters
        ----------
        analyzer : str
            Analyzer name.
        epoch : int
            Epoch number (as in the file name, without padding).

        Returns
        -------
        dict or mapping
            ``.npz``: name -> read-only numpy array (0-d arrays become Python scalars);
            ``.json``: the JSON object; ``"metrics"``: the table row ``{column: value}``;
            safetensors files and checkpoint folders: a mapping name -> read-only array whose
            tensors are read on first access (writes go to this copy only). The result is
            fresh per call; the arrays are shared with the cache.

        Raises
        ------
        AnalyzerNotFoundError, EpochNotFoundError, CorruptArtifactError
            Missing analyzer or epoch, or an unreadable file (the message names it).
        MissingDependencyError
            For safetensors or TensorBoard files when that package is not installed.
        """
        number = _as_epoch(epoch)
        if self.is_table(analyzer):
            table, index = self._table()
            i = None if number is None else index.get(number)
            if i is None:
                raise self._missing_epoch(analyzer, epoch, sorted(index))
            return {name: col[i] for name, col in table.items()}
        epochs, files = self._listing(analyzer)
        path = None if number is None else files.get(number)
        if path is None:
            raise self._missing_epoch(analyzer, epoch, epochs)
        if path.is_dir():
            shards = checkpoint_files(path)
            tensors = _remember(("safetensors", *_stat_keys(shards)),
                                lambda: SafetensorsCheckpoint(shards))
            return ChainMap({}, tensors)  # type: ignore[return-value]
        if path.suffix == ".safetensors":
            return ChainMap({}, _cached(path, _read_safetensors))  # type: ignore[return-value]
        reader = _read_npz if path.suffix == ".npz" else _read_json_dict
        return dict(_cached(path, reader))

    def paths(self, analyzer: str, epoch: int) -> list[Path]:
        """The files :meth:`load` reads for ``analyzer`` at ``epoch`` (the scalar table's
        files for ``"metrics"``; every shard of a checkpoint folder); raises like :meth:`load`
        when there are none."""
        if self.is_table(analyzer):
            source = self._metrics_source()
            return list(source[1]) if source else []
        epochs, files = self._listing(analyzer)
        found = files.get(_as_epoch(epoch))  # type: ignore[arg-type]
        if found is None:
            raise self._missing_epoch(analyzer, epoch, epochs)
        if found.is_dir():
            index = found / "model.safetensors.index.json"
            return checkpoint_files(found) + ([index] if index.is_file() else [])
        return [found]

    def load_many(
        self, analyzer: str, epochs: Iterable[int] | None = None
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Lazily yield ``(epoch, data)`` pairs, one file read per step.

        Parameters
        ----------
        analyzer : str
            Analyzer name.
        epochs : iterable of int, optional
            Epochs to load, in the order given; default all available epochs, ascending.

        Yields
        ------
        tuple of (int, dict)
            The epoch and its data, as returned by :meth:`load`.
        """
        wanted = self.epochs(analyzer) if epochs is None else list(epochs)
        for epoch in wanted:
            yield epoch, self.load(analyzer, epoch)

    def metrics(self) -> dict[str, list]:
        """The scalar table (metrics.json, metrics.csv or TensorBoard), sorted by epoch.

        Returns
        -------
        dict of str to list
            Column name -> values; always has an ``"epoch"`` column of ints (the steps for
            TensorBoard and for a CSV without an ``epoch`` column). A list of row objects in
            metrics.json is converted to columns; a value not logged at some x is None.

        Raises
        ------
        ArtifactError
            If the run has no scalar table.
        CorruptArtifactError
            If it is not a valid table.
        MissingDependencyError
            For TensorBoard files when ``tensorboard`` is not installed.
        """
        table = self._table()[0]
        return {name: list(col) for name, col in table.items()}

    def config(self) -> dict[str, Any]:
        """Hyper-parameters from ``config.json``; without it, the hparams of TensorBoard event
        files (``SummaryWriter.add_hparams``); ``{}`` when there are neither (or the event
        files cannot be read: :meth:`metrics` reports that).

        Raises
        ------
        CorruptArtifactError
            If the file is not a JSON object.
        """
        path = self._config_path
        if not path.is_file():
            return self._tensorboard_hparams()
        return dict(_cached(path, _read_json_dict))

    def _tensorboard_hparams(self) -> dict[str, Any]:
        source = self._metrics_source()
        if source is None or source[0] != "tensorboard" or not source[1]:
            return {}
        files = source[1]
        try:
            return dict(_remember(("hparams", *_stat_keys(files)),
                                  lambda: read_tensorboard_hparams(files)))
        except (CorruptArtifactError, MissingDependencyError):
            return {}
