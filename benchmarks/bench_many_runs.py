"""Many small runs: 1,000 local runs (metrics.csv of 300 epochs, 4 groups) to one grouped PNG.

Writes ``runs`` seeded runs (``config.json`` with ``lr`` and ``seed``; ``metrics.csv`` with
``epoch``, ``train_loss``, ``test_loss``, ``test_acc``) to a temporary folder, then times,
in one process: ``Variants(glob, group_by="lr")`` (the configs), reading every metrics table
(cold cache) and ``export_comparison(..., "training_curves", "x.png")`` end to end (cold cache
again). Prints seconds and the ratio to the 10 s target; ``--profile`` prints the 25 most
expensive functions of the export.

Run: ``.venv/bin/python benchmarks/bench_many_runs.py [runs] [--profile]``
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

EPOCHS = 300
GROUPS = (1e-4, 3e-4, 1e-3, 3e-3)


def write_runs(root: Path, runs: int) -> None:
    rng = np.random.default_rng(runs)
    epoch = np.arange(EPOCHS)
    for i in range(runs):
        lr = GROUPS[i % len(GROUPS)]
        run = root / f"run_{i:04d}"
        run.mkdir()
        (run / "config.json").write_text(json.dumps({"lr": lr, "seed": i}))
        decay = 1.0 / (1.0 + epoch * lr * 30)
        noise = 0.03 * rng.standard_normal((3, EPOCHS))
        cols = np.column_stack([epoch, decay + noise[0], 1.1 * decay + noise[1],
                                1 - 0.9 * decay + noise[2]])
        with open(run / "metrics.csv", "w") as fh:
            fh.write("epoch,train_loss,test_loss,test_acc\n")
            np.savetxt(fh, cols, fmt=["%d", "%.6g", "%.6g", "%.6g"], delimiter=",")


def seconds(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    import vizwidget
    from vizwidget.compare import Variants
    from vizwidget.runs import ArtifactLoader, clear_cache

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(args[0]) if args else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_runs(root, runs)
        glob = str(root / "run_*")
        t_variants, vs = seconds(lambda: Variants(glob, group_by="lr"))
        print(f"Variants({runs} runs, group_by='lr'): {t_variants:6.2f} s "
              f"({len(vs.groups)} groups)")
        clear_cache()
        t_tables, _ = seconds(lambda: [ArtifactLoader(m.path).metrics() for m in vs])
        print(f"read {runs} metrics.csv (cold):      {t_tables:6.2f} s")
        clear_cache()
        out = root / "x.png"

        def export() -> Path:
            return vizwidget.export_comparison(Variants(glob, group_by="lr"),
                                               "training_curves", out)

        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            t_export, _ = seconds(lambda: profile.runcall(export))
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            t_export, _ = seconds(export)
        print(f"export_comparison grouped PNG:      {t_export:6.2f} s "
              f"(target 10 s: {t_export / 10:.2f}x), {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
