"""The documentation: the API reference covers every public name, and the site builds strictly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

import vizwidget

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "reference"
BLOCK = re.compile(r"^:::\s+(vizwidget(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$", re.M)
GALLERY = ROOT / "docs" / "gallery.md"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def reference_blocks() -> dict[str, Path]:
    """Every ``::: vizwidget.X`` identifier of the reference pages, with its page."""
    blocks = {}
    for page in sorted(REFERENCE.glob("*.md")):
        for name in BLOCK.findall(page.read_text(encoding="utf-8")):
            blocks[name] = page
    return blocks


def resolve(identifier: str) -> object:
    """The object a ``:::`` identifier names: a module, or an attribute of one."""
    module, _, attr = identifier.rpartition(".")
    try:
        return import_module(identifier)
    except ModuleNotFoundError:
        return getattr(import_module(module), attr)


def test_reference_pages_cover_every_public_name():
    blocks = reference_blocks()
    missing = [name for name in vizwidget.__all__ if f"vizwidget.{name}" not in blocks]
    assert not missing, f"names of vizwidget.__all__ without a ::: block in docs/reference: " \
                        f"{missing}"


def test_reference_blocks_name_real_objects():
    blocks = reference_blocks()
    assert len(blocks) >= len(vizwidget.__all__)
    for identifier, page in blocks.items():
        assert resolve(identifier) is not None, f"{page.name}: {identifier}"


def test_readme_shows_the_makefile_test_command():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.+\n)+)", makefile, re.M).group(1)
    command = next(line.strip() for line in recipe.splitlines() if "pytest" in line)
    command = command.replace("$(PY)", ".venv/bin/python")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert command in readme
    assert re.search(r"^make test\b", readme, re.M)
    assert len(readme.splitlines()) <= 250


def test_readme_picture_and_links_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)\)", readme)
    local = [t for t in targets if "://" not in t]
    assert "docs/images/dashboard.png" in local
    for target in local:
        assert (ROOT / target).exists(), target
    assert (ROOT / "docs/images/dashboard.png").read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(900)
def test_site_builds_strictly_with_reference_and_gallery(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                       os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=840)
    assert done.returncode == 0, done.stderr[-4000:]

    reference = "".join(p.read_text(encoding="utf-8")
                        for p in (site / "reference").rglob("index.html"))
    for name in vizwidget.__all__:
        assert f'id="vizwidget.{name}"' in reference, name

    from PIL import Image

    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", GALLERY.read_text(encoding="utf-8"))
    assert len(images) >= 12
    for image in images:
        path = site / image
        assert path.read_bytes().startswith(PNG_SIGNATURE), image
        with Image.open(path) as png:
            assert png.size[0] >= 800 and png.size[1] >= 500, (image, png.size)
            darkest, lightest = png.convert("L").getextrema()
            assert lightest - darkest > 64, f"{image} looks blank"
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in changelog and "0.1.0" in changelog
