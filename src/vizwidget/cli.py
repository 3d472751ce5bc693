"""The ``vizwidget`` command line: thin commands over the joining verbs and the export core.

Commands: list, export, animate, batch, compare, evals, demo, provenance, reproduce.

Exit codes: 0 success, 1 when anything failed, 2 on bad usage (a one-line error naming the
fix). ``--json`` prints one JSON object on stdout: ``{"command", "ok", "written", "failed",
...}``. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import filecmp
import inspect
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._cli_args import (
    build_parser,
    coerce_setting,
    parse_epochs,
    parse_render_kwargs,
    select_epochs,
)
from .errors import (
    AnalyzerNotFoundError,
    EpochNotFoundError,
    FormatError,
    MissingDependencyError,
    OutputPathError,
    SizeError,
    ThemeError,
    UsageError,
    VariantNotFoundError,
    VisualizationNotFoundError,
    VizWidgetError,
    one_line,
)

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Output:
    """Human lines on stdout/stderr, or one JSON object at the end with ``--json``."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.json = bool(getattr(args, "json", False))
        self.quiet = bool(getattr(args, "quiet", False))
        self.command = getattr(args, "command", None)

    @property
    def progress(self) -> bool:
        """A tqdm bar only for people watching a terminal."""
        return not self.json and not self.quiet and sys.stderr.isatty()

    def line(self, text: str = "") -> None:
        if not self.json and not self.quiet:
            print(text, flush=True)

    def result(self, ok: bool, written: Sequence[Any] = (), failed: Sequence[dict] = (),
               **extra: Any) -> int:
        if self.json:
            payload = {"command": self.command, "ok": ok, "written": [str(p) for p in written],
                       "failed": list(failed), **extra}
            print(json.dumps(payload, indent=1, default=str), flush=True)
        return EXIT_OK if ok else EXIT_FAILED


def _check_render_kwargs(name: str, raw: dict[str, str]) -> dict[str, Any]:
    """``--set`` values checked against the renderer's parameters and their annotations."""
    from .registry import get_visualization, renderer_options

    options = renderer_options(get_visualization(name).fn)
    if options is None:
        return {k: coerce_setting(k, v, inspect.Parameter.empty) for k, v in raw.items()}
    unknown = [k for k in raw if k not in options]
    if unknown:
        raise UsageError(f"{name} has no option {unknown[0]!r}; --set one of: "
                         f"{', '.join(options) or '(none)'}")
    return {k: coerce_setting(k, v, options[k].annotation) for k, v in raw.items()}


# -- commands ---------------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace, out: _Output) -> int:
    from .registry import cross_epochs, visualizations

    loader = None
    if args.variant is not None:
        from .runs import ArtifactLoader

        loader = ArtifactLoader(args.variant)
        present = set(loader.analyzers())
    rows = []
    for vis in visualizations():
        row: dict[str, Any] = {"name": vis.name, "kind": vis.kind,
                               "analyzers": list(vis.analyzers),
                               "description": vis.description, "defaults": vis.defaults}
        if loader is not None:
            has = set(vis.analyzers) <= present
            epochs = cross_epochs(vis, loader) if has else []
            row["available"] = bool(epochs)
            row["epochs"] = ({"first": epochs[0], "last": epochs[-1], "count": len(epochs)}
                             if epochs else None)
        rows.append(row)
    if loader is not None:
        out.line(f"{loader.variant_dir}: analyzers {', '.join(sorted(present)) or 'none'}")
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        text = f"{r['name']:<{width}}  {r['kind']:<11}  {','.join(r['analyzers']):<10}"
        if loader is not None:
            e = r["epochs"]
            span = f"epochs {e['first']}..{e['last']} ({e['count']})" if e else "no data"
            text += f"  {span:<24}"
        out.line(f"{text}  {r['description']}")
    extra: dict[str, Any] = {"visualizations": rows}
    if loader is not None:
        extra["variant"] = str(loader.variant_dir)
    return out.result(True, **extra)


