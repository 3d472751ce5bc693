"""Animation options as one frozen value, and what the stages of a running animation share."""

from __future__ import annotations

import math
import numbers
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from .._progress import Progress
from ..errors import SizeError
from ..formats import FPS_RANGES
from ._figure import check_size


@dataclass(frozen=True)
class AnimationOptions:
    """How an animation looks: frame rate, frame size, label, axes, looping, theme.

    Attributes
    ----------
    fps : float
        Frames per second; each frame lasts ``1000/fps`` ms.
    width, height : int
        Frame size in CSS pixels.
    scale : float
        Pixel density (frames are ``width*scale`` pixels wide).
    label : bool
        Draw "epoch N" on each frame.
    lock_axes : bool
        Use the union of all frames' axis ranges so axes do not jump.
    loop : int
        GIF/WebP/APNG loop count; 0 loops forever.
    theme : str, optional
        "default", "dark" or "publication".
    """

    fps: float = 5
    width: int = 1200
    height: int = 800
    scale: float = 2
    label: bool = True
    lock_axes: bool = True
    loop: int = 0
    theme: str | None = None

    def check(self, fmt: str | None = None) -> None:
        """Raise SizeError for a size, scale or fps that cannot be rendered (in ``fmt``)."""
        check_size(self.width, self.height, self.scale, raster="png")
        fps = self.fps
        if (isinstance(fps, bool) or not isinstance(fps, numbers.Real)
                or not math.isfinite(fps) or not fps > 0):
            raise SizeError(f"fps must be a positive number, got {fps!r}.\nPass e.g. fps=5.")
        low, high = FPS_RANGES.get(fmt or "", (0, math.inf))
        if not low <= fps <= high:
            raise SizeError(f"fps={fps:g} is outside what {fmt.upper()} can store: "
                            f"{low:.4g} to {high:g} frames per second.\n"
                            "Pass an fps in that range.")


@dataclass(frozen=True)
class FrameJob:
    """What every stage of one animation shares: options, the progress hook (which may raise
    ExportCancelled to stop), and the provenance record written into the file (None for
    none), perhaps still being made."""

    options: AnimationOptions
    total: int
    report: Progress = field(default=lambda done, total: None)
    record_future: Future | None = None

    @property
    def record(self) -> dict[str, Any] | None:
        """The provenance record (waits for it), or None for none."""
        return None if self.record_future is None else self.record_future.result()

    def preparing(self) -> None:
        """Report no frame done yet: a progress hook may stop the job here too."""
        self.report(0, self.total)
