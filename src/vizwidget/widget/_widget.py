"""ExportWidget: an epoch slider, a live Plotly preview and export controls for any renderer.

The widget holds UI state only; every file is written by :mod:`vizwidget.export`.
The browser gets plotly.js from the kernel once per page (a binary message, never a CDN)
and figures per epoch as a small JSON skeleton plus raw array buffers, so neither is stored
in the notebook. Arrays the browser already holds are sent as references (content hashes).
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from threading import Event
from typing import Any, ClassVar

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher

from .._cache import LRU
from .._deprecation import renamed_keywords
from .._epochs import nearest_epoch
from .._paths import file_in, make_dir
from .._progress import cancellable
from ..compare import prepare_comparison
from ..errors import (
    ExportCancelled,
    MissingDependencyError,
    ThemeError,
    UnsupportedHostError,
    UsageError,
    VizWidgetError,
    one_line,
)
from ..export import AnimationOptions, export_figure, figure_to_bytes
from ..figures import as_figure_dict
from ..formats import ANIMATION_FORMATS, STILL_FORMATS, normalize, suffix_for
from ..runs import ArtifactLoader
from ..themes import THEMES
from . import _assets as assets
from ._host import current_host
from ._jobs import JobRunner, Watcher
from ._lod_view import TOKEN_KEY, full_indices, reduce_figure
from ._payload import KnownArrays
from ._source import CROSS_EPOCH, FigureSource, Source

PointCallback = Callable[[list[dict[str, Any]]], Any]

#: Constructor keywords that set widget traits; every other keyword goes to the renderer.
WIDGET_OPTIONS = frozenset({
    "name", "epoch", "format", "animation_format", "width", "height", "scale", "fps",
    "repeat", "theme", "output_dir", "preview_height", "browser_cache_size", "watch_interval",
    "prefetch", "static_image", "lod_threshold", "lod_points",
})
#: Width in CSS pixels of the PNG a saved notebook shows in place of the live widget.
STATIC_IMAGE_WIDTH = 800
#: Largest PNG (bytes) the view carries in its state to show before plotly draws.
STILL_BUDGET = 200_000
#: Seconds after the last epoch change before the view's still image is redrawn.
STILL_DELAY = 2.0
EVENT_KINDS = ("click", "hover", "select")
#: Bytes of arrays the browser keeps by content hash (js/src/figure_store.js: ARRAY_BUDGET).
BROWSER_ARRAY_BUDGET = 256 * 2**20


def _range(value: Any) -> list[float] | None:
    """A [low, high] axis range from a view message, or None (autorange)."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        try:
            return [float(value[0]), float(value[1])]
        except (TypeError, ValueError):
            return None
    return None


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


