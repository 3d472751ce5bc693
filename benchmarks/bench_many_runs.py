"""Many small runs: 1,000 local runs (metrics.csv of 300 epochs, 4 groups) to one grouped PNG.

Writes ``runs`` seeded runs (``config.json`` with ``lr`` and ``seed``; ``metrics.csv`` with
``epoch``, ``train_loss``, ``test_loss``, ``test_acc``) to a temporary folder, then times,
in one process: ``Variants(glob, group_by="lr")`` (the configs), reading every metrics table
(cold cache) and ``export_comparison(..., "training_curves", "x.png")`` end to end (cold cache
again). Prints seconds and the ratio to the 10 s target; ``--profile`` prints the 25 most
expensive functions of the export.

``--individual``: the same runs ungrouped, one line per run: times building the overlay, one
epoch's figure (what a slider step asks the kernel for), its size as JSON, and the PNG.

``--widget``: the ungrouped overlay in ``ExportWidget.from_comparison`` in a real JupyterLab
(Playwright, Debian's Chromium): slider key press -> the plot updated and painted
(``plotly_react`` + one animation frame), median of 20 steps, prefetch on. Then the same
with every run as its own trace and star (how overlays of at most ``MANY_RUNS`` runs are
drawn), 4 steps. Target: an epoch change <= 300 ms.

Run: ``.venv/bin/python benchmarks/bench_many_runs.py [runs] [--profile | --individual |
--widget]``
"""

from __future__ import annotations

import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from e2e.lab import jupyter_lab, launch_browser, open_notebook, run_cell  # noqa: E402

EPOCHS = 300
GROUPS = (1e-4, 3e-4, 1e-3, 3e-3)


def write_runs(root: Path, runs: int) -> None:
    rng = np.random.default_rng(runs)
    epoch = np.arange(EPOCHS)
    for i in range(runs):
        lr = GROUPS[i % len(GROUPS)]
        run = root / f"run_{i:04d}"
        run.mkdir()
        (run / "config.json").write_text(json.dumps({"lr": lr, "seed": i}))
        decay = 1.0 / (1.0 + epoch * lr * 30)
        noise = 0.03 * rng.standard_normal((3, EPOCHS))
        cols = np.column_stack([epoch, decay + noise[0], 1.1 * decay + noise[1],
                                1 - 0.9 * decay + noise[2]])
        with open(run / "metrics.csv", "w") as fh:
            fh.write("epoch,train_loss,test_loss,test_acc\n")
            np.savetxt(fh, cols, fmt=["%d", "%.6g", "%.6g", "%.6g"], delimiter=",")


def seconds(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def individual(variants, root: Path) -> None:
    """One line per run: overlay build, one epoch's figure, its JSON size, and the PNG."""
    import plotly.io as pio

    import vizwidget
    from vizwidget.compare import prepare_comparison

    t_build, (_, _, figure) = seconds(lambda: prepare_comparison(variants, "training_curves"))
    print(f"overlay of every run (built once):            {t_build:6.2f} s")
    t_first, fig = seconds(lambda: figure(150))
    print(f"epoch 150's figure:                           {t_first:6.2f} s, "
          f"{len(fig['data'])} traces")
    t_step, fig = seconds(lambda: figure(151))
    print(f"next epoch's figure:                          {t_step:6.2f} s "
          f"(target 0.3 s for the whole step)")
    size = len(pio.to_json(fig, validate=False)) / 1e6
    print(f"its JSON:                                     {size:6.1f} MB")
    vizwidget.export_figure({"data": [], "layout": {}}, root / "warm.png")  # the browser
    t_png, _ = seconds(lambda: vizwidget.export_figure(fig, root / "runs.png",
                                                       width=900, height=600))
    print(f"PNG 900x600:                                  {t_png:6.2f} s")


WIDGET_CELL = """\
import vizwidget as vz
import vizwidget.compare._overlay as overlay
overlay.MANY_RUNS = {many}
w = vz.ExportWidget.from_comparison({glob!r}, "training_curves", preview_height=600)
w"""

STEP_CLOCK = """(gd) => {
  window.__lat = [];
  window.__t0 = null;
  if (!window.__keyHook) {
    window.__keyHook = true;
    document.addEventListener("keydown", () => { window.__t0 = performance.now(); }, true);
  }
  const done = () => requestAnimationFrame(() => {
    if (window.__t0 !== null) {
      window.__lat.push(performance.now() - window.__t0);
      window.__t0 = null;
    }
  });
  gd.removeAllListeners?.("plotly_react");
  gd.on("plotly_react", done);
}"""


def widget_steps(page, index: int, steps: int) -> list[float]:
    """Slider steps of widget ``index``: key press -> plot updated and painted (ms)."""
    plot = f".jp-Notebook .vizwidget >> nth={index} >> .js-plotly-plot"
    slider = f".jp-Notebook .vizwidget >> nth={index} >> .vzw-slider"
    page.locator(plot).scroll_into_view_if_needed()
    page.locator(plot).evaluate(STEP_CLOCK)
    page.locator(slider).focus()
    out = []
    for _ in range(steps):
        before = page.evaluate("window.__lat.length")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"window.__lat.length > {before}", timeout=120_000)
        out.append(page.evaluate("window.__lat[window.__lat.length - 1]"))
        page.wait_for_timeout(300)
    return out


