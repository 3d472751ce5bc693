"""Batch export: many (variant × visualization × format) jobs, one warm engine per worker.

``export_batch`` renders each (variant, visualization) figure once and writes it in every
requested format as ``{visualization}_{variant}_{epoch}.{ext}`` (sanitised; ``epoch`` is
``epoch{N}`` for a per-epoch figure or a highlighted cross-epoch one, ``all`` otherwise). A job
that fails is recorded with its error and the others continue. The run ends with a gallery,
``index.html``, and the same content as Markdown, ``report.md``, next to the files.

Workers
    ``jobs=1`` renders in this process on its warm engine. ``jobs=N`` runs N jobs at a time
    in this process, each thread on a warm Chromium of its own (started once, kept for the
    next batch). ``jobs=`` also takes any
    :class:`concurrent.futures.Executor` instead, e.g. a Dask cluster's
    ``client.get_executor()`` (``pip install 'vizwidget[dask]'``); each worker process keeps
    its own warm engine between jobs. Variant directories and the output directory must be
    reachable under the same paths from every worker.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import engine, registry
from ._batch_report import write_reports
from ._batch_results import BatchResult, JobResult
from ._deprecation import fold_legacy, renamed_keywords
from ._paths import file_in, make_dir, run_labels, safe_filename
from ._progress import Progress, progress_reporter
from .compare import JOINT_VIEWS, OVERLAY_VIEWS, SWEEP_VIEWS, Variants, export_comparison
from .errors import ComparisonError, UsageError, describe, is_not_applicable
from .export import ImageOptions, export_figure
from .formats import STILL_FORMATS, normalize, suffix_for
from .provenance import Provenance, variant_record
from .registry import Visualization, get_visualization
from .runs import ArtifactLoader, resolve_variant_dir
from .verbs import variant_figure

__all__ = ["BatchResult", "JobResult", "export_batch", "job_filename"]


def job_filename(visualization: str, label: str, epoch: int | None, fmt: str) -> str:
    """``{visualization}_{variant}_{epoch}.{ext}``, sanitised (``all`` when no epoch)."""
    tag = "all" if epoch is None else f"epoch{int(epoch)}"
    return f"{safe_filename(f'{visualization}_{label}_{tag}', max_length=200)}{suffix_for(fmt)}"


@dataclass(frozen=True)
class _Unit:
    """One figure to build and write in several formats; sent to workers (picklable)."""

    variant: str
    label: str
    vis: Any  # Visualization, or its name when the variant could not be read
    formats: tuple[str, ...]
    epoch: int | None
    out_dir: str
    options: dict[str, Any]
    error: str | None = None  # known failure (e.g. the variant cannot be read)
    provenance: Provenance = None





def _register_engine_cleanup() -> None:
    """In a worker process, close its Chromium when the process exits.

    Worker processes of multiprocessing (and Dask) skip ``atexit``; their finalizers run.
    """
    global _cleanup_registered
    if _cleanup_registered or multiprocessing.parent_process() is None:
        return
    multiprocessing.util.Finalize(None, engine.shutdown, exitpriority=10)
    _cleanup_registered = True


_cleanup_registered = False


def _run_unit(unit: _Unit) -> list[JobResult]:
    """Build one figure and write it in each format; never raises (errors are recorded)."""
    name = unit.vis if isinstance(unit.vis, str) else unit.vis.name
    t0 = time.perf_counter()

    def failed(fmt: str, error: str, epoch: int | None = unit.epoch) -> JobResult:
        return JobResult(unit.variant, unit.label, name, fmt, epoch, None, error,
                         time.perf_counter() - t0)

    if unit.error is not None:
        return [failed(fmt, unit.error) for fmt in unit.formats]
    _register_engine_cleanup()
    try:
        figure, epoch = variant_figure(unit.variant, unit.vis, unit.epoch)
        record = _unit_record(unit, epoch)
    except Exception as err:
        skipped = is_not_applicable(err)
        results = [failed(fmt, describe(err)) for fmt in unit.formats]
        for r in results:
            r.skipped = skipped
        return results
    results = []
    for fmt in unit.formats:
        t1 = time.perf_counter()
        path = file_in(Path(unit.out_dir), Path(job_filename(name, unit.label, epoch, fmt)).stem,
                       suffix_for(fmt))
        try:
            written = export_figure(figure, path, format=fmt, provenance=record,
                                    **unit.options)
        except Exception as err:
            results.append(failed(fmt, describe(err), epoch))
            continue
        stored = None if record is False else {**record, **unit.options, "format": fmt}
        results.append(JobResult(unit.variant, unit.label, name, fmt, epoch, str(written), None,
                                 time.perf_counter() - t1, provenance=stored))
    return results


def _unit_record(unit: _Unit, epoch: int | None) -> Provenance:
    """What the batch knows of a unit's figure (one record for all its formats)."""
    if unit.provenance is False:
        return False
    vis = get_visualization(unit.vis)
    loader = ArtifactLoader(unit.variant)
    read = None if vis.kind == "per_epoch" else registry.cross_epochs(vis, loader)
    return variant_record(vis, loader, Path(unit.out_dir) / "file", epoch=epoch, epochs=read,
                          provenance=unit.provenance)


