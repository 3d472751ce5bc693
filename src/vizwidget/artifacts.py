"""Read the artifacts of one training variant: epoch snapshots, metrics and config.

A variant directory looks like::

    {variant}/
      config.json                         optional hyper-parameters
      metrics.json                        optional {"epoch": [...], "train_loss": [...], ...}
      artifacts/{analyzer}/epoch_{N}.npz  one file per checkpoint epoch (.json also allowed)

This module knows files and numpy, not plotly.

The ``metrics`` analyzer
    When ``metrics.json`` exists and there is no ``artifacts/metrics/`` directory, the loader
    exposes the table as a virtual analyzer named ``"metrics"``: its epochs are the table's
    ``epoch`` column and ``load("metrics", N)`` returns that row as ``{column: value}``. This lets
    cross-epoch renderers of training curves use the same snapshot contract as every other one.
"""

from __future__ import annotations

import bisect
import json
import operator
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ._cache import LRU
from .errors import (
    AnalyzerNotFoundError,
    ArtifactError,
    CorruptArtifactError,
    EpochNotFoundError,
    VariantNotFoundError,
)

__all__ = ["ArtifactLoader", "METRICS_ANALYZER", "clear_cache", "resolve_variant_dir"]

#: Name of the virtual analyzer backed by ``metrics.json``.
METRICS_ANALYZER = "metrics"

_EPOCH_FILE = re.compile(r"^epoch_(\d+)\.(npz|json)$")
_CACHE_SIZE = 64

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


def _cached(path: Path, reader) -> Any:
    """Return ``reader(path)`` cached per (file, mtime, size) in a bounded LRU."""
    try:
        key = _stat_key(path)
    except FileNotFoundError as err:
        raise EpochNotFoundError(
            f"Artifact file {str(path)!r} disappeared while reading it.\n"
            "Check whether another process is deleting or rewriting the variant."
        ) from err
    value = _cache.get(key, _MISSING)
    if value is _MISSING:
        value = reader(path)
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
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (ValueError, UnicodeDecodeError) as err:
        raise _corrupt(path, err) from err


def _read_json_dict(path: Path) -> dict[str, Any]:
    value = _read_json(path)
    if not isinstance(value, dict):
        raise CorruptArtifactError(
            f"Artifact file {str(path)!r} holds a JSON {type(value).__name__}, not an object.\n"
            "Write a JSON object ({\"name\": value, ...}) per epoch file."
        )
    return value


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
    try:
        epochs = [int(e) for e in raw["epoch"]]
    except (TypeError, ValueError) as err:
        raise CorruptArtifactError(
            f"The 'epoch' column of {str(path)!r} holds non-integer values.\n"
            "Write whole epoch numbers."
        ) from err
    order = sorted(range(len(epochs)), key=epochs.__getitem__)
    table = {name: [col[i] for i in order] for name, col in raw.items()}
    table["epoch"] = [epochs[i] for i in order]
    return table


