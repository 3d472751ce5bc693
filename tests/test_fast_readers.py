"""The streaming TensorBoard reader and the column-wise CSV reader match the reference readers."""

from __future__ import annotations

import math
import random
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from tensorboard.backend.event_processing import plugin_event_accumulator as pea
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
from tensorboard.summary import Writer
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.util import tensor_util

from vizwidget.errors import CorruptArtifactError
from vizwidget.runs import ArtifactLoader, _csv_columns, _events, _metrics, clear_cache


def accumulator_scalars(path: Path) -> dict[str, dict[int, float]]:
    """TensorBoard's own reading: {tag: {step: value}}, the later value for a repeated step."""
    acc = pea.EventAccumulator(str(path), size_guidance={pea.TENSORS: 0})
    acc.Reload()
    tags = acc.PluginTagToContent("scalars") if "scalars" in acc.ActivePlugins() else {}
    out: dict[str, dict[int, float]] = {}
    for tag in tags:
        for event in acc.Tensors(tag):
            array = tensor_util.make_ndarray(event.tensor_proto)
            if array.size == 1:
                out.setdefault(tag, {})[int(event.step)] = float(array.reshape(()))
    return out


def ours(path: Path) -> dict[str, dict[int, float]]:
    return {tag: dict(zip(steps.tolist(), values.tolist(), strict=True))
            for tag, (steps, values) in _events.read_event_scalars(path).items()}


def same(a: dict[str, dict[int, float]], b: dict[str, dict[int, float]]) -> bool:
    """Equal, NaN equal to NaN."""
    if a.keys() != b.keys() or any(a[t].keys() != b[t].keys() for t in a):
        return False
    return all(x == y or (math.isnan(x) and math.isnan(y))
               for t in a for x, y in zip(a[t].values(), b[t].values(), strict=True))


def v1_event(step: int, **values: float) -> event_pb2.Event:
    return event_pb2.Event(step=step, wall_time=1.0e9 + step, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=t, simple_value=v) for t, v in values.items()]))


def only_file(folder: Path) -> Path:
    return next(folder.glob("events.out.tfevents.*"))


# -- checksums --------------------------------------------------------------------------------
def test_batched_masked_crc_matches_tensorboards():
    rng = np.random.default_rng(0)
    for length in (0, 1, 7, 8, 52, 300):
        blobs = [rng.integers(0, 256, length, dtype=np.uint8).tobytes() for _ in range(20)]
        buf = np.frombuffer(b"".join(blobs), dtype=np.uint8)
        starts = np.arange(len(blobs)) * length
        got = _events.masked_crc32c_many(buf, starts, length).tolist()
        assert got == [masked_crc32c(b) for b in blobs]


# -- values equal TensorBoard's EventAccumulator ---------------------------------------------
@pytest.mark.timeout(60)
def test_v2_scalars_equal_the_accumulator(tmp_path):
    rng = random.Random(1)
    writer = Writer(str(tmp_path))
    for step in range(3000):
        writer.add_scalar("train/loss", rng.random() * 10 ** rng.randint(-30, 30), step=step)
        if step % 7 == 0:  # a sparse tag
            writer.add_scalar("eval/acc", rng.random(), step=step)
    writer.add_scalar("odd", math.nan, step=1)
    writer.add_scalar("odd", math.inf, step=2)
    writer.add_scalar("odd", -0.0, step=3)
    writer.add_scalar("odd", 5.0, step=3)  # a repeated step: the later value
    writer.close()
    path = only_file(tmp_path)
    expected = accumulator_scalars(path)
    assert set(expected) == {"train/loss", "eval/acc", "odd"}
    assert same(ours(path), expected)
    assert ours(path)["odd"][3] == 5.0


