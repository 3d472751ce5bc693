"""Large figures travel to the page as one binary file plus a small JSON skeleton.

Sending a million-point trace through the devtools protocol costs a base64 string inside a
JSON message, parsed by Python, the browser process and the page in turn. Here the numeric
arrays of the traces (numpy arrays, ``{"dtype", "bdata"}`` specs and long number lists) are
written once, little-endian and 8-byte aligned, to a file the page reads with one request and
views as typed arrays: plotly.js then receives exactly the values it would decode from bdata.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

from ..figures import typed_array

#: Arrays shorter than this stay in the JSON skeleton.
MIN_BINARY_VALUES = 4_096

#: plotly.js typed-array names for numpy dtypes (i8/u8 have no typed array in plotly.js).
_TYPED = {"f8": "f8", "f4": "f4", "i4": "i4", "u4": "u4", "i2": "i2", "u2": "u2",
          "i1": "i1", "u1": "u1"}


@dataclass
class Packed:
    """A figure split into a JSON skeleton and the binary arrays it references."""

    skeleton: dict
    manifest: list[list[Any]] = field(default_factory=list)  # [path, dtype, offset, n, rows]
    chunks: list[Any] = field(default_factory=list)  # numpy arrays, in file order
    nbytes: int = 0

    def blob(self) -> bytes:
        """The file's bytes: every array at its offset (8-byte aligned)."""
        out = bytearray(self.nbytes)
        for (_path, _dtype, offset, _n, _rows), arr in zip(self.manifest, self.chunks, strict=True):
            raw = arr.tobytes()
            out[offset:offset + len(raw)] = raw
        return bytes(out)


def _as_array(value: Any):
    """A little-endian numpy array plotly.js can view as a typed array, or None."""
    import numpy as np

    if isinstance(value, dict) and isinstance(value.get("bdata"), str) and "dtype" in value:
        if value["dtype"] not in _TYPED:
            return None
        arr = typed_array(value)
        if arr is None or (value.get("shape") and arr.ndim != 2):
            return None
        return arr
    if isinstance(value, np.ndarray):
        arr = value
    elif isinstance(value, (list, tuple)) and len(value) >= MIN_BINARY_VALUES:
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
            return None
        arr = np.asarray(value, dtype=np.float64)
        if not np.isfinite(arr).all():  # null/NaN in a list: leave plotly.js its own reading
            return None
    else:
        return None
    if arr.ndim not in (1, 2) or arr.dtype.kind not in "fiu":
        return None
    if arr.dtype.kind in "iu" and arr.dtype.itemsize == 8:
        if arr.size and np.abs(arr).max() > 2**53:
            return None
        arr = arr.astype(np.float64)
    return np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))


def _walk(node: Any, path: list[Any], packed: Packed) -> Any:
    """A copy of ``node`` with large numeric arrays moved to ``packed``."""
    if isinstance(node, dict) and "bdata" not in node:
        return {k: _walk(v, [*path, k], packed) for k, v in node.items()}
    arr = _as_array(node)
    if arr is None or arr.size < MIN_BINARY_VALUES:
        if isinstance(node, (list, tuple)) and any(isinstance(v, dict) for v in node):
            return [_walk(v, [*path, i], packed) for i, v in enumerate(node)]
        return node
    dtype = _TYPED[arr.dtype.str[1:]]
    rows = arr.shape[0] if arr.ndim == 2 else 0
    packed.manifest.append([path, dtype, packed.nbytes, int(arr.size), rows])
    packed.chunks.append(arr)
    packed.nbytes += -(-arr.nbytes // 8) * 8
    return None


def pack_figure(figure: dict) -> Packed:
    """Split ``figure``'s trace arrays of at least :data:`MIN_BINARY_VALUES` values off."""
    packed = Packed(skeleton={})
    skeleton = dict(figure)
    skeleton["data"] = [_walk(t, ["data", i], packed) if isinstance(t, dict) else t
                        for i, t in enumerate(figure.get("data") or [])]
    packed.skeleton = skeleton
    return packed


#: Reads the binary file, puts typed arrays into the spec, then renders as kaleido does.
RENDER_BINARY_JS = r"""async function(spec, manifest, url, topojson) {
  const buf = await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url);
    xhr.responseType = 'arraybuffer';
    xhr.onload = () => xhr.response ? resolve(xhr.response)
      : reject(new Error('empty response for ' + url));
    xhr.onerror = () => reject(new Error('could not read the figure data at ' + url));
    xhr.send();
  });
  const T = {f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array,
             i2: Int16Array, u2: Uint16Array, i1: Int8Array, u1: Uint8Array};
  for (const [path, dtype, offset, n, rows] of manifest) {
    let arr = new T[dtype](buf, offset, n);
    if (rows) {
      const cols = n / rows, out = new Array(rows);
      for (let r = 0; r < rows; r++) out[r] = arr.subarray(r * cols, (r + 1) * cols);
      arr = out;
    }
    let obj = spec.data;
    for (let i = 0; i < path.length - 1; i++) obj = obj[path[i]];
    obj[path[path.length - 1]] = arr;
  }
  return kaleido_scopes.plotly(spec, topojson, false).then(JSON.stringify);
}"""
