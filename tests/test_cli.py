"""The installed ``vizwidget`` console script, run as a user would: through subprocess."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from vizwidget.runs import ArtifactLoader

pytestmark = pytest.mark.browser

SCRIPT = Path(sys.executable).with_name("vizwidget")
BUILT_INS = ["effective_dimensionality", "embedding_frequencies", "explained_variance",
             "flatness", "flatness_distribution", "parameter_trajectory_2d",
             "parameter_trajectory_3d", "parameter_trajectory_pc3", "parameter_velocity",
             "singular_value_spectrum", "training_curves"]


def run(*args, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    assert SCRIPT.exists(), f"console script missing: {SCRIPT}"
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=env)


def run_json(*args, code=0, **kw) -> dict:
    proc = run(*args, "--json", **kw)
    assert proc.returncode == code, proc.stderr
    return json.loads(proc.stdout)


# -- bad usage: exit 2, one line naming the fix, no traceback ---------------------------------
USAGE_CASES = {
    "no command": ([], "required: COMMAND"),
    "unknown command": (["frob"], "invalid choice: 'frob'"),
    "unknown visualization": (["export", "{v}", "flatnes"], "Did you mean: flatness"),
    "unknown format": (["export", "{v}", "flatness", "--format", "bmp"],
                       "Use one of: png, jpeg"),
    "unknown option": (["export", "{v}", "flatness", "--set", "bins=3"],
                       "--set one of: log_y"),
    "bad --set": (["export", "{v}", "flatness", "--set", "log_y"], "write e.g. --set"),
    "missing variant": (["export", "{missing}", "flatness"], "does not exist"),
    "bad width": (["export", "{v}", "flatness", "--width", "0"], "must be a positive integer"),
    "unknown theme": (["export", "{v}", "flatness", "--theme", "neon"],
                      "Use one of: default, dark, publication"),
    "unknown epoch": (["export", "{v}", "flatness_distribution", "--epoch", "7"], "epoch"),
    "epochs not present": (["animate", "{v}", "flatness", "--epochs", "7,8"],
                           "not in this variant"),
    "bad epochs spec": (["animate", "{v}", "flatness", "--epochs", "1:x"], "START:STOP"),
    "empty epoch range": (["animate", "{v}", "flatness", "--epochs", "5000:6000"],
                          "selects no epoch"),
    "still format for animation": (["animate", "{v}", "flatness", "--format", "pdf"],
                                   "Use one of: gif, mp4"),
    "animation format for batch": (["batch", "{v}", "--formats", "png,gif"], "Use one of"),
    "unknown batch view": (["batch", "{v}", "--vis", "nope"], "No visualization named 'nope'"),
    "bad jobs": (["batch", "{v}", "--jobs", "0"], "must be a positive integer"),
    "missing argument": (["animate", "{v}"], "required: NAME"),
}


@pytest.mark.parametrize("case", list(USAGE_CASES))
def test_bad_usage_exits_2_with_one_line(case, demo_variant, tmp_path):
    args, fragment = USAGE_CASES[case]
    args = [a.format(v=demo_variant, missing=tmp_path / "missing") for a in args]
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("vizwidget") and ": error: " in lines[0]
    assert fragment in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_bad_usage_with_json_prints_an_error_object(demo_variant):
    data = run_json("export", demo_variant, "flatness", "--format", "bmp", code=2)
    assert data["ok"] is False and data["exit_code"] == 2 and data["written"] == []
    assert "Unknown format 'bmp'" in data["error"]


def test_help_and_version():
    proc = run("batch", "--help")
    assert proc.returncode == 0 and "--jobs" in proc.stdout and "--scheduler" in proc.stdout
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("vizwidget ")


# -- list --------------------------------------------------------------------------------------
def test_list_shows_every_visualization():
    proc = run("list")
    assert proc.returncode == 0, proc.stderr
    for name in BUILT_INS:
        assert any(line.startswith(name + " ") for line in proc.stdout.splitlines()), name
    assert "cross_epoch" in proc.stdout and "per_epoch" in proc.stdout


def test_list_with_a_variant_reports_epochs(demo_variant, tmp_path):
    data = run_json("list", demo_variant)
    assert data["command"] == "list" and data["ok"] is True
    assert data["variant"] == str(demo_variant)
    rows = {r["name"]: r for r in data["visualizations"]}
    assert set(BUILT_INS) <= set(rows)
    loader = ArtifactLoader(demo_variant)
    params = loader.epochs("parameters")
    assert rows["parameter_velocity"]["epochs"] == {"first": params[0], "last": params[-1],
                                                    "count": len(params)}
    assert rows["training_curves"]["epochs"]["count"] == len(loader.epochs("metrics"))
    assert all(r["available"] for r in rows.values() if r["name"] in BUILT_INS)
    assert rows["flatness"]["analyzers"] == ["flatness"] and rows["flatness"]["description"]

    # a variant with only metrics: the others have no data
    only = tmp_path / "only_metrics"
    only.mkdir()
    shutil.copy(demo_variant / "metrics.json", only)
    (only / "artifacts").mkdir()
    proc = run("list", only)
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("flatness "))
    assert "no data" in line
    rows = {r["name"]: r for r in run_json("list", only)["visualizations"]}
    assert rows["training_curves"]["available"] and not rows["flatness"]["available"]


# -- export ------------------------------------------------------------------------------------
def test_export_writes_a_png_of_the_requested_size(demo_variant, tmp_path):
    from PIL import Image

    data = run_json("export", demo_variant, "singular_value_spectrum", "--epoch", "600",
                    "--out", tmp_path, "--width", "500", "--height", "300", "--scale", "1.5")
    assert data["command"] == "export" and data["ok"] and data["failed"] == []
    (path,) = map(Path, data["written"])
    assert path == tmp_path / "singular_value_spectrum_epoch600.png"
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == (750, 450)


def test_export_passes_set_options_to_the_renderer(demo_variant, tmp_path):
    default = run("export", demo_variant, "parameter_velocity", "--format", "json",
                  "--out", tmp_path / "a")
    changed = run("export", demo_variant, "parameter_velocity", "--format", "json",
                  "--out", tmp_path / "b", "--set", "log_y=false", "--theme", "dark")
    assert default.returncode == changed.returncode == 0, changed.stderr
    a = json.loads(Path(default.stdout.strip()).read_text())
    b = json.loads(Path(changed.stdout.strip()).read_text())
    assert a["layout"]["yaxis"].get("type") == "log"
    assert b["layout"]["yaxis"].get("type") != "log"


def test_a_failure_exits_1_without_traceback_unless_debug(broken_variant, tmp_path):
    proc = run("export", broken_variant, "parameter_velocity", "--out", tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "corrupt" in lines[0] and "epoch_600.npz" in lines[0]
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []

    data = run_json("export", broken_variant, "parameter_velocity", "--out", tmp_path, code=1)
    assert data["ok"] is False and "epoch_600.npz" in data["error"]

    proc = run("export", broken_variant, "parameter_velocity", "--out", tmp_path, "--debug")
    assert proc.returncode == 1 and "Traceback" in proc.stderr
    assert "CorruptArtifactError" in proc.stderr


# -- animate -----------------------------------------------------------------------------------
def test_animate_a_gif_over_an_epoch_range(demo_variant, tmp_path):
    from PIL import Image

    out = tmp_path / "fd.gif"
    data = run_json("animate", demo_variant, "flatness_distribution", "--epochs", "0:1500:500",
                    "--out", out, "--width", "320", "--height", "240", "--fps", "4")
    assert data["written"] == [str(out)]
    # one frame per 500 epochs, each at the nearest checkpoint of the non-uniform schedule
    available = ArtifactLoader(demo_variant).epochs("flatness")
    nearest = [min(available, key=lambda e, t=t: abs(e - t)) for t in (0, 500, 1000, 1500)]
    assert data["epochs"] == nearest and data["frames"] == 4
    assert 1000 not in available and abs(nearest[2] - 1000) <= 60
    with Image.open(out) as im:
        assert im.format == "GIF" and im.n_frames == 4 and im.size == (320, 240)
        assert im.info["duration"] == 250


def test_animate_cross_epoch_as_frames_and_default_output(demo_variant, tmp_path):
    frames = tmp_path / "frames"
    proc = run("animate", demo_variant, "training_curves", "--epochs", "0,600,1500",
               "--format", "frames", "--out", frames, "--width", "300", "--height", "200")
    assert proc.returncode == 0, proc.stderr
    assert len(sorted(frames.glob("*.png"))) == 3

    data = run_json("animate", demo_variant, "flatness", "--epochs", "1000:1500",
                    "--width", "300", "--height", "200")
    (path,) = map(Path, data["written"])
    epochs = [e for e in ArtifactLoader(demo_variant).epochs("flatness") if 1000 <= e <= 1500]
    assert path == demo_variant / "exports" / f"flatness_epochs{epochs[0]}-1500.gif"
    assert data["frames"] == len(epochs) and path.read_bytes()[:6] == b"GIF89a"


# -- batch -------------------------------------------------------------------------------------
def test_batch_with_a_broken_variant_exits_1_and_writes_the_rest(demo_variant, broken_variant,
                                                                  tmp_path):
    out = tmp_path / "gallery"
    data = run_json("batch", demo_variant, broken_variant, "--formats", "png,svg", "--out", out,
                    "--width", "400", "--height", "300", "--scale", "1", "--no-compare", code=1)
    assert data["command"] == "batch" and data["ok"] is False
    assert data["jobs"] == 44 and data["succeeded"] == 32 and len(data["written"]) == 32
    assert all(Path(p).is_file() and Path(p).parent == out for p in data["written"])
    assert len(data["failed"]) == 12
    assert {f["variant"] for f in data["failed"]} == {str(broken_variant)}
    assert all("epoch_600.npz" in f["error"] for f in data["failed"])
    assert data["index"] == str(out / "index.html") and data["report"] == str(out / "report.md")
    page = (out / "index.html").read_text()
    assert "Failures (12)" in page and page.count("<tr class='fail'>") == 12


def test_batch_human_output_and_selected_views(demo_variant, tmp_path):
    proc = run("batch", demo_variant, "--vis", "flatness", "training_curves", "--formats",
               "svg", "--out", tmp_path, "--epoch", "600")
    assert proc.returncode == 0, proc.stderr
    assert "2 written, 0 failed" in proc.stdout
    assert f"gallery: {tmp_path / 'index.html'}" in proc.stdout
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == [
        "flatness_variant_p59_seed0_epoch600.svg",
        "training_curves_variant_p59_seed0_epoch600.svg"]


def test_batch_scheduler_that_is_not_there_is_usage(demo_variant, tmp_path):
    proc = run("batch", demo_variant, "--out", tmp_path, "--scheduler", "tcp://127.0.0.1:9",
               "--connect-timeout", "2")
    assert proc.returncode == 2, proc.stderr
    assert "cannot reach the Dask scheduler" in proc.stderr and "Traceback" not in proc.stderr


def test_progress_bar_only_on_a_terminal(demo_variant, tmp_path):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    try:
        proc = subprocess.Popen([str(SCRIPT), "batch", demo_variant, "--vis", "flatness",
                                 "--formats", "png,svg", "--out", tmp_path, "--width", "300",
                                 "--height", "200", "--scale", "1"],
                                stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(timeout=120) == 0
    finally:
        os.close(master)
    assert b"batch: 100%" in seen and b"2/2" in seen
    # and no bar when stderr is not a terminal
    proc = run("batch", demo_variant, "--vis", "flatness", "--out", tmp_path / "plain")
    assert proc.returncode == 0 and proc.stderr == ""


# -- demo --------------------------------------------------------------------------------------
def test_demo_trains_three_seeds_and_shows_every_kind_of_output(tmp_path):
    proc = run("demo", tmp_path / "run", "--p", "23", "--epochs", "300", timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "run" / "exports"
    runs = sorted(p.name for p in (tmp_path / "run" / "runs").iterdir())
    assert runs == ["p23_seed0", "p23_seed1", "p23_seed2"]
    gallery = {p.name for p in out.glob("*_p23_seed0_*.png")}
    assert gallery == {f"{name}_p23_seed0_{'epoch300' if name in PER_EPOCH else 'all'}.png"
                       for name in BUILT_INS}
    listed = {ln.split()[-1] for ln in proc.stdout.splitlines() if ln.startswith("  ")}
    for name in ("animation_singular_value_spectrum.gif", "comparison_training_curves.png",
                 "comparison_joint_pca_trajectory.png", "dashboard_epoch300.png",
                 "dashboard_epochs0-300.html", "index.html", "report.md"):
        assert str(out / name) in listed and (out / name).stat().st_size > 0, name
    assert proc.stdout.rstrip().endswith("3. vizwidget --help") and "make lab" in proc.stdout
    index = (out / "index.html").read_text()
    assert "animation_singular_value_spectrum.gif" in index
    assert "comparison_joint_pca_trajectory.png" in index and "dashboard_epochs0-300.html" in index


PER_EPOCH = {"embedding_frequencies", "flatness_distribution", "singular_value_spectrum"}


def test_batch_on_a_running_dask_scheduler(demo_variant, tmp_path):
    from dask import distributed

    from vizwidget.engine import shutdown

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        out = run_json("batch", demo_variant, "--vis", "training_curves", "parameter_velocity",
                       "--formats", "png", "--out", tmp_path, "--scheduler",
                       cluster.scheduler_address)
        with distributed.Client(cluster) as client:
            client.run(shutdown)  # close the worker's browser before the cluster goes
    names = sorted(Path(p).name for p in out["written"])
    assert names == [f"{v}_{demo_variant.name}_all.png"
                     for v in ("parameter_velocity", "training_curves")]
    assert out["failed"] == [] and all(Path(p).stat().st_size > 1000 for p in out["written"])


def test_animate_over_several_variants_animates_their_comparison(demo_variant, tmp_path):
    from PIL import Image

    twin = tmp_path / "runs" / "variant_p59_seed0_twin"
    shutil.copytree(demo_variant, twin, ignore=shutil.ignore_patterns("exports"))
    out = tmp_path / "both.gif"
    data = run_json("animate", demo_variant, twin, "training_curves", "--epochs", "0:600:300",
                    "--out", out, "--width", "300", "--height", "200")
    assert data["written"] == [str(out)] and len(data["variants"]) == 2
    with Image.open(out) as gif:
        assert gif.n_frames == 3 and gif.size == (300, 200)
