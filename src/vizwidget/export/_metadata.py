"""Provenance records: built with versions and size, embedded where each format keeps metadata.

A record is a JSON object stored under the key :data:`KEY` (``"vizwidget"``): a PNG/APNG
``iTXt`` chunk, an SVG ``<metadata>`` element, the PDF document-info entry ``/vizwidget``, an
HTML ``<meta name="vizwidget-provenance">`` plus ``<script type="application/json"
id="vizwidget-provenance">``, a JPEG comment (COM) segment, a WebP ``XMP`` chunk, a GIF
comment extension, MP4/WebM ``comment`` container metadata, a top-level ``"vizwidget"`` key of
a JSON figure, a leading ``# vizwidget: {...}`` line of a CSV file and ``provenance.json``
beside the PNGs of a frames directory.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import struct
import subprocess
import time
import zlib
from importlib import metadata
from typing import Any

from .. import engine
from .._escape import script_json
from .._version import __version__
from ..errors import UsageError
from ._stable import html_page, pdf_info

KEY = "vizwidget"
SIDECAR = "provenance.json"
SCHEMA = 1
#: Figures serialised larger than this (bytes) are not embedded in a record.
DEFAULT_FIGURE_LIMIT = 256 * 1024
FIGURE_LIMIT_ENV = "VIZWIDGET_PROVENANCE_FIGURE_LIMIT"
XMP_NS = "https://github.com/vizwidget/vizwidget/ns/provenance/1.0/"

Provenance = dict[str, Any] | bool | None


@functools.lru_cache(maxsize=1)
def versions() -> dict[str, str | None]:
    """Versions of vizwidget, plotly, plotly.js, kaleido and the browser (read once)."""
    from plotly.offline import get_plotlyjs_version

    def dist(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {"vizwidget": __version__, "plotly": dist("plotly"),
            "plotly.js": get_plotlyjs_version(), "kaleido": dist("kaleido"),
            "browser": _browser_version()}


def _browser_version() -> str | None:
    path = engine.get_engine().browser_path or engine.find_browser()
    if not path:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip().split(" built on")[0] or None


def figure_limit() -> int:
    """Largest figure (serialised bytes) a record embeds; ``$VIZWIDGET_PROVENANCE_FIGURE_LIMIT``."""
    try:
        return int(os.environ.get(FIGURE_LIMIT_ENV, DEFAULT_FIGURE_LIMIT))
    except ValueError:
        return DEFAULT_FIGURE_LIMIT


def created() -> str | None:
    """``$SOURCE_DATE_EPOCH`` as ISO-8601 UTC, or None (then no timestamp is stored)."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value or not value.strip().isdigit():
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(value)))


def check_provenance(provenance: Provenance) -> None:
    """Raise UsageError unless ``provenance`` is None, True, False or a dict."""
    if provenance is not None and not isinstance(provenance, (bool, dict)):
        raise UsageError(f"provenance must be True, False or a dict, got "
                         f"{type(provenance).__name__}.\n"
                         "Pass provenance={'note': ...} to add fields, or False for none.")


def make_record(provenance: Provenance, fmt: str, size: dict[str, Any],
                figure: dict | None = None) -> dict[str, Any] | None:
    """The record to embed, or None when ``provenance`` is False.

    ``provenance`` (True/None or a dict of what the caller knows) is completed with the
    versions, the format and ``size`` (width, height, scale, theme, animation options).
    Without a ``"variant"`` the ``figure`` itself is stored when it is small (see
    :func:`figure_limit`) so the file can be reproduced.
    """
    check_provenance(provenance)
    if provenance is False:
        return None
    record: dict[str, Any] = dict(provenance) if isinstance(provenance, dict) else {}
    record.update(size)
    record.update({"schema": SCHEMA, "format": fmt, "versions": versions()})
    stamp = created()
    if stamp:
        record["created"] = stamp
    if figure is not None and "variant" not in record and "figure" not in record:
        import plotly.io as pio

        text = pio.to_json(figure, validate=False)
        if len(text) <= figure_limit():
            record["figure"] = json.loads(text)
        else:
            record["figure_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return record


def encode(record: dict[str, Any]) -> str:
    """The record as one line of ASCII JSON with sorted keys (stable bytes)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False, default=_jsonable)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


encode_record = encode


def provenance_comment(record: dict[str, Any]) -> str:
    """The first line of a CSV export: ``# vizwidget: {...}`` (with a newline)."""
    return f"# {KEY}: {encode(record)}\n"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I",
                                                                    zlib.crc32(kind + body))


def png_with_text(png: bytes, text: str) -> bytes:
    """A PNG (or APNG) with an ``iTXt`` chunk ``vizwidget`` right after ``IHDR``."""
    end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4
    body = KEY.encode() + b"\0\0\0\0\0" + text.encode("utf-8")
    return png[:end] + _png_chunk(b"iTXt", body) + png[end:]


