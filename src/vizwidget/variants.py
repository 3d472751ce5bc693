"""Verbs that start from a variant directory: load, run the renderer, hand over to the core.

Each is a few lines of glue over :mod:`vizwidget.registry` (which runs renderers) and
:mod:`vizwidget.export` (which writes files and knows nothing of variants).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ._paths import file_in, make_dir, safe_filename
from ._progress import Progress
from .artifacts import ArtifactLoader
from .errors import EpochNotFoundError, UsageError
from .export import AnimationOptions, animate_frames, export_figure
from .figures import Figureish
from .formats import normalize, suffix_for
from .provenance import Provenance, variant_record
from .registry import (
    Visualization,
    as_visualization,
    call_renderer,
    cross_epochs,
    default_epoch,
    get_visualization,
    load_data,
    load_snapshots,
    render_figure,
)
from .themes import theme_template

__all__ = [
    "export_animation",
    "export_cross_epoch_animation",
    "export_variant_visualization",
    "safe_filename",
    "variant_figure",
    "write_variant_figure",
]

Renderer = Callable[..., Any] | str


def variant_figure(
    variant_dir: str | os.PathLike[str], visualization: str, epoch: int | None = None,
    **kwargs: Any,
) -> tuple[Figureish, int | None]:
    """The figure of a visualization on a variant, and the epoch it shows.

    Returns
    -------
    tuple of (go.Figure or dict, int or None)
        ``epoch`` resolved to the latest one for per-epoch visualizations.
    """
    vis = get_visualization(visualization)
    loader = ArtifactLoader(variant_dir)
    if vis.kind == "per_epoch" and epoch is None:
        epoch = default_epoch(vis, loader)
    return render_figure(vis, loader, epoch, **kwargs), epoch


def export_variant_visualization(
    variant_dir: str | os.PathLike[str],
    visualization: str,
    epoch: int | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    format: str = "png",
    *,
    width: int = 1200,
    height: int = 800,
    scale: float = 2,
    theme: str | None = None,
    provenance: Provenance = None,
    **kwargs: Any,
) -> Path:
    """Render a registered visualization of a variant and write it to a file.

    Parameters
    ----------
    variant_dir : str or os.PathLike
        The variant directory (or its ``artifacts/`` directory).
    visualization : str
        A registered name, see :func:`vizwidget.visualizations`.
    epoch : int, optional
        Per-epoch visualizations: the epoch shown (default: the latest). Cross-epoch ones:
        the highlighted epoch (default: none).
    output_dir : str or os.PathLike, optional
        Default ``{variant_dir}/exports/`` (created).
    format : str, default "png"
        Any still format of :func:`vizwidget.export_figure`.
    width, height : int
        Size in CSS pixels.
    scale : float
        Pixel density multiplier for raster formats.
    theme : {"default", "dark", "publication"}, optional
        Figure theme.
    provenance : dict or bool, optional
        None/True (default): embed a record of the visualization, renderer, variant (relative
        to the file), artifact hashes, epoch(s), renderer options and versions; a dict adds
        its fields; False: none. See :func:`vizwidget.reproduce`.
    **kwargs
        Renderer options, overriding the visualization's defaults.

    Returns
    -------
    pathlib.Path
        The written file: ``{visualization}_epoch{N}.{ext}`` for per-epoch (or a highlighted
        cross-epoch) figure, ``{visualization}.{ext}`` otherwise; the name is sanitised so it
        never leaves ``output_dir``.

    Raises
    ------
    VisualizationNotFoundError, ArtifactError, RendererError, FormatError, ThemeError
    """
    vis = get_visualization(visualization)
    fmt = normalize(format)
    theme_template(theme)  # validate before any work
    loader = ArtifactLoader(variant_dir)
    if vis.kind == "per_epoch" and epoch is None:
        epoch = default_epoch(vis, loader)
    out_dir = make_dir(output_dir if output_dir is not None else loader.variant_dir / "exports")
    stem = vis.name if epoch is None else f"{vis.name}_epoch{int(epoch)}"
    return write_variant_figure(vis, loader, epoch, file_in(out_dir, stem, suffix_for(fmt)),
                                fmt, {"width": width, "height": height, "scale": scale,
                                      "theme": theme}, provenance, kwargs)


def write_variant_figure(vis: Visualization, loader: ArtifactLoader, epoch: int | None,
                         path: Path, fmt: str, options: dict[str, Any], provenance: Provenance,
                         kwargs: dict[str, Any]) -> Path:
    """Render ``vis`` of a variant at ``epoch`` and write it to ``path`` with its record."""
    fig = render_figure(vis, loader, epoch, **kwargs)
    read = None if vis.kind == "per_epoch" else cross_epochs(vis, loader)
    record = variant_record(vis, loader, path, epoch=epoch, epochs=read, kwargs=kwargs,
                            provenance=provenance)
    return export_figure(fig, path, format=fmt, provenance=record, **options)


def export_animation(
    render_fn: Renderer,
    variant_dir: str | os.PathLike[str],
    analyzer_name: str | None,
    output_path: str | Path,
    epochs: Sequence[int] | None = None,
    fps: float = 5,
    width: int = 1200,
    height: int = 800,
    scale: float = 2,
    *,
    label: bool = True,
    lock_axes: bool = True,
    loop: int = 0,
    progress: Progress | bool | None = None,
    cancel: threading.Event | None = None,
    theme: str | None = None,
    provenance: Provenance = None,
    **render_kwargs: Any,
) -> Path:
    """Animate a renderer over the epochs of a variant.

    Parameters
    ----------
    render_fn : callable or str
        ``fn(data, epoch, **kw) -> go.Figure``, or a registered visualization name
        (a cross-epoch name sweeps its ``current_epoch`` highlight instead).
    variant_dir : str or os.PathLike
        The variant directory (or its ``artifacts/`` folder); read with ArtifactLoader.
    analyzer_name : str or None
        Analyzer whose epochs are loaded; None with a visualization name uses its own.
    output_path : str or Path
        ``.gif``, ``.webp``, ``.png`` (APNG), ``.mp4``, ``.webm``, ``.html`` (interactive,
        offline), or a directory path without suffix (one PNG per frame).
    epochs : sequence of int, optional
        Epochs to show (sorted, de-duplicated); default all available.
    fps, width, height, scale, label, lock_axes, loop, theme
        See :class:`vizwidget.export.AnimationOptions`.
    progress : callable or bool, optional
        ``progress(done, total)`` after each frame, or True for a tqdm bar.
    cancel : threading.Event, optional
        Set it to stop; ExportCancelled is raised and no file is written.
    provenance : dict or bool, optional
        As in :func:`export_variant_visualization` (a frames directory gets
        ``provenance.json``).
    **render_kwargs
        Passed to the renderer.

    Returns
    -------
    Path
        The written file (or directory). Cancelling or any error leaves no partial file
        and keeps an older file at ``output_path`` intact.
    """
    loader = ArtifactLoader(variant_dir)
    if analyzer_name is None and not isinstance(render_fn, str):
        raise UsageError(f"analyzer_name is required with a renderer function; the variant "
                         f"has: {', '.join(loader.analyzers())}.\n"
                         "Pass analyzer_name=..., or a registered visualization name.")
    vis = as_visualization(render_fn, analyzer=analyzer_name)
    available = cross_epochs(vis, loader)
    options = AnimationOptions(fps, width, height, scale, label, lock_axes, loop, theme)
    where = repr(str(loader.variant_dir))
    if vis.kind == "cross_epoch":
        snapshots = load_snapshots(vis, loader, available)
        record = variant_record(vis, loader, output_path, epoch=None, epochs=available,
                                kwargs=render_kwargs, provenance=provenance)
        return _sweep(vis, snapshots, available, epochs, output_path, options, progress, cancel,
                      render_kwargs, where, record)
    chosen = available if epochs is None else sorted(set(epochs))
    for epoch in chosen:
        if epoch not in available:
            load_data(vis, loader, epoch)  # raises EpochNotFoundError naming the nearest ones
    record = variant_record(vis, loader, output_path, epoch=None, epochs=chosen,
                            kwargs=render_kwargs, provenance=provenance)

    def build(epoch: int) -> Figureish:
        data = load_data(vis, loader, epoch)  # before the call: artifact errors stay theirs
        return call_renderer(vis, epoch, data=data, render_kwargs=render_kwargs, where=where)

    return animate_frames(build, chosen, output_path, options, progress=progress, cancel=cancel,
                          provenance=record)


def export_cross_epoch_animation(
    render_fn: Renderer,
    snapshots: Sequence[Any],
    epochs: Sequence[int],
    output_path: str | Path,
    fps: float = 5,
    width: int = 1200,
    height: int = 800,
    scale: float = 2,
    *,
    label: bool = True,
    loop: int = 0,
    progress: Progress | bool | None = None,
    cancel: threading.Event | None = None,
    theme: str | None = None,
    sweep: Sequence[int] | None = None,
    **render_kwargs: Any,
) -> Path:
    """Animate a cross-epoch renderer: the data stays fixed, ``current_epoch`` sweeps.

    ``render_fn(snapshots, epochs, current_epoch=e, **kw)`` is called once per frame for
    every ``e`` in ``sweep`` (default: all ``epochs``). Other parameters and the output
    formats are those of :func:`export_animation`.
    """
    vis = as_visualization(render_fn, kind="cross_epoch")
    snapshots, epochs = list(snapshots), list(epochs)
    if len(snapshots) != len(epochs):
        raise UsageError(f"Got {len(snapshots)} snapshots for {len(epochs)} epochs.\n"
                         "Pass one snapshot per epoch, in the same order.")
    options = AnimationOptions(fps, width, height, scale, label, False, loop, theme)
    record = variant_record(vis, None, output_path, epoch=None, epochs=epochs,
                            kwargs=render_kwargs)
    return _sweep(vis, snapshots, epochs, sweep, output_path, options, progress, cancel,
                  render_kwargs, "", record)


def _sweep(vis: Visualization, snapshots: list, epochs: list[int], sweep: Sequence[int] | None,
           output_path: str | Path, options: AnimationOptions, progress: Any, cancel: Any,
           render_kwargs: dict[str, Any], where: str, record: Provenance = None) -> Path:
    """Animate the highlight of a cross-epoch renderer over ``sweep`` (default: all epochs)."""
    chosen = epochs if sweep is None else sorted(set(sweep))
    unknown = [e for e in chosen if e not in epochs]
    if unknown:
        span = f"{epochs[0]}..{epochs[-1]}" if epochs else "none"
        raise EpochNotFoundError(f"Epochs {unknown} are not among the snapshots' epochs "
                                 f"({span}).\nSweep only epochs you have.")
    options = replace(options, lock_axes=False)

    def build(epoch: int) -> Figureish:
        return call_renderer(vis, epoch, snapshots=snapshots, epochs=epochs,
                             render_kwargs=render_kwargs, where=where)

    return animate_frames(build, chosen, output_path, options, progress=progress, cancel=cancel,
                          provenance=record)
