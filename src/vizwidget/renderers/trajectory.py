"""Parameter trajectory (PCA) and parameter velocity renderers."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import plotly.graph_objects as go

from .._cache import LRU
from ..analysis import (
    GramPCAResult,
    is_still,
    nearest_index,
    no_movement,
    parameter_keys,
    parameter_velocity,
    pca,
    stack_parameters,
    streaming_pca,
)
from ..registry import register_renderer
from ..themes import SCENE_CAMERA
from ._common import (
    COLORSCALE,
    HIGHLIGHT,
    NO_MOVEMENT,
    add_notes,
    epoch_colorbar,
    left_out_note,
    title,
)

#: Shared by the PCA descriptions: what the percentages are shares of.
_OVER_CHECKPOINTS = ("Percentages are of the variance over checkpoints, each weighing the same, "
                     "so a denser checkpoint schedule weighs that period of training more.")


def _group_label(group: str | Sequence[str]) -> str:
    return group if isinstance(group, str) else "+".join(group)


#: Recent projections, by the identity of the read-only arrays they were computed from: the
#: widget redraws a cross-epoch view at every epoch and a batch draws four views of one run,
#: all from the loader's same (read-only) arrays.
_RECENT = LRU(3)
#: Components computed at least, so the 2-D, 3-D and PC3 views share one projection.
_SHARED_COMPONENTS = 3
#: Bytes of float64 rows above which the PCA goes through the snapshots' Gram matrix, a block
#: of rows at a time, instead of an SVD of their stack (about five copies of it).
STACK_LIMIT = 256 * 2**20


def _frozen_arrays(snapshots: list[dict], group: str | Sequence[str]) -> list[np.ndarray] | None:
    """The arrays ``group`` selects in every snapshot, or None unless all are read-only."""
    try:  # the arrays stack_parameters takes: those group selects in the first snapshot
        keys = parameter_keys(snapshots[0], group)
        arrays = [snap[k] for snap in snapshots for k in keys]
    except (TypeError, KeyError, ValueError, IndexError):
        return None  # stack_parameters says what is wrong
    if not all(isinstance(a, np.ndarray) and not a.flags.writeable for a in arrays):
        return None
    return arrays


def _stacked(snapshots: list[dict], epochs: list[int], group: str | Sequence[str],
             k: int) -> tuple[GramPCAResult, bool]:
    """SVD of the stacked snapshots; and whether they do not move."""
    X = stack_parameters(snapshots, group, epochs)
    res = pca(X, n_components=k)
    distances = np.array([float(d @ d) for d in (row - res.mean for row in X)])
    return GramPCAResult(res.projections, res.explained_variance_ratio, res.singular_values,
                         float(distances.sum()), distances), no_movement(X)


def _streamed(snapshots: list[dict], epochs: list[int], keys: list[str], size: int,
              k: int) -> tuple[GramPCAResult, bool]:
    """PCA through the Gram matrix, a block of rows at a time; and whether they do not move.

    Every snapshot is checked against the first as :func:`stack_parameters` checks them.
    """
    checked: set[int] = set()
    scale = [0.0]

    def row(i: int) -> np.ndarray:
        if i in checked:
            out = stack_parameters([snapshots[i]], keys, [epochs[i]])[0]
        else:
            out = stack_parameters([snapshots[0], snapshots[i]], keys,
                                   [epochs[0], epochs[i]])[1]
            checked.add(i)
            scale[0] = max(scale[0], float(np.max(np.abs(out), initial=0.0)))
        return out

    block = max(2, STACK_LIMIT // max(8 * size, 1))
    res = streaming_pca(row, len(snapshots), k, block=block)
    return res, is_still(res.total_variance / len(snapshots), scale[0])


def _computed(
    snapshots: list[dict], epochs: list[int], group: str | Sequence[str], k: int
) -> tuple[GramPCAResult, list[str]]:
    """PCA of the snapshots, and the notes the figure must show with it.

    Checkpoints that do not move get zero projections and ratios (not rounding noise) and
    the note that says so.
    """
    keys = parameter_keys(snapshots[0], group)
    size = sum(int(np.size(snapshots[0][key])) for key in keys)
    if len(snapshots) * size * 8 <= STACK_LIMIT:
        res, still = _stacked(snapshots, epochs, group, k)
    else:
        res, still = _streamed(snapshots, epochs, keys, size, k)
    notes = left_out_note(snapshots[0], group)
    if still:
        res = replace(res, projections=np.zeros_like(res.projections),
                      explained_variance_ratio=np.zeros_like(res.explained_variance_ratio))
        notes = [NO_MOVEMENT, *notes]
    return res, notes


def _remembered(snapshots: list[dict], epochs: list[int], group: str | Sequence[str],
                what: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its recent result for these very read-only arrays.

    Read-only snapshots (the loader's) reuse a result while every one of their arrays is
    still the same object; arrays that can change are computed afresh. Arrays in the
    result are made read-only: later calls share them.
    """
    arrays = _frozen_arrays(snapshots, group)
    key = None if arrays is None else (
        what, str(group), tuple(epochs), tuple(id(a) for a in arrays))
    found = None if key is None else _RECENT.get(key)
    if found is not None and all(ref() is a for ref, a in zip(found[0], arrays, strict=True)):
        return found[1]
    result = compute()
    if key is not None:
        _freeze(result)
        _RECENT.put(key, (tuple(weakref.ref(a) for a in arrays), result))
    return result


