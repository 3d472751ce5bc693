"""One function turns anything figure-like into a plain Plotly figure dict, with one error."""

from __future__ import annotations

import binascii
import json
import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FigureError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["PLOTLY_DTYPES", "Figureish", "as_figure_dict", "axis_key", "check_figure",
           "finite_numbers", "typed_array"]

#: plotly.js typed-array names (lib/array.js) and their little-endian numpy dtypes.
PLOTLY_DTYPES = {"f8": "<f8", "f4": "<f4", "i1": "i1", "u1": "u1", "u1c": "u1", "i2": "<i2",
                 "u2": "<u2", "i4": "<i4", "u4": "<u4"}

Figureish = Any  # go.Figure, go.FigureWidget or a figure dict

#: Trace types plotly.js still draws although plotly.py's schema dropped them (deprecated).
_DEPRECATED_TRACES = frozenset({"scattermapbox", "choroplethmapbox", "densitymapbox"})

_HINT = "Pass a go.Figure, or a dict like {'data': [{'type': 'scatter', ...}], 'layout': {...}}."


def _check_dict(fig: dict) -> dict:
    if "data" not in fig and "layout" not in fig:
        raise FigureError("This dict is not a figure: it has neither 'data' nor 'layout'.\n"
                          + _HINT)
    data = fig.get("data", [])
    if data is not None and (not isinstance(data, (list, tuple))
                             or not all(isinstance(t, dict) for t in data)):
        shown = type(data).__name__ if not isinstance(data, (list, tuple)) else "a list with " + (
            ", ".join(sorted({type(t).__name__ for t in data if not isinstance(t, dict)})))
        raise FigureError(f"The figure's 'data' must be a list of trace dicts, got {shown}.\n"
                          + _HINT)
    for trace in data or ():
        kind = trace.get("type", "scatter")
        if not isinstance(kind, str) or kind not in trace_types():
            raise FigureError(
                f"Unknown trace type {kind!r}: plotly.js would silently draw nothing for it.\n"
                f"Use one of: {', '.join(sorted(trace_types()))}.")
    for i, trace in enumerate(data or ()):
        _check_typed_arrays(trace, f"data[{i}]")
    frames = fig.get("frames")
    for k, frame in enumerate(frames if isinstance(frames, (list, tuple)) else ()):
        if isinstance(frame, dict):
            _check_typed_arrays(frame.get("data"), f"frames[{k}].data")
    for key in ("layout", "frames"):
        value = fig.get(key)
        expected = dict if key == "layout" else (list, tuple)
        if value is not None and not isinstance(value, expected):
            raise FigureError(f"The figure's {key!r} must be a "
                              f"{'dict' if key == 'layout' else 'list'}, got "
                              f"{type(value).__name__}.\n" + _HINT)
    return fig


def axis_key(ref: str) -> str:
    """Layout key of a cartesian axis id: ``x`` -> ``xaxis``, ``y2`` -> ``yaxis2``."""
    return f"{ref[0]}axis{ref[1:]}"


@cache
def trace_types() -> frozenset[str]:
    """Every trace type plotly draws, read from plotly.py's validator schema."""
    import plotly

    schema = Path(plotly.__file__).parent / "validators" / "_validators.json"
    with open(schema, encoding="utf-8") as fh:
        names = json.load(fh)["data"]["params"]["class_strs_map"]
    return frozenset(names) | _DEPRECATED_TRACES


def check_figure(fig: Figureish) -> Figureish:
    """``fig`` itself when it is a go.Figure, go.FigureWidget or well-formed figure dict.

    Raises
    ------
    FigureError
        For anything else, including malformed dicts (``{"data": "junk"}``,
        ``{"data": [1, 2]}``, ``{"layout": "junk"}``).
    """
    if isinstance(fig, dict):
        return _check_dict(fig)
    from plotly.basedatatypes import BaseFigure

    if isinstance(fig, BaseFigure):
        return fig
    raise FigureError(f"Expected a Plotly figure, got {type(fig).__name__}.\n"
                      "Pass a go.Figure, go.FigureWidget or figure dict (renderers must "
                      "return a go.Figure).")


