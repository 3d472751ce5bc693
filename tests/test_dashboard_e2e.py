"""Dashboard in a real JupyterLab driven by Playwright and Debian's Chromium.

Three panels over two demo variants: the one slider, the typed epoch box and Export move and
write every panel; the exported HTML page's own slider moves every panel too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.lab import click_and_collect, jupyter_lab, open_notebook, printed_state, run_cell

pytestmark = [pytest.mark.jupyterlab, pytest.mark.browser]

ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT = 120_000

SETUP = '''\
import json
from vizwidget import Dashboard
from vizwidget.demo import make_variant

seed0 = make_variant("runs/seed0", p=11, seed=0, epochs=30)
seed1 = make_variant("runs/seed1", p=11, seed=1, epochs=40)
clicks = []
d = Dashboard([("training_curves", seed0), ("singular_value_spectrum", seed0),
               ("singular_value_spectrum", seed1)], columns=3, output_dir="exports",
              width=900, height=320, scale=1, name="e2e_dash")
d.on_click(clicks.append)
d'''

STATE = '''\
print("STATE" + json.dumps({"epoch": d.epoch, "epochs": d.epochs, "clicks": clicks,
                            "titles": [p.name + (f" · {p.label(d.epoch).note}"
                                                 if p.label(d.epoch).note else "")
                                       for p in d.panels],
                            "last": d.last_file, "status": d.status}))'''

LABELS = """root => [...root.querySelectorAll('.vzw-titles > div')].map(el => {
  const r = el.getBoundingClientRect(), p = root.querySelector('.js-plotly-plot')
    .getBoundingClientRect();
  return {text: el.textContent, left: r.left - p.left, top: r.top - p.top, right: r.right - p.left,
          width: p.width, visible: r.width > 0 && r.height > 0};
})"""
DRAWN_TITLES = """root => [...root.querySelectorAll('.annotation-text')]
  .map(t => t.textContent).filter(t => t.includes(' · '))"""
TRACE_SUMS = """gd => gd.data.map(t => Array.from(t.y || []).reduce((a, b) => a + (+b || 0), 0))"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with jupyter_lab(tmp_path_factory.mktemp("lab") / "root") as lab:
        yield lab


