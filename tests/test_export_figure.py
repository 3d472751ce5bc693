"""export_figure through the real Chromium: formats, sizes, atomic writes, errors."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image

from vizwidget import export_figure
from vizwidget.errors import (
    FigureError,
    FormatError,
    OutputPathError,
    RenderError,
    SizeError,
    VizWidgetError,
)
from vizwidget.export import figure_to_bytes

MAGIC = {
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
    "webp": b"RIFF",
    "svg": b"<svg",
    "pdf": b"%PDF-",
    "html": b"<html",
    "json": b"{",
}


@pytest.mark.parametrize("fmt", [*MAGIC, "bogus"])
@pytest.mark.parametrize("as_str", [False, True])
def test_every_format_magic_bytes(tmp_path, bar_figure, fmt, as_str):
    target = tmp_path / f"fig.{fmt}"
    if fmt == "bogus":
        with pytest.raises(FormatError, match="png"):
            export_figure(bar_figure, str(target) if as_str else target)
        assert not target.exists()
        return
    written = export_figure(bar_figure, str(target) if as_str else target, width=400, height=300)
    assert written == target and isinstance(written, Path)
    head = written.read_bytes()[:200]
    assert MAGIC[fmt] in head.lower() if fmt == "html" else head.startswith(MAGIC[fmt])


@pytest.mark.parametrize("width, height, scale", [(1200, 800, 2), (640, 480, 1), (300, 200, 3),
                                                  (500, 250, 1.5)])
def test_png_size_is_width_times_scale(tmp_path, bar_figure, width, height, scale):
    path = export_figure(bar_figure, tmp_path / "f.png", width=width, height=height, scale=scale)
    with Image.open(path) as img:
        assert img.size == (round(width * scale), round(height * scale))


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_raster_formats_have_the_requested_size(tmp_path, bar_figure, fmt):
    path = export_figure(bar_figure, tmp_path / "f", fmt, width=320, height=240, scale=2)
    with Image.open(path) as img:
        assert img.size == (640, 480)


def test_figure_widget_and_dict_are_accepted(tmp_path, bar_figure):
    widget = go.FigureWidget(bar_figure)
    a = export_figure(widget, tmp_path / "w.png", width=300, height=200, scale=1)
    b = export_figure(bar_figure.to_dict(), tmp_path / "d.png", width=300, height=200, scale=1)
    assert Image.open(a).size == Image.open(b).size == (300, 200)


def test_path_without_suffix_gets_one(tmp_path, bar_figure):
    assert export_figure(bar_figure, tmp_path / "noext", "svg").name == "noext.svg"


def test_suffix_disagreeing_with_format_is_an_error(tmp_path, bar_figure):
    with pytest.raises(FormatError, match="disagrees"):
        export_figure(bar_figure, tmp_path / "f.png", "pdf")
    assert list(tmp_path.iterdir()) == []


def test_parent_directories_are_created(tmp_path, bar_figure):
    path = export_figure(bar_figure, tmp_path / "a" / "b" / "c.json")
    assert json.loads(path.read_text())["data"][0]["type"] == "bar"


def test_html_is_standalone_and_offline(tmp_path, bar_figure):
    html = export_figure(bar_figure, tmp_path / "f.html").read_text()
    assert re.findall(r"<script[^>]*\bsrc=", html) == []  # nothing fetched
    assert len(html) > 3_000_000  # plotly.js embedded
    cdn = export_figure(bar_figure, tmp_path / "c.html", include_plotlyjs="cdn").read_text()
    assert re.findall(r'<script[^>]*\bsrc="https://cdn.plot.ly/', cdn) and len(cdn) < 100_000


def test_json_round_trips(tmp_path, bar_figure):
    path = export_figure(bar_figure, tmp_path / "f.json")
    assert go.Figure(json.loads(path.read_text())).data[0].y == (3, 1, 2)


@pytest.mark.parametrize("kwargs", [{"width": 0}, {"height": -5}, {"width": 12.5},
                                    {"width": "800"}, {"scale": 0}, {"scale": -1},
                                    {"width": True}])
def test_bad_sizes(tmp_path, bar_figure, kwargs):
    with pytest.raises(SizeError) as info:
        export_figure(bar_figure, tmp_path / "f.png", **kwargs)
    key = next(iter(kwargs))
    assert key in str(info.value) and "Pass e.g." in str(info.value)
    assert not (tmp_path / "f.png").exists()


@pytest.mark.parametrize("thing", [None, 42, "figure.png", [1, 2], {"x": 1}])
def test_not_a_figure(tmp_path, thing):
    with pytest.raises(FigureError, match="go.Figure"):
        export_figure(thing, tmp_path / "f.png")


def test_render_failure_keeps_existing_file_and_leaves_no_partial(tmp_path):
    target = tmp_path / "f.png"
    target.write_bytes(b"old content")
    bad = {"data": [{"type": "scattergeo", "lon": [0], "lat": [0]}]}  # needs the network
    with pytest.raises(RenderError) as info:
        export_figure(bad, target)
    assert "topojson" in str(info.value)
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]


def test_unwritable_path(tmp_path, bar_figure):
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    with pytest.raises(OutputPathError, match="writable"):
        export_figure(bar_figure, blocker / "sub" / "f.json")
    with pytest.raises(OutputPathError, match="directory"):
        export_figure(bar_figure, tmp_path, "json")


def test_errors_share_one_base(tmp_path):
    with pytest.raises(VizWidgetError):
        export_figure(object(), tmp_path / "f.png")


def test_figure_to_bytes_matches_file(tmp_path, bar_figure):
    data = figure_to_bytes(bar_figure, "png", 200, 100, 1)
    assert Image.open(io.BytesIO(data)).size == (200, 100)
