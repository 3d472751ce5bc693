"""ExportWidget preview latency vs. plotly's FigureWidget + IntSlider, in one JupyterLab run.

Measures, with Playwright driving Debian's Chromium against a real JupyterLab:

* slider key press -> ``plotly_afterplot`` on a 10k-point Scattergl figure, median over the
  first visit of each epoch and over revisits, for ExportWidget and for the anchor
  (``go.FigureWidget`` + ``ipywidgets.IntSlider`` updating ``data[0].y``). ExportWidget is
  measured three times: cold (``prefetch=False``: every first visit is a kernel round trip),
  cold without array deduplication (every array resent), and with prefetch on (the default);
* Play at 10 fps over cached epochs: frame intervals and dropped (skipped or late) frames.

Targets: revisited <= 0.6x the anchor, first visit <= the anchor, no dropped frames.

With ``--large``: level of detail instead. A 1,000,000-point Scattergl widget and a
10k-point one (both per epoch, prefetch on): slider key press -> ``plotly_afterplot`` on
first visits (target: 1 M <= 300 ms median and <= 2x the 10k figure), a zoom (a
``Plotly.relayout`` of the x range) -> the refined view drawn (target <= 400 ms median), and
the tab's memory with 20 epochs cached (JS heap + array buffers, target <= 1 GB).

With ``--wake``: the WebGL budget. Ten 10k-point Scattergl ExportWidgets on one page (more
than the live plots the budget allows, one in view at a time); scrolling through to the end
puts the first to sleep (its contexts given back, its still image shown). Measured: scrolling
it back into view -> ``Plotly.react`` resolved for it again (target <= 150 ms median), the
same redraw of an awake plot for scale, and what losing one context costs.

Usage: python benchmarks/bench_widget.py [--epochs 20] [--passes 2] [--large | --wake]
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


LARGE_SETUP = """\
from IPython.display import display
import numpy as np
import plotly.graph_objects as go
from vizwidget import ExportWidget

N = {epochs}
big_x = np.linspace(0, 100, 1_000_000)
small_x = np.linspace(0, 100, 10_000)

def walk(x, epoch):
    return np.cumsum(np.random.default_rng(epoch).standard_normal(x.size)) / np.sqrt(x.size)

def big(data, epoch):
    return go.Figure(go.Scattergl(x=big_x, y=walk(big_x, epoch), mode="lines"),
                     layout={{"height": 400, "margin": {{"t": 30}}}})

def small(data, epoch):
    return go.Figure(go.Scattergl(x=small_x, y=walk(small_x, epoch), mode="lines"),
                     layout={{"height": 400, "margin": {{"t": 30}}}})

