"""Lazy, memory-mapped reading of safetensors checkpoints: one file, shards or a folder."""

from __future__ import annotations

import json
import math
import struct
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ArtifactError, CorruptArtifactError, MissingDependencyError, describe
from ._untrusted import check_regular, contained, read_text_bounded

if TYPE_CHECKING:  # numpy loads on first read, keeping ``import vizwidget`` light
    import numpy as np

__all__ = ["SafetensorsCheckpoint", "checkpoint_files", "has_safetensors"]

INDEX_NAME = "model.safetensors.index.json"
MODEL_NAME = "model.safetensors"
#: Largest shard index read (a 1,000-shard index of a huge model is a few MB).
MAX_INDEX_BYTES = 64 * 1024 * 1024
#: Largest safetensors header read (the safetensors library's own limit).
MAX_HEADER_BYTES = 100_000_000
#: Stored dtypes numpy reads as they are (BF16 is widened to float32 separately).
_NUMPY_DTYPES = frozenset({"BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64", "F16",
                           "F32", "F64"})


def _safe_open() -> Any:
    try:
        from safetensors import safe_open
    except ImportError as err:
        raise MissingDependencyError(
            "Reading .safetensors checkpoints needs the 'safetensors' package.\n"
            "Install it with: pip install 'vizwidget[safetensors]'"
        ) from err
    return safe_open


def _corrupt(path: Path, err: BaseException) -> CorruptArtifactError:
    return CorruptArtifactError(
        f"Checkpoint file {str(path)!r} is not a readable safetensors file "
        f"({describe(err)}).\n"
        "Delete or re-save it (it may still be being written, or truncated by a full disk)."
    )


def has_safetensors(directory: Path) -> bool:
    """True when ``directory`` holds at least one ``*.safetensors`` file."""
    return any(directory.glob("*.safetensors"))


def _shard_names(index: Path) -> list[object]:
    try:
        weight_map = json.loads(read_text_bounded(index, "Shard index", MAX_INDEX_BYTES))
        return list(dict.fromkeys(weight_map["weight_map"].values()))
    except CorruptArtifactError:
        raise  # not a regular file, or too large: already says so
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
        raise CorruptArtifactError(
            f"Shard index {str(index)!r} is not a valid safetensors index "
            f"({describe(err)}).\n"
            'It must be JSON with a "weight_map" object {tensor name: shard file}.'
        ) from err


def checkpoint_files(directory: Path) -> list[Path]:
    """The safetensors files making up the checkpoint in ``directory``.

    ``model.safetensors.index.json`` (sharded Hugging Face checkpoints) names the shards;
    otherwise ``model.safetensors``; otherwise every ``*.safetensors`` file, sorted. Every
    shard the index names must be a file in ``directory`` itself (no ``..``, absolute path
    or symlink out of it); this is checked before any shard is opened.

    Raises
    ------
    CorruptArtifactError
        If the index is unreadable, names a shard outside the folder or one that does not
        exist, or a file is not a regular file (a FIFO, a device).
    """
    index = directory / INDEX_NAME
    if index.is_file():
        names = _shard_names(index)
        files = [contained(directory, name, index) for name in names]  # all, before any open
        missing = [str(n) for n, f in zip(names, files, strict=True) if not f.exists()]
        if missing:
            raise CorruptArtifactError(
                f"Shard index {str(index)!r} names missing shard(s): {', '.join(missing)}.\n"
                "Copy the missing files into the checkpoint folder, or delete the folder."
            )
        files = sorted(set(files))
    elif (directory / MODEL_NAME).is_file():
        files = [directory / MODEL_NAME]
    else:
        files = sorted(directory.glob("*.safetensors"))
    for path in files:
        check_regular(path, "Checkpoint file")
    return files


