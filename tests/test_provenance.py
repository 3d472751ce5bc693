"""Provenance: every exported file carries its record, output is deterministic, reproduce works."""

from __future__ import annotations

import html.parser
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import vizwidget
from vizwidget.errors import ProvenanceError, ProvenanceMismatchError
from vizwidget.export import AnimationOptions, animate_frames, export_figure, figure_to_bytes
from vizwidget.verbs import export_animation, export_variant_visualization

pytestmark = pytest.mark.browser

STILL = ["png", "jpeg", "webp", "svg", "pdf", "html", "json"]
ANIMATED = ["gif", "png", "webp", "mp4", "webm", "html", ""]
VERSIONS = {"vizwidget", "plotly", "plotly.js", "kaleido", "browser"}
SMALL = {"width": 320, "height": 240, "scale": 1}


@pytest.fixture(scope="module")
def variant(demo_variant, tmp_path_factory) -> Path:
    """A private copy of the demo variant (tests modify artifacts)."""
    copy = tmp_path_factory.mktemp("prov") / "variant"
    shutil.copytree(demo_variant, copy, ignore=shutil.ignore_patterns("exports"))
    return copy


def standard_reader(path: Path, fmt: str) -> dict:
    """The record as a standard tool sees it (Pillow, pypdf, xml.etree, html.parser, json)."""
    from PIL import Image

    if fmt in ("png", "jpeg", "webp", "gif"):
        with Image.open(path) as img:
            info = dict(img.info)
            text = dict(getattr(img, "text", {}))
        if fmt == "png":
            assert text["vizwidget"] == info["vizwidget"]
            return json.loads(text["vizwidget"])
        if fmt in ("jpeg",):
            return json.loads(info["comment"].decode().removeprefix("vizwidget: "))
        if fmt == "gif":
            return json.loads(info["comment"])
        xmp = ET.fromstring(info["xmp"].decode("utf-8").split("?>", 1)[1].rsplit("<?", 1)[0])
        desc = xmp.find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
        ns = "https://github.com/vizwidget/vizwidget/ns/provenance/1.0/"
        return json.loads(desc.attrib[f"{{{ns}}}provenance"])
    if fmt == "pdf":
        import pypdf

        return json.loads(pypdf.PdfReader(path).metadata["/vizwidget"])
    if fmt == "svg":
        root = ET.parse(path).getroot()
        meta = root.find("{http://www.w3.org/2000/svg}metadata")
        return json.loads(meta.text)
    if fmt == "html":
        found = {}

        class Parser(html.parser.HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == "meta" and attrs.get("name") == "vizwidget-provenance":
                    found["meta"] = json.loads(attrs["content"])

        Parser().feed(path.read_text(encoding="utf-8"))
        return found["meta"]
    if fmt == "json":
        return json.loads(path.read_text())["vizwidget"]
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", STILL)
def test_still_export_is_deterministic_and_carries_its_record(bar_figure, tmp_path, fmt):
    a = export_figure(bar_figure, tmp_path / f"a.{fmt}", provenance={"note": "n"}, **SMALL)
    b = export_figure(bar_figure, tmp_path / f"b.{fmt}", provenance={"note": "n"}, **SMALL)
    assert a.read_bytes() == b.read_bytes()
    record = vizwidget.read_provenance(a)
    assert record["format"] == fmt and record["note"] == "n"
    assert set(record["versions"]) == VERSIONS and record["versions"]["plotly.js"]
    assert (record["width"], record["height"], record["scale"]) == (320, 240, 1)
    assert record["figure"]["data"][0]["type"] == "bar"  # small plain figure: stored
    assert standard_reader(a, fmt) == record


@pytest.mark.parametrize("fmt", STILL)
def test_no_provenance_writes_none(bar_figure, tmp_path, fmt):
    path = export_figure(bar_figure, tmp_path / f"a.{fmt}", provenance=False, **SMALL)
    with pytest.raises(ProvenanceError, match="no vizwidget provenance record"):
        vizwidget.read_provenance(path)
    assert figure_to_bytes(bar_figure, fmt, **SMALL) == path.read_bytes()


def test_svg_ids_and_pdf_dates_are_stable(bar_figure):
    svg = figure_to_bytes(bar_figure, "svg", **SMALL)
    assert b'id="vz0"' in svg and b"url(#vz" in svg
    pdf = figure_to_bytes(bar_figure, "pdf", **SMALL)
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    import pypdf

    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1


def test_source_date_epoch_adds_a_timestamp(bar_figure, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = export_figure(bar_figure, tmp_path / "a.pdf", **SMALL)
    assert vizwidget.read_provenance(path)["created"] == "2023-11-14T22:13:20Z"
    import pypdf

    assert pypdf.PdfReader(path).metadata["/CreationDate"] == "D:20231114221320+00'00'"


@pytest.mark.parametrize("suffix", ANIMATED)
def test_animations_are_deterministic_and_carry_their_record(tmp_path, suffix):
    import plotly.graph_objects as go

    def build(epoch):
        return go.Figure(go.Scatter(x=[1, 2, 3], y=[epoch, 1, 2]))

    opts = AnimationOptions(fps=4, **SMALL)
    outs = []
    for name in ("a", "b"):
        target = tmp_path / (f"{name}.{suffix}" if suffix else name)
        outs.append(animate_frames(build, [1, 2, 3], target, opts, provenance={"note": "x"}))
    a, b = outs
    if suffix:
        assert a.read_bytes() == b.read_bytes()
    else:
        assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
        assert all((a / p.name).read_bytes() == (b / p.name).read_bytes() for p in a.iterdir())
    record = vizwidget.read_provenance(a)
    assert record["note"] == "x" and record["frames"] == [1, 2, 3]
    assert record["animation"]["fps"] == 4 and set(record["versions"]) == VERSIONS
    if suffix in ("gif", "png", "webp"):
        assert standard_reader(a, suffix) == record


def test_variant_record_names_what_was_read(variant, tmp_path):
    path = export_variant_visualization(variant, "singular_value_spectrum", epoch=600,
                                        output_dir=tmp_path / "out", format="svg", **SMALL)
    record = vizwidget.read_provenance(path)
    assert record["visualization"] == "singular_value_spectrum"
    assert record["renderer"].startswith("vizwidget.renderers.")
    assert record["epoch"] == 600 and record["epochs"] == [600]
    assert record["kwargs"] and "figure" not in record
    assert record["variant"] == os.path.relpath(variant, tmp_path / "out")
    assert list(record["artifacts"]) == ["artifacts/parameters/epoch_600.npz"]
    assert len(record["artifacts"]["artifacts/parameters/epoch_600.npz"]) == 64


@pytest.mark.parametrize(("name", "kwargs"), [("singular_value_spectrum", {}),
                                              ("training_curves", {"log_y": False})])
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "html", "json"])
def test_reproduce_is_byte_identical(variant, tmp_path, name, kwargs, fmt):
    path = export_variant_visualization(variant, name, output_dir=tmp_path, format=fmt,
                                        provenance={"note": "paper fig. 2"}, **SMALL, **kwargs)
    again = vizwidget.reproduce(path)
    assert again == path.with_name(f"{path.stem}.reproduced{path.suffix}")
    assert again.read_bytes() == path.read_bytes()