big_w = ExportWidget(big, epochs=list(range(N)), preview_height=400)
small_w = ExportWidget(small, epochs=list(range(N)), preview_height=400)
display(big_w, small_w)"""

ZOOM = """async (gd) => {
  const P = await globalThis.__vizwidget__.plotly;
  const out = [];
  for (let k = 0; k < 9; k++) {
    const lo = 5 + 9 * k;
    const done = new Promise((resolve) => {
      const t = performance.now();
      const onAfter = () => {
        if (gd.data[0].x[0] >= lo - 1e-9) {  // the refined view is drawn
          gd.removeListener("plotly_afterplot", onAfter);
          resolve(performance.now() - t);
        }
      };
      gd.on("plotly_afterplot", onAfter);
    });
    await P.relayout(gd, {"xaxis.range": [lo, lo + 4]});
    out.push(await done);
    await new Promise((r) => setTimeout(r, 300));
  }
  const points = gd.data[0].x.length;
  await P.relayout(gd, {"xaxis.autorange": true, "yaxis.autorange": true});
  return {ms: out, points};
}"""


def large_main(args) -> None:
    """Level of detail: 1 M vs 10k points per epoch, zoom refinement, tab memory."""
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="bench-widget-large-")) / "root"
    with jupyter_lab(root) as lab, sync_playwright() as p:
        lab.write_notebook("large.ipynb", [LARGE_SETUP.format(epochs=args.epochs)])
        browser = launch_browser(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(180_000)
        open_notebook(page, lab, "large.ipynb")
        run_cell(page, 0)
        for i in (0, 1):
            page.locator(f"{EW_PLOT.format(i)} .gl-container").wait_for(state="attached")
        page.wait_for_timeout(3000)
        runs = {i: measure(page, EW_PLOT.format(i), EW_SLIDER.format(i), args.epochs, 0)
                for i in (0, 1)}
        note = page.locator(f"{EW_PLOT.format(0)} .annotation-text").first.text_content()
        zoom = page.locator(EW_PLOT.format(0)).evaluate(ZOOM)
        page.wait_for_timeout(1000)
        cdp = page.context.new_cdp_session(page)
        cdp.send("HeapProfiler.collectGarbage")
        heap = cdp.send("Runtime.getHeapUsage")
        browser.close()
    med = statistics.median
    big, small = med(runs[0]["first"]), med(runs[1]["first"])
    print(f"level of detail, {args.epochs} epochs, first visits (median ms):")
    print(f"  1 M-point Scattergl: {big:.1f}  (target <= 300)   note: {note!r}")
    print(f"  10k-point Scattergl: {small:.1f}")
    print(f"  ratio 1M / 10k: {big / small:.2f}  (target <= 2)")
    print(f"  zoom -> refined view drawn: median {med(zoom['ms']):.1f} ms, "
          f"max {max(zoom['ms']):.1f} ms (target <= 400); {zoom['points']:,} points in view")
    total = heap["usedSize"] + heap.get("backingStorageSize", 0)
    print(f"  tab memory with {args.epochs} epochs cached: JS heap "
          f"{heap['usedSize'] / 2**20:.0f} MiB + array buffers "
          f"{heap.get('backingStorageSize', 0) / 2**20:.0f} MiB = {total / 2**20:.0f} MiB "
          "(target <= 1024)")


WAKE_SETUP = """\
from IPython.display import display
import numpy as np
import plotly.graph_objects as go
from vizwidget import ExportWidget

x = np.linspace(0, 1, 10_000)

def cloud(data, epoch):
    y = np.sin(x * 20 + epoch) + np.random.default_rng(epoch).normal(0, 0.1, x.size)
    return go.Figure(go.Scattergl(x=x, y=y, mode="markers"),
                     layout={"height": 400, "margin": {"t": 20}})

