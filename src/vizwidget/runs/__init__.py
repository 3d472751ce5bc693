"""Reading runs: one ArtifactLoader over our layout and the files real runs leave.

Every file is data from elsewhere (see the trust model in the docs): readers never import
what a file names, keep paths inside the run, bound what they read and refuse FIFOs and
devices. Formats: ``artifacts/{analyzer}/epoch_N.{npz,json,safetensors}``, Hugging Face
Trainer ``checkpoint-N/`` folders (safetensors shards and their index), ``metrics.json`` /
``metrics.csv``, TensorBoard event files, and MLflow runs materialised as run folders
(:mod:`vizwidget.runs.trackers`).
"""

from ._loader import (
    METRICS_ANALYZER,
    PARAMETERS_ANALYZER,
    ArtifactLoader,
    clear_cache,
    resolve_variant_dir,
)

__all__ = ["METRICS_ANALYZER", "PARAMETERS_ANALYZER", "ArtifactLoader", "clear_cache",
           "resolve_variant_dir"]