def test_reproduce_an_animation_and_a_plain_figure(variant, bar_figure, tmp_path):
    path = export_animation("flatness_distribution", variant, None, tmp_path / "a.gif",
                            epochs=[300, 600], options=AnimationOptions(**SMALL))
    assert vizwidget.reproduce(path).read_bytes() == path.read_bytes()
    plain = export_figure(bar_figure, tmp_path / "bars.svg", **SMALL)
    assert vizwidget.reproduce(plain, tmp_path / "again.svg").read_bytes() == plain.read_bytes()


def test_reproduce_names_a_changed_or_missing_artifact(variant, tmp_path):
    path = export_variant_visualization(variant, "singular_value_spectrum", epoch=600,
                                        output_dir=tmp_path, format="png", **SMALL)
    artifact = variant / "artifacts" / "parameters" / "epoch_600.npz"
    original = artifact.read_bytes()
    try:
        artifact.write_bytes(original + b"\0")
        with pytest.raises(ProvenanceMismatchError, match=r"epoch_600\.npz.*changed.*sha256"):
            vizwidget.reproduce(path)
        artifact.unlink()
        with pytest.raises(ProvenanceMismatchError, match=r"epoch_600\.npz.*missing"):
            vizwidget.reproduce(path)
    finally:
        artifact.write_bytes(original)
    assert vizwidget.reproduce(path).read_bytes() == path.read_bytes()


def test_large_plain_figures_are_not_embedded(bar_figure, tmp_path, monkeypatch):
    monkeypatch.setenv("VIZWIDGET_PROVENANCE_FIGURE_LIMIT", "100")
    path = export_figure(bar_figure, tmp_path / "a.json", **SMALL)
    record = vizwidget.read_provenance(path)
    assert "figure" not in record and len(record["figure_sha256"]) == 64
    with pytest.raises(ProvenanceError, match="cannot be reproduced"):
        vizwidget.reproduce(path)


def test_json_export_stays_a_plotly_figure(bar_figure, tmp_path):
    import plotly.io as pio

    path = export_figure(bar_figure, tmp_path / "a.json", **SMALL)
    fig = pio.read_json(path)
    assert fig.data[0].type == "bar"


