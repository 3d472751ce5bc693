"""Animation writers: each takes rendered PNG frames one at a time and writes a file.

GIF, MP4/WebM and frame directories stream (memory does not grow with frame count).
Animated WebP and APNG go through Pillow's encoders, which need every frame at once.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from ..errors import MissingDependencyError
from ._metadata import encode, ffmpeg_params, gif_comment, png_with_text, xmp_packet


def _decode(png: bytes) -> Image.Image:
    with Image.open(io.BytesIO(png)) as img:
        return img.convert("RGB")


def _decode_rgbx(png: bytes) -> Image.Image:
    """PNG bytes as an RGB or RGBA image, whichever needs no conversion (alpha is unused)."""
    img = Image.open(io.BytesIO(png))
    img.load()
    return img if img.mode in ("RGB", "RGBA") else img.convert("RGB")


def _indexed(img: Image.Image, palette: Image.Image) -> Image.Image:
    """``img.convert("RGB").quantize(palette=palette, dither=NONE)`` without the RGB copy:
    Pillow stores RGB and RGBA pixels alike, four bytes, and the lookup reads the first three."""
    out = img._new(img.im.convert("P", Image.Dither.NONE, palette.im))
    out.palette = palette.palette.copy()
    return out


class GifWriter:
    """Streaming GIF: one shared palette, no dithering, frames appended as they come.

    The palette is computed once from the first and last frames (plotly figures use few
    colours), so each frame costs one palette lookup instead of a full quantisation, and
    only the rectangle that changed since the previous frame is LZW-encoded. The palette is
    made by the first :meth:`add`, so a writer fed from a worker thread does that work there.
    """

    def __init__(self, path: Path, fps: float, loop: int, palette_from: list[bytes],
                 record: dict[str, Any] | None = None) -> None:
        self._fp: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._comment = b"" if record is None else gif_comment(encode(record))
        self._duration = round(1000 / fps)
        self._loop = loop
        self._samples: list[bytes] | None = palette_from
        self._palette: Image.Image | None = None
        self._ready: dict[bytes, Image.Image] = {}  # the samples, indexed, until added
        self._previous: Image.Image | None = None

    @staticmethod
    def _make_palette(samples: list[Image.Image]) -> Image.Image:
        width = sum(s.width for s in samples)
        sheet = Image.new("RGB", (width, max(s.height for s in samples)), "white")
        x = 0
        for s in samples:
            sheet.paste(s.convert("RGB"), (x, 0))
            x += s.width
        return sheet.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)

    def _indexed(self, png: bytes) -> Image.Image:
        if self._samples is not None:
            decoded = [_decode_rgbx(p) for p in self._samples]
            self._palette = self._make_palette(decoded)
            # the samples are frames too: each is decoded once
            self._ready = {p: _indexed(img, self._palette)
                           for p, img in zip(self._samples, decoded, strict=True)}
            self._samples = None
        frame = self._ready.pop(png, None)
        return _indexed(_decode_rgbx(png), self._palette) if frame is None else frame

    def add(self, png: bytes) -> None:
        from PIL import GifImagePlugin, ImageChops

        frame = self._indexed(png)
        if self._previous is None:
            header, _ = GifImagePlugin.getheader(frame, info={"loop": self._loop,
                                                              "duration": self._duration})
            self._fp.write(b"".join(header) + self._comment)
            box = (0, 0, *frame.size)
        else:  # only the region that changed; the rest stays from the previous frame
            box = ImageChops.difference(frame, self._previous).getbbox() or (0, 0, 1, 1)
        self._previous = frame
        for chunk in GifImagePlugin.getdata(frame.crop(box), offset=box[:2],
                                            duration=self._duration, disposal=1):
            self._fp.write(chunk)

    def close(self) -> None:
        self._fp.write(b";")  # GIF trailer
        self._fp.close()

    def abort(self) -> None:
        self._fp.close()


class PillowAnimationWriter:
    """Animated WebP or APNG through Pillow (frames are held until close)."""

    def __init__(self, path: Path, fmt: str, fps: float, loop: int,
                 record: dict[str, Any] | None = None) -> None:
        self._path, self._fmt = path, fmt
        self._text = None if record is None else encode(record)
        self._duration = round(1000 / fps)
        self._loop = loop
        self._frames: list[Image.Image] = []

    def add(self, png: bytes) -> None:
        self._frames.append(_decode(png))

    def close(self) -> None:
        first, *rest = self._frames
        webp = self._fmt == "webp"
        options: dict[str, Any] = {"lossless": True, "quality": 80, "method": 4} if webp else {}
        if webp and self._text is not None:
            options["xmp"] = xmp_packet(self._text)
        first.save(self._path, format="WEBP" if webp else "PNG", save_all=True,
                   append_images=rest, duration=self._duration, loop=self._loop, **options)
        self._frames.clear()
        if not webp and self._text is not None:
            self._path.write_bytes(png_with_text(self._path.read_bytes(), self._text))

    def abort(self) -> None:
        self._frames.clear()


class FfmpegWriter:
    """MP4 (H.264) or WebM (VP9) through imageio-ffmpeg, streamed frame by frame."""

    CODECS = {"mp4": ("libx264", ["-crf", "18", "-preset", "veryfast"]),
              "webm": ("libvpx-vp9", ["-crf", "32", "-b:v", "0", "-deadline", "realtime",
                                      "-cpu-used", "8", "-row-mt", "1"])}

    def __init__(self, path: Path, fmt: str, fps: float,
                 record: dict[str, Any] | None = None) -> None:
        self._params = ffmpeg_params(record)
        try:
            import imageio_ffmpeg
        except ImportError as err:
            raise MissingDependencyError(
                f"Writing {fmt.upper()} needs imageio-ffmpeg, which is not installed.\n"
                "Install it with `pip install 'vizwidget[mp4]'`, or export a .gif instead."
            ) from err
        self._ffmpeg = imageio_ffmpeg
        self._path, self._fmt, self._fps = path, fmt, fps
        self._gen = None

    def add(self, png: bytes) -> None:
        frame = _decode(png)
        if self._gen is None:
            codec, params = self.CODECS[self._fmt]
            size = (frame.width - frame.width % 2, frame.height - frame.height % 2)
            self._size = size
            self._gen = self._ffmpeg.write_frames(
                str(self._path), size, fps=self._fps, codec=codec, pix_fmt_out="yuv420p",
                macro_block_size=2, output_params=[*params, *self._params, "-f", self._fmt],
                ffmpeg_log_level="error",
            )
            self._gen.send(None)
        if frame.size != self._size:
            frame = frame.crop((0, 0, *self._size))
        self._gen.send(frame.tobytes())

    def close(self) -> None:
        if self._gen is not None:
            self._gen.close()

    def abort(self) -> None:
        if self._gen is not None:
            self._gen.close()


class FrameDirWriter:
    """One PNG per frame in a directory: ``frame_0000_epoch_100.png``."""

    def __init__(self, path: Path, epochs: list[int]) -> None:
        self._path = path
        self._names = iter(f"frame_{i:04d}_epoch_{e}.png" for i, e in enumerate(epochs))

    def add(self, png: bytes) -> None:
        (self._path / next(self._names)).write_bytes(png)

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass
