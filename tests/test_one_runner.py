"""Every path runs a renderer the same way: data loaded first, one error, one figure check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest

import vizwidget
from vizwidget.errors import (
    CorruptArtifactError,
    FigureError,
    RendererError,
    RendererOutputError,
    VizWidgetError,
)
from vizwidget.figures import as_figure_dict, trace_types
from vizwidget.widget import ExportWidget

MALFORMED = [{"data": "junk"}, {"data": [1, 2]}, {"layout": "junk"},
             {"data": [{"type": "scatter"}], "frames": "junk"}, {"nothing": 1}, 42, None]


@pytest.mark.parametrize("bad", MALFORMED, ids=repr)
def test_one_coercion_rejects_malformed_figures(bad):
    with pytest.raises(FigureError, match=r"\n(Pass|Make)"):
        as_figure_dict(bad)


def test_the_trace_type_schema_is_read_once_per_process():
    # every figure check consults it; reading plotly's 3 MB validator schema per check
    # made the Dashboard preview 20x slower
    assert trace_types() is trace_types()
    assert "scattergl" in trace_types()


@pytest.mark.parametrize("bad", MALFORMED[:4], ids=repr)
def test_export_figure_rejects_malformed_dicts_before_writing(bad, tmp_path):
    target = tmp_path / "fig.png"
    target.write_bytes(b"old")
    with pytest.raises(FigureError):
        vizwidget.export_figure(bad, target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.png"]


@pytest.mark.parametrize("bad", MALFORMED[:3], ids=repr)
def test_renderers_returning_malformed_dicts_fail_clearly_in_an_animation(bad, tmp_path):
    def renderer(data, epoch):
        return bad

    with pytest.raises(RendererOutputError, match="not a plotly figure at epoch 1") as info:
        vizwidget.export_cross_epoch_animation(
            lambda s, e, current_epoch=None: bad, [None, None], [1, 2], tmp_path / "a.gif")
    assert isinstance(info.value, FigureError) and isinstance(info.value, RendererError)
    w = ExportWidget(renderer, epochs=[1, 2], output_dir=str(tmp_path))
    with pytest.raises(FigureError, match="not a plotly figure"):
        w.animate("gif")
    assert not list(tmp_path.glob("*.gif"))


def test_corrupt_artifact_in_an_animation_is_an_artifact_error_naming_the_file(
        broken_variant, tmp_path):
    with pytest.raises(CorruptArtifactError, match=r"epoch_600\.npz") as info:
        vizwidget.export_animation("singular_value_spectrum", broken_variant, None,
                                   tmp_path / "a.gif", epochs=[540, 600, 660], width=300,
                                   height=200, options=vizwidget.AnimationOptions(scale=1))
    assert not isinstance(info.value, RendererError)
    assert "Fix the renderer" not in str(info.value)
    assert not (tmp_path / "a.gif").exists()


def test_multi_analyzer_visualization_gets_the_same_data_in_preview_and_animation(
        scratch_registry, demo_variant, tmp_path):
    seen = []

    @vizwidget.register_renderer("pair_probe", analyzer=("parameters", "flatness"))
    def pair_probe(data, epoch):
        seen.append((epoch, tuple(sorted(data)), tuple(sorted(data["parameters"]))))
        return go.Figure(go.Scatter(y=[float(data["flatness"]["base_loss"]), epoch]))

    w = ExportWidget.from_variant(demo_variant, "pair_probe", output_dir=str(tmp_path))
    w.figure(w.epochs[0])
    preview = seen[-1]
    seen.clear()
    out = w.animate("gif", epochs=w.epochs[1:3])  # not cached by the preview: rendered anew
    assert out.is_file()
    assert {entry[1:] for entry in seen} == {preview[1:]}
    assert preview[1] == ("flatness", "parameters")
    assert {entry[0] for entry in seen} == set(w.epochs[1:3])


def _frame_ranges(html: str) -> list[str]:
    return re.findall(r'"yaxis":\{[^{}]*?"range":\[([^\]]*)\]', html)


def test_per_epoch_renderer_without_loader_keeps_locked_axes_in_the_widget(tmp_path):
    def grows(data, epoch):
        assert data is None
        return go.Figure(go.Scatter(y=[0, epoch]))

    w = ExportWidget(grows, epochs=[1, 10], output_dir=str(tmp_path))
    html = w.animate("html").read_text(encoding="utf-8")
    ranges = _frame_ranges(html)
    assert len(ranges) >= 2 and len(set(ranges)) == 1, ranges
    lo, hi = map(float, ranges[0].split(","))
    assert lo < 0 < 10 < hi  # the union of both frames, padded


def test_renderer_errors_carry_the_visualization_and_epoch_everywhere(
        scratch_registry, demo_variant, tmp_path):
    @vizwidget.register_renderer("explodes", analyzer="flatness")
    def explodes(data, epoch):
        raise ZeroDivisionError("kaboom")

    paths = {
        "registry": lambda: vizwidget.registry.render_visualization("explodes", demo_variant,
                                                                    epoch=500),
        "export": lambda: vizwidget.export_variant_visualization(
            demo_variant, "explodes", epoch=500, output_dir=tmp_path),
        "animation": lambda: vizwidget.export_animation(
            "explodes", demo_variant, None, tmp_path / "x.gif", epochs=[500]),
        "widget": lambda: ExportWidget.from_variant(demo_variant, "explodes").figure(500),
    }
    messages = {}
    for name, call in paths.items():
        with pytest.raises(RendererError) as info:
            call()
        messages[name] = str(info.value)
    for message in messages.values():
        assert re.match(r"Renderer 'explodes' failed on '.*' at epoch 500: "
                        r"ZeroDivisionError: kaboom\n", message), message


def test_user_errors_are_vizwidget_errors(tmp_path, demo_variant):
    from vizwidget.batch import export_batch
    from vizwidget.themes import apply_theme

    cases = [
        lambda: export_batch([], formats="png", output_dir=tmp_path),
        lambda: export_batch(demo_variant, formats=",", output_dir=tmp_path),
        lambda: export_batch(demo_variant, visualizations=[], output_dir=tmp_path),
        lambda: export_batch(demo_variant, jobs=0, output_dir=tmp_path),
        lambda: vizwidget.export_cross_epoch_animation(lambda s, e, current_epoch=None: None,
                                                       [1], [1, 2], tmp_path / "a.gif"),
        lambda: apply_theme("not a figure", "dark"),
        lambda: vizwidget.register_renderer("", analyzer="a"),
    ]
    for case in cases:
        with pytest.raises(VizWidgetError) as info:
            case()
        assert len(str(info.value).splitlines()) == 2, str(info.value)


@pytest.mark.browser
def test_cli_batch_with_no_format_is_a_usage_error(demo_variant, tmp_path):
    script = Path(sys.executable).with_name("vizwidget")
    proc = subprocess.run([str(script), "batch", str(demo_variant), "--formats", ",",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "100"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "No format given" in proc.stderr
    assert "Traceback" not in proc.stderr
