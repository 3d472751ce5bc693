"""A renderer registered by calling a function (entry point value is a callable)."""

import plotly.graph_objects as go

from vizwidget import register_renderer


def register():
    @register_renderer("hello_plugin_w_e_norm", analyzer="parameters",
                       description="Plugin: norm of each embedding row.")
    def w_e_norm(data, epoch):
        return go.Figure(go.Bar(y=(data["W_E"] ** 2).sum(axis=1) ** 0.5))