@pytest.mark.timeout(60)
def test_v1_simple_values_histograms_and_restarts_equal_the_accumulator(tmp_path):
    writer = EventFileWriter(str(tmp_path))
    for step in range(50):
        writer.add_event(v1_event(step, loss=1.0 / (step + 1), lr=0.1))
    histogram = summary_pb2.HistogramProto(min=0.0, max=1.0, num=2.0, sum=1.0,
                                           bucket_limit=[1.0], bucket=[2.0])
    writer.add_event(event_pb2.Event(step=5, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag="weights", histo=histogram)])))
    writer.add_event(event_pb2.Event(step=20, session_log=event_pb2.SessionLog(
        status=event_pb2.SessionLog.START)))
    writer.add_event(event_pb2.Event(step=30, session_log=event_pb2.SessionLog(
        status=event_pb2.SessionLog.START)))  # a restart at 30: later steps are orphaned
    for step in range(30, 40):
        writer.add_event(v1_event(step, loss=-float(step)))
    writer.close()
    path = only_file(tmp_path)
    expected = accumulator_scalars(path)
    got = ours(path)
    assert same(got, expected)
    assert "weights" not in got
    assert got["loss"][35] == -35.0 and max(got["lr"]) == 29  # purged after the restart


@pytest.mark.timeout(60)
def test_a_table_of_many_chunks_equals_one_read_whole(tmp_path, monkeypatch):
    writer = Writer(str(tmp_path))
    for step in range(2000):
        writer.add_scalar("a", step * 0.5, step=step)
        writer.add_scalar("b", -step * 0.25, step=2 * step)
    writer.close()
    whole = _metrics.read_tensorboard_table([only_file(tmp_path)])
    monkeypatch.setattr(_events, "CHUNK_BYTES", 97)  # records straddle every chunk boundary
    assert _metrics.read_tensorboard_table([only_file(tmp_path)]) == whole
    assert whole["epoch"] == sorted(set(range(2000)) | set(range(0, 4000, 2)))
    assert whole["a"][:3] == [0.0, 0.5, 1.0] and whole["a"][-1] is None
    assert whole["b"][1] is None and whole["b"][2] == -0.25


# -- corruption is found in the streaming pass -------------------------------------------------
def record_offsets(path: Path) -> list[int]:
    raw, offsets, pos = path.read_bytes(), [], 0
    while pos + 12 <= len(raw):
        offsets.append(pos)
        pos += 16 + struct.unpack_from("<Q", raw, pos)[0]
    return offsets


@pytest.mark.timeout(30)
@pytest.mark.parametrize("where", ["length", "length_low", "length_checksum", "data",
                                   "data_checksum"])
@pytest.mark.parametrize("chunk", [64, 8 * 1024 * 1024])
def test_each_corrupt_field_names_its_record_offset(tmp_path, monkeypatch, where, chunk):
    monkeypatch.setattr(_events, "CHUNK_BYTES", chunk)
    writer = Writer(str(tmp_path))
    for step in range(100):
        writer.add_scalar("loss", 1.0 / (step + 1), step=step)
    writer.close()
    path = only_file(tmp_path)
    offset = record_offsets(path)[60]
    length = struct.unpack_from("<Q", path.read_bytes(), offset)[0]
    flip = {"length": offset + 6, "length_low": offset, "length_checksum": offset + 9,
            "data": offset + 20, "data_checksum": offset + 12 + length + 1}[where]
    raw = bytearray(path.read_bytes())
    raw[flip] ^= 0x40
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptArtifactError) as info:
        _events.read_event_scalars(path)
    text = str(info.value)
    assert len(text.splitlines()) == 2 and str(path) in text
    assert int(re.search(r"at byte (\d+)", text).group(1)) == offset
    assert ("record length" in text) == where.startswith("length")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("cut", [1, 5, 13, 20])
def test_a_torn_tail_keeps_every_whole_record(tmp_path, monkeypatch, cut):
    monkeypatch.setattr(_events, "CHUNK_BYTES", 50)
    writer = Writer(str(tmp_path))
    for step in range(10):
        writer.add_scalar("loss", float(step), step=step)
    writer.close()
    path = only_file(tmp_path)
    last = record_offsets(path)[-1]
    path.write_bytes(path.read_bytes()[:last + cut])
    assert ours(path) == {"loss": {s: float(s) for s in range(9)}}