def test_batch_gallery_shows_each_items_provenance(variant, tmp_path):
    result = vizwidget.export_batch(variant, ["singular_value_spectrum"], "png,svg",
                                    tmp_path / "out", image=vizwidget.ImageOptions(**SMALL))
    assert result.ok
    page = result.index.read_text()
    assert "<details><summary>full provenance record</summary>" in page
    assert "artifacts/parameters/epoch_" in page
    assert "[record](index.html#item1)" in result.report.read_text()
    for written in result.written:
        assert vizwidget.read_provenance(written)["visualization"] == "singular_value_spectrum"
    off = vizwidget.export_batch(variant, ["singular_value_spectrum"], "png", tmp_path / "off",
                                 provenance=False, image=vizwidget.ImageOptions(**SMALL))
    with pytest.raises(ProvenanceError):
        vizwidget.read_provenance(off.written[0])


def test_cli_provenance_reproduce_and_no_provenance(variant, tmp_path):
    script = Path(sys.executable).with_name("vizwidget")
    env = {**os.environ, "PYTHONPATH": str(Path(vizwidget.__file__).parents[1])}

    def run(*args):
        return subprocess.run([str(script), *map(str, args)], capture_output=True, text=True,
                              env=env, timeout=300)

    proc = run("export", variant, "singular_value_spectrum", "--epoch", "600", "--out",
               tmp_path, "--format", "svg", "--width", "320", "--height", "240", "--json")
    assert proc.returncode == 0, proc.stderr
    path = Path(json.loads(proc.stdout)["written"][0])
    shown = json.loads(run("provenance", path, "--json").stdout)
    assert shown["provenance"]["epoch"] == 600
    again = json.loads(run("reproduce", path, "--out", tmp_path / "again.svg", "--json").stdout)
    assert again["identical"] is True
    assert (tmp_path / "again.svg").read_bytes() == path.read_bytes()
    proc = run("export", variant, "singular_value_spectrum", "--out", tmp_path / "off",
               "--format", "png", "--no-provenance", "--json")
    off = Path(json.loads(proc.stdout)["written"][0])
    failed = run("provenance", off)
    assert failed.returncode == 1 and "no vizwidget provenance record" in failed.stderr


def test_widget_exports_and_animations_carry_their_record(variant, bar_figure, tmp_path):
    from vizwidget.widget import ExportWidget

    w = ExportWidget.from_variant(variant, "singular_value_spectrum", output_dir=str(tmp_path),
                                  width=320, height=240, scale=1)
    w.epoch = 600
    record = vizwidget.read_provenance(w.export("png"))
    assert (record["visualization"], record["epoch"]) == ("singular_value_spectrum", 600)
    assert "artifacts/parameters/epoch_600.npz" in record["artifacts"]
    anim = vizwidget.read_provenance(w.animate("gif", epochs=[300, 600]))
    assert anim["frames"] == [300, 600] and anim["epochs"] == [300, 600]
    plain = ExportWidget(bar_figure, output_dir=str(tmp_path), width=320, height=240, scale=1)
    assert vizwidget.read_provenance(plain.export("svg"))["figure"]["data"][0]["type"] == "bar"


def test_csv_comment_line_reads_back(tmp_path):
    from vizwidget.export import provenance_comment

    path = tmp_path / "table.csv"
    path.write_text(provenance_comment({"format": "csv", "note": "é"}) + "epoch,loss\n1,2\n")
    assert vizwidget.read_provenance(path) == {"format": "csv", "note": "é"}


@pytest.mark.parametrize(("name", "suffix"), [
    *(("flatness_distribution", s) for s in ANIMATED),
    ("parameter_velocity", "gif"), ("parameter_velocity", "mp4"),
])
def test_reproduce_animations_byte_identical(variant, tmp_path, name, suffix):
    target = tmp_path / (f"anim.{suffix}" if suffix else "frames")
    path = export_animation(name, variant, None, target, epochs=[300, 600, 900],
                            options=AnimationOptions(**SMALL))
    again = vizwidget.reproduce(path)
    if suffix:
        assert again.read_bytes() == path.read_bytes()
    else:
        assert again.name == "frames_reproduced"
        assert sorted(p.name for p in again.iterdir()) == sorted(p.name for p in path.iterdir())
        assert all((again / p.name).read_bytes() == p.read_bytes() for p in path.iterdir())


def test_a_long_run_keeps_a_small_readable_record(tmp_path):
    import hashlib

    run = tmp_path / "long_run"
    run.mkdir()
    rows = "\n".join(f"{e},{1 / (e + 1):.6g}" for e in range(20_000))
    (run / "metrics.csv").write_text("epoch,train_loss\n" + rows + "\n")
    path = vizwidget.export_variant_visualization(run, "training_curves", format="json",
                                                  output_dir=tmp_path / "out")
    record = vizwidget.read_provenance(path)
    assert list(record["artifacts"]) == ["metrics.csv"]
    listed = ",".join(str(e) for e in range(20_000)).encode("ascii")
    assert record["epochs"] == {"first": 0, "last": 19_999, "count": 20_000,
                                "sha256": hashlib.sha256(listed).hexdigest()}
