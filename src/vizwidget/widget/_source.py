"""What a widget draws: the Source protocol, met by FigureSource and the Dashboard's grid.

A widget's figures come from :class:`vizwidget.source.FigureSource`, the same source every
export, animation, batch and CLI path uses, so a visualization gets the same data everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .._progress import Progress
from ..export import AnimationOptions
from ..figures import Figureish
from ..source import CROSS_EPOCH, PER_EPOCH, FigureSource

__all__ = ["CROSS_EPOCH", "PER_EPOCH", "FigureSource", "Source"]


@runtime_checkable
class Source(Protocol):
    """What a widget draws and exports: figures per epoch, their provenance, animations.

    :class:`FigureSource` is one; a dashboard's grid of panels is another.
    """

    name: str
    kind: str | None
    static: bool
    loader: Any

    def epochs(self) -> list[int]: ...
    def clear(self) -> None: ...
    def figure(self, epoch: int | None) -> Figureish: ...
    def preview(self, epoch: int | None) -> Figureish: ...
    def record(self, epoch: int | None, output_path: Path,
               frames: Sequence[int] | None = None) -> Any: ...
    def animate(self, output_path: Path, epochs: Sequence[int], *, options: AnimationOptions,
                progress: Progress | None = None) -> Path: ...
