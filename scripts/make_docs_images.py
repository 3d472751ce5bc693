"""Make docs/images/grid_2x3.png and overlay_grouped.png: a Dashboard grid and a grouped overlay.

Usage: ``python scripts/make_docs_images.py [OUTPUT_DIR]``. Five small demo runs (p=23 seeds
0-2, p=29 seeds 0-1) are trained in a temporary directory (a few seconds each); the grid
shows two visualizations of the three p=23 seeds, the overlay every run grouped by p.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import vizwidget
from vizwidget.demo import make_variant

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "docs" / "images"
EPOCHS = 300


def make_images(runs: dict[str, Path], output_dir: str | Path = DEFAULT_DIR) -> list[Path]:
    """Write grid_2x3.png and overlay_grouped.png of ``runs`` (name -> demo run) to a folder.

    Returns
    -------
    list of Path
        The written files.
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = [runs[f"p23_seed{s}"] for s in range(3)]
    dashboard = vizwidget.Dashboard(seeds, ["training_curves", "singular_value_spectrum"])
    epoch = dashboard.epochs[len(dashboard.epochs) * 2 // 3]
    grid = vizwidget.export_figure(dashboard.figure(epoch), out / "grid_2x3.png", width=1680,
                                   height=840, scale=1, provenance=False)
    variants = vizwidget.Variants(sorted(runs.values()), labels="p{p}-s{seed}", group_by="p")
    overlay = vizwidget.comparison_figure(variants, "training_curves", epoch=epoch)
    grouped = vizwidget.export_figure(overlay, out / "overlay_grouped.png", width=1200,
                                      height=520, scale=1, provenance=False)
    return [grid, grouped]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", nargs="?", default=str(DEFAULT_DIR))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        runs = {f"p{p}_seed{s}": make_variant(Path(tmp) / f"p{p}_seed{s}", p=p, seed=s,
                                              epochs=EPOCHS)
                for p, seeds in ((23, (0, 1, 2)), (29, (0, 1))) for s in seeds}
        for path in make_images(runs, args.output_dir):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
