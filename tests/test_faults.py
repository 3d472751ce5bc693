"""Bad input, as a hostile but realistic user gives it: a clear error, and no file harmed.

Every case asserts: the exception is a VizWidgetError subclass whose message names the problem
(first line) and the fix (second line); no partial or temporary file is left; a file already at
the output path is byte-identical afterwards. CLI cases: exit code 2 for usage, 1 for failure,
one line on stderr, no traceback.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import vizwidget
from vizwidget import errors as E
from vizwidget.batch import export_batch
from vizwidget.runs import ArtifactLoader, clear_cache
from vizwidget.widget import ExportWidget

pytestmark = pytest.mark.browser
OLD = b"an older file that must survive"
FIG = go.Figure(go.Scatter(y=[1, 3, 2]))
SCRIPT = Path(sys.executable).with_name("vizwidget")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A small variant with one analyzer, ``curve``, at epochs 0, 10, 20."""
    folder = curve_dir(tmp_path_factory, "faults")
    for e in (0, 10, 20):
        np.savez(folder / f"epoch_{e}.npz", y=np.linspace(0, 1, 5) * (e + 1))
    return folder.parent.parent


def curve_dir(tmp_path_factory, name: str) -> Path:
    """``{tmp}/run/artifacts/curve``, created."""
    folder = tmp_path_factory.mktemp(name) / "run" / "artifacts" / "curve"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="module")
def zlib_broken(tmp_path_factory):
    """A savez_compressed file whose deflate stream is damaged (zip directory intact)."""
    folder = curve_dir(tmp_path_factory, "zlib")
    np.savez_compressed(folder / "epoch_0.npz", y=np.arange(4000.0))
    raw = bytearray((folder / "epoch_0.npz").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        info = z.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + 60):
        raw[i] ^= 0x5A
    (folder / "epoch_0.npz").write_bytes(bytes(raw))
    return folder.parent.parent


@pytest.fixture(scope="module")
def pickled(tmp_path_factory):
    folder = curve_dir(tmp_path_factory, "pickle")
    np.savez(folder / "epoch_0.npz", y=np.array([{"evil": 1}], dtype=object))
    return folder.parent.parent


def curve(data, epoch):
    return go.Figure(go.Scatter(y=data["y"]))


def boom(data, epoch):
    raise RuntimeError("renderer exploded")


def junk(data, epoch):
    return {"data": "junk"}


def long_name(d):
    return d / ("x" * 300 + ".png")


