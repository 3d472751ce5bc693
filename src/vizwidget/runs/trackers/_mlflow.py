"""Read an MLflow experiment through MLflow's client: runs, params, tags, full metric histories."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ...errors import MissingDependencyError, UsageError, VariantNotFoundError, describe

__all__ = ["MlflowRun", "read_experiment", "safe_uri"]

INSTALL_HINT = 'pip install "vizwidget[mlflow]"'
#: Runs one call reads at most (search_runs pages until then).
MAX_RUNS = 10_000
#: Runs per bulk history request (the tracking server's own limit is 100).
_BULK_RUNS = 100
#: Points one bulk request may return (the tracking server caps it at 25,000).
_BULK_POINTS = 25_000
#: Metric points one SQL query (100 runs) may return.
_DB_POINTS = 5_000_000
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_INT = re.compile(r"^[+-]?[0-9]{1,18}$")
_FLOAT = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


@dataclass
class MlflowRun:
    """One MLflow run: ids, its params and tags as a config, and every metric's history.

    Attributes
    ----------
    run_id, run_name, experiment_id : str
        As MLflow stores them.
    config : dict
        Params and user tags (``mlflow.*`` system tags dropped), numeric-looking strings
        converted to int or float; params win over tags of the same name. ``run_name`` and
        ``run_id`` are added unless a param already has that name.
    history : dict
        Metric name -> ``{step: value}`` (the last value logged at a step wins).
    artifact_uri : str
        Where the run's artifacts are stored.
    """

    run_id: str
    run_name: str
    experiment_id: str
    config: dict[str, Any] = field(default_factory=dict)
    history: dict[str, dict[int, float]] = field(default_factory=dict)
    artifact_uri: str = ""


def _mlflow():
    try:
        import mlflow
        from mlflow.exceptions import MlflowException
    except ImportError as err:
        raise MissingDependencyError(
            "Reading MLflow runs needs the 'mlflow' package.\n"
            f"Install it with: {INSTALL_HINT}") from err
    return mlflow, MlflowException


def safe_uri(uri: str) -> str:
    """``uri`` without a password or user name (for messages and provenance records)."""
    parts = urlsplit(uri)
    if parts.password is None and parts.username is None:
        return uri
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def as_value(text: Any) -> Any:
    """A param or tag string as an int or finite float when it looks like one, else itself."""
    if not isinstance(text, str):
        return text
    stripped = text.strip()
    if _INT.match(stripped):
        return int(stripped)
    if _FLOAT.match(stripped):
        return float(stripped)
    return text


def _sqlite_path(uri: str) -> Path | None:
    if not uri.startswith("sqlite:"):
        return None
    path = unquote(urlsplit(uri).path)
    if uri.startswith("sqlite:////"):
        return Path("/" + path.lstrip("/"))
    return Path(path[1:] if path.startswith("/") else path)


def _check_store(uri: str) -> None:
    """Raise before MLflow would create an empty store at a mistyped location."""
    shown = safe_uri(uri)
    db = _sqlite_path(uri)
    scheme = urlsplit(uri).scheme
    if db is not None:
        if not db.is_file():
            raise VariantNotFoundError(
                f"MLflow tracking store {shown!r}: the database file {str(db)!r} does not exist.\n"
                "Check the path (sqlite:////absolute/path/mlflow.db has four slashes).")
        return
    if scheme in ("", "file"):
        folder = Path(unquote(urlsplit(uri).path) if scheme else uri).expanduser()
        if not folder.is_dir():
            raise VariantNotFoundError(
                f"MLflow tracking store {shown!r} does not exist (no folder {str(folder)!r}).\n"
                "Pass the folder holding mlruns, a sqlite:/// URI or an http(s):// server.")
        return
    if scheme in ("http", "https"):
        import requests

        try:
            requests.get(uri.rstrip("/") + "/health", timeout=10)
        except requests.RequestException as err:
            raise VariantNotFoundError(
                f"MLflow tracking server {shown!r} does not answer ({describe(err)}).\n"
                "Start it (mlflow server ...) or check the address and port.") from err


def _experiment(client: Any, experiment: str, uri: str, error: type) -> Any:
    found = None
    try:
        found = client.get_experiment_by_name(str(experiment))
        if found is None and str(experiment).isdigit():
            found = client.get_experiment(str(experiment))
    except error as err:
        if "RESOURCE_DOES_NOT_EXIST" not in str(getattr(err, "error_code", "")):
            raise VariantNotFoundError(
                f"MLflow tracking store {safe_uri(uri)!r} cannot be read ({describe(err)}).\n"
                "Check the tracking URI and that the store is an MLflow store.") from err
    if found is None:
        try:
            names = [e.name for e in client.search_experiments(max_results=20)]
        except error:
            names = []
        raise VariantNotFoundError(
            f"MLflow store {safe_uri(uri)!r} has no experiment named {str(experiment)!r}.\n"
            f"Its experiments: {', '.join(map(repr, names)) or 'none'}; pass one of them "
            "(or an experiment id).")
    if not _ID.match(str(found.experiment_id)):
        raise VariantNotFoundError(f"MLflow experiment id {found.experiment_id!r} is not a plain "
                                   "id.\nCheck the tracking store; it may be damaged.")
    return found


def _search(client: Any, experiment_id: str, filter_string: str | None, error: type) -> list:
    runs: list = []
    token = None
    while len(runs) < MAX_RUNS:
        try:
            page = client.search_runs([experiment_id], filter_string=filter_string or "",
                                      max_results=min(1000, MAX_RUNS - len(runs)),
                                      order_by=["attributes.start_time ASC"], page_token=token)
        except error as err:
            raise UsageError(
                f"MLflow cannot search runs with filter_string={filter_string!r} "
                f"({describe(err)}).\n"
                "Write a filter such as \"params.lr = '0.01'\" or \"metrics.loss < 1\".") from err
        runs.extend(page)
        token = getattr(page, "token", None)
        if not token:
            break
    return runs


def _config(run: Any) -> dict[str, Any]:
    tags = {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")}
    config = {k: as_value(v) for k, v in {**tags, **run.data.params}.items()}
    config.setdefault("run_name", run.info.run_name or run.info.run_id)
    config.setdefault("run_id", run.info.run_id)
    return config


def _into(history: dict[str, dict[str, dict[int, float]]], key: str,
          points: Iterable[tuple[str, int, int, float]]) -> None:
    """Store ``(run_id, timestamp, step, value)`` points, the last logged per step winning."""
    for run_id, _, step, value in sorted(points, key=lambda p: (p[0], p[1])):
        history.setdefault(run_id, {}).setdefault(key, {})[step] = value


def _db_reader(client: Any):
    """A reader of every metric point of up to 100 runs in one SQL query, when the client
    talks to a database (MLflow's ORM would build one object per point: seconds per sweep)."""
    store = getattr(getattr(client, "_tracking_client", None), "store", None)
    engine = getattr(store, "engine", None)
    if engine is None:
        return None
    try:
        import sqlalchemy as sa
        from mlflow.store.tracking.dbmodels.models import SqlMetric
    except ImportError:
        return None
    t = SqlMetric.__table__

    def read(run_ids: list[str]) -> list[tuple[str, str, int, int, float]]:
        query = (sa.select(t.c.run_uuid, t.c.key, t.c.timestamp, t.c.step, t.c.value, t.c.is_nan)
                 .where(t.c.run_uuid.in_(run_ids))
                 .order_by(t.c.run_uuid, t.c.key, t.c.timestamp, t.c.step)
                 .limit(_DB_POINTS + 1))
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if len(rows) > _DB_POINTS:
            raise UsageError(
                f"MLflow runs {run_ids[0]}… hold more than {_DB_POINTS:,} metric points.\n"
                "Select fewer runs with filter_string=.")
        return [(r[0], r[1], int(r[2] or 0), int(r[3] or 0),
                 math.nan if r[5] else float(r[4])) for r in rows]

    return read


def _rest_bulk(uri: str):
    """A reader of the tracking server's bulk history endpoint."""
    from mlflow.utils.rest_utils import MlflowHostCreds, http_request

    creds = MlflowHostCreds(
        uri.rstrip("/"), username=os.environ.get("MLFLOW_TRACKING_USERNAME"),
        password=os.environ.get("MLFLOW_TRACKING_PASSWORD"),
        token=os.environ.get("MLFLOW_TRACKING_TOKEN"),
        ignore_tls_verification=os.environ.get("MLFLOW_TRACKING_INSECURE_TLS") == "true")

    def bulk(run_ids: list[str], key: str, limit: int) -> list[tuple[str, int, int, float]]:
        response = http_request(creds, "/ajax-api/2.0/mlflow/metrics/get-history-bulk", "GET",
                                params={"run_id": run_ids, "metric_key": key,
                                        "max_results": limit}, max_retries=2, timeout=60)
        response.raise_for_status()
        return [(m["run_id"], int(m.get("timestamp", 0)), int(m.get("step", 0)),
                 float(m["value"])) for m in response.json().get("metrics", [])]

    return bulk


def _histories(client: Any, uri: str, wanted: dict[str, list[str]],
               error: type) -> dict[str, dict[str, dict[int, float]]]:
    """run id -> metric -> {step: value}: one SQL query per 100 runs for a database store,
    a bulk request per metric and 100 runs for a tracking server, else run by run."""
    history: dict[str, dict[str, dict[int, float]]] = {}
    ids = sorted(wanted)
    db = _db_reader(client)
    if db is not None:
        try:
            for i in range(0, len(ids), _BULK_RUNS):
                for run_id, key, _, step, value in db(ids[i:i + _BULK_RUNS]):
                    # rows come by run, key and time: the last logged per step wins
                    history.setdefault(run_id, {}).setdefault(key, {})[step] = value
            return history
        except UsageError:
            raise
        except Exception:  # another schema: MLflow's own readers below
            history.clear()
    bulk = _rest_bulk(uri) if urlsplit(uri).scheme in ("http", "https") else None

    def one_by_one(run_id: str, key: str) -> None:
        points = client.get_metric_history(run_id, key)
        _into(history, key, ((run_id, m.timestamp, m.step, m.value) for m in points))

    by_key: dict[str, list[str]] = {}
    for run_id in ids:
        for key in wanted[run_id]:
            by_key.setdefault(key, []).append(run_id)
    for key, run_ids in by_key.items():
        queue = list(run_ids)
        while queue:
            chunk, queue = queue[:_BULK_RUNS], queue[_BULK_RUNS:]
            if bulk is None:
                for run_id in chunk:
                    one_by_one(run_id, key)
                continue
            try:
                points = bulk(chunk, key, _BULK_POINTS)
            except Exception:  # a server without the endpoint: ask run by run
                bulk = None
                queue = chunk + queue
                continue
            if len(points) < _BULK_POINTS:
                _into(history, key, points)
                continue
            # truncated: keep the runs known complete (results are sorted by run id)
            last = max(p[0] for p in points)
            _into(history, key, (p for p in points if p[0] < last))
            rest = [r for r in chunk if r >= last]
            if len(rest) == len(chunk):  # one run alone fills a page
                one_by_one(rest[0], key)
                rest = rest[1:]
            queue = rest + queue
    return history


def read_experiment(tracking_uri: str, experiment: str, *,
                    filter_string: str | None = None) -> tuple[Any, list[MlflowRun]]:
    """The experiment and its runs (oldest first), each with its full metric histories.

    Raises
    ------
    MissingDependencyError
        mlflow is not installed.
    VariantNotFoundError
        The store does not exist or does not answer, or has no such experiment, or no run
        matches.
    UsageError
        ``filter_string`` is not a valid MLflow filter.
    """
    _, error = _mlflow()
    from mlflow import MlflowClient

    uri = os.fspath(tracking_uri)
    _check_store(uri)
    try:
        client = MlflowClient(tracking_uri=uri)
    except error as err:
        raise VariantNotFoundError(
            f"MLflow tracking store {safe_uri(uri)!r} cannot be opened ({describe(err)}).\n"
            "Check the tracking URI.") from err
    exp = _experiment(client, experiment, uri, error)
    runs = [r for r in _search(client, exp.experiment_id, filter_string, error)
            if _ID.match(r.info.run_id)]
    if not runs:
        where = f" matching {filter_string!r}" if filter_string else ""
        raise VariantNotFoundError(
            f"MLflow experiment {exp.name!r} in {safe_uri(uri)!r} has no runs{where}.\n"
            "Log runs to it first, or loosen filter_string.")
    wanted = {r.info.run_id: sorted(r.data.metrics) for r in runs}
    try:
        history = _histories(client, uri, wanted, error)
    except error as err:
        raise VariantNotFoundError(
            f"MLflow store {safe_uri(uri)!r} failed while reading metric histories "
            f"({describe(err)}).\nCheck that the store is reachable and retry.") from err
    out = [MlflowRun(r.info.run_id, r.info.run_name or r.info.run_id, str(exp.experiment_id),
                     _config(r), history.get(r.info.run_id, {}), r.info.artifact_uri or "")
           for r in runs]
    return exp, out
