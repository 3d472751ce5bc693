"""One source of figures: (visualization, run, epoch) -> figure, the same for every verb.

Export, animation, comparison, batch, reproduce, the widget and the Dashboard all ask a
:class:`FigureSource` for their figures, so a visualization gets the same data, options and
record everywhere. Figures come from :func:`vizwidget.registry.render_figure`, the one
per-kind step (load one epoch or every snapshot, then run the renderer); the source keeps
a cross-epoch renderer's snapshots between frames and caches recent figures.
"""

from __future__ import annotations

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
from .figures import Figureish
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
Run = ArtifactLoader | str | os.PathLike[str] | None


class FigureSource:
    """The figures of one visualization on one run, per epoch.

    Parameters
    ----------
    visualization : str, Visualization or callable
        A registered name, or a renderer function (see :mod:`vizwidget.registry`).
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

    def __init__(self, visualization: Any, run: Run = None, *,
                 epochs: Sequence[int] | None = None, analyzer: str | None = None,
                 kind: str | None = None, options: dict[str, Any] | None = None,
                 snapshots: tuple[Sequence[Any], Sequence[int]] | None = None,
                 cache_size: int = 128) -> None:
        self.loader = ArtifactLoader(run) if isinstance(run, (str, os.PathLike)) else run
        self.options = dict(options or {})
        self.vis: Visualization = as_visualization(visualization, kind=kind, analyzer=analyzer)
        self.kind, self.name = self.vis.kind, self.vis.name
        self._explicit = None if epochs is None else sorted({int(e) for e in epochs})
        self._figures = LRU(cache_size)
        self._lock = threading.Lock()
        self._snapshots: dict[int, Any] = {}
        if snapshots is not None:
            data, known = list(snapshots[0]), [int(e) for e in snapshots[1]]
            if len(data) != len(known):
                raise UsageError(f"Got {len(data)} snapshots for {len(known)} epochs.\n"
                                 "Pass one snapshot per epoch, in the same order.")
            self._snapshots = dict(zip(known, data, strict=True))
            self._explicit = known if self._explicit is None else self._explicit
        if self.loader is None and not self._snapshots and (
                self._explicit is None or self.kind == CROSS_EPOCH):
            need = "snapshots or a run" if self.kind == CROSS_EPOCH else "epochs or a run"
            raise UsageError(f"The {self.kind.replace('_', '-')} renderer {self.name!r} "
                             f"needs {need}.\nPass run=... (a run folder), or epochs=.")

    def epochs(self) -> list[int]:
        """Available epochs, ascending; re-read from disk when there is a run."""
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
            return [self._snapshots[e] for e in epochs], epochs

    def figure(self, epoch: int | None = None) -> Figureish:
        """The figure of ``epoch`` as the renderer made it (cached).

        Per-epoch: ``epoch`` None shows the latest. Cross-epoch: ``epoch`` is the highlight.
        """
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
        """The provenance record of a file made from this source, over ``provenance``."""
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
                cancel: threading.Event | None = None, provenance: Provenance = None) -> Path:
        """Write an animation of exactly these figures, one frame per epoch, through the core.

        Per-epoch figures keep ``options.lock_axes``; a cross-epoch figure sweeps its
        highlight over fixed data, so its axes are never locked. ``epochs`` default to all.
        """
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
                              cancel=cancel, provenance=record)


def _span(epochs: Sequence[int]) -> str:
    return f"{epochs[0]}..{epochs[-1]}" if epochs else "none"
