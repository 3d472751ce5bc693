"""Output format names, file suffixes and inference from a path."""

from __future__ import annotations

from pathlib import Path

from .errors import FormatError

#: Formats produced by the browser (kaleido scopes).
IMAGE_FORMATS = ("png", "jpeg", "webp", "svg", "pdf")
#: Formats drawn on a canvas (limited by the browser's canvas size).
RASTER_FORMATS = ("png", "jpeg", "webp")
#: Every still format `export_figure` writes ("csv": the figure's data, one row per point).
STILL_FORMATS = (*IMAGE_FORMATS, "html", "json", "csv")
#: Every format `export_animation` writes to a file.
ANIMATION_FORMATS = ("gif", "mp4", "webm", "webp", "png", "html")
#: The animation "format" that writes a directory of PNG frames (a path without suffix).
FRAMES_FORMAT = "frames"

#: Frame rates each animation format can store (frames per second, inclusive): GIF delays
#: are 1..65535 centiseconds and browsers slow delays under 2 cs; APNG (Pillow) and WebP keep
#: milliseconds in 16 and 24 bits; the HTML player ticks in whole milliseconds.
FPS_RANGES = {
    "gif": (100 / 65535, 50.0),
    "png": (1000 / 65535, 1000.0),
    "webp": (1000 / (2**24 - 1), 1000.0),
    "mp4": (0.01, 240.0),
    "webm": (0.01, 240.0),
    "html": (0.001, 1000.0),
}

ALIASES = {"jpg": "jpeg", "htm": "html", "apng": "png"}
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
