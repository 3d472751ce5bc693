"""Make a file again from its provenance record: same artifacts in, same bytes out."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import Any

from .artifacts import ArtifactLoader
from .errors import ProvenanceError, VisualizationNotFoundError
from .export import export_figure
from .provenance import DERIVED, check_artifacts, read_provenance, variant_of
from .registry import Visualization, as_visualization, get_visualization, visualizations
from .variants import export_animation, write_variant_figure

__all__ = ["reproduce"]


def reproduce(path: str | os.PathLike[str],
              output_path: str | os.PathLike[str] | None = None) -> Path:
    """Render a file vizwidget wrote again, from the record stored in it.

    Parameters
    ----------
    path : str or os.PathLike
        A file (or frames directory) exported by vizwidget with provenance.
    output_path : str or os.PathLike, optional
        Where to write; default ``{stem}.reproduced{suffix}`` beside ``path``
        (``{name}_reproduced`` for a frames directory).

    Returns
    -------
    Path
        The new file. With unchanged artifacts (and the same versions of vizwidget, plotly
        and the browser) a PNG, JPEG, WebP, SVG, PDF, HTML or JSON written in the same
        directory as the original is byte-identical to it; elsewhere only the record's
        relative variant path differs.

    Raises
    ------
    ProvenanceMismatchError
        An artifact file the original was made from changed or is missing (names the file
        and both hashes).
    ProvenanceError
        The file has no record, or one that cannot be replayed (neither a variant nor an
        embedded figure).
    """
    path = Path(path)
    record = read_provenance(path)
    target = Path(output_path) if output_path is not None else _default_target(path)
    extra = {k: v for k, v in record.items() if k not in DERIVED}
    size = {"width": record["width"], "height": record["height"], "scale": record["scale"],
            "theme": record.get("theme")}
    if "variant" in record:
        variant = variant_of(record, path)
        check_artifacts(record, variant)
        loader = ArtifactLoader(variant)
        vis = _visualization(record)
        kwargs = dict(record.get("kwargs") or {})
        if "animation" in record:
            anim = record["animation"]
            return export_animation(
                vis.fn if vis.name not in _registered() else vis.name, loader.variant_dir,
                vis.analyzers[0] if vis.analyzers else None, target, epochs=record["frames"],
                fps=anim["fps"], label=anim["label"], lock_axes=anim["lock_axes"],
                loop=anim["loop"], provenance=extra, **size, **kwargs)
        return write_variant_figure(vis, loader, record.get("epoch"), target, record["format"],
                                    size, extra, kwargs)
    if "figure" in record and "animation" not in record:
        return export_figure(record["figure"], target, format=record["format"],
                             provenance=extra, **size)
    raise ProvenanceError(
        f"{str(path)!r} cannot be reproduced: its record names no variant directory and "
        "holds no figure (it was larger than the embedding limit, or made from a renderer "
        "without a variant).\nExport from a variant directory to make reproducible files.")


def _default_target(path: Path) -> Path:
    if path.is_dir():  # a frames directory: a new directory name without a suffix
        return path.with_name(f"{path.name}_reproduced")
    return path.with_name(f"{path.stem}.reproduced{path.suffix}")


def _registered() -> set[str]:
    return {v.name for v in visualizations()}


def _visualization(record: dict[str, Any]) -> Visualization:
    """The recorded visualization: by registered name, else by importing its renderer."""
    name = record.get("visualization", "")
    try:
        return get_visualization(name)
    except VisualizationNotFoundError:
        pass
    module, _, qualname = str(record.get("renderer", "")).partition(":")
    try:
        fn: Any = import_module(module)
        for part in qualname.split("."):
            fn = getattr(fn, part)
    except (ImportError, AttributeError, ValueError) as err:
        raise ProvenanceError(
            f"The renderer {record.get('renderer')!r} of {name!r} cannot be found.\n"
            "Register it (or import the module defining it) before reproducing.") from err
    analyzers = record.get("analyzers") or [None]
    return as_visualization(fn, kind=record.get("kind"),
                            analyzer=tuple(analyzers) if len(analyzers) > 1 else analyzers[0])
