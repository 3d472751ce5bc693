"""What an eval report did: one result per view, and the report with its files."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["EvalReport", "ViewResult"]


@dataclass
class ViewResult:
    """One view of the report.

    Attributes
    ----------
    view : str
        The view function, e.g. ``"scores_heatmap"``.
    name : str
        Its label and file stem, e.g. ``"scores_by_model_addition"``.
    status : {"written", "skipped", "failed"}
        Skipped: the view does not apply to this table (the reason says why).
    files : list of str
        Files written (all formats, or those that succeeded).
    reason : str or None
        Why it was skipped or failed.
    seconds : float
        Time to build and write it.
    """

    view: str
    name: str
    status: Literal["written", "skipped", "failed"]
    files: list[str] = field(default_factory=list)
    reason: str | None = None
    seconds: float = 0.0
    provenance: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class EvalReport:
    """What :func:`export_eval_report` wrote.

    Attributes
    ----------
    out_dir : Path
        The output directory.
    views : list of ViewResult
        Every planned view, in order.
    comparison : list of dict
        The model comparison rows: task, model, score, lo, hi, n, method, interval, best.
    metric : str
        The primary metric's label.
    paired : list of dict
        With ``paired=``: per task, the paired difference rows of
        :func:`vizwidget.scores.paired_differences` (task, model_a, model_b, n, clusters,
        mean_a, mean_b, difference, stderr, lo, hi, unmatched_a, unmatched_b, interval).
    index, report : Path or None
        ``index.html`` and ``report.md``.
    """

    out_dir: Path
    views: list[ViewResult]
    comparison: list[dict[str, Any]]
    metric: str
    paired: list[dict[str, Any]] = field(default_factory=list)
    index: Path | None = None
    report: Path | None = None
    seconds: float = 0.0

    @property
    def written(self) -> list[Path]:
        """Every file written by the views (without index.html and report.md)."""
        return [Path(f) for v in self.views for f in v.files]

    @property
    def failed(self) -> list[ViewResult]:
        """Views that failed (with their error)."""
        return [v for v in self.views if v.status == "failed"]

    @property
    def skipped(self) -> list[ViewResult]:
        """Views that do not apply to this table (with the reason)."""
        return [v for v in self.views if v.status == "skipped"]

    @property
    def ok(self) -> bool:
        """True when no view failed (skipped views are fine)."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {"ok": self.ok, "out_dir": str(self.out_dir), "metric": self.metric,
                "index": str(self.index) if self.index else None,
                "report": str(self.report) if self.report else None,
                "written": [str(p) for p in self.written],
                "failed": [v.to_dict() for v in self.failed],
                "skipped": [v.to_dict() for v in self.skipped],
                "comparison": self.comparison, "paired": self.paired,
                "seconds": round(self.seconds, 3)}

    def __repr__(self) -> str:
        return (f"EvalReport({len(self.written)} files, {len(self.skipped)} skipped, "
                f"{len(self.failed)} failed, out_dir={str(self.out_dir)!r})")
