"""Export a registered visualization of a variant directory to a file."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from .errors import OutputPathError

__all__ = ["export_variant_visualization", "safe_filename", "variant_figure"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")


def safe_filename(text: Any, max_length: int = 120) -> str:
    """A file-name-safe version of ``text``: one path component, never ``.``/``..``.

    Path separators, spaces, ``..`` and other unsafe characters become ``_``; accents are
    stripped; leading and trailing dots are removed (no hidden files).

    Parameters
    ----------
    text : object
        Usually a visualization or metric name such as ``"train/loss"``.
    max_length : int, default 120
        Longest result.

    Returns
    -------
    str
        Non-empty (``"unnamed"`` when nothing is left).

    Examples
    --------
    >>> safe_filename("train/loss (EMA)")
    'train_loss_EMA'
    """
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"\.{2,}", "_", _UNSAFE.sub("_", s))  # no separators, no ".." runs
    s = re.sub(r"_{2,}", "_", s).strip("._")[:max_length].rstrip("._")
    return s or "unnamed"


def variant_figure(
    variant_dir: str | os.PathLike[str], visualization: str, epoch: int | None = None,
    **kwargs: Any,
):
    """The ``go.Figure`` of a visualization on a variant, and the epoch it shows.

    Returns
    -------
    tuple of (plotly.graph_objects.Figure, int or None)
        ``epoch`` resolved to the latest one for per-epoch visualizations.
    """
    from .artifacts import ArtifactLoader
    from .registry import cross_epochs, get_visualization, render_visualization

    vis = get_visualization(visualization)
    loader = ArtifactLoader(variant_dir)
    if vis.kind == "per_epoch" and epoch is None:
        epochs = cross_epochs(vis, loader)
        epoch = epochs[-1] if epochs else loader.latest_epoch(vis.analyzers[0])
    return render_visualization(vis, loader, epoch, **kwargs), epoch


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
        Any still format of :func:`vizwidget.export_figure` (png, jpeg, webp, svg, pdf,
        html, json).
    width, height : int
        Size in CSS pixels.
    scale : float
        Pixel density multiplier for raster formats.
    theme : {"default", "dark", "publication"}, optional
        Figure theme.
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
    from .export import export_figure
    from .formats import normalize, suffix_for
    from .registry import get_visualization
    from .themes import theme_template

    vis = get_visualization(visualization)
    fmt = normalize(format)
    theme_template(theme)  # validate before any work
    fig, epoch = variant_figure(variant_dir, vis.name, epoch, **kwargs)
    from .artifacts import ArtifactLoader

    base = ArtifactLoader(variant_dir).variant_dir
    out_dir = Path(output_dir).expanduser() if output_dir is not None else base / "exports"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputPathError(f"Cannot create output directory {str(out_dir)!r}: {err}.\n"
                              "Pass output_dir= pointing to a writable directory.") from err
    stem = safe_filename(vis.name)
    if epoch is not None:
        stem += f"_epoch{int(epoch)}"
    path = out_dir / f"{stem}{suffix_for(fmt)}"
    return export_figure(fig, path, format=fmt, width=width, height=height, scale=scale,
                         theme=theme)
