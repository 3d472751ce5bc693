"""Provenance records of the joining layer: what was rendered, from which artifacts; reading.

The export core stores versions, format and size; this module adds what only the joining
layer knows: the visualization and its renderer, the variant directory (relative to the
output file), a sha256 of every artifact file the renderer's data came from, the epoch(s) and
the renderer's keyword arguments. :func:`read_provenance` reads a record back from any file
vizwidget wrote.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .artifacts import ArtifactLoader
from .errors import ProvenanceMismatchError
from .export import Provenance, read_record
from .registry import Visualization

__all__ = ["artifact_hashes", "check_artifacts", "read_provenance", "renderer_name",
           "variant_record"]

#: Record fields vizwidget fills in itself; every other field is the caller's own.
DERIVED = frozenset({
    "schema", "format", "versions", "created", "width", "height", "scale", "theme", "frames",
    "animation", "figure", "figure_sha256", "visualization", "renderer", "kind", "analyzers",
    "variant", "artifacts", "epoch", "epochs", "kwargs",
})

_hash_cache: dict[tuple[str, int, int], str] = {}


def read_provenance(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The provenance record stored in a file (or frames directory) vizwidget wrote.

    Parameters
    ----------
    path : str or os.PathLike
        Any file vizwidget exported: png, jpeg, webp, svg, pdf, html, json, gif, APNG,
        mp4, webm, csv, or a frames directory (its ``provenance.json``).

    Returns
    -------
    dict
        ``versions``, ``format``, ``width``/``height``/``scale``/``theme``, and when made from
        a variant ``visualization``, ``renderer``, ``variant``, ``artifacts`` (path ->
        sha256), ``epoch``/``epochs`` and ``kwargs``; plus the fields the caller added.

    Raises
    ------
    ProvenanceError
        If the file carries no record.
    """
    return read_record(path)


def renderer_name(fn: Any) -> str:
    """``module:qualname`` of a renderer function."""
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}"


def sha256_file(path: Path) -> str:
    """The sha256 of a file (cached per path, mtime and size)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    digest = _hash_cache.get(key)
    if digest is None:
        h = hashlib.sha256()
        with open(path, "rb") as fp:
            for block in iter(lambda: fp.read(1 << 20), b""):
                h.update(block)
        digest = _hash_cache[key] = h.hexdigest()
    return digest


def artifact_hashes(vis: Visualization, loader: ArtifactLoader,
                    epochs: Iterable[int]) -> dict[str, str]:
    """``{path relative to the variant: sha256}`` of every file ``vis`` reads at ``epochs``."""
    out = {}
    for epoch in epochs:
        for analyzer in vis.analyzers:
            for path in loader.paths(analyzer, epoch):
                out[_relative(path, loader.variant_dir)] = sha256_file(path)
    return dict(sorted(out.items()))


def _relative(path: Path, variant_dir: Path) -> str:
    try:
        return path.resolve().relative_to(variant_dir).as_posix()
    except ValueError:  # a layout= may point outside the run
        return path.resolve().as_posix()


def relative_variant(variant_dir: Path, output_path: str | os.PathLike[str]) -> str:
    """The variant directory relative to the output file's directory (absolute if impossible)."""
    base = Path(os.path.abspath(Path(output_path).parent))
    try:
        return Path(os.path.relpath(variant_dir, base)).as_posix()
    except ValueError:  # another drive
        return str(variant_dir)


def variant_record(
    vis: Visualization,
    loader: ArtifactLoader | None,
    output_path: str | os.PathLike[str],
    *,
    epoch: int | None,
    epochs: Iterable[int] | None = None,
    kwargs: dict[str, Any] | None = None,
    provenance: Provenance = None,
) -> Provenance:
    """What the joining layer knows about a figure, merged over the caller's ``provenance``.

    Returns False when ``provenance`` is False (no record), else a dict for the export core.
    ``epochs`` are the epochs whose data was read (default: ``[epoch]``).
    """
    if provenance is False:
        return False
    record: dict[str, Any] = dict(provenance) if isinstance(provenance, dict) else {}
    read = [epoch] if epochs is None and epoch is not None else list(epochs or ())
    record.update({"visualization": vis.name, "renderer": renderer_name(vis.fn),
                   "kind": vis.kind, "analyzers": list(vis.analyzers),
                   "epoch": None if epoch is None else int(epoch),
                   "epochs": [int(e) for e in read],
                   "kwargs": {**vis.defaults, **(kwargs or {})}})
    if loader is not None:
        record["variant"] = relative_variant(loader.variant_dir, output_path)
        record["artifacts"] = artifact_hashes(vis, loader, read)
    return record


def variant_of(record: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """The variant directory a record names, resolved against the file's directory."""
    variant = Path(record["variant"])
    return variant if variant.is_absolute() else Path(path).parent / variant


def check_artifacts(record: dict[str, Any], variant_dir: Path) -> None:
    """Raise ProvenanceMismatchError unless every recorded artifact has its recorded hash."""
    for name, expected in (record.get("artifacts") or {}).items():
        file = variant_dir / name
        if not file.is_file():
            raise ProvenanceMismatchError(
                f"The artifact {str(file)!r} this file was made from is missing "
                f"(recorded sha256 {expected[:16]}…).\n"
                "Restore the variant directory (or pass the file next to it) to reproduce it.")
        actual = sha256_file(file)
        if actual != expected:
            raise ProvenanceMismatchError(
                f"The artifact {str(file)!r} changed since the file was made: sha256 "
                f"{actual[:16]}… now, {expected[:16]}… recorded.\n"
                "Restore the original artifact to reproduce the file byte for byte.")
