"""Verbs on one run: export a visualization, animate it; a few lines each over FigureSource.

Each verb builds its option objects once (:class:`~vizwidget.export.ImageOptions`,
:class:`~vizwidget.export.AnimationOptions`), asks a :class:`~vizwidget.source.FigureSource`
for the figures and hands them to the export core, which knows nothing of runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ._deprecation import fold_legacy, renamed_keywords
from ._paths import file_in, make_dir, safe_filename
from ._progress import Progress, cancellable, progress_reporter
from .errors import UsageError
from .export import AnimationOptions, ImageOptions
from .figures import Figureish
from .formats import normalize, suffix_for
from .provenance import Provenance
from .registry import get_visualization
from .runs import ArtifactLoader
from .source import FigureSource, Run

__all__ = [
    "animation_options",
    "legacy_animation_keywords",
    "export_animation",
    "export_cross_epoch_animation",
    "export_variant_visualization",
    "safe_filename",
    "variant_figure",
]

Renderer = Callable[..., Any] | str
#: Keywords of earlier releases that now live in ``options=AnimationOptions(...)``.
_LEGACY_LOOK = ("label", "lock_axes", "loop", "scale", "theme")


def animation_options(options: AnimationOptions | None = None, *, fps: float | None = None,
                      width: int | None = None, height: int | None = None,
                      scale: float | None = None, **more: Any) -> AnimationOptions:
    """``options`` (default :class:`AnimationOptions`) with the given fields replaced."""
    given = {"fps": fps, "width": width, "height": height, "scale": scale, **more}
    return replace(options or AnimationOptions(),
                   **{k: v for k, v in given.items() if v is not None})


def legacy_animation_keywords(
    kwargs: dict[str, Any], func: str, progress: Progress | bool | None,
) -> tuple[dict[str, Any], Progress | bool | None]:
    """Old look keywords (into AnimationOptions), popped from the ``kwargs`` of the animation
    verb ``func``, and ``progress`` stopping once an old ``cancel=`` event is set (each old
    keyword warns, pointing at the caller of ``func``)."""
    look = fold_legacy(kwargs, func, _LEGACY_LOOK, "options=AnimationOptions(...)", 5)
    cancel = fold_legacy(kwargs, func, ("cancel",), "progress=cancellable(progress, event)", 5)
    if not cancel:
        return look, progress
    report, _ = progress_reporter(progress, 0)  # a bar takes the frame count from its reports
    return look, cancellable(report, cancel["cancel"])


def variant_figure(run: Run, visualization: str, epoch: int | None = None,
                   **options: Any) -> tuple[Figureish, int | None]:
    """The figure of a visualization on a run, and the epoch it shows.

    Returns
    -------
    tuple of (go.Figure or dict, int or None)
        ``epoch`` resolved to the latest one for per-epoch visualizations.
    """
    source = FigureSource(visualization, run, options=options)
    if epoch is None:
        epoch = source.default_epoch()
    return source.figure(epoch), epoch


@renamed_keywords(variant_dir="run")
def export_variant_visualization(
    run: Run,
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
    **options: Any,
) -> Path:
    """Render a registered visualization of a run and write it to a file.

    Parameters
    ----------
    run : str, os.PathLike or ArtifactLoader
        The run folder (or its ``artifacts/`` folder). Formerly ``variant_dir``.
    visualization : str
        A registered name, see :func:`vizwidget.visualizations`.
    epoch : int, optional
        Per-epoch visualizations: the epoch shown (default: the latest). Cross-epoch ones:
        the highlighted epoch (default: none).
    output_dir : str or os.PathLike, optional
        Default ``{run}/exports/`` (created).
    format : str, default "png"
        Any still format of :func:`vizwidget.export_figure`.
    width, height, scale, theme
        As in :func:`vizwidget.export_figure`.
    provenance : dict or bool, optional
        None/True (default): embed a record of the visualization, renderer, run (relative
        to the file), artifact hashes, epoch(s), renderer options and versions; a dict adds
        its fields; False: none. See :func:`vizwidget.reproduce`.
    **options
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
    fmt = normalize(format)
    image = ImageOptions(width, height, scale, theme).check(fmt)  # before any work
    source = FigureSource(get_visualization(visualization), run, options=options)
    if epoch is None:
        epoch = source.default_epoch()
    out_dir = make_dir(output_dir if output_dir is not None
                       else source.loader.variant_dir / "exports")
    stem = source.name if epoch is None else f"{source.name}_epoch{int(epoch)}"
    return source.write(file_in(out_dir, stem, suffix_for(fmt)), epoch, fmt, image,
                        provenance)


