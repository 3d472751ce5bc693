"""The package as users get it: a wheel and an sdist built from a fresh clone carry the widget.

A fresh clone has no widget bundle (it is gitignored) and no ``node_modules``, so building
runs the jupyter-builder hook (``npm install`` + ``npm run build`` in ``js/``). Each built
artifact is installed into its own new virtual environment, and a subprocess there displays
an ExportWidget.

Environments: each new venv gets the wheel itself (``pip install --no-deps``) and sees the
project's already-installed dependencies through a ``.pth`` line naming this interpreter's
site-packages. That keeps the test offline for Python packages and fast (no download of
plotly, numpy, …), while vizwidget itself is imported from the new venv only (the project's
editable install is not activated: ``.pth`` files in an added directory are not processed),
which the subprocess asserts. Dependencies are checked against the wheel's own metadata.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ("vizwidget/static/widget.js", "vizwidget/static/widget.css")
TIMEOUT = 900  # npm install on a cold cache, plus a wheel build

DISPLAY = r"""
import json, sys
from importlib.metadata import distribution, requires, version
from pathlib import Path

from packaging.requirements import Requirement
import plotly.graph_objects as go

import vizwidget
from vizwidget import ExportWidget

package = Path(vizwidget.__file__).resolve().parent
assert Path(sys.prefix).resolve() in package.parents, (str(package), sys.prefix)
unmet = []
for line in requires("vizwidget") or []:
    req = Requirement(line)
    if req.marker is None or req.marker.evaluate({"extra": ""}):
        try:
            if not req.specifier.contains(version(req.name), prereleases=True):
                unmet.append(line)
        except Exception:
            unmet.append(line)
widget = ExportWidget(go.Figure(go.Scatter(y=[3, 1, 2])))
data, _meta = widget._repr_mimebundle_()
print(json.dumps({
    "package": str(package),
    "view": data["application/vnd.jupyter.widget-view+json"],
    "esm": len(str(widget._esm)), "css": len(str(widget._css)),
    "unmet": unmet,
}))
"""


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def clean_env() -> dict[str, str]:
    """The environment without anything that points Python at this checkout's sources."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh clone of the committed HEAD: no bundle, no node_modules."""
    if shutil.which("git") is None or shutil.which("npm") is None:
        pytest.fail("git and npm are needed to build the package (scripts/ensure-node.sh).")
    target = tmp_path_factory.mktemp("clone") / "vizwidget"
    run(["git", "clone", "--quiet", "--no-hardlinks", ROOT, target])
    assert not (target / "src" / "vizwidget" / "static").exists()
    assert not (target / "js" / "node_modules").exists()
    return target


def fresh_venv(where: Path) -> Path:
    """A new venv seeing this interpreter's site-packages; returns its python."""
    run([sys.executable, "-m", "venv", "--without-pip", where], env=clean_env())
    python = where / "bin" / "python"
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
               env=clean_env()).strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "_project_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def install_and_display(artifact: Path, venv: Path) -> dict:
    python = fresh_venv(venv)
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-build-isolation", artifact], env=clean_env())
    out = json.loads(run([python, "-c", DISPLAY], cwd=venv, env=clean_env()).splitlines()[-1])
    assert Path(out["package"]).is_relative_to(venv.resolve())
    assert out["view"]["model_id"] and out["view"]["version_major"] == 2
    assert out["esm"] > 1000 and out["css"] > 100  # the real bundle, not a stub
    assert out["unmet"] == []
    return out


def test_wheel_from_a_fresh_clone_carries_the_widget(clone, tmp_path):
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", dist, clone], env=clean_env())
    (wheel,) = dist.glob("vizwidget-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        sizes = {info.filename: info.file_size for info in zf.infolist()}
    for name in (*BUNDLE, "vizwidget/engine/to_image.js"):  # the page's script too
        assert sizes.get(name, 0) > 100, f"{name} missing from {wheel.name}"
    assert (clone / "js" / "node_modules").is_dir()  # the hook ran npm
    install_and_display(wheel, tmp_path / "venv")

    built = clone / "src" / "vizwidget" / "static" / "widget.js"
    stamp = built.stat().st_mtime_ns
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", tmp_path / "again", clone], env=clean_env())
    assert built.stat().st_mtime_ns == stamp  # a present bundle is not rebuilt


def test_sdist_carries_sources_and_installs(clone, tmp_path):
    shutil.rmtree(clone / "src" / "vizwidget" / "static", ignore_errors=True)
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", dist, clone],
        env=clean_env())
    (sdist,) = dist.glob("vizwidget-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    needed = {"pyproject.toml", "js/package.json", "js/package-lock.json", "js/build.mjs",
              "js/src/widget.js", "js/src/widget.css", "src/vizwidget/__init__.py",
              *(f"src/{b}" for b in BUNDLE)}
    assert needed <= names, sorted(needed - names)
    assert not any("node_modules" in n for n in names)
    install_and_display(sdist, tmp_path / "venv")
