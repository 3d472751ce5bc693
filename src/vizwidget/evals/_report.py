"""``export_eval_report``: every applicable eval view as files, a gallery and a Markdown report."""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .._deprecation import fold_legacy, renamed_keywords
from ..errors import FormatError, UsageError, describe, is_not_applicable
from ..export import ImageOptions, atomic_write, export_figure
from ..formats import STILL_FORMATS, normalize, suffix_for
from ..provenance import sha256_file
from ..scores import (
    MEAN_METRICS,
    SAMPLE_ID,
    TableSpec,
    check_ci,
    detect_metrics,
    paired_difference,
    paired_differences,
    resolve,
    scores_by_factor,
    scores_by_model,
    scores_by_task,
    scores_heatmap,
    scores_over_epochs,
    scores_radar,
    select_epoch,
    summarise,
    table_spec,
)
from ..verbs import safe_filename
from ._load import LOG_SUFFIXES, read_eval_table
from ._report_text import render_html, render_markdown
from ._results import EvalReport, ViewResult

__all__ = ["EvalReport", "ViewResult", "export_eval_report"]


def _plan(df: Any, spec: TableSpec, ci: float | None) -> list[tuple[str, str, Callable, dict]]:
    """(view, name, function, options) for every view worth trying on this table."""
    r = resolve(df, spec)
    scored = replace(spec, score_value=r.score)
    columns = {"columns": replace(scored, cluster=None)}
    with_ci = {"columns": scored, "ci": ci}
    plan: list[tuple[str, str, Callable, dict]] = [
        ("scores_by_task", "scores_by_task", scores_by_task, with_ci),
        ("scores_heatmap", "scores_heatmap", scores_heatmap, columns),
        ("scores_radar", "scores_radar_tasks", scores_radar, {**columns, "axes": "tasks"}),
        ("scores_radar", "scores_radar_metrics", scores_radar, {**columns, "axes": "metrics"}),
        ("scores_by_factor", "scores_by_factor", scores_by_factor, with_ci),
        ("scores_over_epochs", "scores_over_epochs", scores_over_epochs, with_ci),
    ]
    for task in dict.fromkeys(df[r.task].dropna().astype(str)):
        plan.append(("scores_by_model", f"scores_by_model_{task}", scores_by_model,
                     {**with_ci, "task": task}))
    for info in detect_metrics(df):
        if info.column != r.score and info.column != "score_headline_value":
            other = replace(spec, score_value=info.column, score_stderr=None)
            plan.append(("scores_by_task", f"scores_by_task_{info.column}", scores_by_task,
                         {**with_ci, "columns": other}))
    return plan


def _comparison(df: Any, spec: TableSpec) -> tuple[list[dict], str]:
    """Model comparison rows at the latest checkpoint, with 95 % intervals (one method, as
    in the views), and the metric."""
    r = resolve(df, spec)
    s = summarise(select_epoch(df, r, None), r, [r.task, r.model], 0.95)
    method, shown = s.attrs["method"], s.attrs["interval"]
    rows = []
    for task, part in s.groupby(r.task, sort=False):
        best = part["score"].min() if r.metric.lower_is_better else part["score"].max()
        for _, row in part.sort_values("score", ascending=r.metric.lower_is_better).iterrows():
            rows.append({"task": str(task), "model": str(row[r.model]),
                         "score": float(row["score"]), "lo": float(row["lo"]),
                         "hi": float(row["hi"]), "n": float(row["n"]), "method": method,
                         "interval": shown, "best": bool(row["score"] == best)})
    return rows, r.metric.label


def _stems(names: Sequence[str]) -> list[str]:
    """File stems of the views: sanitised names, with a short hash of the name added to
    those that would share a file (``x/y`` and ``x y``, or differ only in case)."""
    stems = [safe_filename(n, max_length=150) for n in names]
    counts = Counter(s.lower() for s in stems)
    return [f"{s}-{hashlib.sha1(n.encode()).hexdigest()[:8]}" if counts[s.lower()] > 1 else s
            for s, n in zip(stems, names, strict=True)]


