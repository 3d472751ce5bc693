"""export_batch: many jobs, failures recorded, gallery and report; process pool and Dask."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

from vizwidget import engine
from vizwidget.batch import export_batch, job_filename
from vizwidget.engine import shutdown
from vizwidget.errors import FormatError, ThemeError, UsageError, VisualizationNotFoundError
from vizwidget.export import ImageOptions

pytestmark = pytest.mark.browser

PARAMETER_CROSS = {"effective_dimensionality", "explained_variance", "parameter_trajectory_2d",
                   "parameter_trajectory_3d", "parameter_trajectory_pc3", "parameter_velocity"}
#: A quick subset (one per kind and analyzer) for the parallel runs.
SUBSET = ["training_curves", "flatness_distribution", "singular_value_spectrum",
          "parameter_velocity"]


@pytest.fixture(scope="module")
def local_batch(demo_variant, broken_variant, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "gallery"
    return export_batch([demo_variant, broken_variant], formats="png,svg", output_dir=out,
                        compare=False)  # per-variant files only; comparisons: see below


def test_a_broken_variant_is_recorded_and_everything_else_is_written(local_batch,
                                                                       broken_variant):
    r = local_batch
    assert not r.ok
    # every failure is a parameters cross-epoch view of the broken variant (it reads epoch 600)
    assert {(f.label, f.visualization) for f in r.failed} == {
        ("broken_run", name) for name in PARAMETER_CROSS}
    assert {f.format for f in r.failed} == {"png", "svg"}
    for f in r.failed:
        assert f.path is None
        assert f.error.startswith("CorruptArtifactError")
        assert "epoch_600.npz" in f.error
    # the demo variant: all 11 built-ins in both formats; the broken one: the other 5
    demo = [s for s in r.succeeded if s.label == "variant_p59_seed0"]
    assert len(demo) == 22
    assert len([s for s in r.succeeded if s.label == "broken_run"]) == 10
    for s in r.succeeded:
        path = Path(s.path)
        assert path.parent == r.out_dir
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") if s.format == "png" else b"<svg" in data[:400]


def test_file_names_follow_visualization_variant_epoch(local_batch):
    names = {Path(s.path).name for s in local_batch.succeeded}
    assert "training_curves_variant_p59_seed0_all.png" in names  # cross-epoch: all epochs
    assert "singular_value_spectrum_variant_p59_seed0_epoch1500.svg" in names  # latest
    assert "singular_value_spectrum_broken_run_epoch1500.png" in names
    assert all(re.fullmatch(r"[A-Za-z0-9._=+-]+", n) for n in names)
    assert job_filename("train/loss (ema)", "../../etc", 7, "jpeg") == \
        "train_loss_ema_etc_epoch7.jpg"


def test_gallery_links_every_file_and_lists_failures(local_batch):
    r = local_batch
    page = r.index.read_text()
    assert r.index == r.out_dir / "index.html"
    for s in r.succeeded:
        assert f"href='{Path(s.path).name}'" in page
    # one thumbnail per figure, the PNG (preferred over SVG)
    thumbs = re.findall(r"<img loading='lazy' src='([^']+)'", page)
    assert len(thumbs) == len(r.succeeded) // 2 and all(t.endswith(".png") for t in thumbs)
    assert page.index("<h2 id='variant_p59_seed0'>") < page.index("<h2 id='broken_run'>")
    assert f"Failures ({len(r.failed)})" in page
    failures = page.split("<h2 id='failures'>")[1]
    assert failures.count("<tr class='fail'>") == 12
    assert html.escape("epoch_600.npz") in failures

    md = r.report.read_text()
    assert md.startswith("# vizwidget batch export")
    assert "## Failures (12)" in md
    rows = [line for line in md.splitlines() if line.startswith("| broken_run |")]
    assert len(rows) == 12 and all("CorruptArtifactError" in row for row in rows)
    assert "![preview](training_curves_variant_p59_seed0_all.png)" in md


def test_to_dict_is_the_json_summary(local_batch):
    d = local_batch.to_dict()
    assert d["ok"] is False and d["jobs"] == 44 and d["succeeded"] == 32
    assert len(d["written"]) == 32 and len(d["failed"]) == 12
    assert set(d["failed"][0]) >= {"variant", "visualization", "format", "epoch", "error"}


def test_a_missing_variant_is_one_failure_per_format(demo_variant, tmp_path):
    r = export_batch([tmp_path / "nope", demo_variant], ["flatness"], "png",
                     tmp_path / "out", image=ImageOptions(300, 200, 1))
    assert [(f.visualization, f.label) for f in r.failed] == [("flatness", "nope")]
    assert "VariantNotFoundError" in r.failed[0].error
    assert [Path(p).name for p in r.written] == ["flatness_variant_p59_seed0_all.png"]


def test_epoch_and_explicit_visualizations(demo_variant, tmp_path):
    r = export_batch(demo_variant, ["flatness_distribution", "flatness"], ["json"],
                     tmp_path, epoch=600)
    assert r.ok
    assert sorted(Path(p).name for p in r.written) == [
        "flatness_distribution_variant_p59_seed0_epoch600.json",
        "flatness_variant_p59_seed0_epoch600.json"]
    assert all(s.epoch == 600 for s in r.succeeded)


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"visualizations": ["no_such_view"]}, VisualizationNotFoundError),
    ({"formats": "png,gif"}, FormatError),
    ({"image": ImageOptions(theme="neon")}, ThemeError),
    ({"jobs": 0}, ValueError),
    ({"image": ImageOptions(width=-1)}, ValueError),
])
def test_bad_arguments_raise_before_anything_is_written(demo_variant, tmp_path, kwargs, error):
    out = tmp_path / "never"
    with pytest.raises(error):
        export_batch(demo_variant, output_dir=out, **kwargs)
    assert not out.exists()


def _files(result) -> dict[str, tuple[int, int]]:
    """File name -> image size in pixels."""
    from PIL import Image

    sizes = {}
    for p in result.written:
        with Image.open(p) as im:
            sizes[p.name] = im.size
    return sizes


@pytest.fixture(scope="module")
def subset_local(demo_variant, broken_variant, tmp_path_factory):
    return export_batch([demo_variant, broken_variant], SUBSET, "png",
                        tmp_path_factory.mktemp("local"), image=ImageOptions(400, 300, 1),
                        compare=False)


def test_two_jobs_write_the_same_files(subset_local, demo_variant, broken_variant,
                                                   tmp_path):
    progress = []
    r = export_batch([demo_variant, broken_variant], SUBSET, "png", tmp_path,
                     image=ImageOptions(400, 300, 1), jobs=2,
                     progress=lambda d, t: progress.append((d, t)), compare=False)
    assert r.workers == 2
    assert _files(r) == _files(subset_local)
    assert len(r.written) == 7  # parameter_velocity of the broken variant fails
    assert [(f.label, f.visualization) for f in r.failed] == [("broken_run",
                                                               "parameter_velocity")]
    assert progress[-1] == (8, 8) and [d for d, _ in progress] == sorted(d for d, _ in progress)
    first, second = engine.engines(2)  # each worker drew on a browser of its own
    assert first is engine.get_engine() and first.is_running and second.is_running
    assert first.pid != second.pid


def test_a_dask_local_cluster_writes_the_same_files(subset_local, demo_variant,
                                                    broken_variant, tmp_path):
    import psutil
    from dask import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            worker_pids = list(client.run(os.getpid).values())
            assert len(worker_pids) == 2
            r = export_batch([demo_variant, broken_variant], SUBSET, "png", tmp_path,
                             image=ImageOptions(400, 300, 1), jobs=client.get_executor(),
                             compare=False)
            # each worker kept its own engine warm; close them before the cluster goes
            alive = client.run(lambda: __import__(
                "vizwidget.engine._engine", fromlist=["_engine"])._engine is not None)
            client.run(shutdown)
    assert r.workers == 0
    assert _files(r) == _files(subset_local)
    assert [(f.label, f.visualization) for f in r.failed] == [("broken_run",
                                                               "parameter_velocity")]
    assert any(alive.values())
    for pid in worker_pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


def test_several_variants_get_a_comparison_section(demo_variant, tmp_path):
    import shutil

    twin = tmp_path / "runs" / "variant_p59_seed0_copy"
    shutil.copytree(demo_variant, twin, ignore=shutil.ignore_patterns("exports"))
    result = export_batch([demo_variant, twin], ["training_curves", "singular_value_spectrum"],
                          "png", tmp_path / "out", image=ImageOptions(400, 300, 1))
    comparisons = [r for r in result.results if r.label == "comparison"]
    assert [(r.visualization, r.ok) for r in comparisons] == [("training_curves", True)]
    assert (tmp_path / "out" / "comparison_training_curves.png").is_file()
    assert "comparison_training_curves.png" in result.report.read_text()
    single = export_batch(demo_variant, ["training_curves"], "png", tmp_path / "one",
                          image=ImageOptions(400, 300, 1))
    assert not [r for r in single.results if r.label == "comparison"]


def test_report_summarises_each_record_and_links_the_full_one(demo_variant, tmp_path):
    from vizwidget._record_summary import inputs_digest

    r = export_batch(demo_variant, ["training_curves", "singular_value_spectrum"], "png",
                     tmp_path)
    md = r.report.read_text()
    assert max(len(line) for line in md.splitlines()) <= 300
    record = next(j.provenance for j in r.succeeded if j.visualization == "training_curves")
    digest = inputs_digest(record["artifacts"])
    row = next(line for line in md.splitlines() if line.startswith("| training_curves |"))
    n = len(record["artifacts"])
    assert f"{n} input{'s' if n != 1 else ''} sha256 {digest[:12]}" in row
    anchor = row.rsplit("(index.html#", 1)[1].split(")")[0]
    index = r.index.read_text()
    card = index[index.index(f"id='{anchor}'"):]
    card = card[:card.index("</details>")]
    assert "training_curves" in card and "full provenance record" in card
    assert not any(h in md for h in record["artifacts"].values())  # one click away
    assert all(h in index for h in record["artifacts"].values())


def test_keywords_of_earlier_releases_still_work_and_warn(demo_variant, tmp_path):
    with pytest.warns(DeprecationWarning, match=r"width=.*image=ImageOptions"):
        old = export_batch(variants=demo_variant, visualizations=["flatness"], formats="json",
                           out_dir=tmp_path / "old", width=400, height=300, scale=1,
                           title="Old heading")
    assert old.ok and old.report.read_text().startswith("# Old heading")
    new = export_batch(demo_variant, ["flatness"], "json", tmp_path / "new",
                       image=ImageOptions(400, 300, 1), report="Old heading")
    assert [p.name for p in old.written] == [p.name for p in new.written]
    with pytest.raises(TypeError, match="unexpected keyword"):
        export_batch(demo_variant, ["flatness"], "json", tmp_path / "x", colour="red")


def _timeless(path):
    """A report's text without its run time and clock time."""
    return re.sub(r"\d+\.\d s; \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "", path.read_text())


@pytest.mark.parametrize("keyword", ["heading", "title"])
def test_heading_and_title_fold_into_report_and_warn(demo_variant, tmp_path, keyword):
    with pytest.warns(DeprecationWarning,
                      match=rf"export_batch\({keyword}=.*report=<heading>") as caught:
        old = export_batch(demo_variant, ["flatness"], "json", tmp_path / "old",
                           **{keyword: "Seeds <compared>"})
    assert [w.filename for w in caught if f"{keyword}=" in str(w.message)] == [__file__]
    new = export_batch(demo_variant, ["flatness"], "json", tmp_path / "new",
                       report="Seeds <compared>")
    assert old.report.read_text().startswith("# Seeds &lt;compared&gt;\n")
    assert "<h1>Seeds &lt;compared&gt;</h1>" in old.index.read_text()
    for a, b in ((old.index, new.index), (old.report, new.report)):
        assert _timeless(a) == _timeless(b)
    assert [p.read_bytes() for p in old.written] == [p.read_bytes() for p in new.written]


def test_report_true_false_or_a_heading(demo_variant, tmp_path):
    default = export_batch(demo_variant, ["flatness"], "json", tmp_path / "default")
    assert default.report.read_text().startswith("# vizwidget batch export\n")
    none = export_batch(demo_variant, ["flatness"], "json", tmp_path / "none", report=False)
    assert none.ok and none.index is None and none.report is None
    assert sorted(p.name for p in (tmp_path / "none").iterdir()) == [none.written[0].name]
    with pytest.warns(DeprecationWarning):  # report=False wins over an old heading
        quiet = export_batch(demo_variant, ["flatness"], "json", tmp_path / "quiet",
                             report=False, heading="unused")
    assert quiet.report is None and not (tmp_path / "quiet" / "report.md").exists()


def test_bad_report_values_are_refused_before_any_work(demo_variant, tmp_path):
    with pytest.raises(UsageError, match=r"report must be True, False or a heading"):
        export_batch(demo_variant, ["flatness"], "json", tmp_path / "x", report=1)
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="another heading"):
        export_batch(demo_variant, ["flatness"], "json", tmp_path / "x", report="A",
                     heading="B")
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="another heading"):
        export_batch(demo_variant, ["flatness"], "json", tmp_path / "x", heading="A",
                     title="B")
    assert not (tmp_path / "x").exists()
