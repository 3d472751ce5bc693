"""Comparison figures of several variants, and their export as still files and animations."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._deprecation import renamed_keywords
from ..errors import ComparisonError, FormatError, UsageError
from ..export import AnimationOptions, ImageOptions, animate_frames, export_figure
from ..formats import ANIMATION_FORMATS, STILL_FORMATS
from ..grid import PanelLabel
from ..registry import Visualization, get_visualization
from ..verbs import animation_options, legacy_animation_keywords
from ._joint import JOINT_VIEWS, prepare_joint
from ._lines import Processing
from ._overlay import prepare_overlay
from ._panels import panel_grid
from ._variants import Paths, Variants, as_variants

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "LAYOUTS",
    "OVERLAY_VIEWS",
    "comparison_figure",
    "export_comparison",
    "export_comparison_animation",
    "register_comparison",
]

LAYOUTS = ("overlay", "joint", "small_multiples")
#: Built-in over-epochs views drawn as overlays by default.
OVERLAY_VIEWS = ("training_curves", "parameter_velocity", "effective_dimensionality",
                 "flatness")
ComparisonFn = Callable[..., Any]
Epochs = int | Sequence[int] | None
_custom: dict[str, ComparisonFn] = {}
_lock = threading.Lock()


def register_comparison(name: str) -> Callable[[ComparisonFn], ComparisonFn]:
    """Decorator: the comparison figure of the visualization ``name``; returns ``fn``.

    Contract: ``fn(variants: Variants, vis: Visualization, epoch: int | None, **kw) ->
    go.Figure``. Read data only through ``variants.figure(member, vis, epoch, **kw)``
    (``registry.render_visualization``) and ``variants.data(member, vis, epoch)``
    (``registry.load_data``), with ``variants.epochs(member, vis)`` and
    ``variants.align(vis, epoch)`` for the checkpoints. Visualizations without one are
    compared as small multiples (or the built-in overlay / joint layouts).

    Examples
    --------
    >>> @register_comparison("loss_hist")                     # doctest: +SKIP
    ... def loss_hist_compare(variants, vis, epoch, **kw):
    ...     shown = variants.align(vis, epoch)
    ...     ...
    """
    def decorator(fn: ComparisonFn) -> ComparisonFn:
        if not callable(fn):
            raise TypeError(f"register_comparison({name!r}) must decorate a function.")
        with _lock:
            _custom[name] = fn
        return fn

    return decorator


def _default_layout(vis: Visualization) -> str:
    if vis.name in _custom:
        return "custom"
    if vis.name in OVERLAY_VIEWS:
        return "overlay"
    if vis.name in JOINT_VIEWS:
        return "joint"
    return "small_multiples"


def _note(shown: int | None, asked: int | None) -> str:
    """What a panel says about itself: only an epoch other than the one asked for."""
    return f"epoch {shown} (nearest)" if None not in (shown, asked) and shown != asked else ""


def _prepare_panels(vs: Variants, vis: Visualization, columns: int | None,
                    kw: dict) -> Callable[..., Any]:
    def figure(epoch: Epochs = None) -> go.Figure:
        asked = list(epoch) if isinstance(epoch, Sequence) else [epoch]
        panels = []
        for m in vs:
            for e in asked:
                shown = None if vis.kind == "cross_epoch" and e is None else \
                    vs.align(vis, e)[m.label]
                # one run per column and the view per row; A/B: one run per row, epoch per column
                label = (PanelLabel(m.label, f"epoch {e}", _note(shown, e)) if len(asked) > 1
                         else PanelLabel(vis.name, m.label, _note(shown, e)))
                panels.append((label, vs.figure_dict(m, vis, shown, **kw)))
        if len(asked) > 1:
            what = f"epochs {' vs '.join(str(e) for e in asked)}"
        else:
            what = "" if asked[0] is None else f" at epoch {asked[0]}"
            what = f"{len(vs)} variants{what}"
        cols = columns or (len(asked) if len(asked) > 1 else None)
        return panel_grid(panels, f"{vis.name} — {what}", cols, run_colors=len(asked) == 1)

    return figure


def prepare_comparison(
    variants: Variants | Paths, visualization: str | Visualization, layout: str | None = None,
    *, processing: Processing | None = None, columns: int | None = None, **kw: Any,
) -> tuple[Visualization, Variants, Callable[..., Any]]:
    """``(vis, variants, figure)`` where ``figure(epoch)`` builds the comparison.

    ``figure`` returns a ``go.Figure``, or a plain figure dict where building one per epoch
    is the cost (overlays); :func:`comparison_figure` always returns a ``go.Figure``.

    Expensive steps (rendering every variant's over-epochs figure, the joint PCA) run here,
    once; ``figure(epoch)`` only places the highlight or renders the panels of that epoch.
    """
    if columns is not None and (isinstance(columns, bool) or not isinstance(columns, int)
                                or columns < 1):
        raise UsageError(f"columns={columns!r} is not a number of columns.\n"
                         "Pass a positive integer, or leave it out for a near-square grid.")
    vs = as_variants(variants)
    vis = get_visualization(visualization)
    vs.require(vis)
    layout = layout or _default_layout(vis)
    if layout not in (*LAYOUTS, "custom"):
        raise ComparisonError(f"Unknown comparison layout {layout!r}.\n"
                              f"Use one of: {', '.join(LAYOUTS)} (or None for the default).")
    if processing is not None and layout != "overlay":
        raise ComparisonError(f"processing= applies to overlays, not to layout {layout!r}.\n"
                              "Pass layout='overlay' or drop processing=.")
    if layout == "custom":
        fn = _custom[vis.name]
        return vis, vs, lambda epoch=None: fn(vs, vis, epoch, **kw)
    if layout == "overlay":
        if vis.kind != "cross_epoch":
            raise ComparisonError(f"{vis.name!r} shows one epoch, it has no lines over epochs "
                                  "to overlay.\nUse layout='small_multiples'.")
        return vis, vs, prepare_overlay(vs, vis, processing=processing, **kw)
    if layout == "joint":
        return vis, vs, prepare_joint(vs, vis, **kw)
    return vis, vs, _prepare_panels(vs, vis, columns, kw)


def comparison_figure(
    variants: Variants | Paths, visualization: str | Visualization, epoch: Epochs = None,
    layout: str | None = None, *, processing: Processing | None = None,
    columns: int | None = None, **kw: Any,
) -> go.Figure:
    """One figure comparing a visualization across variants (or epochs of one variant).

    Parameters
    ----------
    variants : Variants, path, glob or sequence of paths
        The runs to compare.
    visualization : str or Visualization
        A registered name (see :func:`vizwidget.visualizations`).
    epoch : int or sequence of int, optional
        The epoch shown (per-epoch views) or highlighted (over-epochs views); each variant
        shows its nearest checkpoint, named in the panel title when it differs. A sequence
        (e.g. ``[600, 1200]``) puts those epochs side by side for each variant (A/B).
    layout : {"overlay", "joint", "small_multiples"}, optional
        Default: a comparison registered with :func:`register_comparison`; else
        ``"overlay"`` for training_curves, parameter_velocity, effective_dimensionality and
        flatness (one line per variant, or per group the mean ± 1 std); ``"joint"`` for the
        parameter trajectories (one PCA basis for all variants); else small multiples (one
        panel per variant, shared axes).
    processing : callable, optional
        Overlays only: ``processing(x, y) -> (x, y)`` applied to each line before grouping.
    columns : int, optional
        Small multiples: panels per row.
    **kw
        Renderer options (or ``group=`` for the joint trajectory).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    _, _, figure = prepare_comparison(variants, visualization, layout, processing=processing,
                                      columns=columns, **kw)
    fig = figure(epoch)
    return fig if isinstance(fig, go.Figure) else go.Figure(fig)


@renamed_keywords(variants="runs", output_path="path")
def export_comparison(
    runs: Variants | Paths, visualization: str | Visualization,
    path: str | Path, epoch: Epochs = None, layout: str | None = None, *,
    format: str | None = None, width: int = 1200, height: int = 800, scale: float = 2,
    theme: str | None = None, **options: Any,
) -> Path:
    """Write :func:`comparison_figure` to a still file (png, jpeg, webp, svg, pdf, html, json).

    ``options`` are those of :func:`comparison_figure` (``processing=``, ``columns=``,
    ``band=``, renderer options); the others those of :func:`vizwidget.export_figure`. The
    file is written atomically. Runs read from an experiment tracker are named in the
    provenance record (``"runs"``: label -> tracker, store, experiment, run id and name).

    Returns
    -------
    pathlib.Path
    """
    kind = (format or Path(path).suffix.lstrip(".")).lower()
    if kind in set(ANIMATION_FORMATS) - set(STILL_FORMATS):
        raise FormatError(f"{kind!r} is an animation format; export_comparison writes one "
                          "still figure.\nUse export_comparison_animation(...) for it.")
    image = ImageOptions(width, height, scale, theme).check(kind)
    vs = as_variants(runs)
    fig = comparison_figure(vs, visualization, epoch, layout, **options)
    return export_figure(fig, path, format=format, provenance=_record(vs), **image.as_kwargs())


def _record(vs: Variants) -> dict[str, Any] | None:
    """Tracked runs (store and run ids) for a comparison file's provenance record."""
    tracked = {m.label: m.source for m in vs if m.source}
    return {"runs": tracked} if tracked else None


@renamed_keywords(variants="runs", output_path="path")
def export_comparison_animation(
    runs: Variants | Paths, visualization: str | Visualization,
    path: str | Path, epochs: Sequence[int] | None = None,
    layout: str | None = None, *, fps: float | None = None, width: int | None = None,
    height: int | None = None, options: AnimationOptions | None = None,
    progress: Any = None, **figure_options: Any,
) -> Path:
    """Animate a comparison over epochs: the highlight (or the panels' epoch) sweeps.

    Parameters
    ----------
    epochs : sequence of int, optional
        Frames; default the epochs common to all runs (their union when none is).
        Each run shows its nearest checkpoint.
    path, options, progress
        As for :func:`vizwidget.export_animation` (gif, mp4, webm, webp, png, html, or a
        directory of frames); axes are never locked (the data stay fixed).
    fps, width, height
        Shortcuts for the same fields of ``options`` (they win over it).
    layout, **figure_options
        As for :func:`comparison_figure` (``processing=``, ``columns=``, renderer options).

    Returns
    -------
    pathlib.Path
    """
    look, progress = legacy_animation_keywords(figure_options, "export_comparison_animation",
                                               progress)
    vs = as_variants(runs)
    vis, vs, figure = prepare_comparison(vs, visualization, layout, **figure_options)
    frames = sorted(set(vs.sweep_epochs(vis) if epochs is None else epochs))
    chosen = animation_options(options, fps=fps, width=width, height=height, **look)
    record = {"visualization": vis.name, "layout": layout, "labels": vs.labels,
              **(_record(vs) or {})}
    return animate_frames(figure, frames, path, replace(chosen, lock_axes=False),
                          progress=progress, provenance=record)