def jpeg_with_comment(jpeg: bytes, text: str) -> bytes:
    """A JPEG with COM segments (after SOI and APP0) holding ``vizwidget: {...}``."""
    payload = f"{KEY}: {text}".encode()
    segments = b"".join(b"\xff\xfe" + struct.pack(">H", len(part) + 2) + part
                        for part in (payload[i:i + 65533] for i in range(0, len(payload), 65533)))
    at = 2
    if jpeg[2:4] == b"\xff\xe0":  # keep JFIF's APP0 first
        at = 4 + struct.unpack(">H", jpeg[4:6])[0]
    return jpeg[:at] + segments + jpeg[at:]


def xmp_packet(text: str) -> bytes:
    """A minimal XMP packet with the record as ``vizwidget:provenance``."""
    value = html.escape(text, quote=True)
    return (f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            f'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
            f'rdf:about="" xmlns:{KEY}="{XMP_NS}" {KEY}:provenance="{value}"/></rdf:RDF>'
            f'</x:xmpmeta><?xpacket end="r"?>').encode()


def _riff_chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def _webp_size(kind: bytes, body: bytes) -> tuple[int, int]:
    if kind == b"VP8L":
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    w, h = struct.unpack("<HH", body[6:10])  # VP8: after the frame tag and start code
    return w & 0x3FFF, h & 0x3FFF


def webp_with_xmp(webp: bytes, text: str) -> bytes:
    """A still WebP in the extended format (``VP8X``) with an ``XMP `` chunk."""
    chunks, pos = [], 12
    while pos + 8 <= len(webp):
        kind, size = webp[pos:pos + 4], struct.unpack("<I", webp[pos + 4:pos + 8])[0]
        chunks.append((kind, webp[pos + 8:pos + 8 + size]))
        pos += 8 + size + size % 2
    if chunks and chunks[0][0] == b"VP8X":
        flags = bytearray(chunks[0][1])
        flags[0] |= 0x04
        chunks[0] = (b"VP8X", bytes(flags))
    else:
        image = next((c for c in chunks if c[0] in (b"VP8 ", b"VP8L")), None)
        if image is None:
            return webp
        w, h = _webp_size(*image)
        vp8x = bytes([0x04, 0, 0, 0]) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(
            3, "little")
        chunks.insert(0, (b"VP8X", vp8x))
    chunks = [c for c in chunks if c[0] != b"XMP "] + [(b"XMP ", xmp_packet(text))]
    body = b"WEBP" + b"".join(_riff_chunk(k, b) for k, b in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def svg_with_metadata(svg: bytes, text: str) -> bytes:
    """An SVG with ``<metadata class="vizwidget-provenance">`` as the first child."""
    start = svg.find(b"<svg")
    end = svg.find(b">", start) + 1
    if start < 0 or end <= 0:
        return svg
    element = (f'<metadata class="{KEY}-provenance">{html.escape(text, quote=False)}'
               f"</metadata>").encode()
    return svg[:end] + element + svg[end:]


def html_tags(text: str) -> bytes:
    """The record as a ``<meta>`` tag and a JSON ``<script>`` for an HTML page's head."""
    script = script_json(text)
    return (f'<meta name="{KEY}-provenance" content="{html.escape(text, quote=True)}">'
            f'<script type="application/json" id="{KEY}-provenance">{script}</script>').encode()


def json_with_record(text: str, record_text: str) -> str:
    """A figure's JSON with the record under the top-level key ``"vizwidget"``."""
    body = text.rstrip()
    return f'{body[:-1]},"{KEY}":{record_text}}}' if body.endswith("}") else text


def gif_comment(text: str) -> bytes:
    """A GIF comment extension block holding the record."""
    data = text.encode("utf-8")
    blocks = b"".join(bytes([len(part)]) + part
                      for part in (data[i:i + 255] for i in range(0, len(data), 255)))
    return b"\x21\xfe" + blocks + b"\x00"


def embed(data: bytes, fmt: str, record: dict[str, Any] | None) -> bytes:
    """Still-format bytes with the record stored where the format keeps metadata."""
    if record is None:
        return data
    text = encode(record)
    if fmt == "png":
        return png_with_text(data, text)
    if fmt == "jpeg":
        return jpeg_with_comment(data, text)
    if fmt == "webp":
        return webp_with_xmp(data, text)
    if fmt == "svg":
        return svg_with_metadata(data, text)
    if fmt == "pdf":
        return pdf_info(data, (KEY, text))
    if fmt == "html":
        return html_page(data, "", html_tags(text))
    if fmt == "json":
        return json_with_record(data.decode("utf-8"), text).encode("utf-8")
    return data


def ffmpeg_params(record: dict[str, Any] | None) -> list[str]:
    """ffmpeg output options: bit-exact muxing, no inherited metadata, the record as comment."""
    params = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1"]
    if record is not None:
        params += ["-metadata", f"comment={encode(record)}"]
    return params



def finish_html(page: bytes, placeholder: str, record: dict[str, Any] | None) -> bytes:
    """An exported HTML page: stable div id, and the record in its head (if any)."""
    return html_page(page, placeholder, None if record is None else html_tags(encode(record)))
