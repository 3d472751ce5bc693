"""Batch export throughput: ``export_batch(jobs=2)`` against ``jobs=1``, in one run.

Four demo variants (small, seeded), every visualization that applies, PNG at 700x500
scale 1, no comparisons or report. Runs jobs=1 and jobs=2 twice, alternating, and prints
their seconds, the best files per second of each (start-up included: a second page, or
worker processes) and the ratio (target >= 1.6 on 2 cores). ``--formats png,svg`` changes
the formats.

Run: ``.venv/bin/python benchmarks/bench_batch_jobs.py``
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from vizwidget import ImageOptions, export_batch
from vizwidget.demo import make_variant

OPTIONS = {"image": ImageOptions(width=700, height=500, scale=1), "compare": False,
           "report": False}


def run(variants: list[Path], out: Path, jobs: int, formats: str) -> tuple[float, int]:
    start = time.perf_counter()
    result = export_batch(variants, formats=formats, output_dir=out, jobs=jobs, **OPTIONS)
    seconds = time.perf_counter() - start
    if result.failed:
        raise SystemExit(f"failed jobs: {result.failed[:3]}")
    return seconds, len(result.written)


def main() -> None:
    formats = sys.argv[sys.argv.index("--formats") + 1] if "--formats" in sys.argv else "png"
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    variants = [make_variant(root / f"v{i}", seed=i, epochs=60) for i in range(4)]
    export_batch(variants[:1], formats="png", output_dir=root / "warm", jobs=1, **OPTIONS)
    times: dict[int, list[float]] = {1: [], 2: []}
    files = 0
    for turn in range(2):  # alternating, so both see the same background load
        for jobs in (1, 2):
            seconds, files = run(variants, root / f"out{turn}-{jobs}", jobs, formats)
            times[jobs].append(seconds)
    one, two = min(times[1]), min(times[2])
    print(f"cores {os.cpu_count()}, files per run {files}")
    for jobs in (1, 2):
        runs = ", ".join(f"{t:.2f} s" for t in times[jobs])
        print(f"jobs={jobs}   {runs}   best {files / min(times[jobs]):6.2f} files/s")
    print(f"ratio jobs=2 / jobs=1 throughput  {one / two:.2f}  (target >= 1.6)")

if __name__ == "__main__":
    main()
