"""Figure messages for the browser: a small JSON skeleton plus numeric arrays as raw buffers.

Every numeric array of a figure (plotly's ``{"dtype", "bdata"[, "shape"]}`` specs and numpy
arrays alike) leaves the JSON and travels as its own binary buffer, named by a hash of its
content. The browser keeps a bounded map hash -> typed array, so an array it already holds
(the shared ``x`` of every epoch, an unchanged trace) is sent as a reference only.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

import numpy as np

from ..figures import PLOTLY_DTYPES, axis_key

_NUMPY_TO_PLOTLY = {np.dtype(v): k for k, v in PLOTLY_DTYPES.items() if k != "u1c"}
REF = "__vzarr__"  # key of an array placeholder in the skeleton
_NUMERIC_XY_TRACES = frozenset({"scatter", "scattergl"})


@dataclass(frozen=True)
class Array:
    """One numeric array of a figure: content hash, plotly dtype, shape and raw bytes."""

    id: str
    dtype: str
    shape: tuple[int, ...]
    data: bytes

    @property
    def nbytes(self) -> int:
        return len(self.data)


@dataclass
class Payload:
    """A figure split into its JSON skeleton and its arrays (in placeholder order)."""

    skeleton: bytes
    arrays: list[Array] = field(default_factory=list)

    def message(self, epoch: int, known: KnownArrays | None = None) -> tuple[dict, list]:
        """The figure message and its buffers; arrays in ``known`` go as references only."""
        specs, buffers = [], [self.skeleton]
        for arr in self.arrays:
            spec: dict[str, Any] = {"id": arr.id, "dtype": arr.dtype, "shape": list(arr.shape)}
            if known is None or not known.touch(arr.id):
                spec["buffer"] = len(buffers)
                buffers.append(arr.data)
                if known is not None:
                    known.add(arr.id, arr.nbytes)
            specs.append(spec)
        return {"type": "figure", "epoch": epoch, "arrays": specs}, buffers


class KnownArrays:
    """What Python believes the browser holds: a byte-bounded LRU of array ids.

    It mirrors the browser's own LRU (touched on every send, as the browser touches on every
    use) with a smaller budget, so it errs towards resending. When it is wrong anyway (page
    reloaded, a second page, evicted sooner), the browser reports a miss and asks for the
    figure again in full; a wrong belief costs one round trip, never a wrong figure.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[str, int] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    def touch(self, key: str) -> bool:
        with self._lock:
            if key not in self._items:
                return False
            self._items.move_to_end(key)
            return True

    def add(self, key: str, nbytes: int) -> None:
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)
            self._items[key] = nbytes
            self._bytes += nbytes
            while self._bytes > self.budget and self._items:
                self._bytes -= self._items.popitem(last=False)[1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


def _array(dtype: str, shape: tuple[int, ...], data: bytes) -> Array:
    digest = hashlib.blake2b(data, digest_size=12)
    digest.update(f"{dtype}{shape}".encode())
    return Array(digest.hexdigest(), dtype, shape, data)


def _from_numpy(value: np.ndarray) -> Array | None:
    arr = value
    if arr.dtype.kind in "iu" and arr.dtype.itemsize == 8:  # plotly.js has no 64-bit ints
        fits = arr.size == 0 or (np.iinfo(np.int32).min <= arr.min()
                                 and arr.max() <= np.iinfo(np.int32).max)
        arr = arr.astype("<i4") if fits else arr.astype("<f8")
    elif arr.dtype.kind in "iuf":
        arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    else:
        return None  # strings, objects, bools, datetimes stay JSON
    name = _NUMPY_TO_PLOTLY.get(arr.dtype)
    if name is None:  # e.g. float16
        arr, name = arr.astype("<f8"), "f8"
    shape = tuple(int(n) for n in arr.shape)
    return _array(name, shape, np.ascontiguousarray(arr).tobytes())


def _from_spec(value: dict[str, Any]) -> Array | None:
    dtype, bdata = value.get("dtype"), value.get("bdata")
    if dtype not in PLOTLY_DTYPES or not isinstance(bdata, (str, bytes)):
        return None
    raw = base64.b64decode(bdata)
    width = np.dtype(PLOTLY_DTYPES[dtype]).itemsize
    shape_text = value.get("shape")
    if shape_text is None:
        shape: tuple[int, ...] = (len(raw) // width,)
    else:
        shape = tuple(int(n) for n in str(shape_text).split(",") if n.strip())
    return _array("u1" if dtype == "u1c" else dtype, shape, raw)


def _split(value: Any, arrays: list[Array]) -> Any:
    if isinstance(value, dict):
        found = _from_spec(value) if "bdata" in value else None
        if found is not None:
            arrays.append(found)
            return {REF: len(arrays) - 1}
        return {k: _split(v, arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_split(v, arrays) for v in value]
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        found = _from_numpy(value)
        if found is not None:
            arrays.append(found)
            return {REF: len(arrays) - 1}
    return value


def declare_linear_axes(skeleton: dict[str, Any]) -> None:
    """Type as ``linear`` the untyped cartesian axes that only numeric scatters use.

    plotly.js would infer the same from the data, but infers it anew for every figure it
    has not drawn (about 0.7 ms an axis, paid on each first visit of an epoch). Axes that
    match or overlay others, or whose template sets a type, are left to plotly.js.
    """
    layout = skeleton["layout"]
    template = (layout.get("template") or {}).get("layout") or {}
    axes = [v for k, v in {**template, **layout}.items()
            if k[1:5] == "axis" and k[0] in "xy" and isinstance(v, dict)]
    if any({"matches", "overlaying"} & v.keys() for v in axes):
        return
    numeric: dict[str, bool] = {}
    for trace in skeleton["data"]:
        simple = trace.get("type", "scatter") in _NUMERIC_XY_TRACES
        for letter in "xy":
            array = trace.get(letter)
            key = axis_key(str(trace.get(f"{letter}axis") or letter))
            numeric[key] = (numeric.get(key, True) and simple and isinstance(array, dict)
                            and REF in array)
    for key, ok in numeric.items():
        spec = layout.get(key) if isinstance(layout.get(key), dict) else {}
        if ok and "type" not in spec and "type" not in (template.get(key) or {}):
            layout[key] = {**spec, "type": "linear"}


def split_figure(figure: dict[str, Any]) -> Payload:
    """Split a plotly figure dict into a JSON skeleton and raw numeric arrays."""
    import plotly.io as pio

    arrays: list[Array] = []
    skeleton = _split({"data": figure.get("data", []), "layout": figure.get("layout", {})},
                      arrays)
    declare_linear_axes(skeleton)
    try:
        text = pio.to_json(skeleton, validate=False)
    except (TypeError, ValueError):
        text = json.dumps(skeleton, default=str)
    return Payload(text.encode("utf-8"), arrays)


def join_figure(skeleton: Any, arrays: list[np.ndarray]) -> Any:
    """The inverse of :func:`split_figure` in Python (tests and debugging)."""
    if isinstance(skeleton, dict):
        if set(skeleton) == {REF}:
            return arrays[skeleton[REF]]
        return {k: join_figure(v, arrays) for k, v in skeleton.items()}
    if isinstance(skeleton, list):
        return [join_figure(v, arrays) for v in skeleton]
    return skeleton
