"""Metrics readers, before and after: TensorBoard event files and a metrics.csv, timed.

Writes, in a temporary folder, a TensorBoard event file of ``2 x steps`` scalars (two tags,
TensorBoard's own ``Writer``) and a metrics.csv of ``rows`` rows, then times, each in a fresh
subprocess so peak RSS is its own:

- ``tensorboard EventAccumulator``: TensorBoard's reader (the way the table was read before,
  without the extra checksum pass that came on top), for reference;
- ``vizwidget event reader``: ``ArtifactLoader(run).metrics()`` on the event file;
- ``csv row by row``: the row reader (the one used before, still used for unusual files);
- ``vizwidget csv``: ``ArtifactLoader(run).metrics()`` on the metrics.csv.

Prints seconds (imports excluded) and peak RSS (MB) of each, and checks that the two event
readers agree.

Run: ``.venv/bin/python benchmarks/bench_readers.py [steps] [rows]`` (defaults 200000, 1000000)
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from tensorboard.backend.event_processing import plugin_event_accumulator as pea
from tensorboard.util import tensor_util
from vizwidget.runs import ArtifactLoader, _metrics
case, target = sys.argv[1], Path(sys.argv[2])
start = time.perf_counter()  # imports excluded
if case == "accumulator":
    acc = pea.EventAccumulator(str(next(target.glob("events.out.tfevents.*"))),
                               size_guidance={pea.TENSORS: 0})
    acc.Reload()
    out = {tag: {e.step: float(tensor_util.make_ndarray(e.tensor_proto)) for e in
                 acc.Tensors(tag)} for tag in acc.PluginTagToContent("scalars")}
    digest = {tag: [len(v), sum(v.values())] for tag, v in out.items()}
elif case == "csv_rows":
    path = target / "metrics.csv"
    table = _metrics._csv_rows(path.read_text(encoding="utf-8-sig"), path)
    digest = {k: len(v) for k, v in table.items()}
else:
    table = ArtifactLoader(target).metrics()
    digest = {k: [len(v), sum(x for x in v if x is not None)] for k, v in table.items()
              if k != "epoch"}
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss": rss, "digest": digest}))
"""


def write_events(folder: Path, steps: int) -> None:
    from tensorboard.summary import Writer

    writer = Writer(str(folder))
    for step in range(steps):
        writer.add_scalar("train/loss", 1.0 / (step + 1) + 1e-3 * math.sin(step), step=step)
        writer.add_scalar("lr", 0.1 * 0.99999 ** step, step=step)
    writer.close()


def write_csv(folder: Path, rows: int) -> None:
    rng = np.random.default_rng(rows)
    epoch = np.arange(rows)
    cols = np.column_stack([epoch, rng.random(rows), rng.random(rows), rng.random(rows)])
    with open(folder / "metrics.csv", "w") as fh:
        fh.write("epoch,train_loss,test_loss,test_acc\n")
        np.savetxt(fh, cols, fmt=["%d", "%.17g", "%.17g", "%.17g"], delimiter=",")


def run(case: str, target: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, case, str(target)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        tb, table = Path(tmp) / "tb", Path(tmp) / "csv"
        tb.mkdir()
        table.mkdir()
        write_events(tb, steps)
        write_csv(table, rows)
        size = next(tb.glob("events.out.tfevents.*")).stat().st_size / 1e6
        print(f"event file: {2 * steps:,} scalars, {size:.1f} MB; metrics.csv: {rows:,} rows")
        results = {}
        for label, case, target in [
                ("tensorboard EventAccumulator (before)", "accumulator", tb),
                ("vizwidget event reader (after)", "loader", tb),
                ("csv row by row (before)", "csv_rows", table),
                ("vizwidget csv (after)", "loader", table)]:
            results[label] = r = run(case, target)
            print(f"{label:<40} {r['seconds']:7.2f} s {r['rss']:8.0f} MB peak RSS")
        before = results["tensorboard EventAccumulator (before)"]["digest"]
        after = results["vizwidget event reader (after)"]["digest"]
        agree = before.keys() == after.keys() and all(
            before[t][0] == after[t][0] and math.isclose(before[t][1], after[t][1])
            for t in before)
        print(f"event readers agree (counts and sums per tag): {agree}")


if __name__ == "__main__":
    main()
