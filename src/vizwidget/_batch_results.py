"""What a batch did: one result per job, and the run's results with its report files."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["BatchResult", "JobResult"]


@dataclass
class JobResult:
    """The outcome of one (variant, visualization, format) job.

    Attributes
    ----------
    variant : str
        The variant directory (absolute).
    label : str
        The variant's name in file names and the report.
    visualization : str
        Visualization name (``"*"`` when the variant itself could not be read).
    format : str
        Output format.
    epoch : int or None
        The epoch shown (per-epoch) or highlighted (cross-epoch), if any.
    path : str or None
        The written file, None on failure.
    error : str or None
        ``"ErrorType: message"`` on failure, None on success.
    seconds : float
        Wall time of the job (the figure's build time is shared by its formats).
    skipped : bool
        True when the visualization does not apply to this data (``error`` says why); a
        skipped job is neither written nor failed.
    provenance : dict or None
        The record embedded in the file (None on failure or with ``provenance=False``).
    """

    variant: str
    label: str
    visualization: str
    format: str
    epoch: int | None = None
    path: str | None = None
    error: str | None = None
    seconds: float = 0.0
    skipped: bool = False
    provenance: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """True when the file was written."""
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields."""
        return asdict(self)


@dataclass
class BatchResult:
    """Everything a batch did: one :class:`JobResult` per job, plus the report files.

    Attributes
    ----------
    results : list of JobResult
        In planning order (variant, visualization, format).
    out_dir : Path
        Where files, ``index.html`` and ``report.md`` were written.
    index, report : Path or None
        The gallery and the Markdown report (None with ``report=False``).
    seconds : float
        Wall time of the whole batch.
    workers : int
        Worker processes used (1 = in this process; 0 = a given executor).
    """

    results: list[JobResult]
    out_dir: Path
    index: Path | None = None
    report: Path | None = None
    seconds: float = 0.0
    workers: int = 1

    @property
    def succeeded(self) -> list[JobResult]:
        """Jobs whose file was written."""
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[JobResult]:
        """Jobs that failed, each with its error."""
        return [r for r in self.results if not r.ok and not r.skipped]

    @property
    def skipped(self) -> list[JobResult]:
        """Jobs whose visualization does not apply to the data, each with the reason."""
        return [r for r in self.results if r.skipped]

    @property
    def ok(self) -> bool:
        """True when no job failed."""
        return not self.failed

    @property
    def written(self) -> list[Path]:
        """Paths of the written files (without index.html and report.md)."""
        return [Path(r.path) for r in self.succeeded if r.path]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: paths written and failures with their reasons."""
        return {
            "ok": self.ok,
            "out_dir": str(self.out_dir),
            "index": str(self.index) if self.index else None,
            "report": str(self.report) if self.report else None,
            "written": [str(p) for p in self.written],
            "failed": [r.to_dict() for r in self.failed],
            "skipped": [r.to_dict() for r in self.skipped],
            "jobs": len(self.results),
            "succeeded": len(self.succeeded),
            "seconds": round(self.seconds, 3),
            "workers": self.workers,
        }

    def __repr__(self) -> str:
        return (f"BatchResult({len(self.succeeded)} written, {len(self.failed)} failed, "
                f"out_dir={str(self.out_dir)!r})")
