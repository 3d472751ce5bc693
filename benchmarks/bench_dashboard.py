"""Dashboard vs. one ExportWidget: slider latency in one JupyterLab run, and GIF frame time.

Measures, with Playwright driving Debian's Chromium against a real JupyterLab:

* slider key press -> ``plotly_afterplot`` of an NxN Dashboard (N runs x N visualizations,
  default 3) whose panels are 10k-point Scattergl figures (all are in the one composed plot,
  so afterplot means all are drawn), and of one ExportWidget of one such panel; both with
  prefetch on (the default), median over first visits and over revisits (both warmed up
  first on epochs never measured; revisit passes take turns). Targets, dashboard / one
  widget: 3x3 first visit <= 4, revisited <= 3 (2x2: <= 2);
* one GIF frame of the NxN dashboard vs. one frame of a single panel at the same panel
  size (the grid is N times as wide and as tall). Target for 2x2: <= 4.5x.

Usage: python benchmarks/bench_dashboard.py [--grid 3] [--epochs 30] [--steps 24] [--passes 4]
                                            [--frames 12]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_widget import INSTRUMENT, press_and_measure, reset  # noqa: E402
from e2e.lab import jupyter_lab, launch_browser, open_notebook, run_cell  # noqa: E402

RENDERER = '''\
import numpy as np
import plotly.graph_objects as go
from vizwidget import register_renderer

X = np.linspace(0, 1, 10_000)

def _cloud(data, epoch, phase=0.0):
    seed = int(abs(float(np.asarray(data["W_E"]).ravel()[0])) * 1e6) % 1000
    noise = np.random.default_rng(seed + epoch).normal(0, 0.1, X.size)
    y = np.sin(X * 20 + epoch / 3 + phase) + noise
    return go.Figure(go.Scattergl(x=X, y=y, mode="markers", marker={"size": 3}),
                     layout={"margin": {"t": 20}})

for _name, _phase in (("bench_cloud_a", 0.0), ("bench_cloud_b", 1.5), ("bench_cloud_c", 3.0)):
    register_renderer(_name, analyzer="parameters", phase=_phase)(
        lambda data, epoch, phase=0.0: _cloud(data, epoch, phase))
'''

SETUP = RENDERER + '''
from vizwidget import Dashboard, ExportWidget
from vizwidget.demo import make_variant

runs = [make_variant(f"runs/seed{s}", p=11, seed=s, epochs={epochs}) for s in range({grid})]
one = ExportWidget.from_variant(runs[0], "bench_cloud_a", preview_height=400)
one'''

DASHBOARD = '''\
names = ["bench_cloud_a", "bench_cloud_b", "bench_cloud_c"][:{grid}]
dash = Dashboard(runs, names, preview_height=400 * {grid})
dash'''

PLOT = ".jp-Notebook .vizwidget >> nth={} >> .js-plotly-plot"
SLIDER = ".jp-Notebook .vizwidget >> nth={} >> .vzw-slider"
ONE, DASH = 0, 1
# times every Plotly.react of the page's widgets into window.__react (reset per pass)
TIME_REACT = """async () => {
  const P = await globalThis.__vizwidget__.plotly;
  if (!P.__timed) {
    const react = P.react;
    P.react = async function (...args) {
      const start = performance.now();
      const out = await react.apply(this, args);
      window.__react.push(performance.now() - start);
      return out;
    };
    P.__timed = true;
  }
}"""


def prepare(page, index: int) -> None:
    """Instrument a widget's plot and warm it up on epochs the measurement never visits."""
    plot, slider = PLOT.format(index), SLIDER.format(index)
    page.locator(plot).scroll_into_view_if_needed()
    page.locator(plot).evaluate(INSTRUMENT)
    page.locator(slider).focus()
    page.keyboard.press("End")
    press_and_measure(page, "ArrowLeft", 4)
    reset(page, slider)


def one_pass(page, index: int, count: int, react: list[float] | None = None) -> list[float]:
    """Slider steps Home+1 .. Home+count, each key press -> plotly_afterplot (ms); the time
    inside ``Plotly.react`` of each step goes to ``react``."""
    plot, slider = PLOT.format(index), SLIDER.format(index)
    reset(page, slider)
    page.locator(plot).evaluate(INSTRUMENT)
    page.evaluate("window.__react = []")
    page.locator(slider).focus()
    out = press_and_measure(page, "ArrowRight", count)
    if react is not None:
        react += page.evaluate("window.__react")
    return out


