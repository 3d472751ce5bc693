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
