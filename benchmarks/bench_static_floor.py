"""Static export overhead: end-to-end time against plotly.js's own time in the page.

For the 20 offline mocks of ``tests/mocks`` (PNG, 700x500, scale 1) on the warm engine:
the end-to-end seconds of ``vizwidget.figure_to_bytes`` and the seconds ``Plotly.toImage``
(draw and encode) took inside the page, read with ``RenderEngine.page_timings``. Prints both
totals and their ratio (end to end / in-page floor, target <= 1.15), then the five figures
with the most overhead. Three rounds; the best round counts.

Run: ``.venv/bin/python benchmarks/bench_static_floor.py``
"""

from __future__ import annotations

import time

from _common import twenty_figures

from vizwidget import engine, figure_to_bytes

SIZE = {"width": 700, "height": 500, "scale": 1}


def one_round(figures: list[dict], eng) -> tuple[list[float], list[float]]:
    ends, floors = [], []
    for fig in figures:
        start = time.perf_counter()
        figure_to_bytes(fig, "png", **SIZE)
        ends.append(time.perf_counter() - start)
        floors.append(sum(eng.page_timings()))
    return ends, floors


def main() -> None:
    figures = twenty_figures()
    eng = engine.get_engine()
    figure_to_bytes(figures[0], "png", **SIZE)  # warm
    eng.page_timings()  # install the in-page timer
    one_round(figures, eng)  # warm every trace type once
    rounds = [one_round(figures, eng) for _ in range(3)]
    ends, floors = min(rounds, key=lambda r: sum(r[0]))
    total, floor = sum(ends), sum(floors)
    print(f"figures                      {len(figures):>8}")
    each = 1000 / len(figures)
    print(f"end to end                   {total:8.3f} s  ({total * each:.1f} ms each)")
    print(f"in-page Plotly.toImage       {floor:8.3f} s  ({floor * each:.1f} ms each)")
    print(f"ratio end to end / floor     {total / floor:8.3f}  (target <= 1.15)")
    worst = sorted(range(len(figures)), key=lambda i: ends[i] - floors[i], reverse=True)[:5]
    for i in worst:
        print(f"  figure {i:2d}: {ends[i] * 1000:7.1f} ms end to end, {floors[i] * 1000:7.1f} ms "
              "in page")


if __name__ == "__main__":
    main()