def cmd_export(args: argparse.Namespace, out: _Output) -> int:
    from .verbs import export_variant_visualization

    render_kwargs = _check_render_kwargs(args.name, parse_render_kwargs(args.set))
    path = export_variant_visualization(
        args.variant, args.name, epoch=args.epoch, output_dir=args.out, format=args.format,
        width=args.width, height=args.height, scale=args.scale, theme=args.theme,
        provenance=None if args.provenance else False, **render_kwargs)
    out.line(str(path))
    return out.result(True, [path])


def cmd_animate(args: argparse.Namespace, out: _Output) -> int:
    from ._paths import safe_filename
    from .export import AnimationOptions
    from .formats import ANIMATION_FORMATS, FRAMES_FORMAT, normalize, resolve_output, suffix_for
    from .registry import cross_epochs, get_visualization
    from .runs import ArtifactLoader
    from .verbs import export_animation

    if len(args.variant) > 1:
        return _animate_comparison(args, out)
    vis = get_visualization(args.name)
    render_kwargs = _check_render_kwargs(vis.name, parse_render_kwargs(args.set))
    loader = ArtifactLoader(args.variant[0])
    available = cross_epochs(vis, loader)
    if not available:
        loader.latest_epoch(vis.analyzer)  # raises naming what exists
    chosen = select_epochs(parse_epochs(args.epochs), available)
    fmt = args.format
    if fmt is not None and fmt.lower() != FRAMES_FORMAT:
        fmt = normalize(fmt, ANIMATION_FORMATS)
    if args.out is None:
        stem = f"{safe_filename(vis.name)}_epochs{chosen[0]}-{chosen[-1]}"
        target = Path(loader.variant_dir) / "exports" / stem
        fmt = fmt or "gif"
        path = target if fmt == FRAMES_FORMAT else target.with_name(stem + suffix_for(fmt))
    elif fmt == FRAMES_FORMAT:
        path = Path(args.out)
        if path.suffix:
            raise UsageError(f"--format frames writes a directory, but --out {args.out!r} has a "
                             "suffix; pass --out without a suffix")
    else:
        out_path = Path(args.out)
        if fmt is None and not out_path.suffix:
            fmt = "gif"
        path, fmt = resolve_output(out_path, fmt, ANIMATION_FORMATS)
    t0 = time.perf_counter()
    look = AnimationOptions(args.fps, args.width, args.height, args.scale, theme=args.theme)
    written = export_animation(vis.name, loader.variant_dir, None, path, epochs=chosen,
                               options=look, progress=out.progress,
                               provenance=None if args.provenance else False,
                               **render_kwargs)
    seconds = time.perf_counter() - t0
    out.line(f"{written}  ({len(chosen)} frames, {seconds:.1f} s)")
    return out.result(True, [written], frames=len(chosen), epochs=chosen,
                      seconds=round(seconds, 3))


def _animate_comparison(args: argparse.Namespace, out: _Output) -> int:
    """``vizwidget animate A B ... NAME`` is ``vizwidget compare A B ... --vis NAME`` animated."""
    compare = argparse.Namespace(**{
        **vars(args), "variants": args.variant, "vis": args.name, "labels": None,
        "group_by": None, "layout": None, "epoch": None,
        "epochs": args.epochs or ":", "format": args.format or "gif"})
    return cmd_compare(compare, out)


