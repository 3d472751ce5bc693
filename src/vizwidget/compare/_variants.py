"""A labelled, optionally grouped set of variant directories, and epoch alignment across it."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._epochs import nearest_epoch
from .._paths import run_labels
from .._templates import format_template
from ..errors import (
    AnalyzerNotFoundError,
    ArtifactError,
    ComparisonError,
    EpochNotFoundError,
    RendererError,
    UsageError,
    VariantNotFoundError,
)
from ..figures import as_figure_dict
from ..registry import (
    Visualization,
    cross_epochs,
    load_data,
    render_figure,
    render_visualization,
)
from ..runs import ArtifactLoader
from ..runs.trackers import mlflow_runs

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["Member", "Variants", "as_variants"]

Paths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Member:
    """One variant of a :class:`Variants` set.

    Attributes
    ----------
    label : str
        Unique name used in legends and panel titles.
    path : pathlib.Path
        The variant directory.
    loader : ArtifactLoader
        Reads its artifacts.
    config : dict
        Its ``config.json`` (empty when absent).
    group : str or None
        Its group label when the set is grouped.
    source : dict or None
        Where a tracked run came from (tracker, store, experiment, run id and name), for
        runs read from an experiment tracker; None for folders.
    """

    label: str
    path: Path
    loader: ArtifactLoader = field(repr=False)
    config: dict[str, Any] = field(repr=False, default_factory=dict)
    group: str | None = None
    source: dict[str, Any] | None = field(repr=False, default=None)


def _expand(dirs_or_glob: Paths) -> list[Path]:
    items = [dirs_or_glob] if isinstance(dirs_or_glob, (str, os.PathLike)) else dirs_or_glob
    paths: list[Path] = []
    for item in items:
        text = os.path.expanduser(os.fspath(item))
        if _GLOB_CHARS & set(text):
            found = sorted(Path(p) for p in glob.glob(text) if Path(p).is_dir())
            if not found:
                raise VariantNotFoundError(
                    f"No variant directory matches {text!r}.\n"
                    "Check the pattern, e.g. 'runs/p*_seed*', or list the directories.")
            paths.extend(found)
        else:
            paths.append(Path(text))
    unique = list(dict.fromkeys(p.resolve() for p in paths))
    if not unique:
        raise VariantNotFoundError("No variant directories given.\n"
                                   "Pass a list of variant directories or a glob pattern.")
    return unique


def _format_label(template: str, path: Path, config: dict) -> str:
    try:
        return format_template(template, {**config, "name": path.name})
    except UsageError:
        raise
    except (KeyError, IndexError, ValueError, TypeError) as err:
        raise ComparisonError(
            f"Label template {template!r} does not fit variant {path.name!r}: {err}.\n"
            f"Use {{name}} or keys of its config.json: {', '.join(sorted(config)) or 'none'}."
        ) from err


def _labels(labels: Any, paths: list[Path], configs: list[dict]) -> list[str]:
    if labels is None:
        names = run_labels(paths)
    elif isinstance(labels, str):
        names = [_format_label(labels, p, c) for p, c in zip(paths, configs, strict=True)]
    elif callable(labels):
        names = [str(labels(p, c)) for p, c in zip(paths, configs, strict=True)]
    else:
        names = [str(x) for x in labels]
        if len(names) != len(paths):
            raise ComparisonError(f"Got {len(names)} labels for {len(paths)} variants.\n"
                                  "Pass one label per variant, a template or None.")
    seen: dict[str, Path] = {}
    for name, path in zip(names, paths, strict=True):
        if name in seen:
            raise ComparisonError(
                f"Variants {str(seen[name])!r} and {str(path)!r} both get the label {name!r}.\n"
                "Use labels= with keys that tell them apart, e.g. '{p}-s{seed}'.")
        seen[name] = path
    return names


def _group(group_by: Any, label: str, config: dict) -> str | None:
    if group_by is None:
        return None
    if callable(group_by):
        return str(group_by(label, config))
    if group_by not in config:
        raise ComparisonError(
            f"Variant {label!r} has no config key {group_by!r} to group by.\n"
            f"Its config.json has: {', '.join(sorted(config)) or 'nothing'}; "
            "pass group_by= one of those or a callable.")
    return f"{group_by}={config[group_by]}"


class Variants:
    """Several variant directories compared together.

    Parameters
    ----------
    dirs_or_glob : str, path, or sequence of them
        Variant directories; any item with ``*``, ``?`` or ``[`` is a glob pattern
        (matches sorted, directories only).
    labels : None, str, callable or sequence of str, optional
        None: directory names. A template formatted with the variant's ``config.json`` keys
        and ``{name}`` (the directory name), e.g. ``"p{p}-s{seed}"``. A callable
        ``labels(path, config) -> str``. Or one explicit label per variant.
    group_by : str or callable, optional
        A ``config.json`` key (groups are labelled ``"key=value"``), or a callable
        ``group_by(label, config)``: variants with the same value form a group, e.g. the
        seeds of one setting.

    Raises
    ------
    VariantNotFoundError
        A directory is missing or a pattern matches nothing.
    ComparisonError
        Labels collide, or a label/group key is missing from a variant's config; the
        message names the variant.

    Examples
    --------
    >>> runs = Variants("runs/p*_seed*", labels="p{p}-s{seed}", group_by="p")  # doctest: +SKIP
    >>> runs.groups                                                            # doctest: +SKIP
    {'p=59': [Member('p59-s0', ...), Member('p59-s1', ...)], 'p=61': [...]}
    """

    def __init__(self, dirs_or_glob: Paths, labels: Any = None,
                 group_by: str | Callable[[str, dict], Any] | None = None) -> None:
        paths = _expand(dirs_or_glob)
        loaders = [ArtifactLoader(p) for p in paths]
        configs = [loader.config() for loader in loaders]
        names = _labels(labels, paths, configs)
        self.group_by = group_by
        self.members: tuple[Member, ...] = tuple(
            Member(label=n, path=ld.variant_dir, loader=ld, config=c,
                   group=_group(group_by, n, c))
            for n, ld, c in zip(names, loaders, configs, strict=True))

    @classmethod
    def from_mlflow(cls, tracking_uri: str | os.PathLike[str], experiment: str, *,
                    filter_string: str | None = None, labels: Any = None,
                    group_by: str | Callable[[str, dict], Any] | None = None,
                    cache_dir: str | os.PathLike[str] | None = None,
                    checkpoints: bool = True) -> Variants:
        """The runs of an MLflow experiment as variants (needs ``vizwidget[mlflow]``).

        Each run becomes a run folder under ``cache_dir`` (``config.json`` from its params
        and tags, numeric-looking values as numbers, plus ``run_name`` and ``run_id``;
        ``metrics.csv`` with every logged step of every metric; checkpoint artifacts), so
        every comparison, export and the Dashboard read it like any run folder.

        Parameters
        ----------
        tracking_uri : str or path
            ``sqlite:///…``, ``http(s)://…`` or an ``mlruns`` folder.
        experiment : str
            Experiment name (or id).
        filter_string : str, optional
            MLflow search filter, e.g. ``"params.optimizer = 'adam'"``.
        labels, group_by
            As for :class:`Variants`, over the run's config (default labels: run names).
        cache_dir : str or path, optional
            Where run folders are written (default ``~/.cache/vizwidget/mlflow/<hash>``).
        checkpoints : bool, default True
            Download checkpoint artifacts (once per file).

        Raises
        ------
        MissingDependencyError
            mlflow is not installed.
        VariantNotFoundError
            Missing store, unknown experiment, or no matching run.
        """
        runs = mlflow_runs(tracking_uri, experiment, filter_string=filter_string,
                           cache_dir=cache_dir, checkpoints=checkpoints)
        if labels is None:
            names = [r.run_name for r in runs]
            labels = [n if names.count(n) == 1 else f"{n} ({r.run_id[:8]})"
                      for n, r in zip(names, runs, strict=True)]
        variants = cls([r.path for r in runs], labels=labels, group_by=group_by)
        variants.members = tuple(replace(m, source=r.source)
                                 for m, r in zip(variants.members, runs, strict=True))
        return variants

    def __repr__(self) -> str:
        return f"Variants({', '.join(self.labels)})"

    def __len__(self) -> int:
        return len(self.members)

    def __iter__(self) -> Iterator[Member]:
        return iter(self.members)

    def __getitem__(self, key: int | str) -> Member:
        if isinstance(key, str):
            for m in self.members:
                if m.label == key:
                    return m
            raise KeyError(f"No variant labelled {key!r}; labels: {', '.join(self.labels)}.")
        return self.members[key]

    @property
    def labels(self) -> list[str]:
        """The variants' labels, in order."""
        return [m.label for m in self.members]

    @property
    def paths(self) -> list[Path]:
        """The variants' directories, in order (a Dashboard takes the set itself)."""
        return [m.path for m in self.members]

    @property
    def groups(self) -> dict[str, list[Member]]:
        """Group label -> members, in order of first appearance; ``{}`` when ungrouped."""
        out: dict[str, list[Member]] = {}
        for m in self.members:
            if m.group is not None:
                out.setdefault(m.group, []).append(m)
        return out

    # -- data through the registry's single runner -------------------------------------------
    def require(self, vis: Visualization) -> None:
        """Raise naming the first variant that lacks an analyzer ``vis`` reads."""
        for m in self.members:
            have = m.loader.analyzers()
            missing = [a for a in vis.analyzers if a not in have]
            if missing:
                raise AnalyzerNotFoundError(
                    f"Variant {m.label!r} ({str(m.path)!r}) has no {missing[0]!r} artifacts, "
                    f"which {vis.name!r} needs (it has: {', '.join(have) or 'none'}).\n"
                    "Compute that analyzer for every variant, or leave this one out.")

    def epochs(self, m: Member, vis: Visualization) -> list[int]:
        """Epochs ``vis`` can use in variant ``m``."""
        epochs = cross_epochs(vis, m.loader)
        if not epochs:
            raise EpochNotFoundError(
                f"Variant {m.label!r} ({str(m.path)!r}) has no epoch common to the analyzers "
                f"of {vis.name!r} ({', '.join(vis.analyzers)}).\n"
                "Write artifacts for those analyzers at the same epochs, or leave it out.")
        return epochs

    def common_epochs(self, vis: Visualization) -> list[int]:
        """Epochs every variant has for ``vis`` (may be empty)."""
        sets = [set(self.epochs(m, vis)) for m in self.members]
        return sorted(set.intersection(*sets))

    def sweep_epochs(self, vis: Visualization) -> list[int]:
        """Default epochs of an animation: the common ones, else the union of all."""
        common = self.common_epochs(vis)
        return common or sorted({e for m in self.members for e in self.epochs(m, vis)})

    def align(self, vis: Visualization, epoch: int | None) -> dict[str, int]:
        """The checkpoint each variant shows for ``epoch``: the nearest one (ties: earlier).

        ``epoch=None`` asks for the latest epoch common to all variants, or, when they share
        none, the earliest of their last epochs.
        """
        if epoch is None:
            common = self.common_epochs(vis)
            epoch = common[-1] if common else min(self.epochs(m, vis)[-1] for m in self)
        out = {}
        for m in self.members:
            epochs = self.epochs(m, vis)
            out[m.label] = nearest_epoch(epochs, epoch)
        return out

    def figure(self, m: Member, vis: Visualization, epoch: int | None = None,
               **kw: Any) -> go.Figure:
        """``registry.render_visualization`` on one variant; errors name the variant."""
        try:
            return render_visualization(vis, m.loader, epoch, **kw)
        except (ArtifactError, RendererError) as err:
            raise _named(err, m) from err

    def figure_dict(self, m: Member, vis: Visualization, epoch: int | None = None,
                    **kw: Any) -> dict[str, Any]:
        """:meth:`figure` as a plain figure dict, never wrapped in a ``go.Figure`` (fast)."""
        try:
            return as_figure_dict(render_figure(vis, m.loader, epoch, kw))
        except (ArtifactError, RendererError) as err:
            raise _named(err, m) from err

    def data(self, m: Member, vis: Visualization, epoch: int) -> dict[str, Any]:
        """``registry.load_data`` on one variant; errors name the variant."""
        try:
            return load_data(vis, m.loader, epoch)
        except ArtifactError as err:
            raise _named(err, m) from err


def _named(err: Exception, m: Member) -> Exception:
    """The same error class with the variant's label in front of its message."""
    lines = str(err).splitlines() or [""]
    first, rest = lines[0], "\n".join(lines[1:])
    return type(err)(f"Variant {m.label!r}: {first}" + (f"\n{rest}" if rest else ""))


def as_variants(variants: Variants | Paths) -> Variants:
    """A :class:`Variants` from itself, a directory list or a glob pattern."""
    return variants if isinstance(variants, Variants) else Variants(variants)
