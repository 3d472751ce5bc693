"""Compare runs: a set of variants, overlays, joint trajectories, small multiples, exports.

Public API::

    Variants(dirs_or_glob, labels=None, group_by=None)
    comparison_figure(variants, visualization, epoch=None, layout=None, **kw) -> go.Figure
    export_comparison(variants, visualization, output_path, epoch=None, layout=None, **kw)
    export_comparison_animation(variants, visualization, output_path, epochs=None, ...)
    register_comparison(name)  # a visualization's own comparison function
    hparam_scatter / parallel_coordinates / hparam_heatmap(variants, metric, ...)  # sweeps
"""

from __future__ import annotations

from ._figure import (
    LAYOUTS,
    OVERLAY_VIEWS,
    comparison_figure,
    export_comparison,
    export_comparison_animation,
    prepare_comparison,
    register_comparison,
)
from ._joint import JOINT_VIEWS, joint_pca
from ._sweep import (
    SWEEP_VIEWS,
    hparam_heatmap,
    hparam_scatter,
    metric_value,
    parallel_coordinates,
)
from ._variants import Member, Variants, as_variants

__all__ = [
    "JOINT_VIEWS",
    "LAYOUTS",
    "OVERLAY_VIEWS",
    "SWEEP_VIEWS",
    "Member",
    "Variants",
    "as_variants",
    "comparison_figure",
    "export_comparison",
    "export_comparison_animation",
    "hparam_heatmap",
    "hparam_scatter",
    "joint_pca",
    "metric_value",
    "parallel_coordinates",
    "prepare_comparison",
    "register_comparison",
]
