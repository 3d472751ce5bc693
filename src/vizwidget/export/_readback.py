"""Reading a provenance record back from any file (or frames directory), with bounded effort.

Every file is treated as hostile: only regular files are opened (never blocking on a FIFO),
files larger than :data:`SCAN_LIMIT` are refused, the file is memory-mapped rather than read,
a record may hold at most :data:`RECORD_LIMIT` characters (compressed ones are inflated
incrementally, so a deflate bomb costs nothing), may nest at most :data:`DEPTH_LIMIT` levels,
and a file holding two records is refused (a second record could spoof the first).
"""

from __future__ import annotations

import html
import json
import mmap
import os
import re
import stat
import struct
import subprocess
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ProvenanceError
from ._metadata import KEY, SIDECAR

#: Largest record text (characters, after inflating and unescaping).
RECORD_LIMIT = 1 << 20
#: Largest file scanned for a record.
SCAN_LIMIT = 512 << 20
#: Deepest nesting of lists and objects a record may have.
DEPTH_LIMIT = 64
#: Largest stored form of a record (escaped or compressed) looked at.
_STORED_LIMIT = 8 * RECORD_LIMIT
#: Most PNG chunks, RIFF chunks or JPEG segments walked.
_PART_LIMIT = 100_000
#: Seconds ffmpeg may take to list a video's metadata.
_FFMPEG_TIMEOUT = 60

Data = bytes | mmap.mmap
_KEY = KEY.encode()


class _Malformed(Exception):
    """A record is present but cannot be used (the reason is the message)."""


def _missing(path: Path, why: str) -> ProvenanceError:
    return ProvenanceError(f"{str(path)!r} has no vizwidget provenance record ({why}).\n"
                           "Only files written by vizwidget with provenance on carry one.")


def _malformed(path: Path, why: str) -> ProvenanceError:
    return ProvenanceError(f"{str(path)!r} has a malformed vizwidget provenance record: {why}.\n"
                           "Re-export the file with vizwidget; a damaged or edited record is "
                           "never repaired or trusted.")


def _too_large(size: int) -> _Malformed:
    return _Malformed(f"it is larger than {RECORD_LIMIT:,} characters ({size:,} or more)")


# -- opening --------------------------------------------------------------------------------
def _open_regular(path: Path, *, follow: bool = True) -> tuple[int, int]:
    """An O_NONBLOCK descriptor and the size of ``path``; refuses anything but a regular file."""
    try:
        info = os.stat(path) if follow else os.lstat(path)
    except OSError as err:
        raise ProvenanceError(f"Cannot read {str(path)!r}: {err.strerror or err}.\n"
                              "Pass the path of a file vizwidget wrote.") from err
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
             | (0 if follow else getattr(os, "O_NOFOLLOW", 0)))
    fd = -1
    if stat.S_ISREG(info.st_mode):
        try:
            fd = os.open(path, flags)
        except OSError as err:
            raise ProvenanceError(f"Cannot read {str(path)!r}: {err.strerror or err}.\n"
                                  "Pass the path of a file vizwidget wrote.") from err
        info = os.fstat(fd)  # the file opened may not be the one checked
    if not stat.S_ISREG(info.st_mode):
        if fd >= 0:
            os.close(fd)
        kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else (
            "a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO, device or socket")
        raise ProvenanceError(f"{str(path)!r} is not a regular file ({kind}).\n"
                              "Pass a file (or frames directory) vizwidget wrote.")
    return fd, info.st_size


def _check_size(path: Path, size: int, limit: int) -> None:
    if size > limit:
        raise ProvenanceError(f"{str(path)!r} is too large to scan for a provenance record "
                              f"({size:,} bytes; the limit is {limit:,}).\n"
                              "Only files vizwidget wrote carry a record; check the path.")


