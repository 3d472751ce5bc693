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
from e2e.fake_page import coloured_pixels, drawn_pixels, open_page, record

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


def cloud(epoch, seed=0):
    rng = np.random.default_rng(seed)
    return go.Figure(go.Scattergl(x=rng.standard_normal(2000), y=rng.standard_normal(2000),
                                  mode="markers", marker={"color": "rgb(230,20,20)", "size": 6}),
                     layout={"margin": {"l": 30, "r": 10, "t": 10, "b": 30}})


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from vizwidget.demo import make_variant

    root = tmp_path_factory.mktemp("gl")
    return [make_variant(root / f"seed{i}", p=13, seed=i, epochs=30) for i in range(3)]


GL_STATE = """() => {
  const b = globalThis.__vizwidget__.glBudget;
  return { plots: b.live.size, contexts: b.contexts };
}"""
DRAWN = """(i) => {
  const root = document.querySelectorAll('.vizwidget')[i];
  const plot = root.querySelector('.vzw-plot');
  return plot.dataset.epoch !== undefined && !plot.dataset.asleep
    && root.querySelector('.vzw-still').style.display !== 'block'
    && plot.querySelector('canvas') !== null;
}"""


def test_many_webgl_plots_share_a_budget_and_all_redraw(browser, runs):
    from vizwidget import Dashboard

    widgets = [ExportWidget(cloud, epochs=[0], seed=i, preview_height=300) for i in range(20)]
    dash = Dashboard([("parameter_trajectory_3d", runs[i % 3]) for i in range(9)],
                     preview_height=600)
    records = [record(displayed(w)) for w in widgets] + [record(displayed(dash), [dash.epoch])]
    context, page, console = open_page(browser, records, viewport=(1000, 900))
    try:
        page.wait_for_function(DRAWN, arg=0)
        worst = {"plots": 0, "contexts": 0}
        height = page.evaluate("document.body.scrollHeight")
        for y in [*range(0, height, 300), *range(height, -300, -300)]:  # to the end and back
            page.evaluate("(y) => window.scrollTo(0, y)", y)
            page.wait_for_timeout(120)
            now = page.evaluate(GL_STATE)
            worst = {k: max(worst[k], now[k]) for k in worst}
        assert worst["plots"] <= 8 and worst["contexts"] <= 12, worst
        asleep = page.evaluate("document.querySelectorAll('.vzw-plot[data-asleep]').length")
        assert asleep >= 10  # plots out of view gave their contexts back
        for i in range(21):  # every widget draws again when it comes into view
            page.locator(".vizwidget").nth(i).scroll_into_view_if_needed()
            page.wait_for_function(DRAWN, arg=i)
            page.wait_for_timeout(100)
            shot = page.locator(".vizwidget .vzw-stage").nth(i).screenshot()
            if i < 20:
                assert coloured_pixels(shot, RED) > 300, f"widget {i} shows no markers"
            else:  # the 3-D grid: nine trajectories drawn
                assert drawn_pixels(shot) > 5000
        scene = page.evaluate("""() => {
            const plot = document.querySelectorAll('.vizwidget')[20].querySelector('.vzw-plot');
            return plot.querySelectorAll('canvas').length;
        }""")
        assert scene >= 9  # one WebGL canvas per 3-D panel
        lost = [m for m in console if "Too many active WebGL contexts" in m]
        assert not lost, lost
    finally:
        context.close()


def test_slider_arrows_step_even_when_the_host_page_takes_arrow_keys(browser):
    w = ExportWidget(waves, epochs=[0, 10, 20, 30])
    context, page, _ = open_page(browser, [record(w)])
    try:
        # a host that binds the arrows in the capture phase, as Notebook 7's shortcuts do
        # (lumino's way: an event already handled is left alone)
        page.evaluate("""document.addEventListener('keydown', (e) => {
            if (e.defaultPrevented) { window.leftAlone = (window.leftAlone || 0) + 1; return; }
            if (e.key.startsWith('Arrow')) { e.preventDefault(); e.stopPropagation(); }
        }, true)""")
        page.wait_for_selector(".vzw-plot[data-epoch='0']")
        page.locator(".vzw-slider").focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.wait_for_selector(".vzw-plot[data-epoch='20']")
        assert page.evaluate("window.models[0].get('epoch')") == 20
        assert page.locator(".vzw-slider").input_value() == "2"  # one step per key press
        page.keyboard.press("ArrowLeft")
        page.wait_for_selector(".vzw-plot[data-epoch='10']")
        assert page.evaluate("window.leftAlone") == 3  # the host saw them, handled
    finally:
        context.close()


def test_a_zoomed_down_sampled_plot_stays_refined_at_the_next_epoch(browser):
    x = np.linspace(0, 100, 150_000)

    def long_line(epoch):
        return go.Figure(go.Scattergl(x=x, y=np.sin(x + epoch), mode="lines"))

    w = ExportWidget(long_line, epochs=[0, 1], lod_points=2_000)
    context, page, _ = open_page(browser, [record(w)])
    try:
        page.wait_for_selector(".vzw-plot[data-epoch='0']")
        page.evaluate("""() => {  // zoom as a drag would (plotly.js of the page, no global)
            const gd = document.querySelector('.vzw-plot');
            const P = globalThis.__vizwidget__.plotly;
            return P.then((Plotly) => Plotly.relayout(gd, {'xaxis.range': [10, 20]}));
        }""")
        views = "window.models[0].sent.filter((m) => m.type === 'view')"
        page.wait_for_function(f"{views}.length === 1")
        page.locator(".vzw-btn", has_text="▶").click()
        page.wait_for_function(f"{views}.length === 2")
        last = page.evaluate(f"{views}[1]")
        assert last["epoch"] == 1 and last["xrange"] == [10, 20]
    finally:
        context.close()