def cmd_batch(args: argparse.Namespace, out: _Output) -> int:
    from .batch import export_batch
    from .export import ImageOptions
    from .runs import ArtifactLoader

    for variant in args.variants:  # a folder that is no run is bad usage, not a failed job
        if not _GLOB_CHARS & set(variant):
            ArtifactLoader(variant)

    vis = ([n for group in args.vis for item in group for n in item.split(",") if n]
           if args.vis else None)
    client = None
    executor = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError as err:
            raise MissingDependencyError(
                "--scheduler needs Dask.\nInstall it with: pip install 'vizwidget[dask]'"
            ) from err
        try:
            client = Client(args.scheduler, timeout=args.connect_timeout)
        except OSError as err:
            raise UsageError(f"cannot reach the Dask scheduler at {args.scheduler!r} "
                             f"({err}); check the address, e.g. tcp://host:8786") from err
        executor = client.get_executor()
    try:
        image = ImageOptions(args.width, args.height, args.scale, args.theme)
        result = export_batch(args.variants, vis, args.formats, args.out, epoch=args.epoch,
                              image=image, jobs=executor or args.jobs,
                              progress=out.progress, compare=args.compare,
                              provenance=None if args.provenance else False)
    finally:
        if client is not None:
            client.close()
    for r in result.failed:
        out.line(f"FAILED {r.label} {r.visualization} {r.format}: {r.error}")
    out.line(f"{len(result.succeeded)} written, {len(result.failed)} failed in "
             f"{result.seconds:.1f} s ({args.jobs if executor is None else 'dask'} worker(s))")
    return _report_result(out, result)


def _compared_variants(args: argparse.Namespace, variants_class: Any) -> Any:
    """The variant folders given, or the runs of ``--mlflow URI --experiment NAME``."""
    uri = getattr(args, "mlflow", None)
    if uri is None:
        if not args.variants:
            raise UsageError("compare needs variant directories, or --mlflow URI "
                             "--experiment NAME")
        return variants_class(args.variants, labels=args.labels, group_by=args.group_by)
    if args.variants or not args.experiment:
        raise UsageError("--mlflow takes --experiment NAME and no variant directories; "
                         "e.g. --mlflow sqlite:///mlflow.db --experiment sweep")
    return variants_class.from_mlflow(uri, args.experiment, filter_string=args.filter,
                                      labels=args.labels, group_by=args.group_by,
                                      cache_dir=args.cache_dir)


def cmd_compare(args: argparse.Namespace, out: _Output) -> int:
    from ._paths import safe_filename
    from .compare import Variants, export_comparison, export_comparison_animation
    from .formats import resolve_output
    from .registry import get_visualization

    vis = get_visualization(args.vis)
    render_kwargs = _check_render_kwargs(vis.name, parse_render_kwargs(args.set))
    variants = _compared_variants(args, Variants)
    fmt = args.format.lower() if args.format else None
    target = Path(args.out) if args.out else None
    if fmt is None and target is not None and target.suffix:
        fmt = target.suffix[1:].lower()
    animate = args.epochs is not None or fmt in ("gif", "mp4", "webm")
    fmt = fmt or ("gif" if animate else "png")
    if target is None:
        target = Path(f"comparison_{safe_filename(vis.name)}.{fmt}")
    t0 = time.perf_counter()
    if animate:
        from .export import AnimationOptions
        from .formats import ANIMATION_FORMATS

        path, _ = resolve_output(target, fmt, ANIMATION_FORMATS)
        epochs = None
        if args.epochs is not None:
            epochs = select_epochs(parse_epochs(args.epochs), variants.sweep_epochs(vis))
        look = AnimationOptions(args.fps, args.width, args.height, args.scale,
                                theme=args.theme)
        written = export_comparison_animation(variants, vis, path, epochs, args.layout,
                                              options=look, progress=out.progress,
                                              **render_kwargs)
    else:
        written = export_comparison(variants, vis, target, args.epoch, args.layout,
                                    format=fmt, width=args.width, height=args.height,
                                    scale=args.scale, theme=args.theme, **render_kwargs)
    seconds = time.perf_counter() - t0
    out.line(f"{written}  ({len(variants)} variants, {seconds:.1f} s)")
    return out.result(True, [written], variants=variants.labels,
                      groups=list(variants.groups), seconds=round(seconds, 3))