def _variant_labels(paths: Sequence[Path]) -> list[str]:
    """The runs' labels (:func:`run_labels`), made safe for file names."""
    return [safe_filename(label) for label in run_labels(paths)]


def _plan(variants: Sequence[Path], labels: Sequence[str],
          chosen: Sequence[Visualization] | None, formats: tuple[str, ...], epoch: int | None,
          out_dir: Path, options: dict[str, Any]) -> list[_Unit]:
    units = []
    for variant, label in zip(variants, labels, strict=True):
        common = dict(variant=str(variant), label=label, formats=formats, epoch=epoch,
                      out_dir=str(out_dir), options=options)
        if chosen is not None:
            units.extend(_Unit(vis=vis, **common) for vis in chosen)
            continue
        try:  # default: every visualization whose analyzers the variant has
            present = set(ArtifactLoader(variant).analyzers())
        except Exception as err:
            units.append(_Unit(vis="*", error=describe(err), **common))
            continue
        found = [v for v in registry.visualizations()  # sweeps compare runs: not per run
                 if set(v.analyzers) <= present and v.name not in SWEEP_VIEWS]
        if not found:
            units.append(_Unit(vis="*", error=(
                "VizWidgetError: no registered visualization has data in this variant "
                f"(analyzers: {', '.join(sorted(present)) or 'none'})"), **common))
        units.extend(_Unit(vis=vis, **common) for vis in found)
    return units


#: The heading of ``index.html`` and ``report.md`` unless ``report=`` names one.
DEFAULT_HEADING = "vizwidget batch export"


