"""The Dashboard's grid composer: :mod:`vizwidget.grid` (kept under this name for its callers)."""

from __future__ import annotations

from ..grid import Cell, GridLayout, PanelLabel, compose_grid, default_columns, plan_grid

__all__ = ["Cell", "GridLayout", "PanelLabel", "compose_grid", "default_columns", "plan_grid"]