widgets = [ExportWidget(cloud, epochs=list(range(5)), preview_height=500) for _ in range(10)]
display(*widgets)"""

TIME_REACT = """async () => {
  const P = await globalThis.__vizwidget__.plotly;
  window.__reacts = [];
  if (!P.__timed) {
    const react = P.react;
    P.react = async function (gd, ...rest) {
      const start = performance.now();
      const out = await react.call(this, gd, ...rest);
      window.__reacts.push([gd, performance.now(), start]);
      return out;
    };
    P.__timed = true;
  }
  window.__losses = [];
  for (const proto of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype]) {
    const get = proto.getExtension;
    proto.getExtension = function (name) {
      const ext = get.call(this, name);
      if (name === "WEBGL_lose_context" && ext && !ext.__timed) {
        const lose = ext.loseContext.bind(ext);
        ext.loseContext = () => {
          const t = performance.now();
          lose();
          window.__losses.push([t, performance.now() - t]);
        };
        ext.__timed = true;
      }
      return ext;
    };
  }
}"""

WAKE = """async ([first, last]) => {
  const plots = [...document.querySelectorAll(".vizwidget .js-plotly-plot")];
  const gd = plots[first];
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const drawn = (el, since) => new Promise((resolve) => {
    const poll = () => {
      const hit = window.__reacts.find(([g, t]) => g === el && t >= since);
      if (hit) resolve(hit); else setTimeout(poll, 1);
    };
    poll();
  });
  const out = {wake: [], awake: [], slept: 0};
  for (let k = 0; k < 9; k++) {
    for (let i = first + 1; i <= last; i++) {  // each in view in turn: they take the room
      plots[i].scrollIntoView();
      await new Promise((r) => setTimeout(r, 250));
    }
    const deadline = performance.now() + 20000;
    while (gd.dataset.asleep !== "1" && performance.now() < deadline) await frame();
    if (gd.dataset.asleep !== "1") continue;
    out.slept += 1;
    await new Promise((r) => setTimeout(r, 500));
    const store = gd.closest(".vzw-root")?.vizwidgetStore;
    const before = store ? store.stats.figures : 0;
    let woke = null;
    const seen = new MutationObserver(() => { woke ??= performance.now(); });
    seen.observe(gd, {attributes: true, attributeFilter: ["data-asleep"]});
    const t = performance.now();
    gd.scrollIntoView();
    const [, end, start] = await drawn(gd, t);
    seen.disconnect();
    out.wake.push(end - t);
    out.parts = out.parts || [];
    out.parts.push([woke - t, start - t, end - start].map(Math.round));
    out.fetched = (out.fetched || 0) + (store ? store.stats.figures - before : 0);
    const lost = window.__losses.filter(([at]) => at >= t && at <= end).length;
    out.lossesDuring = (out.lossesDuring || 0) + lost;
    await new Promise((r) => setTimeout(r, 500));
  }
  const P = await globalThis.__vizwidget__.plotly;
  for (let k = 0; k < 9; k++) {  // the same figure redrawn while awake, for scale
    const t = performance.now();
    await P.react(gd, gd.data.map((d) => ({...d, y: d.y.slice()})), gd.layout);
    out.awake.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 200));
  }
  out.losses = window.__losses;
  return out;
}"""


def wake_main(args) -> None:
    """Bringing a purged 10k-point Scattergl plot back into view."""
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="bench-widget-wake-")) / "root"
    with jupyter_lab(root) as lab, sync_playwright() as p:
        lab.write_notebook("wake.ipynb", [WAKE_SETUP])
        browser = launch_browser(p)
        # one widget in view at a time (and its 100 px margin): each wake is one plot's
        page = browser.new_page(viewport={"width": 1400, "height": 500})
        page.set_default_timeout(180_000)
        open_notebook(page, lab, "wake.ipynb")
        run_cell(page, 0)
        page.locator(f"{EW_PLOT.format(0)} .gl-container").wait_for(state="attached")
        page.wait_for_timeout(3000)
        page.evaluate(TIME_REACT)
        out = page.evaluate(WAKE, [0, 9])
        browser.close()
    med = statistics.median
    if not out["wake"]:
        raise SystemExit("the first plot never slept: the page holds too few plots")
    print(f"WebGL budget, 10 x 10k-point Scattergl widgets, {out['slept']} wake-ups:")
    print(f"  scrolled back into view -> redrawn: median {med(out['wake']):.1f} ms, "
          f"max {max(out['wake']):.1f} ms (target <= 150)")
    print(f"  in view -> woken, -> react called, react (ms): {out['parts']}; figures "
          f"fetched from the kernel meanwhile: {out.get('fetched', 0)}; contexts lost "
          f"meanwhile: {out.get('lossesDuring', 0)}")
    losses = [ms for _, ms in out["losses"]]
    if losses:
        print(f"  losing one context: median {med(losses):.1f} ms, max {max(losses):.1f} ms "
              f"({len(losses)} lost)")
    print(f"  the same Plotly.react while awake: median {med(out['awake']):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--passes", type=int, default=2, help="revisit passes")
    parser.add_argument("--large", action="store_true", help="level-of-detail benchmark")
    parser.add_argument("--wake", action="store_true", help="purged plot back into view")
    args = parser.parse_args()
    if args.large:
        return large_main(args)
    if args.wake:
        return wake_main(args)

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
