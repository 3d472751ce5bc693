"""Output format names, file suffixes and inference from a path."""

from __future__ import annotations

from pathlib import Path

from .errors import FormatError

#: Formats produced by the browser (kaleido scopes).
IMAGE_FORMATS = ("png", "jpeg", "webp", "svg", "pdf")
#: Every still format `export_figure` writes ("csv": the figure's data, one row per point).
STILL_FORMATS = (*IMAGE_FORMATS, "html", "json", "csv")
#: Every format `export_animation` writes (plus a directory of PNG frames).
ANIMATION_FORMATS = ("gif", "mp4", "webm", "webp", "png", "html")

ALIASES = {"jpg": "jpeg", "htm": "html", "apng": "png", "tif": "tiff"}
_SUFFIX = {"jpeg": ".jpg"}


def suffix_for(fmt: str) -> str:
    """The file suffix (with dot) written for a canonical format name."""
    return _SUFFIX.get(fmt, f".{fmt}")


def normalize(fmt: str, allowed: tuple[str, ...] = STILL_FORMATS) -> str:
    """Canonical format name (``"JPG"`` -> ``"jpeg"``), or FormatError listing valid names."""
    if not isinstance(fmt, str):
        raise FormatError(f"Format must be a string, got {type(fmt).__name__}.\n"
                          f"Use one of: {', '.join(allowed)}.")
    name = fmt.lower().lstrip(".")
    name = ALIASES.get(name, name)
    if name not in allowed:
        raise FormatError(f"Unknown format {fmt!r}.\nUse one of: {', '.join(allowed)}.")
    return name


def resolve_output(
    path: str | Path, fmt: str | None, allowed: tuple[str, ...] = STILL_FORMATS
) -> tuple[Path, str]:
    """Return ``(path, format)`` for writing.

    ``fmt=None`` infers the format from the suffix; a path without suffix gets the
    format's suffix; a suffix that disagrees with ``fmt`` is an error, never a rename.
    """
    path = Path(path)
    suffix = path.suffix
    if fmt is None:
        if not suffix:
            raise FormatError(f"Cannot infer a format from {str(path)!r}: it has no suffix.\n"
                              f"Add a suffix or pass format=, one of: {', '.join(allowed)}.")
        return path, normalize(suffix, allowed)
    fmt = normalize(fmt, allowed)
    if not suffix:
        return path.with_name(path.name + suffix_for(fmt)), fmt
    try:
        from_suffix = normalize(suffix, allowed)
    except FormatError:
        from_suffix = None
    if from_suffix != fmt:
        raise FormatError(f"The suffix {suffix!r} of {str(path)!r} disagrees with format={fmt!r}.\n"
                          f"Use a {suffix_for(fmt)!r} suffix, or drop format= to infer it.")
    return path, fmt
