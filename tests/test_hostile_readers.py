"""Run files as hostile data: every bad file is a short error naming it, never a hang or a leak.

Files are written by the real libraries (safetensors, TensorBoard's summary writer, csv) and
then damaged or swapped for FIFOs, devices and symlinks. Each case asserts the error class, a
two-line message naming the file (what is wrong, then what to do), that nothing is written,
and a time limit (a FIFO that is opened blocks forever, so opening one fails by timeout).
The command line runs through ``python -m vizwidget``, as a user runs it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from safetensors.numpy import save_file
from tensorboard.summary import Writer

import vizwidget as vz
from vizwidget.compare import Variants
from vizwidget.errors import (
    CorruptArtifactError,
    FigureError,
    NotAVariantError,
    ShapeMismatchError,
    UsageError,
    VizWidgetError,
)
from vizwidget.figures import as_figure_dict
from vizwidget.runs import ArtifactLoader, _untrusted, clear_cache

SRC = Path(vz.__file__).parents[1]


def two_lines(err: BaseException, *names: object) -> str:
    """The message, checked: two non-empty lines, the first naming every one of ``names``."""
    text = str(err)
    lines = text.splitlines()
    assert len(lines) == 2 and all(line.strip() for line in lines), text
    for name in names:
        assert str(name) in lines[0], (name, text)
    assert not isinstance(err, (UnicodeDecodeError, OverflowError)), text
    return text


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*"))


def weights(shape=(4, 3)) -> dict[str, np.ndarray]:
    return {"W_E": np.ones(shape, dtype=np.float32), "b": np.zeros(shape[1], np.float32)}


def checkpoint(run: Path, step: int) -> Path:
    folder = run / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    save_file(weights(), str(folder / "model-00001-of-00001.safetensors"))
    return folder


def write_index(folder: Path, shard: str) -> Path:
    index = folder / "model.safetensors.index.json"
    index.write_text(json.dumps({"metadata": {}, "weight_map": {"W_E": shard, "b": shard}}))
    return index


#: A watcher in its own process (a reader stuck in a C or Rust open() may hold the GIL):
#: opening a FIFO's write end without blocking succeeds only while a reader has it open, so
#: the watcher notes the path and closes it at once, and the reader sees end-of-file.
_WATCHER = """
import os, sys, threading, time
paths = []
threading.Thread(target=lambda: [paths.append(line.strip()) for line in sys.stdin],
                 daemon=True).start()
while True:
    time.sleep(0.02)
    for path in list(paths):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            continue
        print(path, flush=True)
        os.close(fd)
"""


class FifoWatch:
    """FIFOs that must never be opened for reading (a reader is noticed, then freed)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", _WATCHER], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)

    def make(self, path: Path) -> Path:
        os.mkfifo(path)
        self._proc.stdin.write(f"{path}\n")
        self._proc.stdin.flush()
        return path

    def stop(self) -> list[str]:
        """The FIFOs that were opened for reading."""
        self._proc.kill()
        out, _ = self._proc.communicate(timeout=10)
        return sorted(set(out.split()))


@pytest.fixture
def fifos():
    watch = FifoWatch()
    yield watch
    opened = watch.stop()
    assert opened == [], f"FIFO(s) opened for reading: {opened}"


@pytest.fixture
def outside(tmp_path: Path, fifos: FifoWatch) -> Path:
    """A FIFO outside the run, which no reader may open."""
    (tmp_path / "outside").mkdir()
    return fifos.make(tmp_path / "outside" / "secret.safetensors")


# -- 1. shard indexes: nothing outside the checkpoint folder, checked before any open ----------
@pytest.mark.timeout(10)
@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "other-checkpoint",
                                  "not-a-string"])
def test_security_shard_index_cannot_leave_the_checkpoint_folder(kind, tmp_path, outside):
    run = tmp_path / "run"
    folder = checkpoint(run, 10)
    checkpoint(run, 20)
    shard = {"dotdot": "../../outside/secret.safetensors", "absolute": str(outside),
             "symlink": "link.safetensors",
             "other-checkpoint": "../checkpoint-20/model-00001-of-00001.safetensors",
             "not-a-string": 7}[kind]
    if kind == "symlink":
        (folder / "link.safetensors").symlink_to(outside)
    index = folder / "model.safetensors.index.json"
    index.write_text(json.dumps({"weight_map": {"W_E": shard,
                                                "b": "model-00001-of-00001.safetensors"}}))
    before = files_under(tmp_path)
    loader = ArtifactLoader(run)
    assert loader.epochs("parameters") == [10, 20]
    with pytest.raises(CorruptArtifactError) as info:
        loader.load("parameters", 10)
    text = two_lines(info.value, index, "outside its folder")
    assert repr(shard) in text
    with pytest.raises(CorruptArtifactError):
        loader.paths("parameters", 10)
    assert files_under(tmp_path) == before


