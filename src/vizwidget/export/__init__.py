"""The pure-Python export core: figures and animations to files."""

from ._figure import check_size, export_figure, figure_to_bytes, figure_to_dict

__all__ = ["check_size", "export_figure", "figure_to_bytes", "figure_to_dict"]
