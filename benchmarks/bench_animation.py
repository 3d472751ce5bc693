"""Animation speed and memory, measured in one run.

1. The same 60-frame GIF (600x400, scale 1, the demo variant's training curves with the
   epoch highlight sweeping) three ways: (a) a loop of ``fig.to_image`` + Pillow, (b) a loop
   over kaleido's sync server + Pillow, (c) ``export_animation``. Browsers of (b) and (c)
   are warm before timing.
2. 30 frames at the defaults (1200x800, scale 2) with ``export_animation``.
3. Peak RSS of ``export_animation`` for 30 and 300 frames, each in its own process.

4. Overhead at the defaults: 30 frames (1200x800, scale 2) rendered alone on the warm page,
   encoded alone (the GIF writer over those PNGs), and end to end with ``export_animation``;
   prints end-to-end / max(render, encode) per frame (target <= 1.25).

Run: ``.venv/bin/python benchmarks/bench_animation.py`` (add ``--quick`` to skip (a);
``--ratio`` runs part 4 only).
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FRAMES = 60


def demo_frames(root: Path):
    """(variant, epochs, build) where build(epoch) is the labelled demo figure."""
    from vizwidget.demo import make_variant
    from vizwidget.export._frames import with_epoch_label
    from vizwidget.figures import as_figure_dict
    from vizwidget.registry import get_visualization
    from vizwidget.runs import ArtifactLoader

    variant = make_variant(root / "demo")
    vis = get_visualization("training_curves")
    loader = ArtifactLoader(variant)
    epochs = loader.epochs(vis.analyzer)[:FRAMES]
    snapshots = [loader.load(vis.analyzer, e) for e in loader.epochs(vis.analyzer)]
    all_epochs = loader.epochs(vis.analyzer)

    def build(epoch: int) -> dict:
        fig = vis.fn(snapshots, all_epochs, current_epoch=epoch, **vis.defaults)
        return with_epoch_label(as_figure_dict(fig), epoch)

    return variant, epochs, build


def pillow_gif(pngs: list[bytes], path: Path, fps: int) -> None:
    from PIL import Image

    frames = [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=1000 // fps, loop=0)


def loop_to_image(epochs, build, path: Path, size: dict) -> None:
    import plotly.io as pio

    pngs = [pio.to_image(build(e), format="png", **size) for e in epochs]
    pillow_gif(pngs, path, 5)


def speed(quick: bool) -> None:
    import kaleido

    from vizwidget import AnimationOptions, engine, export_animation

    out = Path(tempfile.mkdtemp(prefix="bench-anim-"))
    variant, epochs, build = demo_frames(out)
    size = {"width": 600, "height": 400, "scale": 1}
    n = len(epochs)
    print(f"{n} frames of training_curves, 600x400 scale 1")
    results = {}
    # (c) and the defaults first: browsers started and stopped by (a) and (b) can linger and
    # steal CPU for a while after they are closed.
    engine.render(build(epochs[0]), "png", 600, 400, 1)  # warm
    start = time.perf_counter()
    export_animation("training_curves", variant, None, out / "c.gif", epochs=epochs,
                     options=AnimationOptions(**size))
    results["c"] = (time.perf_counter() - start) / n
    start = time.perf_counter()
    export_animation("training_curves", variant, None, out / "big.gif", epochs=epochs[:30])
    per = (time.perf_counter() - start) / 30
    engine.shutdown()
    if not quick:
        start = time.perf_counter()
        loop_to_image(epochs, build, out / "a.gif", size)
        results["a"] = (time.perf_counter() - start) / n
    kaleido.start_sync_server(silence_warnings=True)
    import plotly.io as pio

    pio.to_image(build(epochs[0]), format="png", **size)  # warm
    start = time.perf_counter()
    loop_to_image(epochs, build, out / "b.gif", size)
    results["b"] = (time.perf_counter() - start) / n
    kaleido.stop_sync_server(silence_warnings=True)
    if "a" in results:
        print(f"(a) fig.to_image loop + Pillow          {results['a']:.3f} s/frame")
    print(f"(b) kaleido sync server loop + Pillow   {results['b']:.3f} s/frame")
    print(f"(c) vizwidget.export_animation          {results['c']:.3f} s/frame")
    if "a" in results:
        print(f"a/c = {results['a'] / results['c']:.1f}  (target >= 35)")
    print(f"b/c = {results['b'] / results['c']:.1f}  (target >= 3)")
    print(f"30 frames at 1200x800 scale 2: {per:.3f} s/frame end to end  (target <= 0.15)")
    print(f"files in {out}")


def overhead_ratio() -> None:
    """End to end vs building and rendering the same frames alone (and vs the slower of
    rendering alone and encoding alone), at the defaults."""
    from vizwidget import engine, export_animation
    from vizwidget.export._writers import GifWriter

    out = Path(tempfile.mkdtemp(prefix="bench-ratio-"))
    variant, epochs, build = demo_frames(out)
    epochs = epochs[:30]
    figures = [build(e) for e in epochs]
    engine.render(figures[0], "png", 1200, 800, 2)  # warm
    start = time.perf_counter()
    pngs = [engine.render(f, "png", 1200, 800, 2) for f in figures]
    render = (time.perf_counter() - start) / len(epochs)
    start = time.perf_counter()
    for e in epochs:  # the floor: each figure built, then rendered, nothing else
        engine.render(build(e), "png", 1200, 800, 2)
    built_rendered = (time.perf_counter() - start) / len(epochs)
    start = time.perf_counter()
    writer = GifWriter(out / "encode.gif", 5, 0, [pngs[0], pngs[-1]])
    for png in pngs:
        writer.add(png)
    writer.close()
    encode = (time.perf_counter() - start) / len(epochs)
    start = time.perf_counter()
    export_animation("training_curves", variant, None, out / "e2e.gif", epochs=epochs)
    e2e = (time.perf_counter() - start) / len(epochs)
    print(f"30 frames at 1200x800 scale 2, s/frame: render alone {render:.3f}, "
          f"build + render {built_rendered:.3f}, encode alone {encode:.3f}, "
          f"end to end {e2e:.3f}")
    print(f"end to end / (build + render) = {e2e / built_rendered:.2f}  (target <= 1.25)")
    print(f"end to end / max(render, encode) = {e2e / max(render, encode):.2f}")


def rss_child(frames: int) -> None:
    """Export `frames` frames of a synthetic per-epoch variant; print peak RSS in MiB."""
    import plotly.graph_objects as go

    from vizwidget import AnimationOptions, export_animation

    root = Path(tempfile.mkdtemp(prefix="bench-rss-"))
    folder = root / "artifacts" / "weights"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for e in range(frames):
        np.savez(folder / f"epoch_{e}.npz", w=rng.normal(size=2000) * (1 + e / frames))

    def histogram(data, epoch):
        return go.Figure(go.Histogram(x=data["w"], nbinsx=60), layout={"title": "weights"})

    export_animation(histogram, root, "weights", root / "out.gif",
                     options=AnimationOptions(width=1200, height=800, scale=2))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def memory() -> None:
    peaks = {}
    for frames in (30, 300):
        out = subprocess.run([sys.executable, __file__, "--rss-child", str(frames)],
                             capture_output=True, text=True, check=True)
        peaks[frames] = float(out.stdout.split()[-1])
        print(f"peak RSS, {frames:3d} frames at 1200x800 scale 2: {peaks[frames]:.0f} MiB")
    print(f"RSS ratio 300/30 = {peaks[300] / peaks[30]:.2f}  (target <= 1.25)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--rss-child":
        rss_child(int(sys.argv[2]))
    elif "--ratio" in sys.argv:
        overhead_ratio()
    else:
        overhead_ratio()
        speed(quick="--quick" in sys.argv)
        memory()
