"""Deterministic bytes: plotly.js's random SVG ids, the HTML div id and Chromium's PDF dates."""

from __future__ import annotations

import hashlib
import os
import re
import time

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


def html_page(page: bytes, placeholder: str, tags: bytes | None = None) -> bytes:
    """The final HTML page: ``placeholder`` replaced by an id derived from the figure part,
    and ``tags`` (if any) at the end of the head, with one copy of the multi-megabyte page."""
    view = memoryview(page)
    mark = placeholder.encode()
    start = page.find(mark) if mark else -1
    end = len(page) if start < 0 else start
    tail = b""
    if start >= 0:  # plotly.js comes before the div, so the figure part is short
        digest = hashlib.sha256(view[start:]).hexdigest()[:16]
        tail = page[start:].replace(mark, f"vizwidget-{digest}".encode())
    head = page.find(b"</head>", 0, end)
    if tags is None or head < 0:
        return b"".join((view[:end], tail))
    return b"".join((view[:head], tags, view[head:end], tail))


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


def pdf_info(pdf: bytes, entry: tuple[str, str] | None = None) -> bytes:
    """Chromium's PDF with its dates removed (or set from ``$SOURCE_DATE_EPOCH``) and
    ``entry`` (key, ASCII text) added to its document info; the xref offsets are rewritten."""
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
    if entry is not None:
        new += b"\n/" + entry[0].encode() + b" " + _pdf_string(entry[1])
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
        return pdf_info(data)
    return data
