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
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal

from ._blas import single_blas_thread
from .errors import RendererError, VisualizationNotFoundError, VizWidgetError

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from .artifacts import ArtifactLoader

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "Visualization",
    "get_visualization",
    "load_data",
    "register_renderer",
    "render_visualization",
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
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
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
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    positional = list(params)[:2]
    unknown = [k for k in defaults if k not in params or k in positional]
    if unknown:
        valid = [k for k in params if k not in positional]
        raise TypeError(
            f"Renderer {name!r} does not accept default(s) {', '.join(map(repr, unknown))}.\n"
            f"Its keyword parameters are: {', '.join(valid) or 'none'}."
        )
    if kind == "cross_epoch" and "current_epoch" not in params:
        raise TypeError(
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
        raise ValueError(f"Visualization name must be a non-empty string, got {name!r}.")
    if kind not in KINDS:
        raise ValueError(f"Unknown renderer kind {kind!r} for {name!r}.\n"
                         f"Use one of: {', '.join(KINDS)}.")
    analyzers = (analyzer,) if isinstance(analyzer, str) else tuple(analyzer)
    if not analyzers or not all(isinstance(a, str) and a for a in analyzers):
        raise ValueError(f"Renderer {name!r} needs analyzer= as a name or a list of names, "
                         f"got {analyzer!r}.")

    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(fn):
            raise TypeError(f"register_renderer({name!r}) must decorate a function, "
                            f"got {type(fn).__name__}.")
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


def load_data(vis: Visualization, loader: ArtifactLoader, epoch: int) -> dict[str, Any]:
    """The ``data`` a visualization's renderer gets for one epoch.

    One analyzer: its dict; several: ``{analyzer: dict}`` (see the module docstring).
    """
    if len(vis.analyzers) == 1:
        return loader.load(vis.analyzers[0], epoch)
    return {a: loader.load(a, epoch) for a in vis.analyzers}


def cross_epochs(vis: Visualization, loader: ArtifactLoader) -> list[int]:
    """Epochs a visualization can use: its analyzer's epochs (common ones for several)."""
    sets = [loader.epochs(a) for a in vis.analyzers]
    common = set(sets[0]).intersection(*sets[1:])
    return sorted(common)


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
    from .artifacts import ArtifactLoader

    vis = get_visualization(vis_or_name)
    if not isinstance(loader, ArtifactLoader):
        loader = ArtifactLoader(loader)
    options = {**vis.defaults, **kw}
    if vis.kind == "per_epoch":
        if epoch is None:
            epochs = cross_epochs(vis, loader)
            if not epochs:  # let the loader raise its precise message
                for a in vis.analyzers:
                    loader.latest_epoch(a)
                raise VizWidgetError(
                    f"Analyzers {', '.join(vis.analyzers)} of {vis.name!r} share no epoch.\n"
                    "Write artifacts for the same epochs, or pass epoch= explicitly."
                )
            epoch = epochs[-1]
        data = load_data(vis, loader, epoch)
        call = lambda: vis.fn(data, epoch, **options)  # noqa: E731
    else:
        epochs = cross_epochs(vis, loader)
        snapshots = [load_data(vis, loader, e) for e in epochs]
        call = lambda: vis.fn(snapshots, epochs, current_epoch=epoch, **options)  # noqa: E731
    try:
        with single_blas_thread():  # renderers share small machines with Chromium
            fig = call()
    except Exception as err:
        raise RendererError(
            f"Renderer {vis.name!r} failed on {str(loader.variant_dir)!r}"
            f"{'' if epoch is None else f' at epoch {epoch}'}: {type(err).__name__}: {err}\n"
            f"Check the options passed ({', '.join(sorted(options)) or 'none'}) and the "
            f"artifacts of analyzer(s) {', '.join(vis.analyzers)}."
        ) from err
    if not hasattr(fig, "to_plotly_json") and not isinstance(fig, dict):
        raise RendererError(
            f"Renderer {vis.name!r} returned {type(fig).__name__}, not a plotly figure.\n"
            "Make the function return a plotly.graph_objects.Figure."
        )
    return fig