@renamed_keywords(render_fn="visualization", variant_dir="run", analyzer_name="analyzer",
                  output_path="path", render_kwargs="renderer_options")
def export_animation(
    visualization: Renderer,
    run: Run,
    analyzer: str | None,
    path: str | Path,
    epochs: Sequence[int] | None = None,
    *,
    fps: float | None = None,
    width: int | None = None,
    height: int | None = None,
    options: AnimationOptions | None = None,
    progress: Progress | bool | None = None,
    provenance: Provenance = None,
    **renderer_options: Any,
) -> Path:
    """Animate a visualization over the epochs of a run.

    Parameters
    ----------
    visualization : str or callable
        A registered name, or ``fn(data, epoch, **kw) -> go.Figure`` (a cross-epoch name
        sweeps its ``current_epoch`` highlight instead).
    run : str, os.PathLike or ArtifactLoader
        The run folder (or its ``artifacts/`` folder).
    analyzer : str or None
        Analyzer a renderer function reads; None with a visualization name uses its own.
    path : str or Path
        ``.gif``, ``.webp``, ``.png`` (APNG), ``.mp4``, ``.webm``, ``.html`` (interactive,
        offline), or a directory path without suffix (one PNG per frame).
    epochs : sequence of int, optional
        Epochs to show (sorted, de-duplicated); default all available.
    fps, width, height
        Shortcuts for the same fields of ``options`` (they win over it).
    options : AnimationOptions, optional
        Frame rate, size, pixel density, epoch label, locked axes, loop count and theme, in
        one value (``scale=``, ``label=``, ``lock_axes=``, ``loop=``, ``theme=`` still work
        for one release and warn).
    progress : callable or bool, optional
        ``progress(done, total)`` after each frame, or True for a tqdm bar; a callback that
        raises :class:`~vizwidget.errors.ExportCancelled` stops the export.
    provenance : dict or bool, optional
        As in :func:`export_variant_visualization` (a frames directory gets
        ``provenance.json``).
    **renderer_options
        Passed to the renderer.

    Returns
    -------
    Path
        The written file (or directory). Cancelling or any error leaves no partial file
        and keeps an older file at ``path`` intact.
    """
    look, progress = legacy_animation_keywords(renderer_options, "export_animation", progress)
    loader = run if isinstance(run, ArtifactLoader) else ArtifactLoader(run)
    if analyzer is None and not isinstance(visualization, str):
        raise UsageError(f"analyzer is required with a renderer function; the run "
                         f"has: {', '.join(loader.analyzers())}.\n"
                         "Pass analyzer=..., or a registered visualization name.")
    chosen = animation_options(options, fps=fps, width=width, height=height, **look)
    source = FigureSource(visualization, loader, analyzer=analyzer, options=renderer_options)
    return source.animate(path, epochs, chosen, progress=progress,
                          provenance=provenance)


@renamed_keywords(render_fn="visualization", output_path="path")
def export_cross_epoch_animation(
    visualization: Renderer,
    snapshots: Sequence[Any],
    epochs: Sequence[int],
    path: str | Path,
    *,
    sweep: Sequence[int] | None = None,
    fps: float | None = None,
    width: int | None = None,
    height: int | None = None,
    options: AnimationOptions | None = None,
    progress: Progress | bool | None = None,
    **renderer_options: Any,
) -> Path:
    """Animate a cross-epoch renderer over data you already hold: the highlight sweeps.

    ``visualization(snapshots, epochs, current_epoch=e, **kw)`` is called once per frame for
    every ``e`` in ``sweep`` (default: all ``epochs``). Other parameters and the output
    formats are those of :func:`export_animation`.
    """
    look, progress = legacy_animation_keywords(renderer_options,
                                               "export_cross_epoch_animation", progress)
    chosen = animation_options(options, fps=fps, width=width, height=height, **look)
    source = FigureSource(visualization, kind="cross_epoch", options=renderer_options,
                          snapshots=(snapshots, epochs))
    return source.animate(path, sweep, chosen, progress=progress)
