"""The widget's browser messages in tests: record what it sends, ask as the page does, decode."""

from __future__ import annotations

import json

import numpy as np

from vizwidget.widget._payload import PLOTLY_DTYPES, join_figure


class Sent:
    """Records what the widget sends to the browser."""

    def __init__(self, widget):
        self.messages: list[tuple[dict, list]] = []
        widget.send = lambda content, buffers=None: self.messages.append((content, buffers))

    def of(self, kind):
        return [(c, b) for c, b in self.messages if c.get("type") == kind]


def request(widget, **content):
    """A custom message from the page, as the front end sends it."""
    widget._on_custom_msg(widget, content, [])


def decode(content, buffers, held=None):
    """Rebuild the figure dict of a figure message as the browser does (numpy for typed arrays)."""
    held = {} if held is None else held
    arrays = []
    for spec in content["arrays"]:
        if "buffer" in spec:
            raw = bytes(buffers[spec["buffer"]])
            held[spec["id"]] = np.frombuffer(raw, PLOTLY_DTYPES[spec["dtype"]]).reshape(
                spec["shape"])
        arrays.append(held[spec["id"]])
    return join_figure(json.loads(bytes(buffers[0])), arrays)