def as_figure_dict(fig: Figureish) -> dict:
    """A plain figure dict from a go.Figure, go.FigureWidget or figure dict.

    Raises
    ------
    FigureError
        As :func:`check_figure`.
    """
    fig = check_figure(fig)
    return fig if isinstance(fig, dict) else fig.to_dict()


def typed_array(value: Any, where: str = "a typed array") -> np.ndarray | None:
    """plotly's base64 typed array ``{"dtype", "bdata"[, "shape"]}`` as a numpy array.

    Parameters
    ----------
    value : object
        Anything; only a dict with a ``"bdata"`` key is decoded.
    where : str
        Where ``value`` sits (``"data[0].y"``), named in the error.

    Returns
    -------
    numpy.ndarray or None
        None when ``value`` is not a typed array (no ``"bdata"`` key).

    Raises
    ------
    FigureError
        For a malformed typed array: bad base64, an unknown dtype, a byte length that is not
        a multiple of the item size, or a shape that does not fit the data.
    """
    import numpy as np  # not at module top: the registry imports this module, numpy-free

    if not (isinstance(value, dict) and "bdata" in value):
        return None
    dtype, raw = value.get("dtype"), value["bdata"]
    if not isinstance(dtype, str) or dtype not in PLOTLY_DTYPES:
        problem = f"has dtype {dtype!r}, not one of {', '.join(PLOTLY_DTYPES)}"
    elif not isinstance(raw, (str, bytes)):
        problem = f"has bdata of type {type(raw).__name__}, not base64 text"
    else:
        problem = ""
    if not problem and isinstance(raw, str):
        try:
            raw = binascii.a2b_base64("".join(raw.split()), strict_mode=True)
        except (binascii.Error, ValueError) as err:
            problem = f"has bdata that is not valid base64 ({err})"
    if not problem:
        width = np.dtype(PLOTLY_DTYPES[dtype]).itemsize
        if len(raw) % width:
            problem = f"holds {len(raw)} bytes, not a multiple of {width} ({dtype})"
    if not problem:
        arr = np.frombuffer(raw, dtype=PLOTLY_DTYPES[dtype])
        shape = value.get("shape")
        if not shape:
            return arr
        try:
            dims = [int(d) for d in (str(shape).split(",") if isinstance(shape, str) else shape)]
        except (TypeError, ValueError):
            dims = []
        if dims and all(d >= 0 for d in dims) and math.prod(dims) == arr.size:
            return arr.reshape(dims)
        problem = f"has shape {shape!r}, which does not fit its {arr.size} values"
    raise FigureError(f"The typed array at {where} {problem}.\n"
                      "Write it with plotly (fig.to_json()), or pass a plain list instead.")


def _check_typed_arrays(value: Any, where: str, depth: int = 0) -> None:
    """Decode every typed array in a trace (bounded depth), so a bad one is named early."""
    if depth > 8:
        return
    if isinstance(value, dict):
        if "bdata" in value:
            typed_array(value, where)
            return
        for key, item in value.items():
            _check_typed_arrays(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, (list, tuple)) and value and isinstance(value[0], (dict, list)):
        for i, item in enumerate(value):
            _check_typed_arrays(item, f"{where}[{i}]", depth + 1)


def finite_numbers(values: Any) -> np.ndarray | None:
    """The finite numbers of a trace's data (typed arrays decoded) as a flat float array.

    None for no data, categories, dates or nothing finite: such axes are left alone.
    """
    import numpy as np

    decoded = typed_array(values)
    if decoded is not None:
        values = decoded
    if values is None or isinstance(values, (str, dict)):
        return None
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    arr = arr[np.isfinite(arr)]
    return arr if arr.size else None
