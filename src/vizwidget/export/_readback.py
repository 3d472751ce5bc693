"""Reading a provenance record back from any file (or frames directory) vizwidget wrote."""

from __future__ import annotations

import html
import json
import os
import re
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

from ..errors import ProvenanceError
from ._metadata import KEY, SIDECAR


def _missing(path: Path, why: str) -> ProvenanceError:
    return ProvenanceError(f"{str(path)!r} has no vizwidget provenance record ({why}).\n"
                           "Only files written by vizwidget with provenance on carry one.")


def _png_text(data: bytes) -> str | None:
    pos = 8
    while pos + 8 <= len(data):
        size = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + size]
        if kind == b"iTXt" and body.startswith(KEY.encode() + b"\0"):
            rest = body[len(KEY) + 1:]
            compressed, rest = rest[0], rest[2:]
            rest = rest.split(b"\0", 2)[2]
            return (zlib.decompress(rest) if compressed else rest).decode("utf-8")
        if kind == b"IEND":
            break
        pos += 12 + size
    return None


def _jpeg_text(data: bytes) -> str | None:
    pos, parts = 2, []
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xDA, 0xD9):
            break
        size = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker == 0xFE:
            parts.append(data[pos + 4:pos + 2 + size])
        pos += 2 + size
    text = b"".join(parts).decode("utf-8", "replace")
    prefix = f"{KEY}: "
    return text[len(prefix):] if text.startswith(prefix) else None


def _xmp_text(data: bytes) -> str | None:
    match = re.search(rb'%s:provenance="([^"]*)"' % KEY.encode(), data)
    return html.unescape(match.group(1).decode("utf-8")) if match else None


def _gif_text(data: bytes) -> str | None:
    at = data.find(b"\x21\xfe")
    while at >= 0:
        pos, parts = at + 2, []
        while pos < len(data) and data[pos]:
            parts.append(data[pos + 1:pos + 1 + data[pos]])
            pos += 1 + data[pos]
        text = b"".join(parts).decode("utf-8", "replace")
        if text.startswith("{"):
            return text
        at = data.find(b"\x21\xfe", at + 2)
    return None


def _pdf_text(data: bytes) -> str | None:
    found = list(re.finditer(rb"/%s \(((?:[^()\\]|\\.)*)\)" % KEY.encode(), data, re.S))
    if not found:
        return None
    return re.sub(rb"\\(.)", rb"\1", found[-1].group(1)).decode("ascii")


def _video_text(path: Path) -> str | None:
    import imageio_ffmpeg

    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path),
                          "-f", "ffmetadata", "-"], capture_output=True, check=False).stdout
    for line in out.decode("utf-8", "replace").splitlines():
        if line.lower().startswith("comment="):
            return re.sub(r"\\(.)", r"\1", line.split("=", 1)[1])
    return None


def _text_of(path: Path, data: bytes) -> str | None:
    head = data[:64].lstrip()
    if data.startswith(b"\x89PNG"):
        return _png_text(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_text(data)
    if data.startswith(b"GIF8"):
        return _gif_text(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _xmp_text(data)
    if data.startswith(b"%PDF"):
        return _pdf_text(data)
    if data[4:8] == b"ftyp" or data.startswith(b"\x1a\x45\xdf\xa3"):
        return _video_text(path)
    if data.startswith(f"# {KEY}: ".encode()):
        return data.split(b"\n", 1)[0][len(KEY) + 4:].decode("utf-8")
    if head.startswith(b"{"):
        value = json.loads(data).get(KEY)
        return None if value is None else json.dumps(value)
    lower = head.lower()
    if lower.startswith((b"<!doctype html", b"<html")):
        match = re.search(rb'<script type="application/json" id="%s-provenance">(.*?)</script>'
                          % KEY.encode(), data, re.S)
        return match.group(1).decode("utf-8").replace("<\\/", "</") if match else None
    if b"<svg" in lower or lower.startswith(b"<?xml"):
        match = re.search(rb'<metadata class="%s-provenance">(.*?)</metadata>' % KEY.encode(),
                          data, re.S)
        return html.unescape(match.group(1).decode("utf-8")) if match else None
    return None


def read_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The provenance record stored in a file (or a frames directory) written by vizwidget.

    Raises
    ------
    ProvenanceError
        When the file has none; OutputPathError-like OSErrors are turned into it too.
    """
    path = Path(path)
    if path.is_dir():
        path = path / SIDECAR
        if not path.is_file():
            raise _missing(path.parent, f"no {SIDECAR} in the directory")
        return json.loads(path.read_text(encoding="utf-8"))
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ProvenanceError(f"Cannot read {str(path)!r}: {err.strerror or err}.\n"
                              "Pass the path of a file vizwidget wrote.") from err
    try:
        text = _text_of(path, data)
        record = None if text is None else json.loads(text)
    except (ValueError, UnicodeDecodeError, IndexError) as err:
        raise _missing(path, f"unreadable record: {err}") from err
    if not isinstance(record, dict):
        raise _missing(path, "none found")
    return record
