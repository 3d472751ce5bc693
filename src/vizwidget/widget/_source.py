"""Where the widget's figures come from: a renderer + epochs (+ loader), or one fixed figure.

Every figure is made by :func:`vizwidget.registry.call_renderer`, the same runner the export,
animation, batch and CLI paths use, so a visualization gets the same data everywhere.
"""

from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .._cache import LRU
from .._progress import Progress
from ..errors import UsageError
from ..export import AnimationOptions, animate_frames
from ..figures import Figureish, check_figure
from ..provenance import Provenance, variant_record
from ..registry import (
    KINDS,
    Visualization,
    as_visualization,
    call_renderer,
    cross_epochs,
    load_data,
    load_snapshots,
)
from ..runs import ArtifactLoader

PER_EPOCH, CROSS_EPOCH = KINDS


def _takes_epoch_only(fn: Any) -> bool:
    """True for ``fn(epoch, **kw)``: one positional parameter, or a first one named epoch."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 1 or bool(positional and positional[0].name == "epoch")


def _epoch_renderer(fn: Any) -> Any:
    """``fn(epoch, **kw)`` as the per-epoch renderer ``(data, epoch, **kw)`` it stands for."""
    def by_epoch(_data: Any, epoch: int, **kw: Any) -> Any:
        return fn(epoch, **kw)

    params = list(inspect.signature(fn).parameters.values())
    data = inspect.Parameter("data", inspect.Parameter.POSITIONAL_ONLY)
    by_epoch.__signature__ = inspect.Signature([data, *params])  # type: ignore[attr-defined]
    by_epoch.__name__ = by_epoch.__qualname__ = getattr(fn, "__name__", "figure")
    by_epoch.__doc__ = fn.__doc__
    return by_epoch


@runtime_checkable
class Source(Protocol):
    """What a widget draws and exports: figures per epoch, their provenance, animations.

    :class:`FigureSource` is one; a dashboard's grid of panels is another.
    """

    name: str
    kind: str | None
    static: bool
    loader: Any

    def epochs(self) -> list[int]: ...
    def clear(self) -> None: ...
    def figure(self, epoch: int | None) -> Figureish: ...
    def preview(self, epoch: int | None) -> Figureish: ...
    def record(self, epoch: int | None, output_path: Path,
               frames: Sequence[int] | None = None) -> Any: ...
    def animate(self, output_path: Path, epochs: Sequence[int], *, options: AnimationOptions,
                progress: Progress | None = None,
                cancel: threading.Event | None = None) -> Path: ...


class FigureSource:
    """Figures per epoch for one widget.

    Parameters mirror :class:`~vizwidget.widget.ExportWidget`. A per-epoch renderer gets
    ``fn(data, epoch, **kw)`` with the data the registry loads for it (``None`` without a
    loader; then ``epochs`` is required). A cross-epoch renderer gets ``fn(snapshots, epochs,
    current_epoch=epoch, **kw)`` and needs a loader. A plain figure has no epochs. Without
    a loader, a function of the epoch alone (one positional parameter, or a first one named
    ``epoch``) is called as ``fn(epoch, **kw)``.
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
        self.figure_obj: Any = None
        self.vis: Visualization | None = None
        self.loader = (ArtifactLoader(loader) if isinstance(loader, (str, os.PathLike))
                       else loader)
        self.render_kwargs = dict(render_kwargs or {})
        self._explicit_epochs = None if epochs is None else sorted({int(e) for e in epochs})
        self._figures = LRU(cache_size)
        self._snapshots: dict[int, Any] = {}
        self._lock = threading.Lock()
        if not (isinstance(render, str) or callable(render)):  # a figure, or FigureError
            check_figure(render)
            self.figure_obj, self.kind, self.name = render, None, "figure"
            return
        if (self.loader is None and callable(render) and kind in (None, PER_EPOCH)
                and _takes_epoch_only(render)):
            render = _epoch_renderer(render)  # a plain function of the epoch
        if not isinstance(render, str) and analyzer is None and self.loader is not None:
            analyzer = self._only_analyzer(getattr(render, "__name__", "figure"))
        self.vis = as_visualization(render, kind=kind, analyzer=analyzer)
        self.kind, self.name = self.vis.kind, self.vis.name
        if self.loader is None and (self._explicit_epochs is None or self.kind == CROSS_EPOCH):
            need = "a loader" if self.kind == CROSS_EPOCH else "epochs or a loader"
            raise UsageError(
                f"The {self.kind.replace('_', '-')} renderer {self.name!r} needs {need}.\n"
                "Use ExportWidget.from_variant(variant_dir, ...) or pass loader=/epochs=."
            )

    def _only_analyzer(self, name: str) -> str:
        names = list(self.loader.analyzers())
        if len(names) == 1:
            return names[0]
        raise UsageError(
            f"Which analyzer should {name!r} read? The variant has: {', '.join(names)}.\n"
            "Pass analyzer=<name>."
        )

    @property
    def static(self) -> bool:
        """True for a single fixed figure (no epochs)."""
        return self.vis is None

    def epochs(self) -> list[int]:
        """Available epochs, ascending; re-read from disk when there is a loader."""
        if self.vis is None:
            return []
        if self.loader is None:
            return list(self._explicit_epochs or [])
        found = [int(e) for e in cross_epochs(self.vis, self.loader)]
        if self._explicit_epochs is not None:
            wanted = set(self._explicit_epochs)
            found = [e for e in found if e in wanted]
        return found

    def clear(self) -> None:
        """Forget cached figures (and snapshots), e.g. after the epochs changed."""
        self._figures.clear()
        with self._lock:
            self._snapshots.clear()

    def _all_snapshots(self) -> tuple[list[Any], list[int]]:
        """Every epoch's data for a cross-epoch renderer, loaded once and kept."""
        epochs = self.epochs()
        with self._lock:
            missing = [e for e in epochs if e not in self._snapshots]
            for epoch, data in zip(missing, load_snapshots(self.vis, self.loader, missing),
                                   strict=True):
                self._snapshots[epoch] = data
            return [self._snapshots[e] for e in epochs], epochs

    def figure(self, epoch: int | None) -> Figureish:
        """The figure of ``epoch`` as the renderer made it (cached)."""
        if self.vis is None:
            return self.figure_obj
        cached = self._figures.get(epoch)
        if cached is not None:
            return cached
        where = "" if self.loader is None else repr(str(self.loader.variant_dir))
        if self.kind == CROSS_EPOCH:
            snapshots, epochs = self._all_snapshots()
            fig = call_renderer(self.vis, epoch, snapshots=snapshots, epochs=epochs,
                                render_kwargs=self.render_kwargs, where=where)
        else:
            data = load_data(self.vis, self.loader, epoch)
            fig = call_renderer(self.vis, epoch, data=data, render_kwargs=self.render_kwargs,
                                where=where)
        self._figures.put(epoch, fig)
        return fig

    def preview(self, epoch: int | None) -> Figureish:
        """The figure the widget shows for ``epoch``: the one :meth:`figure` makes."""
        return self.figure(epoch)

    def record(self, epoch: int | None, output_path: Path,
               frames: Sequence[int] | None = None) -> Provenance:
        """What the widget knows of a file it writes: renderer, variant, hashes, epochs."""
        if self.vis is None:
            return None  # a plain figure: the core stores the figure itself
        read: Sequence[int] | None = frames
        if self.kind == CROSS_EPOCH:
            read = self.epochs()
        return variant_record(self.vis, self.loader, output_path, epoch=epoch, epochs=read,
                              kwargs=self.render_kwargs)

    def animate(
        self,
        output_path: Path,
        epochs: Sequence[int],
        *,
        options: AnimationOptions,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        """Write an animation of exactly the figures the preview shows, through the core.

        Per-epoch figures keep locked axes; a cross-epoch figure sweeps its highlight.
        """
        if self.vis is None:
            raise UsageError(
                "A single figure has no epochs to animate.\n"
                "Give ExportWidget a renderer and epochs (or a loader) to animate."
            )
        if self.kind == CROSS_EPOCH:
            options = replace(options, lock_axes=False)
        return animate_frames(self.figure, list(epochs), output_path, options,
                              progress=progress, cancel=cancel,
                              provenance=self.record(None, output_path, list(epochs)))
