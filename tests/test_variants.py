"""export_variant_visualization and safe_filename, through the real export core."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest

import vizwidget
from vizwidget import registry
from vizwidget.errors import (
    EpochNotFoundError,
    FormatError,
    ThemeError,
    VariantNotFoundError,
    VisualizationNotFoundError,
)
from vizwidget.runs import ArtifactLoader
from vizwidget.verbs import export_variant_visualization, safe_filename


@pytest.mark.parametrize("text, expected", [
    ("training_curves", "training_curves"),
    ("train/loss", "train_loss"),
    ("../../etc/passwd", "etc_passwd"),
    ("..", "unnamed"),
    ("", "unnamed"),
    ("a\\b:c*?d", "a_b_c_d"),
    ("Ünïcode loss (EMA)", "Unicode_loss_EMA"),
    (".hidden", "hidden"),
])
def test_safe_filename(text, expected):
    assert safe_filename(text) == expected


def test_safe_filename_is_one_short_component():
    name = safe_filename("x/" * 200)
    assert "/" not in name and len(name) <= 120 and Path(name).name == name


@pytest.mark.browser
def test_defaults_write_latest_epoch_png_into_exports(demo_variant):
    latest = ArtifactLoader(demo_variant).latest_epoch("parameters")
    out = export_variant_visualization(demo_variant, "embedding_frequencies", width=400,
                                       height=300, scale=1)
    assert out == demo_variant.resolve() / "exports" / f"embedding_frequencies_epoch{latest}.png"
    assert out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.browser
def test_cross_epoch_names_and_formats(demo_variant, tmp_path):
    plain = export_variant_visualization(str(demo_variant), "training_curves",
                                         output_dir=str(tmp_path), format="svg")
    assert plain == tmp_path / "training_curves.svg"
    assert b"<svg" in plain.read_bytes()[:500]
    marked = export_variant_visualization(demo_variant / "artifacts", "flatness", epoch=100,
                                          output_dir=tmp_path, format="pdf", theme="publication")
    assert marked == tmp_path / "flatness_epoch100.pdf"
    assert marked.read_bytes()[:5] == b"%PDF-"


def test_json_export_passes_renderer_options(demo_variant, tmp_path):
    out = export_variant_visualization(demo_variant, "parameter_velocity", output_dir=tmp_path,
                                       format="json", log_y=False)
    assert out.name == "parameter_velocity.json"
    fig = go.Figure(json.loads(out.read_text()))
    assert fig.layout.yaxis.type == "linear"


def test_name_with_slash_never_escapes_output_dir(demo_variant, tmp_path, monkeypatch):
    registry.visualizations()
    monkeypatch.setattr(registry, "_registry", dict(registry._registry))

    @vizwidget.register_renderer("../metrics/train/loss", analyzer="flatness")
    def loss(data, epoch):
        return go.Figure(go.Scatter(y=data["loss_deltas"]))

    out_dir = tmp_path / "out"
    out = export_variant_visualization(demo_variant, "../metrics/train/loss", epoch=0,
                                       output_dir=out_dir, format="html")
    assert out == out_dir / "metrics_train_loss_epoch0.html"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [out.name]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"visualization": "trainig_curves"}, VisualizationNotFoundError, "training_curves"),
    ({"visualization": "flatness_distribution", "epoch": 3}, EpochNotFoundError,
     "Nearest available"),
    ({"visualization": "flatness", "format": "bmp"}, FormatError, "Use one of"),
    ({"visualization": "flatness", "theme": "neon"}, ThemeError, "publication"),
])
def test_errors(demo_variant, tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        export_variant_visualization(demo_variant, output_dir=tmp_path, **kwargs)
    assert not list(tmp_path.iterdir())


def test_missing_variant(tmp_path):
    with pytest.raises(VariantNotFoundError, match="does not exist"):
        export_variant_visualization(tmp_path / "nope", "flatness")
