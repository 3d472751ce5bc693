"""The pure export core: figures and frame-building callables in, files out.

It never imports the loader, the registry, renderers or any front end; verbs that start
from a variant directory live in :mod:`vizwidget.verbs`.
"""

from .._progress import cancellable
from ._animation import FrameBuilder, animate_frames, resolve_animation_target
from ._figure import check_size, export_figure, figure_to_bytes, figure_to_dict
from ._frames import padded_range
from ._io import atomic_output, atomic_write
from ._job import AnimationOptions
from ._metadata import (
    DEFAULT_FIGURE_LIMIT,
    Provenance,
    encode_record,
    provenance_comment,
)
from ._options import ImageOptions
from ._readback import read_record

__all__ = [
    "AnimationOptions",
    "ImageOptions",
    "DEFAULT_FIGURE_LIMIT",
    "FrameBuilder",
    "Provenance",
    "animate_frames",
    "atomic_output",
    "atomic_write",
    "cancellable",
    "check_size",
    "encode_record",
    "export_figure",
    "figure_to_bytes",
    "figure_to_dict",
    "padded_range",
    "provenance_comment",
    "read_record",
    "resolve_animation_target",
]
