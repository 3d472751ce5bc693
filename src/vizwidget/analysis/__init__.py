"""Numpy-only computations behind the built-in research renderers.

Nothing here imports plotly or reads files: functions take arrays (or dicts of arrays, as
loaded by :class:`vizwidget.ArtifactLoader`) and return arrays.
"""

from __future__ import annotations

from .._epochs import nearest_index
from ._checks import is_floating, non_floating_arrays, require_finite
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
from ._streaming_pca import (
    GramPCAResult,
    centred_gram,
    gram_matrix,
    joint_streaming_pca,
    pca_from_gram,
    streaming_pca,
)
from ._trajectory import (
    PCAResult,
    is_still,
    no_movement,
    parameter_keys,
    parameter_velocity,
    pca,
    stack_parameters,
)

__all__ = [
    "GramPCAResult",
    "PCAResult",
    "centred_gram",
    "dominant_frequencies",
    "effective_dimensionality",
    "ema",
    "entropy_dimensionality",
    "flatness_summary",
    "fourier_basis",
    "frequency_norms",
    "gram_matrix",
    "joint_streaming_pca",
    "is_floating",
    "nearest_index",
    "is_still",
    "no_movement",
    "non_floating_arrays",
    "parameter_keys",
    "parameter_velocity",
    "participation_ratio",
    "pca",
    "pca_from_gram",
    "perturbation_loss_deltas",
    "require_finite",
    "select_names",
    "singular_values",
    "stack_parameters",
    "streaming_pca",
]
