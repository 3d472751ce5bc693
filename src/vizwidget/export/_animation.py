"""Animations: a frame-building callable swept over epochs, rendered on the warm page, streamed.

The core knows figures and callables only; where the data comes from is the caller's business
(see :mod:`vizwidget.verbs` for the verbs that start from a variant directory).
"""

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

from .. import engine
from .._blas import single_blas_thread
from .._deprecation import fold_legacy
from .._progress import Progress, cancellable, progress_reporter
from ..errors import FormatError, OutputPathError, UsageError
from ..figures import as_figure_dict
from ..formats import ANIMATION_FORMATS, FRAMES_FORMAT, resolve_output
from ..themes import apply_theme
from . import _writers
from ._decimate import decimate_figure
from ._frames import axis_extents, merge_extents, with_epoch_label, with_ranges
from ._html import write_html_animation
from ._io import atomic_output
from ._job import AnimationOptions, FrameJob
from ._metadata import SIDECAR, Provenance, check_provenance, encode, make_record

FrameBuilder = Callable[[int], Any]

__all__ = ["AnimationOptions", "FrameBuilder", "animate_frames"]


def animate_frames(
    build: FrameBuilder,
    epochs: Sequence[int],
    output_path: str | Path,
    options: AnimationOptions | None = None,
    *,
    progress: Progress | bool | None = None,
    provenance: Provenance = None,
    **legacy: Any,
) -> Path:
    """Write one animation frame per epoch, each frame the figure ``build(epoch)`` returns.

    Parameters
    ----------
    build : callable
        ``build(epoch) -> figure`` (go.Figure or figure dict). It runs in a worker thread
        while the browser renders the previous frame, with OpenBLAS limited to one thread.
    epochs : sequence of int
        The frames, in order.
    output_path : str or Path
        ``.gif``, ``.webp``, ``.png`` (APNG), ``.mp4``, ``.webm``, ``.html`` (interactive,
        offline), or a directory path without suffix (the ``"frames"`` format: one PNG per
        frame).
    options : AnimationOptions, optional
        fps, size, label, locked axes, loop, theme.
    progress : callable or bool, optional
        ``progress(done, total)`` after each frame (``done`` is 0 while locked axes are
        measured), or True for a tqdm bar. A callback that raises
        :class:`~vizwidget.errors.ExportCancelled` stops the export and writes nothing
        (:func:`vizwidget.export.cancellable` makes one from a ``threading.Event``).
    provenance : dict or bool, optional
        None or True (default): embed a provenance record (versions, format, size, the
        animation options and the frames' epochs); a dict adds its fields; False: none.
        A frames directory gets it as ``provenance.json``.

    Returns
    -------
    Path
        The written file (or directory). Cancelling or any error leaves no partial file
        and keeps an older file at ``output_path`` intact.
    """
    cancel = fold_legacy(legacy, "animate_frames", ("cancel",),
                         "progress=cancellable(progress, event)", 3)
    if legacy:
        raise TypeError(f"animate_frames() got unexpected keyword arguments: "
                        f"{', '.join(sorted(legacy))}")
    options = options or AnimationOptions()
    path, fmt = resolve_animation_target(output_path)
    options.check(fmt)
    epochs = list(epochs)
    if not epochs:
        raise UsageError("No epochs to animate.\nCheck the epochs= argument and the artifacts.")
    size = {"width": int(options.width), "height": int(options.height),
            "scale": options.scale, "theme": options.theme, "frames": epochs,
            "animation": {"fps": options.fps, "label": options.label,
                          "lock_axes": options.lock_axes, "loop": options.loop}}
    check_provenance(provenance)
    # the record's versions ask the browser binary once per process: while the frames render
    side = ThreadPoolExecutor(1, thread_name_prefix="vizwidget-record")
    record = side.submit(make_record, provenance, fmt, size)
    side.shutdown(wait=False)
    report, finish = progress_reporter(progress, len(epochs))
    if cancel:
        report = cancellable(report, cancel["cancel"])
    job = FrameJob(options, len(epochs), report, record)
    try:
        job.preparing()
        with single_blas_thread():  # renderers share small machines with Chromium
            frame = _frame_maker(build, epochs, job)
            if fmt == "html":
                with atomic_output(path) as tmp:
                    write_html_animation(tmp, epochs, frame, job)
                return path
            if fmt == FRAMES_FORMAT:
                return _write_frame_dir(path, epochs, frame, job)
            with atomic_output(path) as tmp:
                _stream(tmp, fmt, epochs, frame, job)
            return path
    finally:
        finish()


