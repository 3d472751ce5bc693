"""The offline HTML page of one Plotly figure, every JSON text escaped for its ``<script>``."""

from __future__ import annotations

import base64
import hashlib
import numbers
import re
from typing import Any, Literal

from .._escape import html_text, script_json
from ..errors import UsageError

_HEAD = ('<!doctype html>\n<html>\n<head>\n    <meta charset="utf-8" />\n'
         '    <style>html, body {height: 100%;}</style>\n</head>\n<body>\n')
_DIV_ID = re.compile(r"[A-Za-z0-9_-]+")
_CONFIG = "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"


def _json(value: Any) -> str:
    """``value`` as JSON text for a ``<script>`` (numpy arrays and dates via plotly)."""
    from plotly.io.json import to_json_plotly

    return script_json(to_json_plotly(value))


def _css_size(value: Any, default: str) -> str:
    """A layout width/height as CSS pixels; anything but a number gives ``default``."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0:
        return f"{float(value):g}px"
    return default


def _plotlyjs(include_plotlyjs: bool | Literal["cdn"]) -> str:
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    if include_plotlyjs == "cdn":
        digest = hashlib.sha256(get_plotlyjs().encode("utf-8")).digest()
        url = f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"
        return (f'{_CONFIG}\n<script charset="utf-8" src="{html_text(url)}" integrity='
                f'"sha256-{base64.b64encode(digest).decode()}" crossorigin="anonymous"></script>')
    if include_plotlyjs is True:
        return f"{_CONFIG}\n<script>{get_plotlyjs()}</script>"
    if include_plotlyjs is False:
        return ""
    raise UsageError(f"include_plotlyjs must be True, False or 'cdn', got {include_plotlyjs!r}.\n"
                     "Pass True for an offline page, or 'cdn' to load plotly.js from its CDN.")


def figure_page(figure: dict, *, div_id: str, width: str, height: str,
                include_plotlyjs: bool | Literal["cdn"] = True) -> str:
    """A standalone HTML page drawing ``figure`` (with its ``frames``, if any, not playing).

    The figure's data, layout, config and frames go into the page's script as JSON through
    :func:`vizwidget._escape.script_json`, so no string a figure carries (a trace name such
    as ``</script><script>...``) can end the script or add markup. ``width`` and ``height``
    are CSS sizes used when the layout has no numeric width/height.
    """
    if not _DIV_ID.fullmatch(div_id):
        raise ValueError(f"div_id must be letters, digits, '-' or '_', got {div_id!r}")
    layout = figure.get("layout") or {}
    div = div_id
    call = (f'Plotly.newPlot(\n    "{div}",\n    {_json(figure.get("data") or [])},\n'
            f'    {_json(layout)},\n    {{"responsive": true}}\n)')
    if figure.get("frames"):
        call += (f".then(function(){{\n    Plotly.addFrames('{div}', "
                 f"{_json(figure['frames'])});\n}})")
    style = (f"height:{_css_size(layout.get('height'), height)}; "
             f"width:{_css_size(layout.get('width'), width)};")
    return (f'{_HEAD}<div style="{html_text(style)}">\n{_plotlyjs(include_plotlyjs)}\n'
            f'<div id="{div}" class="plotly-graph-div" style="height:100%; width:100%;"></div>\n'
            f"<script>\nwindow.PLOTLYENV = window.PLOTLYENV || {{}};\n"
            f'if (document.getElementById("{div}")) {{\n{call};\n}}\n</script>\n'
            f"</div>\n</body>\n</html>\n")
