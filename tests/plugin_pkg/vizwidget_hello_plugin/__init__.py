"""A third-party renderer registered on import (entry point value is this module)."""

import plotly.graph_objects as go

from vizwidget import register_renderer


@register_renderer("hello_plugin_flatness_mean", kind="cross_epoch", analyzer="flatness",
                   description="Plugin: mean loss delta per epoch.")
def flatness_mean(snapshots, epochs, current_epoch=None):
    means = [float(s["loss_deltas"].mean()) for s in snapshots]
    return go.Figure(go.Bar(x=epochs, y=means))
