"""Static export speed: the same 20 figures three ways, in one run.

(a) ``fig.write_image`` in a loop (kaleido starts a browser per call)
(b) a loop over kaleido's sync server (warm browser, tab reloaded per figure)
(c) ``vizwidget.export_figure`` (warm browser, page reused)

Run: ``.venv/bin/python benchmarks/bench_static.py``
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import kaleido
import plotly.graph_objects as go
from _common import timed, twenty_figures

from vizwidget import engine, export_figure

SIZE = {"width": 700, "height": 500, "scale": 1}


def main() -> None:
    figures = [go.Figure(f, skip_invalid=True) for f in twenty_figures()]
    n = len(figures)
    out = Path(tempfile.mkdtemp(prefix="bench-static-"))

    def naive() -> None:
        for i, fig in enumerate(figures):
            fig.write_image(out / f"a{i}.png", **SIZE)

    def sync_server() -> None:
        for i, fig in enumerate(figures):
            fig.write_image(out / f"b{i}.png", **SIZE)

    def ours() -> None:
        for i, fig in enumerate(figures):
            export_figure(fig, out / f"c{i}.png", **SIZE)

    # ours first: browsers that (a) starts and closes per figure keep using CPU for a while
    export_figure(figures[0], out / "warm.png", **SIZE)
    c = timed("(c) vizwidget.export_figure (warm)", ours, n)
    engine.shutdown()
    a = timed("(a) fig.write_image loop", naive, n)
    kaleido.start_sync_server(silence_warnings=True)
    figures[0].write_image(out / "warm.png", **SIZE)  # warm: browser already started
    b = timed("(b) kaleido sync server loop (warm)", sync_server, n)
    kaleido.stop_sync_server(silence_warnings=True)
    print(f"a/c = {a / c:.1f}  (target >= 10)")
    print(f"b/c = {b / c:.1f}  (target >= 2)")


if __name__ == "__main__":
    main()
