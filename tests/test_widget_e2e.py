"""ExportWidget in a real JupyterLab driven by Playwright and Debian's Chromium.

Starts ``jupyter lab`` on 127.0.0.1 (free port, no token), runs test notebooks and checks
what a user sees. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from e2e import notebooks as nb
from e2e.lab import (
    cell_text,
    click_and_collect,
    jupyter_lab,
    open_notebook,
    printed_state,
    run_cell,
)

pytestmark = [pytest.mark.jupyterlab, pytest.mark.browser]

ARTIFACTS = Path(__file__).parent / "artifacts"
WIDGETS_STATE = {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}
TIMEOUT = 120_000


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with jupyter_lab(tmp_path_factory.mktemp("lab") / "root", settings=WIDGETS_STATE) as lab:
        yield lab


@pytest.fixture(scope="module")
def page(lab, browser):
    """The main test notebook, opened and its first cell run."""
    ARTIFACTS.mkdir(exist_ok=True)
    lab.write_notebook("widget.ipynb", [nb.SETUP, nb.STATE, nb.SIDEBAR, nb.FLAKY, nb.WAVES,
                                        nb.WAVES_DATA, nb.PREFETCH_ON, nb.LOD, nb.MANY_RUNS])
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.remote_hosts = set()
    page.on("request", lambda req: page.remote_hosts.add(host(req.url)))
    open_notebook(page, lab, "widget.ipynb")
    run_cell(page, 0)
    page.wait_for_selector(".vizwidget .js-plotly-plot .scatterlayer .point")
    yield page
    context.close()


def host(url: str) -> str:
    """Host of a request URL (blob: URLs belong to the page that made them)."""
    return urlsplit(url.removeprefix("blob:")).hostname or url


def widget(page, index=0):
    return page.locator(".jp-Notebook .vizwidget").nth(index)


def state(page) -> dict:
    return printed_state(page)


def drawn_title(root) -> str:
    return root.locator(".js-plotly-plot .gtitle").text_content()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"), full_page=False)


def test_plot_renders_from_local_plotly(page):
    root = widget(page)
    assert drawn_title(root) == "epoch 0"
    assert root.locator(".scatterlayer .point").count() == 12
    assert page.evaluate("document.querySelectorAll('script[data-vizwidget-plotly]').length") == 1
    assert page.remote_hosts <= {"127.0.0.1"}, "something was fetched from the network"
    shot(page, "rendered")


def test_slider_changes_the_drawn_epoch(page):
    root = widget(page)
    slider = root.locator(".vzw-slider")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.textContent === 'epoch 100'",
                           arg=root.locator(".gtitle").element_handle())
    assert "epoch 100" in root.locator(".vzw-epoch").inner_text()
    page.keyboard.press("End")
    page.wait_for_function("el => el.textContent === 'epoch 2000'",
                           arg=root.locator(".gtitle").element_handle())
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.textContent === 'epoch 100'",
                           arg=root.locator(".gtitle").element_handle())
    assert state(page)["epoch"] == 100
    shot(page, "slider")


def test_export_writes_the_file_in_the_link(page, lab):
    root = widget(page)
    root.locator(".vzw-format").select_option("png")
    root.locator(".vzw-export").click()
    link = root.locator(".vzw-link")
    page.wait_for_function("el => el.textContent.endsWith('.png')", arg=link.element_handle())
    path = lab.root / "exports" / "e2e_epoch100.png"
    assert link.inner_text() == path.name
    assert link.get_attribute("data-path") == str(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    href = link.get_attribute("href")
    assert href.endswith("files/exports/e2e_epoch100.png")
    response = page.request.get(f"{lab.url}{href}")
    assert response.ok and response.body() == path.read_bytes()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=root.locator(".vzw-thumb").element_handle())
    shot(page, "exported")


def test_animate_fills_progress_and_writes_gif(page, lab):
    from PIL import Image

    root = widget(page)
    root.locator(".vzw-anim-format").select_option("gif")
    page.evaluate("""() => {
        const bar = document.querySelector('.jp-Notebook .vizwidget .vzw-progress');
        window.__vzProgress = [];
        window.__vzPoll = setInterval(() => window.__vzProgress.push(bar.value), 10);
    }""")
    root.locator(".vzw-animate").click()
    link = root.locator(".vzw-link")
    page.wait_for_function("el => el.textContent.endsWith('.gif')", arg=link.element_handle(),
                           timeout=300_000)
    seen = page.evaluate("() => { clearInterval(window.__vzPoll); return window.__vzProgress; }")
    assert any(0 < v < 1 for v in seen), "the progress bar never showed partial progress"
    assert root.locator(".vzw-progress").evaluate("el => el.value") == 1
    path = lab.root / "exports" / "e2e_epochs0-2000.gif"
    assert link.inner_text() == path.name
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6
    shot(page, "animated")


def test_clicking_a_point_reaches_the_python_callback(page):
    root = widget(page)
    point = root.locator(".scatterlayer .point").nth(3)
    clicks = click_and_collect(page, point)
    assert clicks, "no click reached Python"
    (p,) = clicks[-1]
    assert p["trace"] == 0 and p["point"] == 3 and p["x"] == 3
    assert p["customdata"] == "p3" and p["epoch"] == 100


def test_show_in_sidebar_puts_it_in_the_right_panel(page):
    run_cell(page, 2)
    side = page.locator("#jp-right-stack .vizwidget")
    side.locator(".js-plotly-plot .scatterlayer .point").first.wait_for()
    assert side.locator(".gtitle").text_content() == "epoch 100"
    # a second view of the same page: plotly.js was still loaded only once
    assert page.evaluate("document.querySelectorAll('script[data-vizwidget-plotly]').length") == 1
    assert state(page)["sends"] == 1
    shot(page, "sidebar")


def test_typed_epoch_snaps_to_the_nearest_and_arrows_step(page):
    root = widget(page)
    box = root.locator(".vzw-epoch-input")
    title = root.locator(".gtitle").element_handle()
    box.fill("170")  # no such epoch: 200 is the nearest
    box.press("Enter")
    page.wait_for_function("el => el.textContent === 'epoch 200'", arg=title)
    assert box.input_value() == "200"
    assert "epoch 200  (3/6)" in root.locator(".vzw-epoch").inner_text()
    assert root.locator(".vzw-slider").input_value() == "2"
    assert state(page)["epoch"] == 200
    side = page.locator("#jp-right-stack .vizwidget")  # the other view of the same model
    page.wait_for_function("el => el.textContent === 'epoch 200'",
                           arg=side.locator(".gtitle").element_handle())
    assert side.locator(".vzw-epoch-input").input_value() == "200"
    # ← → step when the widget has the focus, outside the boxes
    root.locator(".vzw-root").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.textContent === 'epoch 500'", arg=title)
    assert box.input_value() == "500"
    root.locator(".vzw-play").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("el => el.textContent === 'epoch 200'", arg=title)
    shot(page, "typed-epoch")


def test_renderer_error_shows_in_the_widget(page):
    run_cell(page, 3)
    bad = widget(page, 1)
    bad.locator(".js-plotly-plot .bars").first.wait_for()
    bad.locator(".vzw-slider").focus()
    page.keyboard.press("ArrowRight")
    error = bad.locator(".vzw-error")
    error.wait_for(state="visible")
    assert "epoch 2" in error.inner_text() and "renderer exploded" in error.inner_text()
    shot(page, "renderer-error")
    page.keyboard.press("ArrowRight")  # the widget keeps working
    error.wait_for(state="hidden")
    assert bad.locator(".js-plotly-plot").get_attribute("data-epoch") == "3"


DRAWN = """gd => ({
    epoch: Number(gd.dataset.epoch),
    x: Array.from(gd.data[0].x), xType: gd.data[0].x.constructor.name,
    y: Array.from(gd.data[0].y), yType: gd.data[0].y.constructor.name,
    z: gd._fullData[1].z.map(row => Array.from(row)),
})"""


def test_binary_arrays_are_drawn_exactly_deduplicated_and_prefetched(page):
    run_cell(page, 4)
    root = widget(page, 2)
    plot = root.locator(".js-plotly-plot")
    page.wait_for_function("el => el.dataset.epoch === '0' && el._fullData?.length === 2",
                           arg=plot.element_handle())
    run_cell(page, 5)
    text = cell_text(page, 5)
    expected = json.loads(text[text.index("WAVES") + 5:].strip())
    drawn = plot.evaluate(DRAWN)
    # raw buffers became typed arrays holding exactly the Python figure's numbers
    assert drawn["xType"] == drawn["yType"] == "Float64Array"
    assert {k: drawn[k] for k in "xyz"} == expected["0"]
    # prefetch off: nothing but the visited epoch is fetched
    page.wait_for_timeout(1000)
    store = root.locator(".vzw-root")
    assert store.evaluate("el => [...el.vizwidgetStore.cache.keys()]") == [0]
    assert store.evaluate("el => el.vizwidgetStore.stats.prefetched") == 0

    run_cell(page, 6)  # prefetch on
    root.locator(".vzw-slider").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.dataset.epoch === '1'", arg=plot.element_handle())
    drawn = plot.evaluate(DRAWN)
    assert {k: drawn[k] for k in "xyz"} == expected["1"]
    # epoch 2 comes into the browser cache without being visited
    page.wait_for_function("el => el.vizwidgetStore.cache.has(2)", arg=store.element_handle())
    stats = store.evaluate("el => el.vizwidgetStore.stats")
    assert stats["prefetched"] >= 1 and stats["misses"] == 0
    # x is shared by every epoch: sent once, then referenced by hash (one object in the page)
    assert stats["arraysSent"] == 1 + 2 * stats["figures"]
    assert stats["arraysReused"] == stats["figures"] - 1
    assert store.evaluate("""el => { const c = el.vizwidgetStore.cache;
        return c.get(0).data[0].x === c.get(1).data[0].x
            && c.get(1).data[0].x === c.get(2).data[0].x; }""")
    page.keyboard.press("ArrowRight")  # a prefetched epoch draws from the cache
    page.wait_for_function("el => el.dataset.epoch === '2'", arg=plot.element_handle())
    assert root.locator(".gtitle").text_content() == "waves 2"
    shot(page, "binary-prefetch")


def test_large_trace_shows_a_sample_and_zoom_refines_it(page):
    run_cell(page, 7)
    plot = page.locator(".jp-Notebook .vizwidget").last.locator(".js-plotly-plot")
    page.wait_for_function("el => el.data?.[0]?.x?.length > 0", arg=plot.element_handle())
    assert plot.evaluate("el => el.data[0].x.length") <= 5_100
    note = plot.locator(".annotation-text").first.text_content()
    assert re.fullmatch(r"showing [\d,]+ of 300,000 points", note)
    plot.evaluate("el => globalThis.__vizwidget__.plotly.then("
                  "P => P.relayout(el, {'xaxis.range': [40, 41]}))")
    page.wait_for_function("el => el.data[0].x[0] >= 40 && el.data[0].x.length > 2_000",
                           arg=plot.element_handle())
    xs = plot.evaluate("el => [Math.min(...el.data[0].x), Math.max(...el.data[0].x)]")
    assert 40 <= xs[0] and xs[1] <= 41  # 3,000 points lie in [40, 41]: all sent, none outside
    plot.evaluate("el => globalThis.__vizwidget__.plotly.then("
                  "P => P.relayout(el, {'xaxis.autorange': true, 'yaxis.autorange': true}))")
    page.wait_for_function("el => el.data[0].x[0] === 0", arg=plot.element_handle())
    shot(page, "lod")


def test_an_epoch_step_over_many_runs_moves_the_marks_and_redraws_no_line(page):
    run_cell(page, 8)
    root = page.locator(".jp-Notebook .vizwidget").last
    plot = root.locator(".js-plotly-plot")
    plot.locator(".scatterlayer .trace path.js-line").first.wait_for()
    page.wait_for_timeout(1000)
    ticks = plot.locator(".shapelayer path").nth(2)
    before = ticks.get_attribute("d")
    plot.evaluate("""el => {
      el.__lineEdits = 0;
      new MutationObserver((records) => { el.__lineEdits += records.length; })
        .observe(el.querySelector('.scatterlayer'), {attributes: true, childList: true,
                                                     subtree: true});
    }""")
    root.locator(".vzw-slider").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.dataset.epoch === '1'", arg=plot.element_handle())
    page.wait_for_function("([el, d]) => el.querySelectorAll('.shapelayer path')[2]"
                           ".getAttribute('d') !== d", arg=[plot.element_handle(), before])
    page.wait_for_timeout(500)
    assert plot.evaluate("el => el.__lineEdits") == 0  # the lines were not drawn again
    assert plot.evaluate("el => el.data.length") == 6  # per series: two merged, one legend


def test_dark_theme_styles_the_controls(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel").get_by_text("JupyterLab Dark", exact=True).click()
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(500)
    color = widget(page).locator(".vzw-root").evaluate("el => getComputedStyle(el).backgroundColor")
    r, g, b = (int(v) for v in re.findall(r"\d+", color)[:3])
    assert (r + g + b) / 3 < 100, f"widget background {color} is not dark"
    shot(page, "dark")


def test_ten_widgets_load_plotly_once_and_save_small(lab, browser):
    lab.write_notebook("many.ipynb", [nb.MANY, nb.MANY_STATE])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        open_notebook(page, lab, "many.ipynb")
        run_cell(page, 0)
        # plots draw when they come into view, at most eight WebGL plots at a time
        for i in range(10):
            root = page.locator(".jp-Notebook .vizwidget").nth(i)
            root.scroll_into_view_if_needed()
            root.locator(".vzw-plot[data-epoch] .gl-container").wait_for(state="attached",
                                                                          timeout=300_000)
        assert page.evaluate(
            "document.querySelectorAll('script[data-vizwidget-plotly]').length") == 1
        run_cell(page, 1)
        assert cell_text(page, 1).strip() == "SENDS 1"
        path = lab.root / "many.ipynb"
        before = path.stat().st_mtime_ns
        page.locator(".jp-Notebook").click()
        page.keyboard.press("Control+s")
        page.wait_for_function("!document.querySelector('.jp-mod-dirty')")
        for _ in range(50):
            if path.stat().st_mtime_ns != before:
                break
            page.wait_for_timeout(200)
        saved = json.loads(path.read_text())
        models = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"][
            "state"]
        ours = [m for m in models.values() if m["state"].get("_anywidget_id", "").endswith(
            "ExportWidget")]
        assert len(ours) == 10, "widget state was not saved, the size check would mean nothing"
        size = path.stat().st_size
        print(f"saved notebook with 10 ExportWidgets: {size / 1e6:.2f} MB")
        assert size < 6_000_000
        page.screenshot(path=str(ARTIFACTS / "widget-ten.png"))
    finally:
        context.close()
