"""One nearest-epoch rule (ties go to the earlier epoch) in every path that picks an epoch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import vizwidget as vz
from vizwidget._cli_args import parse_epochs, select_epochs
from vizwidget._epochs import epochs_in_range, nearest_epoch, nearest_index
from vizwidget.analysis import nearest_index as analysis_nearest_index
from vizwidget.compare import Variants
from vizwidget.errors import UsageError
from vizwidget.runs import ArtifactLoader
from vizwidget.widget import ExportWidget
from vizwidget.widget._panels import Panel, PanelSpec

EPOCHS = [0, 10, 20, 30]


def _reference_nearest(epochs: list[int], target: float) -> int:
    """Brute force: smallest distance, then the smaller epoch."""
    return sorted(epochs, key=lambda e: (abs(e - target), e))[0]


def _reference_range(available, start, stop, step) -> list[int]:
    """The definition, iterating every target of the range."""
    inside = sorted(e for e in set(available) if (start is None or e >= start)
                    and (stop is None or e <= stop))
    if step is None or not inside:
        return inside
    first = inside[0] if start is None else start
    last = inside[-1] if stop is None else stop
    return sorted({_reference_nearest(inside, t) for t in range(first, last + 1, step)})


def test_ties_go_to_the_earlier_epoch():
    assert nearest_epoch(EPOCHS, 15) == 10
    assert nearest_epoch(EPOCHS, 16) == 20
    assert nearest_epoch([30, 20, 10, 0], 25) == 20  # order of the list does not matter
    assert nearest_index([30, 20, 10, 0], 25) == 1
    assert nearest_epoch(EPOCHS, 14.9) == 10 and nearest_epoch(EPOCHS, 10**12) == 30
    assert nearest_index(EPOCHS, None) is None and nearest_index([], 3) is None
    with pytest.raises(UsageError):
        nearest_epoch([], 3)


def test_nearest_matches_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(300):
        epochs = sorted({int(v) for v in rng.integers(0, 60, rng.integers(1, 8))})
        target = int(rng.integers(-5, 70))
        assert nearest_epoch(epochs, target) == _reference_nearest(epochs, target)


def test_the_cli_range_on_the_example_picks_the_earlier_epoch_on_ties():
    assert epochs_in_range(EPOCHS, 0, 30, 15) == [0, 10, 30]
    assert select_epochs(parse_epochs("0:30:15"), EPOCHS) == [0, 10, 30]
    assert select_epochs(parse_epochs("5:25"), EPOCHS) == [10, 20]
    assert select_epochs(parse_epochs("::20"), EPOCHS) == [0, 20]


def test_ranges_match_the_definition_that_iterates_every_target():
    rng = np.random.default_rng(1)
    for _ in range(400):
        available = sorted({int(v) for v in rng.integers(0, 80, rng.integers(1, 12))})
        start = None if rng.random() < 0.3 else int(rng.integers(0, 50))
        stop = None if rng.random() < 0.3 else int(rng.integers(0, 100))
        step = None if rng.random() < 0.2 else int(rng.integers(1, 30))
        assert epochs_in_range(available, start, stop, step) == \
            _reference_range(available, start, stop, step), (available, start, stop, step)


@pytest.mark.timeout(10)
def test_a_huge_range_is_resolved_against_existing_epochs_only():
    available = list(range(0, 3_000_000, 300))  # 10,000 checkpoints
    t0 = time.perf_counter()
    assert select_epochs(parse_epochs("0:10000000000:1"), available) == available
    # targets 0, 1e9, 2e9, ...: all but 0 are nearest to the last checkpoint
    assert select_epochs(parse_epochs("0:10000000000:1000000000"), available) == [0, 2999700]
    assert select_epochs(parse_epochs("5:10000000000:7"), [0, 10, 20, 30]) == [10, 20, 30]
    assert time.perf_counter() - t0 < 2.0


# -- every path agrees ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ten_steps(demo_variant, tmp_path_factory) -> Path:
    """A copy of the demo run whose checkpoints are exactly at epochs 0, 10, 20, 30."""
    root = tmp_path_factory.mktemp("ten") / "run"
    loader = ArtifactLoader(demo_variant)
    for analyzer in ("parameters", "flatness"):
        (root / "artifacts" / analyzer).mkdir(parents=True)
        for new, old in zip(EPOCHS, loader.epochs(analyzer), strict=False):
            shutil.copy(demo_variant / "artifacts" / analyzer / f"epoch_{old}.npz",
                        root / "artifacts" / analyzer / f"epoch_{new}.npz")
    shutil.copy(demo_variant / "config.json", root / "config.json")
    assert ArtifactLoader(root).epochs("parameters") == EPOCHS
    return root


def test_widget_dashboard_variants_and_renderers_agree(ten_steps):
    vis = vz.get_visualization("singular_value_spectrum")
    targets = [0, 4, 5, 6, 15, 25, 26, 35]
    expected = [_reference_nearest(EPOCHS, t) for t in targets]
    assert expected[:5] == [0, 0, 0, 10, 10] and expected[5] == 20

    w = ExportWidget(lambda epoch: go.Figure(go.Scatter(y=[epoch])), epochs=EPOCHS)
    widget = []
    for t in targets:
        w.epoch = t
        widget.append(w.epoch)
    panel = Panel(PanelSpec(vis.name, ten_steps, "run"))
    dashboard = [panel.epoch_for(t) for t in targets]
    vs = Variants([ten_steps])
    aligned = [vs.align(vis, t)[vs.labels[0]] for t in targets]
    rendered = [EPOCHS[analysis_nearest_index(EPOCHS, t)] for t in targets]
    range_pick = [select_epochs(parse_epochs(f"{t}:{t}:1"), EPOCHS + [t])[0] for t in targets]
    assert widget == dashboard == aligned == rendered == expected
    assert range_pick == targets  # an existing epoch is always itself


def test_overlay_and_joint_highlights_follow_the_rule(ten_steps, tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(ten_steps, twin)
    vs = Variants([ten_steps, twin])
    for name in ("parameter_velocity", "parameter_trajectory_pc3"):
        fig = vz.comparison_figure(vs, name, epoch=15)
        stars = [t for t in fig.data if t.meta and t.meta.get("highlight")]
        assert len(stars) == 2
        xs = [t.meta.get("epoch", t.x[0]) for t in stars]
        # velocity points sit at 10, 20, 30 and the trajectory at 0..30: 15 -> 10 in both
        assert xs == [10, 10], (name, xs)


@pytest.mark.timeout(300)
def test_the_cli_picks_the_same_epochs(ten_steps, tmp_path):
    script = Path(sys.executable).with_name("vizwidget")
    env = {**os.environ, "PYTHONPATH": str(Path(vz.__file__).parents[1])}
    out = tmp_path / "svs.html"
    proc = subprocess.run([str(script), "animate", str(ten_steps), "singular_value_spectrum",
                           "--epochs", "0:30:15", "--out", str(out), "--json"],
                          capture_output=True, text=True, env=env, timeout=280)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["epochs"] == [0, 10, 30]
    assert out.stat().st_size > 0
