"""Animation export with the real Chromium: every output format, options and failures."""

from __future__ import annotations

import json
import re
import sys
import threading
import time

import imageio.v3 as iio
import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image, ImageChops, ImageSequence

from vizwidget import export_animation, export_cross_epoch_animation
from vizwidget.errors import (
    AnalyzerNotFoundError,
    EpochNotFoundError,
    ExportCancelled,
    FormatError,
    MissingDependencyError,
    RendererError,
)
from vizwidget.export import AnimationOptions

EPOCHS = [0, 10, 20, 50, 100, 200, 500]
SIZE = {"width": 320, "height": 240, "scale": 1}
SMALL = {"options": AnimationOptions(**SIZE)}


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    root = tmp_path_factory.mktemp("anim") / "variant"
    folder = root / "artifacts" / "curve"
    folder.mkdir(parents=True)
    for e in EPOCHS:
        np.savez(folder / f"epoch_{e:05d}.npz", y=np.sin(np.linspace(0, 6, 80)) * (1 + e / 100))
    return root


def curve(data, epoch, color="royalblue"):
    return go.Figure(go.Scatter(y=data["y"], mode="lines", line={"color": color}),
                     layout={"title": {"text": "curve"}, "showlegend": False})


def trajectory(snapshots, epochs, current_epoch=None):
    ys = [float(s["y"].max()) for s in snapshots]
    fig = go.Figure(go.Scatter(x=epochs, y=ys, mode="lines+markers", name="max"))
    if current_epoch is not None:
        i = epochs.index(current_epoch)
        fig.add_trace(go.Scatter(x=[epochs[i]], y=[ys[i]], mode="markers",
                                 marker={"size": 18, "color": "red"}, name="now"))
    return fig


def gif_frames(path):
    with Image.open(path) as img:
        return [(f.info["duration"], f.size, f.convert("RGB")) for f in ImageSequence.Iterator(img)]


@pytest.mark.parametrize("fps", [5, 10])
def test_gif_frames_durations_and_size(variant, tmp_path, fps):
    path = export_animation(curve, variant, "curve", tmp_path / "a.gif", fps=fps, width=300,
                            height=200, options=AnimationOptions(scale=2))
    frames = gif_frames(path)
    assert len(frames) == len(EPOCHS)
    assert {d for d, _, _ in frames} == {1000 / fps}
    assert {s for _, s, _ in frames} == {(600, 400)}
    assert ImageChops.difference(frames[0][2], frames[-1][2]).getbbox() is not None


def test_gif_loops_forever_by_default(variant, tmp_path):
    path = export_animation(curve, variant, "curve", tmp_path / "a.gif", **SMALL)
    with Image.open(path) as img:
        assert img.info.get("loop") == 0


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_video_decodes_with_right_frame_count_and_fps(variant, tmp_path, fmt):
    path = export_animation(curve, variant, "curve", tmp_path / f"a.{fmt}", fps=4, **SMALL)
    frames = iio.imread(path)
    assert frames.shape == (len(EPOCHS), 240, 320, 3)
    assert iio.immeta(path)["fps"] == pytest.approx(4)


@pytest.mark.parametrize("suffix, fmt", [(".webp", "WEBP"), (".png", "PNG")])
def test_animated_webp_and_apng(variant, tmp_path, suffix, fmt):
    path = export_animation(curve, variant, "curve", tmp_path / f"a{suffix}", fps=5, **SMALL)
    with Image.open(path) as img:
        assert img.format == fmt and img.n_frames == len(EPOCHS) and img.size == (320, 240)


def test_html_has_one_frame_per_epoch_and_a_slider(variant, tmp_path):
    path = export_animation(curve, variant, "curve", tmp_path / "a.html", fps=5, **SMALL)
    html = path.read_text()
    assert re.findall(r"<script[^>]*\bsrc=", html) == []  # offline: plotly.js inline
    figure = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*(\{.*?\}),"
                                  r"\s*\{\"responsive\"", html, re.S).group(2))
    assert [s["label"] for s in figure["sliders"][0]["steps"]] == [str(e) for e in EPOCHS]
    frames = json.loads(re.search(r"addFrames\('[^']+', (\[.*?\])\)", html, re.S).group(1))
    assert [f["name"] for f in frames] == [str(e) for e in EPOCHS]
    ranges = {json.dumps(f["layout"]["yaxis"]["range"]) for f in frames}
    assert len(ranges) == 1  # lock_axes: the y range does not jump


