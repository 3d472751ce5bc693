"""metrics.csv: pyarrow's and numpy's column readers give the row-by-row reader's table or error."""

from __future__ import annotations

import csv
import random
import time

import pytest

from vizwidget.errors import CorruptArtifactError
from vizwidget.runs import _csv_columns, _metrics

#: Cells that look like numbers to one parser and not to another.
TRICKY_CELLS = [
    "", " ", "nan", "NaN", "-nan", "NAN", "none", "None", "NULL", "null", "inf", "-inf",
    "Infinity", "-INFINITY", "+1", "-0", ".5", "5.", "1e-320", "4.9e-325", "1e999", "-1e999",
    "1E+05", "1_000", " 1.5 ", "\t3", "007", "1e", "e1", ".", "-", "abc", "nan(1)", "0x10",
    "1d5", "\u0661", '"2"', "1,5", "0.1000000000000000055511151231257827",
]
X_CELLS = ["0", "1", "2", "3", "2", "1.0", "1e1", " 4", "-0", "5.", "+6", "", "inf", "nan",
           "0.5", "1_0", "\u0663", "9007199254740993", "none"]


def _float_cell(rng: random.Random) -> str:
    value = rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30)
    return rng.choice([repr(value), f"{value:.17g}", f"{value:.6g}", f"{value:.3e}"])


def random_csv(rng: random.Random) -> str:
    """A small CSV, mostly well formed, with tricky cells, rows and line ends mixed in."""
    names = rng.sample(["loss", "acc", "lr", "step", "val/loss", " ", "a b"], rng.randint(0, 4))
    header = [rng.choice(["epoch", "step", "epoch"]), *names]
    if "step" in names and header[0] == "step":
        header[0] = "epoch"
    rng.shuffle(header)
    if rng.random() < 0.03:
        header.append(header[0])  # a repeated name
    rows = []
    for i in range(rng.randint(0, 12)):
        cells = []
        for name in header:
            if name in ("epoch", "step") and name == next(
                    c for c in ("epoch", "step") if c in header):
                tricky = rng.random() < 0.08
                cells.append(rng.choice(X_CELLS) if tricky else str(rng.randint(0, i + 1)))
            else:
                tricky = rng.random() < 0.08
                cells.append(rng.choice(TRICKY_CELLS) if tricky else _float_cell(rng))
        if rng.random() < 0.03:
            cells.append("1")  # ragged
        rows.append(",".join(cells))
        if rng.random() < 0.02:
            rows.append("")  # a blank row
    end = "\r\n" if rng.random() < 0.05 else "\n"
    text = end.join([",".join(header), *rows])
    return text + end if rng.random() < 0.9 else text


def judge(text: str, path) -> tuple[str, str]:
    """The row-by-row reader's verdict: ("table", repr) or ("error", message)."""
    try:
        return "table", repr(_metrics._csv_rows(text, path))
    except CorruptArtifactError as err:
        return "error", str(err)


def read(path) -> tuple[str, str]:
    try:
        return "table", repr(_metrics.read_csv_table(path))
    except CorruptArtifactError as err:
        return "error", str(err)


@pytest.mark.timeout(120)
def test_random_tables_read_as_the_row_reader_reads_them(tmp_path):
    rng = random.Random(20261206)
    path = tmp_path / "metrics.csv"
    taken = {"pyarrow": 0, "numpy": 0, "rows": 0}
    for _ in range(600):
        text = random_csv(rng)
        path.write_text(text, newline="")
        verdict = judge(text, path)
        assert read(path) == verdict, text
        by_arrow = _metrics._csv_fast(text)
        by_numpy = _metrics._csv_fast(text, arrow=False)
        for fast in (by_arrow, by_numpy):  # repr: -0.0 and 0.0 differ, as do int and float
            assert fast is None or ("table", repr(fast)) == verdict, text
        header = _csv_columns.plain_header(text) or []
        x_at = next((header.index(c) for c in ("epoch", "step") if c in header), 0)
        used = [j for j, h in enumerate(header) if j == x_at or h.strip()]
        arrow_read = (by_arrow is not None and len(set(header)) == len(header) and
                      _csv_columns.arrow_columns(text, len(header), used) is not None)
        taken["pyarrow" if arrow_read else "numpy" if by_numpy is not None else "rows"] += 1
    # each reader had its share: a reader that refused everything would pass the loop above
    assert min(taken.values()) >= 30, taken


@pytest.mark.parametrize("text", [
    "epoch,loss\n0,nan(1)\n",  # pyarrow reads it as NaN, float() refuses it
    "epoch,loss\n0,1_000\n1,2\n",  # float() reads it, pyarrow refuses it
    "epoch,loss\n0,None\n1, \n2,-nan\n3,2\n",
    "epoch,loss\n0,1\n\n1,2\n",  # pyarrow reads a blank row as empty cells
    "epoch\n0\n\n1\n",
    "epoch,loss\n0,1\n1,2",  # no final newline
    "epoch,lo(ss)\n0,1\n",  # a parenthesis in the header only
    "epoch,loss\n0,1e-400\n1,-0\n2,+inf\n",
])
def test_each_reader_agrees_on_cells_the_parsers_disagree_on(tmp_path, text):
    path = tmp_path / "metrics.csv"
    path.write_text(text)
    verdict = judge(text, path)
    assert read(path) == verdict
    for arrow in (True, False):
        fast = _metrics._csv_fast(text, arrow=arrow)
        assert fast is None or ("table", repr(fast)) == verdict


def test_pyarrow_reads_plain_columns_exactly(tmp_path):
    rng = random.Random(7)
    cells = [[str(i), *(_float_cell(rng) for _ in range(3))] for i in range(2000)]
    text = "epoch,a,b,c\n" + "".join(",".join(row) + "\n" for row in cells)
    columns = _csv_columns.arrow_columns(text, 4, [0, 1, 2, 3])
    assert columns is not None
    for j in range(4):
        assert columns[j].tolist() == [float(row[j]) for row in cells]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("shape", ["huge field", "many columns", "many empty cells"])
def test_hostile_shapes_read_fast_and_as_the_row_reader(tmp_path, shape):
    if shape == "huge field":  # over pyarrow's block: numpy's path takes it
        text = "epoch,loss\n0,1\n1," + "7" * 3_000_000 + "\n2,0.5\n"
    elif shape == "many columns":
        names = [f"loss{j}" for j in range(20_000)]
        text = "epoch," + ",".join(names) + "\n" + "".join(
            f"{i}," + ",".join(f"{i + j / 3}" for j in range(20_000)) + "\n" for i in range(5))
    else:
        text = "step,a,b\n" + "".join(f"{i % 50},,\n" for i in range(100_000))
    path = tmp_path / "metrics.csv"
    path.write_text(text)
    start = time.perf_counter()
    table = _metrics.read_csv_table(path)
    assert time.perf_counter() - start < 10
    limit = csv.field_size_limit(1 << 30)  # the csv module's own cap refuses the huge field
    try:
        assert ("table", repr(table)) == judge(text, path)
    finally:
        csv.field_size_limit(limit)
