"""ExportWidget preview latency vs. plotly's FigureWidget + IntSlider, in one JupyterLab run.

Measures, with Playwright driving Debian's Chromium against a real JupyterLab:

* slider key press -> ``plotly_afterplot`` on a 10k-point Scattergl figure, median over the
  first visit of each epoch and over revisits, for ExportWidget and for the anchor
  (``go.FigureWidget`` + ``ipywidgets.IntSlider`` updating ``data[0].y``). ExportWidget is
  measured three times: cold (``prefetch=False``: every first visit is a kernel round trip),
  cold without array deduplication (every array resent), and with prefetch on (the default);
* Play at 10 fps over cached epochs: frame intervals and dropped (skipped or late) frames.

Targets: revisited <= 0.6x the anchor, first visit <= the anchor, no dropped frames.

Usage: python benchmarks/bench_widget.py [--epochs 20] [--passes 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from e2e.lab import jupyter_lab, launch_browser, open_notebook, run_cell  # noqa: E402

SETUP = """\
import numpy as np
import plotly.graph_objects as go
import ipywidgets as W
from IPython.display import display
from vizwidget import ExportWidget

N = {epochs}
x = np.linspace(0, 1, 10_000)
ys = [np.sin(x * 20 + i) + np.random.default_rng(i).normal(0, 0.1, x.size) for i in range(N)]
"""

EXPORT_WIDGET = """\
def scatter(data, epoch):
    return go.Figure(go.Scattergl(x=x, y=ys[epoch], mode="markers"),
                     layout={"height": 400, "margin": {"t": 20}})

cold = ExportWidget(scatter, epochs=list(range(N)), preview_height=400, prefetch=False)
nodedupe = ExportWidget(scatter, epochs=list(range(N)), preview_height=400, prefetch=False)
nodedupe._known.budget = 0  # Python never assumes the browser holds an array: all are resent
ew = ExportWidget(scatter, epochs=list(range(N)), preview_height=400, fps=10)
display(cold, nodedupe)
ew"""

LIGHT = """\
def light_scatter(data, epoch):
    return go.Figure(go.Scatter(x=x[::20], y=ys[epoch][::20], mode="markers"),
                     layout={"height": 300, "margin": {"t": 20}})

light = ExportWidget(light_scatter, epochs=list(range(N)), preview_height=300, fps=10)
light"""

ANCHOR = """\
fw = go.FigureWidget(go.Scattergl(x=x, y=ys[0], mode="markers"),
                     layout={"height": 400, "margin": {"t": 20}})
slider = W.IntSlider(0, 0, N - 1)
slider.observe(lambda change: setattr(fw.data[0], "y", ys[change["new"]]), "value")
W.VBox([slider, fw])"""

INSTRUMENT = """(plotSel) => {
  const gd = plotSel;
  window.__lat = [];
  window.__t0 = null;
  if (!window.__keyHook) {
    window.__keyHook = true;
    document.addEventListener("keydown", () => { window.__t0 = performance.now(); }, true);
  }
  gd.removeAllListeners?.("plotly_afterplot");
  gd.on("plotly_afterplot", () => {
    if (window.__t0 !== null) {
      window.__lat.push(performance.now() - window.__t0);
      window.__t0 = null;
    }
  });
}"""

EW_PLOT = ".vizwidget >> nth={} >> .js-plotly-plot"
EW_SLIDER = ".vizwidget >> nth={} >> .vzw-slider"
COLD, NO_DEDUPE, PREFETCH, LIGHT_INDEX = 0, 1, 2, 3
FW_PLOT = ".widget-vbox .js-plotly-plot"
FW_SLIDER = ".widget-vbox .noUi-handle"


def press_and_measure(page, key: str, count: int, settle_ms: int = 400) -> list[float]:
    """Press ``key`` ``count`` times; each time wait for the plot's afterplot."""
    out = []
    for _ in range(count):
        before = page.evaluate("window.__lat.length")
        page.keyboard.press(key)
        page.wait_for_function(f"window.__lat.length > {before}", timeout=30_000)
        out.append(page.evaluate("window.__lat[window.__lat.length - 1]"))
        page.wait_for_timeout(settle_ms)
    return out


def reset(page, slider_sel: str, key: str = "Home") -> None:
    page.locator(slider_sel).focus()
    page.keyboard.press(key)
    page.wait_for_timeout(600)


def measure(page, plot_sel: str, slider_sel: str, epochs: int, passes: int) -> dict:
    page.locator(plot_sel).scroll_into_view_if_needed()
    page.locator(plot_sel).evaluate(INSTRUMENT)
    page.locator(slider_sel).focus()
    first = press_and_measure(page, "ArrowRight", epochs - 1)
    revisit = []
    for _ in range(passes):
        reset(page, slider_sel)
        page.locator(plot_sel).evaluate(INSTRUMENT)
        page.locator(slider_sel).focus()
        revisit += press_and_measure(page, "ArrowRight", epochs - 1)
    return {"first": first, "revisit": revisit}


