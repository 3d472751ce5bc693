"""Joint trajectories: one PCA basis fitted on the snapshots of all variants together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._blas import single_blas_thread
from .._epochs import nearest_index
from ..analysis import joint_streaming_pca, parameter_keys, require_finite
from ..colors import HIGHLIGHT, assign_colors
from ..errors import ComparisonError, ShapeMismatchError
from ..registry import Visualization
from ..themes import SCENE_CAMERA
from ._variants import Member, Variants

__all__ = ["JOINT_VIEWS", "joint_pca", "prepare_joint"]

#: Trajectory views drawn in the joint basis, and the components each needs.
JOINT_VIEWS = {"parameter_trajectory_2d": 2, "parameter_trajectory_3d": 3,
               "parameter_trajectory_pc3": 3}
_TITLES = {"parameter_trajectory_2d": "Joint parameter trajectory",
           "parameter_trajectory_3d": "Joint parameter trajectory 3-D",
           "parameter_trajectory_pc3": "PC3 over epochs in the joint basis"}
DASHES = ("solid", "dash", "dot", "dashdot")


def _flat(data: dict, keys: list[str], where: str, analyzer: str) -> np.ndarray:
    """The arrays ``keys`` of one checkpoint as one row; NaN/Inf raise naming run and epoch."""
    return np.concatenate([require_finite(data[k], k, where, analyzer).ravel() for k in keys])


def joint_pca(variants: Variants, vis: Visualization, n_components: int = 3,
              group: str | Sequence[str] = "all", *, block: int = 2):
    """PCA of the parameter snapshots of every variant in one basis.

    Snapshots are loaded lazily through ``registry.load_data`` and reduced to a Gram
    matrix (:func:`vizwidget.analysis.joint_streaming_pca`).

    Returns
    -------
    result : GramPCAResult
        Projections of all snapshots, variants concatenated in order.
    epochs : dict of str to list of int
        Per variant label, the epochs of its rows.
    rows : dict of str to slice
        Per variant label, its rows of ``result.projections``.

    Raises
    ------
    ShapeMismatchError
        If a variant's parameter shapes differ from the first variant's; names it.
    NonFiniteDataError
        If a selected array of a checkpoint holds NaN or Inf; names variant, array and epoch.
    """
    sources: dict[str, tuple[Callable[[int], np.ndarray], int]] = {}
    epochs: dict[str, list[int]] = {}
    reference: tuple[Member, dict[str, tuple]] | None = None
    keys: list[str] = []
    analyzer = vis.analyzers[0] if vis.analyzers else "parameters"
    for m in variants:
        ep = variants.epochs(m, vis)
        first = variants.data(m, vis, ep[0])
        try:
            keys = parameter_keys(first, group)
        except ValueError as err:
            raise ComparisonError(f"Variant {m.label!r}: {err}") from err
        shapes = {k: tuple(np.shape(first[k])) for k in keys}
        if reference is None:
            reference = (m, shapes)
        elif shapes != reference[1]:
            ref_label, ref_shapes = reference[0].label, reference[1]
            diff = [f"{k} {shapes.get(k)} vs {ref_shapes.get(k)}"
                    for k in dict.fromkeys([*ref_shapes, *shapes])
                    if shapes.get(k) != ref_shapes.get(k)]
            raise ShapeMismatchError(
                f"Variant {m.label!r} has other parameter shapes than {ref_label!r} "
                f"({'; '.join(diff)}; at epochs {ep[0]} and {epochs[ref_label][0]}), so they "
                "cannot share one PCA basis.\n"
                "Compare variants of one architecture jointly, or use "
                "layout='small_multiples' for a basis per variant.")
        epochs[m.label] = ep

        def load(i: int, m: Member = m, ep: list[int] = ep, keys: list[str] = keys,
                 shapes: dict[str, tuple] = shapes):
            data = variants.data(m, vis, ep[i])
            for k in keys:
                shape = tuple(np.shape(data[k])) if k in data else None
                if shape != shapes[k]:
                    raise ShapeMismatchError(
                        f"Variant {m.label!r}: array {k!r} has shape {shape} at epoch {ep[i]} "
                        f"but {shapes[k]} at epoch {ep[0]}, so they cannot share one PCA basis."
                        "\nKeep every checkpoint of a run the same architecture, or pick "
                        "epochs of one shape.")
            where = f"epoch {ep[i]} of variant {m.label!r} ({str(m.path)!r})"
            return _flat(data, keys, where, analyzer)

        sources[m.label] = (load, len(ep))
    with single_blas_thread():
        result, rows = joint_streaming_pca(sources, n_components, block=block)
    return result, epochs, rows


def _axis_title(ratio: np.ndarray, i: int) -> str:
    share = f" ({100 * ratio[i]:.1f}% joint)" if i < ratio.size else ""
    return f"PC{i + 1}{share}"


def prepare_joint(variants: Variants, vis: Visualization, *,
                  group: str | Sequence[str] = "all", **kw: Any) -> Callable[..., Any]:
    """A function ``epoch -> go.Figure`` of every variant's trajectory in one PCA basis."""
    import plotly.graph_objects as go

    if vis.name not in JOINT_VIEWS:
        raise ComparisonError(f"layout='joint' is for {', '.join(JOINT_VIEWS)}, not "
                              f"{vis.name!r}.\nUse layout='small_multiples' or 'overlay'.")
    if kw:
        raise ComparisonError(f"The joint trajectory has no option {sorted(kw)[0]!r}.\n"
                              "Its only option is group=.")
    dims = JOINT_VIEWS[vis.name]
    res, epochs, rows = joint_pca(variants, vis, 3, group)
    P = np.zeros((res.projections.shape[0], 3))
    P[:, : res.projections.shape[1]] = res.projections
    ratio = res.explained_variance_ratio
    # one colour per run (or per group), assigned from the name as in every figure
    named = assign_colors([m.group if m.group is not None else m.label for m in variants])
    color_of, dash_of = {}, {}
    for i, m in enumerate(variants):
        color_of[m.label] = named[m.group if m.group is not None else m.label]
        seen = sum(1 for other in list(variants)[:i] if other.group == m.group)
        dash_of[m.label] = DASHES[seen % len(DASHES)] if m.group is not None else "solid"
    shares = ", ".join(f"PC{i + 1} {100 * r:.1f}%" for i, r in enumerate(ratio[:dims]))
    name = _TITLES[vis.name]
    group_label = group if isinstance(group, str) else "+".join(group)
    title = (f"{name} ({group_label})<br><sup>{len(variants)} variants, one basis: {shares} "
             f"of the joint variance</sup>")  # two lines: one would run out of the figure

    def trace(m: Member, pts: np.ndarray, ep: list[int], i: int | None) -> list[dict]:
        color, label = color_of[m.label], m.label
        meta = {"variant": m.label, "group": m.group}
        text = [f"{label} · epoch {e}" for e in ep]
        common = {"name": label, "legendgroup": label, "meta": meta, "text": text,
                  "hovertemplate": "%{text}<extra></extra>"}
        if vis.name == "parameter_trajectory_3d":
            out = [{"type": "scatter3d", "x": pts[:, 0], "y": pts[:, 1], "z": pts[:, 2],
                    "mode": "lines+markers", "line": {"color": color, "width": 3},
                    "marker": {"color": color, "size": 3}, **common}]
        elif vis.name == "parameter_trajectory_pc3":
            out = [{"type": "scatter", "x": ep, "y": pts[:, 2], "mode": "lines+markers",
                    "line": {"color": color, "dash": dash_of[label]},
                    "marker": {"size": 5}, **common}]
        else:
            out = [{"type": "scatter", "x": pts[:, 0], "y": pts[:, 1], "mode": "lines+markers",
                    "line": {"color": color, "dash": dash_of[label]},
                    "marker": {"size": 6, "color": color}, **common}]
        if i is not None:
            star = {"mode": "markers", "showlegend": False, "legendgroup": label,
                    "meta": {**meta, "highlight": True, "epoch": ep[i]},
                    "hovertemplate": f"{label} · epoch {ep[i]}<extra></extra>"}
            if vis.name == "parameter_trajectory_3d":
                star.update(type="scatter3d", x=[pts[i, 0]], y=[pts[i, 1]], z=[pts[i, 2]],
                            marker={"color": HIGHLIGHT, "size": 8, "symbol": "diamond"})
            else:
                x, y = (ep[i], pts[i, 2]) if vis.name == "parameter_trajectory_pc3" \
                    else (pts[i, 0], pts[i, 1])
                star.update(type="scatter", x=[x], y=[y],
                            marker={"color": color, "size": 15, "symbol": "star",
                                    "line": {"color": HIGHLIGHT, "width": 2}})
            out.append(star)
        return out

    def figure(epoch: int | None = None) -> go.Figure:
        traces = []
        for m in variants:
            ep = epochs[m.label]
            i = nearest_index(ep, epoch)
            traces.extend(trace(m, P[rows[m.label]], ep, i))
        fig = go.Figure({"data": traces, "layout": {"title": {"text": title}}})
        if vis.name == "parameter_trajectory_3d":
            fig.update_layout(scene={"xaxis_title": _axis_title(ratio, 0),
                                     "yaxis_title": _axis_title(ratio, 1),
                                     "zaxis_title": _axis_title(ratio, 2),
                                     "camera": SCENE_CAMERA})
        elif vis.name == "parameter_trajectory_pc3":
            fig.update_layout(xaxis_title="epoch", yaxis_title=_axis_title(ratio, 2))
        else:
            fig.update_layout(xaxis_title=_axis_title(ratio, 0),
                              yaxis_title=_axis_title(ratio, 1))
        return fig

    return figure
