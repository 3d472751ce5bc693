"""Where a run keeps its epochs: artifacts/ folders, checkpoint folders, layout templates."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import AnalyzerNotFoundError, ArtifactError
from ._safetensors import has_safetensors

__all__ = [
    "CHECKPOINT_DIR",
    "EPOCH_FILE",
    "Scan",
    "check_layout",
    "mtimes",
    "scan_checkpoints",
    "scan_folder",
    "scan_template",
]

#: Epoch numbers are ASCII digits only (``epoch_٣.npz`` is not epoch 3).
EPOCH_FILE = re.compile(r"^epoch_([0-9]+)\.(npz|json|safetensors)$")
CHECKPOINT_DIR = re.compile(r"^(?:checkpoint-|step_|epoch_)([0-9]+)$")
EPOCH_FIELD = "{epoch}"


@dataclass(frozen=True)
class Scan:
    """The epochs found for one analyzer.

    Attributes
    ----------
    files : dict of int to Path
        Epoch -> an artifact file, or a checkpoint folder holding safetensors files.
    watched : tuple of Path
        Folders whose modification times change whenever ``files`` could change.
    """

    files: dict[int, Path]
    watched: tuple[Path, ...]


def mtimes(paths: Iterable[Path]) -> tuple[int | None, ...]:
    """Modification times (ns) of ``paths``; None for a path that does not exist."""
    out: list[int | None] = []
    for p in paths:
        try:
            out.append(p.stat().st_mtime_ns)
        except OSError:
            out.append(None)
    return tuple(out)


def _add(files: dict[int, Path], epoch: int, path: Path, analyzer: str) -> None:
    if epoch in files:
        raise ArtifactError(
            f"Two files for epoch {epoch} of analyzer {analyzer!r}: {str(files[epoch])!r} and "
            f"{str(path)!r}.\nKeep exactly one file per epoch (delete the stale one)."
        )
    files[epoch] = path


def _entries(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def scan_folder(directory: Path, analyzer: str, *, files_too: bool = True) -> Scan:
    """Epoch files and checkpoint folders directly in ``directory``.

    Files are ``epoch_{N}.npz`` / ``.json`` / ``.safetensors`` (skipped when ``files_too`` is
    False); folders are ``checkpoint-{N}``, ``step_{N}`` or ``epoch_{N}`` holding at least one
    ``*.safetensors`` file.
    """
    files: dict[int, Path] = {}
    watched = [directory]
    for entry in _entries(directory):
        match = EPOCH_FILE.match(entry.name)
        if match is not None and files_too and entry.is_file():
            _add(files, int(match.group(1)), entry, analyzer)
            continue
        match = CHECKPOINT_DIR.match(entry.name)
        if match is not None and entry.is_dir():
            watched.append(entry)  # its model file may land after the folder appears
            if has_safetensors(entry):
                _add(files, int(match.group(1)), entry, analyzer)
    return Scan(files, tuple(watched))


def scan_checkpoints(run_dir: Path, analyzer: str) -> Scan:
    """Checkpoint folders in the run directory and everything in ``run_dir/checkpoints/``."""
    top = scan_folder(run_dir, analyzer, files_too=False)
    nested = scan_folder(run_dir / "checkpoints", analyzer)
    files = dict(top.files)
    for epoch, path in nested.files.items():
        _add(files, epoch, path, analyzer)
    return Scan(files, top.watched + nested.watched)


def _template_regex(template: str) -> re.Pattern[str]:
    pieces = []
    for literal in template.split(EPOCH_FIELD):
        escaped = re.escape(literal).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        pieces.append(escaped)
    return re.compile("^" + r"(?<![0-9])([0-9]+)(?![0-9])".join(pieces) + "$")


def scan_template(run_dir: Path, template: str, analyzer: str) -> Scan:
    """Files, or folders holding safetensors files, whose path matches ``template``.

    ``template`` is relative to ``run_dir``; ``{epoch}`` marks the epoch number (a whole run
    of digits), ``*`` and ``?`` match as in glob within one path component.
    """
    pattern = re.sub(r"\*+", "*", template.replace(EPOCH_FIELD, "*"))
    regex = _template_regex(template)
    parts = pattern.split("/")
    watched = [run_dir]
    for depth in range(1, len(parts)):
        watched.extend(p for p in sorted(run_dir.glob("/".join(parts[:depth]))) if p.is_dir())
    files: dict[int, Path] = {}
    for path in sorted(run_dir.glob(pattern)):
        match = regex.match(path.relative_to(run_dir).as_posix())
        if match is None:
            continue
        if path.is_dir():
            watched.append(path)
            if not has_safetensors(path):
                continue
        elif path.suffix not in (".npz", ".json", ".safetensors") or not path.is_file():
            continue  # FIFOs, devices and sockets named like artifacts are never opened
        _add(files, int(match.group(1)), path, analyzer)
    return Scan(files, tuple(watched))


def check_layout(layout: Mapping[str, str | os.PathLike[str]] | None) -> dict[str, str]:
    """Validate a ``layout=`` mapping; returns ``{analyzer: template or path}`` as strings.

    Raises
    ------
    ArtifactError
        If it is not a mapping of non-empty analyzer names to non-empty paths.
    """
    if layout is None:
        return {}
    if not isinstance(layout, Mapping):
        raise ArtifactError(
            f"layout must be a mapping of analyzer name to path, got {type(layout).__name__}.\n"
            'Example: layout={"parameters": "ckpt/model_ep{epoch}.safetensors", '
            '"metrics": "logs/"}.'
        )
    out: dict[str, str] = {}
    for name, where in layout.items():
        text = os.fspath(where) if isinstance(where, (str, os.PathLike)) else None
        if not isinstance(name, str) or not name or not text:
            raise ArtifactError(
                f"Bad layout entry {name!r}: {where!r}.\n"
                "Map each analyzer name to a path relative to the run directory, with {epoch} "
                "where the epoch number goes (a folder without {epoch} is scanned for epochs)."
            )
        if EPOCH_FIELD in text and Path(text).is_absolute():
            raise ArtifactError(
                f"layout[{name!r}] = {text!r} is absolute; an {{epoch}} pattern must be "
                "relative.\nWrite it relative to the run directory, e.g. "
                "'ckpt/model_ep{epoch}.safetensors'."
            )
        out[name] = Path(text).as_posix() if EPOCH_FIELD not in text else text.replace("\\", "/")
    return out


def missing_folder(directory: Path, analyzer: str, found: list[str]) -> AnalyzerNotFoundError:
    """The error for a layout folder that does not exist."""
    return AnalyzerNotFoundError(
        f"No artifacts for analyzer {analyzer!r}: {str(directory)!r} does not exist.\n"
        f"Fix layout[{analyzer!r}], or use one of: {', '.join(found) or 'none found'}."
    )
