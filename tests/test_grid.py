"""Grids that read at a glance: headers, notes, one legend, colours by name, axes that hold."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import vizwidget as vz
from vizwidget.colors import PALETTE, assign_colors, color_of
from vizwidget.grid import PanelLabel, compose_grid, parse_title
from vizwidget.registry import register_renderer, render_visualization
from vizwidget.themes import theme_template
from vizwidget.widget import Dashboard

SEEDS = ("seed0", "seed1", "seed2")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[Path]:
    """Three seeds of a small demo run (the problem reproduces at any size)."""
    from vizwidget.demo import make_variant

    root = tmp_path_factory.mktemp("grid")
    return [make_variant(root / f"p13_{s}", p=13, seed=int(s[-1]), epochs=40) for s in SEEDS]


def line(name: str, group: str | None = None) -> dict:
    trace = {"type": "scatter", "x": [0, 1, 2], "y": [1, 3, 2], "name": name}
    return trace if group is None else {**trace, "legendgroup": group}


def named(layout: dict) -> dict[str, dict]:
    return {a["name"]: a for a in layout["annotations"] if a.get("name")}


# ---- headers and notes ----------------------------------------------------------------------

def test_dashboard_titles_parse_into_headers_and_notes():
    assert parse_title("svd · seed0 · epoch 1260 (nearest to 1240)") == (
        PanelLabel("svd", "seed0", "epoch 1260 (nearest)"), 1240)
    assert parse_title("svd · seed1 · epoch 1240") == (PanelLabel("svd", "seed1"), 1240)
    assert parse_title("svd · seed2 · epoch 600 (pinned)") == (
        PanelLabel("svd", "seed2", "epoch 600 (pinned)"), None)
    assert parse_title("a plain title") is None
    assert parse_title("a · b · c") is None


def test_a_header_per_run_and_visualization_and_the_epoch_once():
    titles = [f"{vis} · {run} · epoch {shown}{why}" for vis in ("training_curves", "spectrum")
              for run, shown, why in (("seed0", 1260, " (nearest to 1240)"),
                                      ("seed1", 1240, ""), ("seed2", 1240, ""))]
    fig, counts = compose_grid([{"data": [line("a")], "layout": {}}] * 6, titles, 3)
    assert counts == [1] * 6
    layout = fig["layout"]
    heads = named(layout)
    assert layout["title"]["text"] == "epoch 1240"
    assert [heads[f"vizwidget-column-{c}"]["text"].rsplit(" ", 1)[1] for c in range(3)] == \
        list(SEEDS)
    assert [heads[f"vizwidget-row-{r}"]["text"] for r in range(2)] == \
        ["training_curves", "spectrum"]
    assert heads["vizwidget-row-0"]["textangle"] == -90
    # a note only where the panel differs from the title's epoch
    notes = {k: a["text"] for k, a in heads.items() if k.startswith("vizwidget-panel")}
    assert notes == {"vizwidget-panel-0": "epoch 1260 (nearest)",
                     "vizwidget-panel-3": "epoch 1260 (nearest)"}
    texts = [a["text"] for a in layout["annotations"]]
    assert not any("·" in t for t in texts)  # no long "vis · run · epoch" titles left


def test_panels_that_differ_in_a_row_or_column_name_it_themselves():
    labels = [PanelLabel("loss", "seed0"), PanelLabel("spectrum", "seed1", "pinned")]
    fig, _ = compose_grid([{"data": [], "layout": {}}] * 2, ["", ""], 2, labels=labels)
    heads = named(fig["layout"])
    assert "vizwidget-row-0" not in heads  # the row mixes two visualizations
    assert heads["vizwidget-panel-0"]["text"] == "loss"
    assert heads["vizwidget-panel-1"]["text"] == "spectrum · pinned"
    assert heads["vizwidget-column-1"]["text"].endswith("seed1")


def test_long_names_are_shortened_with_the_full_name_on_hover():
    long = "lr=3e-4_wd=0.1_warmup=500_<b>batch</b>=512_seed=0"
    labels = [PanelLabel("singular_value_spectrum", long), PanelLabel("x", "seed1")]
    fig, _ = compose_grid([{"data": [], "layout": {}}] * 2, ["", ""], 2, labels=labels,
                          width=800, height=420)
    head = named(fig["layout"])["vizwidget-column-0"]
    shown = html.unescape(head["text"].split("</span> ", 1)[1])  # after the run's swatch
    assert shown.endswith("…") and long.startswith(shown[:-1]) and len(shown) < len(long)
    assert head["hovertext"] == long.replace("<", "&lt;").replace(">", "&gt;")
    assert "<b>" not in head["text"]  # names are text, never markup
    go.Figure(fig)  # plotly accepts hovertext on annotations


# ---- colour means identity ----------------------------------------------------------------

def test_colours_are_colour_blind_safe_and_stable_by_name():
    okabe_ito = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}
    assert okabe_ito <= set(PALETTE)
    three = assign_colors(["seed0", "seed1", "seed2"])
    assert three == {"seed0": PALETTE[0], "seed1": PALETTE[1], "seed2": PALETTE[2]}
    # a run keeps its colour when another is removed or added
    assert assign_colors(["seed0", "seed2"]) == {"seed0": PALETTE[0], "seed2": PALETTE[2]}
    assert assign_colors(["seed2", "seed1", "seed0", "seed5"])["seed1"] == PALETTE[1]
    names = ["W_E", "W_in", "W_out", "W_U", "lr=1e-3", "lr=3e-3"]
    assert len(set(assign_colors(names).values())) == len(names)  # no two alike
    for name, colour in assign_colors(names).items():  # only a collision moves a colour
        if not [o for o in names if o < name and color_of(o) == color_of(name)]:
            assert colour == color_of(name)
    assert assign_colors(names)["lr=3e-3"] != color_of("lr=3e-3")  # lr=1e-3 sorts first
    publication = theme_template("publication")["layout"]["colorway"]
    assert list(publication[: len(PALETTE)]) == list(PALETTE)


def test_a_series_has_one_colour_in_every_panel_and_one_legend_entry(runs):
    d = Dashboard(runs, ["training_curves", "singular_value_spectrum"])
    fig = d._source.figure(d.epochs[-1])
    by_key: dict[str, set] = {}
    for t in fig["data"]:
        if t.get("legendgroup") and (t.get("line") or {}).get("color"):
            by_key.setdefault(t["legendgroup"], set()).add(t["line"]["color"])
    assert {"W_E", "W_in", "train_loss", "test_acc"} <= set(by_key)
    assert all(len(c) == 1 for c in by_key.values()), by_key  # same colour in every panel
    colours = [c.pop() for c in by_key.values()]
    assert len(set(colours)) == len(colours)  # and no two series alike
    listed = [t["name"] for t in fig["data"] if t.get("showlegend")]
    assert sorted(listed) == sorted(by_key)  # one legend entry per series
    legend = fig["layout"]["legend"]
    assert legend["x"] >= 1 and legend["xanchor"] == "left"  # outside the plot area
    assert not [k for k in fig["layout"] if k.startswith("legend") and k != "legend"]
    # the panel's own trace name (with its numbers) stays in its hover
    spectrum = next(t for t in fig["data"] if t.get("showlegend") and t["name"] == "W_E")
    assert "(PR " in spectrum["hovertemplate"]


def test_a_run_keeps_its_colour_when_another_is_removed(runs):
    def overlay_colours(paths):
        fig = vz.comparison_figure(paths, "training_curves", epoch=20)
        return {t.meta["variant"]: t.line.color for t in fig.data if t.meta
                and not t.meta.get("highlight")}

    def header_colours(paths):
        fig = vz.comparison_figure(paths, "singular_value_spectrum", epoch=20)
        return {a.text.rsplit(" ", 1)[1]: a.text.split("color:")[1].split('"')[0]
                for a in fig.layout.annotations if (a.name or "").startswith("vizwidget-col")}

    labels = [p.name for p in runs]
    full, fewer = overlay_colours(runs), overlay_colours([runs[0], runs[2]])
    assert set(full) == set(labels) and len(set(full.values())) == 3
    assert fewer == {k: full[k] for k in (labels[0], labels[2])}
    heads = header_colours(runs)
    assert heads == full  # a run's colour in the overlay is its colour in the grid
    assert header_colours([runs[0], runs[2]]) == fewer


# ---- axes hold the data ---------------------------------------------------------------------

def test_training_curves_keep_the_data_range_at_every_epoch(runs):
    loader = vz.ArtifactLoader(runs[0])
    epochs = loader.epochs("metrics")
    ranges, labels = set(), []
    for epoch in (epochs[0], epochs[len(epochs) // 2], epochs[-1]):
        fig = render_visualization("training_curves", loader, epoch)
        xs = np.concatenate([np.asarray(t.x, dtype=float) for t in fig.data])
        for axis in ("xaxis", "xaxis2"):
            rng = tuple(fig.layout[axis].range)
            assert rng == pytest.approx((xs.min(), xs.max()))
            ranges.add(rng)
        labels += [a for a in fig.layout.annotations if a.text.startswith("epoch")]
    assert len(ranges) == 1  # no jumping while the epoch moves
    # the label sits in the subplot's own box, never in data coordinates
    assert labels and all(a.xref.endswith("domain") and a.yref.endswith("domain")
                          and 0 <= a.x <= 1 for a in labels)
    last = next(a for a in labels if a.text == f"epoch {epochs[-1]}")
    assert last.xanchor == "right"  # drawn left of the line at the right edge


def test_the_dashboard_grid_keeps_the_axes_while_the_slider_moves(runs):
    d = Dashboard(runs, ["training_curves"])
    spans = []
    for epoch in (d.epochs[0], d.epochs[-1]):
        layout = d._source.figure(epoch)["layout"]
        spans.append({k: tuple(v["range"]) for k, v in layout.items()
                      if k.startswith("xaxis") and v.get("range") is not None})
    assert spans[0] == spans[1] and len(spans[0]) == 6  # loss + accuracy per run


def test_an_overlay_axis_spans_every_run(runs, tmp_path):
    from vizwidget.demo import make_variant

    longer = make_variant(tmp_path / "p13_seed9", p=13, seed=9, epochs=60)
    fig = vz.comparison_figure([runs[0], longer], "training_curves", epoch=10)
    assert fig.layout.xaxis.range[1] == max(max(t.x) for t in fig.data)


# ---- one composer for both, polar cells included ------------------------------------------

def test_small_multiples_hold_polar_cells(runs, scratch_registry):
    @register_renderer("compass", analyzer="parameters")
    def compass(data, epoch):
        return go.Figure(go.Scatterpolar(r=[1, 2, 3], theta=[0, 90, 180], name="W_E"))

    fig = vz.comparison_figure(runs, "compass", epoch=20)
    layout = fig.layout.to_plotly_json()
    polars = sorted(k for k in layout if k.startswith("polar"))
    assert len(polars) == 3 and [t.subplot for t in fig.data] == polars
    lefts = [layout[p]["domain"]["x"][0] for p in polars]
    assert lefts == sorted(lefts) and len(set(lefts)) == 3  # one cell per run, left to right


# ---- nothing overlaps, in the file as drawn (real Chromium) --------------------------------

_BOXES = """() => [...document.querySelectorAll('text')].filter(t => t.textContent.trim())
  .map(t => { const r = t.getBoundingClientRect();
    const kind = t.closest('.legend') ? 'legend' : t.classList.contains('xtitle')
      || t.classList.contains('ytitle') ? 'axis title' : t.closest('.annotation') ? 'label'
      : t.classList.contains('gtitle') ? 'title' : 'tick';
    return {kind, text: t.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })
  .filter(b => b.x1 > b.x0 && b.y1 > b.y0)"""
_PLOTS = """() => [...document.querySelectorAll('.bglayer rect.bg')].map(r => {
  const b = r.getBoundingClientRect();
  return {x0: b.left, y0: b.top, x1: b.right, y1: b.bottom}; })"""


def _overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > slack
            and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > slack)


@pytest.fixture(scope="module")
def four(runs, tmp_path_factory) -> list[Path]:
    from vizwidget.demo import make_variant

    return [*runs, make_variant(tmp_path_factory.mktemp("four") / "p13_seed3", p=13, seed=3,
                                epochs=40)]


@pytest.mark.browser
@pytest.mark.parametrize(("columns", "cell"), [(2, 400), (3, 500), (4, 600), (4, 400)])
def test_no_title_or_label_overlaps_another_in_the_svg(four, browser, tmp_path, columns, cell):
    from vizwidget.export import export_figure

    d = Dashboard(four[:columns], ["training_curves", "singular_value_spectrum"])
    late = d.epochs[-1] - 1  # not every run's checkpoint: some panels carry a note
    fig = d._source.figure(late)
    path = export_figure(fig, tmp_path / "grid.svg", width=columns * cell, height=2 * 380,
                         scale=1)
    page = browser.new_page(viewport={"width": columns * cell, "height": 2 * 380})
    try:
        page.set_content(f"<body style='margin:0'>{path.read_text()}</body>")
        boxes, plots = page.evaluate(_BOXES), page.evaluate(_PLOTS)
    finally:
        page.close()
    texts = [b for b in boxes if b["kind"] != "tick"]
    assert {"label", "axis title", "legend", "title"} <= {b["kind"] for b in texts}
    assert any(b["text"].endswith("(nearest)") for b in texts)
    clashes = [(a["text"], b["text"]) for i, a in enumerate(texts) for b in boxes
               if b is not a and (b["kind"] != "tick" or a["kind"] != "tick")
               and (b not in texts or boxes.index(b) > boxes.index(a)) and _overlap(a, b)]
    assert clashes == []
    width, height = columns * cell, 2 * 380
    assert all(b["x0"] >= -1 and b["x1"] <= width + 1 and b["y0"] >= -1
               and b["y1"] <= height + 1 for b in boxes)  # nothing cut off at the edge
    legend = [b for b in boxes if b["kind"] == "legend"]
    assert not [(t["text"]) for t in legend for p in plots if _overlap(t, p)]  # off the data


def test_per_point_colours_and_highlights_keep_their_own_colours():
    scaled = {"type": "scatter", "x": [0, 1], "y": [0, 1], "name": "path",
              "marker": {"color": np.array([0.0, 1.0]), "colorscale": "Viridis"}}
    star = {**line("W_E"), "showlegend": False, "marker": {"color": "#e4572e"}}
    panels = [{"data": [line("W_E"), line("W_in"), star, scaled], "layout": {}}] * 2
    fig, _ = compose_grid(panels, ["a", "b"], 2)
    data = fig["data"]
    assert data[0]["line"]["color"] == data[4]["line"]["color"] != data[1]["line"]["color"]
    assert data[2]["marker"]["color"] == "#e4572e"  # a highlight is not a series colour
    assert isinstance(data[3]["marker"]["color"], np.ndarray)  # colour by value stays
