"""One source of figures: (visualization, run, epoch) -> figure, the same for every verb.

Export, animation, comparison, batch, reproduce, the widget and the Dashboard all ask a
:class:`FigureSource` for their figures, so a visualization gets the same data, options and
record everywhere. Figures come from :func:`vizwidget.registry.render_figure`, the one
per-kind step (load one epoch or every snapshot, then run the renderer); the source keeps
a cross-epoch renderer's snapshots between frames and caches recent figures.
"""

from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ._cache import LRU
from ._progress import Progress
from .errors import EpochNotFoundError, UsageError
from .export import AnimationOptions, ImageOptions, animate_frames, export_figure
from .figures import Figureish, check_figure
from .provenance import Provenance, variant_record
from .registry import (
    KINDS,
    Visualization,
    as_visualization,
    cross_epochs,
    default_epoch,
    load_data,
    load_snapshots,
    render_figure,
)
from .runs import ArtifactLoader

__all__ = ["CROSS_EPOCH", "PER_EPOCH", "FigureSource"]

PER_EPOCH, CROSS_EPOCH = KINDS
Run = ArtifactLoader | str | os.PathLike[str]


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


class FigureSource:
    """The figures of one visualization on one run, per epoch (or one fixed figure).

    Parameters
    ----------
    visualization : str, Visualization, callable or figure
        A registered name, a renderer function (see :mod:`vizwidget.registry`), or a plotly
        figure (then there are no epochs). Without a run, a function of the epoch alone
        (one positional parameter, or a first one named ``epoch``) is called as
        ``fn(epoch, **kw)``.
    run : ArtifactLoader or path, optional
        The run to read. Without one, a per-epoch renderer gets ``data=None`` and
        ``epochs`` must be given; a cross-epoch one needs ``snapshots``.
    epochs : sequence of int, optional
        Restrict the epochs offered (default: every epoch the run has for it).
    analyzer : str, optional
        The analyzer a renderer function reads.
    kind : {"per_epoch", "cross_epoch"}, optional
        The kind of a renderer function (default per-epoch).
    options : dict, optional
        Renderer options, over the visualization's defaults.
    snapshots : (list, list of int), optional
        A cross-epoch renderer's data and epochs, given instead of a run.
    """

    def __init__(self, visualization: Any, run: Run | None = None, *,
                 epochs: Sequence[int] | None = None, analyzer: str | None = None,
                 kind: str | None = None, options: dict[str, Any] | None = None,
                 snapshots: tuple[Sequence[Any], Sequence[int]] | None = None,
                 cache_size: int = 128) -> None:
        self.loader = ArtifactLoader(run) if isinstance(run, (str, os.PathLike)) else run
        self.options = dict(options or {})
        self._explicit = None if epochs is None else sorted({int(e) for e in epochs})
        self._figures = LRU(cache_size)
        self._lock = threading.Lock()
        self._snapshots: dict[int, Any] = {}
        self.figure_obj: Any = None
        if not isinstance(visualization, (str, Visualization)) and not callable(visualization):
            check_figure(visualization)  # a plain figure, or FigureError
            self.figure_obj, self.kind, self.name = visualization, None, "figure"
            self.vis = None  # type: ignore[assignment]
            return
        if (self.loader is None and snapshots is None and callable(visualization)
                and not isinstance(visualization, Visualization)
                and kind in (None, PER_EPOCH) and _takes_epoch_only(visualization)):
            visualization = _epoch_renderer(visualization)
        if (callable(visualization) and not isinstance(visualization, Visualization)
                and analyzer is None and self.loader is not None):
            analyzer = self._only_analyzer(getattr(visualization, "__name__", "figure"))
        self.vis: Visualization = as_visualization(visualization, kind=kind, analyzer=analyzer)
        self.kind, self.name = self.vis.kind, self.vis.name
        if snapshots is not None:
            data, known = list(snapshots[0]), [int(e) for e in snapshots[1]]
            if len(data) != len(known):
                raise UsageError(f"Got {len(data)} snapshots for {len(known)} epochs.\n"
                                 "Pass one snapshot per epoch, in the same order.")
            self._snapshots = dict(zip(known, data, strict=True))
            self._explicit = known if self._explicit is None else self._explicit
        if self.loader is None and not self._snapshots and (
                self._explicit is None or self.kind == CROSS_EPOCH):
            need = "a run" if self.kind == CROSS_EPOCH else "epochs or a run"
            raise UsageError(f"The {self.kind.replace('_', '-')} renderer {self.name!r} "
                             f"needs {need}.\nPass run= (a run folder or ArtifactLoader)"
                             f"{'' if self.kind == CROSS_EPOCH else ', or epochs='}.")

    def _only_analyzer(self, name: str) -> str:
        names = list(self.loader.analyzers())
        if len(names) == 1:
            return names[0]
        raise UsageError(f"Which analyzer should {name!r} read? The run has: "
                         f"{', '.join(names)}.\nPass analyzer=<name>.")

    @property
    def static(self) -> bool:
        """True for one fixed figure (no epochs)."""
        return self.vis is None

    def epochs(self) -> list[int]:
        """Available epochs, ascending; re-read from disk when there is a run."""
        if self.vis is None:
            return []
        if self.loader is None:
            return list(self._explicit or [])
        found = [int(e) for e in cross_epochs(self.vis, self.loader)]
        if self._explicit is not None:
            wanted = set(self._explicit)
            found = [e for e in found if e in wanted]
        return found

    def default_epoch(self) -> int | None:
        """The epoch a per-epoch figure shows when none is given (the latest), else None."""
        if self.kind == CROSS_EPOCH or self.loader is None:
            return None
        return default_epoch(self.vis, self.loader)

    def clear(self) -> None:
        """Forget cached figures and snapshots, e.g. after new epochs appeared."""
        self._figures.clear()
        if self.loader is not None:
            with self._lock:
                self._snapshots.clear()

    def snapshots(self) -> tuple[list[Any], list[int]]:
        """A cross-epoch renderer's data and epochs, each epoch loaded once and kept."""
        epochs = self.epochs()
        with self._lock:
            missing = [e for e in epochs if e not in self._snapshots]
            if missing:
                loaded = load_snapshots(self.vis, self.loader, missing)
                self._snapshots.update(zip(missing, loaded, strict=True))
                if len(missing) == len(epochs):  # all new: no lookups needed
                    return list(loaded), epochs
            return [self._snapshots[e] for e in epochs], epochs

    def figure(self, epoch: int | None = None) -> Figureish:
        """The figure of ``epoch`` as the renderer made it (cached).

        Per-epoch: ``epoch`` None shows the latest. Cross-epoch: ``epoch`` is the highlight.
        """
        if self.vis is None:
            return self.figure_obj
        if epoch is None and self.kind == PER_EPOCH:
            epoch = self.default_epoch()
        cached = self._figures.get(epoch)
        if cached is not None:
            return cached
        if self.kind == CROSS_EPOCH:
            fig = render_figure(self.vis, self.loader, epoch, self.options,
                                snapshots=self.snapshots())
        else:
            if self._explicit is not None and epoch not in self._explicit:
                raise EpochNotFoundError(
                    f"Epoch {epoch} is not among the epochs of {self.name!r} "
                    f"({_span(self._explicit)}).\nPick one of them.")
            fig = render_figure(self.vis, self.loader, epoch, self.options)
        self._figures.put(epoch, fig)
        return fig

    def preview(self, epoch: int | None) -> Figureish:
        """The figure a widget shows for ``epoch``: the one :meth:`figure` makes."""
        return self.figure(epoch)

    def record(self, epoch: int | None, path: str | os.PathLike[str],
               frames: Sequence[int] | None = None, provenance: Provenance = None) -> Provenance:
        """The provenance record of a file made from this source, over ``provenance``.

        A fixed figure has none of its own: the core stores the figure itself.
        """
        if self.vis is None:
            return provenance
        read: Sequence[int] | None = frames
        if self.kind == CROSS_EPOCH:
            read = self.epochs()
        return variant_record(self.vis, self.loader, path, epoch=epoch, epochs=read,
                              kwargs=self.options, provenance=provenance)

    def write(self, path: str | os.PathLike[str], epoch: int | None = None,
              format: str | None = None, image: ImageOptions | None = None,
              provenance: Provenance = None) -> Path:
        """Write the figure of ``epoch`` as a still file with its record; returns the path."""
        if epoch is None and self.kind == PER_EPOCH:
            epoch = self.default_epoch()
        image = image or ImageOptions()
        fig = self.figure(epoch)
        record = self.record(epoch, path, provenance=provenance)
        return export_figure(fig, path, format=format, provenance=record, **image.as_kwargs())

    def animate(self, path: str | os.PathLike[str], epochs: Sequence[int] | None = None,
                options: AnimationOptions | None = None, *, progress: Progress | None = None,
                provenance: Provenance = None) -> Path:
        """Write an animation of exactly these figures, one frame per epoch, through the core.

        Per-epoch figures keep ``options.lock_axes``; a cross-epoch figure sweeps its
        highlight over fixed data, so its axes are never locked. ``epochs`` default to all.
        """
        if self.vis is None:
            raise UsageError("A single figure has no epochs to animate.\n"
                             "Give a renderer and epochs (or a run) to animate.")
        available = self.epochs()
        chosen = available if epochs is None else sorted({int(e) for e in epochs})
        unknown = [e for e in chosen if e not in available]
        if unknown and self.kind == PER_EPOCH and self.loader is not None:
            load_data(self.vis, self.loader, unknown[0])  # the loader names the nearest ones
        if unknown:
            raise EpochNotFoundError(
                f"Epochs {unknown[:5]} are not among the epochs of {self.name!r} "
                f"({_span(available)}).\nAnimate only epochs the run has.")
        options = options or AnimationOptions()
        if self.kind == CROSS_EPOCH:
            options = replace(options, lock_axes=False)
        record = self.record(None, path, chosen, provenance)
        return animate_frames(self.figure, chosen, path, options, progress=progress,
                              provenance=record)


def _span(epochs: Sequence[int]) -> str:
    return f"{epochs[0]}..{epochs[-1]}" if epochs else "none"
