"""Numpy-only computations behind the built-in research renderers.

Nothing here imports plotly or reads files: functions take arrays (or dicts of arrays, as
loaded by :class:`vizwidget.ArtifactLoader`) and return arrays.
"""

from __future__ import annotations

from ._curves import ema
from ._dimensionality import (
    effective_dimensionality,
    entropy_dimensionality,
    participation_ratio,
    singular_values,
)
from ._flatness import flatness_summary, perturbation_loss_deltas
from ._fourier import dominant_frequencies, fourier_basis, frequency_norms
from ._select import select_names
from ._trajectory import (
    PCAResult,
    nearest_index,
    parameter_keys,
    parameter_velocity,
    pca,
    stack_parameters,
)

__all__ = [
    "PCAResult",
    "dominant_frequencies",
    "effective_dimensionality",
    "ema",
    "entropy_dimensionality",
    "flatness_summary",
    "fourier_basis",
    "frequency_norms",
    "nearest_index",
    "parameter_keys",
    "parameter_velocity",
    "participation_ratio",
    "pca",
    "perturbation_loss_deltas",
    "select_names",
    "singular_values",
    "stack_parameters",
]
