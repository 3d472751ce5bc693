"""Large figures: PNG export time, vizwidget vs kaleido's own warm server, in one run.

Figures (800x600 PNG, scale 1): a 1,000,000- and a 5,000,000-point ``Scattergl`` point
cloud and a 2,000x2,000 ``Heatmap``, all numpy arrays. (c) ``vizwidget.figure_to_bytes``
on the warm engine (arrays travel to the page as one binary file); (b)
``kaleido.start_sync_server()`` + ``plotly.io.to_image`` (warm browser). Prints the
seconds of each and the ratio c/b (target <= 0.5), and whether the 1 M-point images are
pixel-identical. ``--ten`` also times a 10,000,000-point figure with vizwidget alone.

Run: ``.venv/bin/python benchmarks/bench_large.py``
"""

from __future__ import annotations

import io
import sys
import time
import warnings

import numpy as np
import plotly.graph_objects as go

SIZE = {"width": 800, "height": 600, "scale": 1}


def cloud(n: int) -> go.Figure:
    """An n-point Scattergl point cloud (seeded)."""
    rng = np.random.default_rng(n)
    return go.Figure(go.Scattergl(x=rng.standard_normal(n), y=rng.standard_normal(n),
                                  mode="markers"))


def heatmap(side: int) -> go.Figure:
    """A side x side heatmap of seeded normal values."""
    return go.Figure(go.Heatmap(z=np.random.default_rng(side).standard_normal((side, side))))


def seconds(fn) -> tuple[float, bytes]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def same_pixels(a: bytes, b: bytes) -> bool:
    from PIL import Image

    pa, pb = (np.asarray(Image.open(io.BytesIO(x)).convert("RGBA")) for x in (a, b))
    return pa.shape == pb.shape and bool((pa == pb).all())


def main() -> None:
    import kaleido
    import plotly.io as pio

    from vizwidget import figure_to_bytes

    figures = {"scattergl 1M": cloud(1_000_000), "scattergl 5M": cloud(5_000_000),
               "heatmap 2000x2000": heatmap(2000)}
    figure_to_bytes(go.Figure(), "png", **SIZE)  # warm
    ours = {name: seconds(lambda f=f: figure_to_bytes(f, "png", **SIZE))
            for name, f in figures.items()}
    if "--ten" in sys.argv:
        t, _ = seconds(lambda: figure_to_bytes(cloud(10_000_000), "png", **SIZE))
        print(f"scattergl 10M, vizwidget: {t:.2f} s")
    warnings.simplefilter("ignore")  # plotly warns that kopts are ignored with a server
    kaleido.start_sync_server(silence_warnings=True)
    pio.to_image(go.Figure(), format="png", **SIZE)  # warm
    theirs = {name: seconds(lambda f=f: pio.to_image(f, format="png", **SIZE))
              for name, f in figures.items()}
    kaleido.stop_sync_server(silence_warnings=True)
    print(f"{'figure':<20} {'(b) kaleido':>12} {'(c) vizwidget':>14} {'c/b':>6}")
    for name in figures:
        b, c = theirs[name][0], ours[name][0]
        print(f"{name:<20} {b:10.2f} s {c:12.2f} s {c / b:6.2f}  (target <= 0.5)")
    same = same_pixels(ours["scattergl 1M"][1], theirs["scattergl 1M"][1])
    print(f"1M-point PNG pixel-identical to kaleido's: {same}")


if __name__ == "__main__":
    main()