class ArtifactLoader:
    """Read the artifacts of one variant directory, with a bounded per-file cache.

    Parameters
    ----------
    path : str or os.PathLike
        The variant directory (the one containing ``artifacts/``) or its ``artifacts/``
        directory itself.

    Attributes
    ----------
    variant_dir : pathlib.Path
        The variant directory.
    artifacts_dir : pathlib.Path
        ``variant_dir / "artifacts"`` (it may not exist yet while a run is starting).

    Raises
    ------
    VariantNotFoundError
        If ``path`` does not exist or is not a directory.
    ArtifactError
        If ``path`` contains none of ``artifacts/``, ``metrics.json`` or ``config.json``.

    Notes
    -----
    Files are cached per (path, mtime, size) in a process-wide LRU of 64 entries; directory
    listings are re-read whenever the directory's mtime changes, so epochs written by a
    running training job appear on the next :meth:`epochs` call.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        given = Path(path).expanduser()
        if not given.is_dir():
            what = "is not a directory" if given.exists() else "does not exist"
            raise VariantNotFoundError(
                f"Variant directory {str(given)!r} {what}.\n"
                "Pass the directory of one training variant (the one containing 'artifacts/')."
            )
        self.variant_dir = resolve_variant_dir(given)
        self.artifacts_dir = self.variant_dir / "artifacts"
        markers = (self.artifacts_dir, self._metrics_path, self._config_path)
        if not any(m.exists() for m in markers):
            found = sorted(p.name for p in self.variant_dir.iterdir())[:10]
            raise ArtifactError(
                f"{str(self.variant_dir)!r} does not look like a variant directory: it has no "
                f"'artifacts/', 'metrics.json' or 'config.json' (found: "
                f"{', '.join(found) or 'nothing'}).\n"
                "Pass the directory of one training variant, e.g. one made by "
                "vizwidget.demo.make_variant()."
            )
        self._listings: dict[str, tuple[int, list[int], dict[int, Path]]] = {}

    def __repr__(self) -> str:
        return f"ArtifactLoader({str(self.variant_dir)!r})"

    @property
    def _metrics_path(self) -> Path:
        return self.variant_dir / "metrics.json"

    @property
    def _config_path(self) -> Path:
        return self.variant_dir / "config.json"

    def _virtual_metrics(self, analyzer: str) -> bool:
        return (
            analyzer == METRICS_ANALYZER
            and not (self.artifacts_dir / METRICS_ANALYZER).is_dir()
            and self._metrics_path.is_file()
        )

    # -- listing -----------------------------------------------------------------------------

    def analyzers(self) -> list[str]:
        """Names of the analyzers that have an artifacts directory, sorted.

        Returns
        -------
        list of str
            Sub-directories of ``artifacts/``, plus ``"metrics"`` when ``metrics.json`` exists.
        """
        names = set()
        if self.artifacts_dir.is_dir():
            names = {p.name for p in self.artifacts_dir.iterdir() if p.is_dir()}
        if self._metrics_path.is_file():
            names.add(METRICS_ANALYZER)
        return sorted(names)

    def _analyzer_dir(self, analyzer: str) -> Path:
        if not isinstance(analyzer, str) or not analyzer:
            raise AnalyzerNotFoundError(
                f"Analyzer name must be a non-empty string, got {analyzer!r}.\n"
                f"Use one of: {', '.join(self.analyzers()) or 'none found'}."
            )
        directory = self.artifacts_dir / analyzer
        if not directory.is_dir():
            found = self.analyzers()
            raise AnalyzerNotFoundError(
                f"No artifacts for analyzer {analyzer!r}: {str(directory)!r} does not exist.\n"
                f"Analyzers found in {str(self.artifacts_dir)!r}: "
                f"{', '.join(found) if found else 'none'}."
            )
        return directory

    def _listing(self, analyzer: str) -> tuple[list[int], dict[int, Path]]:
        directory = self._analyzer_dir(analyzer)
        mtime = directory.stat().st_mtime_ns
        cached = self._listings.get(analyzer)
        if cached is not None and cached[0] == mtime:
            return cached[1], cached[2]
        files: dict[int, Path] = {}
        for entry in directory.iterdir():
            match = _EPOCH_FILE.match(entry.name)
            if match is None:
                continue
            epoch = int(match.group(1))
            if epoch in files:
                raise ArtifactError(
                    f"Two files for epoch {epoch} of analyzer {analyzer!r}: "
                    f"{files[epoch].name!r} and {entry.name!r} in {str(directory)!r}.\n"
                    "Keep exactly one file per epoch (delete the stale one)."
                )
            files[epoch] = entry
        epochs = sorted(files)
        self._listings[analyzer] = (mtime, epochs, files)
        return epochs, files

    def epochs(self, analyzer: str) -> list[int]:
        """Sorted epochs that have an artifact file for ``analyzer``.

        Parameters
        ----------
        analyzer : str
            Analyzer name (a sub-directory of ``artifacts/``, or ``"metrics"``).

        Returns
        -------
        list of int
            Epoch numbers parsed from ``epoch_{N}.npz`` / ``epoch_{N}.json`` (any zero padding).

        Raises
        ------
        AnalyzerNotFoundError
            If the analyzer has no directory; the message lists the analyzers found.
        """
        if self._virtual_metrics(analyzer):
            return sorted(set(self.metrics()["epoch"]))
        return list(self._listing(analyzer)[0])

    def latest_epoch(self, analyzer: str) -> int:
        """The largest epoch available for ``analyzer``.

        Raises
        ------
        EpochNotFoundError
            If the analyzer directory holds no epoch files yet.
        """
        epochs = self.epochs(analyzer)
        if not epochs:
            raise EpochNotFoundError(
                f"Analyzer {analyzer!r} has no epoch files yet in "
                f"{str(self.artifacts_dir / analyzer)!r}.\n"
                "Expected files named epoch_{N}.npz or epoch_{N}.json; wait for the first "
                "checkpoint or check the training job."
            )
        return epochs[-1]

    # -- loading -----------------------------------------------------------------------------

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
            f"{str(self.variant_dir)!r}.\n"
            f"Nearest available epochs: {near}."
        )

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
        dict
            ``.npz``: name -> read-only numpy array (0-d arrays become Python scalars);
            ``.json``: the JSON object; ``"metrics"``: the table row ``{column: value}``.
            The dict is a fresh shallow copy; the arrays are shared with the cache.

        Raises
        ------
        AnalyzerNotFoundError, EpochNotFoundError, CorruptArtifactError
        """
        number = _as_epoch(epoch)
        if self._virtual_metrics(analyzer):
            table = self.metrics()
            epochs = table["epoch"]
            if number is None or number not in epochs:
                raise self._missing_epoch(analyzer, epoch, sorted(set(epochs)))
            i = epochs.index(number)
            return {name: col[i] for name, col in table.items()}
        epochs, files = self._listing(analyzer)
        path = None if number is None else files.get(number)
        if path is None:
            raise self._missing_epoch(analyzer, epoch, epochs)
        reader = _read_npz if path.suffix == ".npz" else _read_json_dict
        return dict(_cached(path, reader))

    def path(self, analyzer: str, epoch: int) -> Path:
        """The file :meth:`load` reads for ``analyzer`` at ``epoch`` (``metrics.json`` for
        the metrics table); raises like :meth:`load` when there is none."""
        if self._virtual_metrics(analyzer):
            return self._metrics_path
        epochs, files = self._listing(analyzer)
        found = files.get(_as_epoch(epoch))  # type: ignore[arg-type]
        if found is None:
            raise self._missing_epoch(analyzer, epoch, epochs)
        return found

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
        """The per-epoch scalar table from ``metrics.json``, sorted by epoch.

        Returns
        -------
        dict of str to list
            Column name -> values; always has an ``"epoch"`` column of ints. A list of row
            objects in the file is converted to columns.

        Raises
        ------
        ArtifactError
            If ``metrics.json`` is missing.
        CorruptArtifactError
            If it is not a valid table.
        """
        path = self._metrics_path
        if not path.is_file():
            raise ArtifactError(
                f"No metrics.json in {str(self.variant_dir)!r}.\n"
                'Write {"epoch": [...], "train_loss": [...], ...} there to get training curves.'
            )
        table = _cached(path, _metrics_table)
        return {name: list(col) for name, col in table.items()}

    def config(self) -> dict[str, Any]:
        """Hyper-parameters from ``config.json``; ``{}`` when the file is absent.

        Raises
        ------
        CorruptArtifactError
            If the file is not a JSON object.
        """
        path = self._config_path
        if not path.is_file():
            return {}
        return dict(_cached(path, _read_json_dict))
