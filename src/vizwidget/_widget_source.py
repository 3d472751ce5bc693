"""Where the widget's figures come from: a renderer + epochs (+ loader), or one fixed figure."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from threading import Event, Lock
from typing import Any

from ._blas import single_blas_thread
from .errors import FigureError, RendererError, VizWidgetError

PER_EPOCH = "per_epoch"
CROSS_EPOCH = "cross_epoch"
KINDS = (PER_EPOCH, CROSS_EPOCH)


class LRU:
    """A tiny thread-safe least-recently-used mapping."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def is_figure(obj: Any) -> bool:
    """A plotly figure object or a figure dict."""
    from plotly.basedatatypes import BaseFigure

    return isinstance(obj, BaseFigure) or (isinstance(obj, dict) and "data" in obj)


def _as_loader(loader: Any) -> Any:
    if loader is None or not isinstance(loader, (str, os.PathLike)):
        return loader
    from .artifacts import ArtifactLoader

    return ArtifactLoader(loader)


class FigureSource:
    """Figures per epoch for one widget.

    Parameters mirror :class:`~vizwidget.widget.ExportWidget`. A per-epoch renderer is
    called as ``fn(data, epoch, **kw)`` with ``data = loader.load(analyzer, epoch)``, or
    ``data=None`` when no loader is given (then ``epochs`` is required). A cross-epoch
    renderer is called as ``fn(snapshots, epochs, current_epoch=epoch, **kw)`` and needs a
    loader. A plain figure has no epochs.
    """

    def __init__(
        self,
        render: Any,
        epochs: Sequence[int] | None = None,
        *,
        loader: Any = None,
        analyzer: str | None = None,
        kind: str | None = None,
        render_kwargs: dict[str, Any] | None = None,
        cache_size: int = 128,
    ) -> None:
        self.fn: Callable[..., Any] | None = None
        self.figure_obj: Any = None
        self.loader = _as_loader(loader)
        self.render_kwargs = dict(render_kwargs or {})
        self._explicit_epochs = None if epochs is None else sorted({int(e) for e in epochs})
        self._figures = LRU(cache_size)
        self._snapshots: dict[int, Any] = {}
        self.vis: Any = None  # the registry record when ``render`` is a registered name
        if is_figure(render):
            self.figure_obj, self.kind, self.name, self.analyzer = render, None, "figure", None
            return
        if isinstance(render, str):
            from .registry import get_visualization

            vis = get_visualization(render)
            self.vis, self.fn, self.name = vis, vis.fn, vis.name
            kind = kind or vis.kind
            analyzer = analyzer or (vis.analyzers[0] if vis.analyzers else None)
            self.render_kwargs = {**dict(vis.defaults or {}), **self.render_kwargs}
        elif callable(render):
            self.fn, self.name = render, getattr(render, "__name__", "figure").strip("<>")
        else:
            raise FigureError(
                f"ExportWidget needs a renderer function, a visualization name or a plotly "
                f"figure, got {type(render).__name__}.\n"
                "Pass e.g. ExportWidget(my_renderer, loader=...) or ExportWidget(go.Figure(...))."
            )
        self.kind = kind or PER_EPOCH
        if self.kind not in KINDS:
            raise VizWidgetError(f"Unknown kind {self.kind!r}.\nUse one of: {', '.join(KINDS)}.")
        self.analyzer = self._pick_analyzer(analyzer)
        if self.loader is None and (self._explicit_epochs is None or self.kind == CROSS_EPOCH):
            need = "a loader" if self.kind == CROSS_EPOCH else "epochs or a loader"
            raise VizWidgetError(
                f"The {self.kind.replace('_', '-')} renderer {self.name!r} needs {need}.\n"
                "Use ExportWidget.from_variant(variant_dir, ...) or pass loader=/epochs=."
            )

    def _pick_analyzer(self, analyzer: str | None) -> str | None:
        if self.loader is None or analyzer is not None:
            return analyzer
        names = list(self.loader.analyzers())
        if len(names) == 1:
            return names[0]
        raise VizWidgetError(
            f"Which analyzer should {self.name!r} read? The variant has: {', '.join(names)}.\n"
            "Pass analyzer=<name>."
        )

    @property
    def static(self) -> bool:
        """True for a single fixed figure (no epochs)."""
        return self.fn is None

    def epochs(self) -> list[int]:
        """Available epochs, ascending; re-read from disk when there is a loader."""
        if self.static:
            return []
        if self.loader is None:
            return list(self._explicit_epochs or [])
        if self.vis is not None:  # epochs common to all of its analyzers
            from .registry import cross_epochs

            found = [int(e) for e in cross_epochs(self.vis, self.loader)]
        else:
            found = [int(e) for e in self.loader.epochs(self.analyzer)]
        if self._explicit_epochs is not None:
            wanted = set(self._explicit_epochs)
            found = [e for e in found if e in wanted]
        return found

    def clear(self) -> None:
        """Forget cached figures (and snapshots), e.g. after the epochs changed."""
        self._figures.clear()
        self._snapshots.clear()

    def snapshots(self, epochs: Sequence[int]) -> list[Any]:
        """Loaded data of each epoch (kept for cross-epoch renderers)."""
        out = []
        for epoch in epochs:
            if epoch not in self._snapshots:
                self._snapshots[epoch] = self.loader.load(self.analyzer, epoch)
            out.append(self._snapshots[epoch])
        return out

    def figure(self, epoch: int | None) -> Any:
        """The figure of ``epoch`` (cached); RendererError names the renderer and the epoch."""
        if self.static:
            return self.figure_obj
        cached = self._figures.get(epoch)
        if cached is not None:
            return cached
        if self.vis is not None and self.loader is not None:
            from .registry import render_visualization  # knows multi-analyzer loading

            fig = render_visualization(self.vis, self.loader, epoch, **self.render_kwargs)
            self._figures.put(epoch, fig)
            return fig
        try:
            with single_blas_thread():  # renderers share small machines with Chromium
                if self.kind == CROSS_EPOCH:
                    epochs = self.epochs()
                    fig = self.fn(self.snapshots(epochs), epochs, current_epoch=epoch,
                                  **self.render_kwargs)
                else:
                    data = (None if self.loader is None
                            else self.loader.load(self.analyzer, epoch))
                    fig = self.fn(data, epoch, **self.render_kwargs)
        except VizWidgetError:
            raise
        except Exception as err:
            msg = (f"Renderer {self.name!r} failed at epoch {epoch}: "
                   f"{type(err).__name__}: {err}\nFix the renderer, or pick another epoch.")
            raise RendererError(msg) from err
        if not is_figure(fig):
            raise FigureError(
                f"Renderer {self.name!r} returned {type(fig).__name__} at epoch {epoch}, "
                "not a plotly figure.\nReturn a plotly.graph_objects.Figure."
            )
        self._figures.put(epoch, fig)
        return fig

    def animate(
        self,
        output_path: Path,
        epochs: Sequence[int],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: Event | None = None,
        **options: Any,
    ) -> Path:
        """Write an animation over ``epochs`` through the export core."""
        from . import export

        if self.static:
            raise VizWidgetError(
                "A single figure has no epochs to animate.\n"
                "Give ExportWidget a renderer and epochs (or a loader) to animate."
            )
        epochs = list(epochs)
        common = dict(progress=progress, cancel=cancel, **options)
        if self.kind == PER_EPOCH and self.loader is not None:
            return export.export_animation(
                self.fn, self.loader, self.analyzer, output_path,
                epochs=epochs, **common, **self.render_kwargs)
        if self.kind == CROSS_EPOCH:  # all epochs stay in the data; the highlight sweeps
            every = self.epochs()
            return export.export_cross_epoch_animation(
                self.fn, self.snapshots(every), every, output_path, sweep=epochs, **common,
                **self.render_kwargs)
        fn = self.fn

        def frame(_snapshots: Any, _epochs: Any, current_epoch: int | None = None, **kw: Any):
            return fn(None, current_epoch, **kw)

        frame.__name__ = self.name
        return export.export_cross_epoch_animation(
            frame, [None] * len(epochs), epochs, output_path, **common, **self.render_kwargs)