def measure(page, count: int, passes: int) -> dict[int, dict[str, list[float]]]:
    """First visits of each widget, then revisit passes taking turns (drift hits both)."""
    count = min(count, int(page.locator(SLIDER.format(DASH)).get_attribute("max")) - 5)
    for i in (ONE, DASH):
        prepare(page, i)
    page.evaluate(TIME_REACT)
    runs = {i: {"first": [], "revisit": [], "react first": [], "react revisit": []}
            for i in (ONE, DASH)}
    for i in (ONE, DASH):
        runs[i]["first"] = one_pass(page, i, count, runs[i]["react first"])
    for _ in range(passes):
        for i in (ONE, DASH):
            runs[i]["revisit"] += one_pass(page, i, count, runs[i]["react revisit"])
    return runs


def gif_frames(frames: int, grid: int) -> tuple[float, float]:
    """Seconds per GIF frame: one panel at 560x420, and the grid at grid x that size."""
    from vizwidget import Dashboard, ExportWidget
    from vizwidget.demo import make_variant

    exec(RENDERER, {})  # noqa: S102 - the same renderers as the notebook
    root = Path(tempfile.mkdtemp(prefix="bench-dash-"))
    runs = [make_variant(root / f"seed{s}", p=11, seed=s, epochs=60) for s in range(grid)]
    one = ExportWidget.from_variant(runs[0], "bench_cloud_a", width=560, height=420, scale=1,
                                    output_dir=str(root / "out"))
    names = ["bench_cloud_a", "bench_cloud_b", "bench_cloud_c"][:grid]
    dash = Dashboard(runs, names, width=560 * grid, height=420 * grid, scale=1,
                     output_dir=str(root / "out"))
    epochs = dash.epochs[:frames]
    one.animate("gif", epochs=epochs[:2])  # warm the render engine
    out = []
    for widget in (one, dash):
        start = time.perf_counter()
        widget.animate("gif", epochs=epochs)
        out.append((time.perf_counter() - start) / len(epochs))
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grid", type=int, default=3, choices=(2, 3), help="N of NxN panels")
    parser.add_argument("--epochs", type=int, default=30, help="training epochs of the runs")
    parser.add_argument("--steps", type=int, default=24, help="slider steps per pass")
    parser.add_argument("--passes", type=int, default=4, help="revisit passes")
    parser.add_argument("--frames", type=int, default=12, help="GIF frames")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="bench-dashboard-")) / "root"
    with jupyter_lab(root) as lab, sync_playwright() as p:
        grid = str(args.grid)
        lab.write_notebook("bench.ipynb", [
            SETUP.replace("{epochs}", str(args.epochs)).replace("{grid}", grid),
            DASHBOARD.replace("{grid}", grid)])
        browser = launch_browser(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(120_000)
        open_notebook(page, lab, "bench.ipynb")
        run_cell(page, 0)
        run_cell(page, 1)
        for i in (ONE, DASH):
            page.locator(f"{PLOT.format(i)} .gl-container").wait_for(state="attached")
        page.wait_for_timeout(1500)
        t = time.perf_counter()
        runs = measure(page, args.steps, args.passes)
        elapsed = time.perf_counter() - t
        browser.close()

    med = statistics.median
    print(f"slider key press -> plotly_afterplot, 10k-point Scattergl panels, {args.steps} steps "
          f"x {1 + args.passes} passes ({elapsed:.0f} s)")
    print(f"{'':34}{'first visit':>14}{'revisited':>12}   (median ms)")
    n = args.grid
    targets = {"first": 4.0, "revisit": 3.0} if n == 3 else {"first": 2.0, "revisit": 2.0}
    for name, i in (("ExportWidget, 1 panel", ONE), (f"Dashboard, {n}x{n} panels", DASH)):
        print(f"{name:34}{med(runs[i]['first']):14.1f}{med(runs[i]['revisit']):12.1f}")
        print(f"{'  of which Plotly.react':34}{med(runs[i]['react first']):14.1f}"
              f"{med(runs[i]['react revisit']):12.1f}")
    for key in ("first", "revisit"):
        ratio = med(runs[DASH][key]) / med(runs[ONE][key])
        print(f"ratio Dashboard/ExportWidget ({key}): {ratio:.2f} (target <= {targets[key]})")
    single, grid = gif_frames(args.frames, n)
    target = " (target <= 4.5)" if n == 2 else ""
    print(f"GIF frame: one panel 560x420 {single * 1000:.0f} ms, {n}x{n} dashboard "
          f"{560 * n}x{420 * n} {grid * 1000:.0f} ms, ratio {grid / single:.2f}{target}")


if __name__ == "__main__":
    main()
