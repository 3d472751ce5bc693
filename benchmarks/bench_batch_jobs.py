"""Batch export throughput: ``export_batch(jobs=2)`` against ``jobs=1``, in one run.

Four demo variants (small, seeded), every visualization that applies, PNG at 700x500
scale 1, no comparisons or report. After one warm-up batch of each, runs jobs=1 and jobs=2
five times, alternating, and prints their seconds, the median files per second of each, the
cores they kept busy (CPU seconds of this process and its browsers over wall seconds: 2.0 is
all of this machine) and the ratio of the medians (target >= 1.6 on 2 cores); the median,
because one batch's time varies by 20 % from run to run on a shared 2-core machine.
``--formats png,svg`` changes the formats, ``--turns N`` the number of runs.

Run: ``.venv/bin/python benchmarks/bench_batch_jobs.py``
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from vizwidget import ImageOptions, export_batch
from vizwidget.demo import make_variant

OPTIONS = {"image": ImageOptions(700, 500, 1), "compare": False, "report": False}


def cpu_seconds() -> float:
    """CPU seconds of this process and every process it started (the browser's too)."""
    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def run(variants: list[Path], out: Path, jobs: int, formats: str) -> tuple[float, int, float]:
    cpu, start = cpu_seconds(), time.perf_counter()
    result = export_batch(variants, formats=formats, output_dir=out, jobs=jobs, **OPTIONS)
    seconds = time.perf_counter() - start
    if result.failed:
        raise SystemExit(f"failed jobs: {result.failed[:3]}")
    return seconds, len(result.written), (cpu_seconds() - cpu) / seconds


def main() -> None:
    formats = sys.argv[sys.argv.index("--formats") + 1] if "--formats" in sys.argv else "png"
    turns = int(sys.argv[sys.argv.index("--turns") + 1]) if "--turns" in sys.argv else 5
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    variants = [make_variant(root / f"v{i}", seed=i, epochs=60) for i in range(4)]
    for jobs in (1, 2):  # warm: the browsers start here, not in a timed run
        export_batch(variants, formats=formats, output_dir=root / f"warm{jobs}", jobs=jobs,
                     **OPTIONS)
    times: dict[int, list[float]] = {1: [], 2: []}
    busy: dict[int, list[float]] = {1: [], 2: []}
    files = 0
    for turn in range(turns):  # alternating, so both see the same background load
        for jobs in (1, 2):
            seconds, files, cores = run(variants, root / f"out{turn}-{jobs}", jobs, formats)
            times[jobs].append(seconds)
            busy[jobs].append(cores)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"cores {os.cpu_count()}, files per run {files}")
    for jobs in (1, 2):
        runs = ", ".join(f"{t:.2f}" for t in times[jobs])
        rate = files / statistics.median(times[jobs])
        cores = statistics.median(busy[jobs])
        print(f"jobs={jobs}   seconds {runs}   median {rate:6.2f} files/s   cores busy {cores:.2f}")
    print(f"ratio jobs=2 / jobs=1 throughput  {one / two:.2f}  (target >= 1.6)")


if __name__ == "__main__":
    main()
