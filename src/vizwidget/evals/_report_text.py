"""The eval report's text: ``report.md`` (Markdown) and ``index.html`` (a gallery)."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._escape import html_text, markdown_text

if TYPE_CHECKING:
    from ._report import EvalReport

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #222; }
.summary { color: #555; } .grid { display: flex; flex-wrap: wrap; gap: 1rem; }
.card { width: 320px; border: 1px solid #ddd; border-radius: 6px; padding: .6rem; }
.card img { width: 100%; height: 200px; object-fit: contain; background: #fafafa; }
.card h3 { font-size: 14px; margin: .4rem 0 .2rem; word-break: break-all; }
.card a { margin-right: .5rem; } table { border-collapse: collapse; }
td, th { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; }
.best { font-weight: 600; } .fail { color: #a00; }
"""
_IMAGES = ("png", "webp", "jpeg", "jpg", "svg")


def _number(value: float, digits: int = 3) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _count(value: float) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.0f}"


def _ci(row: dict[str, Any]) -> str:
    if not math.isfinite(row["lo"]):
        return "—"
    kind = "Wilson" if row["wilson"] else "± z·stderr"
    return f"[{row['lo']:.3f}, {row['hi']:.3f}] ({kind})"


def _rel(path: str, out: Path) -> str:
    return quote(Path(os.path.relpath(path, out)).as_posix())


def _best(report: EvalReport) -> list[dict[str, Any]]:
    best: dict[str, list[dict[str, Any]]] = {}
    for row in report.comparison:
        if row["best"]:
            best.setdefault(row["task"], []).append(row)
    return [{"task": t, "models": ", ".join(r["model"] for r in rows),
             "score": rows[0]["score"]} for t, rows in best.items()]


def _summary(report: EvalReport) -> str:
    written = sum(v.status == "written" for v in report.views)
    return (f"{written} views written ({len(report.written)} files), {len(report.skipped)} "
            f"skipped, {len(report.failed)} failed, {report.seconds:.1f} s; "
            f"{time.strftime('%Y-%m-%d %H:%M:%S')}")


def render_markdown(report: EvalReport, title: str) -> str:
    """``report.md``: comparison table, best model per task, views, skipped and failed."""
    out = report.out_dir
    m = markdown_text
    lines = [f"# {m(title)}", "", m(_summary(report)), "",
             f"## Model comparison — {m(report.metric)} (latest checkpoint)", "",
             "| task | model | score | 95 % CI | n |", "|---|---|---|---|---|"]
    for row in report.comparison:
        mark = "**" if row["best"] else ""
        lines.append(f"| {m(row['task'])} | {mark}{m(row['model'])}{mark} | "
                     f"{_number(row['score'])} | {_ci(row)} | {_count(row['n'])} |")
    lines += ["", "## Best model per task", "", "| task | best model | score |",
              "|---|---|---|"]
    lines += [f"| {m(b['task'])} | {m(b['models'])} | {_number(b['score'])} |"
              for b in _best(report)]
    lines += ["", "## Views", ""]
    for v in report.views:
        if v.status != "written":
            continue
        image = next((f for f in v.files if f.rsplit(".", 1)[-1] in _IMAGES), None)
        links = " ".join(f"[{m(f.rsplit('.', 1)[-1])}]({_rel(f, out)})" for f in v.files)
        lines += [f"### {m(v.name)}", "", f"![{m(v.name)}]({_rel(image, out)})" if image else "",
                  links, ""]
    for heading, items in (("Skipped", report.skipped), ("Failed", report.failed)):
        lines += [f"## {heading} ({len(items)})", ""]
        if items:
            lines += ["| view | reason |", "|---|---|"]
            lines += [f"| {m(v.name)} | {m(v.reason or '')} |" for v in items]
        else:
            lines.append("None.")
        lines.append("")
    return "\n".join(lines)


def render_html(report: EvalReport, title: str) -> str:
    """``index.html``: the same content as a gallery of thumbnails."""
    e = html_text
    out = report.out_dir
    parts = [f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>"
             f"<p class='summary'>{e(_summary(report))}</p>",
             f"<h2>Model comparison — {e(report.metric)} (latest checkpoint)</h2>",
             "<table><tr><th>task</th><th>model</th><th>score</th><th>95 % CI</th><th>n</th>"
             "</tr>"]
    for row in report.comparison:
        cls = " class='best'" if row["best"] else ""
        parts.append(f"<tr{cls}><td>{e(row['task'])}</td><td>{e(row['model'])}</td>"
                     f"<td>{_number(row['score'])}</td><td>{e(_ci(row))}</td>"
                     f"<td>{_count(row['n'])}</td></tr>")
    parts.append("</table><h2>Views</h2><div class='grid'>")
    for v in report.views:
        if v.status != "written":
            continue
        image = next((f for f in v.files if f.rsplit(".", 1)[-1] in _IMAGES), None)
        thumb = (f"<a href='{_rel(image, out)}'><img loading='lazy' src='{_rel(image, out)}' "
                 f"alt='{e(v.name)}'></a>" if image else "")
        links = " ".join(f"<a href='{_rel(f, out)}'>{e(f.rsplit('.', 1)[-1])}</a>"
                         for f in v.files)
        parts.append(f"<div class='card'>{thumb}<h3>{e(v.name)}</h3><div>{links}</div></div>")
    parts.append("</div>")
    for heading, items in (("Skipped", report.skipped), ("Failed", report.failed)):
        parts.append(f"<h2>{heading} ({len(items)})</h2>")
        if not items:
            parts.append("<p>None.</p>")
            continue
        parts.append("<table><tr><th>view</th><th>reason</th></tr>")
        cls = " class='fail'" if heading == "Failed" else ""
        parts += [f"<tr{cls}><td>{e(v.name)}</td><td>{e(v.reason or '')}</td></tr>"
                  for v in items]
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
