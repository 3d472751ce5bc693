"""The eval report's text: ``report.md`` (Markdown) and ``index.html`` (a gallery)."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._escape import html_text, markdown_text
from .._record_summary import record_summary
from ._results import EvalReport

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
    return f"[{row['lo']:.3f}, {row['hi']:.3f}] ({row['interval']})"


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
    lines += _paired_markdown(report)
    lines += ["", "## Views", ""]
    for v in report.views:
        if v.status != "written":
            continue
        image = next((f for f in v.files if f.rsplit(".", 1)[-1] in _IMAGES), None)
        links = " ".join(f"[{m(f.rsplit('.', 1)[-1])}]({_rel(f, out)})" for f in v.files)
        summary = record_summary(v.provenance, visualization=False)
        lines += [f"### {m(v.name)}", "", f"![{m(v.name)}]({_rel(image, out)})" if image else "",
                  links + (f" · {m(summary)}" if summary else ""), ""]
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
    parts.append("</table>")
    parts += _paired_html(report)
    parts.append("<h2>Views</h2><div class='grid'>")
    for v in report.views:
        if v.status != "written":
            continue
        image = next((f for f in v.files if f.rsplit(".", 1)[-1] in _IMAGES), None)
        thumb = (f"<a href='{_rel(image, out)}'><img loading='lazy' src='{_rel(image, out)}' "
                 f"alt='{e(v.name)}'></a>" if image else "")
        links = " ".join(f"<a href='{_rel(f, out)}'>{e(f.rsplit('.', 1)[-1])}</a>"
                         for f in v.files)
        record = ("" if not v.provenance else
                  f"<div class='record'>{e(record_summary(v.provenance, visualization=False))}"
                  "</div><details><summary>full provenance record</summary><pre>"
                  f"{e(json.dumps(v.provenance, indent=1, sort_keys=True))}</pre></details>")
        parts.append(f"<div class='card'>{thumb}<h3>{e(v.name)}</h3><div>{links}</div>"
                     f"{record}</div>")
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


_PAIRED_HEAD = ("task", "paired n", "mean A", "mean B", "B − A", "95 % CI", "unmatched A / B")


def _paired_rows(report: EvalReport) -> list[tuple[str, ...]]:
    return [(row["task"], str(row["n"]), _number(row["mean_a"]), _number(row["mean_b"]),
             _number(row["difference"]), _ci(row),
             f"{row['unmatched_a']} / {row['unmatched_b']}") for row in report.paired]


def _paired_note(report: EvalReport) -> tuple[str, str]:
    """The section heading and the sentence under it."""
    first = report.paired[0]
    a, b = first["model_a"], first["model_b"]
    lost_a = sum(r["unmatched_a"] for r in report.paired)
    lost_b = sum(r["unmatched_b"] for r in report.paired)
    note = (f"A = {a}, B = {b}; samples matched by task, task arguments, sample id and "
            f"epoch; interval of the per-sample differences ({first['interval']}). "
            f"{lost_a} samples of A and {lost_b} of B had no partner and are left out.")
    return f"Paired comparison — {report.metric}: {b} − {a}", note


def _paired_markdown(report: EvalReport) -> list[str]:
    """``report.md``'s paired comparison section (none without ``paired=``)."""
    if not report.paired:
        return []
    heading, note = _paired_note(report)
    lines = ["", f"## {markdown_text(heading)}", "", markdown_text(note), "",
             "| " + " | ".join(_PAIRED_HEAD) + " |", "|" + "---|" * len(_PAIRED_HEAD)]
    lines += ["| " + " | ".join(markdown_text(c) for c in row) + " |"
              for row in _paired_rows(report)]
    return lines


def _paired_html(report: EvalReport) -> list[str]:
    """``index.html``'s paired comparison section (none without ``paired=``)."""
    if not report.paired:
        return []
    e = html_text
    heading, note = _paired_note(report)
    parts = [f"<h2>{e(heading)}</h2><p>{e(note)}</p><table><tr>"
             + "".join(f"<th>{e(h)}</th>" for h in _PAIRED_HEAD) + "</tr>"]
    parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
              for row in _paired_rows(report)]
    parts.append("</table>")
    return parts