# -- record texts per format ----------------------------------------------------------------
def _inflate(raw: bytes) -> bytes:
    """``raw`` inflated, stopping one byte past the record limit (a bomb costs no memory)."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, RECORD_LIMIT + 1)
    except zlib.error as err:
        raise _Malformed(f"its compressed text is damaged ({err})") from err
    if len(out) > RECORD_LIMIT:
        raise _too_large(len(out))
    if not inflater.eof:
        raise _Malformed("its compressed text is truncated")
    return out


def _png_chunk_text(kind: bytes, body: bytes) -> str:
    rest = body[len(_KEY) + 1:]
    try:
        if kind == b"tEXt":
            return rest.decode("latin-1")
        if kind == b"zTXt":
            return _inflate(rest[1:]).decode("latin-1")
        compressed, rest = rest[0], rest[2:]
        text = rest.split(b"\0", 2)[2]  # after the language tag and translated keyword
        return (_inflate(text) if compressed else text).decode("utf-8")
    except (IndexError, UnicodeDecodeError) as err:
        raise _Malformed(f"its {kind.decode()} chunk is malformed ({err})") from err


def _png_texts(data: Data) -> list[str]:
    out, pos, n = [], 8, len(data)
    for _ in range(_PART_LIMIT):
        if pos + 8 > n:
            return out
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + size
        if kind in (b"tEXt", b"zTXt", b"iTXt") and \
                data[pos + 8:pos + 9 + len(_KEY)] == _KEY + b"\0":
            if size > _STORED_LIMIT:
                raise _Malformed(f"its {kind.decode()} chunk holds {size:,} bytes")
            if end > n:
                raise _Malformed(f"its {kind.decode()} chunk is truncated")
            body = bytes(data[pos + 8:end - 4])
            if struct.unpack(">I", data[end - 4:end])[0] != zlib.crc32(kind + body):
                raise _Malformed(f"its {kind.decode()} chunk fails its CRC check")
            out.append(_png_chunk_text(kind, body))
        if kind == b"IEND":
            return out
        pos = end
    raise _Malformed(f"the file has more than {_PART_LIMIT:,} chunks")


def _jpeg_texts(data: Data) -> list[str]:
    prefix = _KEY + b": "
    records: list[bytearray] = []
    pos, n, continuing = 2, len(data), False
    for _ in range(_PART_LIMIT):
        if pos + 4 > n or data[pos] != 0xFF or data[pos + 1] in (0xDA, 0xD9):
            break
        size = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if data[pos + 1] == 0xFE:
            part = data[pos + 4:pos + 2 + size]
            if part.startswith(prefix):
                records.append(bytearray(part[len(prefix):]))
                continuing = True
            elif continuing:  # a record longer than one segment goes on in the next
                records[-1] += part
            if records and len(records[-1]) > RECORD_LIMIT:
                raise _too_large(len(records[-1]))
        else:
            continuing = False
        pos += 2 + max(size, 2)
    try:
        return [bytes(r).decode("utf-8") for r in records]
    except UnicodeDecodeError as err:
        raise _Malformed(f"its comment is not UTF-8 ({err})") from err


def _sub_blocks(data: Data, pos: int, keep: bool) -> tuple[int, bytes]:
    """Position after a GIF sub-block chain, and its bytes when ``keep``."""
    n, parts, kept = len(data), [], 0
    while pos < n and data[pos]:
        length = data[pos]
        if keep:
            parts.append(data[pos + 1:pos + 1 + length])
            kept += length
            if kept > RECORD_LIMIT:
                raise _too_large(kept)
        pos += 1 + length
    return pos + 1, b"".join(parts)


def _gif_texts(data: Data) -> list[str]:
    n = len(data)
    if n < 13:
        return []
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    texts = []
    while pos < n and data[pos] != 0x3B:
        if data[pos] == 0x21 and pos + 1 < n:  # extension: label, then sub-blocks
            comment = data[pos + 1] == 0xFE
            pos, body = _sub_blocks(data, pos + 2, keep=comment)
            if comment and body.startswith(b"{"):
                texts.append(body.decode("utf-8", "replace"))
        elif data[pos] == 0x2C and pos + 10 <= n:  # image: descriptor, palette, LZW data
            flags = data[pos + 9]
            pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1
            pos = _sub_blocks(data, pos, keep=False)[0]
        else:
            break
    return texts


_XMP_ATTR = re.compile(rb'%s:provenance="([^"]*)"' % _KEY)


def _webp_texts(data: Data) -> list[str]:
    texts, pos, n = [], 12, len(data)
    for _ in range(_PART_LIMIT):
        if pos + 8 > n:
            return texts
        kind, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if kind == b"XMP ":
            if size > _STORED_LIMIT:
                raise _Malformed(f"its XMP chunk holds {size:,} bytes")
            texts += [html.unescape(m.group(1).decode("utf-8", "replace"))
                      for m in _XMP_ATTR.finditer(data[pos + 8:pos + 8 + size])]
        pos += 8 + size + size % 2
    raise _Malformed(f"the file has more than {_PART_LIMIT:,} chunks")


def _find_all(data: Data, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at + len(needle))
        at = data.find(needle, at + 1)
    return found


def _between(data: Data, start: int, end: bytes, what: str) -> bytes:
    stop = data.find(end, start, start + _STORED_LIMIT + len(end))
    if stop < 0:
        raise _Malformed(f"its {what} is unterminated or longer than {_STORED_LIMIT:,} bytes")
    return bytes(data[start:stop])


_PDF_STRING = re.compile(rb"(?:[^()\\]++|\\.)*+\)", re.S)
_PDF_VALUE = re.compile(rb"[\0\t\n\f\r ]*+([(<])(?!<)")


def _pdf_texts(data: Data) -> list[str]:
    """Every ``/vizwidget`` literal or hex string (a spoof could use either form)."""
    texts = []
    for start in _find_all(data, b"/%s" % _KEY):
        value = _PDF_VALUE.match(data, start)
        if value is None:  # another name (/vizwidgetX) or not a string value
            continue
        begin, stop = value.end(), min(len(data), value.end() + _STORED_LIMIT)
        if value.group(1) == b"<":
            end = data.find(b">", begin, stop)
            if end < 0:
                raise _Malformed("its PDF hex string is unterminated or too long")
            digits = re.sub(rb"\s+", b"", bytes(data[begin:end]))
            texts.append(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()).decode(
                "latin-1"))
            continue
        match = _PDF_STRING.match(data, begin, stop)
        if match is None:
            raise _Malformed("its PDF string is unterminated or too long")
        raw = re.sub(rb"\\(.)", rb"\1", match.group()[:-1], flags=re.S)
        texts.append(raw.decode("latin-1"))
    return texts


def _run_ffmpeg(cmd: list[str]) -> bytes:
    """ffmpeg's stdout, at most ``_STORED_LIMIT + 1`` bytes, killed after the timeout."""
    timed_out = threading.Event()
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as proc:
        def kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(_FFMPEG_TIMEOUT, kill)
        timer.start()
        try:
            out = proc.stdout.read(_STORED_LIMIT + 1) if proc.stdout else b""
        finally:
            timer.cancel()
            proc.kill()
    if timed_out.is_set():
        raise _Malformed(f"ffmpeg took over {_FFMPEG_TIMEOUT} s to list its metadata")
    if len(out) > _STORED_LIMIT:
        raise _Malformed(f"its metadata is longer than {_STORED_LIMIT:,} bytes")
    return out


