"""The pure-Python export core: figures and animations to files."""

from ._animation import export_animation, export_cross_epoch_animation
from ._figure import check_size, export_figure, figure_to_bytes, figure_to_dict
from ._io import atomic_write

__all__ = [
    "atomic_write",
    "check_size",
    "export_animation",
    "export_cross_epoch_animation",
    "export_figure",
    "figure_to_bytes",
    "figure_to_dict",
]