# (id, call(out_dir, target, fixtures) -> anything, error class, problem regex)
CASES = [
    ("width-zero", lambda d, t, f: vizwidget.export_figure(FIG, t, width=0), E.SizeError, "width"),
    ("width-negative", lambda d, t, f: vizwidget.export_figure(FIG, t, width=-5), E.SizeError,
     "width"),
    ("width-float", lambda d, t, f: vizwidget.export_figure(FIG, t, width=1.5), E.SizeError,
     "integer"),
    ("height-text", lambda d, t, f: vizwidget.export_figure(FIG, t, height="800"), E.SizeError,
     "height"),
    ("scale-zero", lambda d, t, f: vizwidget.export_figure(FIG, t, scale=0), E.SizeError, "scale"),
    ("scale-inf", lambda d, t, f: vizwidget.export_figure(FIG, t, scale=math.inf), E.SizeError,
     "finite"),
    ("scale-nan", lambda d, t, f: vizwidget.export_figure(FIG, t, scale=math.nan), E.SizeError,
     "finite"),
    ("scale-bool", lambda d, t, f: vizwidget.export_figure(FIG, t, scale=True), E.SizeError,
     "scale"),
    ("png-too-big", lambda d, t, f: vizwidget.export_figure(FIG, t, width=20000, height=20000,
                                                          scale=1), E.SizeError, "larger"),
    ("jpeg-too-big", lambda d, t, f: vizwidget.export_figure(FIG, t.with_suffix(".jpg"),
                                                           width=10000, height=10000, scale=2),
     E.SizeError, "268,435,456"),
    ("webp-too-wide", lambda d, t, f: vizwidget.export_figure(FIG, t.with_suffix(".webp"),
                                                            width=17000, height=100, scale=1),
     E.SizeError, "16383"),
    ("unknown-format", lambda d, t, f: vizwidget.export_figure(FIG, t, format="bmp"),
     E.FormatError, "bmp"),
    ("suffix-disagrees", lambda d, t, f: vizwidget.export_figure(FIG, t, format="svg"),
     E.FormatError, "disagrees"),
    ("no-suffix", lambda d, t, f: vizwidget.export_figure(FIG, d / "figure"), E.FormatError,
     "no suffix"),
    ("path-is-dir", lambda d, t, f: vizwidget.export_figure(FIG, d), E.OutputPathError,
     "directory"),
    ("name-too-long", lambda d, t, f: vizwidget.export_figure(FIG, long_name(d)),
     E.OutputPathError, "at most 255"),
    ("unknown-trace", lambda d, t, f: vizwidget.export_figure(
        {"data": [{"type": "nosuchtrace"}]}, t), E.FigureError, "nosuchtrace"),
    ("data-junk", lambda d, t, f: vizwidget.export_figure({"data": "junk"}, t), E.FigureError,
     "data"),
    ("layout-junk", lambda d, t, f: vizwidget.export_figure({"layout": "junk"}, t),
     E.FigureError, "layout"),
    ("not-a-figure", lambda d, t, f: vizwidget.export_figure(42, t), E.FigureError, "int"),
    ("unknown-theme", lambda d, t, f: vizwidget.export_figure(FIG, t, theme="neon"),
     E.ThemeError, "neon"),
    ("gif-fps-tiny", lambda d, t, f: vizwidget.export_animation(
        curve, f["run"], "curve", t.with_suffix(".gif"), fps=0.001), E.SizeError, "GIF"),
    ("gif-fps-huge", lambda d, t, f: vizwidget.export_animation(
        curve, f["run"], "curve", t.with_suffix(".gif"), fps=100), E.SizeError, "50"),
    ("fps-zero", lambda d, t, f: vizwidget.export_animation(
        curve, f["run"], "curve", t.with_suffix(".gif"), fps=0), E.SizeError, "fps"),
    ("animation-suffix", lambda d, t, f: vizwidget.export_animation(
        curve, f["run"], "curve", t.with_suffix(".avi")), E.FormatError, "avi"),
    ("no-epochs", lambda d, t, f: vizwidget.export_animation(
        curve, f["run"], "curve", t.with_suffix(".gif"), epochs=[]), E.UsageError, "No epochs"),
    ("missing-epoch", lambda d, t, f: vizwidget.export_animation(
        curve, f["run"], "curve", t.with_suffix(".gif"), epochs=[0, 7]),
     E.EpochNotFoundError, "epoch 7"),
    ("missing-analyzer", lambda d, t, f: vizwidget.export_animation(
        curve, f["run"], "nope", t.with_suffix(".gif")), E.AnalyzerNotFoundError, "nope"),
    ("no-analyzer-for-function", lambda d, t, f: vizwidget.export_animation(
        curve, f["run"], None, t.with_suffix(".gif")), E.UsageError, "analyzer"),
    ("zlib-corrupt", lambda d, t, f: vizwidget.export_animation(
        curve, f["zlib"], "curve", t.with_suffix(".gif")), E.CorruptArtifactError,
     r"epoch_0\.npz"),
    ("pickle-payload", lambda d, t, f: vizwidget.export_animation(
        curve, f["pickled"], "curve", t.with_suffix(".gif")), E.CorruptArtifactError, "pickled"),
    ("torn-npz", lambda d, t, f: vizwidget.export_variant_visualization(
        f["broken"], "singular_value_spectrum", epoch=600, output_dir=d),
     E.CorruptArtifactError, r"epoch_600\.npz"),
    ("no-variant", lambda d, t, f: ArtifactLoader(d / "missing"), E.VariantNotFoundError,
     "does not exist"),
    ("unknown-visualization", lambda d, t, f: vizwidget.export_variant_visualization(
        f["demo"], "parameter_trajectory_4d", output_dir=d), E.VisualizationNotFoundError,
     "parameter_trajectory_4d"),
    ("renderer-raises", lambda d, t, f: vizwidget.export_animation(
        boom, f["run"], "curve", t.with_suffix(".gif")), E.RendererError, "exploded"),
    ("renderer-returns-junk", lambda d, t, f: vizwidget.export_animation(
        junk, f["run"], "curve", t.with_suffix(".gif")), E.RendererOutputError, "not a plotly"),
    ("snapshots-mismatch", lambda d, t, f: vizwidget.export_cross_epoch_animation(
        lambda s, e, current_epoch=None: FIG, [1], [1, 2], t.with_suffix(".gif")),
     E.UsageError, "snapshots"),
    ("batch-no-format", lambda d, t, f: export_batch(f["demo"], formats=",", output_dir=d),
     E.UsageError, "format"),
    ("batch-jobs-zero", lambda d, t, f: export_batch(f["demo"], jobs=0, output_dir=d),
     E.UsageError, "jobs"),
    ("register-bad-kind", lambda d, t, f: vizwidget.register_renderer(
        "x", kind="sometimes", analyzer="a"), E.UsageError, "sometimes"),
    ("widget-format", lambda d, t, f: setattr(ExportWidget(FIG), "format", "bmp"),
     E.FormatError, "bmp"),
    ("widget-theme", lambda d, t, f: setattr(ExportWidget(FIG), "theme", "neon"),
     E.ThemeError, "neon"),
    ("widget-animate-static", lambda d, t, f: ExportWidget(FIG, output_dir=str(d)).animate(),
     E.UsageError, "Nothing to animate"),
    ("widget-not-a-figure", lambda d, t, f: ExportWidget(42), E.FigureError, "int"),
    ("widget-watch-without-loader", lambda d, t, f: ExportWidget(curve, epochs=[1]).watch(),
     E.UsageError, "artifacts"),
    ("widget-renderer-without-epochs", lambda d, t, f: ExportWidget(curve), E.UsageError,
     "needs epochs"),
    ("widget-export-junk", lambda d, t, f: ExportWidget(junk, epochs=[1], output_dir=str(d),
                                                        name="fig").export(),
     E.FigureError, "not a plotly"),
]


