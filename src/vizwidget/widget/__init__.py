"""The Jupyter front end: ExportWidget, an anywidget over the registry and the export core.

Private modules: ``_source`` (figures per epoch), ``_payload`` (figures as JSON skeleton +
binary arrays), ``_jobs`` (background export and watch threads), ``_assets`` (the JS bundle
and plotly.js), ``_dashboard`` (Dashboard: one slider over a grid of panels, ``_panels``,
``_grid``).
"""

from ._dashboard import Dashboard
from ._widget import EVENT_KINDS, WIDGET_OPTIONS, ExportWidget

__all__ = ["EVENT_KINDS", "WIDGET_OPTIONS", "Dashboard", "ExportWidget"]