def cmd_demo(args: argparse.Namespace, out: _Output) -> int:
    from .demo_tour import run_demo

    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        raise UsageError(f"--seeds {args.seeds!r} is not a list of integers.\n"
                         "Pass comma-separated seeds, e.g. --seeds 0,1,2.") from None
    if not seeds:
        raise UsageError("--seeds is empty.\nPass comma-separated seeds, e.g. --seeds 0,1,2.")
    demo = run_demo(args.dir, p=args.p, seeds=seeds, epochs=args.epochs,
                    formats=[f for f in args.formats.split(",") if f.strip()], log=out.line)
    batch = demo.batch
    for r in batch.failed:
        out.line(f"FAILED {r.visualization} {r.format}: {r.error}")
    out.line(f"{len(batch.succeeded)} files in {batch.out_dir} ({demo.seconds:.1f} s):")
    for role, path in demo.files.items():
        out.line(f"  {role:<36} {path.resolve()}")
    out.line(f"  {'gallery':<36} {batch.index}")
    out.line(f"  {'report':<36} {batch.report}")
    out.line("next:")
    out.line(f"  1. open {batch.index} in a browser")
    out.line("  2. make lab    explore the same runs in the widget and the Dashboard")
    out.line("  3. vizwidget --help")
    written = [*batch.written, batch.index, batch.report]
    return out.result(demo.ok, written, [r.to_dict() for r in batch.failed],
                      runs=[str(r) for r in demo.runs], index=str(batch.index),
                      report=str(batch.report), seconds=round(demo.seconds, 3))


def _report_result(out: _Output, report: Any) -> int:
    """Name a batch or eval report's gallery and Markdown report; the run's result."""
    out.line(f"gallery: {report.index}")
    out.line(f"report:  {report.report}")
    data = report.to_dict()
    data.pop("ok")
    written, failed = data.pop("written"), data.pop("failed")
    return out.result(report.ok, written, failed, **data)


def cmd_evals(args: argparse.Namespace, out: _Output) -> int:
    from .errors import EvalTableError
    from .evals import export_eval_report, read_eval_table
    from .export import ImageOptions
    from .scores import TableSpec, resolve

    try:
        table = read_eval_table(args.source)
    except EvalTableError as err:  # no logs in the folder, not a table: the wrong input
        raise UsageError(one_line(err)) from err
    try:
        resolve(table, TableSpec(score_value=args.metric))
    except EvalTableError as err:
        raise UsageError(" ".join(str(err).split("\n"))) from err
    report = export_eval_report(table, args.out, formats=args.formats,
                                columns=TableSpec(score_value=args.metric), ci=args.ci,
                                image=ImageOptions(args.width, args.height, args.scale,
                                                   args.theme),
                                paired=args.paired, samples=args.source if args.paired else None)
    for v in report.skipped:
        out.line(f"skipped {v.name}: {v.reason}")
    for v in report.failed:
        out.line(f"FAILED {v.name}: {v.reason}")
    out.line(f"{len(report.written)} files, {len(report.skipped)} views skipped, "
             f"{len(report.failed)} failed in {report.seconds:.1f} s")
    return _report_result(out, report)


def cmd_provenance(args: argparse.Namespace, out: _Output) -> int:
    from .provenance import read_provenance

    record = read_provenance(args.file)
    if not out.json:
        out.line(json.dumps(record, indent=1, sort_keys=True))
    return out.result(True, provenance=record)


def cmd_reproduce(args: argparse.Namespace, out: _Output) -> int:
    from .reproduction import reproduce

    original = Path(args.file)
    path = reproduce(original, args.out)  # refuses non-regular files and hostile records
    same = (original.is_file() and path.is_file()
            and filecmp.cmp(original, path, shallow=False))  # streamed, not read whole
    out.line(f"{path}  ({'byte-identical' if same else 'differs'} to {original})")
    return out.result(True, [path], identical=same)


COMMANDS = {"list": cmd_list, "export": cmd_export, "animate": cmd_animate,
            "batch": cmd_batch, "compare": cmd_compare, "demo": cmd_demo, "evals": cmd_evals,
            "provenance": cmd_provenance, "reproduce": cmd_reproduce}


