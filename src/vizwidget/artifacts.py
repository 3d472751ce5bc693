"""Former home of the run reader, kept one release: import from ``vizwidget.runs`` instead."""

import warnings

from .runs import (  # noqa: F401
    METRICS_ANALYZER,
    PARAMETERS_ANALYZER,
    ArtifactLoader,
    clear_cache,
    resolve_variant_dir,
)

warnings.warn("vizwidget.artifacts is deprecated and will be removed in the next release; "
              "import from vizwidget.runs (or vizwidget).", DeprecationWarning, stacklevel=2)
