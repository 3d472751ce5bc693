"""Make a file again from its provenance record: same artifacts in, same bytes out."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import ProvenanceError, VisualizationNotFoundError
from .export import AnimationOptions, ImageOptions, export_figure
from .provenance import DERIVED, check_artifacts, read_provenance, renderer_name, run_of
from .registry import KINDS, Visualization, get_visualization, renderer_options
from .source import FigureSource
from .verbs import export_animation

__all__ = ["reproduce"]


def reproduce(path: str | os.PathLike[str],
              output_path: str | os.PathLike[str] | None = None, *,
              run: str | os.PathLike[str] | None = None) -> Path:
    """Render a file vizwidget wrote again, from the record stored in it.

    The record is data, never code: its ``visualization`` is looked up by name in this
    installation's registry (built-ins, entry-point plugins, renderers registered in this
    process) and its ``renderer`` string is only compared with the registered renderer's,
    never imported. Paths in the record stay in the run: ``variant`` must be relative and
    resolve to a run folder, artifact paths must stay inside it (see :func:`run_of` and
    :func:`artifact_files`); all are checked before any artifact is opened.

    Parameters
    ----------
    path : str or os.PathLike
        A file (or frames directory) exported by vizwidget with provenance.
    output_path : str or os.PathLike, optional
        Where to write; default ``{stem}.reproduced{suffix}`` beside ``path``
        (``{name}_reproduced`` for a frames directory).
    run : str or os.PathLike, optional
        The run (variant directory) to read, instead of the one the record names (for a
        file moved away from its run, or a record whose variant is refused).

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
        The file has no record, or one that cannot be replayed: no variant and no embedded
        figure, a visualization not registered here, a registered renderer other than the
        recorded one, a variant or artifact path outside the run, or a malformed field.
    """
    path = Path(path)
    record = read_provenance(path)
    target = Path(output_path) if output_path is not None else _default_target(path)
    extra = {k: v for k, v in record.items() if k not in DERIVED}
    size = {"width": _field(record, path, "width", _is_int),
            "height": _field(record, path, "height", _is_int),
            "scale": _field(record, path, "scale", _is_number),
            "theme": _field(record, path, "theme", _is_text_or_none, required=False)}
    if "variant" in record or (run is not None and "visualization" in record):
        vis = _visualization(record, path)  # before any file of the run is touched
        kwargs = _kwargs(record, path, vis)
        loader = run_of(record, path, run)
        check_artifacts(record, loader.variant_dir, path)
        source = FigureSource(vis, loader, options=kwargs)
        if "animation" in record:
            anim = _field(record, path, "animation", _is_animation)
            options = AnimationOptions(fps=anim["fps"], label=anim["label"],
                                       lock_axes=anim["lock_axes"], loop=anim["loop"], **size)
            return source.animate(target, _field(record, path, "frames", _is_int_list),
                                  options, provenance=extra)
        epoch = _field(record, path, "epoch", _is_int_or_none, required=False)
        return source.write(target, epoch, record["format"], ImageOptions(**size), extra)
    if isinstance(record.get("figure"), dict) and "animation" not in record:
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


# -- record fields ---------------------------------------------------------------------------
def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_text_or_none(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _is_dict_or_none(v: Any) -> bool:
    return v is None or isinstance(v, dict)


def _is_int_or_none(v: Any) -> bool:
    return v is None or _is_int(v)


def _is_int_list(v: Any) -> bool:
    return isinstance(v, list) and all(_is_int(e) for e in v)


def _is_animation(v: Any) -> bool:
    return (isinstance(v, dict) and _is_number(v.get("fps")) and _is_int(v.get("loop"))
            and isinstance(v.get("label"), bool) and isinstance(v.get("lock_axes"), bool))


def _is_name(v: Any) -> bool:
    """A plain analyzer name: one path component, nothing special."""
    return (isinstance(v, str) and bool(v) and v not in (".", "..")
            and not any(c in v for c in "/\\\0:"))


def _field(record: dict[str, Any], path: Path, key: str, valid: Callable[[Any], bool],
           *, required: bool = True) -> Any:
    """``record[key]`` when ``valid``; else ProvenanceError naming the field and the file."""
    if key not in record:
        if not required:
            return None
        why = "is missing"
    elif valid(record[key]):
        return record[key]
    else:
        shown = repr(record[key])
        why = f"is {shown if len(shown) <= 80 else shown[:80] + '…'}, which is not valid"
    raise ProvenanceError(f"The provenance record of {str(path)!r} cannot be replayed: its "
                          f"field {key!r} {why}.\nRe-export the file with vizwidget; a "
                          "damaged or edited record is never repaired.")


#: Keywords of the export calls and the renderer call: a record's kwargs may not set them.
_RESERVED = frozenset(inspect.signature(export_animation).parameters) | {
    "vis", "loader", "data", "snapshots", "epoch", "epochs", "current_epoch", "output_path",
    "cancel", "scale", "theme", "label", "lock_axes", "loop", "render_kwargs"}


def _kwargs(record: dict[str, Any], path: Path, vis: Visualization) -> dict[str, Any]:
    """The renderer options a record sets: only ones the registered renderer declares."""
    kwargs = _field(record, path, "kwargs", _is_dict_or_none, required=False) or {}
    options = renderer_options(vis.fn)
    for key in kwargs:
        if key in _RESERVED or (options is not None and key not in options):
            shown = repr(key) if len(repr(key)) <= 80 else repr(key)[:80] + "…"
            raise ProvenanceError(
                f"The provenance record of {str(path)!r} sets the option {shown}, which the "
                f"renderer of {vis.name!r} does not take.\nRe-export the file with vizwidget; "
                "a record may only set options its registered renderer declares.")
    return dict(kwargs)


def _visualization(record: dict[str, Any], path: Path) -> Visualization:
    """The registered visualization a record names; never imports what the record names.

    The recorded ``renderer`` (``module:qualname``) is informational: it must equal the
    registered renderer's, or the file is refused (a different function would not make
    the same file, and a record must not be able to pick some other code to run).
    """
    name = record.get("visualization")
    recorded = record.get("renderer")
    shown = repr(name) if len(repr(name)) <= 80 else repr(name)[:80] + "…"
    try:
        vis = get_visualization(name) if isinstance(name, str) and name else None
    except VisualizationNotFoundError:
        vis = None
    if vis is None:
        raise ProvenanceError(
            f"{str(path)!r} was made by the visualization {shown}, which is not registered "
            "in this installation (the record's renderer string is never imported).\n"
            "Register it first: vizwidget.register_renderer(name, ...) in this process, or "
            "install the package that provides it through the 'vizwidget.renderers' entry "
            "point.")
    registered = renderer_name(vis.fn)
    if recorded != registered:
        wrote = repr(recorded) if len(repr(recorded)) <= 80 else repr(recorded)[:80] + "…"
        raise ProvenanceError(
            f"{str(path)!r} was made by the renderer {wrote}, but {shown} is registered here "
            f"as {registered!r}; the file is not reproduced with other code.\n"
            "Register the renderer that made it under that name (same module and function), "
            "or export the figure again.")
    kind = _field(record, path, "kind", lambda v: v is None or v in KINDS, required=False)
    analyzers = _field(record, path, "analyzers",
                       lambda v: v is None or (isinstance(v, list) and all(map(_is_name, v))),
                       required=False)
    if analyzers and tuple(analyzers) != vis.analyzers:
        vis = replace(vis, analyzers=tuple(analyzers))
    return vis if kind is None or kind == vis.kind else replace(vis, kind=kind)
