"""What a Scattergl grid's redraw costs in a bare page: points, subplots, or axes?

Draws, in Debian's Chromium (software GL) with plotly.js from the installed plotly and no
widget, figures of 400x400 px panels of noisy sine markers, then updates them to eleven new
sets of y values, three passes, and prints two medians per case: ``Plotly.react`` alone (until
``plotly_afterplot``, what ``bench_dashboard.py`` measures) and react plus the next animation
frame (until the WebGL drawing is on screen):

* one panel of 10k points (the one-widget anchor), and one panel of 90k points;
* a 3x3 grid of 10k-point panels (the 3x3 Dashboard), and the same nine traces in one panel;
* the 3x3 grid with fixed axis ranges, and with 100 points a panel with and without tick
  labels.

Run: ``.venv/bin/python benchmarks/bench_grid_redraw.py``
"""

from __future__ import annotations

from pathlib import Path

import plotly
from playwright.sync_api import sync_playwright

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

MEASURE = """async ([n, points, mode]) => {
  const X = Float64Array.from({length: points}, (_, i) => i / points);
  const ys = (k) => Float64Array.from({length: points},
    (_, i) => Math.sin(X[i] * 20 + k / 3) + (Math.random() - 0.5) * 0.2);
  const figure = (k) => {
    const data = [], layout = {width: 400 * n, height: 400 * n, showlegend: false,
                               margin: {t: 20, l: 40, r: 10, b: 30}};
    for (let i = 0; i < n * n; i++) {
      const ax = mode === 'one panel' || i === 0 ? '' : String(i + 1);
      data.push({type: 'scattergl', mode: 'markers', marker: {size: 3}, x: X, y: ys(k + i),
                 xaxis: 'x' + ax, yaxis: 'y' + ax});
      if (mode === 'one panel') continue;
      const row = Math.floor(i / n), col = i % n;
      const x = {domain: [col / n + 0.02, (col + 1) / n - 0.02], anchor: 'y' + ax};
      const y = {domain: [row / n + 0.03, (row + 1) / n - 0.03], anchor: 'x' + ax};
      if (mode !== 'autorange') { x.range = [0, 1]; y.range = [-1.3, 1.3]; }
      if (mode === 'no tick labels') { x.showticklabels = false; y.showticklabels = false; }
      layout['xaxis' + ax] = x;
      layout['yaxis' + ax] = y;
    }
    return {data, layout};
  };
  const gd = document.createElement('div');
  document.body.appendChild(gd);
  const figures = Array.from({length: 12}, (_, k) => figure(k));
  const config = {plotGlPixelRatio: 1};
  await Plotly.newPlot(gd, figures[0].data, figures[0].layout, config);
  const react = [], drawn = [];
  for (let pass = 0; pass < 3; pass++) {
    for (let k = 1; k < 12; k++) {
      const start = performance.now();
      await Plotly.react(gd, figures[k].data, figures[k].layout, config);
      react.push(performance.now() - start);
      await new Promise((resolve) => requestAnimationFrame(resolve));
      drawn.push(performance.now() - start);
    }
  }
  Plotly.purge(gd);
  gd.remove();
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return [median(react), median(drawn)];
}"""

CASES = [  # (label, grid n, points a panel, mode)
    ("1 panel, 10k points", 1, 10_000, "autorange"),
    ("1 panel, 90k points", 1, 90_000, "autorange"),
    ("3x3 grid, 10k points a panel", 3, 10_000, "autorange"),
    ("9 traces of 10k in one panel", 3, 10_000, "one panel"),
    ("3x3 grid, 10k a panel, fixed ranges", 3, 10_000, "fixed ranges"),
    ("3x3 grid, 100 points a panel", 3, 100, "fixed ranges"),
    ("3x3 grid, 100 a panel, no tick labels", 3, 100, "no tick labels"),
]


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader"])
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(PLOTLY_JS))
        print(f"{'':40s} {'react':>14s} {'react + frame':>22s}")
        anchor = None
        for label, n, points, mode in CASES:
            react, drawn = page.evaluate(MEASURE, [n, points, mode])
            anchor = anchor or (react, drawn)
            print(f"{label:40s} {react:6.1f} ms {react / anchor[0]:5.2f}x "
                  f"{drawn:9.1f} ms {drawn / anchor[1]:5.2f}x")
        browser.close()


if __name__ == "__main__":
    main()
