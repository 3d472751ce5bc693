"""What the browser returned: the format and pixel size of an image, read from its header."""

from __future__ import annotations

import struct

from ..errors import RenderError

_PNG = b"\x89PNG\r\n\x1a\n"
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        return width, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def image_info(data: bytes) -> tuple[str, tuple[int, int] | None]:
    """``(format, (width, height))`` of PNG, JPEG or WebP bytes; ``("unknown", None)`` else."""
    if data.startswith(_PNG) and len(data) >= 24:
        return "png", struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        return "jpeg", _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        return "webp", _webp_size(data)
    return "unknown", None


def check_image(data: bytes, fmt: str, width: int, height: int, scale: float) -> bytes:
    """``data`` when it is a ``fmt`` image of ``width*scale`` × ``height*scale`` pixels.

    Raises
    ------
    RenderError
        Otherwise (e.g. a browser past its canvas limit returns a few bytes of garbage).
    """
    expected = (round(width * scale), round(height * scale))
    found, size = image_info(data)
    if found == fmt and size is not None and all(abs(a - b) <= 1
                                                 for a, b in zip(size, expected, strict=True)):
        return data
    got = found + (f" {size[0]}×{size[1]}" if size else "")
    raise RenderError(
        f"The browser returned {len(data)} bytes that are not a {expected[0]}×{expected[1]} "
        f"{fmt} image (got {got}); nothing was written.\n"
        "Try a smaller size or scale, or export svg/pdf.")
