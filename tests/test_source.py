"""FigureSource: the one source of figures, and what it says about bad input."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from vizwidget import AnimationOptions, FigureSource
from vizwidget.errors import (
    EpochNotFoundError,
    UsageError,
    VisualizationNotFoundError,
    VizWidgetError,
)


def line(data, epoch):
    return go.Figure(go.Scatter(y=[epoch, epoch + 1]))


def test_bad_input_names_the_problem_and_the_fix(demo_variant, tmp_path):
    with pytest.raises(VisualizationNotFoundError, match="trainig_curves.*\n.*training_curves"):
        FigureSource("trainig_curves", demo_variant)
    with pytest.raises(UsageError, match="needs epochs or a run.*\n.*run="):
        FigureSource(line)
    with pytest.raises(UsageError, match="needs a run"):
        FigureSource(line, epochs=[1], kind="cross_epoch")
    target = tmp_path / "out.gif"
    target.write_bytes(b"old")
    source = FigureSource("singular_value_spectrum", demo_variant)
    with pytest.raises(EpochNotFoundError) as info:
        source.animate(target, [0, 7], AnimationOptions(width=300, height=200, scale=1))
    assert isinstance(info.value, VizWidgetError) and "7" in str(info.value)
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == [
        "out.gif"]


def test_a_function_of_the_epoch_needs_no_run():
    source = FigureSource(lambda epoch: go.Figure(go.Bar(y=[epoch])), epochs=[3, 5])
    assert source.epochs() == [3, 5]
    assert list(source.figure(5).data[0].y) == [5]