def measure_play(page, index: int, epochs: int, fps: float = 10.0) -> dict:
    """Play the ``index``-th ExportWidget from its first epoch; every epoch is cached."""
    root = page.locator(".vizwidget").nth(index)
    assert root.locator(".vzw-fps").input_value() == f"{fps:g}"
    root.locator(".vzw-slider").focus()
    for _ in range(epochs - 1):  # visit every epoch once so all are in the browser cache
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(60)
    page.keyboard.press("Home")
    page.wait_for_timeout(1000)
    root.locator(".js-plotly-plot").evaluate("""gd => {
      window.__frames = [];
      gd.removeAllListeners?.("plotly_afterplot");
      gd.on("plotly_afterplot", () => window.__frames.push([performance.now(), gd.dataset.epoch]));
    }""")
    root.locator(".vzw-play").click()
    page.wait_for_function(f"window.__frames.some(f => f[1] === '{epochs - 1}')",
                           timeout=60_000)
    page.wait_for_timeout(300)
    frames = page.evaluate("window.__frames")
    drawn = [int(e) for _, e in frames]
    intervals = [b[0] - a[0] for a, b in zip(frames, frames[1:], strict=False)]
    period = 1000 / fps
    skipped = sorted(set(range(1, epochs)) - set(drawn))
    late = [i for i in intervals if i > 1.5 * period]
    return {"frames": len(frames), "drawn": drawn, "intervals": intervals,
            "skipped": skipped, "late": late, "period": period}


def raw_react_ms(page) -> float:
    """Median wall time of one bare Plotly.react of the 10k-point figure, until the page is
    free again (includes the software-GL work that runs after plotly_afterplot)."""
    return page.locator(EW_PLOT.format(PREFETCH)).evaluate("""async gd => {
      const P = await globalThis.__vizwidget__.plotly;
      const out = [];
      for (let k = 0; k < 9; k++) {
        const t = performance.now();
        const y = new Float64Array(10000).map(() => Math.random());
        await P.react(gd, [{...gd.data[0], y}], gd.layout);
        await new Promise(r => setTimeout(r, 0));
        out.push(performance.now() - t);
      }
      out.sort((a, b) => a - b);
      return out[4];
    }""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--passes", type=int, default=2, help="revisit passes")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="bench-widget-")) / "root"
    with jupyter_lab(root) as lab, sync_playwright() as p:
        lab.write_notebook("bench.ipynb",
                           [SETUP.format(epochs=args.epochs), EXPORT_WIDGET, ANCHOR, LIGHT])
        browser = launch_browser(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(120_000)
        open_notebook(page, lab, "bench.ipynb")
        for i in range(4):
            run_cell(page, i)
        for i in (COLD, NO_DEDUPE, PREFETCH):
            page.locator(f"{EW_PLOT.format(i)} .gl-container").wait_for(state="attached")
        page.locator(f"{FW_PLOT} .gl-container").wait_for(state="attached")
        page.wait_for_timeout(1500)

        t = time.perf_counter()
        runs = {i: measure(page, EW_PLOT.format(i), EW_SLIDER.format(i), args.epochs,
                           args.passes) for i in (COLD, NO_DEDUPE, PREFETCH)}
        stats = {i: page.locator(".vizwidget .vzw-root").nth(i).evaluate(
            "el => el.vizwidgetStore.stats") for i in runs}
        fw = measure(page, FW_PLOT, FW_SLIDER, args.epochs, args.passes)
        play = measure_play(page, PREFETCH, args.epochs)
        play_light = measure_play(page, LIGHT_INDEX, args.epochs)
        react_ms = raw_react_ms(page)
        elapsed = time.perf_counter() - t
        browser.close()

    med = statistics.median
    rows = [("ExportWidget, cold (prefetch off)", runs[COLD]),
            ("  same, no array dedupe", runs[NO_DEDUPE]),
            ("ExportWidget, prefetch on", runs[PREFETCH]),
            ("FigureWidget+IntSlider (anchor)", fw)]
    print(f"slider key press -> plotly_afterplot, 10k-point Scattergl, {args.epochs} epochs "
          f"({elapsed:.0f} s)")
    print(f"{'':34}{'first visit':>14}{'revisited':>12}   (median ms; n first/revisit)")
    for name, r in rows:
        print(f"{name:34}{med(r['first']):14.1f}{med(r['revisit']):12.1f}   "
              f"n={len(r['first'])}/{len(r['revisit'])}")
    for name, i in [("cold", COLD), ("no dedupe", NO_DEDUPE), ("prefetch", PREFETCH)]:
        first_ratio = med(runs[i]["first"]) / med(fw["first"])
        revisit_ratio = med(runs[i]["revisit"]) / med(fw["revisit"])
        st = stats[i]
        print(f"ratio ExportWidget ({name})/anchor: first visit {first_ratio:.2f} "
              f"(target <= 1.0), revisited {revisit_ratio:.2f} (target <= 0.6); "
              f"arrays sent {st['arraysSent']}, by reference {st['arraysReused']}, "
              f"prefetched {st['prefetched']}, misses {st['misses']}")
    for label, pl in [("10k-point Scattergl", play), ("600-point SVG Scatter", play_light)]:
        iv = pl["intervals"]
        print(f"play at {1000 / pl['period']:.0f} fps, cached epochs, {label}: "
              f"{pl['frames']} frames, interval median {med(iv):.1f} ms, max {max(iv):.1f} ms, "
              f"skipped epochs {len(pl['skipped'])}, late frames (>1.5x period) {len(pl['late'])}")
    print(f"bare Plotly.react of the 10k-point Scattergl until the page is free: {react_ms:.0f} ms"
          f" (software GL here; caps any player at {1000 / react_ms:.1f} fps)")

if __name__ == "__main__":
    main()
