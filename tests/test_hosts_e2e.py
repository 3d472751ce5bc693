"""The widget in every host a test can start: Notebook 7, marimo (edit and run) and Voila.

Each test starts a real server on a free port, opens the page in Debian's Chromium and checks
what a user sees: the first draw, ◀ ▶ and the slider moving the preview, ← → on the focused
slider, Play, Export writing a file, and clicks reaching Python. Python records what it hears
(epoch changes, clicks) in a JSON-lines file the test reads, the same way in every host.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from e2e import hosts
from e2e.lab import run_cell

pytestmark = [pytest.mark.jupyterlab, pytest.mark.browser, pytest.mark.timeout(120)]

ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT = 30_000
EPOCHS = [0, 100, 200, 500, 1000, 2000]

WIDGET = '''\
import json
from pathlib import Path
import numpy as np
import plotly.graph_objects as go
from vizwidget import ExportWidget

ROOT = Path({root!r})

def log(kind, value):
    with open(ROOT / "events.jsonl", "a") as f:
        f.write(json.dumps({{"kind": kind, "value": value}}) + "\\n")

def scatter(data, epoch):
    rng = np.random.default_rng(epoch)
    return go.Figure(go.Scatter(x=np.arange(12), y=rng.normal(size=12), mode="markers",
                                marker={{"size": 18}}),
                     layout={{"title": {{"text": f"epoch {{epoch}}"}}}})

w = ExportWidget(scatter, epochs={epochs!r}, name="host", output_dir=str(ROOT / "exports"),
                 width=400, height=300, scale=1, fps=4)
w.on_click(lambda points: log("click", points))
w.observe(lambda change: log("epoch", change["new"]), names="epoch")
'''

SIDEBAR = '''\
try:
    w.show_in_sidebar()
except Exception as err:
    log("sidebar", [type(err).__name__, str(err)])
'''

MARIMO_APP = '''\
import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
{body}
{sidebar}
    view = mo.ui.anywidget(w)
    view
    return


if __name__ == "__main__":
    app.run()
'''


def source(root: Path) -> str:
    return WIDGET.format(root=str(root), epochs=EPOCHS)


def events(root: Path, kind: str) -> list:
    path = root / "events.jsonl"
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [e["value"] for e in map(json.loads, lines) if e["kind"] == kind]


def wait_for(check, timeout: float = 20, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def wait_title(page, root, text: str) -> None:
    title = root.locator(".js-plotly-plot .gtitle")
    page.wait_for_function("([el, t]) => el.textContent === t",
                           arg=[title.element_handle(), text], timeout=TIMEOUT)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"hosts-{name}.png"))


def exercise(page, root, server_root: Path, *, kernel: bool = True) -> None:
    """First draw, ◀ ▶, the slider and its keys, Play, Export, a click: in that order."""
    root.locator(".js-plotly-plot .scatterlayer .point").first.wait_for(timeout=TIMEOUT)
    assert root.locator(".scatterlayer .point").count() == 12
    wait_title(page, root, "epoch 0")
    # ▶ and ◀ move the preview (the drawn title and the label) and reach Python
    root.get_by_title("Next epoch").click()
    wait_title(page, root, "epoch 100")
    assert "epoch 100  (2/6)" in root.locator(".vzw-epoch").inner_text()
    root.get_by_title("Next epoch").click()
    wait_title(page, root, "epoch 200")
    root.get_by_title("Previous epoch").click()
    wait_title(page, root, "epoch 100")
    wait_for(lambda: events(server_root, "epoch")[-1:] == [100], what="epoch 100 in Python")
    # ← → on the focused slider
    slider = root.locator(".vzw-slider")
    slider.focus()
    page.keyboard.press("ArrowRight")
    wait_title(page, root, "epoch 200")
    assert slider.input_value() == "2"
    page.keyboard.press("ArrowRight")
    wait_title(page, root, "epoch 500")
    page.keyboard.press("ArrowLeft")
    wait_title(page, root, "epoch 200")
    # dragging the slider (an input event) moves the preview too
    slider.fill("4")
    wait_title(page, root, "epoch 1000")
    wait_for(lambda: events(server_root, "epoch")[-1:] == [1000], what="epoch 1000 in Python")
    # Play runs to the last epoch and stops there
    root.locator(".vzw-play").click()
    wait_title(page, root, "epoch 2000")
    page.wait_for_function("el => el.textContent === 'Play'",
                           arg=root.locator(".vzw-play").element_handle(), timeout=TIMEOUT)
    wait_for(lambda: events(server_root, "epoch")[-1:] == [2000], what="epoch 2000 in Python")
    # Export writes the file the link names
    root.locator(".vzw-format").select_option("png")
    root.locator(".vzw-export").click()
    link = root.locator(".vzw-link")
    page.wait_for_function("el => el.textContent.endsWith('.png')",
                           arg=link.element_handle(), timeout=TIMEOUT)
    path = server_root / "exports" / "host_epoch2000.png"
    assert link.inner_text() == path.name
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # a click on a point reaches the Python callback
    if kernel:
        point = root.locator(".scatterlayer .point").nth(3)
        box = point.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        (p,) = wait_for(lambda: events(server_root, "click"), what="a click in Python")[-1]
        assert p["point"] == 3 and p["x"] == 3 and p["epoch"] == 2000


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT)
    yield context
    context.close()


def test_notebook7(tmp_path, context):
    root = tmp_path / "root"
    root.mkdir()
    hosts.write_notebook(root / "hosts.ipynb", [source(root) + "w", SIDEBAR])
    with hosts.notebook7(root) as server:
        page = context.new_page()
        page.goto(f"{server.url}/notebooks/hosts.ipynb", timeout=TIMEOUT)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=TIMEOUT)
        run_cell(page, 0)
        widget = page.locator(".jp-Notebook .vizwidget").first
        exercise(page, widget, root)
        shot(page, "notebook7")
        # the sidecar shows nothing in Notebook 7: one clear line says so instead
        run_cell(page, 1)
        ((kind, message),) = events(root, "sidebar")
        assert kind == "UnsupportedHostError"
        assert message.splitlines()[0] == (
            "show_in_sidebar needs JupyterLab's sidebar, which Notebook 7 does not have.")


@pytest.mark.parametrize("mode", ["edit", "run"])
def test_marimo(tmp_path, context, mode):
    root = tmp_path / "root"
    root.mkdir()
    body = "\n".join("    " + line if line else "" for line in source(root).splitlines())
    sidebar = "\n".join("    " + line for line in SIDEBAR.splitlines())
    (root / "app.py").write_text(MARIMO_APP.format(body=body, sidebar=sidebar))
    with hosts.marimo(root, "app.py", mode) as server:
        page = context.new_page()
        page.goto(server.url, timeout=TIMEOUT)
        widget = page.locator(".vizwidget").first
        exercise(page, widget, root)
        shot(page, f"marimo-{mode}")
    # no sidebar in marimo: one clear line says so
    ((kind, message),) = events(root, "sidebar")
    assert kind == "UnsupportedHostError"
    assert message.splitlines()[0] == (
        "show_in_sidebar needs JupyterLab's sidebar, which marimo does not have.")


DASHBOARD = '''\
import json
from pathlib import Path
from vizwidget import Dashboard
from vizwidget.demo import make_variant

ROOT = Path({root!r})

def log(kind, value):
    with open(ROOT / "events.jsonl", "a") as f:
        f.write(json.dumps({{"kind": kind, "value": value}}) + "\\n")

seed0 = make_variant(ROOT / "runs" / "seed0", p=11, seed=0, epochs=30)
d = Dashboard([("training_curves", seed0), ("singular_value_spectrum", seed0)], columns=2,
              output_dir=str(ROOT / "exports"), width=800, height=320, scale=1, name="voila",
              fps=20)
d.on_click(lambda points: log("click", points))
d.observe(lambda change: log("epoch", change["new"]), names="epoch")
d'''

VOILA_SIDEBAR = """\
import plotly.graph_objects as go
from vizwidget import ExportWidget
w = ExportWidget(go.Figure(go.Bar(y=[1, 2])))
""" + SIDEBAR


def test_voila_dashboard(tmp_path, context):
    root = tmp_path / "root"
    root.mkdir()
    hosts.write_notebook(root / "app.ipynb", [DASHBOARD.format(root=str(root)), VOILA_SIDEBAR])
    with hosts.voila(root, "app.ipynb") as server:
        page = context.new_page()
        page.goto(server.url, timeout=TIMEOUT)
        widget = page.locator(".vizwidget").first
        plot = widget.locator(".js-plotly-plot")
        widget.locator(".js-plotly-plot .scatterlayer .trace").first.wait_for(timeout=TIMEOUT)
        first = plot.get_attribute("data-epoch")
        epochs = json.loads(widget.locator(".vzw-slider").evaluate(
            "el => JSON.stringify([Number(el.min), Number(el.max)])"))
        assert epochs[1] > 0
        widget.get_by_title("Next epoch").click()
        page.wait_for_function("([el, e]) => el.dataset.epoch !== e",
                               arg=[plot.element_handle(), first], timeout=TIMEOUT)
        second = plot.get_attribute("data-epoch")
        assert second in widget.locator(".vzw-epoch").inner_text()
        wait_for(lambda: events(root, "epoch")[-1:] == [int(second)], what="epoch in Python")
        widget.locator(".vzw-slider").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("([el, e]) => el.dataset.epoch !== e",
                               arg=[plot.element_handle(), second], timeout=TIMEOUT)
        # Play runs to the last epoch and stops there
        widget.locator(".vzw-play").click()
        page.wait_for_function("el => el.value === el.max", arg=widget.locator(
            ".vzw-slider").element_handle(), timeout=TIMEOUT)
        page.wait_for_function("el => el.textContent === 'Play'",
                               arg=widget.locator(".vzw-play").element_handle(), timeout=TIMEOUT)
        last = int(widget.locator(".vzw-epoch-input").input_value())
        page.wait_for_function("([el, e]) => el.dataset.epoch === e",
                               arg=[plot.element_handle(), str(last)], timeout=TIMEOUT)
        wait_for(lambda: events(root, "epoch")[-1:] == [last], what="last epoch in Python")
        # a click on the spectrum panel reaches Python, naming the panel
        point = plot.locator(".scatterlayer .point").last
        box = point.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        p = wait_for(lambda: events(root, "click"), what="a click in Python")[-1][0]
        assert p["panel"] == 1 and p["visualization"] == "singular_value_spectrum"
        widget.locator(".vzw-format").select_option("png")
        widget.locator(".vzw-export").click()
        link = widget.locator(".vzw-link")
        page.wait_for_function("el => el.textContent.endsWith('.png')",
                               arg=link.element_handle(), timeout=TIMEOUT)
        path = root / "exports" / link.inner_text()
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        shot(page, "voila")
    ((kind, message),) = events(root, "sidebar")
    assert kind == "UnsupportedHostError"
    assert message.splitlines()[0] == (
        "show_in_sidebar needs JupyterLab's sidebar, which Voila does not have.")