@pytest.mark.timeout(10)
def test_security_a_contained_shard_index_still_reads(tmp_path):
    folder = checkpoint(tmp_path / "run", 10)
    write_index(folder, "model-00001-of-00001.safetensors")
    data = ArtifactLoader(tmp_path / "run").load("parameters", 10)
    assert np.array_equal(data["W_E"], np.ones((4, 3)))


@pytest.mark.timeout(10)
def test_security_oversized_shard_index_is_refused(tmp_path, monkeypatch):
    folder = checkpoint(tmp_path / "run", 10)
    index = write_index(folder, "model-00001-of-00001.safetensors")
    monkeypatch.setattr("vizwidget.runs._safetensors.MAX_INDEX_BYTES", 16)
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(tmp_path / "run").load("parameters", 10)
    two_lines(info.value, index, "bytes")


@pytest.mark.timeout(10)
def test_security_fifo_checkpoint_file_is_never_opened(tmp_path, fifos):
    folder = tmp_path / "run" / "checkpoint-10"
    folder.mkdir(parents=True)
    fifos.make(folder / "model.safetensors")
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(tmp_path / "run").load("parameters", 10)
    two_lines(info.value, folder / "model.safetensors", "FIFO")


@pytest.mark.timeout(10)
def test_security_huge_safetensors_header_length_is_an_error(tmp_path):
    folder = checkpoint(tmp_path / "run", 10)
    path = folder / "model-00001-of-00001.safetensors"
    raw = bytearray(path.read_bytes())
    raw[:8] = (2**62).to_bytes(8, "little")  # a header "longer than memory"
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(tmp_path / "run").load("parameters", 10)
    two_lines(info.value, path)


@pytest.mark.timeout(10)
def test_security_layout_template_skips_fifos(tmp_path, fifos):
    ckpt = tmp_path / "run" / "ckpt"
    ckpt.mkdir(parents=True)
    np.savez(ckpt / "epoch_1.npz", y=np.arange(3.0))
    fifos.make(ckpt / "epoch_2.npz")
    loader = ArtifactLoader(tmp_path / "run", layout={"curve": "ckpt/epoch_{epoch}.npz"})
    assert loader.epochs("curve") == [1]
    assert list(loader.load("curve", 1)["y"]) == [0, 1, 2]


# -- 2. TensorBoard event files: regular files only, a bad record anywhere is named -----------
def write_events(logdir: Path, n: int = 40) -> Path:
    writer = Writer(str(logdir))
    for step in range(n):
        writer.add_scalar("loss", 1.0 / (step + 1), step=step)
    writer.close()
    return next(logdir.glob("events.out.tfevents.*"))


@pytest.mark.timeout(10)
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_security_event_file_that_is_a_fifo_or_device_does_not_block(kind, tmp_path, fifos):
    run = tmp_path / "run"
    write_events(run / "logs")
    bad = run / "logs" / "events.out.tfevents.1.bad"
    if kind == "fifo":
        fifos.make(bad)
    else:
        bad.symlink_to("/dev/zero")
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(run).metrics()
    two_lines(info.value, bad, "FIFO" if kind == "fifo" else "device")


@pytest.mark.timeout(10)
def test_directory_named_like_an_event_file_is_walked_not_read(tmp_path):
    run = tmp_path / "run"
    write_events(run / "logs", n=3)
    (run / "logs" / "events.out.tfevents.0.folder").mkdir()
    assert ArtifactLoader(run).metrics()["epoch"] == [0, 1, 2]


@pytest.mark.timeout(20)
def test_checksum_mismatch_in_the_middle_names_file_and_offset(tmp_path):
    run = tmp_path / "run"
    event = write_events(run / "logs")
    intact = ArtifactLoader(run).metrics()
    assert intact["epoch"] == list(range(40))
    raw = bytearray(event.read_bytes())
    middle = len(raw) // 2
    raw[middle] ^= 0xFF
    event.write_bytes(bytes(raw))
    clear_cache()
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(run).metrics()
    text = two_lines(info.value, event, "checksum")
    offset = int(re.search(r"at byte (\d+)", text).group(1))
    assert 0 < offset <= middle < offset + 200  # the record holding the flipped byte


