"""Lazy safetensors reading: list and load one tensor of a ~1 GB checkpoint, against .npz.

Writes (in a child process, so this process's peak memory stays clean) a synthetic
``checkpoint-1000/model.safetensors`` of 256 float32 tensors of 4 MiB each (1 GiB), and the
same 4 MiB tensor alone in an uncompressed ``.npz``. Then times, median of 7 runs each:

- listing the checkpoint's tensors: ``ArtifactLoader(run).load("parameters", 1000)`` and
  its names, from an empty cache;
- loading one 4 MiB tensor from it (first access of the lazy mapping);
- ``np.load`` of that tensor from the ``.npz``.

"cold" runs first drop the file's pages from the OS page cache (``posix_fadvise``), so the
bytes really come from disk; "warm" runs read them from the page cache.

Run: ``.venv/bin/python benchmarks/bench_safetensors.py [--dir DIR]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from vizwidget import ArtifactLoader
from vizwidget.runs import clear_cache

TENSORS = 256
ELEMENTS = 1 << 20  # 4 MiB of float32
PICK = "model.layers.128.mlp.W_in"
RUNS = 7


def names() -> list[str]:
    return [f"model.layers.{i}.mlp.W_in" for i in range(TENSORS)]


def write(run: Path) -> None:
    """The checkpoint and the .npz holding its tensor PICK."""
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    base = rng.standard_normal(ELEMENTS + TENSORS, dtype=np.float32)
    tensors = {name: base[i: i + ELEMENTS].reshape(1024, 1024) for i, name in enumerate(names())}
    folder = run / "checkpoint-1000"
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "model.safetensors"))
    np.savez(run / "one_tensor.npz", w=tensors[PICK])


def drop_from_page_cache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def median_time(fn, cold: Path | None) -> float:
    times = []
    for _ in range(RUNS):
        clear_cache()
        if cold is not None:
            drop_from_page_cache(cold)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: tmp)")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write(args.write)
        return
    run = args.dir or Path(tempfile.mkdtemp(prefix="bench-safetensors-"))
    checkpoint = run / "checkpoint-1000" / "model.safetensors"
    npz = run / "one_tensor.npz"
    if not checkpoint.is_file() or not npz.is_file():
        subprocess.run([sys.executable, __file__, "--write", str(run)], check=True)
    size = checkpoint.stat().st_size
    print(f"checkpoint {checkpoint}: {size / 2**30:.2f} GiB, {TENSORS} tensors of 4 MiB")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def listing() -> list[str]:
        return list(ArtifactLoader(run).load("parameters", 1000))

    def one_tensor() -> np.ndarray:
        return ArtifactLoader(run).load("parameters", 1000)[PICK]

    def npz_tensor() -> np.ndarray:
        with np.load(npz) as f:
            return f["w"]

    assert sorted(listing()) == sorted(names()) and np.array_equal(one_tensor(), npz_tensor())
    rows = []
    for label, fn in (("list tensors (safetensors)", listing),
                      ("load one 4 MiB tensor (safetensors)", one_tensor),
                      ("np.load same tensor (.npz)", npz_tensor)):
        target = npz if fn is npz_tensor else checkpoint
        rows.append((label, median_time(fn, target), median_time(fn, None)))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'':<40} {'cold (s)':>10} {'warm (s)':>10}")
    for label, cold, warm in rows:
        print(f"{label:<40} {cold:10.4f} {warm:10.4f}")
    (_, lc, lw), (_, tc, tw), (_, nc, nw) = rows
    print(f"ratio load safetensors / np.load npz:   cold {tc / nc:.2f}, warm {tw / nw:.2f}")
    print(f"ratio list / np.load npz:               cold {lc / nc:.2f}, warm {lw / nw:.2f}")
    print(f"peak RSS of this process: {rss_before:.0f} MiB before, {rss_after:.0f} MiB after "
          f"(a whole read would add {size / 2**20:.0f} MiB)")
    print(f"targets (<= 0.05 s each): list {'met' if max(lc, lw) <= 0.05 else 'MISSED'}, "
          f"load {'met' if max(tc, tw) <= 0.05 else 'MISSED'}")


if __name__ == "__main__":
    main()
