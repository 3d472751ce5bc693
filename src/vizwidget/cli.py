"""Command-line interface (minimal: `demo`)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _sample_figure():
    import numpy as np
    import plotly.graph_objects as go

    epochs = np.arange(0, 5000, 50)
    train = np.exp(-epochs / 400) + 0.01
    test = 1 / (1 + np.exp((epochs - 3000) / 300)) + 0.02
    fig = go.Figure([go.Scatter(x=epochs, y=train, name="train loss"),
                     go.Scatter(x=epochs, y=test, name="test loss")])
    fig.update_layout(title="Sample training curves", xaxis_title="epoch",
                      yaxis_title="loss", yaxis_type="log")
    return fig


def _demo(args: argparse.Namespace) -> int:
    from .export import export_figure
    from .formats import STILL_FORMATS

    out = Path(args.out)
    fig = _sample_figure()
    for fmt in STILL_FORMATS:
        path = export_figure(fig, out / "sample", fmt)
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vizwidget")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="export a sample figure in every format")
    demo.add_argument("out", nargs="?", default="exports")
    args = parser.parse_args(argv)
    return _demo(args)
