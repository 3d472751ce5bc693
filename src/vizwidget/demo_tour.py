"""The ``vizwidget demo`` tour: three seeds trained, then each kind of file vizwidget makes.

``run_demo(root)`` trains three seeds of the embedded grokking run (same prime) into
``{root}/runs/``, then writes to ``{root}/exports/``: the single-run gallery of the first
seed, an animation of its singular-value spectrum over the epochs, the comparison figures of
the three seeds (grouped training curves, joint PCA trajectory), a Dashboard grid as PNG and
as an offline HTML page, and ``index.html`` / ``report.md`` listing all of them.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ._batch_report import write_reports
from .batch import COMPARISON_LABEL, BatchResult, JobResult, export_batch
from .compare import Variants, export_comparison
from .demo import make_variant
from .errors import describe
from .export import AnimationOptions
from .provenance import read_provenance
from .verbs import export_animation
from .widget import Dashboard

__all__ = ["DemoResult", "run_demo"]

#: The Dashboard of the tour: one slider over these panels of every seed.
DASHBOARD_VIEWS = ("training_curves", "singular_value_spectrum")
#: Comparison figures of the tour: (visualization, file stem).
COMPARISONS = (("training_curves", "comparison_training_curves"),
               ("parameter_trajectory_2d", "comparison_joint_pca_trajectory"))
ANIMATED = "singular_value_spectrum"


@dataclass
class DemoResult:
    """What the tour wrote: the runs, every file by role, and the batch result."""

    runs: list[Path]
    files: dict[str, Path] = field(default_factory=dict)
    batch: BatchResult | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every file was written."""
        return self.batch is not None and self.batch.ok


def _train(args: tuple[str, int, int, int]) -> str:
    path, p, seed, epochs = args
    return str(make_variant(path, p=p, seed=seed, epochs=epochs))


def train_seeds(root: Path, p: int, seeds: Sequence[int], epochs: int) -> list[Path]:
    """Train the demo run once per seed, two at a time; the run folders in seed order."""
    jobs = [(str(root / f"p{p}_seed{s}"), p, s, epochs) for s in seeds]
    if len(jobs) == 1:
        return [Path(_train(jobs[0]))]
    context = multiprocessing.get_context("spawn")  # never fork a process holding a browser
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1),
                             mp_context=context) as pool:
        return [Path(p) for p in pool.map(_train, jobs)]


def _job(label: str, name: str, fmt: str, path: Path | None, seconds: float,
         error: Exception | None = None) -> JobResult:
    record = read_provenance(path) if path is not None else None
    return JobResult(label, label, name, fmt, None, None if path is None else str(path),
                     None if error is None else describe(error), seconds, provenance=record)


def _attempt(label: str, name: str, fmt: str, make: Callable[[], Path]) -> JobResult:
    """Run one export; a failure is recorded like a batch job and the tour goes on."""
    t0 = time.perf_counter()
    try:
        path = make()
    except Exception as err:  # shown in the report, like a failed batch job
        return _job(label, name, fmt, None, time.perf_counter() - t0, err)
    return _job(label, name, fmt, path, time.perf_counter() - t0)


def run_demo(root: str | os.PathLike[str] = "demo-run", *, p: int = 59,
             seeds: Sequence[int] = (0, 1, 2), epochs: int = 1500,
             formats: Sequence[str] = ("png",),
             log: Callable[[str], None] = print) -> DemoResult:
    """Train the demo seeds and write the tour's files; see the module docstring.

    Parameters
    ----------
    root : str or os.PathLike, default "demo-run"
        Folder for ``runs/`` and ``exports/`` (created).
    p, seeds, epochs
        Modulus, seeds and length of the demo runs (see :func:`vizwidget.demo.make_variant`).
    formats : sequence of str, default ("png",)
        Still formats of the single-run gallery.
    log : callable, default print
        Receives one line per step.

    Returns
    -------
    DemoResult
    """
    t0 = time.perf_counter()
    root = Path(root)
    out = root / "exports"
    log(f"training {len(seeds)} seeds of the demo run (numpy modular addition, p={p}, "
        f"{epochs} epochs)…")
    runs = train_seeds(root / "runs", p, seeds, epochs)
    log(f"trained in {time.perf_counter() - t0:.1f} s -> {root / 'runs'}")
    result = DemoResult(runs)

    log("exporting the single-run gallery…")
    batch = export_batch(runs[0], None, formats, out, compare=False, report="vizwidget demo")
    variants = Variants(runs, labels="seed{seed}")
    extra = [_attempt(runs[0].name, ANIMATED, "gif", lambda: export_animation(
        ANIMATED, runs[0], None, out / f"animation_{ANIMATED}.gif",
        options=AnimationOptions(fps=8, width=800, height=500, scale=1)))]
    for name, stem in COMPARISONS:
        extra.append(_attempt(COMPARISON_LABEL, name, "png", lambda n=name, s=stem:
                              export_comparison(variants, n, out / f"{s}.png", scale=1,
                                                width=1100, height=600)))
    dashboard = Dashboard(runs, list(DASHBOARD_VIEWS), output_dir=str(out), scale=1)
    dashboard.epoch = dashboard.epochs[-1]
    for fmt in ("png", "html"):
        extra.append(_attempt("dashboard", "dashboard", fmt,
                              lambda f=fmt: dashboard.export(f)))
    batch.results += extra
    batch.seconds = time.perf_counter() - t0
    batch.index, batch.report = write_reports(batch, "vizwidget demo: three seeds compared")
    result.batch = batch
    roles = ["animation", *(f"comparison: {n}" for n, _ in COMPARISONS),
             "dashboard (png)", "dashboard (html)"]
    result.files = {role: Path(r.path) for role, r in zip(roles, extra, strict=True) if r.ok}
    result.seconds = time.perf_counter() - t0
    return result
