from pathlib import Path

import pytest

from vizwidget.errors import FormatError, VizWidgetError
from vizwidget.formats import ANIMATION_FORMATS, normalize, resolve_output, suffix_for


@pytest.mark.parametrize("name, expected", [("PNG", "png"), ("jpg", "jpeg"), (".svg", "svg"),
                                            ("htm", "html"), ("json", "json")])
def test_normalize_aliases(name, expected):
    assert normalize(name) == expected


def test_unknown_format_lists_valid_ones():
    with pytest.raises(FormatError) as info:
        normalize("bmp")
    message = str(info.value)
    assert "'bmp'" in message and "png" in message and "pdf" in message
    assert isinstance(info.value, VizWidgetError) and isinstance(info.value, ValueError)


def test_animation_formats_are_separate():
    assert normalize("gif", ANIMATION_FORMATS) == "gif"
    with pytest.raises(FormatError):
        normalize("gif")


def test_infer_from_suffix():
    assert resolve_output("out/fig.JPG", None) == (Path("out/fig.JPG"), "jpeg")


def test_missing_suffix_gets_format_suffix():
    assert resolve_output("out/fig", "jpeg") == (Path("out/fig.jpg"), "jpeg")
    assert resolve_output("out/fig", "svg") == (Path("out/fig.svg"), "svg")


def test_no_suffix_and_no_format_is_an_error():
    with pytest.raises(FormatError, match="no suffix"):
        resolve_output("out/fig", None)


def test_disagreeing_suffix_is_an_error_not_a_rename():
    with pytest.raises(FormatError, match="disagrees"):
        resolve_output("fig.png", "svg")


def test_jpg_and_jpeg_agree():
    assert resolve_output("fig.jpeg", "jpg")[1] == "jpeg"
    assert suffix_for("jpeg") == ".jpg"
