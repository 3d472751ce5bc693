"""Hostile provenance records and files: a clear ProvenanceError, nothing run, nothing written.

A record is data. Each case feeds a crafted file and asserts the error class, that its
message names the file or the refused value, that no marker file (the side effect an exploit
would have) and no output appear, and that reading stays bounded in time and memory.
"""

from __future__ import annotations

import html
import io
import json
import os
import shutil
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import vizwidget
from vizwidget import cli
from vizwidget.errors import ProvenanceError, VizWidgetError
from vizwidget.provenance import renderer_name, run_of
from vizwidget.registry import register_renderer

pytestmark = pytest.mark.timeout(20)
MARKER = "pwned"


def hostile_curve(data, epoch):
    return go.Figure(go.Scatter(y=np.asarray(data["y"]).tolist()))


RENDERER = renderer_name(hostile_curve)


@pytest.fixture(autouse=True)
def _registered(scratch_registry):
    """``hostile_curve`` registered for each test only (other modules never see it)."""
    register_renderer("hostile_curve", analyzer="curve")(hostile_curve)


# -- building files by hand -------------------------------------------------------------------
def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(*texts: bytes) -> bytes:
    """A 2×2 PNG with the given text chunks (already built) after IHDR."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, "PNG")
    data = buf.getvalue()
    end = 8 + 12 + struct.unpack(">I", data[8:12])[0]
    return data[:end] + b"".join(texts) + data[end:]


def itxt(text: bytes, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    return chunk(b"iTXt", b"vizwidget\0" + bytes([int(compressed)]) + b"\0\0\0" + body)


def record(**fields) -> dict:
    base = {"format": "png", "width": 40, "height": 30, "scale": 1, "theme": None,
            "versions": {}, "visualization": "hostile_curve", "renderer": RENDERER,
            "kind": "per_epoch", "analyzers": ["curve"], "epoch": 0, "epochs": [0],
            "kwargs": {}, "variant": "run", "artifacts": {}}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


def write_png(path: Path, rec: dict) -> Path:
    path.write_bytes(png(itxt(json.dumps(rec).encode())))
    return path


@pytest.fixture
def run(tmp_path) -> Path:
    """``tmp/run`` with one analyzer ``curve`` at epoch 0 and a JSON artifact a shell would run."""
    folder = tmp_path / "run" / "artifacts" / "curve"
    folder.mkdir(parents=True)
    np.savez(folder / "epoch_0.npz", y=np.arange(3.0))
    # Popen iterates a dict's keys: subprocess:check_call(data, epoch) would run this shell
    cmd = {"sh": 0, "-c": 0, f"touch {tmp_path / MARKER}": 0}
    (tmp_path / "run" / "artifacts" / "cmd").mkdir()
    (tmp_path / "run" / "artifacts" / "cmd" / "epoch_0.json").write_text(json.dumps(cmd))
    return tmp_path / "run"


def assert_refused(call, match: str, tmp_path: Path, error=ProvenanceError) -> str:
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(error, match=match) as info:
        call()
    assert isinstance(info.value, VizWidgetError)
    assert len(str(info.value).splitlines()) == 2  # what is wrong, then what to do
    assert not (tmp_path / MARKER).exists()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    return str(info.value)


# -- 1. reproduce runs only what this installation registered ---------------------------------
@pytest.mark.parametrize("renderer", ["subprocess:check_call", "os:system",
                                      "builtins:exec", "shutil:rmtree"])
def test_security_recorded_renderer_is_never_imported(run, tmp_path, renderer):
    path = write_png(tmp_path / "fig.png", record(
        visualization="not_registered_anywhere", renderer=renderer, analyzers=["cmd"]))
    message = assert_refused(lambda: vizwidget.reproduce(path), "not_registered_anywhere",
                             tmp_path)
    assert "register_renderer" in message and "vizwidget.renderers" in message


@pytest.mark.parametrize("name", [None, 7, "", ["hostile_curve"]])
def test_security_visualization_name_must_be_a_registered_string(run, tmp_path, name):
    path = write_png(tmp_path / "fig.png", record(visualization=name, renderer="os:system"))
    assert_refused(lambda: vizwidget.reproduce(path), "not registered", tmp_path)


def test_security_registered_name_with_another_renderer_is_refused(run, tmp_path):
    path = write_png(tmp_path / "fig.png", record(renderer="subprocess:check_call",
                                                  analyzers=["cmd"]))
    message = assert_refused(lambda: vizwidget.reproduce(path), "subprocess:check_call",
                             tmp_path)
    assert RENDERER in message


def test_security_cli_reproduce_refuses_an_unregistered_renderer(run, tmp_path, capsys):
    path = write_png(tmp_path / "fig.png", record(visualization="evil", renderer="os:system"))
    code = cli.main(["reproduce", str(path), "--out", str(tmp_path / "again.png")])
    err = capsys.readouterr().err
    assert code == 1 and "evil" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / MARKER).exists() and not (tmp_path / "again.png").exists()


@pytest.mark.parametrize(("field", "value"), [
    ("analyzers", ["../../etc"]), ("analyzers", ["a/b"]), ("kind", "shell"),
    ("kwargs", ["not", "a", "dict"]), ("epoch", "0; rm -rf /"), ("width", ...),
    ("kwargs", {"shell": True}), ("kwargs", {"output_path": "/tmp/x"}),
    ("kwargs", {"progress": True}),
    ("scale", "2"),
])
def test_malformed_replay_fields_are_refused(run, tmp_path, field, value):
    path = write_png(tmp_path / "fig.png", record(**{field: value}))
    assert_refused(lambda: vizwidget.reproduce(path), f"{field!r}|option", tmp_path)


# -- 2. paths in records stay in their run ----------------------------------------------------
@pytest.mark.parametrize(("variant", "why"), [
    ("/", "absolute"), ("/etc", "absolute"), ("C:/Windows", "absolute"), ("\\\\host\\share",
                                                                          "backslash"),
    ("..", "not a run folder"), ("../../../../../../../../", "root|not a run"),
    ("nowhere", "does not exist"), ("", "non-empty"), (None, "non-empty"), (3, "non-empty"),
])
def test_security_variant_outside_a_run_is_refused(run, tmp_path, variant, why):
    # two levels down: ".." is a folder of this test only (a parent may hold other runs)
    (tmp_path / "figs" / "deep").mkdir(parents=True)
    path = write_png(tmp_path / "figs" / "deep" / "fig.png", record(variant=variant))
    message = assert_refused(lambda: vizwidget.reproduce(path), why, tmp_path)
    assert "fig.png" in message and "run=" in message


@pytest.mark.parametrize("artifact", [
    "../../etc/passwd", "/etc/passwd", "artifacts/../../outside.txt", "C:/x", "a\\..\\..\\b",
    "",
])
def test_security_artifact_paths_stay_in_the_run(run, tmp_path, artifact):
    (tmp_path / "outside.txt").write_text("secret")
    path = write_png(tmp_path / "fig.png", record(artifacts={artifact: "0" * 64}))
    assert_refused(lambda: vizwidget.reproduce(path), "artifact", tmp_path)


def test_security_artifact_symlink_out_of_the_run_is_refused(run, tmp_path):
    (tmp_path / "outside.txt").write_text("secret")
    (run / "artifacts" / "link.txt").symlink_to(tmp_path / "outside.txt")
    path = write_png(tmp_path / "fig.png", record(artifacts={"artifacts/link.txt": "0" * 64}))
    assert_refused(lambda: vizwidget.reproduce(path), "out of the run folder", tmp_path)


def test_security_artifact_hash_must_be_hex(run, tmp_path):
    path = write_png(tmp_path / "fig.png", record(
        artifacts={"artifacts/curve/epoch_0.npz": "x" * 64}))
    assert_refused(lambda: vizwidget.reproduce(path), "64 hex", tmp_path)


def test_variant_may_climb_to_a_real_run_or_be_given(run, tmp_path):
    exports = run / "exports"
    exports.mkdir()
    loader = run_of(record(variant=".."), exports / "fig.png")
    assert loader.variant_dir == run.resolve()
    moved = tmp_path / "elsewhere" / "fig.png"
    loader = run_of(record(variant="/etc"), moved, run=run)
    assert loader.variant_dir == run.resolve()


# -- 3. bounded reading -----------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.timeout(10)
def test_security_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fig.png"
    os.mkfifo(fifo)
    assert_refused(lambda: vizwidget.read_provenance(fifo), "not a regular file", tmp_path)
    assert_refused(lambda: vizwidget.reproduce(fifo), "not a regular file", tmp_path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.timeout(10)
def test_security_device_is_refused(tmp_path):
    assert_refused(lambda: vizwidget.read_provenance("/dev/zero"), "not a regular file",
                   tmp_path)


@pytest.mark.timeout(10)
def test_directory_without_a_record_is_refused(tmp_path):
    (tmp_path / "frames").mkdir()
    assert_refused(lambda: vizwidget.read_provenance(tmp_path / "frames"),
                   "no vizwidget provenance record", tmp_path)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "outside"])
def test_security_frames_sidecar_must_be_a_plain_file(tmp_path, target):
    frames = tmp_path / "frames"
    frames.mkdir()
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
        target = tmp_path / "fifo"
    elif target == "outside":
        (tmp_path / "outside.json").write_text('{"format": "png"}')
        target = tmp_path / "outside.json"
    (frames / "provenance.json").symlink_to(target)
    assert_refused(lambda: vizwidget.read_provenance(frames), "not a regular file", tmp_path)


@pytest.mark.timeout(60)
def test_security_deflate_bomb_costs_no_memory(tmp_path):
    squeeze = zlib.compressobj(9)
    block = b" " * (1 << 20)
    bomb = squeeze.compress(b'{"format":"png","pad":"') + b"".join(
        squeeze.compress(block) for _ in range(300)) + squeeze.compress(b'"}') + squeeze.flush()
    path = tmp_path / "bomb.png"
    path.write_bytes(png(chunk(b"iTXt", b"vizwidget\0\1\0\0\0" + bomb)))
    assert path.stat().st_size < 2 << 20  # 300 MB of text in a small file
    tracemalloc.start()
    try:
        assert_refused(lambda: vizwidget.read_provenance(path), "larger than 1,048,576",
                       tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 24 << 20


@pytest.mark.timeout(30)
def test_huge_file_is_scanned_without_reading_it_into_memory(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as fp:
        fp.write(b'{"data":"')
        fp.truncate(64 << 20)  # sparse: 64 MiB of NUL bytes inside one string
        fp.seek(0, 2)
        fp.write(b'","vizwidget":{"format":"json","n":1}}')
    tracemalloc.start()
    try:
        assert vizwidget.read_provenance(path) == {"format": "json", "n": 1}
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


@pytest.mark.timeout(10)
def test_file_larger_than_the_scan_limit_is_refused(tmp_path):
    path = tmp_path / "huge.png"
    with open(path, "wb") as fp:
        fp.truncate((512 << 20) + 1)
    assert_refused(lambda: vizwidget.read_provenance(path), "too large to scan", tmp_path)


CSV = "# vizwidget: {}\nepoch,loss\n"
MALFORMED = [
    ("bad-deflate", lambda: png(chunk(b"iTXt", b"vizwidget\0\1\0\0\0not deflate")), "damaged"),
    ("bad-crc", lambda: png(itxt(b'{"format":"png"}')[:-1] + b"\0"), "CRC"),
    ("bad-json", lambda: png(itxt(b'{"format": png')), "not JSON"),
    ("deep", lambda: CSV.format("[" * 100_000).encode(), "nested too deeply"),
    ("deep-but-parseable", lambda: CSV.format(
        '{"format":"csv","x":' + "[" * 100 + "]" * 100 + "}").encode(), "deeper than 64"),
    ("list", lambda: png(itxt(b'[{"format":"png"}]')), "JSON list"),
    ("missing-format", lambda: png(itxt(b'{"width": 1}')), "'format'"),
    ("nan", lambda: CSV.format('{"format":"csv","x":NaN}').encode(), "NaN"),
    ("huge-int", lambda: CSV.format('{"format":"csv","x":' + "9" * 5000 + "}").encode(),
     "not JSON"),
    ("too-long", lambda: CSV.format('{"format":"csv","x":"' + "a" * (1 << 20) + '"}').encode(),
     "larger than"),
    ("not-utf8", lambda: CSV.format('{"format":"csv","x":"\udcff"}').encode(
        "utf-8", "surrogateescape"), "UTF-8"),
    ("truncated-png", lambda: png(itxt(b'{"format":"png"}'))[:60], "truncated|malformed"),
]


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("case", "build", "match"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_records_are_provenance_errors(tmp_path, case, build, match):
    data = build()
    path = tmp_path / ("fig.csv" if data.startswith(b"#") else "fig.png")
    path.write_bytes(data)
    message = assert_refused(lambda: vizwidget.read_provenance(path), match, tmp_path)
    assert str(path) in message


def gif(*comments: bytes) -> bytes:
    def blocks(data: bytes) -> bytes:
        return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255]
                        for i in range(0, len(data), 255)) + b"\0"

    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02" + blocks(b"\x44\x01")
    head = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    return head + b"".join(b"\x21\xfe" + blocks(c) for c in comments) + image + b"\x3b"


def jpeg(*comments: bytes) -> bytes:
    segments = b"".join(b"\xff\xfe" + struct.pack(">H", len(c) + 2) + c for c in comments)
    return b"\xff\xd8" + segments + b"\xff\xda\0\2\xff\xd9"


REC = json.dumps({"format": "x", "note": "first"}).encode()
SPOOF = json.dumps({"format": "x", "note": "second"}).encode()


def svg(*records: bytes) -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg">' + b"".join(
        b'<metadata class="vizwidget-provenance">%s</metadata>' % r for r in records) + b"</svg>"


def page(*records: bytes) -> bytes:
    return b"<!DOCTYPE html><html><head>" + b"".join(
        b'<script type="application/json" id="vizwidget-provenance">%s</script>' % r
        for r in records) + b"</head></html>"


def pdf(*records: bytes) -> bytes:
    return b"%PDF-1.4\n" + b"".join(b"%d 0 obj\n<</vizwidget (%s)>>\nendobj\n" % (i, r)
                                    for i, r in enumerate(records, 1)) + b"%%EOF\n"


def json_figure(*records: bytes) -> bytes:
    return b'{"data":[]' + b"".join(b',"vizwidget":' + r for r in records) + b"}"


def webp(*records: bytes) -> bytes:
    def riff(kind: bytes, body: bytes) -> bytes:
        return kind + struct.pack("<I", len(body)) + body + b"\0" * (len(body) % 2)

    xmp = b"".join(riff(b"XMP ", b'<x vizwidget:provenance="%s"/>' % r.replace(b'"', b"&quot;"))
                   for r in records)
    body = b"WEBP" + riff(b"VP8X", b"\4" + b"\0" * 9) + xmp
    return b"RIFF" + struct.pack("<I", len(body)) + body


def csv(*records: bytes) -> bytes:
    return b"".join(b"# vizwidget: " + r + b"\n" for r in records) + b"epoch\n1\n"


# (name, suffix, the file with one record, the file with a second record as well)
TWO = [
    ("png", "png", png(itxt(REC)), png(itxt(REC), itxt(SPOOF, compressed=True))),
    ("png-text", "png", png(itxt(REC)),
     png(itxt(REC), chunk(b"tEXt", b"vizwidget\0" + SPOOF))),
    ("jpeg", "jpg", jpeg(b"vizwidget: " + REC),
     jpeg(b"vizwidget: " + REC, b"vizwidget: " + SPOOF)),
    ("gif", "gif", gif(REC), gif(REC, SPOOF)),
    ("webp", "webp", webp(REC), webp(REC, SPOOF)),
    ("svg", "svg", svg(REC), svg(REC, SPOOF)),
    ("html", "html", page(REC), page(REC, SPOOF)),
    ("pdf", "pdf", pdf(REC), pdf(REC, SPOOF)),
    ("pdf-hex", "pdf", pdf(REC), pdf(REC).replace(b"%%EOF", b"3 0 obj\n<</vizwidget <"
                                                   + SPOOF.hex().encode() + b">>>\n%%EOF")),
    ("html-meta", "html", page(REC), page(REC).replace(
        b"<head>", b'<head><meta name="vizwidget-provenance" content="%s">' % html.escape(
            SPOOF.decode()).encode())),
    ("json", "json", json_figure(REC), json_figure(REC, SPOOF)),
    ("csv", "csv", csv(REC), csv(REC, SPOOF)),
]


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("suffix", "one", "two"), [t[1:] for t in TWO],
                         ids=[t[0] for t in TWO])
def test_security_a_second_record_is_refused(tmp_path, suffix, one, two):
    path = tmp_path / f"fig.{suffix}"
    path.write_bytes(one)
    assert vizwidget.read_provenance(path)["note"] == "first"
    path.write_bytes(two)
    assert_refused(lambda: vizwidget.read_provenance(path), "2 records|second line|differ",
                   tmp_path)


@pytest.mark.timeout(10)
def test_frames_sidecar_rules(tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    sidecar = frames / "provenance.json"
    sidecar.write_text(json.dumps({"format": "png", "frames": [1]}))
    assert vizwidget.read_provenance(frames)["frames"] == [1]
    sidecar.write_text("[" * 100_000)
    assert_refused(lambda: vizwidget.read_provenance(frames), "nested too deeply", tmp_path)
    sidecar.write_text(" " * (2 << 20))
    assert_refused(lambda: vizwidget.read_provenance(frames), "too large", tmp_path)


# -- end to end: a real export from a run reproduces, a moved one with run= -----------------
@pytest.mark.browser
@pytest.mark.timeout(300)
def test_reproduce_from_exports_folder_and_with_run_given(run, tmp_path):
    from vizwidget.verbs import export_variant_visualization

    path = export_variant_visualization(run, "hostile_curve", epoch=0, format="svg",
                                        output_dir=run / "exports", width=200, height=150,
                                        scale=1)
    assert vizwidget.read_provenance(path)["variant"] == ".."
    assert vizwidget.reproduce(path).read_bytes() == path.read_bytes()
    moved = tmp_path / "moved" / path.name
    moved.parent.mkdir()
    shutil.move(path, moved)
    again = vizwidget.reproduce(moved, tmp_path / "again.svg", run=run)
    assert again == tmp_path / "again.svg"
    assert vizwidget.read_provenance(again)["artifacts"] == \
        vizwidget.read_provenance(moved)["artifacts"]
    with pytest.raises(ProvenanceError, match="not a run folder"):  # "..": no run there
        vizwidget.reproduce(moved, tmp_path / "third.svg")