def _sample_score(df: Any, samples: Any, spec: TableSpec) -> str | None:
    """The sample-table column of the report's metric: ``score_{scorer}`` for a scorer's
    accuracy or mean (the headline's scorer for the headline), else the detected one."""
    r = resolve(df, spec)
    if SAMPLE_ID in df.columns:
        return r.score
    scorer = r.metric.scorer
    column = f"score_{scorer}"
    return column if scorer and r.metric.metric in MEAN_METRICS and column in samples.columns \
        else None


def _paired(table: Any, df: Any, samples: Any, paired: Sequence[str], spec: TableSpec,
            ) -> tuple[Any, list[dict]]:
    """The sample table and the paired difference rows (95 %) of ``paired = (A, B)``."""
    if len(paired) != 2:
        raise UsageError(f"paired needs two models (A, B), got {list(paired)!r}.\n"
                         "Pass paired=('model_a', 'model_b').")
    if samples is None:
        if SAMPLE_ID in df.columns:
            samples = df
        elif isinstance(table, (str, os.PathLike)):
            samples = read_eval_table(table, samples=True)
        else:
            raise UsageError("A paired comparison needs per-sample scores, but the eval table "
                             "has one row per evaluation.\nPass inspect-ai logs, or "
                             "samples=load_eval_samples(logs).")
    elif isinstance(samples, (str, os.PathLike)):
        samples = read_eval_table(samples, samples=True)
    columns = replace(spec, score_value=_sample_score(df, samples, spec), score_stderr=None,
                      sample_count=None)
    s = paired_differences(samples, paired[0], paired[1], columns=columns)
    rows = [{**{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()},
             "interval": s.attrs["interval"]} for row in s.to_dict("records")]
    return samples, rows


def input_hashes(table: Any) -> dict[str, str]:
    """``{file name: sha256}`` of the table file or log files a report reads ({} for data)."""
    if not isinstance(table, (str, os.PathLike)):
        return {}
    root = Path(table).expanduser()
    if root.is_file():
        return {root.name: sha256_file(root)}
    if not root.is_dir():
        return {}
    logs = sorted(f for f in root.rglob("*") if f.suffix in LOG_SUFFIXES and f.is_file()
                  and not f.is_symlink())
    return {f.relative_to(root).as_posix(): sha256_file(f) for f in logs}


def _legacy(legacy: dict[str, Any], columns: TableSpec | Mapping[str, str | None] | None,
            image: ImageOptions | None) -> tuple[TableSpec, ImageOptions]:
    """Fold keywords of earlier releases (they warn) into ``columns`` and ``image``."""
    look = fold_legacy(legacy, "export_eval_report", ("width", "height", "scale", "theme"),
                       "image=ImageOptions(...)", 5)
    spec = table_spec("export_eval_report", columns, legacy, stacklevel=6)
    return spec, replace(image or ImageOptions(), **look)


