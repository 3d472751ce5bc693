"""Errors raised by vizwidget: one base class, a few precise subclasses.

Every message says what is wrong, then what to do about it.
"""

from __future__ import annotations


class VizWidgetError(Exception):
    """Base class of every error vizwidget raises on purpose."""


class FormatError(VizWidgetError, ValueError):
    """Unknown output format, or a file suffix that disagrees with the format."""


class SizeError(VizWidgetError, ValueError):
    """Width, height, scale or fps that is not a positive number."""


class FigureError(VizWidgetError, TypeError):
    """The object given is not a Plotly figure."""


class ThemeError(VizWidgetError, ValueError):
    """Unknown theme name."""


class BrowserNotFoundError(VizWidgetError, RuntimeError):
    """No Chromium/Chrome binary could be found for rendering."""


class RenderError(VizWidgetError, RuntimeError):
    """plotly.js (or the browser) failed to render a figure."""


class RenderTimeoutError(RenderError, TimeoutError):
    """A figure took longer than the engine's timeout to render."""


class NetworkResourceError(RenderError):
    """A figure needs a network resource (map tiles, topojson) that cannot be fetched."""


class OutputPathError(VizWidgetError, OSError):
    """The output path cannot be written."""


class MissingDependencyError(VizWidgetError, ImportError):
    """An optional dependency is needed for this feature."""


class ExportCancelled(VizWidgetError):
    """An export was cancelled before it finished; nothing was written."""


class ArtifactError(VizWidgetError):
    """Base class for problems reading a variant directory."""


class VariantNotFoundError(ArtifactError, FileNotFoundError):
    """The variant directory does not exist."""


class NotAVariantError(VariantNotFoundError):
    """The directory exists but holds nothing a training run writes (empty, or other files)."""


class AnalyzerNotFoundError(ArtifactError, LookupError):
    """No artifacts directory for the requested analyzer."""


class EpochNotFoundError(ArtifactError, LookupError):
    """No artifact file for the requested epoch."""


class CorruptArtifactError(ArtifactError, ValueError):
    """An artifact file exists but cannot be read."""


class NonFiniteDataError(ArtifactError, ValueError):
    """An artifact was read fine but holds NaN or Inf values an analysis cannot use."""


class InconsistentSnapshotsError(ArtifactError, ValueError):
    """Checkpoints of one run disagree on which arrays they hold or on an array's shape."""


class VisualizationNotFoundError(VizWidgetError, LookupError):
    """No visualization is registered under the requested name."""

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0]) if self.args else ""


class RendererError(VizWidgetError, RuntimeError):
    """A renderer function raised while building a figure."""


class RendererOutputError(RendererError, FigureError):
    """A renderer returned something that is not a Plotly figure."""


class RendererSignatureError(VizWidgetError, TypeError):
    """A renderer's signature does not fit how it was registered."""


class UsageError(VizWidgetError, ValueError):
    """Arguments that cannot work together (an empty list, a bad combination)."""


class ProvenanceError(VizWidgetError, ValueError):
    """A file has no (readable) vizwidget provenance record."""


class ProvenanceMismatchError(ProvenanceError):
    """A file cannot be reproduced: an artifact it was made from changed or is missing."""


class BundleMissingError(VizWidgetError, FileNotFoundError):
    """The widget's JavaScript bundle has not been built."""


def one_line(err: BaseException) -> str:
    """An error's message on one line: what is wrong, then what to do."""
    return " ".join(part.strip() for part in str(err).splitlines() if part.strip())


def describe(err: BaseException) -> str:
    """``Type: message`` of an exception, on one line (for reports and nested messages)."""
    text = one_line(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


class NotApplicableError(VizWidgetError, ValueError):
    """A view does not apply to this data (e.g. a heatmap of a diagonal table); skip it."""


def is_not_applicable(err: BaseException | None) -> bool:
    """True when ``err`` or one of its causes is a :class:`NotApplicableError`."""
    seen = 0
    while err is not None and seen < 20:
        if isinstance(err, NotApplicableError):
            return True
        err, seen = err.__cause__, seen + 1
    return False


class EvalTableError(VizWidgetError, ValueError):
    """An eval table lacks a column a view needs, or holds a value out of place."""


class ComparisonError(VizWidgetError, ValueError):
    """Variants that cannot be compared as asked (labels, groups, epochs, layouts)."""


class ShapeMismatchError(ComparisonError):
    """Parameter shapes differ where a joint computation (one PCA basis) needs them equal."""


class UnsupportedHostError(VizWidgetError, RuntimeError):
    """The front end showing the widget cannot do what was asked (a sidebar in marimo)."""