def _video_texts(path: Path, data: Data) -> list[str]:
    import imageio_ffmpeg

    demuxer = "mov" if data[4:8] == b"ftyp" else "matroska"  # never let ffmpeg guess
    out = _run_ffmpeg([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin",
                       "-protocol_whitelist", "file", "-f", demuxer,
                       "-i", "file:" + os.path.abspath(path), "-f", "ffmetadata", "-"])
    texts = []
    for line in out.decode("utf-8", "replace").splitlines():
        if line.lower().startswith("comment="):
            value = re.sub(r"\\(.)", r"\1", line.split("=", 1)[1])
            if value.startswith("{"):
                texts.append(value)
    return texts


def _csv_texts(data: Data) -> list[str]:
    prefix = f"# {KEY}: ".encode()
    end = data.find(b"\n", 0, len(prefix) + RECORD_LIMIT + 2)
    if end < 0 and len(data) > len(prefix) + RECORD_LIMIT + 1:
        raise _too_large(RECORD_LIMIT + 1)
    end = len(data) if end < 0 else end
    if data[end + 1:end + 1 + len(prefix)] == prefix:
        raise _Malformed("its second line is a record too")
    try:
        return [bytes(data[len(prefix):end]).decode("utf-8").rstrip("\r")]
    except UnicodeDecodeError as err:
        raise _Malformed(f"its first line is not UTF-8 ({err})") from err


