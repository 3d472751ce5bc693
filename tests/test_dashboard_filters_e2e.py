"""Dashboard filters in a real JupyterLab driven by Playwright and Debian's Chromium.

Four demo runs (two learning rates, two seeds): ticking a learning rate in the filter bar
leaves that rate's panels, and the filter and the metric picked in the page reach Python.
"""

from __future__ import annotations

import pytest
from e2e.lab import jupyter_lab, open_notebook, printed_state, run_cell

pytestmark = [pytest.mark.jupyterlab, pytest.mark.browser]

TIMEOUT = 120_000

SETUP = '''\
import json
from vizwidget import Dashboard
from vizwidget.demo import make_variant

runs = [make_variant(f"runs/lr{lr:g}_s{seed}", p=11, seed=seed, lr=lr, epochs=20)
        for lr in (1e-3, 3e-3) for seed in (0, 1)]
d = Dashboard(runs, ["training_curves"], width=900, height=320, scale=1)
d'''

STATE = '''\
print("STATE" + json.dumps({"filters": d.filters, "metric": d.metric,
                            "panels": [p.spec.label for p in d.panels],
                            "options": [p.source.options for p in d.panels]}))'''


@pytest.fixture(scope="module")
def page(tmp_path_factory, browser):
    with jupyter_lab(tmp_path_factory.mktemp("lab") / "root") as lab:
        lab.write_notebook("filters.ipynb", [SETUP, STATE])
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        open_notebook(page, lab, "filters.ipynb")
        run_cell(page, 0)
        page.wait_for_selector(".vizwidget .js-plotly-plot .scatterlayer .trace",
                               state="attached")
        yield page
        context.close()


COLUMNS = """gd => (gd.layout.annotations || [])
  .filter(a => String(a.name).startsWith('vizwidget-column-')).length"""


def wait_columns(page, n: int) -> None:
    """Wait until the preview draws ``n`` run columns (one panel per run here)."""
    plot = page.locator(".jp-Notebook .vizwidget .js-plotly-plot").first
    page.wait_for_function(f"gd => ({COLUMNS})(gd) === {n}", arg=plot.element_handle())


def test_ticking_a_value_in_the_filter_bar_shows_only_its_runs(page):
    root = page.locator(".jp-Notebook .vizwidget").first
    bar = root.locator(".vzw-filters")
    assert bar.locator("input[data-hparam='lr']").count() == 2
    assert bar.locator("input[data-hparam='seed']").count() == 2
    wait_columns(page, 4)
    bar.locator("input[data-hparam='lr'][value='0.001']").check()
    wait_columns(page, 2)
    st = printed_state(page, until=lambda st: len(st["panels"]) == 2)
    assert st["filters"] == {"lr": [0.001]}
    assert st["panels"] == ["lr0.001_s0", "lr0.001_s1"]
    root.locator(".vzw-metric").select_option("test_acc")
    st = printed_state(page, until=lambda st: st["metric"] == "test_acc")
    assert st["metric"] == "test_acc" and st["options"] == [{"metrics": "accuracy"}] * 2
    bar.locator("input[data-hparam='lr'][value='0.001']").uncheck()
    st = printed_state(page, until=lambda st: len(st["panels"]) == 4)
    assert st["filters"] == {} and len(st["panels"]) == 4
    wait_columns(page, 4)
