"""Dashboard: panel planning, nearest-epoch mapping, grid composition, exports and events."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image
from widget_messages import Sent, decode, request

import vizwidget
from vizwidget.errors import EpochNotFoundError, UsageError, VizWidgetError
from vizwidget.widget import Dashboard
from vizwidget.widget._grid import compose_grid, plan_grid
from vizwidget.widget._panels import PanelSpec, nearest_epoch, plan_panels

VISUALIZATIONS = ["training_curves", "parameter_trajectory_2d", "singular_value_spectrum"]


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> list[Path]:
    """Two small demo runs whose checkpoint epochs differ (40 and 60 training epochs)."""
    from vizwidget.demo import make_variant

    root = tmp_path_factory.mktemp("dash")
    return [make_variant(root / "seed0", p=13, seed=0, epochs=40),
            make_variant(root / "seed1", p=13, seed=1, epochs=60)]


class FakeVariants:
    """Duck-typed stand-in for vizwidget.Variants: ``.paths`` and ``.labels``."""

    def __init__(self, paths, labels):
        self.paths, self.labels = paths, labels


# ---- planning ----

def test_panels_are_visualizations_by_variants_row_major(variants):
    specs = plan_panels(variants, VISUALIZATIONS)
    assert [(s.visualization, s.label) for s in specs] == [
        (v, label) for v in VISUALIZATIONS for label in ("seed0", "seed1")]
    assert all(s.epoch is None for s in specs)
    one = plan_panels(variants[0], "training_curves")
    assert [(s.visualization, s.variant) for s in one] == [("training_curves", variants[0])]


def test_a_variants_object_is_duck_typed(variants):
    specs = plan_panels(FakeVariants(variants, ["lr=1e-3", "lr=3e-3"]), ["training_curves"])
    assert [s.label for s in specs] == ["lr=1e-3", "lr=3e-3"]


def test_explicit_tuples_and_pinned_epochs(variants):
    specs = plan_panels([("training_curves", variants[0]),
                         ("singular_value_spectrum", str(variants[1]), 30)])
    assert specs == [PanelSpec("training_curves", variants[0], "seed0", None),
                     PanelSpec("singular_value_spectrum", variants[1], "seed1", 30)]


@pytest.mark.parametrize("args", [
    ([("training_curves",)], None),
    (["not-a-tuple"], None),
    ([], None),
    ([], ["training_curves"]),
])
def test_bad_panels_say_what_to_pass(args):
    with pytest.raises(UsageError) as err:
        plan_panels(*args)
    assert len(str(err.value).splitlines()) == 2


def test_variants_without_visualizations_is_an_error(variants):
    with pytest.raises(UsageError, match="no visualizations"):
        Dashboard(FakeVariants(variants, ["a", "b"]))
    with pytest.raises(UsageError, match="no visualizations"):
        Dashboard(vizwidget.Variants(variants))


def test_takes_the_run_inputs_of_the_comparison_verbs(variants):
    runs = vizwidget.Variants(variants, labels=["slow", "fast"])
    d = Dashboard(runs, ["singular_value_spectrum"])
    assert [p.spec.label for p in d.panels] == ["slow", "fast"]
    assert [p.spec.variant for p in d.panels] == [m.path for m in runs]
    pattern = str(variants[0].parent / "seed*")
    assert [s.label for s in plan_panels(pattern, "training_curves")] == ["seed0", "seed1"]
    with pytest.raises(VizWidgetError) as err:
        Dashboard(str(variants[0].parent / "nothing*"), ["training_curves"])
    assert len(str(err.value).splitlines()) == 2


def test_is_an_export_widget_by_construction(variants):
    d = Dashboard(variants, ["training_curves"])
    assert isinstance(d, vizwidget.ExportWidget)
    assert {"_views", "_lod_maps", "_payloads", "_known", "_jobs"} <= set(vars(d))


def test_unknown_widget_option_is_an_error(variants):
    with pytest.raises(UsageError, match="colour"):
        Dashboard(variants, ["training_curves"], colour="red")


# ---- epochs ----

def test_nearest_epoch_prefers_the_smaller_on_a_tie():
    assert nearest_epoch([0, 10, 20], 14) == 10
    assert nearest_epoch([0, 10, 20], 15) == 10
    assert nearest_epoch([0, 10, 20], 16) == 20
    assert nearest_epoch([0, 10, 20], 999) == 20


def test_slider_is_the_union_and_panels_show_their_nearest_checkpoint(variants):
    d = Dashboard(variants, ["singular_value_spectrum", "training_curves"])
    own = [set(p.epochs) for p in d.panels]
    assert d.epochs == sorted(set().union(*own))
    assert 60 in d.epochs and 60 not in own[0]  # only the longer run reaches 60
    seed0, seed1 = d.panels[0], d.panels[1]
    assert seed0.epoch_for(60) == 40 and seed1.epoch_for(60) == 60
    assert seed0.title(60) == "singular_value_spectrum · seed0 · epoch 40 (nearest to 60)"
    assert seed1.title(60) == "singular_value_spectrum · seed1 · epoch 60"
    d.epoch = 59  # not an epoch of either run: snaps like the ExportWidget's slider
    assert d.epoch in d.epochs
    layout = d.figure(60).layout
    named = {a.name: a.text for a in layout.annotations
             if (a.name or "").startswith("vizwidget-")}
    # the epoch once in the title, a run per column, a view per row, a note where it differs
    assert layout.title.text == "epoch 60"
    assert named["vizwidget-column-0"].endswith("seed0")
    assert named["vizwidget-column-1"].endswith("seed1")
    assert named["vizwidget-row-0"] == "singular_value_spectrum"
    assert named["vizwidget-row-1"] == "training_curves"
    assert named["vizwidget-panel-0"] == "epoch 40 (nearest)"
    assert "vizwidget-panel-1" not in named  # seed1 shows the epoch asked for: no note


def test_a_pinned_panel_stays_at_its_epoch(variants):
    d = Dashboard([("singular_value_spectrum", variants[0], 22),
                   ("singular_value_spectrum", variants[1])])
    first, second = d.panels
    assert [first.epoch_for(e) for e in (0, 30, 60)] == [22, 22, 22]
    assert second.epoch_for(60) == 60
    assert first.title(60).endswith("epoch 22 (pinned)")
    assert 22 in d.epochs and d.epochs[-1] == 60


def test_pinning_a_missing_epoch_names_the_nearest(variants):
    with pytest.raises(EpochNotFoundError) as err:
        Dashboard([("singular_value_spectrum", variants[0], 26)])
    assert isinstance(err.value, VizWidgetError)
    lines = str(err.value).splitlines()
    assert len(lines) == 2 and "26" in lines[0] and "25" in lines[1]


# ---- grid composition ----

def two_axes_figure() -> dict:
    return {"data": [{"type": "scatter", "x": [0, 1], "y": [1, 2]},
                     {"type": "bar", "x": [0, 1], "y": [3, 4], "xaxis": "x2", "yaxis": "y2"}],
            "layout": {"xaxis": {"domain": [0, 0.4]}, "xaxis2": {"domain": [0.6, 1]},
                       "yaxis2": {"anchor": "x2", "type": "log"},
                       "title": {"text": "dropped"},
                       "annotations": [{"text": "note", "xref": "paper", "yref": "paper",
                                        "x": 1, "y": 0, "showarrow": False},
                                       {"text": "at data", "xref": "x2", "yref": "y2",
                                        "x": 1, "y": 3}]}}


def test_compose_remaps_axes_into_cells_and_titles_each_panel():
    scene = {"data": [{"type": "scatter3d", "x": [0], "y": [0], "z": [0]}], "layout": {}}
    pie = {"data": [{"type": "pie", "values": [1, 2]}], "layout": {}}
    heat = {"data": [{"type": "heatmap", "z": [[1, 2], [3, 4]]}], "layout": {}}
    fig, counts = compose_grid([two_axes_figure(), two_axes_figure(), scene, pie, heat],
                               ["A", "B", "C", "D", "E"], columns=2)
    assert counts == [2, 2, 1, 1, 1]
    layout = fig["layout"]
    refs = [(t.get("xaxis"), t.get("yaxis")) for t in fig["data"][:4]]
    assert refs == [("x", "y"), ("x2", "y2"), ("x3", "y3"), ("x4", "y4")]
    assert layout["yaxis2"]["anchor"] == "x2" and layout["yaxis4"]["anchor"] == "x4"
    assert layout["yaxis"]["anchor"] == "x" and layout["yaxis4"]["type"] == "log"
    grid = plan_grid(5, 2)[0]
    left, right = grid.cell(0), grid.cell(1)
    # the panel's own domains shrink into its cell: x2 was [0.6, 1] of the first panel
    assert layout["xaxis"]["domain"] == pytest.approx([left.x0, left.x(0.4)], abs=1e-5)
    assert layout["xaxis2"]["domain"][1] == pytest.approx(left.x1, abs=1e-5)
    assert layout["xaxis3"]["domain"][0] == pytest.approx(right.x0, abs=1e-5)
    for key in ("xaxis", "xaxis2", "xaxis3", "xaxis4"):
        lo, hi = layout[key]["domain"]
        assert 0 <= lo < hi <= 1
    assert fig["data"][4]["scene"] == "scene"
    scene_cell = grid.cell(2)
    assert layout["scene"]["domain"]["x"] == pytest.approx([scene_cell.x0, scene_cell.x1])
    assert fig["data"][5]["domain"]["x"][0] == pytest.approx(grid.cell(3).x0)
    assert fig["data"][6]["colorbar"]["x"] <= grid.cell(4).x1
    texts = {a["text"]: a for a in layout["annotations"]}
    assert [a["text"] for a in layout["annotations"] if a.get("name", "").startswith(
        "vizwidget-panel")] == ["A", "B", "C", "D", "E"]
    assert "dropped" not in json.dumps(layout.get("title"))
    notes = [a for a in layout["annotations"] if a["text"] == "note"]
    assert notes[0]["x"] == pytest.approx(left.x1) and notes[1]["x"] == pytest.approx(right.x1)
    at_data = [a for a in layout["annotations"] if a["text"] == "at data"]
    assert [(a["xref"], a["yref"]) for a in at_data] == [("x2", "y2"), ("x4", "y4")]
    assert texts["A"]["y"] == pytest.approx(left.y1)
    # one legend for the grid (tests/test_grid.py); nameless traces are not listed in it
    assert all("legend" not in t for t in fig["data"])
    assert not any(k.startswith("legend") for k in layout) and layout["showlegend"] is False
    go.Figure(fig)  # plotly accepts the composed figure


# ---- widget messages and events ----

def test_one_figure_message_carries_every_panel(variants):
    d = Dashboard(variants, ["training_curves", "singular_value_spectrum"])
    sent = Sent(d)
    request(d, type="figure", epoch=60)
    (content, buffers), = sent.of("figure")
    assert content["epoch"] == 60 and "error" not in content
    skeleton = json.loads(bytes(buffers[0]))
    assert len(skeleton["data"]) == sum(d._source.compose(60)[1])
    assert len({t["xaxis"] for t in skeleton["data"]}) >= 4


def test_events_carry_the_panel_visualization_and_variant(variants):
    d = Dashboard(variants, ["training_curves", "singular_value_spectrum"])
    got = []
    d.on_click(got.append)
    counts = d._source.compose(30)[1]
    grid_trace = counts[0] + counts[1] + 1  # second trace of the third panel
    point = {"trace": grid_trace, "point": 3, "x": 4, "y": 0.5, "z": None,
             "customdata": None, "text": None}
    request(d, type="event", kind="click", epoch=30, points=[point])
    (points,) = got
    assert points == [{**point, "epoch": 30, "trace": 1, "grid_trace": grid_trace,
                       "panel": 2, "visualization": "singular_value_spectrum",
                       "variant": "seed0", "variant_dir": str(variants[0]),
                       "panel_epoch": 31}]


def test_a_failing_panel_says_why_in_its_cell_and_the_others_still_show(
        variants, scratch_registry, tmp_path):
    @vizwidget.register_renderer("picky", analyzer="parameters")
    def picky(data, epoch):
        if epoch > 20:
            raise ValueError("no <good> after epoch 20")
        return go.Figure(go.Scatter(y=[1, 2, 3]))

    d = Dashboard([("picky", variants[0]), ("training_curves", variants[0])],
                  output_dir=str(tmp_path))
    sent = Sent(d)
    request(d, type="figure", epoch=30)
    (content, buffers), = sent.of("figure")
    assert "error" not in content and d.error == ""
    skeleton = json.loads(bytes(buffers[0]))
    notes = [a["text"].replace("<br>", " ") for a in skeleton["layout"]["annotations"]
             if not (a.get("name") or "").startswith("vizwidget-panel")]
    assert any("no &lt;good&gt; after epoch 20" in n for n in notes)
    assert len(skeleton["data"]) == d._source.compose(0)[1][1] > 0  # training curves drawn
    # a file is never written with a broken panel in it: the export says what failed
    d.epoch = 30
    with pytest.raises(VizWidgetError, match="no <good> after epoch 20"):
        d.export("png")
    assert not list(tmp_path.glob("*.png"))
    d.epoch = 10
    assert d.export("png").is_file()


# ---- exports (real Chromium) ----

@pytest.mark.parametrize("scale", [1, 2])
def test_png_export_is_the_whole_grid_at_the_right_size(variants, tmp_path, scale):
    d = Dashboard(variants, VISUALIZATIONS, output_dir=str(tmp_path), width=700, height=900,
                  scale=scale, epoch=45)
    path = d.export("png")
    assert path == tmp_path / "dashboard_epoch45.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as im:
        assert im.size == (700 * scale, 900 * scale)
    assert d.last_file == str(path) and d.status == f"Wrote {path.name}"


def test_svg_and_default_size_follow_the_grid(variants, tmp_path):
    d = Dashboard(variants, VISUALIZATIONS, output_dir=str(tmp_path))
    assert (d.width, d.height) == (2 * 560, 3 * 420)
    path = d.export("svg")
    text = path.read_text()
    assert text.lstrip().startswith("<svg") or "<svg" in text[:400]
    # a header per run and per visualization, drawn once each
    assert text.count(">singular_value_spectrum</text>") == 1 and text.count("seed1</text>") == 1


def test_html_export_is_one_page_whose_slider_moves_every_panel(variants, tmp_path):
    d = Dashboard(variants, ["training_curves", "singular_value_spectrum"],
                  output_dir=str(tmp_path), name="runs/../cmp")
    path = d.export("html")
    assert path.parent == tmp_path and path.suffix == ".html"  # the name was sanitised
    html = path.read_text()
    assert '<script src="http' not in html  # offline: plotly.js is inlined
    spec = html[html.index("Plotly.newPlot("):]
    assert spec.count('"method":"animate"') >= len(d.epochs)  # one slider step per epoch
    for epoch in d.epochs:  # one frame per epoch
        assert f'"name":"{epoch}"' in spec
    assert "epoch 40 (nearest)" in spec  # panels move (or stay nearest) per frame


def test_gif_animates_the_grid(variants, tmp_path):
    d = Dashboard(variants, ["singular_value_spectrum"], output_dir=str(tmp_path), width=600,
                  height=300, scale=1, fps=4)
    path = d.animate("gif", epochs=[0, 30, 60])
    assert path.name == "dashboard_epochs0-60.gif"
    with Image.open(path) as im:
        assert im.format == "GIF" and im.size == (600, 300) and im.n_frames == 3


def test_dashboard_is_exported_lazily():
    assert "Dashboard" in vizwidget.__all__
    assert vizwidget.Dashboard is Dashboard


def test_grid_figure_arrays_are_shared_between_epochs(variants):
    d = Dashboard([("training_curves", variants[0]), ("singular_value_spectrum", variants[0], 0)])
    a, b = d._source.figure(10), d._source.figure(20)
    # the pinned panel's traces are the very same arrays at every slider epoch
    assert np.array_equal(np.asarray(a["data"][-1]["y"]), np.asarray(b["data"][-1]["y"]))


def test_a_large_panel_is_down_sampled_and_its_events_report_full_data_points(
        variants, scratch_registry):
    n = 150_000
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(n), rng.standard_normal(n)

    @vizwidget.register_renderer("big_cloud", analyzer="parameters")
    def big_cloud(data, epoch):
        return go.Figure(go.Scattergl(x=x, y=y, mode="markers", customdata=np.arange(n)))

    d = Dashboard([("training_curves", variants[0]), ("big_cloud", variants[0])])
    got = []
    d.on_click(got.append)
    sent = Sent(d)
    request(d, type="figure", epoch=30, reset=True)
    (content, buffers), = sent.of("figure")
    assert "error" not in content and d.error == ""
    fig = decode(content, buffers)
    counts = d._source.compose(30)[1]
    drawn = fig["data"][counts[0]]  # the cloud: first trace of the second panel
    assert d.lod_points * 0.8 <= drawn["x"].size <= d.lod_points * 1.1 < n
    token = fig["layout"]["vizwidgetLod"]
    k = 11
    point = {"trace": counts[0], "point": k, "x": float(drawn["x"][k]),
             "y": float(drawn["y"][k])}
    request(d, type="event", kind="click", epoch=30, points=[point], lod=token)
    (clicked,), = got
    full = int(drawn["customdata"][k])
    assert clicked["point"] == full and (x[full], y[full]) == (point["x"], point["y"])
    assert (clicked["panel"], clicked["trace"], clicked["visualization"]) == (1, 0, "big_cloud")
