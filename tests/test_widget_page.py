"""The widget's ES module in a plain page with recorded models: still image, playback, WebGL.

A plain page rather than JupyterLab: JupyterLab's notebook windowing detaches cells that
scroll out of view, which would hide what the WebGL budget does, and a page without any
kernel is what a saved notebook is. The models' state and figure messages come from real
widgets (tests/e2e/fake_page.py).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from e2e.fake_page import coloured_pixels, open_page, record

from vizwidget import ExportWidget

pytestmark = pytest.mark.browser

RED = (230, 20, 20)


def waves(epoch):
    x = np.linspace(0, 6, 400)
    return go.Figure(go.Scatter(x=x, y=np.sin(x + epoch / 10), line={"color": "rgb(230,20,20)",
                                                                      "width": 6}))


def displayed(widget):
    widget._repr_mimebundle_()  # what displaying it does: the still image joins its state
    return widget


def test_without_a_kernel_the_view_shows_the_figure_image(browser):
    w = displayed(ExportWidget(waves, epochs=[0, 30], epoch=30))
    assert w._image.startswith("data:image/png;base64,")
    assert len(w._image) < 270_000  # <= 200 KB of PNG
    context, page, _ = open_page(browser, [record(w)], kernel=False)
    try:
        still = page.locator(".vzw-still")
        still.wait_for(state="visible")
        page.wait_for_function("document.querySelector('.vzw-still').naturalWidth > 0")
        assert coloured_pixels(page.locator(".vzw-stage").screenshot(), RED) > 500
        assert page.locator(".js-plotly-plot").count() == 0  # nothing drawn: no plotly.js
    finally:
        context.close()


def test_the_image_gives_way_to_the_live_plot(browser):
    w = displayed(ExportWidget(waves, epochs=[0, 30]))
    context, page, _ = open_page(browser, [record(w)])
    try:
        page.wait_for_selector(".vzw-plot[data-epoch='0'] .scatterlayer .trace")
        assert not page.locator(".vzw-still").is_visible()
    finally:
        context.close()


def test_a_widget_shown_twice_plays_once(browser):
    w = ExportWidget(waves, epochs=list(range(0, 60)), fps=5, repeat=True)
    context, page, _ = open_page(browser, [record(w)], views=2)
    try:
        page.wait_for_function("document.querySelectorAll('.vzw-plot[data-epoch]').length == 2")
        page.locator(".vzw-play").first.click()
        page.wait_for_timeout(3000)
        page.locator(".vzw-play").first.click()
        sets = page.evaluate("window.models[0].epochSets")
        assert 10 <= sets <= 17, f"{sets} epoch steps in 3 s at 5 fps"
        assert page.locator(".vzw-play").nth(1).text_content() == "Play"
    finally:
        context.close()