@pytest.mark.timeout(20)
def test_torn_last_record_still_reads_and_intact_files_read_the_same(tmp_path):
    run = tmp_path / "run"
    event = write_events(run / "logs", n=5)
    assert ArtifactLoader(run).metrics()["epoch"] == [0, 1, 2, 3, 4]
    event.write_bytes(event.read_bytes()[:-3])  # the writer is still busy with its last record
    clear_cache()
    assert ArtifactLoader(run).metrics()["epoch"] == [0, 1, 2, 3]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("claimed", [2 ** 63, 2 ** 40])
def test_security_a_huge_record_length_is_refused_without_reading_on(tmp_path, claimed):
    run = tmp_path / "run"
    event = write_events(run / "logs", n=2000)
    raw = bytearray(event.read_bytes())
    raw[0:8] = claimed.to_bytes(8, "little")  # the first record claims to be enormous
    event.write_bytes(bytes(raw))
    clear_cache()
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(run).metrics()
    text = two_lines(info.value, event, "checksum")
    assert "at byte 0 " in text and "record length" in text


@pytest.mark.timeout(20)
def test_plain_and_quoted_csv_read_the_same(tmp_path):
    plain, quoted = tmp_path / "plain", tmp_path / "quoted"
    for folder in (plain, quoted):
        folder.mkdir()
    rows = [(e, 1.0 / (e + 1), "" if e % 2 else e * 0.5) for e in range(300)]
    (plain / "metrics.csv").write_text(
        "epoch,loss,acc\n" + "".join(f"{e},{a},{b}\n" for e, a, b in rows))
    (quoted / "metrics.csv").write_text(  # quotes and CRLF: the row-by-row reader
        '"epoch","loss","acc"\r\n' + "".join(f'"{e}","{a}","{b}"\r\n' for e, a, b in rows))
    table = ArtifactLoader(plain).metrics()
    assert table == ArtifactLoader(quoted).metrics()
    assert table["acc"][:3] == [0.0, None, 1.0] and table["epoch"] == list(range(300))


# -- 3. epoch numbers are ASCII digits --------------------------------------------------------
@pytest.mark.timeout(10)
def test_non_ascii_digits_are_not_epochs(tmp_path):
    curve = tmp_path / "run" / "artifacts" / "curve"
    curve.mkdir(parents=True)
    np.savez(curve / "epoch_3.npz", y=np.arange(2.0))
    np.savez(curve / "epoch_\u0663.npz", y=np.arange(5.0))  # ARABIC-INDIC DIGIT THREE
    folder = tmp_path / "run" / "checkpoint-\u0663"
    folder.mkdir()
    save_file(weights(), str(folder / "model.safetensors"))
    loader = ArtifactLoader(tmp_path / "run")
    assert loader.epochs("curve") == [3]  # not "two files for epoch 3"
    assert len(loader.load("curve", 3)["y"]) == 2
    assert "parameters" not in loader.analyzers()


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("name", "content"), [
    ("metrics.csv", "epoch,loss\n0,1.0\n\u0663,0.5\n"),
    ("metrics.json", json.dumps({"epoch": [0, "\u0663"], "loss": [1.0, 0.5]})),
])
def test_non_ascii_digit_epochs_in_tables_are_errors(tmp_path, name, content):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(tmp_path).metrics()
    two_lines(info.value, tmp_path / name)


# -- 4. metrics tables ------------------------------------------------------------------------
@pytest.mark.timeout(10)
@pytest.mark.parametrize("epoch", ["inf", "1e400", "nan", "-inf", ""])
def test_non_finite_csv_epochs_name_file_row_and_fix(tmp_path, epoch):
    path = tmp_path / "metrics.csv"
    path.write_text(f"epoch,loss\n0,1.0\n{epoch},0.5\n", encoding="utf-8")
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(tmp_path).metrics()
    text = two_lines(info.value, path, "line 3")
    assert "whole" in text.splitlines()[1]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("epoch", ["Infinity", "NaN", "1e400", "2.5", "true", "null"])
def test_non_finite_json_epochs_name_file_row_and_fix(tmp_path, epoch):
    path = tmp_path / "metrics.json"
    path.write_text('{"epoch": [0, ' + epoch + '], "loss": [1.0, 0.5]}', encoding="utf-8")
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(tmp_path).metrics()
    two_lines(info.value, path, "row 1")