def in_widget(root: Path, glob: str) -> None:
    """The ungrouped overlay's slider step in JupyterLab: merged lines, then one per run."""
    from playwright.sync_api import sync_playwright

    with jupyter_lab(root / "lab") as lab, sync_playwright() as p:
        lab.write_notebook("many.ipynb", [WIDGET_CELL.format(many=50, glob=glob),
                                          WIDGET_CELL.format(many=10**9, glob=glob)])
        browser = launch_browser(p)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.set_default_timeout(600_000)
        open_notebook(page, lab, "many.ipynb")
        rows = []
        for index, label, steps in ((0, "merged lines, epoch as layout", 20),
                                    (1, "a trace and a star per run", 4)):
            start = time.perf_counter()
            run_cell(page, index, timeout=600_000)
            page.locator(f".jp-Notebook .vizwidget >> nth={index} >> .js-plotly-plot "
                         ".scatterlayer .trace path.js-line").first.wait_for(timeout=600_000)
            shown = time.perf_counter() - start
            page.wait_for_timeout(2000)
            rows.append((label, shown, widget_steps(page, index, steps)))
        browser.close()
    for label, shown, steps in rows:
        print(f"{label:32s} cell to first plot {shown:6.1f} s; epoch step median "
              f"{statistics.median(steps):7.0f} ms (n={len(steps)}, max {max(steps):.0f})")
    ratio = statistics.median(rows[0][2]) / 300
    print(f"epoch step / 300 ms target: {ratio:.2f}")


def main() -> None:
    import vizwidget
    from vizwidget.compare import Variants
    from vizwidget.runs import ArtifactLoader, clear_cache

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(args[0]) if args else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_runs(root, runs)
        glob = str(root / "run_*")
        t_variants, vs = seconds(lambda: Variants(glob, group_by="lr"))
        print(f"Variants({runs} runs, group_by='lr'): {t_variants:6.2f} s "
              f"({len(vs.groups)} groups)")
        clear_cache()
        t_tables, _ = seconds(lambda: [ArtifactLoader(m.path).metrics() for m in vs])
        print(f"read {runs} metrics.csv (cold):      {t_tables:6.2f} s")
        clear_cache()
        out = root / "x.png"

        def export() -> Path:
            return vizwidget.export_comparison(Variants(glob, group_by="lr"),
                                               "training_curves", out)

        if "--widget" in sys.argv:
            in_widget(root, glob)
            return
        if "--individual" in sys.argv:
            individual(Variants(glob), root)
            return
        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            t_export, _ = seconds(lambda: profile.runcall(export))
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            t_export, _ = seconds(export)
        print(f"export_comparison grouped PNG:      {t_export:6.2f} s "
              f"(target 10 s: {t_export / 10:.2f}x), {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