@renamed_keywords(variants="runs", out_dir="output_dir")
def export_batch(
    runs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    visualizations: Iterable[str] | None = None,
    formats: str | Iterable[str] = ("png",),
    output_dir: str | os.PathLike[str] = "exports",
    *,
    epoch: int | None = None,
    image: ImageOptions | None = None,
    jobs: int | Executor = 1,
    progress: Progress | bool | None = None,
    report: bool | str = True,
    compare: bool = True,
    provenance: Provenance = None,
    **legacy: Any,
) -> BatchResult:
    """Export every (variant × visualization × format) combination and write a report.

    Parameters
    ----------
    runs : path or iterable of paths
        Run folders (formerly ``variants``).
    visualizations : iterable of str, optional
        Registered names. Default: for each variant, every visualization whose analyzers it
        has. Names are checked before any work (an unknown one raises).
    formats : str or iterable of str, default ("png",)
        Still formats (png, jpeg, webp, svg, pdf, html, json); a string may be
        comma-separated, ``"png,svg"``.
    output_dir : str or os.PathLike, default "exports"
        Directory for the files, ``index.html`` and ``report.md`` (created; formerly
        ``out_dir``).
    epoch : int, optional
        Epoch shown by per-epoch figures (default: each variant's latest) and highlighted in
        cross-epoch ones (default: none).
    image : ImageOptions, optional
        Size, pixel density and theme of every file (default ``ImageOptions()``: 1200×800,
        scale 2). ``width=``, ``height=``, ``scale=``, ``theme=`` still work and warn.
    jobs : int or concurrent.futures.Executor, default 1
        Jobs at a time, each on a warm browser of its own in this process (1: one after
        another); or an executor to run them on, e.g.
        ``dask.distributed.Client(address).get_executor()``.
    progress : callable or bool, optional
        ``progress(done, total)`` as jobs finish, or True for a tqdm bar.
    report : bool or str, default True
        True: write ``index.html`` and ``report.md`` headed "vizwidget batch export"; a
        string: write them with that heading (formerly ``heading=`` and ``title=``, which
        still work for one release and warn); False: write neither.
    compare : bool, default True
        With several variants, also write one comparison figure per over-epochs or
        trajectory visualization (overlays, joint PCA; see :func:`vizwidget.export_comparison`)
        as ``comparison_{visualization}.{ext}``, listed under "comparison" in the report.
    provenance : dict or bool, optional
        None/True (default): every file carries its provenance record (shown in the
        gallery); a dict adds its fields; False: none. See :func:`vizwidget.read_provenance`.

    Returns
    -------
    BatchResult
        ``.succeeded``, ``.failed`` (each with its error), ``.written``, ``.index``,
        ``.report``, ``.ok``.

    Raises
    ------
    FormatError, ThemeError, SizeError, VisualizationNotFoundError, UsageError
        Bad arguments, before anything is written. Failures of single jobs (missing or
        corrupt artifacts, a renderer that raises, a render error) never raise: they are
        in ``.failed``.
    """
    t0 = time.perf_counter()
    image, jobs, report = _legacy(legacy, image, jobs, report)
    if isinstance(runs, (str, os.PathLike)):
        runs = [runs]
    paths = [resolve_variant_dir(v) for v in runs]
    if not paths:
        raise UsageError("export_batch needs at least one variant directory.\n"
                         "Pass a variant directory or a list of them.")
    if isinstance(formats, str):
        formats = formats.split(",")
    fmts = tuple(dict.fromkeys(normalize(f.strip(), STILL_FORMATS) for f in formats if f.strip()))
    if not fmts:
        raise UsageError(f"No format given.\nUse one or more of: {', '.join(STILL_FORMATS)}.")
    chosen = None
    if visualizations is not None:
        if isinstance(visualizations, str):
            visualizations = visualizations.split(",")
        chosen = [get_visualization(n) for n in dict.fromkeys(visualizations)]
        if not chosen:
            raise UsageError("visualizations= is empty.\n"
                             "Omit it to export every visualization.")
    image.check()
    executor = jobs if isinstance(jobs, Executor) else None
    jobs = 1 if executor is not None else jobs
    if isinstance(jobs, bool) or int(jobs) != jobs or jobs < 1:
        raise UsageError(f"jobs must be a positive integer, got {jobs!r}.\n"
                         "Pass jobs=1 for one job at a time, or more for several warm browsers.")
    if epoch is not None:
        epoch = int(epoch)

    out = make_dir(output_dir, "output_dir=")
    options = image.as_kwargs()
    units = _plan(paths, _variant_labels(paths), chosen, fmts, epoch, out, options)
    if provenance is not None:
        units = [replace(u, provenance=provenance) for u in units]
    total = sum(len(u.formats) for u in units)
    notify, finish = progress_reporter(progress, total, unit="file", desc="batch")
    done_by_unit: dict[int, list[JobResult]] = {}
    done = 0
    try:
        if executor is None and jobs == 1:
            workers = 1
            for i, unit in enumerate(units):
                done_by_unit[i] = _run_unit(unit)
                done += len(unit.formats)
                notify(done, total)
        else:
            workers = 0 if executor is not None else int(jobs)
            for i, results in _run_parallel(units, executor, int(jobs)):
                done_by_unit[i] = results
                done += len(units[i].formats)
                notify(done, total)
    finally:
        finish()
    results = [r for i in range(len(units)) for r in done_by_unit[i]]
    readable = {r.variant for r in results if r.ok}  # runs that could be read at all
    pairs = [(p, label) for p, label in zip(paths, _variant_labels(paths), strict=True)
             if str(p) in readable]
    if compare and len(pairs) > 1:
        names = [v.name for v in chosen] if chosen is not None else sorted(
            {r.visualization for r in results if r.ok})
        results += _comparisons([p for p, _ in pairs], [label for _, label in pairs], names,
                                fmts, epoch, out, options)
    result = BatchResult(results, out, seconds=time.perf_counter() - t0, workers=workers)
    if report is not False:
        heading = DEFAULT_HEADING if report is True else report
        result.index, result.report = write_reports(result, heading)
    result.seconds = time.perf_counter() - t0
    return result


