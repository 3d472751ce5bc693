"""Renderer registry: registration, lookup, rendering through the loader, entry points."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import vizwidget
from vizwidget import registry
from vizwidget.errors import EpochNotFoundError, RendererError, VisualizationNotFoundError
from vizwidget.runs import ArtifactLoader

BUILTINS = {
    "parameter_trajectory_2d": ("cross_epoch", ("parameters",)),
    "parameter_trajectory_3d": ("cross_epoch", ("parameters",)),
    "parameter_trajectory_pc3": ("cross_epoch", ("parameters",)),
    "explained_variance": ("cross_epoch", ("parameters",)),
    "parameter_velocity": ("cross_epoch", ("parameters",)),
    "singular_value_spectrum": ("per_epoch", ("parameters",)),
    "effective_dimensionality": ("cross_epoch", ("parameters",)),
    "flatness_distribution": ("per_epoch", ("flatness",)),
    "flatness": ("cross_epoch", ("flatness",)),
    "training_curves": ("cross_epoch", ("metrics",)),
    "embedding_frequencies": ("per_epoch", ("parameters",)),
}


def test_builtins_are_listed_with_kind_analyzer_description():
    listed = {v.name: v for v in vizwidget.visualizations()}
    for name, (kind, analyzers) in BUILTINS.items():
        vis = listed[name]
        assert (vis.kind, vis.analyzers) == (kind, analyzers)
        assert vis.description and "\n" not in vis.description
        assert vis is vizwidget.get_visualization(name)
    names = [v.name for v in vizwidget.visualizations()]
    assert names == sorted(names)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(VisualizationNotFoundError) as info:
        vizwidget.get_visualization("trainig_curve")
    assert str(info.value) == ("No visualization named 'trainig_curve'.\n"
                               "Did you mean: training_curves?")
    with pytest.raises(VisualizationNotFoundError, match="Available: .*embedding_frequencies"):
        vizwidget.get_visualization("zzzzzz")


def test_register_returns_fn_unchanged_and_records_defaults(scratch_registry):
    def fn(data, epoch, bins=10, color="red"):
        return go.Figure()

    assert vizwidget.register_renderer("my_hist", analyzer="w", bins=30,
                                       description="hist")(fn) is fn
    vis = vizwidget.get_visualization("my_hist")
    assert vis == registry.Visualization("my_hist", fn, "per_epoch", ("w",), {"bins": 30}, "hist")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"kind": "per-epoch", "analyzer": "a"}, ValueError, "Use one of: per_epoch, cross_epoch"),
    ({"analyzer": []}, ValueError, "needs analyzer="),
    ({"analyzer": "a", "bogus": 1}, TypeError, "does not accept default.*'bogus'"),
    ({"kind": "cross_epoch", "analyzer": "a"}, TypeError, "must accept a 'current_epoch'"),
])
def test_bad_registrations(scratch_registry, kwargs, error, message):
    with pytest.raises(error, match=message):
        vizwidget.register_renderer("bad", **kwargs)(lambda data, epoch: go.Figure())


def test_render_per_epoch_defaults_to_latest_and_merges_options(scratch_registry, demo_variant):
    seen = {}

    @vizwidget.register_renderer("probe", analyzer="flatness", scale=2.0)
    def probe(data, epoch, scale=1.0, extra=None):
        seen.update(epoch=epoch, scale=scale, extra=extra, keys=sorted(data))
        return go.Figure(go.Scatter(y=data["loss_deltas"] * scale))

    loader = ArtifactLoader(demo_variant)
    latest = loader.latest_epoch("flatness")
    fig = registry.render_visualization("probe", loader)
    assert seen == {"epoch": latest, "scale": 2.0, "extra": None,
                    "keys": ["base_loss", "loss_deltas", "scale"]}
    np.testing.assert_allclose(fig.data[0].y, loader.load("flatness", latest)["loss_deltas"] * 2)
    registry.render_visualization("probe", demo_variant, epoch=0, scale=3.0, extra="x")
    assert (seen["epoch"], seen["scale"], seen["extra"]) == (0, 3.0, "x")


def test_render_cross_epoch_and_multi_analyzer_convention(scratch_registry, demo_variant):
    calls = []

    @vizwidget.register_renderer("pair", kind="cross_epoch", analyzer=("parameters", "flatness"))
    def pair(snapshots, epochs, current_epoch=None):
        calls.append((snapshots, epochs, current_epoch))
        return go.Figure()

    @vizwidget.register_renderer("pair_one", analyzer=["parameters", "flatness"])
    def pair_one(data, epoch):
        calls.append((data, epoch))
        return go.Figure()

    loader = ArtifactLoader(demo_variant)
    registry.render_visualization("pair", loader, epoch=40)
    snapshots, epochs, current = calls[-1]
    assert epochs == loader.epochs("parameters") and current == 40
    assert set(snapshots[0]) == {"parameters", "flatness"}
    assert "W_E" in snapshots[0]["parameters"] and "loss_deltas" in snapshots[0]["flatness"]
    vizwidget.get_visualization("pair_one").render(loader, 20)
    data, epoch = calls[-1]
    assert epoch == 20 and set(data) == {"parameters", "flatness"}


def test_renderer_failures_become_renderer_errors(scratch_registry, demo_variant):
    @vizwidget.register_renderer("boom", analyzer="flatness")
    def boom(data, epoch):
        raise KeyError("nope")

    @vizwidget.register_renderer("not_a_fig", analyzer="flatness")
    def not_a_fig(data, epoch):
        return 42

    with pytest.raises(RendererError, match="Renderer 'boom' failed .* KeyError") as info:
        registry.render_visualization("boom", demo_variant)
    assert isinstance(info.value.__cause__, KeyError)
    with pytest.raises(RendererError, match="returned int, not a plotly figure"):
        registry.render_visualization("not_a_fig", demo_variant)
    with pytest.raises(RendererError, match="Unknown parameter group"):
        registry.render_visualization("parameter_velocity", demo_variant, group="W_nope")
    with pytest.raises(EpochNotFoundError):
        registry.render_visualization("flatness_distribution", demo_variant, epoch=7)


def test_reregistering_replaces(scratch_registry):
    vizwidget.register_renderer("again", analyzer="a")(lambda data, epoch: go.Figure())
    vizwidget.register_renderer("again", analyzer="b")(lambda data, epoch: go.Figure())
    assert vizwidget.get_visualization("again").analyzers == ("b",)


def test_importing_vizwidget_stays_light():
    code = ("import sys, vizwidget; vizwidget.ArtifactLoader; vizwidget.register_renderer; "
            "print(sorted(m for m in ('plotly', 'numpy', 'vizwidget.renderers') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_entry_point_plugin_is_installed_and_listed(tmp_path, demo_variant):
    """Really install tests/plugin_pkg (into a private target dir) and list its renderers."""
    plugin = Path(__file__).parent / "plugin_pkg"
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(plugin)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    assert list(target.glob("vizwidget_hello_plugin-*.dist-info"))
    code = (
        "import sys, vizwidget\n"
        "from vizwidget.registry import render_visualization\n"
        "assert 'vizwidget_hello_plugin' not in sys.modules\n"
        "names = {v.name: v for v in vizwidget.visualizations()}\n"
        "print(names['hello_plugin_flatness_mean'].kind, names['hello_plugin_w_e_norm'].kind)\n"
        "print('training_curves' in names)\n"
        f"fig = render_visualization('hello_plugin_w_e_norm', {str(demo_variant)!r})\n"
        "print(len(fig.data[0].y))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["cross_epoch", "per_epoch", "True", "59"]


def test_broken_plugin_warns_but_builtins_still_load(tmp_path):
    dist = tmp_path / "broken_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[vizwidget.renderers]\nbroken = no_such_module_xyz\n")
    code = ("import warnings, vizwidget\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    n = len(vizwidget.visualizations())\n"
            "print(n >= 11, any('broken' in str(x.message) for x in w))\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
