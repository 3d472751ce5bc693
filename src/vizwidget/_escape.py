"""Escaping of every string vizwidget writes into HTML, Markdown or CSV output."""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["SCRIPT_ESCAPES", "csv_cell", "html_text", "markdown_text", "script_json"]

#: Characters a JSON text must not carry raw inside an HTML ``<script>`` element: ``<``
#: (``</script>``, ``<!--``), ``>`` and ``&`` (``-->``, entities), and the line separators
#: older JavaScript parsers end a string at.
SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                  "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")

#: Markdown punctuation that could open a link, an image, code, emphasis or a table cell.
_MARKDOWN_UNSAFE = re.compile(r"([\\`*\[\]|])")

#: A text cell starting with one of these is a formula (or a hidden one) to a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A plain decimal number as text ("-1.5", "+3e-4"): a spreadsheet reads it as the number.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def script_json(text: str) -> str:
    """A JSON text made safe to place inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\u003c``-style escapes, which every
    JSON and JavaScript parser reads back as the same characters; nothing in the text can
    then close the script (``</script>``), open a comment (``<!--``) or end a string.
    JSON has these characters only inside strings, where the escape means the same.
    """
    return _SCRIPT_UNSAFE.sub(lambda m: SCRIPT_ESCAPES[m.group()], text)


def html_text(value: Any) -> str:
    """``value`` as text for HTML content or a quoted attribute (``&<>"'`` escaped)."""
    return html.escape(str(value), quote=True)


def markdown_text(value: Any) -> str:
    """``value`` as one line of inert Markdown: a heading, a table cell or link text.

    Whitespace runs (newlines included) become one space so a table row stays one row;
    ``&``, ``<`` and ``>`` become HTML entities so no tag or comment opens; ``\\``,
    backticks, ``*``, ``[``, ``]`` and ``|`` are backslash-escaped so no code span, link,
    emphasis or extra table cell starts.
    """
    text = " ".join(str(value).split())
    return _MARKDOWN_UNSAFE.sub(r"\\\1", html.escape(text, quote=False))


def csv_cell(value: Any, spreadsheet_safe: bool = True) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula.

    With ``spreadsheet_safe`` a string starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'`` (OWASP's advice against CSV injection), unless it is
    a plain decimal number such as ``-1.5``. Numbers and every other value are unchanged.
    """
    if (spreadsheet_safe and isinstance(value, str) and value.startswith(_FORMULA_START)
            and not _NUMBER.fullmatch(value)):
        return "'" + value
    return value
