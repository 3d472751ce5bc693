"""The batch report: ``index.html`` (a gallery) and ``report.md`` (the same, in Markdown)."""

from __future__ import annotations

import json
import os
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote

from ._batch_results import BatchResult, JobResult
from ._escape import html_text, markdown_text
from ._record_summary import record_summary
from .export import atomic_write

#: Formats a browser shows as an <img> thumbnail, best first.
THUMBNAIL_FORMATS = ("png", "gif", "webp", "jpeg", "svg")

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { margin-bottom: .2rem; } .summary { color: #555; margin-bottom: 1.5rem; }
.grid { display: flex; flex-wrap: wrap; gap: 1rem; }
.card { width: 300px; border: 1px solid #ddd; border-radius: 6px; padding: .6rem; }
.card img { width: 100%; height: 190px; object-fit: contain; background: #fafafa; }
.card .none { height: 190px; display: flex; align-items: center; justify-content: center;
  background: #fafafa; color: #999; }
.card h3 { font-size: 14px; margin: .4rem 0 .2rem; word-break: break-all; }
.card a { margin-right: .5rem; }
.card .record { color: #555; font-size: 12px; word-break: break-all; }
.card details pre { white-space: pre-wrap; word-break: break-all; font-size: 11px;
  max-height: 16rem; overflow: auto; background: #f6f6f6; padding: .3rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .3rem .5rem;
  text-align: left; vertical-align: top; } .fail { color: #a00; }
"""


def _rel(path: str, out_dir: Path) -> str:
    return Path(os.path.relpath(path, out_dir)).as_posix()


def _groups(result: BatchResult) -> OrderedDict[str, OrderedDict[tuple, list[JobResult]]]:
    """variant label -> (visualization, epoch) -> written jobs, in planning order."""
    groups: OrderedDict[str, OrderedDict[tuple, list[JobResult]]] = OrderedDict()
    for r in result.results:
        by_vis = groups.setdefault(r.label, OrderedDict())
        if r.ok:
            by_vis.setdefault((r.visualization, r.epoch), []).append(r)
    return groups


def _thumbnail(jobs: list[JobResult]) -> JobResult | None:
    for fmt in THUMBNAIL_FORMATS:
        for r in jobs:
            if r.format == fmt:
                return r
    return None


def _epoch_text(epoch: int | None) -> str:
    return "all epochs" if epoch is None else f"epoch {epoch}"


def _provenance(jobs: list[JobResult]) -> dict | None:
    """The record the item's files share (the format is each file's own)."""
    record = next((r.provenance for r in jobs if r.provenance), None)
    return None if record is None else {k: v for k, v in record.items() if k != "format"}


def _anchors(result: BatchResult) -> dict[tuple, str]:
    """The gallery anchor of each item (where its full provenance record is), in order."""
    items = [(label, *key) for label, by_vis in _groups(result).items() for key in by_vis]
    return {item: f"item{i}" for i, item in enumerate(items, start=1)}


def _summary(result: BatchResult) -> str:
    workers = ("an executor" if result.workers == 0
               else f"{result.workers} worker{'s' if result.workers != 1 else ''}")
    skipped = f", {len(result.skipped)} skipped" if result.skipped else ""
    return (f"{len(result.succeeded)} files written, {len(result.failed)} failed{skipped}, "
            f"{len({r.label for r in result.results})} variant(s), {workers}, "
            f"{result.seconds:.1f} s; {time.strftime('%Y-%m-%d %H:%M:%S')}")


def render_html(result: BatchResult, title: str) -> str:
    """The gallery page: thumbnails grouped by variant, links to every file, failures."""
    e = html_text
    out = result.out_dir
    anchors = _anchors(result)
    variants = {r.label: r.variant for r in result.results}
    parts = [f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1><p class='summary'>{e(_summary(result))}</p>"]
    for label, by_vis in _groups(result).items():
        parts.append(f"<h2 id='{e(label)}'>{e(label)}</h2>"
                     f"<p class='summary'>{e(variants[label])}</p><div class='grid'>")
        if not by_vis:
            parts.append("<p class='fail'>Nothing written for this variant; see the failures "
                         "below.</p>")
        for (vis, epoch), jobs in by_vis.items():
            thumb = _thumbnail(jobs)
            img = (f"<a href='{quote(_rel(thumb.path, out))}'><img loading='lazy' "
                   f"src='{quote(_rel(thumb.path, out))}' alt='{e(vis)}'></a>" if thumb
                   else "<div class='none'>no image format</div>")
            links = " ".join(f"<a href='{quote(_rel(r.path, out))}'>{e(r.format)}</a>"
                             for r in jobs)
            record = _provenance(jobs)
            details = ("" if record is None else
                       f"<div class='record'>{e(record_summary(record))}</div>"
                       "<details><summary>full provenance record</summary><pre>"
                       f"{e(json.dumps(record, indent=1, sort_keys=True, default=str))}"
                       "</pre></details>")
            anchor = anchors[(label, vis, epoch)]
            parts.append(f"<div class='card' id='{anchor}'>{img}<h3>{e(vis)}</h3>"
                         f"<div>{e(_epoch_text(epoch))}</div><div>{links}</div>{details}</div>")
        parts.append("</div>")
    failed = result.failed
    parts.append(f"<h2 id='failures'>Failures ({len(failed)})</h2>")
    if failed:
        parts.append("<table><tr><th>variant</th><th>visualization</th><th>format</th>"
                     "<th>epoch</th><th>error</th></tr>")
        for r in failed:
            parts.append(f"<tr class='fail'><td>{e(r.label)}</td><td>{e(r.visualization)}</td>"
                         f"<td>{e(r.format)}</td><td>{'' if r.epoch is None else r.epoch}</td>"
                         f"<td>{e(r.error or '')}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    if result.skipped:
        parts.append(f"<h2 id='skipped'>Skipped: not applicable ({len(result.skipped)})</h2>"
                     "<table><tr><th>variant</th><th>visualization</th><th>format</th>"
                     "<th>reason</th></tr>")
        parts += [f"<tr><td>{e(r.label)}</td><td>{e(r.visualization)}</td><td>{e(r.format)}"
                  f"</td><td>{e(r.error or '')}</td></tr>" for r in result.skipped]
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def render_markdown(result: BatchResult, title: str) -> str:
    """The same content as :func:`render_html`, as Markdown."""
    out = result.out_dir
    variants = {r.label: r.variant for r in result.results}
    m = markdown_text
    anchors = _anchors(result)
    lines = [f"# {m(title)}", "", m(_summary(result)), ""]
    for label, by_vis in _groups(result).items():
        lines += [f"## {m(label)}", "", m(variants[label]), ""]
        if not by_vis:
            lines += ["Nothing written for this variant; see the failures below.", ""]
            continue
        lines += ["| visualization | epoch | preview | files | provenance |",
                  "|---|---|---|---|---|"]
        for (vis, epoch), jobs in by_vis.items():
            thumb = _thumbnail(jobs)
            preview = f"![preview]({quote(_rel(thumb.path, out))})" if thumb else ""
            links = " ".join(f"[{m(r.format)}]({quote(_rel(r.path, out))})" for r in jobs)
            record = _provenance(jobs)
            details = ("" if record is None else
                       f"{m(record_summary(record, visualization=False))} "
                       f"[record](index.html#{anchors[(label, vis, epoch)]})")
            lines.append(f"| {m(vis)} | {_epoch_text(epoch)} | {preview} | {links} | "
                         f"{details} |")
        lines.append("")
    failed = result.failed
    lines += [f"## Failures ({len(failed)})", ""]
    if failed:
        lines += ["| variant | visualization | format | epoch | error |", "|---|---|---|---|---|"]
        for r in failed:
            epoch = "" if r.epoch is None else str(r.epoch)
            lines.append(f"| {m(r.label)} | {m(r.visualization)} | {m(r.format)} | "
                         f"{epoch} | {m(r.error or '')} |")
    else:
        lines.append("None.")
    if result.skipped:
        lines += ["", f"## Skipped: not applicable ({len(result.skipped)})", "",
                  "| variant | visualization | format | reason |", "|---|---|---|---|"]
        lines += [f"| {m(r.label)} | {m(r.visualization)} | {m(r.format)} | "
                  f"{m(r.error or '')} |" for r in result.skipped]
    return "\n".join(lines) + "\n"


def write_reports(result: BatchResult, title: str) -> tuple[Path, Path]:
    """Write ``index.html`` and ``report.md`` into ``result.out_dir``; return their paths."""

    index = result.out_dir / "index.html"
    report = result.out_dir / "report.md"
    atomic_write(index, render_html(result, title).encode("utf-8"))
    atomic_write(report, render_markdown(result, title).encode("utf-8"))
    return index, report
