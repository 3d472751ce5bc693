"""Themes as Plotly templates, applied to any figure and through the export core."""

from __future__ import annotations

import copy

import plotly.graph_objects as go
import pytest
from PIL import Image

from vizwidget.errors import ThemeError
from vizwidget.themes import THEMES, apply_theme


@pytest.fixture
def fig_dict():
    return go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3, 2])).to_dict()


def test_theme_names():
    assert THEMES == ("default", "dark", "publication")


@pytest.mark.parametrize("theme", [None, "default"])
def test_default_leaves_the_figure_alone(fig_dict, theme):
    out = apply_theme(fig_dict, theme)
    assert out == fig_dict and out is not fig_dict


def test_dark(fig_dict):
    before = copy.deepcopy(fig_dict)
    out = apply_theme(fig_dict, "dark")
    assert fig_dict == before  # input untouched
    assert out["layout"]["template"]["layout"]["paper_bgcolor"] == "rgb(17,17,17)"
    assert out["data"] == fig_dict["data"]


def test_publication_is_white_serif_thick_and_gridless(fig_dict):
    tpl = apply_theme(fig_dict, "publication")["layout"]["template"]
    layout = tpl["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "white"
    assert "serif" in layout["font"]["family"]
    assert layout["xaxis"]["showgrid"] is False and layout["yaxis"]["showgrid"] is False
    assert tpl["data"]["scatter"][0]["line"]["width"] >= 2.5


def test_accepts_a_go_figure_and_validates_through_plotly():
    out = apply_theme(go.Figure(go.Bar(y=[1, 2])), "publication")
    go.Figure(out)  # still a valid figure


@pytest.mark.parametrize("bad", ["Dark", "paper", 3])
def test_unknown_theme(fig_dict, bad):
    with pytest.raises(ThemeError) as info:
        apply_theme(fig_dict, bad)
    assert str(info.value).endswith("Use one of: default, dark, publication.")


@pytest.mark.browser
@pytest.mark.parametrize("theme, corner",
                         [("dark", (17, 17, 17)), ("publication", (255, 255, 255))])
def test_export_core_applies_the_theme(tmp_path, theme, corner):
    from vizwidget.export import export_figure

    out = export_figure(go.Figure(go.Scatter(y=[1, 3, 2])), tmp_path / "f.png", width=300,
                        height=200, scale=1, theme=theme)
    with Image.open(out) as img:
        assert img.convert("RGB").getpixel((2, 2)) == corner
