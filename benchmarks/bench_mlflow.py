"""Loading an MLflow sweep as Variants: 200 runs x 300 steps x 2 metrics from a sqlite store.

The store is written once with MLflow's client (log_batch), then ``Variants.from_mlflow``
is timed cold (empty cache folder) and warm (run folders already written; unchanged files
are not rewritten). The budget is 10 s for the cold load.

Run: ``.venv/bin/python benchmarks/bench_mlflow.py [RUNS] [STEPS]`` (default 200 300).
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path


def make_store(root: Path, runs: int, steps: int) -> str:
    """A sqlite store with one experiment 'sweep' of ``runs`` runs (params lr, seed)."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(uri)
    eid = client.create_experiment("sweep", artifact_location=(root / "art").as_uri())
    for i in range(runs):
        run = client.create_run(eid, run_name=f"run{i}").info.run_id
        points = [Metric(key, 1.0 / (1 + s) + i * 1e-3 if key == "loss" else s / steps,
                         1_700_000_000_000 + s, s) for s in range(steps)
                  for key in ("loss", "acc")]
        params = [Param("lr", str(10.0 ** -(1 + i % 4))), Param("seed", str(i // 4))]
        for j in range(0, len(points), 1000):
            client.log_batch(run, metrics=points[j:j + 1000], params=params if j == 0 else [])
    return uri


def main(runs: int = 200, steps: int = 300) -> float:
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    import mlflow  # noqa: F401  (imported once per process; timed apart)

    from vizwidget.compare import Variants

    print(f"import mlflow: {time.perf_counter() - t0:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        uri = make_store(root, runs, steps)
        print(f"store written ({runs} runs x {steps} steps x 2 metrics) "
              f"in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        vs = Variants.from_mlflow(uri, "sweep", cache_dir=root / "cache", group_by="lr")
        cold = time.perf_counter() - t0
        rows = len(vs[0].loader.metrics()["epoch"])
        print(f"from_mlflow cold: {cold:.2f} s  ({len(vs)} variants, {len(vs.groups)} groups, "
              f"{rows} steps each)")
        t0 = time.perf_counter()
        Variants.from_mlflow(uri, "sweep", cache_dir=root / "cache", group_by="lr")
        print(f"from_mlflow warm: {time.perf_counter() - t0:.2f} s")
    print("OK" if cold <= 10 else "SLOWER THAN 10 s")
    return cold


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
