"""Shared helpers for the benchmark scripts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

MOCKS = Path(__file__).resolve().parents[1] / "tests" / "mocks"
NETWORK_MOCKS = {"geo_first", "mapbox_0"}


def twenty_figures() -> list[dict]:
    """Twenty offline figures from the plotly.js mock suite (no WebGL, no network)."""
    names = sorted(p.stem for p in MOCKS.glob("*.json")
                   if p.stem not in NETWORK_MOCKS and not p.stem.startswith("gl"))
    return [json.loads((MOCKS / f"{n}.json").read_text()) for n in names[:20]]


def timed(label: str, fn: Callable[[], object], count: int) -> float:
    """Run fn once, print and return seconds per item."""
    start = time.perf_counter()
    fn()
    per_item = (time.perf_counter() - start) / count
    print(f"{label:<44} {per_item:8.3f} s per item")
    return per_item
