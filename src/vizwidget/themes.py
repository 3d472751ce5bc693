"""Figure themes as Plotly templates: ``default``, ``dark``, ``publication``."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from .colors import PALETTE
from .errors import ThemeError
from .figures import as_figure_dict

__all__ = ["THEMES", "apply_theme", "theme_template"]

#: The camera of vizwidget's 3-D scenes: further out than plotly's, so the box and its axis
#: titles fit inside the figure.
SCENE_CAMERA = {"eye": {"x": 1.55, "y": 1.55, "z": 1.1}}

#: Valid theme names (``None`` means ``"default"``).
THEMES = ("default", "dark", "publication")


@cache
def _template_json(theme: str) -> dict[str, Any]:
    import plotly.graph_objects as go
    import plotly.io as pio

    if theme == "dark":
        return pio.templates["plotly_dark"].to_plotly_json()
    base = go.layout.Template(pio.templates["simple_white"])
    font = "Times New Roman, Liberation Serif, DejaVu Serif, serif"
    base.layout.update(
        font={"family": font, "size": 15, "color": "black"},
        title={"font": {"family": font, "size": 18}},
        paper_bgcolor="white", plot_bgcolor="white",
        colorway=list(PALETTE),  # the colour-blind-safe palette runs and series keep
        legend={"bgcolor": "rgba(255,255,255,0)", "borderwidth": 0},
    )
    axis = {"showgrid": False, "zeroline": False, "showline": True, "linewidth": 1.5,
            "linecolor": "black", "mirror": True, "ticks": "outside", "tickwidth": 1.5}
    base.layout.xaxis.update(axis)
    base.layout.yaxis.update(axis)
    for scene_axis in ("xaxis", "yaxis", "zaxis"):
        base.layout.scene[scene_axis].update(showgrid=False, zeroline=False, linewidth=1.5)
    base.data.scatter = [go.Scatter(line={"width": 3}, marker={"size": 8})]
    base.data.scattergl = [go.Scattergl(line={"width": 3})]
    base.data.scatter3d = [go.Scatter3d(line={"width": 5})]
    return base.to_plotly_json()


def theme_template(theme: str | None) -> dict[str, Any] | None:
    """The template (as a plotly JSON dict) of a theme; None for the default theme.

    Raises
    ------
    ThemeError
        If ``theme`` is not one of :data:`THEMES`.
    """
    if theme is None or theme == "default":
        return None
    if not isinstance(theme, str) or theme not in THEMES:
        raise ThemeError(f"Unknown theme {theme!r}.\nUse one of: {', '.join(THEMES)}.")
    return copy.deepcopy(_template_json(theme))


def apply_theme(fig: Any, theme: str | None) -> dict[str, Any]:
    """Return a new figure dict styled with ``theme``.

    Parameters
    ----------
    fig : dict or plotly.graph_objects.Figure
        The figure (it is not modified).
    theme : {"default", "dark", "publication"} or None
        ``None``/``"default"`` leave Plotly's default look; ``"dark"`` is ``plotly_dark``;
        ``"publication"`` is white with serif fonts, thicker lines, framed axes and no grid.

    Returns
    -------
    dict
        A deep copy of the figure with ``layout.template`` set.

    Raises
    ------
    ThemeError
        If ``theme`` is unknown; the message lists the valid names.
    FigureError
        If ``fig`` is not a figure.
    """
    template = theme_template(theme)
    out = copy.deepcopy(as_figure_dict(fig))
    if template is not None:
        out.setdefault("layout", {})["template"] = template
    return out