def _bfloat16_as_float32(path: Path, name: str, shape: list[int]) -> np.ndarray:
    """Read one BF16 tensor through a memory map and widen it to float32 (exact)."""
    import numpy as np

    size = check_regular(path, "Checkpoint file").st_size
    with open(path, "rb") as fh:
        (header_size,) = struct.unpack("<Q", fh.read(8))
        if header_size > min(MAX_HEADER_BYTES, size - 8):
            raise ValueError(f"header of {header_size} bytes in a file of {size} bytes")
        begin, end = json.loads(fh.read(header_size))[name]["data_offsets"]
    count = math.prod(shape)
    if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin
            and end - begin == 2 * count and 8 + header_size + end <= size):
        raise ValueError(f"data_offsets {begin}..{end} do not hold {count} BF16 values")
    raw = np.memmap(path, dtype="<u2", mode="r", offset=8 + header_size + begin,
                    shape=((end - begin) // 2,))
    return (raw.astype(np.uint32) << 16).view(np.float32).reshape(shape)


class SafetensorsCheckpoint(Mapping[str, Any]):
    """Read-only mapping ``tensor name -> numpy array`` over one or more safetensors files.

    Opening reads only the files' headers (the files are memory-mapped); a tensor is read
    from disk the first time it is accessed, then kept. Names are kept as saved
    (``model.layers.0.mlp.W_in``). BF16 tensors are widened to float32, which is exact.

    Parameters
    ----------
    files : sequence of Path
        The files; several files are the shards of one checkpoint.

    Raises
    ------
    MissingDependencyError
        If the ``safetensors`` package is not installed.
    CorruptArtifactError
        If a file is not a valid safetensors file, or two shards hold the same tensor name.
    """

    def __init__(self, files: Sequence[Path]) -> None:
        safe_open = _safe_open()
        self.files = tuple(Path(f) for f in files)
        self._handles: list[Any] = []
        self._where: dict[str, int] = {}
        for path in self.files:
            check_regular(path, "Checkpoint file")  # a FIFO would block the open
        for i, path in enumerate(self.files):
            try:
                handle = safe_open(str(path), framework="numpy")
                names = list(handle.keys())
            except Exception as err:  # SafetensorError, OSError: the library's own errors
                raise _corrupt(path, err) from err
            for name in names:
                if name in self._where:
                    raise CorruptArtifactError(
                        f"Tensor {name!r} is in two shards: {self.files[self._where[name]].name!r}"
                        f" and {path.name!r} (in {str(path.parent)!r}).\n"
                        "Keep each tensor in exactly one shard (re-save the checkpoint)."
                    )
                self._where[name] = i
            self._handles.append(handle)
        self._loaded: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> np.ndarray:
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            i = self._where[name]  # KeyError for unknown names, as a Mapping should
            array = self._read(self._handles[i], self.files[i], name)
            array.setflags(write=False)  # shared through the loader's cache
            self._loaded[name] = array
            return array

    def _read(self, handle: Any, path: Path, name: str) -> np.ndarray:
        try:
            piece = handle.get_slice(name)
            dtype, shape = piece.get_dtype(), list(piece.get_shape())
            if dtype == "BF16":
                return _bfloat16_as_float32(path, name, shape)
            if dtype in _NUMPY_DTYPES:
                return handle.get_tensor(name)
        except Exception as err:  # SafetensorError, OSError, ValueError: a damaged file
            raise _corrupt(path, err) from err
        raise ArtifactError(
            f"Tensor {name!r} in {str(path)!r} has dtype {dtype}, which numpy cannot hold.\n"
            "Save it as float32/float16 (e.g. tensor.float()) to visualize it."
        )

    def dtype_shape(self, name: str) -> tuple[str, list[int]]:
        """The stored dtype (``"F32"``, ``"BF16"``, …) and shape of a tensor, without reading it."""
        i = self._where[name]
        piece = self._handles[i].get_slice(name)
        return piece.get_dtype(), list(piece.get_shape())

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, name: object) -> bool:
        return name in self._where

    def __repr__(self) -> str:
        where = self.files[0].name if len(self.files) == 1 else f"{len(self.files)} shards"
        return (f"<SafetensorsCheckpoint {len(self)} tensors from {where} in "
                f"{str(self.files[0].parent)!r}, {len(self._loaded)} loaded>")
