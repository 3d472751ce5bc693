"""`make lab`'s command serves the tour notebook on the demo runs, and its widget draws."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from e2e.lab import Lab, free_port, open_notebook, run_cell, stop_server, wait_ready

pytestmark = [pytest.mark.jupyterlab, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[1]


def lab_recipe() -> list[str]:
    """The command the Makefile's ``lab`` target runs (one line after its prerequisites)."""
    text = (REPO / "Makefile").read_text()
    recipe = re.search(r"^lab:.*\n\t(.+)$", text, re.M)
    assert recipe, "the Makefile has no lab target"
    return recipe.group(1).split()


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory) -> Path:
    from vizwidget.demo import make_variant

    root = tmp_path_factory.mktemp("demo-run") / "runs"
    for seed in range(3):
        make_variant(root / f"p11_seed{seed}", p=11, seed=seed, epochs=30)
    return root


@pytest.fixture(scope="module")
def lab(demo_runs, tmp_path_factory):
    private = tmp_path_factory.mktemp("lab-private")
    env = {**os.environ, "PYTHON": sys.executable, "VIZWIDGET_DEMO_RUNS": str(demo_runs),
           "JUPYTERLAB_SETTINGS_DIR": str(private / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(private / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(private / "runtime"), "IPYTHONDIR": str(private / "ipy"),
           "PYTHONUNBUFFERED": "1"}
    port = free_port()
    log = private / "lab.log"
    cmd = [str(REPO / lab_recipe()[0]), f"--port={port}", "--ServerApp.token=",
           "--ServerApp.password=", "--ServerApp.ip=127.0.0.1", "--allow-root",
           "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc, log, timeout=120)
        yield Lab(REPO / "notebooks", port, proc, log)
    finally:
        stop_server(proc, port)


def test_make_lab_runs_the_lab_script():
    assert lab_recipe() == ["scripts/lab.sh"]


def test_the_tour_opens_on_the_demo_runs_and_its_widget_draws(lab, browser, demo_runs):
    assert f"http://127.0.0.1:{lab.port}/lab" in lab.log.read_text()  # the URL is printed
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        open_notebook(page, lab, "00_tour.ipynb")
        run_cell(page, 1)  # finds the demo runs
        out = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea")
        assert out.inner_text().count("p11_seed") == 3
        run_cell(page, 3)  # the ExportWidget
        widget = page.locator(".jp-Notebook .jp-Cell").nth(3).locator(".vizwidget")
        widget.locator(".js-plotly-plot .scatterlayer .trace").first.wait_for(timeout=120_000)
        assert widget.locator(".js-plotly-plot .scatterlayer .trace").count() >= 3  # W_E, W_in,
        assert "epoch" in widget.locator(".vzw-epoch").inner_text()  # W_out spectra
    finally:
        page.close()
