"""Runs of experiment trackers (MLflow) as local run folders that every vizwidget verb reads.

Public API::

    mlflow_runs(tracking_uri, experiment, filter_string=None, cache_dir=None,
                checkpoints=True) -> list[TrackedRun]

``Variants.from_mlflow`` builds a comparison set from them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._folders import MAX_CHECKPOINT_BYTES, default_cache_dir, download_checkpoints, write_run
from ._mlflow import INSTALL_HINT, MlflowRun, read_experiment, safe_uri

__all__ = ["INSTALL_HINT", "MAX_CHECKPOINT_BYTES", "MlflowRun", "TrackedRun", "mlflow_runs"]


@dataclass(frozen=True)
class TrackedRun:
    """One tracked run materialised as a run folder.

    Attributes
    ----------
    path : pathlib.Path
        The run folder (``config.json``, ``metrics.csv``, checkpoints, ``tracker.json``).
    run_name, run_id : str
        The tracker's names for it.
    source : dict
        ``{"tracker", "tracking_uri", "experiment", "experiment_id", "run_id", "run_name"}``
        (the URI without credentials): recorded in comparison exports' provenance.
    """

    path: Path
    run_name: str
    run_id: str
    source: dict[str, Any] = field(default_factory=dict)


def mlflow_runs(tracking_uri: str | os.PathLike[str], experiment: str, *,
                filter_string: str | None = None,
                cache_dir: str | os.PathLike[str] | None = None, checkpoints: bool = True,
                max_checkpoint_bytes: int = MAX_CHECKPOINT_BYTES) -> list[TrackedRun]:
    """The runs of an MLflow experiment written as run folders under ``cache_dir``.

    Parameters
    ----------
    tracking_uri : str or path
        ``sqlite:///…``, ``http(s)://…`` of a tracking server, or an ``mlruns`` folder.
    experiment : str
        Experiment name (or id).
    filter_string : str, optional
        MLflow search filter, e.g. ``"params.lr = '0.01'"``.
    cache_dir : str or path, optional
        Where run folders are written; default ``$XDG_CACHE_HOME/vizwidget/mlflow/<hash>``.
    checkpoints : bool, default True
        Download checkpoint artifacts (``artifacts/{analyzer}/epoch_N.*``, ``checkpoint-N/``
        safetensors, ``checkpoints/``), each file once; other artifacts are never fetched.
    max_checkpoint_bytes : int
        Refuse a run whose checkpoints are bigger (default 8 GiB).

    Returns
    -------
    list of TrackedRun
        Oldest run first.
    """
    uri = os.fspath(tracking_uri)
    exp, runs = read_experiment(uri, experiment, filter_string=filter_string)
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir(uri)
    out = []
    for run in runs:
        source = {"tracker": "mlflow", "tracking_uri": safe_uri(uri), "experiment": exp.name,
                  "experiment_id": run.experiment_id, "run_id": run.run_id,
                  "run_name": run.run_name}
        folder = write_run(run, root.resolve(), source)
        if checkpoints and run.artifact_uri:
            from mlflow.store.artifact.artifact_repository_registry import (
                get_artifact_repository,
            )

            repo = get_artifact_repository(run.artifact_uri, tracking_uri=uri)
            download_checkpoints(repo, run.run_id, folder, max_checkpoint_bytes)
        out.append(TrackedRun(folder, run.run_name, run.run_id, source))
    return out