class ExportWidget(anywidget.AnyWidget):
    """Explore a renderer's figures epoch by epoch and export them from a notebook.

    Parameters
    ----------
    visualization
        A registered visualization name, a renderer function, a plain plotly figure
        (then there is no slider and nothing to animate), or a ready figure source such as
        a dashboard's grid (``epochs``, ``figure``, ``preview``, ``record``, ``animate`` and
        ``clear`` methods, ``name``, ``kind``, ``static`` and ``loader`` attributes); then
        only widget options may follow.
    epochs
        Epoch numbers to offer. With a ``run`` they restrict the epochs found on disk;
        without one they are required and a per-epoch renderer is called as
        ``fn(None, epoch, **kw)``, or ``fn(epoch, **kw)`` when it takes the epoch alone (one
        positional parameter, or a first one named ``epoch``).
    run
        A run folder or an :class:`~vizwidget.ArtifactLoader` (formerly ``loader``). A
        per-epoch renderer gets ``fn(loader.load(analyzer, epoch), epoch, **kw)``; a
        cross-epoch one ``fn(snapshots, epochs, current_epoch=epoch, **kw)``.
    analyzer
        Analyzer whose artifacts feed the renderer (default: the visualization's, or the only
        one in the variant).
    kind
        ``"per_epoch"`` (default for functions) or ``"cross_epoch"``.
    watch
        Poll the artifacts directory so new epochs extend the slider while training runs.
    renderer_options
        Keywords for the renderer whose names clash with widget options (formerly
        ``render_kwargs``).
    **kwargs
        Widget options (``format``, ``width``, ``height``, ``scale``, ``fps``, ``theme``,
        ``output_dir``, ``epoch``, ``name``, ...); any other keyword is passed to the renderer.
    """

    _esm = assets.ESM_PATH if assets.bundle_exists() else "export default {};"
    _css = assets.CSS_PATH if assets.bundle_exists() else ""

    name = t.Unicode(help="Base name of written files.").tag(sync=True)
    epoch = t.Int(0, help="Epoch shown; snapped to the nearest available epoch.").tag(sync=True)
    epochs = t.List(t.Int(), help="Available epochs, ascending.").tag(sync=True)
    static = t.Bool(False, help="A single figure: no slider, nothing to animate.").tag(sync=True)
    format = t.Unicode("png", help="Still format for Export.").tag(sync=True)
    animation_format = t.Unicode("gif", help="Format for Animate.").tag(sync=True)
    width = t.Int(1200, help="Export width in pixels.").tag(sync=True)
    height = t.Int(800, help="Export height in pixels.").tag(sync=True)
    scale = t.Float(2.0, help="Export scale factor.").tag(sync=True)
    fps = t.Float(5.0, help="Frames per second for Play and Animate.").tag(sync=True)
    playing = t.Bool(False, help="Whether the browser is playing through the epochs.").tag(
        sync=True)
    repeat = t.Bool(False, help="Loop back to the first epoch when playing.").tag(sync=True)
    theme = t.Unicode("", help="Theme name; '' keeps the figure's own look.").tag(sync=True)
    output_dir = t.Unicode("exports", help="Directory files are written to.").tag(sync=True)
    status = t.Unicode("", help="One line about the last or running job.").tag(sync=True)
    busy = t.Bool(False, help="An export or animation is running.").tag(sync=True)
    progress = t.Float(0.0, help="Progress of the running job, 0..1.").tag(sync=True)
    frames = t.List(t.Int(), [], help="[done, total] frames of the running animation ([] for "
                    "none).").tag(sync=True)
    seconds_left = t.Float(-1.0, help="Estimated seconds until the running animation is "
                           "done (-1 until the first frame is).").tag(sync=True)
    last_file = t.Unicode("", help="Absolute path of the last written file.").tag(sync=True)
    error = t.Unicode("", help="Error shown in the widget ('' for none).").tag(sync=True)
    preview_height = t.Int(420, help="Preview height in pixels.").tag(sync=True)
    static_image = t.Bool(True, help="Add a PNG of the figure shown to the widget's display, so "
                          "saved notebooks show it without a kernel (GitHub, nbconvert).")
    _image = t.Unicode("", help="PNG data URL of the figure shown, drawn by the export engine "
                       "when displayed and after the epoch settles: the view shows it until "
                       "plotly.js draws, and with no kernel at all.").tag(sync=True)
    browser_cache_size = t.Int(32, help="Figures kept in the browser for instant revisits.").tag(
        sync=True)
    prefetch = t.Bool(True, help="After each visit, fetch the neighbouring epochs (the slider's "
                      "direction first) into the browser cache.").tag(sync=True)
    lod_threshold = t.Int(100_000, help="Scatter traces with more points are down-sampled in "
                          "the preview (exports always use all points); 0 turns it off.").tag(
        sync=True)
    lod_points = t.Int(20_000, help="Points a down-sampled trace keeps for the visible range.").tag(
        sync=True)
    watch_interval = t.Float(2.0, help="Seconds between directory polls in watch mode (>= 1).")
    _formats = t.List(t.Unicode(), list(STILL_FORMATS)).tag(sync=True)
    _animation_formats = t.List(t.Unicode(), list(ANIMATION_FORMATS)).tag(sync=True)
    _themes = t.List(t.Unicode(), ["", *THEMES]).tag(sync=True)
    _events = t.List(t.Unicode(), []).tag(sync=True)

    #: How many times this process sent plotly.js to a browser (once per page load).
    plotly_js_sends: ClassVar[int] = 0
    _watcher: Watcher | None = None

    @renamed_keywords(render="visualization", loader="run", render_kwargs="renderer_options")
    def __init__(
        self,
        visualization: Any,
        epochs: Sequence[int] | None = None,
        *,
        run: Any = None,
        analyzer: str | None = None,
        kind: str | None = None,
        watch: bool = False,
        renderer_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        assets.check_bundle()
        options = {k: kwargs.pop(k) for k in list(kwargs) if k in WIDGET_OPTIONS}
        if isinstance(visualization, Source):
            extra = sorted(kwargs) + [k for k, v in (("epochs", epochs), ("run", run),
                                      ("analyzer", analyzer), ("kind", kind),
                                      ("renderer_options", renderer_options)) if v is not None]
            if extra:
                raise UsageError(f"A figure source takes widget options only, not "
                                 f"{', '.join(extra)}.\n"
                                 f"Use: {', '.join(sorted(WIDGET_OPTIONS))}.")
            self._source = visualization
        else:
            self._source = FigureSource(visualization, run, epochs=epochs, analyzer=analyzer,
                                        kind=kind,
                                        options={**(renderer_options or {}), **kwargs})
        available = self._source.epochs()
        options.setdefault("name", self._source.name)
        if available:
            options.setdefault("epoch", available[0])
        self._payloads = LRU(256)
        self._lod_maps = LRU(512)  # view token -> {trace: full-data index of each point}
        self._views = 0
        self._page = ""  # the kind of page the last view was drawn in (its JS says)
        self._known = KnownArrays(BROWSER_ARRAY_BUDGET // 2)
        self._jobs = JobRunner()
        self._watcher: Watcher | None = None
        self._dispatchers = {kind: CallbackDispatcher() for kind in EVENT_KINDS}
        super().__init__(epochs=available, static=self._source.static, **options)
        self.on_msg(self._on_custom_msg)
        if watch:
            self.watch()

    @classmethod
    @renamed_keywords(variant_dir="run")
    def from_variant(
        cls, run: str | os.PathLike[str], visualization: Any, **kwargs: Any
    ) -> ExportWidget:
        """A widget over a run folder: its ArtifactLoader wired, files go to ``exports/``.

        ``visualization`` is a registered name or a renderer function; ``kwargs`` as in
        :class:`ExportWidget`.
        """
        loader = ArtifactLoader(run)
        kwargs.setdefault("output_dir", str(Path(loader.variant_dir) / "exports"))
        return cls(visualization, run=loader, **kwargs)

    @classmethod
    def from_comparison(
        cls, runs: Any, visualization: Any, layout: str | None = None, **kwargs: Any
    ) -> ExportWidget:
        """A widget over a comparison of runs, as :func:`vizwidget.comparison_figure` draws it.

        ``runs`` and ``layout`` as there; ``kwargs`` are widget options (as in
        :class:`ExportWidget`) and comparison options (``band=``, ``processing=``, renderer
        options). The slider offers the epochs an animation of the comparison would show.
        Over a thousand runs, an overlay draws every run's line and a step only moves the
        current-epoch marks (see :func:`vizwidget.compare.prepare_comparison`).
        """
        options = {k: kwargs.pop(k) for k in list(kwargs) if k in WIDGET_OPTIONS}
        vis, variants, figure = prepare_comparison(runs, visualization, layout, **kwargs)
        options.setdefault("name", f"{vis.name} of {len(variants)} runs")
        return cls(figure, epochs=variants.sweep_epochs(vis), **options)

    # ---- validation: clamp into range rather than fail later ----
    @t.validate("epoch")
    def _valid_epoch(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not self.epochs or value in self.epochs:
            return value
        return nearest_epoch(self.epochs, value)

    @t.observe("epochs")
    def _epochs_changed(self, change: Any) -> None:
        if self.epochs and self.epoch not in self.epochs:
            self.epoch = self.epoch  # re-validate: snaps to the nearest epoch

    @t.validate("width", "height")
    def _valid_size(self, proposal: Any) -> int:
        return int(_clamp(int(proposal["value"]), 1, 16384))

    @t.validate("scale")
    def _valid_scale(self, proposal: Any) -> float:
        return float(_clamp(proposal["value"], 0.1, 16.0))

    @t.validate("fps")
    def _valid_fps(self, proposal: Any) -> float:
        return float(_clamp(proposal["value"], 0.1, 120.0))

    @t.validate("watch_interval")
    def _valid_interval(self, proposal: Any) -> float:
        return float(max(proposal["value"], 1.0))

    @t.validate("browser_cache_size", "preview_height")
    def _valid_positive(self, proposal: Any) -> int:
        return max(int(proposal["value"]), 1)

    @t.validate("format")
    def _valid_format(self, proposal: Any) -> str:
        return normalize(proposal["value"], STILL_FORMATS)

    @t.validate("animation_format")
    def _valid_animation_format(self, proposal: Any) -> str:
        return normalize(proposal["value"], ANIMATION_FORMATS)

    @t.validate("theme")
    def _valid_theme(self, proposal: Any) -> str:
        value = proposal["value"] or ""
        if value and value not in self._themes:
            names = ", ".join(n for n in self._themes if n) or "(none available)"
            raise ThemeError(f"Unknown theme {value!r}.\nUse one of: {names}.")
        return value

    @t.observe("theme", "lod_threshold", "lod_points")
    def _theme_changed(self, change: Any) -> None:
        self._payloads.clear()
        if self.comm is not None:
            self.send({"type": "invalidate"})

    # ---- figures ----
    def figure(self, epoch: int | None = None) -> Any:
        """The plotly figure of ``epoch`` (default: the epoch shown), a ``go.Figure``.

        A widget made from a figure returns that figure itself.
        """
        fig = self._source.figure(self.epoch if epoch is None else int(epoch))
        if isinstance(fig, dict):
            import plotly.graph_objects as go

            return go.Figure(fig)
        return fig

    def _payload(self, epoch: int, ranges: tuple[Any, Any] | None = None) -> Any:
        """The preview payload of ``epoch``; with ``ranges`` (x, y) the refined zoomed view."""
        key = (epoch, self.theme, self.lod_threshold, self.lod_points)
        payload = None if ranges else self._payloads.get(key)
        if payload is None:
            figure = as_figure_dict(self._source.preview(epoch))
            if self.lod_threshold > 0:
                view = reduce_figure(figure, self.lod_threshold, max(self.lod_points, 100),
                                     *(ranges or (None, None)))
                if view.maps:
                    self._views += 1
                    token = f"{epoch}/{self._views}"
                    self._lod_maps.put(token, view.maps)
                    figure = view.figure
                    figure["layout"][TOKEN_KEY] = token
            payload = assets.figure_payload(figure, self.theme)
            if not ranges:
                self._payloads.put(key, payload)
        return payload

    def _send_view(self, epoch: int, xrange: Any, yrange: Any) -> None:
        """Send the down-sampled points of the zoomed range (a ``view`` figure message)."""
        try:
            payload = self._payload(epoch, (xrange, yrange))
        except Exception as err:  # a renderer error is shown, never fatal
            self.send({"type": "figure", "view": True, "epoch": epoch, "error": str(err)})
            return
        content, buffers = payload.message(epoch, None)
        content["view"] = True
        self.send(content, buffers)

    def _send_figure(self, epoch: int, full: bool = False, prefetch: bool = False) -> None:
        """Send a figure; arrays the browser holds go as references unless ``full``.

        A ``prefetch`` (a neighbour fetched ahead of the user) leaves :attr:`error` alone.
        """
        try:
            payload = self._payload(epoch)
        except Exception as err:  # a renderer error is shown, never fatal
            if not prefetch:
                self.error = str(err)
            self.send({"type": "figure", "epoch": epoch, "error": str(err)})
            return
        content, buffers = payload.message(epoch, None if full else self._known)
        if full:  # the browser missed something: from now on it holds what we just sent
            for arr in payload.arrays:
                self._known.add(arr.id, arr.nbytes)
        if prefetch:
            content["prefetch"] = True
        self.send(content, buffers)
        if not prefetch and self.error.startswith("Renderer "):
            self.error = ""

    def _on_custom_msg(self, _widget: Any, content: dict[str, Any], buffers: Any) -> None:
        kind = content.get("type")
        try:
            if kind == "plotly":
                self.send({"type": "plotly"}, [assets.plotly_js()])
                ExportWidget.plotly_js_sends += 1
            elif kind == "figure":
                if content.get("reset"):  # a new page: it holds no arrays yet
                    self._known.clear()
                self._send_figure(int(content["epoch"]), full=bool(content.get("full")),
                                  prefetch=bool(content.get("prefetch")))
            elif kind == "view":
                self._send_view(int(content["epoch"]), _range(content.get("xrange")),
                                _range(content.get("yrange")))
            elif kind == "event":
                self._dispatch_event(content)
            elif kind == "export":
                self.export_async()
            elif kind == "animate":
                self.animate_async()
            elif kind == "cancel":
                self.cancel()
            elif kind == "page":
                self._page = str(content.get("page", ""))[:20]
        except VizWidgetError as err:
            self.status = one_line(err)

    # ---- events ----
    def _dispatch_event(self, content: dict[str, Any]) -> None:
        kind = content.get("kind")
        if kind not in self._dispatchers:
            return
        self._dispatchers[kind](self._event_points(content))

    def _event_points(self, content: dict[str, Any]) -> list[dict[str, Any]]:
        """The points of an event message as callbacks get them (full-data indices)."""
        epoch = content.get("epoch")
        points = [{**p, "epoch": epoch} for p in content.get("points") or []
                  if isinstance(p, dict)]
        maps = self._lod_maps.get(content.get("lod")) if content.get("lod") else None
        if maps:  # the preview drew a down-sampled trace: report full-data indices
            points = full_indices(points, maps)
        return points

    def _register(self, kind: str, callback: PointCallback, remove: bool) -> None:
        self._dispatchers[kind].register_callback(callback, remove=remove)
        self._events = [k for k in EVENT_KINDS if self._dispatchers[k].callbacks]

    def on_click(self, callback: PointCallback, remove: bool = False) -> None:
        """Call ``callback(points)`` when a point is clicked.

        Each point is a dict with ``trace``, ``point`` (index), ``x``, ``y``, ``z``,
        ``customdata``, ``text`` and ``epoch``.
        """
        self._register("click", callback, remove)

    def on_hover(self, callback: PointCallback, remove: bool = False) -> None:
        """Call ``callback(points)`` when the pointer hovers points (throttled to 20/s)."""
        self._register("hover", callback, remove)

    def on_select(self, callback: PointCallback, remove: bool = False) -> None:
        """Call ``callback(points)`` with the points of a box or lasso selection."""
        self._register("select", callback, remove)

    # ---- export and animation (files are written by vizwidget.export) ----
    def _path(self, stem: str, fmt: str) -> Path:
        """``output_dir/stem.ext``; ``stem`` is sanitised, so the file stays in the folder."""
        return file_in(make_dir(self.output_dir), stem, suffix_for(fmt))

    def _options(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "scale": self.scale,
                "theme": self.theme or None}

    def _submit(self, label: str, work: Callable[[Event], Path]) -> Future:
        def run(cancel: Event) -> Path:
            self.busy, self.progress, self.status, self.error = True, 0.0, f"{label}…", ""
            try:
                path = Path(work(cancel))
            except Exception as err:
                if isinstance(err, ExportCancelled):
                    self.status, self.progress = "Cancelled, nothing written.", 0.0
                else:
                    self.status, self.error = f"{label} failed.", str(err)
                raise
            finally:
                self.busy, self.frames, self.seconds_left = False, [], -1.0
            self.progress, self.last_file, self.status = 1.0, str(path), f"Wrote {path.name}"
            return path

        return self._jobs.start(label.lower(), run)

    def _wait(self, future: Future) -> Path:
        try:
            return future.result()
        except KeyboardInterrupt:
            self.cancel()
            raise

    def export_async(self, format: str | None = None) -> Future:
        """Start :meth:`export` in a background thread; returns a Future of the path."""
        fmt = normalize(format or self.format, STILL_FORMATS)
        epoch = None if self.static else self.epoch
        stem = self.name if epoch is None else f"{self.name}_epoch{epoch}"
        options = self._options()
        source = self._source  # what is shown now, even if the source changes meanwhile

        def work(_cancel: Event) -> Path:
            fig = source.figure(epoch)
            path = self._path(stem, fmt)
            return export_figure(fig, path, format=fmt,
                                 provenance=source.record(epoch, path), **options)

        return self._submit("Exporting", work)

    def export(self, format: str | None = None) -> Path:
        """Write the epoch shown as a still image/document; returns the written path.

        ``format`` defaults to the picker's (:attr:`format`): png, jpeg, webp, svg, pdf,
        html or json. Files go to :attr:`output_dir` as ``{name}_epoch{epoch}.{suffix}``.
        """
        return self._wait(self.export_async(format))

    def animate_async(
        self, format: str | None = None, epochs: Sequence[int] | None = None
    ) -> Future:
        """Start :meth:`animate` in a background thread; returns a Future of the path.

        The kernel stays responsive; :attr:`progress` streams to the bar and :meth:`cancel`
        stops the job leaving no file.
        """
        fmt = normalize(format or self.animation_format, ANIMATION_FORMATS)
        chosen = sorted(int(e) for e in (epochs if epochs is not None else self.epochs))
        if self.static or not chosen:
            raise UsageError(
                "Nothing to animate: the widget has no epochs.\n"
                "Give ExportWidget a renderer with epochs (or a loader) to animate."
            )
        path = self._path(f"{self.name}_epochs{chosen[0]}-{chosen[-1]}", fmt)
        options = AnimationOptions(fps=self.fps, width=self.width, height=self.height,
                                   scale=self.scale, theme=self.theme or None)
        source = self._source

        def work(cancel: Event) -> Path:
            return source.animate(path, chosen, options=options,
                                  progress=cancellable(self._frame_counter(len(chosen)), cancel))

        return self._submit("Animating", work)

    def _frame_counter(self, total: int) -> Callable[[int, int], None]:
        """Set :attr:`frames` to 0/total now; the callback updates it and the time left."""
        start = time.monotonic()
        self.frames, self.seconds_left = [0, total], -1.0

        def progress(done: int, total: int) -> None:
            elapsed = time.monotonic() - start
            self.progress = done / total if total else 0.0
            self.seconds_left = (elapsed / done * (total - done)) if done else -1.0
            self.frames = [done, total]

        return progress

    def animate(self, format: str | None = None, epochs: Sequence[int] | None = None) -> Path:
        """Write an animation over ``epochs`` (default: all) and return its path.

        ``format`` defaults to :attr:`animation_format`: gif, mp4, webm, webp, png (APNG)
        or html. Runs in a background thread; interrupting the kernel cancels it.
        """
        return self._wait(self.animate_async(format, epochs))

    def cancel(self) -> None:
        """Cancel the running animation; it stops at the next frame and writes nothing."""
        if self._jobs.running:
            self.status = "Cancelling…"
        self._jobs.cancel()

    # ---- watch mode ----
    def refresh(self) -> list[int]:
        """Re-read the epochs on disk (what watch mode does every poll); returns them."""
        found = self._source.epochs()
        if found != list(self.epochs):
            if self._source.kind == CROSS_EPOCH:  # every figure shows all epochs
                self._source.clear()
                self._payloads.clear()
                if self.comm is not None:
                    self.send({"type": "invalidate"})
            self.epochs = found
        return found

    def _poll(self) -> None:
        try:
            self.refresh()
        except Exception as err:  # keep watching; say what happened
            self.status = f"Watch: {str(err).splitlines()[0]}"

    def watch(self, interval: float | None = None) -> None:
        """Extend the slider as new epoch files appear (polls every ``interval`` >= 1 s)."""
        if self._source.loader is None:
            raise UsageError(
                "Watch mode needs an artifacts directory.\n"
                "Use ExportWidget.from_variant(...) or pass run=."
            )
        if interval is not None:
            self.watch_interval = interval
        self.unwatch()
        self._watcher = Watcher(self._poll, self.watch_interval)
        self._watcher.start()

    def unwatch(self) -> None:
        """Stop watch mode."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    @property
    def watching(self) -> bool:
        """True while watch mode polls the artifacts directory."""
        return self._watcher is not None and self._watcher.alive

    # ---- display ----
    def __repr__(self) -> str:
        if self.static:
            return f"ExportWidget({self.name!r}: one figure)"
        span = f" {self.epochs[0]}..{self.epochs[-1]}" if self.epochs else ""
        return f"ExportWidget({self.name!r}: epoch {self.epoch} of {len(self.epochs)}{span})"

    def _still_png(self) -> bytes | None:
        """A PNG of the figure shown (the export engine draws it); None if that fails."""
        try:
            return figure_to_bytes(self._source.figure(None if self.static else self.epoch),
                                   "png", STATIC_IMAGE_WIDTH, self.preview_height, 1,
                                   theme=self.theme or None)
        except VizWidgetError:  # the live widget shows the error; the image is optional
            return None

    def _set_image(self, png: bytes | None) -> None:
        """Carry ``png`` in the view's state when it is small enough, else nothing."""
        small = png is not None and len(png) <= STILL_BUDGET
        self._image = ("data:image/png;base64," + base64.b64encode(png).decode("ascii")
                       if small else "")

    @t.observe("epoch", "theme")
    def _schedule_image(self, change: Any) -> None:
        """Redraw the still image once the epoch has settled (not at every step of Play)."""
        if not self._image:
            return
        timer = getattr(self, "_image_timer", None)
        if timer is not None:
            timer.cancel()
        self._image_timer = threading.Timer(STILL_DELAY, self._refresh_image)
        self._image_timer.daemon = True
        self._image_timer.start()

    def _refresh_image(self) -> None:
        if self.comm is not None and not self._jobs.running:
            self._set_image(self._still_png())

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget view plus, unless ``static_image=False``, a PNG of the figure shown.

        Front ends with a kernel draw the live widget (showing the PNG until plotly.js has
        drawn); viewers without one show the PNG: GitHub and nbconvert HTML without widget
        state as an image output, with widget state inside the view.
        """
        png = self._still_png() if self.static_image else None
        self._set_image(png)
        bundle = super()._repr_mimebundle_(**kwargs)
        if png is None or bundle is None:
            return bundle
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = {**data, "image/png": base64.b64encode(png).decode("ascii")}
        return data, metadata

    # ---- placement and lifetime ----
    def show_in_sidebar(self, title: str | None = None, anchor: str = "right") -> Any:
        """Show the widget in JupyterLab's right sidebar; returns the ``Sidecar``.

        Raises
        ------
        UnsupportedHostError
            In marimo, Voila or Notebook 7, which show no such sidebar.
        """
        host = "notebook7" if self._page == "notebook7" else current_host()
        if host != "jupyter":
            name = {"marimo": "marimo", "voila": "Voila", "notebook7": "Notebook 7"}[host]
            raise UnsupportedHostError(
                f"show_in_sidebar needs JupyterLab's sidebar, which {name} does not have.\n"
                "Display the widget in a cell instead (or open the notebook in JupyterLab)."
            )
        try:
            from IPython.display import display
            from sidecar import Sidecar
        except ImportError as err:
            raise MissingDependencyError(
                "show_in_sidebar needs jupyterlab-sidecar.\n"
                "Install it with: pip install 'vizwidget[sidebar]'"
            ) from err
        sidecar = Sidecar(title=title or self.name, anchor=anchor)
        with sidecar:
            display(self)
        return sidecar

    def close(self) -> None:
        """Stop watch mode and any running job, then close the widget."""
        self.unwatch()
        timer = getattr(self, "_image_timer", None)
        if timer is not None:
            timer.cancel()
        jobs = getattr(self, "_jobs", None)
        if jobs is not None:
            jobs.cancel()
        super().close()