def _freeze(value: Any) -> None:
    """Make the arrays in ``value`` (arrays, dataclasses, tuples, lists) read-only."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif hasattr(value, "__dataclass_fields__"):
        for part in vars(value).values():
            _freeze(part)
    elif isinstance(value, (tuple, list)):
        for part in value:
            _freeze(part)


def _projection(
    snapshots: list[dict], epochs: list[int], group: str | Sequence[str], n: int
) -> tuple[GramPCAResult, list[str]]:
    """The first ``n`` components of the snapshots' PCA and the figure's notes."""
    k = max(n, _SHARED_COMPONENTS)
    res, notes = _remembered(snapshots, epochs, group, ("pca", k),
                             lambda: _computed(snapshots, epochs, group, k))
    return replace(res, projections=res.projections[:, :n],
                   explained_variance_ratio=res.explained_variance_ratio[:n],
                   singular_values=res.singular_values[:n]), list(notes)


def _pc_title(res: GramPCAResult, i: int, short: bool = False) -> str:
    """``PC1 (63.2% of variance over checkpoints)``, or ``PC1 (63.2%)`` when ``short``."""
    ratio = res.explained_variance_ratio
    if i >= ratio.size or not ratio.any():  # no variance: no percentages to show
        return f"PC{i + 1}"
    return f"PC{i + 1} ({100 * ratio[i]:.1f}%{'' if short else ' of variance over checkpoints'})"


#: Under a 3-D scene, whose long axis titles would run into each other.
_SHARES_NOTE = "PC percentages: shares of the variance over checkpoints"


@register_renderer(
    "parameter_trajectory_2d", kind="cross_epoch", analyzer="parameters", group="all",
    description="PCA of flattened parameter snapshots: trajectory in PC1/PC2. "
    + _OVER_CHECKPOINTS,
)
def parameter_trajectory_2d(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all",
) -> go.Figure:
    """Trajectory of the parameters in the plane of the first two principal components."""
    res, notes = _projection(snapshots, epochs, group, 2)
    xy = np.zeros((len(epochs), 2))
    xy[:, : res.projections.shape[1]] = res.projections
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=xy[:, 0], y=xy[:, 1], mode="lines+markers", name="trajectory",
        line={"color": "rgba(128,128,128,0.5)"},
        marker={"color": epochs, "colorscale": COLORSCALE, "size": 7,
                "colorbar": epoch_colorbar()},
        text=[f"epoch {e}" for e in epochs], hovertemplate="%{text}<extra></extra>",
    ))
    i = nearest_index(epochs, current_epoch)
    if i is not None:
        fig.add_trace(go.Scatter(
            x=[xy[i, 0]], y=[xy[i, 1]], mode="markers+text", name=f"epoch {epochs[i]}",
            marker={"color": HIGHLIGHT, "size": 16, "symbol": "star"},
            text=[f"epoch {epochs[i]}"], textposition="top center", showlegend=False,
        ))
    fig.update_layout(title=title(f"Parameter trajectory ({_group_label(group)})"),
                      xaxis_title=_pc_title(res, 0), yaxis_title=_pc_title(res, 1),
                      showlegend=False)
    add_notes(fig, notes)
    return fig


@register_renderer(
    "parameter_trajectory_3d", kind="cross_epoch", analyzer="parameters", group="all",
    description="PCA of flattened parameter snapshots: trajectory in PC1-PC3 (3-D). "
    + _OVER_CHECKPOINTS,
)
def parameter_trajectory_3d(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all",
) -> go.Figure:
    """Trajectory of the parameters in the space of the first three principal components."""
    res, notes = _projection(snapshots, epochs, group, 3)
    xyz = np.zeros((len(epochs), 3))
    xyz[:, : res.projections.shape[1]] = res.projections
    fig = go.Figure()
    fig.add_trace(go.Scatter3d(
        x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2], mode="lines+markers", name="trajectory",
        line={"color": "rgba(128,128,128,0.6)", "width": 3},
        marker={"color": epochs, "colorscale": COLORSCALE, "size": 4,
                "colorbar": epoch_colorbar()},
        text=[f"epoch {e}" for e in epochs], hovertemplate="%{text}<extra></extra>",
    ))
    i = nearest_index(epochs, current_epoch)
    if i is not None:
        fig.add_trace(go.Scatter3d(
            x=[xyz[i, 0]], y=[xyz[i, 1]], z=[xyz[i, 2]], mode="markers+text",
            marker={"color": HIGHLIGHT, "size": 9, "symbol": "diamond"},
            text=[f"epoch {epochs[i]}"], name=f"epoch {epochs[i]}", textposition="top right",
        ))
    fig.update_layout(
        title=title(f"Parameter trajectory 3-D ({_group_label(group)})"), showlegend=False,
        scene={"xaxis_title": _pc_title(res, 0, short=True),
               "yaxis_title": _pc_title(res, 1, short=True),
               "zaxis_title": _pc_title(res, 2, short=True),
               "camera": SCENE_CAMERA},
    )
    add_notes(fig, [*notes, _SHARES_NOTE] if res.explained_variance_ratio.any() else notes)
    return fig


@register_renderer(
    "parameter_trajectory_pc3", kind="cross_epoch", analyzer="parameters", group="all",
    description="Third principal component of the parameter trajectory over epochs. "
    + _OVER_CHECKPOINTS,
)
def parameter_trajectory_pc3(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all",
) -> go.Figure:
    """The PC3 coordinate of each snapshot against its epoch."""
    res, notes = _projection(snapshots, epochs, group, 3)
    pc3 = res.projections[:, 2] if res.projections.shape[1] > 2 else np.zeros(len(epochs))
    fig = go.Figure(go.Scatter(x=epochs, y=pc3, mode="lines+markers", name="PC3"))
    i = nearest_index(epochs, current_epoch)
    if i is not None:
        fig.add_trace(go.Scatter(
            x=[epochs[i]], y=[pc3[i]], mode="markers+text", text=[f"epoch {epochs[i]}"],
            textposition="top center", marker={"color": HIGHLIGHT, "size": 14, "symbol": "star"},
        ))
        fig.add_vline(x=epochs[i], line={"color": HIGHLIGHT, "dash": "dot", "width": 1})
    fig.update_layout(title=title(f"PC3 over epochs ({_group_label(group)})"),
                      xaxis_title="epoch", yaxis_title=_pc_title(res, 2), showlegend=False)
    add_notes(fig, notes)
    return fig


@register_renderer(
    "explained_variance", kind="cross_epoch", analyzer="parameters", group="all",
    n_components=10,
    description="Variance of the parameter trajectory explained by each principal component. "
    + _OVER_CHECKPOINTS,
)
def explained_variance(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all", n_components: int = 10,
) -> go.Figure:
    """Explained-variance bars (and cumulative line) of the trajectory PCA.

    The current epoch is marked by the share of its squared distance from the mean snapshot
    that falls on each component.
    """
    res, notes = _projection(snapshots, epochs, group, n_components)
    k = res.explained_variance_ratio.size
    names = [f"PC{j + 1}" for j in range(k)]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=names, y=res.explained_variance_ratio, name="explained variance"))
    fig.add_trace(go.Scatter(x=names, y=np.cumsum(res.explained_variance_ratio),
                             mode="lines+markers", name="cumulative"))
    i = nearest_index(epochs, current_epoch)
    if i is not None:
        total = float(res.squared_distances[i])
        moving = total > 0 and res.explained_variance_ratio.any()
        share = res.projections[i] ** 2 / total if moving else np.zeros(k)
        fig.add_trace(go.Scatter(
            x=names, y=share, mode="markers", name=f"epoch {epochs[i]} share",
            marker={"color": HIGHLIGHT, "size": 12, "symbol": "diamond"},
        ))
        fig.add_annotation(x=names[0], y=float(share[0]), text=f"epoch {epochs[i]}",
                           showarrow=True, arrowcolor=HIGHLIGHT, ax=40, ay=-30)
    fig.update_layout(title=title(f"Explained variance ({_group_label(group)})"),
                      xaxis_title="component",
                      yaxis_title="fraction of variance over checkpoints",
                      yaxis_range=[0, 1.05])
    add_notes(fig, notes)
    return fig


@register_renderer(
    "parameter_velocity", kind="cross_epoch", analyzer="parameters", group="all", log_y=True,
    description="Chord speed ||θ(b) - θ(a)|| / (b - a) between consecutive checkpoints a < b, "
    "plotted at the end b of each interval; speed 0 is marked at the floor of the log axis.",
)
def parameter_velocity_figure(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all", log_y: bool = True,
) -> go.Figure:
    """Speed of the parameters per epoch, normalised by the gap between checkpoints.

    Each point is the straight-line (chord) distance between two consecutive checkpoints
    divided by their epoch gap, at the later epoch. On the log axis (``log_y=True``) a speed
    of exactly 0 cannot be drawn: the line has a gap there, and a triangle at the axis floor
    (a tenth of the smallest non-zero speed) marks it, with hover "0 (no change)". When
    every speed is 0 the axis is linear. One checkpoint gives an empty figure saying two are
    needed.
    """
    notes = left_out_note(snapshots[0], group)
    if len(epochs) < 2:
        stack_parameters(snapshots, group, epochs)  # the same checks as a longer run's
        fig = go.Figure()
        fig.add_annotation(text=f"needs at least two checkpoints (found {len(epochs)})",
                           xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font={"size": 16})
        add_notes(fig, notes)
        fig.update_layout(title=title(f"Parameter velocity ({_group_label(group)})"),
                          xaxis_visible=False, yaxis_visible=False)
        return fig
    ends, speeds = _remembered(
        snapshots, epochs, group, ("velocity",),
        lambda: parameter_velocity(stack_parameters(snapshots, group, epochs), epochs))
    log = log_y and bool(np.any(speeds > 0))
    floor = float(np.min(speeds[speeds > 0])) / 10 if log else 0.0
    shown = np.where(speeds > 0, speeds, np.nan) if log else speeds  # log axis: 0 is a gap
    fig = go.Figure(go.Scatter(
        x=ends, y=shown, mode="lines+markers", name="velocity",
        customdata=np.asarray(epochs)[:-1],
        hovertemplate="epochs %{customdata} → %{x}: %{y:.4g} per epoch"
                      "<br>(chord distance / epoch gap)<extra></extra>",
    ))
    zero = np.flatnonzero(speeds == 0)
    if log and zero.size:
        fig.add_trace(_zero_speed_markers(ends, np.asarray(epochs)[:-1], zero, floor))
        notes = ["▼ at the axis floor: speed 0 (no change)", *notes]
    if not np.any(speeds > 0):
        notes = [NO_MOVEMENT, *notes]
    i = nearest_index(ends, current_epoch)
    if i is not None:
        y = speeds[i] if speeds[i] > 0 or not log else floor
        fig.add_trace(go.Scatter(
            x=[ends[i]], y=[y], mode="markers+text", text=[f"epoch {ends[i]}"],
            textposition="top center", marker={"color": HIGHLIGHT, "size": 14, "symbol": "star"},
        ))
        fig.add_vline(x=float(ends[i]), line={"color": HIGHLIGHT, "dash": "dot", "width": 1})
    fig.update_layout(title=title(f"Parameter velocity ({_group_label(group)})"),
                      xaxis_title="epoch (end of interval)",
                      yaxis_title="‖Δθ‖ / Δepoch (chord speed)", showlegend=False,
                      yaxis_type="log" if log else "linear")
    add_notes(fig, notes)
    return fig


def _zero_speed_markers(ends: np.ndarray, starts: np.ndarray, zero: np.ndarray,
                        floor: float) -> go.Scatter:
    """Markers at ``floor`` for the intervals ``zero`` whose speed is exactly 0."""
    return go.Scatter(
        x=ends[zero], y=np.full(zero.size, floor), mode="markers", name="0 (no change)",
        marker={"symbol": "triangle-down", "size": 10, "color": "#555"},
        customdata=starts[zero],
        hovertemplate="epochs %{customdata} → %{x}: 0 (no change)<extra></extra>",
    )
