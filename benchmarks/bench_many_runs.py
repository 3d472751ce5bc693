"""Many small runs: 1,000 local runs (metrics.csv of 300 epochs, 4 groups) to one grouped PNG.

Writes ``runs`` seeded runs (``config.json`` with ``lr`` and ``seed``; ``metrics.csv`` with
``epoch``, ``train_loss``, ``test_loss``, ``test_acc``) to a temporary folder, then times,
in one process: ``Variants(glob, group_by="lr")`` (the configs), reading every metrics table
(cold cache) and ``export_comparison(..., "training_curves", "x.png")`` end to end (cold cache
again). Prints seconds and the ratio to the 10 s target; ``--profile`` prints the 25 most
expensive functions of the export.

``--individual``: the same runs ungrouped, one line per run, as the widget would show them:
times building the overlay, one epoch's figure (what a slider step asks the kernel for), its
size as JSON, and the PNG (the issue's target: an epoch change <= 300 ms in the widget).

Run: ``.venv/bin/python benchmarks/bench_many_runs.py [runs] [--profile | --individual]``
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


def individual(variants, root: Path) -> None:
    """One line per run: overlay build, one epoch's figure, its JSON size, and the PNG."""
    import plotly.io as pio

    import vizwidget
    from vizwidget.compare import prepare_comparison

    t_build, (_, _, figure) = seconds(lambda: prepare_comparison(variants, "training_curves"))
    print(f"overlay of every run (built once):            {t_build:6.2f} s")
    t_first, fig = seconds(lambda: figure(150))
    print(f"epoch 150's figure:                           {t_first:6.2f} s, "
          f"{len(fig.data)} traces")
    t_step, fig = seconds(lambda: figure(151))
    print(f"next epoch's figure:                          {t_step:6.2f} s "
          f"(target 0.3 s for the whole step)")
    print(f"its JSON:                                     {len(pio.to_json(fig)) / 1e6:6.1f} MB")
    vizwidget.export_figure({"data": [], "layout": {}}, root / "warm.png")  # the browser
    t_png, _ = seconds(lambda: vizwidget.export_figure(fig, root / "runs.png",
                                                       width=900, height=600))
    print(f"PNG 900x600:                                  {t_png:6.2f} s")


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

        if "--individual" in sys.argv:
            individual(Variants(glob), root)
            return
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
