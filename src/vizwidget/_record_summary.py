"""One short line per provenance record, for reports: what made the file, from what."""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["inputs_digest", "record_summary"]


def inputs_digest(artifacts: dict[str, str]) -> str:
    """One sha256 over every ``path: sha256`` pair of a record's input files (sorted)."""
    lines = "".join(f"{path}\t{digest}\n" for path, digest in sorted(artifacts.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _epochs(record: dict[str, Any]) -> str:
    listed = record.get("epochs")
    if isinstance(listed, dict) and {"first", "last", "count"} <= set(listed):
        return f"epochs {listed['first']}–{listed['last']} ({listed['count']})"
    epochs = [e for e in listed or [] if isinstance(e, int)]
    if record.get("frames"):
        epochs = [e for e in record["frames"] if isinstance(e, int)]
    if len(epochs) > 2:
        return f"epochs {min(epochs)}–{max(epochs)} ({len(epochs)})"
    if epochs:
        return "epoch " + ", ".join(str(e) for e in epochs)
    return "epoch " + str(record["epoch"]) if isinstance(record.get("epoch"), int) else ""


def record_summary(record: dict[str, Any] | None, *, visualization: bool = True) -> str:
    """``"training_curves · epochs 0–1500 (46) · curves:training_curves · 46 inputs sha256 …"``.

    The renderer is named by its module's last part and its qualified name. Only the fields
    a record has are shown; an empty string for no record.
    """
    if not record:
        return ""
    parts = ([str(record["visualization"])]
             if visualization and record.get("visualization") else [])
    epochs = _epochs(record)
    if epochs:
        parts.append(epochs)
    if record.get("renderer"):
        module, _, name = str(record["renderer"]).partition(":")
        parts.append(f"{module.rpartition('.')[2]}:{name}" if name else module)
    artifacts = record.get("artifacts")
    if isinstance(artifacts, dict) and artifacts:
        count = len(artifacts)
        parts.append(f"{count} input{'s' if count != 1 else ''} sha256 "
                     f"{inputs_digest(artifacts)[:12]}")
    elif record.get("figure_sha256"):
        parts.append(f"figure sha256 {str(record['figure_sha256'])[:12]}")
    return " · ".join(parts)
