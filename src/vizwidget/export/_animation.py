"""Animations: a renderer swept over epochs, rendered on the warm page, streamed to a file."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .._blas import single_blas_thread
from ..errors import ExportCancelled, FigureError, FormatError, RendererError, SizeError
from ..formats import ANIMATION_FORMATS, resolve_output
from ._figure import check_size, figure_to_dict
from ._frames import axis_extents, merge_extents, with_epoch_label, with_ranges
from ._io import atomic_output

Progress = Callable[[int, int], Any]
FrameBuilder = Callable[[int], dict]


# -- public API ------------------------------------------------------------------------------
def export_animation(
    render_fn: Callable[..., Any] | str,
    artifacts_dir: str | Path,
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
    **render_kwargs: Any,
) -> Path:
    """Animate a per-epoch renderer over the epochs of a variant.

    Parameters
    ----------
    render_fn : callable or str
        ``fn(data, epoch, **kw) -> go.Figure``, or a registered visualization name
        (a cross-epoch name sweeps its ``current_epoch`` highlight instead).
    artifacts_dir : str or Path
        The variant directory (or its ``artifacts/`` folder); read with ArtifactLoader.
    analyzer_name : str or None
        Analyzer whose epochs are loaded; None with a visualization name uses its own.
    output_path : str or Path
        ``.gif``, ``.webp``, ``.png`` (APNG), ``.mp4``, ``.webm``, ``.html`` (interactive,
        offline), or a directory path without suffix (one PNG per frame).
    epochs : sequence of int, optional
        Epochs to show (sorted, de-duplicated); default all available.
    fps : float
        Frames per second; each frame lasts ``1000/fps`` ms.
    width, height, scale : int, int, float
        Frame size in CSS pixels and pixel density (frames are ``width*scale`` wide).
    label : bool
        Draw "epoch N" on each frame.
    lock_axes : bool
        Use the union of all frames' axis ranges so axes do not jump.
    loop : int
        GIF/WebP/APNG loop count; 0 loops forever.
    progress : callable or bool, optional
        ``progress(done, total)`` after each frame, or True for a tqdm bar.
    cancel : threading.Event, optional
        Set it to stop; ExportCancelled is raised and no file is written.
    theme : str, optional
        "default", "dark" or "publication".
    **render_kwargs
        Passed to the renderer.

    Returns
    -------
    Path
        The written file (or directory). Cancelling or any error leaves no partial file
        and keeps an older file at ``output_path`` intact.
    """
    from ..artifacts import ArtifactLoader

    loader = ArtifactLoader(artifacts_dir)
    name, fn, kind, options, available, load = _source(render_fn, analyzer_name, loader,
                                                       render_kwargs)
    if kind == "cross_epoch":
        snapshots = [load(e) for e in available]
        return export_cross_epoch_animation(
            fn, snapshots, available, output_path, fps, width, height, scale, label=label,
            loop=loop, progress=progress, cancel=cancel, theme=theme, sweep=epochs, **options)
    chosen = available if epochs is None else sorted(set(epochs))
    for epoch in chosen:
        if epoch not in available:
            load(epoch)  # raises EpochNotFoundError naming the nearest ones

    def build(epoch: int) -> dict:
        return _call_renderer(name, epoch, lambda: fn(load(epoch), epoch, **options))

    return _animate(build, chosen, output_path, fps, width, height, scale, label=label,
                    lock_axes=lock_axes, loop=loop, progress=progress, cancel=cancel,
                    theme=theme)


def export_cross_epoch_animation(
    render_fn: Callable[..., Any] | str,
    snapshots: Sequence[dict],
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
    name, fn, _, options, _ = _renderer(render_fn, render_kwargs)
    snapshots, epochs = list(snapshots), list(epochs)
    if len(snapshots) != len(epochs):
        raise ValueError(f"Got {len(snapshots)} snapshots for {len(epochs)} epochs.\n"
                         "Pass one snapshot per epoch, in the same order.")
    chosen = epochs if sweep is None else sorted(set(sweep))
    unknown = [e for e in chosen if e not in epochs]
    if unknown:
        from ..errors import EpochNotFoundError

        raise EpochNotFoundError(f"Epochs {unknown} are not among the snapshots' epochs "
                                 f"({epochs[0]}..{epochs[-1]}).\nSweep only epochs you have.")

    def build(epoch: int) -> dict:
        return _call_renderer(name, epoch,
                              lambda: fn(snapshots, epochs, current_epoch=epoch, **options))

    return _animate(build, chosen, output_path, fps, width, height, scale, label=label,
                    lock_axes=False, loop=loop, progress=progress, cancel=cancel, theme=theme)


# -- helpers ---------------------------------------------------------------------------------
def _renderer(render_fn, kwargs):
    """(name, fn, kind, options, visualization or None) for a function or a registered name."""
    if isinstance(render_fn, str):
        from ..registry import get_visualization

        vis = get_visualization(render_fn)
        return vis.name, vis.fn, vis.kind, {**vis.defaults, **kwargs}, vis
    if not callable(render_fn):
        raise TypeError(f"render_fn must be a renderer function or a visualization name, "
                        f"got {type(render_fn).__name__}.")
    name = getattr(render_fn, "__name__", repr(render_fn))
    return name, render_fn, "per_epoch", kwargs, None


def _source(render_fn, analyzer, loader, kwargs):
    """(name, fn, kind, options, available epochs, load(epoch)) of a renderer on a variant.

    A registered name without ``analyzer`` reads its own analyzer(s) the registry's way
    (several analyzers give ``{analyzer: data}``); otherwise ``analyzer`` is read.
    """
    name, fn, kind, options, vis = _renderer(render_fn, kwargs)
    if analyzer is None:
        if vis is None:
            raise ValueError(f"analyzer_name is required with a renderer function; the "
                             f"variant has: {', '.join(loader.analyzers())}.\n"
                             "Pass analyzer_name=..., or a registered visualization name.")
        from ..registry import cross_epochs, load_data

        return (name, fn, kind, options, cross_epochs(vis, loader),
                lambda epoch: load_data(vis, loader, epoch))
    return (name, fn, kind, options, loader.epochs(analyzer),
            lambda epoch: loader.load(analyzer, epoch))


def _call_renderer(name: str, epoch: int, call: Callable[[], Any]) -> dict:
    try:
        fig = call()
    except Exception as err:
        raise RendererError(f"The renderer {name!r} failed at epoch {epoch}: "
                            f"{type(err).__name__}: {err}\nFix the renderer, or leave epoch "
                            f"{epoch} out with epochs=[...].") from err
    try:
        return figure_to_dict(fig)
    except FigureError as err:
        raise FigureError(f"The renderer {name!r} returned {type(fig).__name__} at epoch "
                          f"{epoch}, not a figure.\nReturn a go.Figure.") from err


def _progress_callback(progress: Progress | bool | None, total: int):
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="frame")
        return (lambda done, _total: bar.update(done - bar.n)), bar.close
    if callable(progress):
        return progress, (lambda: None)
    return (lambda done, total: None), (lambda: None)


def _animate(build: FrameBuilder, epochs: list[int], output_path, fps, width, height, scale,
             **options: Any) -> Path:
    """Validate, build, render and write; renderers run with one BLAS thread (see _blas)."""
    with single_blas_thread():
        return _animate_locked(build, epochs, output_path, fps, width, height, scale, **options)


def _animate_locked(build: FrameBuilder, epochs: list[int], output_path, fps, width, height,
                    scale, *, label, lock_axes, loop, progress, cancel, theme) -> Path:
    check_size(width, height, scale)
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not fps > 0:
        raise SizeError(f"fps must be a positive number, got {fps!r}.\nPass e.g. fps=5.")
    if not epochs:
        raise ValueError("No epochs to animate.\nCheck the epochs= argument and the artifacts.")
    path, fmt = _resolve_target(output_path)
    if theme is not None:
        from ..themes import apply_theme

    def figure(epoch: int) -> dict:
        return build(epoch) if theme is None else apply_theme(build(epoch), theme)

    extents: dict = {}
    if lock_axes:  # a first pass over the figures, without rendering, for the axis union
        for epoch in epochs:
            _check_cancel(cancel)
            extents = merge_extents(extents, axis_extents(figure(epoch)))

    def frame(epoch: int) -> dict:
        fig = with_ranges(figure(epoch), extents) if extents else figure(epoch)
        return with_epoch_label(fig, epoch) if label else fig

    report, finish = _progress_callback(progress, len(epochs))
    try:
        if fmt == "html":
            from ._html import write_html_animation

            with atomic_output(path) as tmp:
                write_html_animation(tmp, epochs, frame, fps, width, height, report, cancel)
            return path
        if fmt == "dir":
            return _write_frame_dir(path, epochs, frame, width, height, scale, report, cancel)
        with atomic_output(path) as tmp:
            _stream(tmp, fmt, epochs, frame, fps, loop, width, height, scale, report, cancel)
        return path
    finally:
        finish()


def _resolve_target(output_path) -> tuple[Path, str]:
    path = Path(output_path)
    if not path.suffix:
        return path, "dir"
    try:
        return resolve_output(path, None, ANIMATION_FORMATS)
    except FormatError as err:
        raise FormatError(f"{err}\nOr pass a directory path (no suffix) for one PNG per "
                          "frame.") from None


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled("The animation export was cancelled; no file was written.")


def _rendered(epochs, frame, width, height, scale, cancel,
              ready: dict[int, bytes] | None = None) -> Iterator[bytes]:
    """PNG bytes per epoch; the next figure is built while the browser renders this one.

    Epochs in ``ready`` are yielded from it without building or rendering again.
    """
    from .. import engine

    ready = {} if ready is None else ready
    with ThreadPoolExecutor(1, thread_name_prefix="vizwidget-build") as builder:

        def upcoming(i: int) -> Future | None:
            return None if epochs[i] in ready else builder.submit(frame, epochs[i])

        following = upcoming(0)
        for i, epoch in enumerate(epochs):
            _check_cancel(cancel)
            current = following
            if i + 1 < len(epochs):
                following = upcoming(i + 1)
            if current is None:
                yield ready[epoch]
            else:
                yield engine.render(current.result(), "png", int(width), int(height), scale)


def _stream(tmp: Path, fmt, epochs, frame, fps, loop, width, height, scale, report, cancel):
    from . import _writers

    ready: dict[int, bytes] = {}  # read lazily: filled below before the last epoch is due
    frames = _rendered(epochs, frame, width, height, scale, cancel, ready)
    if fmt == "gif":  # the palette comes from the first and last frames, each rendered once
        first = next(frames)
        if len(epochs) > 1:
            ready[epochs[-1]] = next(_rendered(epochs[-1:], frame, width, height, scale, cancel))
        writer: Any = _writers.GifWriter(tmp, fps, loop,
                                         palette_from=[first, ready.get(epochs[-1], first)])
        frames = itertools.chain([first], frames)
    elif fmt in ("mp4", "webm"):
        writer = _writers.FfmpegWriter(tmp, fmt, fps)
    else:
        writer = _writers.PillowAnimationWriter(tmp, fmt, fps, loop)
    pending: deque[Future] = deque()
    with ThreadPoolExecutor(1, thread_name_prefix="vizwidget-encode") as encoder:
        try:
            for done, png in enumerate(frames, start=1):
                pending.append(encoder.submit(writer.add, png))
                while len(pending) > 2:  # bounded: memory does not grow with frame count
                    pending.popleft().result()
                report(done, len(epochs))
            while pending:
                pending.popleft().result()
            writer.close()
        except BaseException:
            for f in pending:
                f.cancel()
            encoder.shutdown(wait=True)
            writer.abort()
            raise


def _write_frame_dir(path: Path, epochs, frame, width, height, scale, report, cancel) -> Path:
    from ._writers import FrameDirWriter

    if path.exists() and not path.is_dir():
        from ..errors import OutputPathError

        raise OutputPathError(f"{str(path)!r} exists and is not a directory.\n"
                              "Pass a new directory path, or a file path with a suffix.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        writer = FrameDirWriter(tmp, epochs)
        for done, png in enumerate(_rendered(epochs, frame, width, height, scale, cancel), 1):
            writer.add(png)
            report(done, len(epochs))
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            path.rename(old)
            tmp.rename(path)
            shutil.rmtree(old)
        else:
            tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path
