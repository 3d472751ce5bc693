"""The renderer registry: visualization name -> renderer function, kind, analyzers, defaults.

Renderer contract (renderers are never modified to be exported):

- ``"per_epoch"``: ``fn(data: dict, epoch: int, **kw) -> go.Figure``
- ``"cross_epoch"``: ``fn(snapshots: list[dict], epochs: list[int],
  current_epoch: int | None = None, **kw) -> go.Figure``

Multi-analyzer convention
    A visualization that reads one analyzer receives that analyzer's dict as ``data`` (or
    each snapshot). One that reads several (``analyzer=("a", "b")``) receives a dict keyed by
    analyzer name, ``{"a": {...}, "b": {...}}``, for the epoch (or each snapshot); cross-epoch
    snapshots then cover the epochs present for *every* analyzer.

Built-in renderers (``vizwidget.renderers``) and third-party ones (entry point group
``vizwidget.renderers``; each entry point names a module, whose import registers renderers,
or a zero-argument callable that registers them) load lazily on first registry access.
"""

from __future__ import annotations

import difflib
import inspect
import itertools
import operator
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import import_module, metadata
from typing import TYPE_CHECKING, Any, Literal

from ._blas import single_blas_thread
from .errors import (
    EpochNotFoundError,
    FigureError,
    RendererError,
    RendererOutputError,
    RendererSignatureError,
    UsageError,
    VisualizationNotFoundError,
    VizWidgetError,
    one_line,
)
from .figures import Figureish, check_figure
from .runs import ArtifactLoader

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "Visualization",
    "as_visualization",
    "call_renderer",
    "cross_epochs",
    "default_epoch",
    "get_visualization",
    "load_data",
    "load_snapshots",
    "register_renderer",
    "render_figure",
    "render_visualization",
    "renderer_options",
    "visualizations",
]

ENTRY_POINT_GROUP = "vizwidget.renderers"
KINDS = ("per_epoch", "cross_epoch")

_registry: dict[str, Visualization] = {}
_lock = threading.RLock()
_loaded = False
_loading = False


@dataclass(frozen=True)
class Visualization:
    """One registered visualization.

    Attributes
    ----------
    name : str
        Registry key.
    fn : callable
        The renderer; see the module docstring for its signature per kind.
    kind : {"per_epoch", "cross_epoch"}
        Whether the figure shows one epoch or all epochs (with a movable highlight).
    analyzers : tuple of str
        The analyzer(s) whose artifacts the renderer reads.
    defaults : dict
        Keyword arguments passed to ``fn`` unless overridden.
    description : str
        One line for listings.
    """

    name: str
    fn: Callable[..., Any] = field(repr=False)
    kind: Literal["per_epoch", "cross_epoch"]
    analyzers: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def analyzer(self) -> str:
        """The first (usually only) analyzer."""
        return self.analyzers[0]

    def render(
        self, loader: ArtifactLoader | str | os.PathLike[str], epoch: int | None = None, **kw: Any
    ) -> go.Figure:
        """Shortcut for :func:`render_visualization` (``self, loader, epoch, **kw``)."""
        return render_visualization(self, loader, epoch, **kw)


def _ensure_loaded() -> None:
    """Import the built-in renderers and entry-point plugins once."""
    global _loaded, _loading
    if _loaded:
        return
    with _lock:  # re-entrant: registrations made while loading come back here
        if _loaded or _loading:
            return
        _loading = True
        try:
            import_module("vizwidget.renderers")
            _load_entry_points()
            _loaded = True
        finally:
            _loading = False


def _load_entry_points() -> None:
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            known = {id(v.fn) for v in _registry.values()}
            if callable(obj) and not inspect.ismodule(obj) and id(obj) not in known:
                obj()
        except Exception as err:  # one broken plugin must not hide the others
            warnings.warn(
                f"Renderer plugin {ep.name!r} ({ep.value}) failed to load: "
                f"{type(err).__name__}: {err}\n"
                f"Fix or uninstall the package providing it; other renderers still work.",
                RuntimeWarning,
                stacklevel=3,
            )


def _check_defaults(name: str, fn: Callable[..., Any], kind: str, defaults: dict) -> None:
    options = renderer_options(fn)
    if options is None:
        return
    unknown = [k for k in defaults if k not in options]
    if unknown:
        raise RendererSignatureError(
            f"Renderer {name!r} does not accept default(s) {', '.join(map(repr, unknown))}.\n"
            f"Its keyword parameters are: {', '.join(options) or 'none'}."
        )
    if kind == "cross_epoch" and "current_epoch" not in inspect.signature(fn).parameters:
        raise RendererSignatureError(
            f"Cross-epoch renderer {name!r} must accept a 'current_epoch' keyword.\n"
            "Signature: fn(snapshots, epochs, current_epoch=None, **kw) -> go.Figure."
        )


