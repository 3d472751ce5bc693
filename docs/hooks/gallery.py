"""mkdocs hook: render the gallery and the README picture from the demo run while the site builds.

The demo run is trained in a temporary directory (numpy, offline), each gallery figure is
drawn by its registered renderer and written by ``vizwidget.export_figure`` through the warm
Chromium the package finds; the PNGs enter the site as generated files, so the docs folder
is never written to. ``images/dashboard.png`` is replaced by a fresh rendering
(``scripts/make_readme_image.py``).
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("mkdocs.hooks.gallery")

# (visualization, epoch or None, options): the built-ins the demo run has data for
GALLERY = (
    ("training_curves", 600, {}),
    ("parameter_trajectory_2d", 600, {}),
    ("parameter_trajectory_3d", 600, {}),
    ("parameter_trajectory_pc3", 600, {}),
    ("explained_variance", None, {}),
    ("parameter_velocity", 600, {}),
    ("effective_dimensionality", 600, {}),
    ("singular_value_spectrum", 600, {}),
    ("embedding_frequencies", 1500, {}),
    ("flatness_distribution", 600, {}),
    ("flatness", 600, {}),
)
SIZE = {"width": 800, "height": 520, "scale": 1}
_cache: dict[str, bytes] = {}  # uri -> PNG, kept across rebuilds of `mkdocs serve`


def _script(name: str):
    """A module of ``scripts/`` (they are scripts, not part of the package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _eval_view(vizwidget, out: Path) -> Path:
    """A paired comparison of two models on the same samples, from a per-sample table."""
    import numpy as np
    import pandas as pd

    from vizwidget import evals

    rng = np.random.default_rng(0)
    rows = []
    for task, shift in (("addition", 0.05), ("doubling", 0.12), ("parity", 0.0)):
        for sample in range(60):
            base = rng.random() < 0.55
            for model, better in (("small", False), ("large", True)):
                score = float(base or (better and rng.random() < shift * 4))
                rows.append({"task_name": task, "model": model, "sample_id": sample,
                             "sample_epoch": 1, "score_match": score})
    table = pd.DataFrame(rows)
    figure = evals.paired_difference(table, model_a="small", model_b="large")
    return vizwidget.export_figure(figure, out, provenance=False, **SIZE)


def render_gallery() -> dict[str, bytes]:
    """Train the demo run and render every gallery PNG; returns ``{site path: bytes}``."""
    sys.path.insert(0, str(ROOT / "src"))  # document the checkout being built
    import vizwidget
    from vizwidget.demo import make_variant
    from vizwidget.registry import render_visualization

    started = time.perf_counter()
    images: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="vizwidget-docs-") as tmp:
        variant = make_variant(Path(tmp) / "variant_p59_seed0")
        for name, epoch, options in GALLERY:
            figure = render_visualization(name, variant, epoch, **options)
            path = vizwidget.export_figure(figure, Path(tmp) / "out" / f"{name}.png",
                                           provenance=False, **SIZE)
            images[f"gallery/{name}.png"] = path.read_bytes()
        dark = render_visualization("training_curves", variant, 600)
        path = vizwidget.export_figure(dark, Path(tmp) / "out" / "training_curves_dark.png",
                                       theme="dark", provenance=False, **SIZE)
        images["gallery/training_curves_dark.png"] = path.read_bytes()
        readme = _script("make_readme_image").make_image(variant,
                                                         Path(tmp) / "out" / "dashboard.png")
        images["images/dashboard.png"] = readme.read_bytes()
        runs = {f"p{p}_seed{s}": make_variant(Path(tmp) / f"p{p}_seed{s}", p=p, seed=s,
                                              epochs=300)
                for p, seeds in ((23, (0, 1, 2)), (29, (0, 1))) for s in seeds}
        for path in _script("make_docs_images").make_images(runs, Path(tmp) / "out"):
            images[f"images/{path.name}"] = path.read_bytes()
        paired = _eval_view(vizwidget, Path(tmp) / "out" / "paired_difference.png")
        images["gallery/paired_difference.png"] = paired.read_bytes()
    log.info("gallery: %d images rendered in %.1f s", len(images),
             time.perf_counter() - started)
    return images


def on_files(files, config):
    """Add the rendered PNGs to the site, replacing the committed README picture."""
    from mkdocs.structure.files import File

    if not _cache:
        _cache.update(render_gallery())
    for uri, content in _cache.items():
        old = files.get_file_from_path(uri)
        if old is not None:
            files.remove(old)
        files.append(File.generated(config, uri, content=content))
    return files