def resolve_animation_target(output_path: str | Path) -> tuple[Path, str]:
    """``(path, format)``: a suffix names the format; no suffix means a frames directory."""
    path = Path(output_path)
    if not path.suffix:
        return path, FRAMES_FORMAT
    try:
        return resolve_output(path, None, ANIMATION_FORMATS)
    except FormatError as err:
        raise FormatError(f"{err}".rstrip(".") + ", or a directory path (no suffix) for one "
                          "PNG per frame.") from None


def _frame_maker(build: FrameBuilder, epochs: list[int], job: FrameJob) -> Callable[[int], dict]:
    """``frame(epoch)``: the built figure, themed, with locked axes and the epoch label."""
    opts = job.options

    def figure(epoch: int) -> dict:
        fig = as_figure_dict(build(epoch))
        return fig if opts.theme is None else apply_theme(fig, opts.theme)

    extents: dict = {}
    if opts.lock_axes:  # a first pass over the figures, without rendering, for the axis union
        for epoch in epochs:
            job.preparing()
            extents = merge_extents(extents, axis_extents(figure(epoch)))

    def frame(epoch: int) -> dict:
        fig = with_ranges(figure(epoch), extents) if extents else figure(epoch)
        return with_epoch_label(fig, epoch) if opts.label else fig

    return frame


def _rendered(epochs: list[int], frame: Callable[[int], dict], job: FrameJob) -> Iterator[bytes]:
    """PNG bytes per epoch; the next figure is built while the browser renders this one.

    The build starts once the browser has the current figure: any earlier, its Python would
    hold the GIL the engine needs to send it.
    """
    opts = job.options

    def drawn(epoch: int) -> dict:
        return decimate_figure(frame(epoch), int(opts.width), int(opts.height), opts.scale)

    with ThreadPoolExecutor(1, thread_name_prefix="vizwidget-build") as builder:
        sent = threading.Event()
        sent.set()
        following = builder.submit(_when_set, sent, drawn, epochs[0])
        for i in range(len(epochs)):
            current, sent = following, threading.Event()
            if i + 1 < len(epochs):
                following = builder.submit(_when_set, sent, drawn, epochs[i + 1])
            try:
                png = engine.render(current.result(), "png", int(opts.width), int(opts.height),
                                    opts.scale, on_sent=sent.set)
            finally:
                sent.set()
            yield png


def _when_set(event: threading.Event, fn: Callable[[int], dict], epoch: int) -> dict:
    event.wait()
    return fn(epoch)


def _gif_frames(epochs: list[int], frame, job: FrameJob) -> tuple[list[bytes], Iterator[bytes]]:
    """The palette samples (the first and last frames) and all frames, each rendered once."""
    if len(epochs) == 1:
        first = next(_rendered(epochs, frame, job))
        return [first, first], iter([first])
    rendered = _rendered([epochs[0], epochs[-1], *epochs[1:-1]], frame, job)
    first, last = next(rendered), next(rendered)
    return [first, last], itertools.chain([first], rendered, [last])


def _stream(tmp: Path, fmt: str, epochs: list[int], frame, job: FrameJob) -> None:
    opts = job.options
    if fmt == "gif":
        samples, frames = _gif_frames(epochs, frame, job)
        writer: Any = _writers.GifWriter(tmp, opts.fps, opts.loop, palette_from=samples,
                                         record=job.record)
    else:
        frames = _rendered(epochs, frame, job)
        writer = (_writers.FfmpegWriter(tmp, fmt, opts.fps, record=job.record)
                  if fmt in ("mp4", "webm") else
                  _writers.PillowAnimationWriter(tmp, fmt, opts.fps, opts.loop, record=job.record))
    pending: deque[Future] = deque()
    with ThreadPoolExecutor(1, thread_name_prefix="vizwidget-encode") as encoder:
        try:
            for done, png in enumerate(frames, start=1):
                pending.append(encoder.submit(writer.add, png))
                while len(pending) > 4:  # bounded: memory does not grow with frame count
                    pending.popleft().result()
                job.report(done, len(epochs))
            while pending:
                pending.popleft().result()
            writer.close()
        except BaseException:
            for f in pending:
                f.cancel()
            encoder.shutdown(wait=True)
            writer.abort()
            raise


def _write_frame_dir(path: Path, epochs: list[int], frame, job: FrameJob) -> Path:
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"{str(path)!r} exists and is not a directory.\n"
                              "Pass a new directory path, or a file path with a suffix.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        writer = _writers.FrameDirWriter(tmp, epochs)
        for done, png in enumerate(_rendered(epochs, frame, job), 1):
            writer.add(png)
            job.report(done, len(epochs))
        if job.record is not None:
            (tmp / SIDECAR).write_text(encode(job.record) + "\n", encoding="utf-8")
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
