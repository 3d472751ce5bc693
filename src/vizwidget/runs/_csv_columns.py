"""Columns of a plain numeric CSV as float64 arrays: pyarrow's C++ reader, else numpy."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["arrow_columns", "line_blocks", "numpy_columns", "plain_header"]

_MISSING_CELLS = frozenset(("", "nan", "none", "null"))


def plain_header(text: str) -> list[str] | None:
    """The header of ``text`` if the file is plain (ASCII, no quote or carriage return),
    else None (for the row-by-row reader)."""
    if not text.isascii() or '"' in text or "\r" in text:
        return None
    end = text.find("\n")
    return (text if end < 0 else text[:end]).split(",")


def arrow_columns(text: str, width: int, wanted: list[int]) -> dict[int, np.ndarray] | None:
    """Columns ``wanted`` of ``text`` (a header line, then rows of ``width`` cells) read by
    pyarrow, NaN where a cell is empty or nan; None without pyarrow or when pyarrow refuses
    a row or cell (ragged rows, 'none', '1_000', a field over its block size)."""
    if text.find("(", max(text.find("\n"), 0)) >= 0:
        return None  # pyarrow reads 'nan(1)' as NaN; float() refuses it
    try:
        import pyarrow as pa
        import pyarrow.csv as pa_csv
    except ImportError:
        return None
    names = [f"c{j}" for j in range(width)]  # the header is ours to read, not pyarrow's
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(text.encode("ascii")),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1,
                                            use_threads=False),
            parse_options=pa_csv.ParseOptions(quote_char=False, escape_char=False,
                                              double_quote=False, newlines_in_values=False,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={names[j]: pa.float64() for j in wanted},
                include_columns=[names[j] for j in wanted], null_values=[""],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        return None
    return {j: _arrow_float64(table.column(names[j])) for j in wanted}


def _arrow_float64(column) -> np.ndarray:
    """A float64 ChunkedArray as one array, NaN for nulls (read from the buffers: Arrow's
    ``to_numpy`` would import pandas)."""
    import numpy as np

    parts = []
    for chunk in column.chunks:
        offset, n = chunk.offset, len(chunk)
        validity, data = chunk.buffers()
        values = np.frombuffer(data, dtype=np.float64, count=offset + n)[offset:]
        if chunk.null_count:
            bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little",
                                 count=offset + n)[offset:]
            values = np.where(bits.astype(bool), values, np.nan)
        parts.append(values)
    return np.concatenate(parts) if parts else np.zeros(0)


def _column(cells: list[str]) -> np.ndarray | None:
    """Cells as float64 with NaN for an empty/nan/none/null cell; None if one is not a number."""
    import numpy as np

    for attempt in (lambda: cells, lambda: [c or "nan" for c in cells],
                    lambda: ["nan" if c.strip().lower() in _MISSING_CELLS else c for c in cells]):
        try:
            return np.array(attempt(), dtype=np.float64)
        except ValueError:
            continue
    return None


def line_blocks(text: str, start: int, size: int = 1 << 22) -> Iterator[list[str]]:
    """The lines of ``text`` from ``start``, about ``size`` characters of them at a time."""
    limit = len(text) - 1 if text.endswith("\n") else len(text)  # the last newline ends a line
    while start < limit:
        stop = text.find("\n", min(start + size, limit), limit)
        stop = limit if stop < 0 else stop
        yield text[start:stop].split("\n")
        start = stop + 1


def numpy_columns(text: str, width: int, wanted: list[int]) -> dict[int, np.ndarray] | None:
    """Like :func:`arrow_columns`, split by Python and converted by numpy, also reading
    'none'/'null' (any case) and whitespace-only cells as NaN; None on a ragged or blank
    row or a cell that is not a number."""
    import numpy as np

    end = text.find("\n")
    parts: dict[int, list[np.ndarray]] = {j: [] for j in wanted}
    for lines in line_blocks(text, end + 1 if end >= 0 else len(text)):
        commas = np.fromiter(map(str.count, lines, itertools.repeat(",")), dtype=np.int64,
                             count=len(lines))
        if (commas != width - 1).any():
            return None
        cells = ",".join(lines).split(",")
        for j in wanted:
            values = _column(cells[j::width])
            if values is None:
                return None
            parts[j].append(values)
    return {j: np.concatenate(p) if p else np.zeros(0) for j, p in parts.items()}
