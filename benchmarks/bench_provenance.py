"""What provenance costs per exported file, measured in one run.

1. End to end: the demo variant's ``singular_value_spectrum`` (700x500, scale 1) exported N
   times per still format with ``provenance=False`` and with the record a variant export
   carries, interleaved; the difference of the means per file.
2. The provenance work alone (building the record, encoding it, embedding it in the rendered
   bytes), timed without the browser's noise: a variant record, and a plain figure's record
   (which stores the figure JSON itself).
3. The joining layer's part: the record of a cross-epoch visualization (sha256 of every
   artifact it read), first call and cached.

Run: ``.venv/bin/python benchmarks/bench_provenance.py [N]`` (default N=20).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("png", "jpeg", "webp", "svg", "pdf", "html", "json")


def main(n: int = 20) -> None:
    from vizwidget.demo import make_variant
    from vizwidget.export import export_figure, figure_to_bytes
    from vizwidget.export._metadata import embed, make_record
    from vizwidget.provenance import _hash_cache, variant_record
    from vizwidget.registry import cross_epochs, get_visualization, render_figure
    from vizwidget.runs import ArtifactLoader

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        variant = make_variant(root / "variant")
        loader = ArtifactLoader(variant)
        vis = get_visualization("singular_value_spectrum")
        epoch = cross_epochs(vis, loader)[-1]
        fig = render_figure(vis, loader, epoch)
        size = {"width": 700, "height": 500, "scale": 1}
        record = variant_record(vis, loader, root / "out" / "f.png", epoch=epoch)
        export_figure(fig, root / "warm.png", **size)  # start the browser, read versions

        print(f"1. end to end, {n} exports per format and setting (ms / file)")
        print("| format | without | with | difference |")
        print("|---|---|---|---|")
        for fmt in FORMATS:
            times: dict[bool, list[float]] = {False: [], True: []}
            for i in range(n):
                for on in (False, True):
                    t0 = time.perf_counter()
                    export_figure(fig, root / "out" / f"{on}_{i}.{fmt}",
                                  provenance=record if on else False, **size)
                    times[on].append(time.perf_counter() - t0)
            off, on_ = (statistics.mean(times[k]) * 1e3 for k in (False, True))
            print(f"| {fmt} | {off:.1f} | {on_:.1f} | {on_ - off:+.2f} |")

        print("\n2. the provenance work alone (ms / file, mean of 200)")
        print("| format | variant record | plain figure (figure embedded) |")
        print("|---|---|---|")
        for fmt in FORMATS:
            data = figure_to_bytes(fig, fmt, **size)
            row = []
            for prov, figure in ((record, None), (True, fig.to_dict())):
                t0 = time.perf_counter()
                for _ in range(200):
                    embed(data, fmt, make_record(prov, fmt, dict(size), figure))
                row.append((time.perf_counter() - t0) / 200 * 1e3)
            print(f"| {fmt} | {row[0]:.3f} | {row[1]:.3f} |")

        cross = get_visualization("explained_variance")
        epochs = cross_epochs(cross, loader)
        _hash_cache.clear()
        t0 = time.perf_counter()
        variant_record(cross, loader, root / "f.png", epoch=None, epochs=epochs)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        variant_record(cross, loader, root / "f.png", epoch=None, epochs=epochs)
        cached = time.perf_counter() - t0
        print(f"\n3. record of a cross-epoch visualization ({len(epochs)} artifact files): "
              f"{first * 1e3:.2f} ms first, {cached * 1e3:.2f} ms cached")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
