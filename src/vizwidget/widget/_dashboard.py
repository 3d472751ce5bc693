"""Dashboard: one epoch slider, ◀ ▶, Play and epoch box for a grid of panels.

The dashboard is an :class:`ExportWidget` whose figure source is the grid: at each slider
epoch every panel's figure (made by its own FigureSource, through the registry) is composed
into one Plotly figure. The browser front end, its figure cache and prefetch, plotly.js once
per page, background jobs, cancel and progress are the ExportWidget's, unchanged; what the
preview draws is exactly what Export writes.
"""

from __future__ import annotations

import html
import textwrap
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from threading import Event
from typing import Any

import traitlets as t

from .._cache import LRU
from .._progress import Progress, cancellable
from ..errors import UsageError, VizWidgetError, one_line
from ..export import AnimationOptions, animate_frames
from ..formats import STILL_FORMATS, normalize
from ..runs import ArtifactLoader
from . import _assets as assets
from ._filters import check_filters, describe, hparams_of, matches, metric_choices, metric_options
from ._grid import compose_grid, default_columns
from ._jobs import Watcher
from ._panels import Panel, plan_panels
from ._source import CROSS_EPOCH
from ._widget import WIDGET_OPTIONS, ExportWidget

#: Pixels per panel of an export (width, height) and of the preview (height).
PANEL_SIZE = (560, 420)
PANEL_PREVIEW_HEIGHT = 330


def _message_figure(text: str, color: str = "#b00020", width: int = 60) -> dict:
    """A figure with nothing but ``text`` (escaped) in its middle."""
    hidden = {"visible": False}
    lines = textwrap.wrap(text, width)[:6]
    return {"data": [], "layout": {"xaxis": hidden, "yaxis": hidden, "annotations": [{
        "text": "<br>".join(html.escape(line) for line in lines), "showarrow": False,
        "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "xanchor": "center",
        "yanchor": "middle", "align": "left",
        "font": {"color": color, "size": 11}}]}}


def _failed_panel(err: Exception) -> dict:
    """A panel figure that shows why its renderer failed, in the middle of the cell."""
    return _message_figure(one_line(err))


def _columns(loader: ArtifactLoader) -> list[str]:
    """The metric columns a run logged ([] when it has no readable metrics)."""
    try:
        return list(loader.metrics())
    except VizWidgetError:
        return []


def _check_metric(metric: Any, choices: Sequence[str]) -> str:
    """``metric`` when it is '' or one of ``choices``, else a UsageError naming them."""
    if metric == "" or (isinstance(metric, str) and metric in choices):
        return metric
    raise UsageError(f"The dashboard has no metric {metric!r}.\n"
                     f"Use '' (each panel's default) or one of: {', '.join(choices)}.")


