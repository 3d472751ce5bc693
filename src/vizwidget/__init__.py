"""vizwidget: explore and export Plotly visualizations of training runs.

The public API is re-exported here and imported lazily, so ``import vizwidget``
stays fast; heavy parts (kaleido, imageio, anywidget) load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import VizWidgetError

_LAZY = {
    "AnimationOptions": "vizwidget.export",
    "ImageOptions": "vizwidget.export",
    "FigureSource": "vizwidget.source",
    "export_figure": "vizwidget.export",
    "figure_to_bytes": "vizwidget.export",
    "export_animation": "vizwidget.verbs",
    "export_cross_epoch_animation": "vizwidget.verbs",
    "export_variant_visualization": "vizwidget.verbs",
    "ArtifactLoader": "vizwidget.runs",
    "register_renderer": "vizwidget.registry",
    "visualizations": "vizwidget.registry",
    "get_visualization": "vizwidget.registry",
    "Visualization": "vizwidget.registry",
    "export_batch": "vizwidget.batch",
    "read_provenance": "vizwidget.provenance",
    "reproduce": "vizwidget.reproduction",
    "ExportWidget": "vizwidget.widget",
    "Variants": "vizwidget.compare",
    "comparison_figure": "vizwidget.compare",
    "export_comparison": "vizwidget.compare",
    "export_comparison_animation": "vizwidget.compare",
    "Dashboard": "vizwidget.widget",
}

__all__ = [
    "AnimationOptions",
    "ArtifactLoader",
    "Dashboard",
    "ExportWidget",
    "FigureSource",
    "ImageOptions",
    "Variants",
    "Visualization",
    "VizWidgetError",
    "__version__",
    "export_animation",
    "comparison_figure",
    "export_batch",
    "export_comparison",
    "export_comparison_animation",
    "export_cross_epoch_animation",
    "export_figure",
    "export_variant_visualization",
    "figure_to_bytes",
    "get_visualization",
    "read_provenance",
    "register_renderer",
    "reproduce",
    "visualizations",
]

if TYPE_CHECKING:
    from .batch import export_batch
    from .compare import (
        Variants,
        comparison_figure,
        export_comparison,
        export_comparison_animation,
    )
    from .export import AnimationOptions, ImageOptions, export_figure, figure_to_bytes
    from .provenance import read_provenance
    from .registry import Visualization, get_visualization, register_renderer, visualizations
    from .reproduction import reproduce
    from .runs import ArtifactLoader
    from .source import FigureSource
    from .verbs import (
        export_animation,
        export_cross_epoch_animation,
        export_variant_visualization,
    )
    from .widget import Dashboard, ExportWidget


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vizwidget' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