@pytest.fixture(scope="module")
def page(lab, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    lab.write_notebook("dashboard.ipynb", [SETUP, STATE])
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    open_notebook(page, lab, "dashboard.ipynb")
    run_cell(page, 0)
    page.wait_for_selector(".vizwidget .js-plotly-plot .scatterlayer .point", state="attached")
    page.wait_for_timeout(500)
    yield page
    context.close()


def state(page) -> dict:
    return printed_state(page)


def plot(page):
    return page.locator(".jp-Notebook .vizwidget .js-plotly-plot").first


def wait_epoch(page, epoch: int) -> None:
    page.wait_for_function(f"el => el.dataset.epoch === '{epoch}'",
                           arg=plot(page).element_handle())
    page.wait_for_timeout(100)


def labels(page) -> list[dict]:
    """The panel titles shown over the preview (HTML labels), with their boxes in the plot."""
    return page.locator(".jp-Notebook .vizwidget").first.evaluate(LABELS)


def drawn(page) -> list[str]:
    return [label["text"] for label in labels(page)]


def test_every_panel_is_drawn_under_its_title(page):
    shown = labels(page)
    titles = [label["text"] for label in shown]
    assert len(titles) == 3
    # one row of three cells under their run headers: each title at the top left of its third
    assert all(label["visible"] and 0 <= label["top"] < 80 for label in shown)
    lefts = [label["left"] for label in shown]
    gaps = [b - a for a, b in zip(lefts, lefts[1:], strict=False)]
    assert lefts[0] < shown[0]["width"] / 3 and all(g > shown[0]["width"] / 4 for g in gaps)
    assert abs(gaps[0] - gaps[1]) < 0.1 * gaps[0]  # one cell apart each
    assert all(a["right"] < b["left"] for a, b in zip(shown, shown[1:], strict=False))
    # the titles are labels, not plotly annotations: plotly draws none of them
    assert plot(page).evaluate(DRAWN_TITLES) == []
    assert titles == state(page)["titles"]
    assert titles == ["training_curves", "singular_value_spectrum", "singular_value_spectrum"]
    # the runs are column headers, drawn once each (the grid's title names the epoch)
    headers = plot(page).evaluate("""gd => gd.layout.annotations
      .filter(a => String(a.name).startsWith('vizwidget-column-')).map(a => a.text)""")
    assert [h.rsplit(" ", 1)[-1] for h in headers] == ["seed0", "seed0", "seed1"]
    page.screenshot(path=str(ARTIFACTS / "dashboard-rendered.png"))


def test_slider_redraws_every_panel_at_the_new_epoch(page):
    root = page.locator(".jp-Notebook .vizwidget").first
    before = plot(page).evaluate(TRACE_SUMS)
    root.locator(".vzw-slider").focus()
    page.keyboard.press("End")
    st = printed_state(page, until=lambda st: st["epoch"] == 40)
    last = st["epochs"][-1]
    assert last == 40 and st["epoch"] == 40
    wait_epoch(page, last)
    titles = drawn(page)
    assert titles == st["titles"]
    assert titles == ["training_curves · epoch 30 (nearest)",
                      "singular_value_spectrum · epoch 30 (nearest)", "singular_value_spectrum"]
    after = plot(page).evaluate(TRACE_SUMS)
    counts = [len(before)]
    assert counts[0] == len(after)
    # every per-epoch panel's spectrum changed (the cross-epoch panel's highlight moved)
    spectra = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(spectra) >= 6, (before, after)
    page.screenshot(path=str(ARTIFACTS / "dashboard-slider.png"))


def test_typed_epoch_jumps_every_panel_there(page):
    root = page.locator(".jp-Notebook .vizwidget").first
    box = root.locator(".vzw-epoch-input")
    box.fill("26")  # the slider has 25 and 27 (a tie: the smaller wins)
    box.press("Enter")
    wait_epoch(page, 25)
    assert box.input_value() == "25"
    titles = drawn(page)
    assert titles == state(page)["titles"]
    assert state(page)["epoch"] == 25


def test_export_writes_the_grid_png_at_its_size(page, lab):
    from PIL import Image

    root = page.locator(".jp-Notebook .vizwidget").first
    root.locator(".vzw-format").select_option("png")
    root.locator(".vzw-export").click()
    link = root.locator(".vzw-link")
    page.wait_for_function("el => el.textContent.endsWith('.png')", arg=link.element_handle())
    path = lab.root / "exports" / "e2e_dash_epoch25.png"
    assert link.get_attribute("data-path") == str(path)
    with Image.open(path) as im:
        assert im.size == (900, 320)


def test_clicking_a_point_says_which_panel(page):
    point = plot(page).locator(".subplot.x4y4 .scatterlayer .point").nth(2)
    clicks = click_and_collect(page, point)
    assert clicks, "no click reached Python"
    p = clicks[-1][0]
    assert p["panel"] == 2 and p["variant"] == "seed1"
    assert p["visualization"] == "singular_value_spectrum" and p["panel_epoch"] == 25


def test_html_export_slider_moves_every_panel(page, lab, browser):
    root = page.locator(".jp-Notebook .vizwidget").first
    root.locator(".vzw-format").select_option("html")
    root.locator(".vzw-export").click()
    link = root.locator(".vzw-link")
    page.wait_for_function("el => el.textContent.endsWith('.html')", arg=link.element_handle(),
                           timeout=300_000)
    path = Path(link.get_attribute("data-path"))
    assert path.parent == lab.root / "exports"
    offline = browser.new_page(viewport={"width": 1000, "height": 600})
    offline.route("http*://**", lambda route: route.abort())  # the page must need no network
    offline.goto(path.as_uri())
    gd = offline.locator(".js-plotly-plot")
    gd.locator(".slider-container").wait_for()
    title = "gd => gd.querySelector('.gtitle').textContent"
    assert gd.evaluate(title) == "epoch 0"
    assert gd.evaluate(DRAWN_TITLES) == []  # every panel shows the epoch the title names
    rail = gd.locator(".slider-rail-touch-rect").first.bounding_box()
    offline.mouse.click(rail["x"] + rail["width"] - 3, rail["y"] + rail["height"] / 2)
    offline.wait_for_function(f"gd => ({title})(gd) === 'epoch 40'", arg=gd.element_handle())
    moved = gd.evaluate(DRAWN_TITLES)  # notes only where a panel differs
    assert moved == ["training_curves · epoch 30 (nearest)",
                     "singular_value_spectrum · epoch 30 (nearest)"]
    offline.screenshot(path=str(ARTIFACTS / "dashboard-html.png"))
    offline.close()
