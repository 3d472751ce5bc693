"""Make docs/images/dashboard.png: a 2x2 Dashboard grid of the demo run, written by export_figure.

Usage: ``python scripts/make_readme_image.py [OUTPUT.png] [--variant DIR]``. Without
``--variant`` the demo run is trained in a temporary directory (a few seconds). The docs
build (docs/hooks/gallery.py) calls :func:`make_image` with the variant it already made.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import vizwidget
from vizwidget.demo import make_variant

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "images" / "dashboard.png"
PANELS = ("training_curves", "parameter_trajectory_2d", "singular_value_spectrum",
          "flatness_distribution")
EPOCH = 600  # the run has begun to generalise: the trajectory bends, test accuracy rises


def make_image(variant_dir: str | Path, output: str | Path = DEFAULT_OUTPUT) -> Path:
    """Write the README's Dashboard picture of ``variant_dir`` to ``output``.

    Parameters
    ----------
    variant_dir : str or Path
        A demo variant (``vizwidget.demo.make_variant``).
    output : str or Path
        The PNG to write (parents are created).

    Returns
    -------
    Path
        The written file.
    """
    dashboard = vizwidget.Dashboard([(name, str(variant_dir)) for name in PANELS], columns=2)
    figure = dashboard.figure(EPOCH)
    return vizwidget.export_figure(figure, output, width=1120, height=840, scale=1,
                                   provenance=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--variant", help="an existing demo variant directory")
    args = parser.parse_args(argv)
    if args.variant:
        print(make_image(args.variant, args.output))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        print(make_image(make_variant(Path(tmp) / "variant_p59_seed0"), args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
