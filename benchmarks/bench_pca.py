"""Trajectory PCA memory and time: streaming Gram-matrix PCA against the stacked exact PCA.

Writes ``--checkpoints`` synthetic checkpoints (float32 ``.npz``, a drifting random walk of a
``--params``-parameter model in two matrices) to a temporary directory, then runs each method
in its own child process and reports its peak RSS (``VmHWM``) and time:

- streaming: :func:`vizwidget.analysis.streaming_pca`, snapshots loaded lazily, block 2;
- stacked: :func:`vizwidget.analysis.pca` on :func:`vizwidget.analysis.stack_parameters`.

The stacked method needs about five ``T × D`` float64 copies; when that does not fit in
the available memory it is skipped at full size and both methods are also run on a smaller
model (``--small-params``), where their results are compared.

Run: ``.venv/bin/python benchmarks/bench_pca.py`` (defaults: 200 checkpoints, 5 M parameters,
small model 1 M).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MB = 1024 * 1024


def write_checkpoints(root: Path, n: int, params: int, seed: int = 0) -> list[Path]:
    """``n`` checkpoints ``epoch_{i}.npz`` holding ``W_a`` (4/5 of params) and ``W_b``."""
    rng = np.random.default_rng(seed)
    a = int(params * 0.8)
    shapes = {"W_a": (a // 1000, 1000), "W_b": ((params - a) // 1000, 1000)}
    size = sum(r * c for r, c in shapes.values())
    directions = rng.standard_normal((3, size), dtype=np.float32)
    x = rng.standard_normal(size, dtype=np.float32)
    paths = []
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        t = i / max(1, n - 1)
        drift = (np.float32(2 * t) * directions[0] + np.float32(np.sin(3 * t)) * directions[1]
                 + np.float32(t * t) * directions[2])
        x += np.float32(0.01) * rng.standard_normal(size, dtype=np.float32)
        flat = x + drift
        arrays, start = {}, 0
        for name, (r, c) in shapes.items():
            arrays[name] = flat[start:start + r * c].reshape(r, c)
            start += r * c
        path = root / f"epoch_{i}.npz"
        np.savez(path, **arrays)
        paths.append(path)
    return paths


def _load(path: Path) -> np.ndarray:
    with np.load(path) as f:
        return np.concatenate([f[k].ravel() for k in sorted(f.files)])


def peak_rss() -> int:
    """This process's peak resident set size in bytes.

    ``VmHWM`` of the process's own address space: unlike ``getrusage``'s ``ru_maxrss``, it
    does not inherit the high-water mark of the parent that started the child.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(method: str, root: Path, n: int, out: Path) -> None:
    """Run one method on the checkpoints in ``root``; write projections and stats."""
    from vizwidget import analysis

    paths = [root / f"epoch_{i}.npz" for i in range(n)]
    t0 = time.perf_counter()
    if method == "streaming":
        res = analysis.streaming_pca(lambda i: _load(paths[i]), n, 3, block=2)
    else:
        snapshots = []
        for p in paths:
            with np.load(p) as f:
                snapshots.append({k: f[k] for k in f.files})
        res = analysis.pca(analysis.stack_parameters(snapshots), 3)
    seconds = time.perf_counter() - t0
    peak = peak_rss()
    np.save(out, res.projections)
    print(json.dumps({"seconds": seconds, "peak_rss": peak,
                      "ratio": [float(r) for r in res.explained_variance_ratio]}))


def run(method: str, root: Path, n: int) -> dict:
    out = root / f"{method}_projections.npy"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # as renderers run; a shared machine
    proc = subprocess.run([sys.executable, __file__, "--child", method, str(root), str(n),
                           str(out)], capture_output=True, text=True, check=True, env=env)
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    stats["projections"] = np.load(out)
    return stats


def available_memory() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def max_sign_free_difference(a: np.ndarray, b: np.ndarray) -> float:
    worst = 0.0
    for k in range(a.shape[1]):
        sign = 1.0 if a[:, k] @ b[:, k] >= 0 else -1.0
        worst = max(worst, float(np.max(np.abs(a[:, k] - sign * b[:, k]))))
    return worst


def report(label: str, params: int, stats: dict) -> None:
    snapshot = params * 8  # one float64 snapshot, as both methods compute in float64
    limit = 4 * snapshot + 100 * MB
    print(f"  {label:<10} {stats['seconds']:8.1f} s   peak RSS {stats['peak_rss'] / MB:8.0f} MiB"
          f"   (4 snapshots + 100 MiB = {limit / MB:.0f} MiB: "
          f"{'ok' if stats['peak_rss'] <= limit else 'over'})")


def bench(n: int, params: int, tmp: Path, stacked: bool) -> dict:
    root = tmp / f"p{params}"
    t0 = time.perf_counter()
    write_checkpoints(root, n, params)
    print(f"{n} checkpoints x {params / 1e6:g} M parameters "
          f"({params * 4 * n / MB:.0f} MiB of float32 npz, written in "
          f"{time.perf_counter() - t0:.0f} s):")
    results = {"streaming": run("streaming", root, n)}
    report("streaming", params, results["streaming"])
    need = 5 * n * params * 8  # measured: rows, stack, centred copy, SVD copy and Vt
    if stacked and need < 0.7 * available_memory():
        results["stacked"] = run("stacked", root, n)
        report("stacked", params, results["stacked"])
        diff = max_sign_free_difference(results["streaming"]["projections"],
                                        results["stacked"]["projections"])
        ratio = np.max(np.abs(np.subtract(results["streaming"]["ratio"],
                                          results["stacked"]["ratio"])))
        print(f"  agreement: projections {diff:.2e} (up to sign), variance ratios {ratio:.2e}")
    else:
        print(f"  stacked    skipped: needs ~{need / MB / 1024:.1f} GiB "
              f"(5 x T x D float64), {available_memory() / MB / 1024:.1f} GiB available")
    for path in root.glob("*.npz"):
        path.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", type=int, default=200)
    parser.add_argument("--params", type=int, default=5_000_000)
    parser.add_argument("--small-params", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        method, root, n, out = args.child
        child(method, Path(root), int(n), Path(out))
        return
    with tempfile.TemporaryDirectory(prefix="bench_pca_") as tmp:
        bench(args.checkpoints, args.params, Path(tmp), stacked=True)
        if args.small_params:
            bench(args.checkpoints, args.small_params, Path(tmp), stacked=True)


if __name__ == "__main__":
    main()