class GridSource:
    """The grid figure per slider epoch: every panel composed into one figure (cached).

    It stands where an ExportWidget has its FigureSource (same methods). ``kind`` is
    cross-epoch because any grid figure may change when a panel's epochs change.
    """

    kind = CROSS_EPOCH
    static = False
    loader = None
    name = "dashboard"

    def __init__(self, panels: Sequence[Panel], columns: int | None = None,
                 cache_size: int = 64, *, context: dict[str, Any] | None = None,
                 empty: str = "", epochs: Sequence[int] = ()) -> None:
        self.panels = list(panels)
        self.columns = (default_columns(max(1, len(self.panels))) if columns is None
                        else columns)
        if isinstance(self.columns, bool) or not isinstance(self.columns, int) or self.columns < 1:
            raise UsageError(f"columns={columns!r} is not a number of columns.\n"
                             "Pass a positive integer, or leave it out.")
        #: Extra provenance fields of every file (the dashboard's filters and metric).
        self.context = dict(context or {})
        #: Without panels: why (one line), shown instead of the grid; the slider keeps epochs.
        self.empty = empty or "The dashboard has no panels."
        self._kept = sorted(int(e) for e in epochs)
        self._figures = LRU(cache_size)
        self._lock = threading.Lock()

    @property
    def rows(self) -> int:
        return max(1, -(-len(self.panels) // self.columns))

    def epochs(self) -> list[int]:
        """Union of the panels' epochs (pinned panels count only when all are pinned)."""
        if not self.panels:
            return list(self._kept)
        moving = [p for p in self.panels if p.spec.epoch is None] or self.panels
        found: set[int] = set()
        for panel in self.panels:
            panel.refresh()
        for panel in moving:
            found.update(panel.epochs if panel.spec.epoch is None else [panel.spec.epoch])
        return sorted(found)

    def clear(self) -> None:
        """Forget cached figures, e.g. after the epochs changed."""
        self._figures.clear()
        for panel in self.panels:
            panel.clear()

    def compose(self, epoch: int, lenient: bool = False) -> tuple[dict, list[int]]:
        """The grid figure at slider ``epoch`` and the trace count of each panel (cached).

        A panel whose renderer fails raises, unless ``lenient``: then its cell says why
        (the preview keeps showing the other panels) and the grid is not cached.
        """
        epoch = int(epoch)
        cached = self._figures.get(epoch)
        if cached is None:
            failed = False
            with self._lock:  # one composition at a time: panels share loaders and caches
                figures = []
                for panel in self.panels:
                    try:
                        figures.append(panel.figure(epoch))
                    except Exception as err:
                        if not lenient:
                            raise
                        failed = True
                        figures.append(_failed_panel(err))
                titles = [p.title(epoch) for p in self.panels]
                labels = [p.label(epoch) for p in self.panels]
            cached = compose_grid(figures, titles, self.columns, labels=labels,
                                  title=f"epoch {epoch}")
            if not failed:
                self._figures.put(epoch, cached)
        return cached

    def figure(self, epoch: int | None) -> dict:
        """The grid figure at slider ``epoch``."""
        if epoch is None:
            raise UsageError("A dashboard figure needs an epoch.\nPass one of its epochs.")
        if not self.panels:
            raise UsageError(f"{self.empty}\nWiden or clear the filters (filters={{}}) first.")
        return self.compose(epoch)[0]

    def preview(self, epoch: int) -> dict:
        """The grid figure the widget shows: a failing panel says why in its own cell."""
        if not self.panels:
            return _message_figure(self.empty, color="#444", width=100)
        return self.compose(epoch, lenient=True)[0]

    def locate(self, epoch: int, trace: Any) -> dict[str, Any]:
        """Which panel a trace index of the grid figure at ``epoch`` belongs to."""
        if not isinstance(trace, int):
            return {}
        counts = self.compose(epoch)[1]
        for index, count in enumerate(counts):
            if trace < count:
                return {"panel": index, "trace": trace, "grid_trace": sum(counts[:index]) + trace,
                        **self.panels[index].info(epoch)}
            trace -= count
        return {}

    def record(self, epoch: int | None, output_path: Path,
               frames: Sequence[int] | None = None) -> dict[str, Any]:
        """The provenance of a grid file: each panel's record at the epoch it shows."""
        shown = frames if frames is not None else [] if epoch is None else [epoch]
        panels = []
        for panel in self.panels:
            epochs = sorted({panel.epoch_for(e) for e in shown})
            panels.append(panel.source.record(epochs[-1] if len(epochs) == 1 else None,
                                              output_path, epochs or None))
        return {"visualization": "dashboard", "epoch": epoch, **self.context, "panels": panels}

    def animate(self, output_path: Path, epochs: Sequence[int], *, options: AnimationOptions,
                progress: Progress | None = None) -> Path:
        """Write an animation (or an interactive HTML page) of the grid through the core."""
        record = self.record(None, output_path, list(epochs))
        return animate_frames(self.figure, list(epochs), output_path, options,
                              progress=progress, provenance=record)


class Dashboard(ExportWidget):
    """One epoch slider, ◀ ▶, Play and typed epoch box driving a grid of panels.

    Parameters
    ----------
    panels
        When ``visualizations`` is given, the runs as the comparison verbs take them: a
        ``vizwidget.Variants``, a variant directory, a glob pattern (``"runs/seed*"``), a list
        of them, or any object with ``.paths`` and ``.labels``; one panel per visualization
        and variant, a row per visualization. Otherwise ``(visualization, variant)`` or
        ``(visualization, variant, epoch)`` tuples; a panel with an epoch stays pinned there.
    visualizations
        Registered visualization names (or renderer functions) to show for every variant.
    columns
        Columns of the grid (default: one per variant, else about square).
    filters
        Hyperparameter -> allowed values (a list, or one value): only runs whose config has
        an allowed value of every key get panels (default: every run). The synced
        :attr:`filters` trait; :attr:`hparams` lists the keys and values there are.
    metric
        What metric-aware panels draw ('' = their default): a renderer with a ``metrics``
        option (training curves) gets the metric's family (loss or accuracy), one with a
        ``metric`` option gets the name. One of :attr:`metrics`.
    **widget_options
        ExportWidget options (``width``, ``height``, ``scale``, ``format``, ``fps``,
        ``theme``, ``output_dir``, ``epoch``, ``name``, ``preview_height``, ...).
        ``width``/``height`` are the size of the whole exported grid.

    Notes
    -----
    Per-epoch panels show the checkpoint of their variant nearest to the slider's epoch and
    say so in their title ("seed1 · epoch 600 (nearest to 590)"); cross-epoch panels move
    their highlight. Export writes the whole grid as one file (an HTML export is one page
    whose slider moves every panel); Animate writes the grid over the epochs. Click, hover
    and select callbacks get points with ``panel``, ``visualization``, ``variant``,
    ``variant_dir`` and ``panel_epoch``. A panel whose renderer fails says why in its cell
    while the others keep showing; exporting that epoch raises the panel's error. A new
    ``filters`` or ``metric`` re-plans the panels and redraws; when no run passes, the
    widget says so in one line and Export refuses. Files record ``filters`` and ``metric``.
    """

    filters = t.Dict(help="Hyperparameter -> allowed values; runs outside are not shown "
                     "({} = every run).").tag(sync=True)
    hparams = t.Dict(read_only=True, help="Hyperparameters that tell the runs apart -> their "
                     "distinct values.").tag(sync=True)
    metric = t.Unicode("", help="Metric of metric-aware panels ('' = each panel's "
                       "default).").tag(sync=True)
    metrics = t.List(t.Unicode(), read_only=True,
                     help="Metric names the metric chooser offers.").tag(sync=True)

    def __init__(self, panels: Any, visualizations: Any = None, *, columns: int | None = None,
                 filters: dict[str, Any] | None = None, metric: str = "",
                 **widget_options: Any) -> None:
        assets.check_bundle()
        unknown = sorted(set(widget_options) - WIDGET_OPTIONS)
        if unknown:
            raise UsageError(f"Unknown Dashboard option(s): {', '.join(unknown)}.\n"
                             f"Use widget options only: {', '.join(sorted(WIDGET_OPTIONS))}.")
        self._replanning = False
        self._specs = plan_panels(panels, visualizations)
        self._by_run = visualizations is not None
        self._columns = columns
        runs = list(dict.fromkeys(s.variant for s in self._specs))
        loaders = [ArtifactLoader(run) for run in runs]
        self._configs = {run: loader.config() for run, loader in zip(runs, loaders, strict=True)}
        hparams = hparams_of(list(self._configs.values()))
        choices = metric_choices([_columns(loader) for loader in loaders])
        chosen = check_filters(filters, hparams)
        metric = _check_metric(metric, choices)
        grid = self._grid(chosen, metric, ())
        if not grid.panels:  # nothing kept: the slider still offers every run's epochs
            grid = self._grid(chosen, metric, self._grid({}, metric, ()).epochs())
        options = dict(widget_options)
        self._auto_size = {k for k in ("width", "height", "preview_height") if k not in options}
        options.update(self._size(grid))
        super().__init__(grid, **options)  # the grid's epochs, name "dashboard", the rest
        self.set_trait("hparams", hparams)
        self.set_trait("metrics", choices)
        self.filters, self.metric = chosen, metric
        self.status = self._summary()
        self._replanning = True  # from now on a new filter or metric re-plans the grid

    def _summary(self) -> str:
        """The status line after (re)planning: panels shown and filters, or why none."""
        shown, active = len(self._source.panels), describe(self.filters)
        if not shown:
            return self._source.empty
        if not self.hparams:  # runs that do not differ: nothing to filter, nothing to say
            return ""
        return f"{shown} panel{'s' * (shown != 1)}" + (f" · {active}" if active else "")

    def _size(self, grid: GridSource) -> dict[str, int]:
        """Export and preview size of ``grid`` where the caller did not give one."""
        size = {"width": PANEL_SIZE[0] * grid.columns, "height": PANEL_SIZE[1] * grid.rows,
                "preview_height": PANEL_PREVIEW_HEIGHT * grid.rows}
        return {k: v for k, v in size.items() if k in getattr(self, "_auto_size", size)}

    def _grid(self, filters: dict[str, list], metric: str, epochs: Sequence[int]) -> GridSource:
        """The grid of the panels whose run passes ``filters``, drawing ``metric``."""
        specs = [s for s in self._specs if matches(self._configs[s.variant], filters)]
        context = {"filters": filters, "metric": metric}
        if not specs:
            return GridSource([], 1, context=context, epochs=epochs,
                              empty=f"No run matches the filters {describe(filters)}.")
        columns = self._columns
        if columns is None and self._by_run:
            variants = len({s.variant for s in specs})
            columns = variants if variants <= 4 else None
        return GridSource([Panel(s, options=metric_options(s.visualization, metric))
                           for s in specs], columns, context=context)

    @t.validate("filters")
    def _valid_filters(self, proposal: Any) -> dict[str, list]:
        return check_filters(proposal["value"], self.hparams)

    @t.validate("metric")
    def _valid_metric(self, proposal: Any) -> str:
        return _check_metric(proposal["value"], self.metrics)

    @t.observe("filters", "metric")
    def _replan(self, change: Any) -> None:
        """Re-plan the panels to the runs the filters keep; the slider follows their epochs."""
        if not self._replanning or change["old"] == change["new"]:
            return
        old = self._source
        self._source = self._grid(self.filters, self.metric, self.epochs)
        old.clear()
        self._payloads.clear()
        self._lod_maps.clear()
        for key, value in self._size(self._source).items():
            setattr(self, key, value)
        self.epochs = self._source.epochs()
        self.status = self._summary()
        if self.comm is not None:
            self.send({"type": "invalidate"})

    @property
    def panels(self) -> list[Panel]:
        """The panels, row-major."""
        return self._source.panels

    def _event_points(self, content: dict[str, Any]) -> list[dict[str, Any]]:
        """Event points in full-data indices, each naming its panel, variant and epoch."""
        points = super()._event_points(content)
        epoch = content.get("epoch")
        if epoch is None:
            return points
        return [{**p, **self._source.locate(int(epoch), p.get("trace"))} for p in points]

    def export_async(self, format: str | None = None) -> Future:
        """Start :meth:`export` in a background thread; returns a Future of the path."""
        fmt = normalize(format or self.format, STILL_FORMATS)
        if fmt != "html":
            return super().export_async(fmt)
        epochs = list(self.epochs)
        path = self._path(f"{self.name}_epochs{epochs[0]}-{epochs[-1]}", fmt)
        options = AnimationOptions(fps=self.fps, width=self.width, height=self.height,
                                   scale=self.scale, theme=self.theme or None, label=False)

        def progress(done: int, total: int) -> None:
            self.progress = done / total if total else 0.0

        source = self._source  # the panels shown now, even if the filters change meanwhile

        def work(cancel: Event) -> Path:  # one page, one slider over every epoch
            return source.animate(path, epochs, options=options,
                                  progress=cancellable(progress, cancel))

        return self._submit("Exporting", work)

    def export(self, format: str | None = None) -> Path:
        """Write the whole grid as one file; returns its path.

        png, jpeg, webp, svg, pdf and json write the epoch shown; html writes one offline
        page whose slider moves every panel over all epochs.
        """
        return self._wait(self.export_async(format))

    def watch(self, interval: float | None = None) -> None:
        """Extend the slider as new epoch files appear in any panel's variant."""
        if interval is not None:
            self.watch_interval = interval
        self.unwatch()
        self._watcher = Watcher(self._poll, self.watch_interval)
        self._watcher.start()

