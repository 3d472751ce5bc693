"""Shared fixtures: plotly.js mocks, simple figures, the demo variant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MOCKS_DIR = Path(__file__).parent / "mocks"
#: Mocks that need the network (topojson, map tiles) on purpose.
NETWORK_MOCKS = {"geo_first", "mapbox_0"}


def load_mock(name: str) -> dict:
    return json.loads((MOCKS_DIR / f"{name}.json").read_text())


def mock_names() -> list[str]:
    return sorted(p.stem for p in MOCKS_DIR.glob("*.json"))


@pytest.fixture
def bar_figure():
    import plotly.graph_objects as go

    return go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2]), layout={"title": {"text": "bars"}})


@pytest.fixture(scope="session")
def demo_variant(tmp_path_factory) -> Path:
    """One real demo run (numpy modular addition, default settings), shared by all tests.

    Writes config.json, metrics.json, artifacts/parameters/epoch_N.npz (W_E, W_in, W_out)
    and artifacts/flatness/epoch_N.npz at a non-uniform checkpoint schedule.
    """
    from vizwidget.demo import make_variant

    return make_variant(tmp_path_factory.mktemp("demo") / "variant_p59_seed0")


@pytest.fixture(scope="session")
def broken_variant(demo_variant, tmp_path_factory) -> Path:
    """A copy of the demo variant whose parameters checkpoint at epoch 600 is corrupt."""
    import shutil

    broken = tmp_path_factory.mktemp("broken") / "broken_run"
    shutil.copytree(demo_variant, broken, ignore=shutil.ignore_patterns("exports"))
    (broken / "artifacts" / "parameters" / "epoch_600.npz").write_bytes(b"PK\x03\x04 torn")
    return broken


@pytest.fixture
def scratch_registry(monkeypatch):
    """Let a test register renderers without leaking them into other tests."""
    from vizwidget import registry

    registry.visualizations()  # load the built-ins before taking the copy
    monkeypatch.setattr(registry, "_registry", dict(registry._registry))


@pytest.fixture(scope="session")
def inspect_logs(tmp_path_factory) -> Path:
    """A directory of 18 real inspect-ai logs written offline (see ``inspect_offline``)."""
    pytest.importorskip("inspect_ai")
    pytest.importorskip("pyarrow")
    from inspect_offline import write_logs

    root = tmp_path_factory.mktemp("inspect")
    with pytest.MonkeyPatch.context() as env:
        for name in ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            env.setenv(name, str(root / "home" / name.lower()))
        env.setenv("INSPECT_LOG_DIR", str(root / "logs"))
        env.setenv("INSPECT_DISPLAY", "none")
        return write_logs(root / "logs")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (one per browser-test module)."""
    from e2e.lab import launch_browser
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_browser(p)
        yield browser
        browser.close()