def test_lock_axes_off_lets_ranges_follow_the_data(variant, tmp_path):
    path = export_animation(curve, variant, "curve", tmp_path / "a.html",
                            options=AnimationOptions(lock_axes=False, label=False, **SIZE))
    frames = json.loads(re.search(r"addFrames\('[^']+', (\[.*?\])\)", path.read_text(),
                                  re.S).group(1))
    assert all("range" not in (f["layout"].get("yaxis") or {}) for f in frames)


def test_directory_output_one_png_per_frame(variant, tmp_path):
    out = export_animation(curve, variant, "curve", tmp_path / "frames", epochs=[10, 50], **SMALL)
    assert sorted(p.name for p in out.iterdir()) == ["frame_0000_epoch_10.png",
                                                      "frame_0001_epoch_50.png",
                                                      "provenance.json"]
    assert Image.open(out / "frame_0001_epoch_50.png").size == (320, 240)


def test_epochs_subset_sorted_and_deduplicated(variant, tmp_path):
    seen = []

    def spy(data, epoch):
        seen.append(epoch)
        return curve(data, epoch)

    path = export_animation(spy, variant, "curve", tmp_path / "a.gif", epochs=[200, 10, 200, 50],
                            options=AnimationOptions(lock_axes=False, **SIZE))
    assert sorted(seen) == [10, 50, 200]  # each epoch built once (the GIF's palette needs the
    # last one early, so they are not built in order)
    ordered = export_animation(curve, variant, "curve", tmp_path / "b.gif", epochs=[10, 50, 200],
                               options=AnimationOptions(lock_axes=False, **SIZE))
    for (_, _, got), (_, _, want) in zip(gif_frames(path), gif_frames(ordered), strict=True):
        assert ImageChops.difference(got, want).getbbox() is None


def test_label_visibly_changes_pixels(variant, tmp_path):
    on = export_animation(curve, variant, "curve", tmp_path / "on", epochs=[50],
                          options=AnimationOptions(label=True, **SIZE))
    off = export_animation(curve, variant, "curve", tmp_path / "off", epochs=[50],
                           options=AnimationOptions(label=False, **SIZE))
    a = Image.open(next(on.glob("*.png"))).convert("RGB")
    b = Image.open(next(off.glob("*.png"))).convert("RGB")
    box = ImageChops.difference(a, b).getbbox()
    assert box is not None and box[0] > 320 / 2  # the label sits at the top right


def test_cross_epoch_frames_differ_where_the_highlight_moves(variant, tmp_path):
    from vizwidget.runs import ArtifactLoader

    loader = ArtifactLoader(variant)
    snapshots = [loader.load("curve", e) for e in EPOCHS]
    path = export_cross_epoch_animation(trajectory, snapshots, EPOCHS, tmp_path / "x.gif",
                                        options=AnimationOptions(label=False, **SIZE))
    frames = [f for _, _, f in gif_frames(path)]
    assert len(frames) == len(EPOCHS)
    first, last = (ImageChops.difference(frames[i], frames[i + 1]).getbbox() for i in (0, 4))
    assert first is not None and last is not None
    assert last[0] > first[0]  # the highlight moved right along the epoch axis


def test_failing_renderer_names_the_epoch_and_writes_nothing(variant, tmp_path):
    target = tmp_path / "a.gif"
    target.write_bytes(b"older animation")

    def broken(data, epoch):
        if epoch == 50:
            raise ValueError("bad data")
        return curve(data, epoch)

    for lock in (True, False):
        with pytest.raises(RendererError, match=r"epoch 50.*bad data"):
            export_animation(broken, variant, "curve", target,
                             options=AnimationOptions(lock_axes=lock, **SIZE))
    assert target.read_bytes() == b"older animation"
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


def test_cancel_leaves_no_file(variant, tmp_path):
    def progress(done, total):
        if done == 2:
            raise ExportCancelled("stopped by the caller")

    with pytest.raises(ExportCancelled):
        export_animation(curve, variant, "curve", tmp_path / "a.gif", progress=progress,
                         **SMALL)
    assert list(tmp_path.iterdir()) == []


