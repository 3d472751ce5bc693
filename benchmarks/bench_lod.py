"""Level of detail in the kernel: down-sampling a 1,000,000-point cloud and line per request.

Usage: ``.venv/bin/python benchmarks/bench_lod.py``. Prints the median of 7 runs of
``vizwidget.lod.lod_indices`` (20,000 points out) for a Gaussian cloud and a sorted line.
Target for the cloud: <= 150 ms.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from vizwidget import lod


def median_ms(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=1_000_000), rng.normal(size=1_000_000)
    line_x = np.arange(1_000_000, dtype=float)
    line_y = np.cumsum(rng.normal(size=1_000_000))
    cloud = median_ms(lambda: lod.lod_indices(x, y, 20_000))
    line = median_ms(lambda: lod.lod_indices(line_x, line_y, 20_000))
    print(f"1M-point cloud -> 20k: {cloud:.0f} ms (target <= 150)")
    print(f"1M-point line  -> 20k: {line:.0f} ms")


if __name__ == "__main__":
    main()