@pytest.fixture(scope="module")
def fixtures(run, zlib_broken, pickled, broken_variant, demo_variant):
    return {"run": run, "zlib": zlib_broken, "pickled": pickled, "broken": broken_variant,
            "demo": demo_variant}


def test_the_suite_is_large():
    assert len(CASES) + len(CLI_CASES) >= 40


@pytest.mark.parametrize(("call", "error", "problem"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_error_and_harms_no_file(call, error, problem, fixtures, tmp_path,
                                                      scratch_registry):
    clear_cache()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "fig.png"
    target.write_bytes(OLD)
    for suffix in (".gif", ".jpg", ".webp"):
        target.with_suffix(suffix).write_bytes(OLD)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(error) as info:
        call(out, target, fixtures)
    err = info.value
    assert isinstance(err, E.VizWidgetError)
    lines = str(err).splitlines()
    assert len(lines) == 2 and all(line.strip() for line in lines), str(err)
    assert __import__("re").search(problem, lines[0]), lines[0]
    assert "allow_pickle" not in str(err)
    assert sorted(p.name for p in out.iterdir()) == before  # nothing new, nothing partial
    for p in out.iterdir():
        assert p.read_bytes() == OLD


def cli(*args, timeout=180):
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "COLUMNS": "100"})


CLI_CASES = [
    ("set-not-json", ["export", "{demo}", "training_curves", "--set", "log_y={{bad"], 2, "JSON"),
    ("set-wrong-type", ["export", "{demo}", "training_curves", "--set", "log_y=[1,2]"], 2,
     "takes bool"),
    ("set-unknown", ["export", "{demo}", "training_curves", "--set", "nosuch=1"], 2, "nosuch"),
    ("unknown-vis", ["export", "{demo}", "nope"], 2, "nope"),
    ("bad-format", ["export", "{demo}", "training_curves", "--format", "bmp"], 2, "bmp"),
    ("batch-no-format", ["batch", "{demo}", "--formats", ","], 2, "No format"),
    ("gif-fps", ["animate", "{demo}", "training_curves", "--fps", "0.001", "--out",
                 "{out}/a.gif"], 2, "GIF"),
    ("torn-artifact", ["export", "{broken}", "singular_value_spectrum", "--epoch", "600"], 1,
     r"epoch_600\.npz"),
    ("no-variant", ["export", "{out}/missing", "training_curves"], 2, "does not exist"),
    ("too-big", ["export", "{demo}", "training_curves", "--width", "20000", "--height",
                 "20000", "--scale", "1"], 2, "larger"),
    ("bad-epochs", ["animate", "{demo}", "training_curves", "--epochs", "5:1:0"], 2, "epochs"),
    ("cli-wording", ["export", "{demo}", "training_curves", "--out", "{blocked}"], 2, "--out"),
]


@pytest.mark.parametrize(("args", "code", "problem"), [c[1:] for c in CLI_CASES],
                         ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input_exits_with_one_line(args, code, problem, fixtures, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_bytes(OLD)
    names = {"demo": fixtures["demo"], "broken": fixtures["broken"], "out": tmp_path,
             "blocked": blocked / "sub"}
    proc = cli(*[a.format(**names) for a in args])
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert __import__("re").search(problem, proc.stderr), proc.stderr
    assert blocked.read_bytes() == OLD
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("name", ["../../../escaped", "/tmp/elsewhere/escaped", "a/../../b",
                                  "..", "x" * 400])
def test_widget_names_cannot_leave_the_output_dir(name, tmp_path):
    out = tmp_path / "wdir" / "a" / "b" / "c"
    w = ExportWidget(FIG, output_dir=str(out), name=name)
    written = [w.export()]
    w2 = ExportWidget(lambda data, epoch: go.Figure(go.Scatter(y=[0, epoch])), epochs=[1, 2],
                      output_dir=str(out))
    w2.name = name
    written += [w2.export(), w2.animate("gif")]
    for path in written:
        assert path.parent == out.resolve() and path.is_file()
    escaped = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != out.resolve()]
    assert escaped == []
    assert not Path("/tmp/elsewhere/escaped.png").exists()