def test_an_event_cancels_the_figure_source_animation(variant, tmp_path):
    from vizwidget.export import cancellable
    from vizwidget.source import FigureSource

    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append(done)
        if done == 2:
            cancel.set()

    source = FigureSource(curve, variant, analyzer="curve")
    with pytest.raises(ExportCancelled):
        source.animate(tmp_path / "a.gif", None, AnimationOptions(**SIZE),
                       progress=cancellable(progress, cancel))
    assert seen[-1] == 2 and list(tmp_path.iterdir()) == []


def test_a_set_event_stops_the_animation_before_any_frame(variant, tmp_path):
    from vizwidget.export import animate_frames, cancellable

    cancel = threading.Event()
    cancel.set()
    built = []

    def build(epoch):
        built.append(epoch)
        return go.Figure(go.Scatter(y=[epoch]))

    for lock in (True, False):
        with pytest.raises(ExportCancelled):
            animate_frames(build, [1, 2, 3], tmp_path / "a.gif",
                           AnimationOptions(lock_axes=lock, **SIZE),
                           progress=cancellable(None, cancel))
    assert built == [] and list(tmp_path.iterdir()) == []


def test_the_old_cancel_keyword_with_a_progress_bar_counts_the_frames(variant, tmp_path,
                                                                     capsys):
    with pytest.warns(DeprecationWarning, match=r"cancel="):
        export_animation(curve, variant, "curve", tmp_path / "a.gif", progress=True,
                         cancel=threading.Event(), **SMALL)
    n = len(EPOCHS)
    assert f"{n}/{n}" in capsys.readouterr().err and (tmp_path / "a.gif").exists()