@renamed_keywords(out_dir="output_dir", title="heading")
def export_eval_report(
    table: Any,
    output_dir: str | os.PathLike[str],
    *,
    formats: str | Iterable[str] = ("html", "png"),
    columns: TableSpec | Mapping[str, str | None] | None = None,
    ci: float | None = 0.95,
    paired: Sequence[str] | None = None,
    samples: Any = None,
    image: ImageOptions | None = None,
    heading: str = "Evaluation report",
    **legacy: Any,
) -> EvalReport:
    """Export every applicable eval view, a gallery ``index.html`` and ``report.md``.

    Views: scores by task (the primary metric, then every other metric), the model × task
    heatmap, radars over tasks and over metrics, the factor effect, scores over checkpoint
    epochs, and scores by model for each task. A view that does not apply (a diagonal
    heatmap, no factor, one epoch, fewer than three radar spokes) is listed as skipped with
    the reason; a view that fails is listed with its error; neither stops the others.
    ``report.md`` also has a model comparison table (score, 95 % CI with the method that
    the views use, and n) and the best model per task; with ``paired=(A, B)`` a paired
    comparison table (per task: paired samples, means, B − A with its paired 95 % CI,
    unmatched samples) and the ``paired_difference`` view. File names are sanitised (a
    metric such as ``kit/auc_score`` becomes ``kit_auc_score``); names that would share a
    file (tasks ``x/y`` and ``x y``) get a short hash each.

    Parameters
    ----------
    table : DataFrame, path or logs
        Anything :func:`vizwidget.evals.read_eval_table` reads.
    output_dir : path
        Output directory (created; formerly ``out_dir``).
    formats : str or iterable of str, default ("html", "png")
        Still formats of :func:`vizwidget.export_figure` (comma-separated string allowed).
    columns : TableSpec or dict, optional
        Which columns hold task, model, score, stderr, sample count, epoch and cluster,
        e.g. ``{"score_value": "acc"}`` (default: detected). ``task_name=``, ``model=``, …
        still work and warn.
    ci : float or None, default 0.95
        Confidence level of the views' intervals, strictly between 0 and 1.
    paired : (str, str), optional
        Two models to compare on the same samples (B − A).
    samples : DataFrame or path, optional
        The sample table for ``paired`` (default: read from ``table`` when it is logs, or
        ``table`` itself when it is a sample table).
    image : ImageOptions, optional
        Size, density and theme of every file (default ``ImageOptions()``).
    heading : str
        Heading of the report (formerly ``title``).

    Returns
    -------
    EvalReport
        ``.written``, ``.skipped``, ``.failed``, ``.comparison``, ``.index``, ``.report``.

    Raises
    ------
    EvalTableError, MissingDependencyError, FormatError, SizeError, ThemeError, UsageError
        Bad input (e.g. ``ci`` outside (0, 1)), before any file is written.
    """
    t0 = time.perf_counter()
    columns, image = _legacy(legacy, columns, image)
    check_ci(ci)
    if isinstance(formats, str):
        formats = formats.split(",")
    fmts = tuple(dict.fromkeys(normalize(f.strip(), STILL_FORMATS) for f in formats
                               if f.strip()))
    if not fmts:
        raise FormatError(f"No format given.\nUse one or more of: {', '.join(STILL_FORMATS)}.")
    image.check()
    df = read_eval_table(table)
    spec = columns
    comparison, metric = _comparison(df, spec)
    plan = _plan(df, spec, ci)
    pairs: list[dict] = []
    if paired is not None:
        table_of_samples, pairs = _paired(table, df, samples, paired, spec)
        plan.append(("paired_difference", "paired_difference",
                     lambda _df, **o: paired_difference(table_of_samples, **o),
                     {"model_a": paired[0], "model_b": paired[1], "ci": ci,
                      "columns": replace(spec, score_value=None, score_stderr=None,
                                         sample_count=None)}))
    out = Path(output_dir).expanduser().resolve()
    inputs = input_hashes(table)
    views = []
    for (view, name, fn, options), stem in zip(plan, _stems([p[1] for p in plan]),
                                               strict=True):
        t1 = time.perf_counter()
        try:
            fig = fn(df, **options)
        except Exception as err:
            status = "skipped" if is_not_applicable(err) else "failed"
            views.append(ViewResult(view, name, status, [], describe(err),
                                    time.perf_counter() - t1))
            continue
        record = {"visualization": view, **({"artifacts": inputs} if inputs else {})}
        result = ViewResult(view, name, "written", provenance=record)
        for fmt in fmts:
            try:
                path = export_figure(fig, out / f"{stem}{suffix_for(fmt)}", format=fmt,
                                     **image.as_kwargs(),
                                     provenance=record)
            except Exception as err:
                result.status, result.reason = "failed", f"{fmt}: {describe(err)}"
                continue
            result.files.append(str(path))
        result.seconds = time.perf_counter() - t1
        views.append(result)
    report = EvalReport(out, views, comparison, metric, pairs)
    report.seconds = time.perf_counter() - t0
    report.index = atomic_write(out / "index.html", render_html(report, heading))
    report.report = atomic_write(out / "report.md", render_markdown(report, heading))
    return report
