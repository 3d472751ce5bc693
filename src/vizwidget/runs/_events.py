"""Streaming reader of TensorBoard scalars: TFRecord framing, checksums and Event decoding."""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CorruptArtifactError, MissingDependencyError
from ._untrusted import check_regular

if TYPE_CHECKING:
    import numpy as np

__all__ = ["last_per_step", "masked_crc32c_many", "missing_tensorboard",
           "read_event_plugin_contents", "read_event_scalars"]

#: Bytes read from an event file per step of the streaming pass.
CHUNK_BYTES = 8 * 1024 * 1024
#: Records of one length checked together by numpy once there are this many (else one by one).
_BATCH_MIN = 16
_HEADER = struct.Struct("<QI")
_MASK_DELTA = 0xA282EAD8


@cache
def _crc_table() -> np.ndarray:
    """The byte table of CRC-32C (Castagnoli, reflected polynomial 0x82F63B78)."""
    import numpy as np

    crc = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        crc = np.where(crc & 1, (crc >> 1) ^ np.uint32(0x82F63B78), crc >> 1).astype(np.uint32)
    return crc



def _mask(crc: np.ndarray) -> np.ndarray:
    """TFRecord's masked checksum: rotate right by 15 bits, add a constant (mod 2**32)."""
    import numpy as np

    crc = crc.astype(np.uint64)
    rotated = ((crc >> np.uint64(15)) | (crc << np.uint64(17))) & np.uint64(0xFFFFFFFF)
    return ((rotated + np.uint64(_MASK_DELTA)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def masked_crc32c_many(buf: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Masked CRC-32C of the ``length`` bytes at each of ``starts`` in the uint8 array ``buf``.

    One table lookup per byte position across all records at once (records of one length
    are checked together), so the cost is numpy's, not one Python step per byte.
    """
    import numpy as np

    table = _crc_table()
    crc = np.full(len(starts), 0xFFFFFFFF, dtype=np.uint32)
    starts = starts.astype(np.intp, copy=False)
    for j in range(length):
        crc = table[(crc ^ buf[starts + j]) & 0xFF] ^ (crc >> 8)
    return _mask(crc ^ np.uint32(0xFFFFFFFF))


def missing_tensorboard() -> MissingDependencyError:
    """The error for a TensorBoard file read without the ``tensorboard`` package."""
    return MissingDependencyError(
        "Reading TensorBoard event files needs the 'tensorboard' package.\n"
        "Install it with: pip install 'vizwidget[tensorboard]'")


def _imports() -> tuple:
    try:
        from tensorboard.compat.proto import event_pb2
        from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
        from tensorboard.util import tensor_util
    except ImportError as err:
        raise missing_tensorboard() from err
    return event_pb2, masked_crc32c, tensor_util


def _event(parse: Callable[[bytes], Any], payload: bytes, path: Path, offset: int) -> Any:
    """The Event in a record whose checksums held; CorruptArtifactError if it is not one."""
    try:
        return parse(payload)
    except Exception as err:  # a record with valid checksums but not an Event
        raise CorruptArtifactError(
            f"TensorBoard event file {str(path)!r} cannot be read (the record at byte "
            f"{offset} is not an event).\n"
            "Delete it, or point layout={'metrics': ...} at the right log folder."
        ) from err


def _bad_record(path: Path, offset: int, what: str) -> CorruptArtifactError:
    return CorruptArtifactError(
        f"TensorBoard event file {str(path)!r} is corrupt: the checksum of the {what} at "
        f"byte {offset} does not match.\n"
        "Delete or restore the file (later scalars cannot be trusted)."
    )


def _check_batch(path: Path, data: bytes, starts: list[int], lengths: list[int], base: int,
                 crc_one: Callable[[bytes], int]) -> None:
    """Check the length and data checksums of the records at ``starts`` of ``data``.

    Raises for the first bad record in file order (``base`` is the file offset of ``data``).
    """
    import numpy as np

    if not starts:
        return
    buf = np.frombuffer(data, dtype=np.uint8)
    at = np.asarray(starts, dtype=np.int64)
    size = np.asarray(lengths, dtype=np.int64)
    stored = buf[(at + 8)[:, None] + np.arange(4)].copy().view("<u4").ravel()
    bad_header = masked_crc32c_many(buf, at, 8) != stored
    bad_data = np.zeros(len(at), dtype=bool)
    data_crc = buf[(at + 12 + size)[:, None] + np.arange(4)].copy().view("<u4").ravel()
    order = np.argsort(size, kind="stable")
    bounds = np.flatnonzero(np.diff(size[order])) + 1
    for group in np.split(order, bounds):
        length = int(size[group[0]])
        if len(group) >= _BATCH_MIN and length <= 4096:
            bad_data[group] = masked_crc32c_many(buf, at[group] + 12, length) != data_crc[group]
        else:  # few or long records: one C-free pass each is cheaper than one per byte column
            for i in group:
                s = int(at[i]) + 12
                bad_data[i] = crc_one(data[s:s + length]) != int(data_crc[i])
    bad = np.flatnonzero(bad_header | bad_data)
    if len(bad):
        i = int(bad[0])
        raise _bad_record(path, base + starts[i], "record length" if bad_header[i]
                          else "record data")


def _records(path: Path, crc_one: Callable[[bytes], int]) -> Iterator[bytes]:
    """Every intact record's payload, in order, reading ``CHUNK_BYTES`` at a time.

    A torn last record (a writer still busy with it) ends the stream quietly; any other
    checksum mismatch raises naming the record's byte offset.
    """
    size = check_regular(path, "TensorBoard event file").st_size
    unpack = _HEADER.unpack_from
    with open(path, "rb") as fh:
        data, base = b"", 0  # data holds the file's bytes from offset base
        while True:
            more = fh.read(CHUNK_BYTES)
            data = data + more if data else more
            end_of_file = not more or base + len(data) >= size
            starts: list[int] = []
            lengths: list[int] = []
            pos, n, bad_length = 0, len(data), False
            while pos + 12 <= n:
                length, header_crc = unpack(data, pos)
                if pos + 16 + length > n:  # continues in the next chunk, or a torn tail
                    bad_length = crc_one(data[pos:pos + 8]) != header_crc
                    break
                starts.append(pos)
                lengths.append(length)
                pos += 16 + length
            _check_batch(path, data, starts, lengths, base, crc_one)  # earlier records first
            if bad_length:
                raise _bad_record(path, base + pos, "record length")
            for s, length in zip(starts, lengths, strict=True):
                yield data[s + 12:s + 12 + length]
            data, base = data[pos:], base + pos
            if end_of_file:
                return  # left in data: a torn tail whose length checksum was checked


def _scalar_of(tensor, tensor_util) -> float | None:
    """A one-element tensor as a float, else None (TensorBoard's own conversion)."""
    try:
        values = tensor_util.make_ndarray(tensor)
    except Exception:  # a tensor TensorBoard cannot convert shows nothing there either
        return None
    return float(values.reshape(())) if values.size == 1 else None


class _Series:
    """Steps and values of one tag, as compact typed arrays (16 bytes a scalar)."""

    __slots__ = ("steps", "values")

    def __init__(self) -> None:
        self.steps = array("q")
        self.values = array("d")

    def purge(self, step: int) -> None:
        """Drop every point at ``step`` or later (TensorBoard's restart purge)."""
        import numpy as np

        steps = np.frombuffer(self.steps, dtype=np.int64)
        keep = steps < step
        if keep.all():
            return
        values = np.frombuffer(self.values, dtype=np.float64)
        self.steps = array("q", steps[keep].tobytes())
        self.values = array("d", values[keep].tobytes())


def read_event_scalars(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{tag: (steps, values)}`` of one event file's scalar summaries, in one streaming pass.

    Steps are sorted int64, values float64; a step logged twice keeps its later value. Tags
    and values are what TensorBoard's EventAccumulator reports under its scalars plugin: v1
    simple values and v2 one-element tensors whose tag's first metadata names ``scalars``;
    data orphaned by a restart is purged as TensorBoard does.

    Raises
    ------
    CorruptArtifactError
        Not a regular file, a checksum mismatch before the last record, an undecodable
        record, or no ``file_version`` record in a non-empty file.
    MissingDependencyError
        Without the ``tensorboard`` package (its generated protobuf classes decode events).
    """
    import numpy as np

    event_pb2, masked_crc32c, tensor_util = _imports()
    parse = event_pb2.Event.FromString
    start = event_pb2.SessionLog.START
    series: dict[str, _Series] = {}
    plugin: dict[str, str] = {}
    file_version: float | None = None
    seen_start = False
    recent_step = -1
    offset_hint = 0
    for payload in _records(path, masked_crc32c):
        event = _event(parse, payload, path, offset_hint)
        offset_hint += len(payload) + 16
        kind = event.WhichOneof("what")
        step = event.step
        if kind == "file_version":
            try:
                file_version = float(event.file_version.split("brain.Event:")[-1])
            except ValueError:
                file_version = -1.0
        # restart purges, as EventAccumulator._MaybePurgeOrphanedData
        if file_version and file_version >= 2:
            if kind == "session_log" and event.session_log.status == start:
                if seen_start:
                    for points in series.values():
                        points.purge(step)
                seen_start = True
        elif kind == "summary" and step < recent_step:
            for value in event.summary.value:
                if value.tag in series:
                    series[value.tag].purge(step)
        if kind != "summary":
            continue
        recent_step = step
        for value in event.summary.value:
            tag = value.tag
            which = value.WhichOneof("value")
            if which == "simple_value":
                plugin.setdefault(tag, "scalars")
                number: float | None = value.simple_value
            elif which == "tensor":
                if tag not in plugin and value.HasField("metadata"):
                    name = value.metadata.plugin_data.plugin_name
                    if name:
                        plugin[tag] = name
                tensor = value.tensor
                floats = tensor.float_val
                if (tensor.dtype == 1 and len(floats) == 1 and not tensor.tensor_shape.dim
                        and not tensor.tensor_content):
                    number = floats[0]  # a DT_FLOAT scalar, as every writer stores it
                else:
                    number = _scalar_of(tensor, tensor_util)
                tag = tag or value.node_name
            else:
                if which is not None:  # images, histograms, audio: another plugin's tag
                    plugin.setdefault(tag, which)
                continue
            if number is not None:
                points = series.get(tag)
                if points is None:
                    points = series[tag] = _Series()
                points.steps.append(step)
                points.values.append(number)
    if file_version is None and path.stat().st_size > 0:
        raise CorruptArtifactError(
            f"TensorBoard event file {str(path)!r} cannot be read (no file_version record: "
            "not an event file).\n"
            "Delete it, or point layout={'metrics': ...} at the right log folder."
        )
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for tag, points in series.items():
        if plugin.get(tag) != "scalars":
            continue
        steps = np.frombuffer(points.steps, dtype=np.int64)
        values = np.frombuffer(points.values, dtype=np.float64)
        out[tag] = last_per_step(steps, values)
    return out


def read_event_plugin_contents(path: Path, plugin_name: str) -> dict[str, bytes]:
    """``{tag: content}`` of the summary tags whose first metadata names ``plugin_name``.

    As EventAccumulator.PluginTagToContent, in one streaming pass that checks every record
    but decodes only records holding the plugin's name (the hparams of a large log in
    about the time of its checksums).

    Raises
    ------
    CorruptArtifactError, MissingDependencyError
        As :func:`read_event_scalars`.
    """
    event_pb2, masked_crc32c, _ = _imports()
    parse = event_pb2.Event.FromString
    needle = plugin_name.encode()
    first: dict[str, tuple[str, bytes]] = {}
    offset = 0
    for payload in _records(path, masked_crc32c):
        offset += len(payload) + 16
        if needle not in payload:
            continue
        event = _event(parse, payload, path, offset - len(payload) - 16)
        if event.WhichOneof("what") != "summary":
            continue
        for value in event.summary.value:
            if value.HasField("metadata") and value.tag not in first:
                data = value.metadata.plugin_data
                first[value.tag] = (data.plugin_name, data.content)
    return {tag: content for tag, (name, content) in first.items() if name == plugin_name}


def last_per_step(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique steps and, for each, the value given last in ``values``' order."""
    import numpy as np

    if len(steps) and bool(np.all(steps[1:] > steps[:-1])):
        return steps.copy(), values.copy()
    order = np.argsort(steps, kind="stable")
    sorted_steps = steps[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = sorted_steps[1:] != sorted_steps[:-1]
    return sorted_steps[last], values[order][last]
