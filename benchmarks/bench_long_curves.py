"""Long training curves: a 1,000,000-row metrics.csv to a figure, a PNG and a JSON, timed.

Writes a seeded run (``epoch``, ``train_loss``, ``test_loss``, ``train_acc``, ``test_acc``;
one 50x spike in ``train_loss``) to a temporary folder, then times, in one process:
reading the table (cold), building the ``training_curves`` figure, the PNG export
(``export_variant_visualization``, end to end from a cold table cache) and the JSON export.
Prints each in seconds, the PNG target ratio (seconds / 5) and whether the spike shows.

Run: ``.venv/bin/python benchmarks/bench_long_curves.py [rows]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_run(folder: Path, rows: int) -> int:
    """A metrics.csv of ``rows`` rows; returns the row of the spike."""
    rng = np.random.default_rng(rows)
    epoch = np.arange(rows)
    decay = 1.0 / (1.0 + epoch / (rows / 20))
    train = decay * (1 + 0.05 * rng.standard_normal(rows)) + 0.01
    spike = rows // 3
    train[spike] *= 50
    test = decay * 1.1 + 0.02
    acc = 1 - 0.9 * decay
    cols = np.column_stack([epoch, train, test, acc, acc * 0.95])
    with open(folder / "metrics.csv", "w") as fh:
        fh.write("epoch,train_loss,test_loss,train_acc,test_acc\n")
        np.savetxt(fh, cols, fmt=["%d", "%.6g", "%.6g", "%.6g", "%.6g"], delimiter=",")
    return spike


def seconds(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    import vizwidget
    from vizwidget import ArtifactLoader, figure_to_bytes
    from vizwidget.registry import cross_epochs, get_visualization, load_snapshots
    from vizwidget.runs import clear_cache

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        run.mkdir()
        write_run(run, rows)
        figure_to_bytes({"data": []}, "png", 200, 200, 1)  # warm the browser
        vis = get_visualization("training_curves")
        loader = ArtifactLoader(run)
        t_table, _ = seconds(loader.metrics)
        epochs = cross_epochs(vis, loader)
        t_snap, snaps = seconds(lambda: load_snapshots(vis, loader, epochs))
        t_render, fig = seconds(lambda: vis.fn(snaps, epochs, **vis.defaults))
        t_png, png = seconds(lambda: figure_to_bytes(fig, "png", 1200, 800, 2))
        clear_cache()
        t_e2e, path = seconds(lambda: vizwidget.export_variant_visualization(
            run, "training_curves", output_dir=Path(tmp) / "out", format="png"))
        clear_cache()
        t_json, _ = seconds(lambda: vizwidget.export_variant_visualization(
            run, "training_curves", output_dir=Path(tmp) / "out", format="json"))
        print(f"rows                              {rows:>10,}")
        print(f"read table (cold)                 {t_table:8.2f} s")
        print(f"load_snapshots                    {t_snap:8.2f} s")
        print(f"renderer (figure)                 {t_render:8.2f} s")
        print(f"figure -> PNG                     {t_png:8.2f} s")
        print(f"end to end PNG (cold cache)       {t_e2e:8.2f} s   ratio to 5 s target "
              f"{t_e2e / 5:.2f}")
        print(f"end to end JSON (cold cache)      {t_json:8.2f} s")
        print(f"PNG bytes {len(png):,}, written {path.name}")


if __name__ == "__main__":
    main()