@pytest.mark.timeout(10)
def test_csv_with_a_byte_order_mark_reads(tmp_path):
    (tmp_path / "metrics.csv").write_text("epoch,loss\n0,1.0\n1,0.5\n", encoding="utf-8-sig")
    assert (tmp_path / "metrics.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert ArtifactLoader(tmp_path).metrics() == {"epoch": [0, 1], "loss": [1.0, 0.5]}


@pytest.mark.timeout(10)
@pytest.mark.parametrize("name", ["metrics.csv", "metrics.json", "config.json"])
def test_security_oversized_tables_are_refused(tmp_path, monkeypatch, name):
    path = tmp_path / name
    path.write_text("epoch,loss\n" + "0,1.0\n" * 50 if name.endswith("csv")
                    else json.dumps({"epoch": list(range(50)), "loss": [1.0] * 50}))
    monkeypatch.setattr(_untrusted, "MAX_TABLE_BYTES", 64)
    loader = ArtifactLoader(tmp_path)
    with pytest.raises(CorruptArtifactError) as info:
        loader.config() if name == "config.json" else loader.metrics()
    two_lines(info.value, path, "bytes")


@pytest.mark.timeout(10)
def test_security_deeply_nested_json_is_a_corrupt_file(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CorruptArtifactError) as info:
        ArtifactLoader(tmp_path).metrics()
    two_lines(info.value, path)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("source", ["csv", "tensorboard"])
def test_missing_metrics_epoch_names_the_file_read(tmp_path, source):
    if source == "csv":
        (tmp_path / "metrics.csv").write_text("epoch,loss\n0,1.0\n")
        read = tmp_path / "metrics.csv"
    else:
        read = write_events(tmp_path / "logs", n=1)
    with pytest.raises(vz.errors.EpochNotFoundError) as info:
        ArtifactLoader(tmp_path).load("metrics", 7)
    text = two_lines(info.value, read)
    assert "metrics.json" not in text


# -- 5. label templates -----------------------------------------------------------------------
@pytest.fixture
def two_runs(tmp_path: Path) -> list[Path]:
    runs = []
    for seed in (0, 1):
        run = tmp_path / f"run{seed}"
        run.mkdir()
        (run / "config.json").write_text(json.dumps({"lr": 0.001, "seed": seed,
                                                     "cfg": [1, 2]}))
        runs.append(run)
    return runs


@pytest.mark.timeout(10)
@pytest.mark.parametrize("template", ["{lr.__class__}", "{cfg[0]}", "{seed.__init__.__globals__}",
                                      "{lr:{seed}}", "{seed:>999999999}", "{}", "{0}",
                                      "{seed!x}", "{seed"])
def test_security_label_templates_are_plain_fields(two_runs, template):
    with pytest.raises(UsageError) as info:
        Variants(two_runs, labels=template)
    two_lines(info.value, repr(template))


@pytest.mark.timeout(10)
def test_plain_label_templates_still_work(two_runs):
    assert Variants(two_runs, labels="s{seed}-{lr:.0e}-{name!s}").labels == [
        "s0-1e-03-run0", "s1-1e-03-run1"]


# -- 6. typed arrays --------------------------------------------------------------------------
BAD_ARRAYS = {
    "bad-base64": {"dtype": "f8", "bdata": "not base64!"},
    "bad-dtype": {"dtype": "f16", "bdata": "AAAAAAAAAAA="},
    "bad-length": {"dtype": "f8", "bdata": "AAAA"},
    "bad-shape": {"dtype": "f8", "bdata": "AAAAAAAAAAA=", "shape": "2,3"},
    "junk-shape": {"dtype": "f8", "bdata": "AAAAAAAAAAA=", "shape": "x,y"},
    "not-text": {"dtype": "f8", "bdata": 12},
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", list(BAD_ARRAYS))
def test_malformed_typed_arrays_name_the_trace_and_key(kind, tmp_path):
    fig = {"data": [{"type": "scatter", "y": [1, 2]},
                    {"type": "scatter", "y": [1.0], "marker": {"color": BAD_ARRAYS[kind]}}]}
    with pytest.raises(FigureError) as info:
        as_figure_dict(fig)
    two_lines(info.value, "data[1].marker.color")
    target = tmp_path / "fig.json"
    with pytest.raises(FigureError):
        vz.export_figure(fig, target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.timeout(10)
def test_typed_arrays_plotly_writes_still_decode():
    fig = json.loads(go.Figure(go.Heatmap(z=np.arange(6.0).reshape(2, 3))).to_json())
    assert as_figure_dict(fig) is fig
    from vizwidget.figures import typed_array

    assert typed_array(fig["data"][0]["z"]).tolist() == [[0, 1, 2], [3, 4, 5]]


# -- 7. columns -------------------------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize("columns", [0, -1, True, 2.5])
def test_columns_must_be_a_positive_integer(demo_variant, tmp_path, columns):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UsageError) as info:
        vz.export_comparison([demo_variant], "flatness_distribution",
                             out / "grid.json", layout="small_multiples", columns=columns)
    two_lines(info.value, "columns")
    assert list(out.iterdir()) == []


@pytest.mark.timeout(60)
def test_dashboard_columns_zero_is_a_usage_error(demo_variant):
    from vizwidget.widget import Dashboard

    with pytest.raises(UsageError) as info:
        Dashboard([demo_variant], ["training_curves"], columns=0)
    two_lines(info.value, "columns=0")


# -- 8. joint PCA over a run whose shapes change ----------------------------------------------
@pytest.mark.timeout(60)
def test_joint_pca_names_the_array_and_epoch_whose_shape_changed(tmp_path):
    runs = []
    for seed in (0, 1):
        folder = tmp_path / f"run{seed}" / "artifacts" / "parameters"
        folder.mkdir(parents=True)
        for epoch in (0, 10, 20):
            shape = (5, 3) if seed == 1 and epoch == 20 else (4, 3)
            np.savez(folder / f"epoch_{epoch}.npz", W_E=np.full(shape, epoch + seed, float))
        runs.append(folder.parent.parent)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises((ShapeMismatchError, vz.errors.InconsistentSnapshotsError)) as info:
        vz.export_comparison(runs, "parameter_trajectory_2d", out / "joint.json",
                             layout="joint")
    two_lines(info.value, "W_E", "20")
    assert list(out.iterdir()) == []


# -- 9. the command line, as a user runs it ---------------------------------------------------
def cli(*args: object, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "vizwidget", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.timeout(60)
def test_closed_pipe_exits_quietly(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "vizwidget", "list", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader is gone before the first line (`| head -c0`)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=50) == 0, err
    assert err == ""


@pytest.mark.timeout(60)
def test_closed_pipe_after_one_byte_exits_quietly():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    shell = f"{sys.executable} -m vizwidget list --json | head -c1; exit ${{PIPESTATUS[0]}}"
    proc = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, env=env,
                          timeout=50)
    assert proc.returncode == 0 and proc.stdout == "{" and proc.stderr == "", proc.stderr


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("args", "problem"), [
    (["list", "{missing}"], "does not exist"),
    (["list", "{empty}"], "empty folder"),
    (["list", "{junk}"], "does not look like a variant directory"),
    (["export", "{empty}", "training_curves"], "empty folder"),
    (["batch", "{junk}", "--out", "{out}"], "does not look like a variant directory"),
    (["compare", "{empty}", "{junk}", "--vis", "flatness"], "empty folder"),
    (["evals", "{empty}", "--out", "{out}"], "empty folder"),
    (["evals", "{notes}", "--out", "{out}"], "notes.txt"),
    (["evals", "{junk}", "--out", "{out}"], "No inspect-ai logs"),
    (["provenance", "{missing}"], "does not exist"),
    (["reproduce", "{missing}"], "does not exist"),
])
def test_cli_bad_inputs_are_usage_errors(tmp_path, args, problem):
    (tmp_path / "empty").mkdir()
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("not a run")
    names = {"missing": tmp_path / "missing", "empty": tmp_path / "empty",
             "junk": tmp_path / "junk", "notes": tmp_path / "junk" / "notes.txt",
             "out": tmp_path / "out"}
    before = files_under(tmp_path)
    proc = cli(*[a.format(**names) for a in args])
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert problem in proc.stderr, proc.stderr
    assert files_under(tmp_path) == before


@pytest.mark.timeout(60)
def test_cli_bad_label_template_is_a_usage_error(two_runs):
    proc = cli("compare", *two_runs, "--vis", "training_curves", "--labels", "{lr.__class__}")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "{lr.__class__}" in proc.stderr, proc.stderr


def test_a_folder_of_other_files_is_not_a_variant(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(NotAVariantError) as info:
        ArtifactLoader(tmp_path)
    assert isinstance(info.value, VizWidgetError) and "notes.txt" in str(info.value)