_JSON_TOKEN = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[{}\[\]]', re.S)
_JSON_COLON = re.compile(rb"\s*:\s*")
_JSON_KEY = b'"%s"' % _KEY
#: Most strings and brackets walked in a JSON file.
_TOKEN_LIMIT = 2_000_000


def _json_value(data: Data, start: int) -> str:
    """The JSON text of the value starting at ``start`` (at most the record limit)."""
    window = bytes(data[start:start + RECORD_LIMIT + 1]).decode("utf-8", "ignore")
    try:
        used = json.JSONDecoder().raw_decode(window)[1]
    except RecursionError as err:
        raise _Malformed("it is nested too deeply") from err
    except ValueError as err:
        if len(window) > RECORD_LIMIT:
            raise _too_large(len(window)) from err
        raise _Malformed(f"it is not JSON ({err})") from err
    return window[:used]


def _json_texts(data: Data) -> list[str]:
    """Values of the top-level key ``"vizwidget"``, found without parsing the whole figure."""
    texts, depth, size = [], 0, len(_JSON_KEY)
    for count, token in enumerate(_JSON_TOKEN.finditer(data)):
        if count >= _TOKEN_LIMIT:
            raise _Malformed(f"the file has more than {_TOKEN_LIMIT:,} strings and brackets")
        start, end = token.span()
        first = data[start]
        if first == 0x22:  # a string: a key of the top-level object?
            if depth == 1 and end - start == size and data[start:end] == _JSON_KEY:
                colon = _JSON_COLON.match(data, end)
                if colon is not None:
                    texts.append(_json_value(data, colon.end()))
        else:
            depth += 1 if first in b"{[" else -1
    return texts


_HTML_SCRIPT = b'<script type="application/json" id="%s-provenance">' % _KEY
_HTML_META = b'<meta name="%s-provenance" content="' % _KEY
_SVG_METADATA = b'<metadata class="%s-provenance">' % _KEY


def _markup_texts(data: Data, opening: bytes, closing: bytes, what: str,
                  unescape: Callable[[str], str]) -> list[str]:
    texts = []
    for start in _find_all(data, opening):
        raw = _between(data, start, closing, what)
        try:
            texts.append(unescape(raw.decode("utf-8")))
        except UnicodeDecodeError as err:
            raise _Malformed(f"it is not UTF-8 ({err})") from err
    return texts


def _html_texts(data: Data) -> list[str]:
    """The ``<script>`` record; its ``<meta>`` copy, which other tools read, must agree."""
    texts = _markup_texts(data, _HTML_SCRIPT, b"</script>", "<script> element",
                          lambda text: text.replace("<\\/", "</"))
    metas = _markup_texts(data, _HTML_META, b'"', "<meta> content", html.unescape)
    if len(texts) == 1 and len(metas) <= 1:
        if metas and _loads(metas[0]) != _loads(texts[0]):
            raise _Malformed("its <meta> and <script> records differ")
        return texts
    return texts + metas