@pytest.mark.timeout(30)
def test_a_valid_record_that_is_not_an_event_is_corrupt(tmp_path):
    path = tmp_path / "events.out.tfevents.1.host"
    payload = b"\xff\xff\xff"
    header = struct.pack("<Q", len(payload))
    path.write_bytes(header + struct.pack("<I", masked_crc32c(header)) + payload
                     + struct.pack("<I", masked_crc32c(payload)))
    with pytest.raises(CorruptArtifactError, match="at byte 0 is not an event"):
        _events.read_event_scalars(path)


# -- CSV: the column path equals the row path -------------------------------------------------
CSV_CASES = {
    "dense": "epoch,loss,acc\n0,1.5,0.1\n1,0.75,0.2\n2,0.5,0.3\n",
    "sparse lightning rows": "epoch,step,train_loss,val_loss\n0,9,1.0,\n0,9,,2.0\n1,19,0.5,\n",
    "missing words and spaces": "step,a,b\n3, 1.25 ,none\n1,NULL,nan\n2,inf,-inf\n1,7,\n",
    "unsorted duplicate x": "epoch,x\n5,1\n2,2\n5,3\n2,\n",
    "empty column name": "epoch,,y\n0,1,2\n1,3,4\n",
    "header only": "epoch,loss\n",
    "float epochs": "epoch,y\n1.0,2\n1e1,3\n-0,4\n",
    "long floats": ("epoch,y\n0,0.1000000000000000055511151231257827\n1,1e-320\n"
                    "2,1.7976931348623157e308\n"),
}


@pytest.mark.parametrize("arrow", [True, False], ids=["pyarrow", "numpy"])
@pytest.mark.parametrize("name", sorted(CSV_CASES))
def test_csv_column_path_equals_the_row_path(tmp_path, name, arrow):
    text = CSV_CASES[name]
    path = tmp_path / "metrics.csv"
    path.write_text(text)
    fast = _metrics._csv_fast(text, arrow=arrow)
    assert fast is not None  # every case here is plain enough for the column path
    assert fast == _metrics._csv_rows(text, path)
    assert _metrics.read_csv_table(path) == fast


def test_csv_read_in_small_blocks_equals_one_block(tmp_path, monkeypatch):
    text = "epoch,a,b\n" + "".join(f"{i},{i / 7},{'' if i % 3 else -i}\n" for i in range(500))
    whole = _metrics._csv_fast(text, arrow=False)
    monkeypatch.setattr(_csv_columns.line_blocks, "__defaults__", (11,))
    assert _metrics._csv_fast(text, arrow=False) == whole
    assert whole == _metrics._csv_rows(text, tmp_path / "m.csv") == _metrics._csv_fast(text)
    assert whole["b"][:4] == [0.0, None, None, -3.0] and len(whole["epoch"]) == 500


