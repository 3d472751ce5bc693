"""Tracked runs as local run folders: config.json, metrics.csv and checkpoints, in a cache."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ...errors import ArtifactError, CorruptArtifactError, OutputPathError
from ...export import atomic_write
from ._mlflow import MlflowRun

__all__ = ["MAX_CHECKPOINT_BYTES", "default_cache_dir", "download_checkpoints", "write_run"]

#: Bytes of checkpoint files one run may download (bigger runs are an error).
MAX_CHECKPOINT_BYTES = 8 << 30
#: Artifact entries listed per run at most (directory listings of a hostile store).
MAX_ENTRIES = 20_000
#: The tracked run's own record in its folder (ids, store, experiment).
SOURCE_FILE = "tracker.json"
#: Metric names that would be taken for the x column of metrics.csv are renamed.
_RESERVED = {"epoch": "logged_epoch", "step": "logged_step"}
_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=+-]{0,199}$")
_EPOCH_FILE = re.compile(r"^epoch_0*[0-9]{1,12}\.(npz|json|safetensors)$")
_CKPT_DIR = re.compile(r"^(checkpoint-|step_|epoch_)0*[0-9]{1,12}$")
_CKPT_FILE = re.compile(r"^(.*\.safetensors|model\.safetensors\.index\.json)$")


def default_cache_dir(tracking_uri: str) -> Path:
    """``$XDG_CACHE_HOME/vizwidget/mlflow/<hash of the URI>`` (``~/.cache`` by default)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(tracking_uri.encode("utf-8")).hexdigest()[:16]
    return base / "vizwidget" / "mlflow" / digest


def _write_if_changed(path: Path, data: str) -> None:
    """Atomic write, skipped when the bytes are already there (keeps caches keyed by mtime)."""
    if path.is_file() and path.read_bytes() == data.encode("utf-8"):
        return
    atomic_write(path, data)


def _metrics_csv(history: dict[str, dict[int, float]]) -> str:
    names = {name: _RESERVED.get(name, name) for name in sorted(history)}
    steps = sorted(set().union(*(h.keys() for h in history.values()))) if history else []
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["step", *names.values()])
    for step in steps:
        row = [history[n].get(step) for n in names]
        out.writerow([step, *("" if v is None else repr(v) for v in row)])
    return buf.getvalue()


def write_run(run: MlflowRun, root: Path, source: dict[str, Any]) -> Path:
    """Write ``run`` as ``root/<experiment id>/<run id>/`` and return that folder.

    The folder gets ``config.json`` (params and tags), ``metrics.csv`` (x column ``step``;
    metrics named ``epoch`` or ``step`` become ``logged_epoch``/``logged_step``) and
    ``tracker.json`` (``source``). Unchanged files are not rewritten.
    """
    folder = root / run.experiment_id / run.run_id
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputPathError(f"Cannot create the run cache folder {str(folder)!r}: "
                              f"{err.strerror or err}.\n"
                              "Pass cache_dir= pointing to a writable folder.") from err
    config = json.dumps(run.config, indent=1, sort_keys=True, default=str, allow_nan=False)
    _write_if_changed(folder / "config.json", config + "\n")
    _write_if_changed(folder / "metrics.csv", _metrics_csv(run.history))
    _write_if_changed(folder / SOURCE_FILE, json.dumps(source, indent=1, sort_keys=True) + "\n")
    return folder


def _safe_relative(path: str) -> PurePosixPath | None:
    """``path`` as a relative POSIX path of plain names, or None for anything else."""
    if not isinstance(path, str) or "\\" in path or "\x00" in path:
        return None
    parts = PurePosixPath(path).parts
    if not parts or len(parts) > 4 or path.startswith("/"):
        return None
    if not all(_PART.match(p) and p not in (".", "..") for p in parts):
        return None
    return PurePosixPath(*parts)


def _wanted(path: PurePosixPath) -> bool:
    """Checkpoint files in the layouts the loader reads; nothing else is downloaded."""
    parts = path.parts
    if len(parts) == 3 and parts[0] == "artifacts":
        return bool(_EPOCH_FILE.match(parts[2]))
    if parts[0] == "checkpoints":
        parts = parts[1:]
        if len(parts) == 1:
            return bool(_EPOCH_FILE.match(parts[0])) and parts[0].endswith(".safetensors")
    return len(parts) == 2 and bool(_CKPT_DIR.match(parts[0]) and _CKPT_FILE.match(parts[1]))


def _walk(repo: Any, run_id: str) -> Iterator[tuple[PurePosixPath, int]]:
    """``(path, size)`` of the run's checkpoint artifacts, listing only folders that can hold
    one (bounded in entries and depth)."""
    seen = 0
    stack: list[str | None] = [None]
    while stack:
        where = stack.pop()
        for info in repo.list_artifacts(where):
            seen += 1
            if seen > MAX_ENTRIES:
                raise CorruptArtifactError(
                    f"MLflow run {run_id} lists more than {MAX_ENTRIES} artifacts in its "
                    "checkpoint folders.\nPass checkpoints=False, or clean up its artifacts.")
            rel = _safe_relative(info.path)
            if rel is None:
                continue
            if info.is_dir:
                top = rel.parts[0]
                if len(rel.parts) < 3 and (top in ("artifacts", "checkpoints")
                                           or _CKPT_DIR.match(rel.parts[-1])):
                    stack.append(str(rel))
            elif _wanted(rel):
                yield rel, int(info.file_size or 0)


def _inside(folder: Path, rel: PurePosixPath) -> Path:
    target = (folder / rel).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise CorruptArtifactError(f"Artifact path {str(rel)!r} leads out of {str(folder)!r}.\n"
                                   "The tracking store may be damaged; it is not read.")
    return target


def download_checkpoints(repo: Any, run_id: str, folder: Path,
                         max_bytes: int = MAX_CHECKPOINT_BYTES) -> list[Path]:
    """Download the run's checkpoint artifacts from ``repo`` (MLflow's artifact repository
    of the run) into ``folder``, each file once.

    A file already there with the listed size is kept. Each download lands in a temporary
    folder inside ``folder`` and is moved into place only when it is a regular file of the
    listed size; nothing outside ``folder`` is written.

    Raises
    ------
    ArtifactError
        The checkpoints exceed ``max_bytes``, or a download fails or is not what was listed.
    """
    files = list(_walk(repo, run_id))
    total = sum(size for _, size in files)
    if total > max_bytes:
        raise ArtifactError(
            f"MLflow run {run_id} has {total / 2**30:.1f} GiB of checkpoints, more than the "
            f"{max_bytes / 2**30:.1f} GiB limit.\n"
            "Pass max_checkpoint_bytes= a larger limit, or checkpoints=False.")
    written = []
    for rel, size in files:
        target = _inside(folder, rel)
        if target.is_file() and not target.is_symlink() and target.stat().st_size == size:
            written.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".download.", dir=folder))
        try:
            got = Path(repo.download_artifacts(str(rel), str(staging))).resolve()
            if (not got.is_relative_to(staging.resolve()) or got.is_symlink()
                    or not got.is_file() or (size and got.stat().st_size != size)):
                raise CorruptArtifactError(
                    f"MLflow artifact {str(rel)!r} of run {run_id} did not download as the "
                    "listed regular file.\nRetry; if it persists, check the artifact store.")
            os.replace(got, target)
        except CorruptArtifactError:
            raise
        except Exception as err:  # MLflow's own errors and OSError
            raise ArtifactError(f"Downloading MLflow artifact {str(rel)!r} of run {run_id} "
                                f"failed: {err}.\nCheck the artifact store and retry.") from err
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        written.append(target)
    return written
