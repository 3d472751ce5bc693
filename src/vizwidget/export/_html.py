"""One standalone interactive HTML animation: Plotly frames, a slider and a play button."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._htmlpage import figure_page
from ._job import FrameJob
from ._metadata import finish_html

_DIV_PLACEHOLDER = "vizwidget-div-placeholder"


def write_html_animation(path: Path, epochs: Sequence[int], frame: Callable[[int], dict],
                         job: FrameJob) -> None:
    """Write every epoch's figure as a Plotly frame of one offline HTML file.

    Every string of the frames (trace names, titles, epoch labels) is escaped for the page's
    script by :func:`figure_page`.
    """
    frames: list[dict[str, Any]] = []
    base: dict[str, Any] | None = None
    for done, epoch in enumerate(epochs, start=1):
        fig = frame(epoch)
        if base is None:
            base = fig
        layout = {k: v for k, v in (fig.get("layout") or {}).items() if k != "template"}
        frames.append({"name": str(epoch), "data": fig.get("data", []), "layout": layout})
        job.report(done, len(epochs))
    assert base is not None
    opts = job.options
    duration = round(1000 / opts.fps)
    play = {"frame": {"duration": duration, "redraw": True}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}
    layout = dict(base.get("layout") or {})
    layout["sliders"] = [{
        "active": 0, "currentvalue": {"prefix": "epoch "}, "pad": {"t": 50},
        "steps": [{"label": f["name"], "method": "animate",
                   "args": [[f["name"]], {**play, "frame": {"duration": 0, "redraw": True}}]}
                  for f in frames],
    }]
    layout["updatemenus"] = [{
        "type": "buttons", "direction": "left", "showactive": False, "x": 0, "y": 0,
        "xanchor": "right", "yanchor": "top", "pad": {"t": 60, "r": 10},
        "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                    {"label": "❚❚ Pause", "method": "animate",
                     "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}]}],
    }]
    figure = {"data": base.get("data", []), "layout": layout, "frames": frames}
    html = figure_page(figure, div_id=_DIV_PLACEHOLDER, width=f"{int(opts.width)}px",
                       height=f"{int(opts.height)}px")
    path.write_bytes(finish_html(html.encode("utf-8"), _DIV_PLACEHOLDER, job.record))