def test_csv_merged_rows_and_missing_cells_by_value(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text(CSV_CASES["sparse lightning rows"])
    assert _metrics.read_csv_table(path) == {
        "epoch": [0, 1], "step": [9.0, 19.0], "train_loss": [1.0, 0.5], "val_loss": [2.0, None]}


@pytest.mark.parametrize("text", [
    '"epoch",loss\n0,1\n',  # quotes
    "epoch,loss\r\n0,1\r\n",  # carriage returns
    "epoch,loss\n0,1\n\n1,2\n",  # a blank row
    "epoch,loss\n0,1,9\n",  # a ragged row
    "epoch,loss,loss\n0,1,2\n",  # a repeated name
    "epoch,loss\n0,\u0661\n",  # non-ASCII digits
])
def test_csv_unusual_files_take_the_row_path(tmp_path, text):
    assert _metrics._csv_fast(text) is None
    assert _metrics._csv_fast(text, arrow=False) is None


@pytest.mark.parametrize("bad,message", [
    ("epoch,loss\n0,1\n1,abc\n", r"line 3, column 'loss': 'abc' is not a number"),
    ("epoch,loss\n0,1\ninf,2\n", r"line 3: epoch 'inf' is not a whole number"),
    ("epoch,loss\n0.5,1\n", r"line 2: epoch '0.5' is not a whole number"),
])
def test_csv_bad_cells_still_name_line_and_column(tmp_path, bad, message):
    path = tmp_path / "metrics.csv"
    path.write_text(bad)
    with pytest.raises(CorruptArtifactError, match=message):
        _metrics.read_csv_table(path)


def test_loader_index_keeps_the_first_row_of_a_repeated_json_epoch(tmp_path):
    (tmp_path / "metrics.json").write_text('{"epoch": [2, 1, 2], "loss": [0.5, 1.0, 0.25]}')
    clear_cache()
    loader = ArtifactLoader(tmp_path)
    assert loader.epochs("metrics") == [1, 2]
    assert loader.load("metrics", 2) == {"epoch": 2, "loss": 0.5}


# -- hparams: the same records as TensorBoard's accumulator ------------------------------------
@pytest.mark.timeout(60)
def test_hparams_contents_equal_the_accumulator(tmp_path):
    from tensorboard.plugins.hparams import summary_v2

    writer = EventFileWriter(str(tmp_path))
    writer.add_event(event_pb2.Event(wall_time=1.7e9, summary=summary_v2.hparams_pb(
        {"lr": 0.001, "optimizer": "adam", "layers": 3})))
    for step in range(200):
        writer.add_event(v1_event(step, loss=1.0 / (step + 1)))
    writer.close()
    path = only_file(tmp_path)
    acc = pea.EventAccumulator(str(path), size_guidance={pea.TENSORS: 1})
    acc.Reload()
    expected = acc.PluginTagToContent("hparams")
    got = _events.read_event_plugin_contents(path, "hparams")
    assert got == expected and len(got) == 1
    assert _metrics.read_tensorboard_hparams([path]) == {"lr": 0.001, "optimizer": "adam",
                                                          "layers": 3}


@pytest.mark.timeout(60)
def test_double_int_and_vector_tensors_equal_the_accumulator(tmp_path):
    from tensorboard.plugins.scalar import metadata as scalar_metadata

    writer = EventFileWriter(str(tmp_path))
    for step, data in enumerate([np.float64(0.1), np.int64(7), np.float16(0.5),
                                 np.array([1.0, 2.0], dtype=np.float32),
                                 np.array([[3.0]], dtype=np.float32)]):
        value = summary_pb2.Summary.Value(
            tag="x", tensor=tensor_util.make_tensor_proto(data),
            metadata=scalar_metadata.create_summary_metadata(display_name="x", description=""))
        writer.add_event(event_pb2.Event(step=step, summary=summary_pb2.Summary(value=[value])))
    writer.close()
    path = only_file(tmp_path)
    got = ours(path)
    assert same(got, accumulator_scalars(path))
    assert got == {"x": {0: 0.1, 1: 7.0, 2: 0.5, 4: 3.0}}  # the 2-vector is not a scalar


@pytest.mark.timeout(30)
def test_a_wrong_length_is_named_before_the_garbage_it_points_at(tmp_path):
    writer = Writer(str(tmp_path))
    for step in range(100):
        writer.add_scalar("loss", 1.0 / (step + 1), step=step)
    writer.close()
    path = only_file(tmp_path)
    offsets = record_offsets(path)
    raw = bytearray(path.read_bytes())
    # record 60 now ends where record 61's tag begins: read as a length, "loss..." is huge
    landing = raw.index(b"loss", offsets[61])
    raw[offsets[60]:offsets[60] + 8] = struct.pack("<Q", landing - offsets[60] - 16)
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptArtifactError, match=rf"record length at byte {offsets[60]} "):
        _events.read_event_scalars(path)