def _texts_of(path: Path, data: Data) -> list[str]:
    """The record texts stored in a file's bytes (none for an unknown format)."""
    head = bytes(data[:64]).lstrip()
    if data[:4] == b"\x89PNG":
        return _png_texts(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_texts(data)
    if data[:4] == b"GIF8":
        return _gif_texts(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_texts(data)
    if data[:4] == b"%PDF":
        return _pdf_texts(data)
    if data[4:8] == b"ftyp" or data[:4] == b"\x1a\x45\xdf\xa3":
        return _video_texts(path, data)
    if data[:len(KEY) + 4] == f"# {KEY}: ".encode():
        return _csv_texts(data)
    if head.startswith(b"{"):
        return _json_texts(data)
    lower = head.lower()
    if lower.startswith((b"<!doctype html", b"<html")):
        return _html_texts(data)
    if b"<svg" in lower or lower.startswith(b"<?xml"):
        return _markup_texts(data, _SVG_METADATA, b"</metadata>", "<metadata> element",
                             html.unescape)
    return []


# -- parsing --------------------------------------------------------------------------------
def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > DEPTH_LIMIT:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _loads(text: str) -> Any:
    """JSON of at most the record limit; raises ``_Malformed``."""
    if len(text) > RECORD_LIMIT:
        raise _too_large(len(text))
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as err:
        raise _Malformed("it is nested too deeply") from err
    except ValueError as err:
        raise _Malformed(f"it is not JSON ({err})") from err


def parse_record(text: str) -> dict[str, Any]:
    """A record from its JSON text; raises ``_Malformed`` naming what is wrong."""
    record = _loads(text)
    if not isinstance(record, dict):
        raise _Malformed(f"it is a JSON {type(record).__name__}, not an object")
    if _too_deep(record):
        raise _Malformed(f"it nests deeper than {DEPTH_LIMIT} levels")
    if not isinstance(record.get("format"), str):
        raise _Malformed("it has no 'format' field")
    return record


def _read_sidecar(folder: Path) -> dict[str, Any]:
    path = folder / SIDECAR
    if not os.path.lexists(path):
        raise _missing(folder, f"a directory without {SIDECAR}")
    fd, size = _open_regular(path, follow=False)  # a frames folder holds a plain file
    with os.fdopen(fd, "rb") as fp:
        _check_size(path, size, RECORD_LIMIT + 2)
        data = fp.read(RECORD_LIMIT + 3)
    try:
        return parse_record(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise _malformed(path, f"it is not UTF-8 ({err})") from err
    except _Malformed as err:
        raise _malformed(path, str(err)) from err


def read_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The provenance record stored in a file (or a frames directory) written by vizwidget.

    Raises
    ------
    ProvenanceError
        When the path is not a regular file (or frames directory), is larger than
        :data:`SCAN_LIMIT`, carries no record, two records, or a malformed one.
    """
    path = Path(path)
    if path.is_dir():
        return _read_sidecar(path)
    fd, size = _open_regular(path)
    try:
        _check_size(path, size, SCAN_LIMIT)
        if size == 0:
            raise _missing(path, "the file is empty")
        data = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    finally:
        os.close(fd)
    try:
        texts = _texts_of(path, data)
        if len(texts) > 1:
            raise _Malformed(f"it holds {len(texts)} records where one is allowed")
        if not texts:
            raise _missing(path, "none found")
        return parse_record(texts[0])
    except ProvenanceError:
        raise
    except _Malformed as err:
        raise _malformed(path, str(err)) from err
    except (IndexError, ValueError, struct.error) as err:  # a format's bytes end early
        raise _malformed(path, f"the file is malformed ({type(err).__name__}: {err})") from err
    finally:
        data.close()
