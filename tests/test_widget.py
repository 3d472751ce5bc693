"""ExportWidget behaviour without a browser: traits, messages, caching, jobs, watch mode."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from widget_messages import Sent, decode, request

import vizwidget
from vizwidget.errors import FormatError, ThemeError, UnsupportedHostError, VizWidgetError
from vizwidget.widget import ExportWidget
from vizwidget.widget import _assets as assets

ROOT = Path(__file__).resolve().parents[1]


def line(data, epoch, offset=0):
    """A per-epoch renderer that needs no data."""
    return go.Figure(go.Scatter(x=[0, 1, 2], y=[epoch, epoch + 1, offset]))


def test_bundle_is_built_and_small():
    assert assets.bundle_exists(), assets.bundle_missing_message()
    # plotly.js is not inlined: each widget's _esm stays tiny in the saved notebook
    assert assets.ESM_PATH.stat().st_size < 100_000
    assert b"cdn" not in assets.ESM_PATH.read_bytes().lower()


def test_python_version_pinned_to_package_json():
    package = json.loads((ROOT / "js" / "package.json").read_text())
    assert package["version"] == vizwidget.__version__


def test_js_model_mirrors_synced_traits():
    source = (ROOT / "js" / "src" / "model.js").read_text()
    documented = set(re.findall(r"@property \{[^}]+\} (\w+)", source))
    base = set(ExportWidget.__mro__[1].class_trait_names(sync=True))
    own = set(ExportWidget.class_trait_names(sync=True)) - base - {"_esm", "_css"}
    assert own == documented


def test_missing_bundle_says_what_to_run(monkeypatch, tmp_path):
    monkeypatch.setattr(assets, "ESM_PATH", tmp_path / "widget.js")
    with pytest.raises(VizWidgetError, match="make build-js"):
        ExportWidget(go.Figure())


def test_plain_figure_has_no_slider_and_nothing_to_animate():
    fig = go.Figure(go.Bar(y=[1, 2]))
    w = ExportWidget(fig)
    assert w.static and w.epochs == []
    assert w.figure() is fig
    with pytest.raises(VizWidgetError, match="Nothing to animate"):
        w.animate()


def test_epochs_sorted_and_epoch_snaps_to_nearest():
    w = ExportWidget(line, epochs=[500, 0, 100, 2000])
    assert w.epochs == [0, 100, 500, 2000] and w.epoch == 0
    w.epoch = 260
    assert w.epoch == 100
    w.epoch = 99999
    assert w.epoch == 2000
    w.epochs = [0, 100]
    assert w.epoch == 100


def test_values_are_clamped_and_names_validated():
    w = ExportWidget(line, epochs=[1], width=0, scale=100, fps=0)
    assert (w.width, w.scale, w.fps) == (1, 16.0, 0.1)
    w.format = "JPG"
    assert w.format == "jpeg"
    with pytest.raises(FormatError, match="Use one of"):
        w.format = "bogus"
    with pytest.raises(FormatError):
        w.animation_format = "pdf"
    with pytest.raises(ThemeError, match="Use one of"):
        w.theme = "no-such-theme"


def test_keywords_split_between_widget_and_renderer():
    calls = []

    def rend(data, epoch, offset=0, width=None):
        calls.append((data, epoch, offset, width))
        return go.Figure()

    w = ExportWidget(rend, epochs=[3], offset=7, width=640, renderer_options={"width": 5})
    w.figure()
    assert w.width == 640
    assert calls == [(None, 3, 7, 5)]


def test_renderer_needs_epochs_or_loader():
    with pytest.raises(VizWidgetError, match="needs epochs or a run"):
        ExportWidget(line)
    with pytest.raises(VizWidgetError, match="needs a run"):
        ExportWidget(line, epochs=[1], kind="cross_epoch")
    with pytest.raises(TypeError):
        ExportWidget(42)


def test_figure_request_answers_with_raw_arrays_and_caches_in_python():
    calls = []

    def rend(data, epoch):
        calls.append(epoch)
        return go.Figure(go.Scattergl(y=np.arange(10_000) * epoch, x=np.linspace(0, 1, 10_000)))

    w = ExportWidget(rend, epochs=[0, 10])
    sent = Sent(w)
    request(w, type="figure", epoch=10)
    request(w, type="figure", epoch=10, full=True)
    (content, buffers), _ = sent.of("figure")
    assert content["epoch"] == 10 and len(content["arrays"]) == 2
    assert len(buffers[0]) < 20_000  # the JSON skeleton is small: no array in it
    assert b"bdata" not in bytes(buffers[0])
    assert sorted(len(b) for b in buffers[1:]) == [40_000, 80_000]  # i4 y, f8 x: raw bytes
    fig = decode(content, buffers)
    assert fig["data"][0]["type"] == "scattergl"
    np.testing.assert_array_equal(fig["data"][0]["y"], np.arange(10_000) * 10)
    np.testing.assert_array_equal(fig["data"][0]["x"], np.linspace(0, 1, 10_000))
    assert calls == [10]


def test_numpy_arrays_in_figure_dicts_travel_raw():
    from vizwidget.widget._payload import split_figure

    z = np.arange(12, dtype=">f4").reshape(3, 4)  # big-endian, 2-D
    big = np.array([0, 2**40], dtype=np.int64)  # no 64-bit ints in plotly.js
    payload = split_figure({"data": [{"type": "heatmap", "z": z, "x": big,
                                      "text": np.array(["a", "b"])}], "layout": {}})
    kinds = [(a.dtype, a.shape) for a in payload.arrays]
    assert kinds == [("f4", (3, 4)), ("f8", (2,))]
    content, buffers = payload.message(0)
    fig = decode(content, buffers)
    np.testing.assert_array_equal(fig["data"][0]["z"], z)
    np.testing.assert_array_equal(fig["data"][0]["x"], big.astype(float))
    assert fig["data"][0]["text"] == ["a", "b"]


def test_axes_of_numeric_scatters_are_typed_for_the_browser():
    from vizwidget.widget._payload import split_figure

    def layout(*traces, **axes):
        skeleton = json.loads(split_figure({"data": list(traces), "layout": axes}).skeleton)
        return {k: v.get("type") for k, v in skeleton["layout"].items() if "axis" in k}

    x, y = np.arange(5.0), np.arange(5)
    assert layout({"type": "scattergl", "x": x, "y": y}) == {"xaxis": "linear",
                                                             "yaxis": "linear"}
    # plotly.js infers what it must: strings, dates, other trace types, typed or matched axes
    assert layout({"type": "scatter", "x": ["a", "b"], "y": y}) == {"yaxis": "linear"}
    assert layout({"type": "scatter", "x": x, "y": y},
                  {"type": "bar", "x": x, "y": y, "xaxis": "x2", "yaxis": "y2"}) == {
        "xaxis": "linear", "yaxis": "linear"}
    assert layout({"type": "scatter", "x": x, "y": y}, {"type": "bar", "x": ["a"], "y": y}) == {}
    assert layout({"type": "scatter", "x": x, "y": y}, yaxis={"type": "log"}) == {
        "xaxis": "linear", "yaxis": "log"}
    assert layout({"type": "scatter", "x": x, "y": y}, xaxis2={"matches": "x"}) == {
        "xaxis2": None}


def test_arrays_the_browser_holds_are_sent_by_reference():
    x = np.linspace(0, 1, 5_000)
    w = ExportWidget(lambda d, e: go.Figure(go.Scattergl(x=x, y=x * e + 1)), epochs=[1, 2, 3])
    sent = Sent(w)
    held = {}
    request(w, type="figure", epoch=1, reset=True)
    request(w, type="figure", epoch=2)
    request(w, type="figure", epoch=1)
    first, second, again = sent.of("figure")
    assert [len(b) for b in first[1][1:]] == [40_000, 40_000]
    assert [len(b) for b in second[1][1:]] == [40_000]  # x is shared: a reference only
    assert len(again[1]) == 1  # every array known: the skeleton alone
    for epoch, (content, buffers) in zip([1, 2, 1], [first, second, again], strict=True):
        fig = decode(content, buffers, held)
        np.testing.assert_array_equal(fig["data"][0]["x"], x)
        np.testing.assert_array_equal(fig["data"][0]["y"], x * epoch + 1)
    # the browser missed (evicted, reloaded): a full answer carries every array again
    request(w, type="figure", epoch=2, full=True)
    content, buffers = sent.of("figure")[-1]
    assert all("buffer" in spec for spec in content["arrays"])
    np.testing.assert_array_equal(decode(content, buffers)["data"][0]["y"], x * 2 + 1)
    # a new page says it holds nothing: the next answer is full as well
    request(w, type="figure", epoch=3, reset=True)
    content, _ = sent.of("figure")[-1]
    assert all("buffer" in spec for spec in content["arrays"])


def test_python_belief_of_browser_arrays_is_bounded():
    from vizwidget.widget._payload import KnownArrays

    known = KnownArrays(budget=100)
    known.add("a", 60)
    known.add("b", 30)
    assert known.touch("a")  # a is now the most recently used
    known.add("c", 30)  # over budget: b, the least recently used, goes
    assert "a" in known and "c" in known and "b" not in known


def test_prefetch_errors_leave_the_widget_error_alone():
    def flaky(data, epoch):
        if epoch == 2:
            raise ValueError("boom")
        return go.Figure(go.Scatter(y=[epoch]))

    w = ExportWidget(flaky, epochs=[1, 2, 3])
    assert w.prefetch is True
    sent = Sent(w)
    request(w, type="figure", epoch=2, prefetch=True)
    assert "boom" in sent.of("figure")[-1][0]["error"] and w.error == ""
    request(w, type="figure", epoch=2)
    assert "epoch 2" in w.error
    request(w, type="figure", epoch=3, prefetch=True)  # a neighbour arriving keeps the error
    assert sent.of("figure")[-1][0]["prefetch"] is True and "epoch 2" in w.error
    w2 = ExportWidget(flaky, epochs=[1, 2, 3], prefetch=False)
    assert w2.prefetch is False


def test_renderer_error_is_shown_and_the_widget_keeps_working():
    def flaky(data, epoch):
        if epoch == 2:
            raise ValueError("boom")
        return go.Figure(go.Scatter(y=[epoch]))

    w = ExportWidget(flaky, epochs=[1, 2, 3])
    sent = Sent(w)
    request(w, type="figure", epoch=2)
    content, buffers = sent.of("figure")[-1]
    assert "epoch 2" in content["error"] and "boom" in content["error"]
    assert "epoch 2" in w.error
    request(w, type="figure", epoch=3)
    content, buffers = sent.of("figure")[-1]
    assert "error" not in content and buffers
    assert w.error == ""


def test_plotly_js_is_sent_from_the_installed_package():
    import plotly

    w = ExportWidget(go.Figure())
    sent = Sent(w)
    before = ExportWidget.plotly_js_sends
    request(w, type="plotly")
    (content, buffers), = sent.of("plotly")
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert bytes(buffers[0]) == shipped.read_bytes()
    assert ExportWidget.plotly_js_sends == before + 1


def test_click_events_reach_callbacks_with_epoch():
    w = ExportWidget(line, epochs=[5, 6])
    got = []
    assert w._events == []
    w.on_click(got.append)
    assert w._events == ["click"]
    point = {"trace": 0, "point": 2, "x": 2, "y": 0, "z": None, "customdata": None, "text": None}
    request(w, type="event", kind="click", epoch=6, points=[point])
    assert got == [[{**point, "epoch": 6}]]
    w.on_click(got.append, remove=True)
    assert w._events == []


def test_theme_change_invalidates_browser_figures():
    w = ExportWidget(line, epochs=[1])
    sent = Sent(w)
    w.theme = w._themes[-1]
    assert sent.of("invalidate")


def test_sidebar_uses_sidecar():
    from sidecar import Sidecar

    w = ExportWidget(go.Figure())
    sc = w.show_in_sidebar(title="run 1")
    assert isinstance(sc, Sidecar) and sc.title == "run 1" and sc.anchor == "right"


@pytest.mark.parametrize(("how", "host"), [("env", "Voila"), ("page", "Notebook 7")])
def test_sidebar_outside_jupyterlab_says_so_in_one_line(monkeypatch, how, host):
    w = ExportWidget(go.Figure())
    if how == "env":  # Voila gives its kernels this variable
        monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    else:  # a view drawn in Notebook 7 says so
        request(w, type="page", page="notebook7")
    with pytest.raises(UnsupportedHostError) as err:
        w.show_in_sidebar()
    first, second = str(err.value).splitlines()
    assert first == f"show_in_sidebar needs JupyterLab's sidebar, which {host} does not have."
    assert second.startswith("Display the widget in a cell")
    request(w, type="page", page="jupyterlab")  # the same kernel, now drawn in JupyterLab
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    assert w.show_in_sidebar() is not None


def write_epoch(variant: Path, epoch: int) -> None:
    folder = variant / "artifacts" / "weights"
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / f"epoch_{epoch:05d}.npz", w=np.full(3, float(epoch)))


def weights_renderer(data, epoch):
    return go.Figure(go.Bar(y=data["w"]), layout={"title": {"text": f"epoch {epoch}"}})


def test_loader_feeds_renderer_and_watch_extends_slider(tmp_path):
    for epoch in (0, 100, 300):
        write_epoch(tmp_path, epoch)
    w = ExportWidget.from_variant(tmp_path, weights_renderer, watch_interval=1.0)
    assert w.epochs == [0, 100, 300]
    assert list(w.figure(100).data[0].y) == [100.0] * 3
    assert Path(w.output_dir) == tmp_path.resolve() / "exports"
    w.watch()
    assert w.watching
    write_epoch(tmp_path, 800)
    deadline = time.monotonic() + 10
    while w.epochs != [0, 100, 300, 800] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert w.epochs == [0, 100, 300, 800]
    watcher = w._watcher._thread
    w.close()
    assert not w.watching and not watcher.is_alive()


def test_watch_interval_is_at_least_one_second():
    w = ExportWidget(line, epochs=[1])
    w.watch_interval = 0.01
    assert w.watch_interval == 1.0
    with pytest.raises(VizWidgetError, match="artifacts directory"):
        w.watch()


def test_jobs_run_in_a_thread_and_report_progress(monkeypatch, tmp_path):
    """Job plumbing with a stand-in writer: progress, cancel, one job at a time."""
    from vizwidget.errors import ExportCancelled

    started = threading.Event()

    def fake_animate(self, path, epochs, *, progress, **options):
        for i in range(len(epochs)):
            progress(i + 1, len(epochs))  # raises ExportCancelled once cancelled
            started.set()
            time.sleep(0.2)
        return path

    monkeypatch.setattr(type(ExportWidget(line, epochs=[1])._source), "animate", fake_animate)
    w = ExportWidget(line, epochs=list(range(0, 50, 5)), output_dir=str(tmp_path))
    future = w.animate_async("gif")
    assert started.wait(5)
    assert w.busy and 0 < w.progress < 1
    with pytest.raises(VizWidgetError, match="already exporting"):
        w.animate_async()
    w.cancel()
    with pytest.raises(ExportCancelled):
        future.result(10)
    assert not w.busy and w.status.startswith("Cancelled")
    assert w.animate("gif", epochs=[0, 5]) == tmp_path / "line_epochs0-5.gif"
    assert w.progress == 1.0 and w.last_file.endswith("line_epochs0-5.gif")


@pytest.mark.browser
@pytest.mark.parametrize("name", ["singular_value_spectrum", "parameter_velocity"])
def test_registered_visualization_on_demo_variant(demo_variant, tmp_path, name):
    """Per-epoch and cross-epoch registry names: preview figures and a real GIF."""
    from PIL import Image

    w = ExportWidget.from_variant(demo_variant, name, output_dir=str(tmp_path),
                                  width=300, height=200, scale=1)
    assert len(w.epochs) >= 3
    sent = Sent(w)
    request(w, type="figure", epoch=w.epochs[1])
    content, buffers = sent.of("figure")[-1]
    assert "error" not in content and json.loads(bytes(buffers[0]))["data"]
    chosen = w.epochs[:3]
    path = w.animate("gif", epochs=chosen)
    with Image.open(path) as gif:
        assert gif.n_frames == 3
    still = w.export("svg")
    assert still.read_text().lstrip().startswith(("<svg", "<?xml"))


def test_a_plain_function_of_the_epoch_needs_no_loader():
    def by_epoch(epoch, offset=0):
        return go.Figure(go.Scatter(y=[epoch, offset]))

    def named(epoch, scale=2):
        return go.Figure(go.Scatter(y=[epoch * scale]))

    w = ExportWidget(by_epoch, epochs=[3, 5], offset=7)
    assert w.name == "by_epoch"
    assert list(w.figure(5).data[0].y) == [5, 7]
    assert list(ExportWidget(named, epochs=[4]).figure().data[0].y) == [8]
    assert list(ExportWidget(line, epochs=[2]).figure().data[0].y) == [2, 3, 0]  # (data, epoch)


def test_animate_reports_frames_and_time_left(monkeypatch, tmp_path):
    seen = []

    def fake_animate(self, path, epochs, *, progress, **options):
        seen.append((list(w.frames), w.seconds_left))
        for i in range(len(epochs)):
            time.sleep(0.05)
            progress(i + 1, len(epochs))
            seen.append((list(w.frames), w.seconds_left))
        path.write_bytes(b"GIF89a")
        return path

    w = ExportWidget(line, epochs=[0, 1, 2, 3], output_dir=str(tmp_path))
    monkeypatch.setattr(type(w._source), "animate", fake_animate)
    w.animate("gif")
    assert seen[0] == ([0, 4], -1.0)  # shown from the start, time left once a frame is done
    assert [f for f, _ in seen[1:]] == [[1, 4], [2, 4], [3, 4], [4, 4]]
    assert 0.1 < seen[1][1] < 0.6 and seen[-1][1] == 0.0
    assert (w.frames, w.seconds_left) == ([], -1.0)  # cleared when the job ends
