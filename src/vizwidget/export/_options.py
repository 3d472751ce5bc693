"""How a still image looks, as one frozen value: size, pixel density and theme."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..formats import RASTER_FORMATS
from ..themes import theme_template
from ._figure import check_size


@dataclass(frozen=True)
class ImageOptions:
    """Size, density and theme of an exported figure; built once per call and passed whole.

    Attributes
    ----------
    width, height : int
        Layout size in CSS pixels.
    scale : float
        Pixel density: a PNG is ``width*scale`` by ``height*scale`` pixels.
    theme : str, optional
        "default", "dark" or "publication".
    """

    width: int = 1200
    height: int = 800
    scale: float = 2
    theme: str | None = None

    def check(self, fmt: str | None = None) -> ImageOptions:
        """Raise SizeError or ThemeError for options ``fmt`` cannot render; return self."""
        check_size(self.width, self.height, self.scale,
                   raster=fmt if fmt in RASTER_FORMATS else False)
        theme_template(self.theme)
        return self

    def as_kwargs(self) -> dict[str, Any]:
        """``{"width", "height", "scale", "theme"}`` for :func:`vizwidget.export_figure`."""
        return asdict(self)
