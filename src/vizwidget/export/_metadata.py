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
import re
import struct
import subprocess
import time
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__, engine
from ..errors import ProvenanceError, UsageError

KEY = "vizwidget"
SIDECAR = "provenance.json"
SCHEMA = 1
#: Figures serialised larger than this (bytes) are not embedded in a record.
DEFAULT_FIGURE_LIMIT = 256 * 1024
FIGURE_LIMIT_ENV = "VIZWIDGET_PROVENANCE_FIGURE_LIMIT"
XMP_NS = "https://github.com/vizwidget/vizwidget/ns/provenance/1.0/"

Provenance = dict[str, Any] | bool | None


# -- building -----------------------------------------------------------------------------------
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


def make_record(provenance: Provenance, fmt: str, size: dict[str, Any],
                figure: dict | None = None) -> dict[str, Any] | None:
    """The record to embed, or None when ``provenance`` is False.

    ``provenance`` (True/None or a dict of what the caller knows) is completed with the
    versions, the format and ``size`` (width, height, scale, theme, animation options).
    Without a ``"variant"`` the ``figure`` itself is stored when it is small (see
    :func:`figure_limit`) so the file can be reproduced.
    """
    if provenance is False:
        return None
    if provenance is not None and provenance is not True and not isinstance(provenance, dict):
        raise UsageError(f"provenance must be True, False or a dict, got "
                         f"{type(provenance).__name__}.\n"
                         "Pass provenance={'note': ...} to add fields, or False for none.")
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


# -- deterministic output -----------------------------------------------------------------------
_SVG_ID = re.compile(rb'\bid="([^"]+)"')
_SVG_REF = re.compile(rb'(id="|url\(#|url\(&quot;#|url\(\'#|href="#)([^"\')&]+)')
_SVG_TRACE = re.compile(rb'(?<=[" ])trace([0-9a-f]{6})(?=[" ])')


_SVG_ATTR = re.compile(rb'\s+([\w:-]+)="([^"]*)"')
_ROOT_ORDER = (b"class", b"xmlns", b"xmlns:xlink", b"width", b"height", b"viewBox", b"style")


def stable_root_attributes(svg: bytes) -> bytes:
    """The root ``<svg>`` attributes in one order (a fresh page writes ``style`` first)."""
    start = svg.find(b"<svg")
    end = svg.find(b">", start)
    if start < 0 or end < 0:
        return svg
    attrs = _SVG_ATTR.findall(svg[start + 4:end])
    rank = {name: i for i, name in enumerate(_ROOT_ORDER)}
    attrs.sort(key=lambda a: rank.get(a[0], len(rank)))
    tag = b"<svg" + b"".join(b' %s="%s"' % a for a in attrs)
    return svg[:start] + tag + svg[end:]


def stable_svg_ids(svg: bytes) -> bytes:
    """Replace plotly.js's random ids (``clip3be056xy``) by ``vz0``, ``vz1``… everywhere,
    and its random trace classes (``trace9d309a``) by ``trace-vz0``…, in order of appearance."""
    mapping: dict[bytes, bytes] = {}
    for match in _SVG_ID.finditer(svg):
        mapping.setdefault(match.group(1), b"vz%d" % len(mapping))
    if mapping:
        svg = _SVG_REF.sub(lambda m: m.group(1) + mapping.get(m.group(2), m.group(2)), svg)
    traces: dict[bytes, bytes] = {}
    for match in _SVG_TRACE.finditer(svg):
        traces.setdefault(match.group(1), b"-vz%d" % len(traces))
    return _SVG_TRACE.sub(lambda m: b"trace" + traces[m.group(1)], svg) if traces else svg


def html_page(page: bytes, placeholder: str, record: dict[str, Any] | None) -> bytes:
    """The final HTML page: ``placeholder`` replaced by an id derived from the figure part,
    and the record (if any) in the head, built with one copy of the multi-megabyte page."""
    view = memoryview(page)
    mark = placeholder.encode()
    start = page.find(mark) if mark else -1
    end = len(page) if start < 0 else start
    tail = b""
    if start >= 0:  # plotly.js comes before the div, so the figure part is short
        digest = hashlib.sha256(view[start:]).hexdigest()[:16]
        tail = page[start:].replace(mark, f"vizwidget-{digest}".encode())
    head = page.find(b"</head>", 0, end)
    if record is None or head < 0:
        return b"".join((view[:end], tail))
    return b"".join((view[:head], html_tags(encode(record)), view[head:end], tail))


def _pdf_date() -> bytes | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return time.strftime("D:%Y%m%d%H%M%S+00'00'", time.gmtime(int(value))).encode()


def _pdf_string(text: str) -> bytes:
    return b"(" + (text.encode("ascii").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
                   .replace(b")", b"\\)")) + b")"


_PDF_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", re.S)
_PDF_DATE = re.compile(rb"\n?/(?:CreationDate|ModDate) \((?:[^()\\]|\\.)*\)")


def pdf_info(pdf: bytes, text: str | None) -> bytes:
    """Chromium's PDF with its dates removed (or set from ``$SOURCE_DATE_EPOCH``) and the
    record as the document-info entry ``/vizwidget``; the xref offsets are rewritten."""
    trailer = _PDF_TRAILER.search(pdf)
    info = trailer and re.search(rb"/Info (\d+) 0 R", trailer.group(1))
    obj = info and re.search(rb"(?m)^%d 0 obj\n?(<<.*?>>)\s*endobj" % int(info.group(1)), pdf,
                             re.S)
    if not obj:
        return pdf
    old = obj.group(1)
    new = _PDF_DATE.sub(b"", old)[:-2]
    date = _pdf_date()
    if date:
        new += b"\n/CreationDate (%s)\n/ModDate (%s)" % (date, date)
    if text is not None:
        new += b"\n/" + KEY.encode() + b" " + _pdf_string(text)
    new += b">>"
    start, delta = obj.start(1), len(new) - len(old)
    xref = pdf.rfind(b"\nxref\n", 0, trailer.start())
    if xref < start:
        return pdf
    table = re.sub(rb"(?m)^(\d{10}) (\d{5}) n",
                   lambda m: (b"%010d %s n" % (int(m.group(1)) + delta, m.group(2))
                              if int(m.group(1)) > start else m.group(0)),
                   pdf[xref:trailer.start()])
    tail = pdf[trailer.start():trailer.start(2)] + b"%d" % (int(trailer.group(2)) + delta)
    return pdf[:start] + new + pdf[obj.end(1):xref] + table + tail + pdf[trailer.end(2):]


def deterministic(data: bytes, fmt: str) -> bytes:
    """Still-format bytes with the renderer's random ids and dates made stable."""
    if fmt == "svg":
        return stable_svg_ids(stable_root_attributes(data))
    if fmt == "pdf":
        return pdf_info(data, None)
    return data


# -- embedding ----------------------------------------------------------------------------------
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
    script = text.replace("</", "<\\/")
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
        return pdf_info(data, text)
    if fmt == "html":
        return html_page(data, "", record)
    if fmt == "json":
        return json_with_record(data.decode("utf-8"), text).encode("utf-8")
    return data


def ffmpeg_params(record: dict[str, Any] | None) -> list[str]:
    """ffmpeg output options: bit-exact muxing, no inherited metadata, the record as comment."""
    params = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1"]
    if record is not None:
        params += ["-metadata", f"comment={encode(record)}"]
    return params


# -- reading ------------------------------------------------------------------------------------
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
