"""A saved notebook shows the widget's figure without a kernel (nbclient + nbconvert)."""

from __future__ import annotations

import base64
import io
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from PIL import Image

pytestmark = pytest.mark.browser

SETUP = """\
import numpy as np
import plotly.graph_objects as go
from vizwidget import ExportWidget

def waves(data, epoch):
    x = np.linspace(0, 6, 2000)
    return go.Figure(go.Scatter(x=x, y=np.sin(x + epoch / 10)),
                     layout={"title": {"text": f"phase {epoch}"}})
"""


def run_notebook(cells: list[str], tmp_path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)
    return nbformat.read(path, as_version=4)


def test_nbconvert_html_without_kernel_shows_the_figure(tmp_path):
    nb = run_notebook([SETUP, "w = ExportWidget(waves, epochs=[0, 30], epoch=30)\nw",
                       "ExportWidget(waves, epochs=[0], static_image=False)"], tmp_path)
    shown = nb.cells[1].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in shown and "image/png" in shown
    assert "image/png" not in nb.cells[2].outputs[0]["data"]  # switched off
    nb.metadata.pop("widgets", None)  # a viewer without the widget state, like GitHub
    html, _ = HTMLExporter().from_notebook_node(nb)
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 1
    img = Image.open(io.BytesIO(base64.b64decode(images[0])))
    assert img.size == (800, 420)
    assert len(img.convert("RGB").getcolors(2**20)) > 3  # a drawn figure, not a blank


def test_ten_widgets_keep_the_saved_notebook_small(tmp_path):
    cells = [SETUP] + [f"ExportWidget(waves, epochs=[0, 10, 20], epoch={i})" for i in range(10)]
    nb = run_notebook(cells, tmp_path)
    size = (tmp_path / "saved.ipynb").stat().st_size
    assert all("image/png" in c.outputs[0]["data"] for c in nb.cells[1:])
    assert size < 6 * 2**20, size


HTML_MANAGER = "@jupyter-widgets/html-manager@1.0.15"
REQUIREJS = "requirejs@2.3.7"
ORIGIN = "http://saved.test"


@pytest.fixture(scope="module")
def widget_manager(tmp_path_factory) -> dict[str, bytes]:
    """The widget HTML manager's embed bundle and require.js, from npm (``npm pack``)."""
    import shutil
    import subprocess
    import tarfile

    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to fetch the widget HTML manager (scripts/ensure-node.sh).")
    folder = tmp_path_factory.mktemp("html-manager")
    subprocess.run([npm, "pack", HTML_MANAGER, REQUIREJS, "--pack-destination", str(folder)],
                   cwd=folder, check=True, capture_output=True, timeout=300)
    wanted = {"jupyter-widgets-html-manager": "package/dist/embed-amd.js",
              "requirejs": "package/require.js"}
    files = {}
    for tgz in folder.glob("*.tgz"):
        member = next(v for k, v in wanted.items() if tgz.name.startswith(k))
        with tarfile.open(tgz) as tar:
            files[member.rsplit("/", 1)[-1]] = tar.extractfile(member).read()
    return files


def test_html_with_widget_state_shows_the_figure_image_without_a_kernel(
        tmp_path, browser, widget_manager):
    """nbconvert HTML with the saved widget state, rendered by the widget HTML manager (served
    locally, no CDN): the widget view itself shows the kernel's image of the figure."""
    from pathlib import Path

    import anywidget
    from e2e.fake_page import coloured_pixels

    nb = run_notebook([SETUP, "w = ExportWidget(waves, epochs=[0, 30], epoch=30)\nw"],
                      tmp_path)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    ours = [m["state"] for m in state.values() if "_image" in m["state"]]
    assert len(ours) == 1 and ours[0]["_image"].startswith("data:image/png;base64,")
    exporter = HTMLExporter(widget_renderer_url=f"{ORIGIN}/embed-amd.js",
                            require_js_url=f"{ORIGIN}/require.js")
    html, _ = exporter.from_notebook_node(nb)
    amd = (Path(anywidget.__file__).parent / "nbextension" / "index.js").read_bytes()
    files = {"/": (html.encode(), "text/html"),
             "/embed-amd.js": (widget_manager["embed-amd.js"], "text/javascript"),
             "/require.js": (widget_manager["require.js"], "text/javascript")}
    asked: list[str] = []

    def serve(route):
        url = route.request.url
        asked.append(url)
        path = "/" + url.removeprefix(ORIGIN).lstrip("/").split("?")[0]
        if url.startswith(ORIGIN) and path in files:
            route.fulfill(status=200, body=files[path][0], content_type=files[path][1])
        elif "anywidget" in url and url.endswith(".js"):  # the widget's module, from the CDN
            route.fulfill(status=200, body=amd, content_type="text/javascript")
        else:
            route.fulfill(status=404, body=b"")

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    try:
        page.route("**/*", serve)
        page.goto(ORIGIN + "/")
        page.locator(".vizwidget .vzw-still").wait_for(state="visible", timeout=60_000)
        page.wait_for_function("document.querySelector('.vzw-still').naturalWidth > 0")
        stage = page.locator(".vizwidget .vzw-stage").screenshot()
        assert coloured_pixels(stage, (99, 110, 250), tol=30) > 500  # plotly's blue line
        remote = [u for u in asked if not u.startswith(ORIGIN) and "mathjax" not in u]
        assert remote == []  # the widget manager, anywidget and the figure: all local
    finally:
        context.close()
