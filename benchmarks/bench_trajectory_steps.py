"""Slider steps of a trajectory view: the PCA once per run, or once per epoch?

Writes ``--checkpoints`` synthetic checkpoints of a ``--params``-parameter model (as
``bench_pca.py`` does) into a run's ``artifacts/parameters/``, then asks the widget's figure
source for ``parameter_trajectory_2d`` at ``--steps`` successive epochs, and the 3-D and PC3
views at one epoch, as the widget and a batch do, and ``parameter_velocity`` at the same
steps. Prints seconds per step with the
renderers' projection cache and with it turned off (size 0), in one run. Then the first
figure in a child process per PCA path, with the snapshots already loaded: its seconds and
the memory it adds at its peak (``VmHWM`` less the RSS before it), for the stacked SVD and
the Gram path that large runs take (``trajectory.STACK_LIMIT``).

Run: ``.venv/bin/python benchmarks/bench_trajectory_steps.py`` (defaults: 60 checkpoints,
1 M parameters, 8 steps)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pca import write_checkpoints  # noqa: E402

from vizwidget._cache import LRU  # noqa: E402
from vizwidget.renderers import trajectory  # noqa: E402
from vizwidget.source import FigureSource  # noqa: E402


def steps(run: Path, count: int, name: str = "parameter_trajectory_2d"
          ) -> tuple[float, list[float], float]:
    """First figure, the next ``count`` steps, and the 3-D + PC3 views (seconds)."""
    source = FigureSource(name, str(run))
    epochs = source.epochs()
    t = time.perf_counter()
    source.figure(epochs[0])
    first = time.perf_counter() - t
    times = []
    for epoch in epochs[1:count + 1]:
        t = time.perf_counter()
        source.figure(epoch)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    for name in ("parameter_trajectory_3d", "parameter_trajectory_pc3"):
        FigureSource(name, str(run)).figure(epochs[1])
    return first, times, time.perf_counter() - t


def _status(field: str) -> int:
    """A ``/proc/self/status`` size in bytes (``VmRSS``, ``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise SystemExit(f"no {field} in /proc/self/status")


def child(run: Path, path: str) -> None:
    """One first figure on the ``path`` ("stacked" or "gram"); prints seconds and MiB."""
    if path == "stacked":
        trajectory.STACK_LIMIT = 1 << 62
    source = FigureSource("parameter_trajectory_2d", str(run))
    epochs = source.epochs()
    source.snapshots()  # loaded before the clock and the memory baseline
    before = _status("VmRSS")
    t = time.perf_counter()
    source.figure(epochs[0])
    print(f"{time.perf_counter() - t:.2f} {(_status('VmHWM') - before) / 2**20:.0f}")


def main() -> None:
    if "--child" in sys.argv:
        child(Path(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoints", type=int, default=60)
    parser.add_argument("--params", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()
    run = Path(tempfile.mkdtemp(prefix="bench-steps-")) / "run"
    write_checkpoints(run / "artifacts" / "parameters", args.checkpoints, args.params)
    print(f"{args.checkpoints} checkpoints x {args.params:,} parameters, "
          f"parameter_trajectory_2d over {args.steps} slider steps")
    results = {}
    for label, size in (("cached", 3), ("no cache", 0)):
        trajectory._RECENT = LRU(size)
        first, times, others = steps(run, args.steps)
        results[label] = statistics.median(times)
        velocity = statistics.median(steps(run, args.steps, "parameter_velocity")[1])
        print(f"{label:9} first figure {first:6.2f} s   step median {results[label]:6.3f} s"
              f"   3-D + PC3 views {others:6.2f} s   parameter_velocity step {velocity:6.3f} s")
    print(f"step speed-up with the cache: {results['no cache'] / results['cached']:.0f}x")
    for path in ("stacked", "gram"):
        out = subprocess.run([sys.executable, __file__, "--child", str(run), path],
                             capture_output=True, text=True, check=True).stdout.split()
        print(f"first figure, {path:7} PCA: {float(out[0]):6.2f} s, "
              f"peak memory added {int(out[1]):6d} MiB")


if __name__ == "__main__":
    main()
