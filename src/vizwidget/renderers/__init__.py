"""Built-in research renderers: analysis results -> ``go.Figure``; no file I/O.

Importing this package registers every built-in visualization (the registry does it lazily).

============================  ===========  ==========  ==================================
name                          kind         analyzer    shows
============================  ===========  ==========  ==================================
parameter_trajectory_2d       cross_epoch  parameters  PCA of parameter snapshots, PC1/PC2
parameter_trajectory_3d       cross_epoch  parameters  PC1-PC3 in 3-D
parameter_trajectory_pc3      cross_epoch  parameters  PC3 coordinate over epochs
explained_variance            cross_epoch  parameters  variance over checkpoints per PC
parameter_velocity            cross_epoch  parameters  chord ||Δθ|| / Δepoch per interval
singular_value_spectrum       per_epoch    parameters  SVD spectrum of each weight matrix
effective_dimensionality      cross_epoch  parameters  participation ratio / entropy dim
flatness_distribution         per_epoch    flatness    flatness: loss change distribution
flatness                      cross_epoch  flatness    mean loss change (lower = flatter)
training_curves               cross_epoch  metrics     train/test loss and accuracy
embedding_frequencies         per_epoch    parameters  Fourier norms of W_E, key freqs
============================  ===========  ==========  ==================================

The sweep views of ``vizwidget.compare`` (``hparam_scatter``, ``parallel_coordinates``,
``hparam_heatmap``; analyzer ``metrics``) compare runs only: one run alone is not applicable.

``evals`` registers the eval-score views of ``vizwidget.scores`` (``scores_*``, analyzer
``evals``); their functions live outside this package, so they do not count as built-in
training visualizations.
"""

from __future__ import annotations

from . import (  # noqa: F401
    curves,
    dimensionality,
    evals,
    flatness,
    frequencies,
    sweep,
    trajectory,
)
