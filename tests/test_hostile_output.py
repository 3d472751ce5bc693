"""Hostile strings in what vizwidget writes: HTML pages, Markdown/HTML reports and CSV files.

Every case puts markup, script, comment openers, table pipes, newlines or spreadsheet
formulas into names, titles, labels and notes, and asserts the written file shows them as
text: the page still draws (in a real Chromium) and runs nothing, a report's table keeps its
rows and cells, and a spreadsheet sees text, never a formula.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import shutil
import time

import numpy as np
import pandas as pd
import pytest
from markdown_it import MarkdownIt

import vizwidget
from vizwidget import evals, export_animation, export_comparison, export_figure
from vizwidget._escape import csv_cell, markdown_text, script_json
from vizwidget.batch import export_batch
from vizwidget.compare import Variants
from vizwidget.export import figure_to_bytes

SCRIPT = "</script><script>window.pwned=1</script>"
COMMENT = "<!--<script>"
HOSTILE = f"{SCRIPT}{COMMENT}"
TASK = "<script>alert(1)</script>"
PIPES = "a|b\nc `d` [e](x) *f*"
LIMIT = 60  # seconds per case


def hostile_figure(name: str = SCRIPT) -> dict:
    return {"data": [{"type": "scatter", "y": [1, 3, 2], "name": name},
                     {"type": "bar", "y": [2, 1, 3], "name": COMMENT}],
            "layout": {"title": {"text": HOSTILE}, "showlegend": True,
                       "width": '1"><script>window.pwned=1</script>'}}


def rendered(markdown: str) -> str:
    return MarkdownIt("gfm-like", {"linkify": False}).render(markdown)


class Page(html.parser.HTMLParser):
    """Tags, table rows (as lists of cell texts) and text of an HTML document."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def one_line(text: str) -> str:
    return " ".join(text.split())


def _timed(started: float) -> None:
    assert time.monotonic() - started < LIMIT


# ---------------------------------------------------------------- helpers

def test_security_script_json_escapes_every_character_that_ends_a_script():
    value = {"name": HOSTILE + "&amp; \u2028\u2029 -->", "list": ["</SCRIPT>", "<\\/"]}
    text = script_json(json.dumps(value, ensure_ascii=False))
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value  # the same value reads back


def test_security_markdown_text_is_one_inert_line():
    text = markdown_text(f"{TASK}|{PIPES}\r\n\u2028x\\|")
    assert "\n" not in text and "\r" not in text and "<" not in text
    assert "|" not in text.replace("\\|", "")  # every pipe escaped
    out = Page(rendered(f"| a |\n|---|\n| {text} |\n"))
    assert "script" not in out.tags and out.rows[1] == [one_line(f"{TASK}|{PIPES} x\\|")]


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("-1.5", "-1.5"),
    ("+3e-4", "+3e-4"), ("plain", "plain"), ("a=b", "a=b"), (-2, -2), (-0.5, -0.5), (7, 7)])
def test_security_csv_cell_guards_formulas_and_keeps_numbers(cell, expected):
    assert csv_cell(cell) == expected
    assert csv_cell(cell, spreadsheet_safe=False) == cell


# ---------------------------------------------------------------- HTML in Chromium