def _legacy(legacy: dict[str, Any], image: ImageOptions | None, jobs: Any,
            report: bool | str) -> tuple[ImageOptions, Any, bool | str]:
    """Fold keywords of earlier releases (they warn) into ``image``, ``jobs`` and ``report``;
    check ``report``."""
    look = fold_legacy(legacy, "export_batch", ("width", "height", "scale", "theme"),
                       "image=ImageOptions(...)", 5)
    executor = fold_legacy(legacy, "export_batch", ("executor",), "jobs=<executor>", 5)
    headings = fold_legacy(legacy, "export_batch", ("heading", "title"), "report=<heading>", 5)
    if legacy:
        raise TypeError(f"export_batch() got unexpected keyword arguments: "
                        f"{', '.join(sorted(legacy))}")
    if len(headings) > 1 or (headings and isinstance(report, str)):
        raise TypeError(f"export_batch() got {' and '.join(f'{k}=' for k in headings)} with "
                        "another heading; pass report=<heading> only.")
    image = replace(image or ImageOptions(), **look)
    if executor.get("executor") is not None:
        jobs = executor["executor"]
    if headings and report is not False:
        report = next(iter(headings.values()))
    if not isinstance(report, (bool, str)):
        raise UsageError(f"report must be True, False or a heading (a string), got "
                         f"{type(report).__name__}.\nPass report=True for the default "
                         "heading, or report='My heading'.")
    return image, jobs, report


#: The label of comparison figures in results and reports.
COMPARISON_LABEL = "comparison"


def _comparisons(paths: Sequence[Path], labels: Sequence[str], names: Sequence[str],
                 formats: tuple[str, ...], epoch: int | None, out: Path,
                 options: dict[str, Any]) -> list[JobResult]:
    """One comparison figure over all variants per over-epochs or trajectory visualization."""
    wanted = [n for n in names if n in OVERLAY_VIEWS or n in JOINT_VIEWS]
    if not wanted:
        return []
    variants = Variants(list(paths), labels=list(labels))
    results = []
    for name in wanted:
        for fmt in formats:
            t0 = time.perf_counter()
            path = file_in(out, f"comparison_{name}", suffix_for(fmt))
            try:
                written = export_comparison(variants, name, path, epoch, format=fmt, **options)
            except Exception as err:  # recorded like any job; the batch goes on
                failed = JobResult(", ".join(labels), COMPARISON_LABEL, name, fmt, epoch, None,
                                   describe(err), time.perf_counter() - t0)
                failed.skipped = isinstance(err, ComparisonError)  # e.g. other shapes
                results.append(failed)
                continue
            results.append(JobResult(", ".join(labels), COMPARISON_LABEL, name, fmt, epoch,
                                     str(written), None, time.perf_counter() - t0))
    return results


def _run_parallel(units: list[_Unit], executor: Executor | None, jobs: int):
    """Yield ``(unit index, results)`` as units finish on ``executor`` or a process pool."""
    own = None
    if executor is None:
        # threads, each on a warm browser of its own (WebGL draws in a browser's one GPU
        # process, so pages of one browser would queue there); kept warm for the next batch
        workers = min(jobs, max(len(units), 1))
        free = iter(engine.engines(workers))
        own = executor = ThreadPoolExecutor(max_workers=workers,
                                            thread_name_prefix="vizwidget-batch",
                                            initializer=lambda: engine.bind(next(free)))
    try:
        futures: dict[Future, int] = {}
        for i, unit in enumerate(units):
            try:
                futures[executor.submit(_run_unit, unit)] = i
            except Exception as err:  # e.g. a renderer that cannot be pickled
                yield i, _unit_failure(unit, err)
        for future in as_completed(futures):
            i = futures[future]
            try:
                yield i, future.result()
            except Exception as err:  # the worker died, or the unit could not be sent
                yield i, _unit_failure(units[i], err)
    finally:
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)


def _unit_failure(unit: _Unit, err: BaseException) -> list[JobResult]:
    name = unit.vis if isinstance(unit.vis, str) else unit.vis.name
    text = describe(err)
    if "pickle" in text.lower() or isinstance(err, (AttributeError, TypeError)):
        text += (" (renderers sent to an executor's workers must be importable: define them "
                 "in a module, or leave executor= out)")
    return [JobResult(unit.variant, unit.label, name, fmt, unit.epoch, None, text)
            for fmt in unit.formats]
