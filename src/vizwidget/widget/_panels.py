"""Dashboard panels: which visualization of which variant, and the epoch each panel shows.

A panel is a visualization on one variant directory, optionally pinned to an epoch. The
dashboard's slider moves over the union of its panels' epochs; each panel shows the
checkpoint of its own variant nearest to the slider's epoch (cross-epoch panels move their
highlight there) unless it is pinned.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._cache import LRU
from .._epochs import nearest_epoch
from .._paths import run_labels
from ..compare import Variants, as_variants
from ..errors import EpochNotFoundError, UsageError
from ..figures import as_figure_dict
from ..grid import PanelLabel
from ..runs import ArtifactLoader
from ._source import CROSS_EPOCH, FigureSource


@dataclass(frozen=True)
class PanelSpec:
    """What one panel shows: a visualization, a variant directory, its label, a pinned epoch."""

    visualization: Any
    variant: Path
    label: str
    epoch: int | None = None


def _variants(variants: Any) -> tuple[list[Path], list[str]]:
    """Paths and labels of the run inputs the comparison verbs take.

    A :class:`~vizwidget.compare.Variants`, a variant directory, a glob pattern, a list of
    them, or any object with ``.paths`` and ``.labels``.
    """
    if hasattr(variants, "paths") and not isinstance(variants, Variants):  # duck-typed
        paths = [Path(p) for p in variants.paths]
        labels = [str(x) for x in getattr(variants, "labels", None) or run_labels(paths)]
    else:
        if not isinstance(variants, (Variants, str, os.PathLike)):
            variants = list(variants)
        paths, labels = [], []
        if variants:
            runs = as_variants(variants)
            paths, labels = [m.path for m in runs], runs.labels
    if not paths:
        raise UsageError("The dashboard got no variants.\n"
                         "Pass variant directories (or a Variants object) with at least one.")
    return paths, labels


def _tuple_spec(item: Any, labels: dict[Path, str]) -> PanelSpec:
    if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
        raise UsageError(
            f"Dashboard panel {item!r} is not (visualization, variant[, epoch]).\n"
            "Pass variants and visualizations, or tuples such as "
            "('training_curves', 'runs/seed0', 600)."
        )
    vis, variant = item[0], Path(item[1])
    epoch = None if len(item) == 2 or item[2] is None else int(item[2])
    return PanelSpec(vis, variant, labels.get(variant) or variant.name, epoch)


def plan_panels(panels: Any, visualizations: Any = None) -> list[PanelSpec]:
    """The panels of a dashboard, row-major: each visualization on each variant in turn.

    Parameters
    ----------
    panels
        Variant directories (a path, a list, or an object with ``.paths`` and ``.labels``)
        when ``visualizations`` is given; else ``(visualization, variant)`` or
        ``(visualization, variant, epoch)`` tuples.
    visualizations
        A visualization name (or renderer), or a list of them.
    """
    if visualizations is None:
        if hasattr(panels, "paths") or isinstance(panels, (Variants, str, os.PathLike)):
            raise UsageError("The dashboard got variants but no visualizations.\n"
                             "Pass them too: Dashboard(variants, ['training_curves', ...]).")
        items = list(panels)
        paths = list(dict.fromkeys(Path(i[1]) for i in items
                                   if isinstance(i, (tuple, list)) and len(i) > 1))
        labels = dict(zip(paths, run_labels(paths), strict=True)) if paths else {}
        specs = [_tuple_spec(item, labels) for item in items]
    else:
        paths, names = _variants(panels)
        chosen = ([visualizations] if isinstance(visualizations, str) or callable(visualizations)
                  else list(visualizations))
        specs = [PanelSpec(vis, path, label, None) for vis in chosen
                 for path, label in zip(paths, names, strict=True)]
    if not specs:
        raise UsageError("The dashboard has no panels.\n"
                         "Pass at least one visualization and one variant.")
    return specs


class Panel:
    """One panel at run time: its FigureSource, its epochs and the figure per slider epoch."""

    def __init__(self, spec: PanelSpec, cache_size: int = 64,
                 options: dict[str, Any] | None = None) -> None:
        self.spec = spec
        self.source = FigureSource(spec.visualization, ArtifactLoader(spec.variant),
                                   options=options)
        self.name = self.source.name
        self._dicts = LRU(cache_size)
        self.refresh()
        if spec.epoch is not None and spec.epoch not in self.epochs:
            near = nearest_epoch(self.epochs, spec.epoch)
            raise EpochNotFoundError(
                f"The {self.name} panel of {spec.label} is pinned to epoch {spec.epoch}, "
                f"which the variant does not have.\nPin one of its epochs, e.g. {near}."
            )

    @property
    def cross_epoch(self) -> bool:
        return self.source.kind == CROSS_EPOCH

    def refresh(self) -> list[int]:
        """Re-read the variant's epochs; returns them."""
        self.epochs = self.source.epochs()
        if not self.epochs:
            raise EpochNotFoundError(
                f"The {self.name} panel found no epochs in {str(self.spec.variant)!r}.\n"
                "Check that the variant has artifacts for this visualization."
            )
        return self.epochs

    def clear(self) -> None:
        self.source.clear()
        self._dicts.clear()

    def epoch_for(self, epoch: int) -> int:
        """The epoch this panel shows when the slider is at ``epoch``."""
        if self.spec.epoch is not None:
            return self.spec.epoch
        return nearest_epoch(self.epochs, epoch)

    def title(self, epoch: int) -> str:
        """Panel title at slider ``epoch``: visualization · variant · the epoch shown (why)."""
        shown = self.epoch_for(epoch)
        why = (" (pinned)" if self.spec.epoch is not None
               else f" (nearest to {epoch})" if shown != epoch else "")
        return f"{self.name} · {self.spec.label} · epoch {shown}{why}"

    def label(self, epoch: int) -> PanelLabel:
        """Row, column and note of the panel at slider ``epoch`` for the grid's headers."""
        shown = self.epoch_for(epoch)
        note = (f"epoch {shown} (pinned)" if self.spec.epoch is not None
                else f"epoch {shown} (nearest)" if shown != epoch else "")
        return PanelLabel(self.name, self.spec.label, note)

    def figure(self, epoch: int) -> dict:
        """The panel's figure dict at slider ``epoch`` (cached by the epoch it shows)."""
        shown = self.epoch_for(epoch)
        fig = self._dicts.get(shown)
        if fig is None:
            fig = as_figure_dict(self.source.figure(shown))
            self._dicts.put(shown, fig)
        return fig

    def info(self, epoch: int) -> dict[str, Any]:
        """What an event of this panel says about it."""
        return {"visualization": self.name, "variant": self.spec.label,
                "variant_dir": str(self.spec.variant), "panel_epoch": self.epoch_for(epoch)}