def _check_page(browser, path, traces: int, shown: list[str]) -> None:
    """The page draws ``traces`` traces, shows every ``shown`` text, runs no injected code."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(path.as_uri(), timeout=LIMIT * 1000)
        page.wait_for_selector(".main-svg", timeout=LIMIT * 1000)
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert errors == []
        drawn = page.evaluate("document.querySelectorAll('.main-svg .trace').length")
        assert drawn >= traces
        text = page.evaluate("document.querySelector('.plotly-graph-div').textContent")
        for item in shown:
            assert item in text
        scripts = page.evaluate("[...document.scripts].map(s => s.type || 'js')")
        assert scripts.count("application/json") <= 1 and len(scripts) <= 4
    finally:
        page.close()


@pytest.mark.browser
def test_security_html_figure_with_hostile_names_draws_and_runs_nothing(browser, tmp_path):
    started = time.monotonic()
    note = f"{HOSTILE} \u2028 & --> end"
    path = export_figure(hostile_figure(), tmp_path / "f.html", provenance={"note": note})
    _check_page(browser, path, traces=2, shown=[SCRIPT, COMMENT])
    record = vizwidget.read_provenance(path)
    assert record["note"] == note and record["figure"]["data"][0]["name"] == SCRIPT
    _timed(started)


@pytest.mark.browser
def test_security_html_animation_with_hostile_names_draws_and_runs_nothing(browser, tmp_path):
    started = time.monotonic()
    run = tmp_path / "run" / "artifacts" / "curve"
    run.mkdir(parents=True)
    for epoch in (0, 10):
        np.savez(run / f"epoch_{epoch}.npz", y=np.arange(3.0) + epoch)

    def curve(data, epoch):
        return {"data": [{"type": "scatter", "y": data["y"].tolist(), "name": SCRIPT},
                         {"type": "bar", "y": [1, 2], "name": COMMENT}],
                "layout": {"title": {"text": f"{HOSTILE} epoch {epoch}"}, "showlegend": True}}

    path = export_animation(curve, tmp_path / "run", "curve", tmp_path / "a.html",
                            fps=5, width=400, height=300, provenance={"note": HOSTILE})
    _check_page(browser, path, traces=2, shown=[SCRIPT, COMMENT])
    assert vizwidget.read_provenance(path)["note"] == HOSTILE
    _timed(started)


@pytest.mark.browser
def test_security_html_comparison_with_hostile_labels_draws_and_runs_nothing(
        browser, demo_variant, tmp_path):
    started = time.monotonic()
    other = tmp_path / "other"
    shutil.copytree(demo_variant, other, ignore=shutil.ignore_patterns("exports"))
    variants = Variants([demo_variant, other], labels=[SCRIPT, COMMENT])
    path = export_comparison(variants, "training_curves", tmp_path / "c.html",
                             width=600, height=400)
    _check_page(browser, path, traces=2, shown=[SCRIPT, COMMENT])
    _timed(started)


# ---------------------------------------------------------------- Markdown and HTML reports

def _eval_table() -> pd.DataFrame:
    return pd.DataFrame({"task_name": [TASK, TASK, PIPES, PIPES],
                         "model": ["`m`|1", "<b>m2</b>", "`m`|1", "<b>m2</b>"],
                         "score": [0.6, 0.8, 0.5, 0.7], "n": [40] * 4})


def test_security_eval_report_escapes_task_and_model_names(tmp_path):
    started = time.monotonic()
    report = evals.export_eval_report(_eval_table(), tmp_path, formats="csv",
                                      heading=f"Evals {HOSTILE}")
    md = report.report.read_text(encoding="utf-8")
    out = Page(rendered(md))
    assert not {"script", "b"} & set(out.tags)
    table = out.rows[:5]  # the model comparison: header and one row per (task, model)
    assert all(len(row) == 5 for row in table)
    assert {(r[0], r[1]) for r in table[1:]} == {
        (one_line(t), m) for t in (TASK, PIPES) for m in ("`m`|1", "<b>m2</b>")}
    assert one_line(f"Evals {HOSTILE}") in "".join(out.text)
    page = Page(report.index.read_text(encoding="utf-8"))
    assert not {"script", "b"} & set(page.tags)
    assert {r[0] for r in page.rows[1:5]} == {TASK, PIPES}
    assert f"Evals {HOSTILE}" in "".join(page.text)
    _timed(started)


def test_security_eval_csv_files_guard_formula_names(tmp_path):
    table = _eval_table().assign(task_name=["=HYPERLINK(\"x\")"] * 2 + ["@cmd"] * 2)
    report = evals.export_eval_report(table, tmp_path, formats="csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "scores_by_task.csv").read_text())))
    xs = {row[3] for row in rows[1:]}
    assert xs == {"'=HYPERLINK(\"x\")", "'@cmd"} and report.ok


def test_security_batch_report_escapes_a_hostile_variant_path_and_title(demo_variant,
                                                                         tmp_path):
    started = time.monotonic()
    evil = tmp_path / f"run {TASK}|x`y`\nz"
    shutil.copytree(demo_variant, evil, ignore=shutil.ignore_patterns("exports"))
    result = export_batch([evil], visualizations=["training_curves"], formats="json",
                          output_dir=tmp_path / "out", report=f"Batch {HOSTILE}")
    assert result.ok and len(result.succeeded) == 1
    md = result.report.read_text(encoding="utf-8")
    out = Page(rendered(md))
    assert "script" not in out.tags
    assert one_line(str(evil)) in "".join(out.text)  # the path as text, not markup
    assert all(len(row) == 5 for row in out.rows)  # the table kept its cells
    assert len(out.rows) == 2 and out.rows[1][0] == "training_curves"
    assert out.rows[1][4].startswith("epochs ")  # the record's summary, as text
    page = Page(result.index.read_text(encoding="utf-8"))
    assert "script" not in page.tags
    assert str(evil) in "".join(page.text) and f"Batch {HOSTILE}" in "".join(page.text)
    _timed(started)


# ---------------------------------------------------------------- CSV export

def formula_figure() -> dict:
    return {"data": [{"type": "scatter", "name": "=1+2", "x": ["@SUM(A1)", "-1.5", "ok"],
                      "y": [-2, -0.25, 3], "text": ["+cmd", "\tx", "-x"]}]}


def test_security_csv_export_is_safe_for_spreadsheets_by_default(tmp_path):
    path = export_figure(formula_figure(), tmp_path / "f.csv")
    header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert header == ["trace", "type", "point", "x", "y", "text", "customdata"]
    assert [r[0] for r in rows] == ["'=1+2"] * 3
    assert [r[3] for r in rows] == ["'@SUM(A1)", "-1.5", "ok"]  # a number as text stays
    assert [r[4] for r in rows] == ["-2", "-0.25", "3"]  # numbers stay numbers
    assert [r[5] for r in rows] == ["'+cmd", "'\tx", "'-x"]
    assert all(not cell.startswith(("=", "+", "@", "\t", "\r"))
               for row in rows for cell in row)


def test_security_csv_export_exact_for_programs_when_asked(tmp_path):
    path = export_figure(formula_figure(), tmp_path / "f.csv", spreadsheet_safe=False)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1:]
    assert [r[0] for r in rows] == ["=1+2"] * 3 and rows[0][3] == "@SUM(A1)"
    assert [r[5] for r in rows] == ["+cmd", "\tx", "-x"]
    assert figure_to_bytes(formula_figure(), "csv", spreadsheet_safe=False) == path.read_bytes()


def test_unknown_include_plotlyjs_is_a_usage_error_and_writes_nothing(tmp_path):
    target = tmp_path / "f.html"
    target.write_bytes(b"an older file that must survive")
    with pytest.raises(vizwidget.errors.UsageError) as info:
        export_figure(hostile_figure(), target, include_plotlyjs="directory")
    problem, fix = str(info.value).splitlines()
    assert "'directory'" in problem and "'cdn'" in fix
    assert target.read_bytes() == b"an older file that must survive"
    assert [p.name for p in tmp_path.iterdir()] == ["f.html"]