# -- entry point ------------------------------------------------------------------------------
#: Errors that mean the command was asked for something impossible (exit code 2).
USAGE_ERRORS = (UsageError, FormatError, SizeError, ThemeError, VariantNotFoundError,
                AnalyzerNotFoundError, EpochNotFoundError, VisualizationNotFoundError,
                OutputPathError)


#: API keywords in error messages and the flags a command-line user types instead.
_FLAGS = {"output_dir": "--out", "out_dir": "--out", "epochs": "--epochs", "epoch": "--epoch",
          "format": "--format", "fps": "--fps", "scale": "--scale", "width": "--width",
          "height": "--height", "theme": "--theme", "jobs": "--jobs"}
_KEYWORD = re.compile(r"\b(" + "|".join(_FLAGS) + r")=(?=\S)?")


def _cli_wording(message: str) -> str:
    """An API error message in command-line terms ("Pass output_dir=" -> "Pass --out")."""
    return _KEYWORD.sub(lambda m: _FLAGS[m.group(1)] + " ", message).replace("  ", " ")


def _fail(out: _Output | None, prog: str, message: str, code: int, json_mode: bool) -> int:
    message = _cli_wording(message)
    print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
    if json_mode:
        command = out.command if out is not None else None
        print(json.dumps({"command": command, "ok": False, "written": [], "failed": [],
                          "error": message, "exit_code": code}, indent=1), flush=True)
    return code


#: The path arguments of each command, checked before it runs, and what each should be.
_INPUTS = {"list": ("variant", "the directory of a training run"),
           "export": ("variant", "the directory of a training run"),
           "animate": ("variant", "the directory of a training run"),
           "batch": ("variants", "the directory of a training run"),
           "compare": ("variants", "the directory of a training run"),
           "evals": ("source", "an eval table (.csv, .json) or inspect-ai logs (a .eval file "
                     "or their directory)"),
           "provenance": ("file", "a file vizwidget wrote"),
           "reproduce": ("file", "a file vizwidget wrote")}
_GLOB_CHARS = frozenset("*?[")


def _check_inputs(args: argparse.Namespace) -> None:
    """Missing paths and empty folders are bad usage, named before any work starts."""
    attr, wanted = _INPUTS.get(args.command, (None, ""))
    value = getattr(args, attr, None) if attr else None
    for text in [value] if isinstance(value, str) else (value or []):
        if _GLOB_CHARS & set(text):
            continue  # a pattern: the command says when it matches nothing
        path = Path(text).expanduser()
        if not path.exists():
            raise UsageError(f"{text!r} does not exist; pass {wanted}")
        if path.is_dir() and next(os.scandir(path), None) is None:
            raise UsageError(f"{text!r} is an empty folder; pass {wanted}")


def _closed_pipe() -> int:
    """stdout's reader went away (``| head``): stop quietly, as the Python docs advise."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the flush at exit must not raise again
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``vizwidget`` command line; returns the exit code."""
    try:
        return _main(argv)
    except BrokenPipeError:
        return _closed_pipe()


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    json_mode = "--json" in argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as err:  # argparse errors, one line each
        return _fail(None, "vizwidget", str(err), EXIT_USAGE, json_mode)
    except SystemExit as exit_:  # --help / --version
        return int(exit_.code or 0)
    out = _Output(args)
    prog = f"vizwidget {args.command}"
    try:
        _check_inputs(args)
        return COMMANDS[args.command](args, out)
    except BrokenPipeError:
        raise  # main() ends quietly
    except KeyboardInterrupt:
        if args.debug:
            raise
        return _fail(out, prog, "interrupted", 130, json_mode)
    except Exception as err:
        if args.debug:
            raise
        if isinstance(err, USAGE_ERRORS):
            return _fail(out, prog, one_line(err), EXIT_USAGE, json_mode)
        message = one_line(err)
        if not isinstance(err, VizWidgetError):
            message = f"{type(err).__name__}: {message} (run with --debug for the traceback)"
        return _fail(out, prog, message, EXIT_FAILED, json_mode)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