def test_the_old_cancel_keyword_still_works_and_warns(tmp_path):
    from vizwidget.export import animate_frames

    cancel = threading.Event()
    cancel.set()
    with pytest.warns(DeprecationWarning, match=r"cancel=.*cancellable"), \
            pytest.raises(ExportCancelled):
        animate_frames(lambda e: go.Figure(go.Scatter(y=[e])), [1, 2], tmp_path / "a.gif",
                       AnimationOptions(**SIZE), cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_keywords_of_earlier_releases_still_work_and_warn(variant, tmp_path):
    with pytest.warns(DeprecationWarning, match=r"label=.*options=AnimationOptions"):
        old = export_animation(render_fn=curve, variant_dir=variant, analyzer_name="curve",
                               output_path=tmp_path / "old", epochs=[50], label=False,
                               **SMALL)
    new = export_animation(curve, variant, "curve", tmp_path / "new", epochs=[50],
                           options=AnimationOptions(label=False, **SIZE))
    frames = sorted(p.name for p in new.glob("*.png"))
    assert frames and sorted(p.name for p in old.glob("*.png")) == frames
    assert all((old / f).read_bytes() == (new / f).read_bytes() for f in frames)
    with pytest.raises(TypeError, match="both"):
        export_animation(curve, variant, "curve", output_path=tmp_path / "x.gif",
                         path=tmp_path / "y.gif")


def test_the_scale_shortcut_of_the_animation_verbs_still_works_and_warns(variant, tmp_path):
    with pytest.warns(DeprecationWarning,
                      match=r"export_animation\(scale=.*options=AnimationOptions") as caught:
        old = export_animation(curve, variant, "curve", tmp_path / "old.gif", width=320,
                               height=240, scale=1)
    assert [w.filename for w in caught if "scale=" in str(w.message)] == [__file__]
    new = export_animation(curve, variant, "curve", tmp_path / "new.gif",
                           options=AnimationOptions(**SIZE))
    assert old.read_bytes() == new.read_bytes()
    assert gif_frames(old)[0][1] == (320, 240)

    snapshots = [{"y": np.arange(5.0) * (1 + e)} for e in (0, 1, 2)]
    with pytest.warns(DeprecationWarning, match=r"export_cross_epoch_animation\(scale="):
        old = export_cross_epoch_animation(trajectory, snapshots, [0, 1, 2],
                                           tmp_path / "old_t.gif", width=320, height=240,
                                           scale=1)
    new = export_cross_epoch_animation(trajectory, snapshots, [0, 1, 2], tmp_path / "new_t.gif",
                                       width=320, height=240,
                                       options=AnimationOptions(scale=1))
    assert old.read_bytes() == new.read_bytes()
    assert gif_frames(old)[0][1] == (320, 240)


def test_progress_reports_every_frame(variant, tmp_path):
    calls = []
    export_animation(curve, variant, "curve", tmp_path / "a.gif", progress=lambda d, t:
                     calls.append((d, t)), **SMALL)
    n = len(EPOCHS)
    preparing = calls[:len(calls) - n]  # (0, n) before the first frame and per axis pass
    assert preparing and set(preparing) == {(0, n)}
    assert calls[len(preparing):] == [(i, n) for i in range(1, n + 1)]


def test_missing_analyzer_and_epoch(variant, tmp_path):
    with pytest.raises(AnalyzerNotFoundError, match="curve"):
        export_animation(curve, variant, "nope", tmp_path / "a.gif")
    with pytest.raises(EpochNotFoundError, match=r"(?s)epoch 55.*50"):
        export_animation(curve, variant, "curve", tmp_path / "a.gif", epochs=[10, 55])
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_lists_animation_formats(variant, tmp_path):
    with pytest.raises(FormatError, match="gif"):
        export_animation(curve, variant, "curve", tmp_path / "a.avi")


def test_mp4_without_ffmpeg_names_the_extra(variant, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    with pytest.raises(MissingDependencyError, match=r"vizwidget\[mp4\]"):
        export_animation(curve, variant, "curve", tmp_path / "a.mp4", **SMALL)
    assert list(tmp_path.iterdir()) == []


def test_renderer_kwargs_are_passed(variant, tmp_path):
    path = export_animation(curve, variant, "curve", tmp_path / "f", epochs=[0],
                            color="red", options=AnimationOptions(label=False, **SIZE))
    pixels = np.asarray(Image.open(next(path.glob("*.png"))).convert("RGB")).reshape(-1, 3)
    assert ((pixels[:, 0] > 200) & (pixels[:, 1] < 60) & (pixels[:, 2] < 60)).any()


def test_registered_names_per_epoch_and_cross_epoch(demo_variant, tmp_path):
    from vizwidget.runs import ArtifactLoader

    epochs = ArtifactLoader(demo_variant).epochs("parameters")[:4]
    per_epoch = export_animation("singular_value_spectrum", demo_variant, None,
                                 tmp_path / "svd.gif", epochs=epochs, **SMALL)
    assert len(gif_frames(per_epoch)) == 4
    sweep = export_animation("training_curves", demo_variant, None, tmp_path / "curves.gif",
                             epochs=[0, 500, 1000], options=AnimationOptions(label=False, **SIZE))
    frames = [f for _, _, f in gif_frames(sweep)]
    assert len(frames) == 3
    assert ImageChops.difference(frames[0], frames[2]).getbbox() is not None


def test_single_blas_thread_inside_and_restored_after():
    from vizwidget._blas import _openblas_controls, single_blas_thread

    controls = _openblas_controls()
    assert controls, "numpy ships OpenBLAS on this platform"
    before = [int(get()) for _, get in controls]
    with single_blas_thread(), single_blas_thread():
        assert [int(get()) for _, get in controls] == [1] * len(controls)
    assert [int(get()) for _, get in controls] == before


@pytest.mark.timeout(180)
def test_pca_renderer_to_mp4_does_not_stall(demo_variant, tmp_path):
    # SVD in the frame builder used to spin against ffmpeg and Chromium for minutes.
    for i in range(3):
        path = export_animation("parameter_trajectory_2d", demo_variant, None,
                                tmp_path / f"t{i}.mp4", epochs=[0, 100, 200, 300], **SMALL)
        assert iio.imread(path).shape[0] == 4


def test_registered_multi_analyzer_names_get_every_analyzer(demo_variant, tmp_path,
                                                            scratch_registry):
    from vizwidget import registry

    seen = []

    @registry.register_renderer("both_analyzers", analyzer=("parameters", "flatness"))
    def both(data, epoch):
        seen.append(sorted(data))
        return go.Figure(go.Bar(y=[float(data["flatness"]["base_loss"]),
                                   float(abs(data["parameters"]["W_E"]).mean())]))

    path = export_animation("both_analyzers", demo_variant, None, tmp_path / "both",
                            epochs=[0, 600], **SMALL)
    assert len(list(path.glob("*.png"))) == 2
    assert seen and all(keys == ["flatness", "parameters"] for keys in seen)


def test_theme_applies_to_every_frame(variant, tmp_path):
    out = export_animation(curve, variant, "curve", tmp_path / "dark", epochs=[0, 500],
                           options=AnimationOptions(theme="dark", **SIZE))
    for png in sorted(out.glob("*.png")):
        corner = Image.open(png).convert("RGB").getpixel((2, 2))
        assert max(corner) < 80, corner  # dark paper, not plotly's white


def test_gif_renders_each_frame_once(variant, tmp_path, monkeypatch):
    from vizwidget import engine

    calls = []
    real = engine.render
    monkeypatch.setattr(engine, "render", lambda *a, **k: calls.append(1) or real(*a, **k))
    path = export_animation(curve, variant, "curve", tmp_path / "a.gif", **SMALL)
    assert len(gif_frames(path)) == len(calls) == len(EPOCHS)  # the palette reuses frames


def clear_curve(data, epoch):
    """A see-through paper: frames carry alpha, which the GIF ignores."""
    fig = curve(data, epoch)
    fig.update_layout(paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(255,0,0,0.3)")
    return fig


@pytest.mark.parametrize("renderer", [curve, clear_curve])
def test_gif_frames_are_the_rendered_frames_on_one_palette(variant, tmp_path, monkeypatch,
                                                           renderer):
    """Each GIF frame shows exactly its PNG's RGB mapped to the palette of the first and last."""
    import io

    from vizwidget import engine

    pngs, real = {}, engine.render
    monkeypatch.setattr(engine, "render", lambda fig, *a, **k: pngs.setdefault(
        fig["layout"]["annotations"][-1]["text"], real(fig, *a, **k)))
    path = export_animation(renderer, variant, "curve", tmp_path / "a.gif", **SMALL)
    rgb = [Image.open(io.BytesIO(pngs[f"epoch {e}"])).convert("RGB") for e in EPOCHS]
    sheet = Image.new("RGB", (2 * rgb[0].width, rgb[0].height))
    sheet.paste(rgb[0], (0, 0))
    sheet.paste(rgb[-1], (rgb[0].width, 0))
    palette = sheet.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    expected = [f.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB") for f in rgb]
    for (_, _, got), want in zip(gif_frames(path), expected, strict=True):
        assert ImageChops.difference(got, want).getbbox() is None


def test_next_figure_is_built_once_the_browser_has_the_current_one(monkeypatch, tmp_path):
    """Built any earlier, its Python would hold the GIL the engine needs to send the figure."""
    import io

    from vizwidget import engine
    from vizwidget.export import AnimationOptions, animate_frames

    events = []
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, "PNG")

    def render(fig, *a, on_sent=None, **k):
        events.append(("sent", fig["layout"]["title"]["text"]))
        on_sent()
        time.sleep(0.05)  # the browser at work
        return buf.getvalue()

    def build(epoch):
        events.append(("build", str(epoch)))
        return {"data": [], "layout": {"title": {"text": str(epoch)}}}

    monkeypatch.setattr(engine, "render", render)
    animate_frames(build, [1, 2, 3], tmp_path / "frames", AnimationOptions(lock_axes=False),
                   provenance=False)
    assert events == [("build", "1"), ("sent", "1"), ("build", "2"), ("sent", "2"),
                      ("build", "3"), ("sent", "3")]


def test_a_wrong_provenance_is_refused_before_any_frame(tmp_path):
    """The record is made beside the first frames; its argument is checked before them."""
    from vizwidget.errors import UsageError
    from vizwidget.export import animate_frames

    built = []
    with pytest.raises(UsageError, match="provenance must be"):
        animate_frames(built.append, [1, 2], tmp_path / "a.gif", provenance="yes")
    assert built == [] and not (tmp_path / "a.gif").exists()
