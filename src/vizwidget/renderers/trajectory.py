"""Parameter trajectory (PCA) and parameter velocity renderers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ..analysis import nearest_index, parameter_velocity, pca, stack_parameters
from ..registry import register_renderer
from ._common import COLORSCALE, HIGHLIGHT, epoch_colorbar, title


def _group_label(group: str | Sequence[str]) -> str:
    return group if isinstance(group, str) else "+".join(group)


def _projection(snapshots: list[dict], group: str | Sequence[str], n: int):
    return pca(stack_parameters(snapshots, group), n_components=n)


def _pc_title(res, i: int) -> str:
    if i >= res.explained_variance_ratio.size:
        return f"PC{i + 1}"
    return f"PC{i + 1} ({100 * res.explained_variance_ratio[i]:.1f}%)"


@register_renderer(
    "parameter_trajectory_2d", kind="cross_epoch", analyzer="parameters", group="all",
    description="PCA of flattened parameter snapshots: trajectory in PC1/PC2.",
)
def parameter_trajectory_2d(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all",
) -> go.Figure:
    """Trajectory of the parameters in the plane of the first two principal components."""
    res = _projection(snapshots, group, 2)
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
    return fig


@register_renderer(
    "parameter_trajectory_3d", kind="cross_epoch", analyzer="parameters", group="all",
    description="PCA of flattened parameter snapshots: trajectory in PC1-PC3 (3-D).",
)
def parameter_trajectory_3d(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all",
) -> go.Figure:
    """Trajectory of the parameters in the space of the first three principal components."""
    res = _projection(snapshots, group, 3)
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
            text=[f"epoch {epochs[i]}"], name=f"epoch {epochs[i]}",
        ))
    fig.update_layout(
        title=title(f"Parameter trajectory 3-D ({_group_label(group)})"), showlegend=False,
        scene={"xaxis_title": _pc_title(res, 0), "yaxis_title": _pc_title(res, 1),
               "zaxis_title": _pc_title(res, 2)},
    )
    return fig


@register_renderer(
    "parameter_trajectory_pc3", kind="cross_epoch", analyzer="parameters", group="all",
    description="Third principal component of the parameter trajectory over epochs.",
)
def parameter_trajectory_pc3(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all",
) -> go.Figure:
    """The PC3 coordinate of each snapshot against its epoch."""
    res = _projection(snapshots, group, 3)
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
    return fig


@register_renderer(
    "explained_variance", kind="cross_epoch", analyzer="parameters", group="all",
    n_components=10,
    description="Variance of the parameter trajectory explained by each principal component.",
)
def explained_variance(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all", n_components: int = 10,
) -> go.Figure:
    """Explained-variance bars (and cumulative line) of the trajectory PCA.

    The current epoch is marked by the share of its squared distance from the mean snapshot
    that falls on each component.
    """
    res = _projection(snapshots, group, n_components)
    k = res.explained_variance_ratio.size
    names = [f"PC{j + 1}" for j in range(k)]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=names, y=res.explained_variance_ratio, name="explained variance"))
    fig.add_trace(go.Scatter(x=names, y=np.cumsum(res.explained_variance_ratio),
                             mode="lines+markers", name="cumulative"))
    i = nearest_index(epochs, current_epoch)
    if i is not None:
        X = stack_parameters([snapshots[i]], group)[0] - res.mean
        total = float(X @ X)
        share = res.projections[i] ** 2 / total if total > 0 else np.zeros(k)
        fig.add_trace(go.Scatter(
            x=names, y=share, mode="markers", name=f"epoch {epochs[i]} share",
            marker={"color": HIGHLIGHT, "size": 12, "symbol": "diamond"},
        ))
        fig.add_annotation(x=names[0], y=float(share[0]), text=f"epoch {epochs[i]}",
                           showarrow=True, arrowcolor=HIGHLIGHT, ax=40, ay=-30)
    fig.update_layout(title=title(f"Explained variance ({_group_label(group)})"),
                      xaxis_title="component", yaxis_title="fraction of variance",
                      yaxis_range=[0, 1.05])
    return fig


@register_renderer(
    "parameter_velocity", kind="cross_epoch", analyzer="parameters", group="all", log_y=True,
    description="Parameter speed ||θ(t+1) - θ(t)|| / Δepoch between checkpoints.",
)
def parameter_velocity_figure(
    snapshots: list[dict], epochs: list[int], current_epoch: int | None = None,
    group: str | Sequence[str] = "all", log_y: bool = True,
) -> go.Figure:
    """Speed of the parameters per epoch, normalised by the gap between checkpoints."""
    ends, speeds = parameter_velocity(stack_parameters(snapshots, group), epochs)
    fig = go.Figure(go.Scatter(x=ends, y=speeds, mode="lines+markers", name="velocity"))
    i = nearest_index(ends, current_epoch)
    if i is not None:
        fig.add_trace(go.Scatter(
            x=[ends[i]], y=[speeds[i]], mode="markers+text", text=[f"epoch {ends[i]}"],
            textposition="top center", marker={"color": HIGHLIGHT, "size": 14, "symbol": "star"},
        ))
        fig.add_vline(x=float(ends[i]), line={"color": HIGHLIGHT, "dash": "dot", "width": 1})
    fig.update_layout(title=title(f"Parameter velocity ({_group_label(group)})"),
                      xaxis_title="epoch", yaxis_title="‖Δθ‖ / Δepoch", showlegend=False,
                      yaxis_type="log" if log_y else "linear")
    return fig