def register_renderer(
    name: str,
    *,
    kind: Literal["per_epoch", "cross_epoch"] = "per_epoch",
    analyzer: str | Sequence[str],
    description: str = "",
    **defaults: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator registering a renderer function under ``name``; returns ``fn`` unchanged.

    Parameters
    ----------
    name : str
        Visualization name (used in file names and the widget's menu).
    kind : {"per_epoch", "cross_epoch"}, default "per_epoch"
        See the module docstring for the signature each kind must have.
    analyzer : str or sequence of str
        Analyzer(s) whose artifacts the renderer reads.
    description : str, optional
        One line shown in listings.
    **defaults
        Default keyword arguments for ``fn``.

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @register_renderer("loss_hist", analyzer="losses", bins=30)
    ... def loss_hist(data, epoch, bins=30):
    ...     ...

    Registering a name again replaces the earlier entry (re-running a notebook cell).
    """
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"Visualization name must be a non-empty string, got {name!r}.\n"
                         "Pass a name such as 'loss_hist'.")
    _check_kind(kind, name)
    analyzers = (analyzer,) if isinstance(analyzer, str) else tuple(analyzer)
    if not analyzers or not all(isinstance(a, str) and a for a in analyzers):
        raise UsageError(f"Renderer {name!r} needs analyzer= as a name or a list of names, "
                         f"got {analyzer!r}.\nPass e.g. analyzer='parameters'.")

    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(fn):
            raise RendererSignatureError(f"register_renderer({name!r}) must decorate a function, "
                             f"got {type(fn).__name__}.\nPut it above a def.")
        _check_defaults(name, fn, kind, defaults)
        vis = Visualization(name=name, fn=fn, kind=kind, analyzers=analyzers,
                            defaults=dict(defaults), description=description)
        _ensure_loaded()  # built-ins first, so a user's registration wins over them
        with _lock:
            _registry[name] = vis
        return fn

    return decorator


def visualizations() -> list[Visualization]:
    """Every registered visualization, sorted by name.

    Returns
    -------
    list of Visualization
    """
    _ensure_loaded()
    with _lock:
        return sorted(_registry.values(), key=lambda v: v.name)


def get_visualization(name: str | Visualization) -> Visualization:
    """The visualization registered as ``name``.

    Raises
    ------
    VisualizationNotFoundError
        If no visualization has that name; the message lists close matches.
    """
    if isinstance(name, Visualization):
        return name
    _ensure_loaded()
    with _lock:
        vis = _registry.get(name) if isinstance(name, str) else None
        names = sorted(_registry)
    if vis is not None:
        return vis
    close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.5)
    hint = f"Did you mean: {', '.join(close)}?" if close else f"Available: {', '.join(names)}."
    raise VisualizationNotFoundError(f"No visualization named {name!r}.\n{hint}")


def as_visualization(
    render: str | Visualization | Callable[..., Any],
    *,
    kind: str | None = None,
    analyzer: str | Sequence[str] | None = None,
) -> Visualization:
    """The :class:`Visualization` of a registered name, or an unregistered one for a function.

    A function becomes ``Visualization(name=fn.__name__, kind=kind or "per_epoch",
    analyzers=(analyzer,))``; ``analyzer`` may be None for a per-epoch function that is
    called without data (``fn(None, epoch, **kw)``).
    """
    if isinstance(render, (str, Visualization)):
        vis = get_visualization(render)
        if analyzer is not None:
            analyzers = (analyzer,) if isinstance(analyzer, str) else tuple(analyzer)
            vis = replace(vis, analyzers=analyzers)
        return vis if kind is None else replace(vis, kind=_check_kind(kind, vis.name))
    if not callable(render):
        raise FigureError(
            f"Expected a renderer function or a visualization name, got "
            f"{type(render).__name__}.\n"
            "Pass e.g. a function fn(data, epoch) -> go.Figure, or a name from visualizations()."
        )
    name = getattr(render, "__name__", "figure").strip("<>") or "figure"
    analyzers = (() if analyzer is None else
                 (analyzer,) if isinstance(analyzer, str) else tuple(analyzer))
    return Visualization(name=name, fn=render, kind=_check_kind(kind or "per_epoch", name),
                         analyzers=analyzers)


def _check_kind(kind: str, name: str) -> Literal["per_epoch", "cross_epoch"]:
    if kind not in KINDS:
        raise UsageError(f"Unknown renderer kind {kind!r} for {name!r}.\n"
                         f"Use one of: {', '.join(KINDS)}.")
    return kind  # type: ignore[return-value]


def load_data(vis: Visualization, loader: ArtifactLoader | None, epoch: int) -> Any:
    """The ``data`` a visualization's renderer gets for one epoch.

    One analyzer: its dict; several: ``{analyzer: dict}`` (see the module docstring); none
    (a function without a loader): ``None``.
    """
    if loader is None or not vis.analyzers:
        return None
    if len(vis.analyzers) == 1:
        return loader.load(vis.analyzers[0], epoch)
    return {a: loader.load(a, epoch) for a in vis.analyzers}


def load_snapshots(vis: Visualization, loader: ArtifactLoader, epochs: Sequence[int]) -> list:
    """``load_data`` of each epoch, in order: the snapshots of a cross-epoch renderer.

    An analyzer whose epochs are the rows of one table (the ``metrics`` analyzer) is read
    once and its rows built from the columns, so a million-row table costs one pass
    instead of a million lookups; the rows equal what ``loader.load`` returns.
    """
    epochs = list(epochs)
    if loader is None or not vis.analyzers:
        return [None] * len(epochs)
    per = [_analyzer_snapshots(loader, a, epochs) for a in vis.analyzers]
    if len(per) == 1:
        return per[0]
    return [dict(zip(vis.analyzers, values, strict=True)) for values in zip(*per, strict=True)]


#: Below this many epochs, rows are loaded one by one (a table read is not worth it).
_TABLE_MIN_EPOCHS = 32


def _analyzer_snapshots(loader: ArtifactLoader, analyzer: str, epochs: list[int]) -> list:
    rows = _table_rows(loader, analyzer, epochs)
    return rows if rows is not None else [loader.load(analyzer, e) for e in epochs]


def _table_rows(loader: ArtifactLoader, analyzer: str, epochs: list[int]) -> list | None:
    """The rows of ``epochs`` from the metrics table, or None when ``analyzer`` is not one."""
    if len(epochs) < _TABLE_MIN_EPOCHS or not loader.is_table(analyzer):
        return None
    table = loader.metrics()
    names = list(table)
    column = table["epoch"]
    increasing = all(map(operator.lt, column, itertools.islice(column, 1, None)))
    if not increasing or column != epochs:  # an epoch listed twice, or a subset of epochs
        # epoch -> its first row, as load() picks it (reversed: the first occurrence wins)
        first = dict(zip(reversed(column), range(len(column) - 1, -1, -1), strict=True))
        rows = [first.get(e) for e in epochs]
        if None in rows:
            return None  # let load() report the missing epoch
        table = {name: [table[name][i] for i in rows] for name in names}
    # columns of one table have equal lengths; strict zips would double the time, and
    # map() builds the rows without a Python loop
    return list(map(dict, map(zip, itertools.repeat(names),
                              zip(*(table[name] for name in names), strict=False))))


def cross_epochs(vis: Visualization, loader: ArtifactLoader) -> list[int]:
    """Epochs a visualization can use: its analyzer's epochs (common ones for several)."""
    if not vis.analyzers:
        return []
    sets = [loader.epochs(a) for a in vis.analyzers]
    common = set(sets[0]).intersection(*sets[1:])
    return sorted(common)


def default_epoch(vis: Visualization, loader: ArtifactLoader) -> int | None:
    """The epoch shown when none is given: the latest common one (per-epoch), else None.

    Raises
    ------
    EpochNotFoundError, AnalyzerNotFoundError
        When the analyzers have no epoch (in common); the message names what exists.
    """
    if vis.kind != "per_epoch":
        return None
    epochs = cross_epochs(vis, loader)
    if epochs:
        return epochs[-1]
    for a in vis.analyzers:  # let the loader raise its precise message
        loader.latest_epoch(a)
    raise EpochNotFoundError(
        f"Analyzers {', '.join(vis.analyzers)} of {vis.name!r} share no epoch.\n"
        "Write artifacts for the same epochs, or pass epoch= explicitly."
    )


def renderer_options(fn: Callable[..., Any]) -> dict[str, inspect.Parameter] | None:
    """The keyword options a renderer accepts (``None`` when it takes ``**kw``).

    The two leading positional parameters (data/snapshots and epoch(s)) and
    ``current_epoch`` are not options. A renderer that declares the keywords of an earlier
    release (``@deprecated_keywords``) takes only those through its ``**kwargs`` (as text
    options).
    """
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None
    deprecated = getattr(fn, "__deprecated_keywords__", None)
    if deprecated is None and any(p.kind is inspect.Parameter.VAR_KEYWORD
                                  for p in params.values()):
        return None
    options = {k: p for k, p in list(params.items())[2:]
               if k != "current_epoch" and p.kind is not inspect.Parameter.VAR_KEYWORD}
    for name in deprecated or ():
        options.setdefault(name, inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                                   default=None, annotation="str | None"))
    return options


def call_renderer(
    vis: Visualization,
    epoch: int | None,
    *,
    data: Any = None,
    snapshots: Sequence[Any] | None = None,
    epochs: Sequence[int] | None = None,
    render_kwargs: dict[str, Any] | None = None,
    where: str = "",
) -> Figureish:
    """The one place a renderer runs; returns its figure (a go.Figure or figure dict).

    Per-epoch: ``vis.fn(data, epoch, **kw)``; cross-epoch: ``vis.fn(snapshots, epochs,
    current_epoch=epoch, **kw)``, where ``kw`` is ``vis.defaults`` updated by
    ``render_kwargs``. OpenBLAS runs on one thread meanwhile. Data is loaded
    by the caller beforehand, so artifact errors stay artifact errors.

    Raises
    ------
    RendererError
        If the renderer raises; names the visualization, ``where`` and the epoch.
    RendererOutputError
        (a FigureError too) if it returns something that is not a figure.
    """
    options = {**vis.defaults, **(render_kwargs or {})}
    at = f"{f' on {where}' if where else ''}{'' if epoch is None else f' at epoch {epoch}'}"
    try:
        with single_blas_thread():  # renderers share small machines with Chromium
            if vis.kind == "per_epoch":
                fig = vis.fn(data, epoch, **options)
            else:
                fig = vis.fn(list(snapshots or ()), list(epochs or ()), current_epoch=epoch,
                             **options)
    except VizWidgetError:
        raise
    except Exception as err:
        raise RendererError(
            f"Renderer {vis.name!r} failed{at}: {type(err).__name__}: {err}\n"
            f"Check the options passed ({', '.join(sorted(options)) or 'none'}) and the "
            f"data of analyzer(s) {', '.join(vis.analyzers) or '(none)'}."
        ) from err
    try:
        return check_figure(fig)
    except FigureError as err:
        raise RendererOutputError(
            f"Renderer {vis.name!r} returned {type(fig).__name__}, not a plotly figure{at} "
            f"({one_line(err).split('. ')[0].rstrip('.')}).\n"
            "Make the function return a plotly.graph_objects.Figure."
        ) from err


def render_figure(
    vis: Visualization, loader: ArtifactLoader | None, epoch: int | None = None,
    options: dict[str, Any] | None = None, *,
    snapshots: tuple[Sequence[Any], Sequence[int]] | None = None,
) -> Figureish:
    """The one per-kind step: load what ``vis`` needs (before calling), then run it.

    Per-epoch: ``epoch`` defaults to :func:`default_epoch`. Cross-epoch: ``snapshots``
    (``(data, epochs)``, e.g. kept by a caller between frames) or else every common epoch
    loaded from ``loader``; ``epoch`` is the highlight (None for none). ``options``
    override the visualization's defaults.
    """
    where = "" if loader is None else repr(str(loader.variant_dir))
    if vis.kind == "per_epoch":
        if epoch is None and loader is not None:
            epoch = default_epoch(vis, loader)
        return call_renderer(vis, epoch, data=load_data(vis, loader, epoch),
                             render_kwargs=options, where=where)
    if snapshots is None:
        if loader is None:
            raise UsageError(f"The cross-epoch renderer {vis.name!r} needs a variant to read.\n"
                             "Pass a loader (or a variant directory).")
        epochs = cross_epochs(vis, loader)
        snapshots = (load_snapshots(vis, loader, epochs), epochs)
    data, epochs = snapshots
    return call_renderer(vis, epoch, snapshots=data, epochs=epochs, render_kwargs=options,
                         where=where)


def render_visualization(
    vis_or_name: str | Visualization,
    loader: ArtifactLoader | str | os.PathLike[str],
    epoch: int | None = None,
    **kw: Any,
) -> go.Figure:
    """Load what a visualization needs and call its renderer.

    Parameters
    ----------
    vis_or_name : str or Visualization
        The visualization.
    loader : ArtifactLoader or path
        The variant to read (a path is wrapped in an ArtifactLoader).
    epoch : int, optional
        Per-epoch: the epoch to show (default: the latest one common to its analyzers).
        Cross-epoch: the highlighted epoch (default: none).
    **kw
        Overrides of the visualization's defaults.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    VisualizationNotFoundError, ArtifactError
        Unknown name, or missing/corrupt artifacts.
    RendererError
        If the renderer raises or does not return a figure.
    """
    import plotly.graph_objects as go

    vis = get_visualization(vis_or_name)
    if not isinstance(loader, ArtifactLoader):
        loader = ArtifactLoader(loader)
    fig = render_figure(vis, loader, epoch, kw)
    return fig if isinstance(fig, go.Figure) else go.Figure(fig)
