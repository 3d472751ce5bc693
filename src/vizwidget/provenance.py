"""Provenance records of the joining layer: what was rendered, from which artifacts; reading.

The export core stores versions, format and size; this module adds what only the joining
layer knows: the visualization and its renderer, the variant directory (relative to the
output file), a sha256 of every artifact file the renderer's data came from, the epoch(s) and
the renderer's keyword arguments. :func:`read_provenance` reads a record back from any file
vizwidget wrote.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from .errors import ArtifactError, ProvenanceError, ProvenanceMismatchError, one_line
from .export import Provenance, read_record
from .registry import Visualization
from .runs import ArtifactLoader

__all__ = ["artifact_files", "artifact_hashes", "check_artifacts", "read_provenance",
           "renderer_name", "run_of", "variant_record"]

#: Record fields vizwidget fills in itself; every other field is the caller's own.
DERIVED = frozenset({
    "schema", "format", "versions", "created", "width", "height", "scale", "theme", "frames",
    "animation", "figure", "figure_sha256", "visualization", "renderer", "kind", "analyzers",
    "variant", "artifacts", "epoch", "epochs", "kwargs",
})

_SHA256 = re.compile(r"[0-9a-f]{64}")

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
        If the path is not a regular file or frames directory (FIFOs and devices are refused
        without being opened), is larger than 512 MiB, or carries no record, two records or
        a malformed one (not JSON, not an object, over 1 MiB inflated, over 64 levels deep,
        without ``format``). The message names the file.

    Notes
    -----
    A record is data: reading it never imports or runs anything (see the trust model).
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
    epochs = list(epochs)
    files: dict[Path, None] = {}
    for analyzer in vis.analyzers:
        if epochs and loader.is_table(analyzer):  # one table holds every epoch's row
            files.update(dict.fromkeys(loader.paths(analyzer, epochs[0])))
            continue
        for epoch in epochs:
            files.update(dict.fromkeys(loader.paths(analyzer, epoch)))
    out = {_relative(path, loader.variant_dir): sha256_file(path) for path in files}
    return dict(sorted(out.items()))


#: Longer lists of epochs are stored in a record as a summary (first, last, count, sha256).
MAX_LISTED_EPOCHS = 10_000


def epochs_field(epochs: Sequence[int]) -> list[int] | dict[str, Any]:
    """A record's ``epochs``: the list, or for a long one ``{first, last, count, sha256}``."""
    epochs = [int(e) for e in epochs]
    if len(epochs) <= MAX_LISTED_EPOCHS:
        return epochs
    digest = hashlib.sha256(",".join(map(str, epochs)).encode("ascii")).hexdigest()
    return {"first": epochs[0], "last": epochs[-1], "count": len(epochs), "sha256": digest}


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
                   "epochs": epochs_field(read),
                   "kwargs": {k: _plain_option(v)
                              for k, v in {**vis.defaults, **(kwargs or {})}.items()}})
    if loader is not None:
        record["variant"] = relative_variant(loader.variant_dir, output_path)
        record["artifacts"] = artifact_hashes(vis, loader, read)
    return record


def _plain_option(value: Any) -> Any:
    """A renderer option as record data: a dataclass instance (e.g. a ``TableSpec``) as the
    dict of its fields that differ from their defaults, so that a replay passes a dict."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)
                if getattr(value, f.name) != f.default}
    return value


def _path_problem(text: Any) -> str | None:
    """Why ``text`` is not a plain relative path (None when it is one)."""
    if not isinstance(text, str) or not text:
        return "it is not a non-empty string"
    if "\0" in text or "\\" in text:
        return "it holds a NUL byte or a backslash"
    if PurePosixPath(text).is_absolute() or PureWindowsPath(text).drive or text[0] in "/\\":
        return "it is absolute"
    return None


def _refuse(path: str | os.PathLike[str], what: str, value: Any, why: str,
            fix: str) -> ProvenanceError:
    shown = repr(value) if len(repr(value)) <= 200 else repr(value)[:200] + "…"
    return ProvenanceError(f"The provenance record of {str(path)!r} names the {what} {shown}, "
                           f"which is refused: {why}.\n{fix}")


def run_of(record: dict[str, Any], path: str | os.PathLike[str],
           run: str | os.PathLike[str] | None = None) -> ArtifactLoader:
    """The run (variant directory) a record was made from, checked before any file is read.

    The record's ``variant`` is relative to the file's directory (``..`` for a file in
    ``run/exports/``); it must be a relative path (never absolute) that resolves, symbolic
    links followed, to a directory that is a real run (holding ``artifacts/``, metrics,
    ``config.json`` or checkpoints) and is not a filesystem root. ``run`` overrides it.

    Raises
    ------
    ProvenanceError
        When the variant is absent, absolute, missing, a root or not a run.
    """
    fix = "Pass the run folder yourself: reproduce(path, run='path/to/run')."
    if run is not None:
        try:
            return ArtifactLoader(run)
        except ArtifactError as err:
            raise ProvenanceError(f"The run {str(run)!r} given for {str(path)!r} cannot be "
                                  f"read: {one_line(err)}\nPass the folder of the run the file "
                                  "was made from.") from err
    text = record.get("variant")
    why = _path_problem(text)
    if why is not None:
        raise _refuse(path, "variant directory", text, why, fix)
    try:
        where = (Path(path).parent / text).resolve(strict=True)
    except (OSError, RuntimeError) as err:
        raise _refuse(path, "variant directory", text, "it does not exist", fix) from err
    if not where.is_dir() or where.parent == where:
        raise _refuse(path, "variant directory", text,
                      "it is not a directory" if not where.is_dir() else "it is a filesystem root",
                      fix)
    try:
        return ArtifactLoader(where)
    except ArtifactError as err:
        raise _refuse(path, "variant directory", text, f"{str(where)!r} is not a run folder",
                      fix) from err


def artifact_files(record: dict[str, Any], variant_dir: Path,
                   path: str | os.PathLike[str] = "") -> dict[Path, str]:
    """``{file: sha256}`` of a record's artifacts, each checked to stay inside the run.

    Keys must be relative paths without ``..``, and must still be inside ``variant_dir`` once
    symbolic links are resolved; hashes must be 64 hex digits. Nothing is opened.

    Raises
    ------
    ProvenanceError
        Naming the first artifact path (or hash) that breaks a rule.
    """
    artifacts = record.get("artifacts") or {}
    fix = ("Only files inside the run folder are read; re-export the file from its run to "
           "reproduce it.")
    if not isinstance(artifacts, dict):
        raise _refuse(path, "artifacts", type(artifacts).__name__, "they are not an object", fix)
    root = variant_dir.resolve()
    out = {}
    for name, digest in artifacts.items():
        why = _path_problem(name)
        if why is None and ".." in PurePosixPath(name).parts:
            why = "it holds '..'"
        if why is None:
            file = (root / name).resolve()
            if not file.is_relative_to(root):
                why = f"it leads out of the run folder (to {str(file)!r})"
        if why is not None:
            raise _refuse(path, "artifact", name, why, fix)
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise _refuse(path, "sha256 of artifact", name, "it is not 64 hex digits", fix)
        out[file] = digest
    return out


def check_artifacts(record: dict[str, Any], variant_dir: Path,
                    path: str | os.PathLike[str] = "") -> None:
    """Raise ProvenanceMismatchError unless every recorded artifact has its recorded hash.

    Every artifact path is checked (see :func:`artifact_files`) before any file is opened.
    """
    for file, expected in artifact_files(record, variant_dir, path).items():
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
