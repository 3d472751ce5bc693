"""Argument parsing of the ``vizwidget`` command: the parser, epoch specs, ``--set`` values."""

from __future__ import annotations

import argparse
import inspect
import json
import re
from collections.abc import Sequence
from typing import Any, NoReturn

from ._epochs import epochs_in_range
from ._version import __version__
from .errors import UsageError

__all__ = ["UsageError", "build_parser", "coerce_setting", "parse_epochs", "parse_render_kwargs",
           "select_epochs"]


class _Parser(argparse.ArgumentParser):
    """argparse that raises one-line UsageErrors instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}; see '{self.prog} --help'")


def _positive(kind: type):
    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value <= 0:
            noun = "integer" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"must be a positive {noun}, got {text!r}")
        return value

    convert.__name__ = f"positive {kind.__name__}"
    return convert


def _epoch(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an epoch number (0 or more), got {text!r}")
    return value


def _add_common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output")
    g.add_argument("--json", action="store_true",
                   help="print one JSON object (paths written, failures with reasons)")
    g.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    g.add_argument("--debug", action="store_true", help="show tracebacks of failures")


def _add_image(p: argparse.ArgumentParser, scale: float = 2) -> None:
    g = p.add_argument_group("image")
    g.add_argument("--width", type=_positive(int), default=1200, help="CSS pixels (1200)")
    g.add_argument("--height", type=_positive(int), default=800, help="CSS pixels (800)")
    g.add_argument("--scale", type=_positive(float), default=scale,
                   help=f"pixel density of raster output ({scale:g})")
    g.add_argument("--theme", default=None, help="default, dark or publication")
    g.add_argument("--no-provenance", dest="provenance", action="store_false",
                   help="embed no provenance record (versions, variant, artifact hashes, "
                   "epochs, options) in the written files")


def build_parser() -> argparse.ArgumentParser:
    """The ``vizwidget`` parser with its sub-commands."""
    parser = _Parser(prog="vizwidget",
                     description="Export Plotly visualizations of training runs.")
    parser.add_argument("--version", action="version", version=f"vizwidget {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("list", help="list the visualizations (and what a variant has data for)",
                       description="List registered visualizations: name, kind, analyzer(s) "
                       "and description; with VARIANT_DIR, which have data and their epochs.")
    p.add_argument("variant", nargs="?", metavar="VARIANT_DIR")
    _add_common(p)

    p = sub.add_parser("export", help="export one visualization of a variant as a still file",
                       description="Render one visualization of a variant to a file, by "
                       "default VARIANT_DIR/exports/NAME[_epochN].png.")
    p.add_argument("variant", metavar="VARIANT_DIR")
    p.add_argument("name", metavar="NAME", help="a visualization name (see 'vizwidget list')")
    p.add_argument("--epoch", type=_epoch, default=None,
                   help="epoch shown (per-epoch, default latest) or highlighted (cross-epoch)")
    p.add_argument("--format", default="png",
                   help="png (default), jpeg, webp, svg, pdf, html or json")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output directory (default VARIANT_DIR/exports)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="renderer option, value parsed as JSON (e.g. --set log_y=false); repeat")
    _add_image(p)
    _add_common(p)

    p = sub.add_parser("animate", help="animate a visualization over epochs",
                       description="Animate a visualization over its epochs: a per-epoch one "
                       "shows each epoch, a cross-epoch one moves its highlight. Several "
                       "variants animate their comparison (as `vizwidget compare`).")
    p.add_argument("variant", metavar="VARIANT_DIR", nargs="+")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--epochs", default=None, metavar="SPEC",
                   help="START:STOP[:STEP] (STOP included; with STEP one frame per STEP "
                   "epochs, at the nearest checkpoint) or a list 100,200,300; default all")
    p.add_argument("--fps", type=_positive(float), default=5.0, help="frames per second (5)")
    p.add_argument("--format", default=None,
                   help="gif (default), mp4, webm, webp, png (APNG), html, or frames "
                   "(a directory of PNGs); default from the --out suffix")
    p.add_argument("--out", metavar="FILE", default=None,
                   help="output file (default VARIANT_DIR/exports/NAME_epochsA-B.gif)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="renderer option, value parsed as JSON; repeat")
    _add_image(p, scale=1)
    _add_common(p)

    p = sub.add_parser("batch", help="export many variants x visualizations x formats, "
                       "with a gallery",
                       description="Export every visualization of every variant in each "
                       "format, then write OUT/index.html (gallery) and OUT/report.md. "
                       "Failed jobs are listed; exit code 1 if any failed.")
    p.add_argument("variants", nargs="+", metavar="VARIANT_DIR")
    p.add_argument("--vis", action="append", nargs="+", metavar="NAME",
                   help="visualizations (default: every one the variant has data for)")
    p.add_argument("--formats", default="png", help="comma-separated, e.g. png,svg (png)")
    p.add_argument("--out", metavar="DIR", default="exports", help="output directory (exports)")
    p.add_argument("--epoch", type=_epoch, default=None,
                   help="epoch of per-epoch figures (default latest), highlight of the others")
    p.add_argument("--jobs", "-j", type=_positive(int), default=1,
                   help="worker processes, each with its own warm Chromium (1)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                   "(needs vizwidget[dask]; paths must be shared with the workers)")
    p.add_argument("--connect-timeout", type=_positive(float), default=10.0,
                   help=argparse.SUPPRESS)
    p.add_argument("--no-compare", dest="compare", action="store_false",
                   help="with several variants, skip the comparison figures")
    _add_image(p)
    _add_common(p)

    p = sub.add_parser("compare", help="compare one visualization across variants",
                       description="One figure of a visualization over several variants: "
                       "overlays (one line per variant, or per group mean ± std), one joint "
                       "PCA basis for parameter trajectories, else one panel per variant. "
                       "Each variant shows its checkpoint nearest to --epoch. An animation "
                       "format (gif, mp4, webm) or --epochs sweeps the epoch.")
    p.add_argument("variants", nargs="*", metavar="VARIANT",
                   help="variant directories or glob patterns (quote them: 'runs/p*_seed*')")
    p.add_argument("--mlflow", default=None, metavar="URI",
                   help="compare the runs of an MLflow store instead (sqlite:///mlflow.db, "
                   "http://host:5000 or an mlruns folder; needs vizwidget[mlflow])")
    p.add_argument("--experiment", default=None, metavar="NAME",
                   help="the MLflow experiment (with --mlflow)")
    p.add_argument("--filter", default=None, metavar="FILTER",
                   help="MLflow search filter, e.g. \"params.optimizer = 'adam'\"")
    p.add_argument("--cache-dir", default=None, metavar="DIR",
                   help="where MLflow runs are written as run folders "
                   "(default ~/.cache/vizwidget/mlflow)")
    p.add_argument("--vis", required=True, metavar="NAME", help="a visualization name")
    p.add_argument("--epoch", type=_epoch, default=None,
                   help="epoch shown or highlighted (default: latest common to all)")
    p.add_argument("--epochs", default=None, metavar="SPEC",
                   help="animate over START:STOP[:STEP] or a list 100,200 (default all "
                   "common epochs when --format is an animation format)")
    p.add_argument("--group-by", default=None, metavar="KEY",
                   help="config.json key whose runs form one group (mean and a named band)")
    p.add_argument("--labels", default=None, metavar="TEMPLATE",
                   help="label template from config.json keys and {name}, e.g. '{p}-s{seed}'")
    p.add_argument("--layout", default=None, choices=("overlay", "joint", "small_multiples"),
                   help="default: overlay / joint / small_multiples by visualization")
    p.add_argument("--format", default=None,
                   help="png (default), jpeg, webp, svg, pdf, html, json; gif, mp4 or webm "
                   "animate; default from the --out suffix")
    p.add_argument("--out", metavar="FILE", default=None,
                   help="output file (default comparison_NAME.FORMAT)")
    p.add_argument("--fps", type=_positive(float), default=5.0, help="animation fps (5)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="renderer option, value parsed as JSON; repeat")
    _add_image(p)
    _add_common(p)

    p = sub.add_parser("demo", help="train three demo runs and show every kind of output",
                       description="Train three seeds of a tiny numpy modular-addition run "
                       "into DIR/runs and write to DIR/exports: the single-run gallery, an "
                       "animation, comparison figures, a Dashboard grid (PNG and offline HTML), "
                       "index.html and report.md.")
    p.add_argument("dir", nargs="?", default="demo-run", metavar="DIR",
                   help="directory for the runs and their exports (demo-run)")
    p.add_argument("--formats", default="png", help="comma-separated still formats (png)")
    p.add_argument("--p", type=_positive(int), default=59, help="modulus (59)")
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (0,1,2)")
    p.add_argument("--epochs", type=_positive(int), default=1500, help="training epochs (1500)")
    _add_common(p)

    p = sub.add_parser("evals", help="export every eval-score view of a table or inspect-ai "
                       "logs, with a report",
                       description="Read an eval table (.csv, .json) or inspect-ai logs (a .eval "
                       "file or a directory) and write every applicable view, OUT/index.html "
                       "and OUT/report.md (model comparison, best model per task, skipped "
                       "and failed views). Exit code 1 if a view failed.")
    p.add_argument("source", metavar="LOGS_OR_TABLE")
    p.add_argument("--out", metavar="DIR", default="eval-report",
                   help="output directory (eval-report)")
    p.add_argument("--formats", default="html,png", help="comma-separated (html,png)")
    p.add_argument("--metric", default=None, metavar="COLUMN",
                   help="score column of the main views (default: the headline score)")
    p.add_argument("--ci", type=_positive(float), default=0.95,
                   help="confidence level of the intervals, between 0 and 1 (0.95)")
    p.add_argument("--paired", nargs=2, default=None, metavar=("MODEL_A", "MODEL_B"),
                   help="also compare two models on the same samples (B - A, paired CI; "
                   "needs inspect-ai logs or a sample table)")
    _add_image(p)
    _add_common(p)

    p = sub.add_parser("provenance", help="show where an exported file came from",
                       description="Print the provenance record vizwidget stored in FILE: "
                       "versions, visualization, variant, artifact hashes, epochs, options.")
    p.add_argument("file", metavar="FILE")
    _add_common(p)

    p = sub.add_parser("reproduce", help="render an exported file again from its record",
                       description="Re-render FILE from its provenance record; fails naming "
                       "the artifact when one changed or is missing.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--out", default=None,
                   help="output path (default: FILE.reproduced.EXT beside FILE)")
    _add_common(p)
    return parser


# -- values -----------------------------------------------------------------------------------
_EPOCHS_HINT = "use START:STOP[:STEP] such as 0:1500:100, or a list such as 100,200,300"


def parse_epochs(spec: str | None) -> tuple[int | None, int | None, int | None] | list[int] | None:
    """``"A:B[:S]"`` -> ``(A, B, S)`` (parts may be empty), ``"1,2"`` -> ``[1, 2]``."""
    if spec is None:
        return None
    text = spec.strip()
    try:
        if ":" in text:
            parts = text.split(":")
            if len(parts) > 3:
                raise ValueError
            a, b, s = ([int(x) if x.strip() else None for x in parts] + [None])[:3]
            if any(v is not None and v < 0 for v in (a, b)) or (s is not None and s <= 0):
                raise ValueError
            return a, b, s
        values = [int(x) for x in text.split(",") if x.strip()]
        if not values or any(v < 0 for v in values):
            raise ValueError
        return values
    except ValueError:
        raise UsageError(f"--epochs {spec!r} is not valid; {_EPOCHS_HINT}") from None


def _span(epochs: Sequence[int]) -> str:
    return f"{epochs[0]}..{epochs[-1]} ({len(epochs)} epochs)" if epochs else "none"


def select_epochs(spec: Any, available: Sequence[int]) -> list[int]:
    """The epochs a parsed spec picks from ``available``.

    ``START:STOP`` keeps the available epochs in ``[START, STOP]``; with ``:STEP`` it takes, for
    each of ``START, START+STEP, ... <= STOP``, the nearest available epoch in that range (ties:
    the earlier; so non-uniform checkpoint schedules still give one frame per step), in
    O(available epochs) whatever the range. A list must name existing epochs.
    """
    available = sorted(available)
    if spec is None:
        return list(available)
    if isinstance(spec, list):
        missing = sorted(set(spec) - set(available))
        if missing:
            shown = ", ".join(map(str, missing[:5]))
            raise UsageError(f"epoch(s) {shown} not in this variant (available: "
                             f"{_span(available)}); use a range such as "
                             f"{available[0]}:{available[-1]}:100 to pick existing epochs")
        return sorted(set(spec))
    chosen = epochs_in_range(available, *spec)
    if not chosen:
        raise UsageError(f"--epochs selects no epoch of this variant (available: "
                         f"{_span(available)}); {_EPOCHS_HINT}")
    return chosen


_WORDS = {"True": True, "False": False, "None": None, "true": True, "false": False,
          "null": None}
#: Annotation names that accept a JSON value of each Python type.
_ACCEPTS = {bool: {"bool"}, int: {"int", "float", "complex"}, float: {"float", "complex"},
            str: {"str"}, list: {"list", "tuple", "Sequence", "Iterable", "Collection"},
            dict: {"dict", "Mapping"}, type(None): {"None", "Optional"}}
_KNOWN = set().union(*_ACCEPTS.values())


def parse_render_kwargs(items: Sequence[str]) -> dict[str, str]:
    """``["log_y=false", "group=W_E"]`` -> ``{"log_y": "false", "group": "W_E"}`` (raw text)."""
    raw_values: dict[str, str] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise UsageError(f"--set {item!r} is not KEY=VALUE; write e.g. --set log_y=false")
        raw_values[key] = raw.strip()
    return raw_values


def _annotation_names(annotation: Any) -> set[str]:
    if annotation is inspect.Parameter.empty:
        return set()
    text = annotation if isinstance(annotation, str) else getattr(
        annotation, "__name__", str(annotation))
    return set(re.findall(r"[A-Za-z_]\w*", text))


def coerce_setting(key: str, raw: str, annotation: Any) -> Any:
    """The value of ``--set key=raw`` for a renderer parameter annotated ``annotation``.

    Values are JSON (``true``, ``3``, ``[1, 2]``, ``"text"``); plain text is accepted only
    where the parameter is annotated ``str``. Where the annotation names simple types, the
    value must be one of them.
    """
    names = _annotation_names(annotation)
    takes_str = "str" in names
    if raw in _WORDS:
        value = _WORDS[raw]
    else:
        try:
            value = json.loads(raw)
        except ValueError:
            if takes_str:
                return raw
            raise UsageError(f"--set {key}={raw} is not a JSON value; write numbers, true/false, "
                             f"[lists] or quoted text such as --set {key}='\"{raw}\"'") from None
    if isinstance(value, str) or not (names & _KNOWN) or "Any" in names:
        return value
    if takes_str and not isinstance(value, (list, dict)):
        return raw
    kind = bool if isinstance(value, bool) else type(value)
    if not names & _ACCEPTS.get(kind, set()):
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__",
                                                                      annotation)
        raise UsageError(f"--set {key}={raw} gives a {kind.__name__}, but {key} takes {text}; "
                         "pass a value of that type")
    return value
