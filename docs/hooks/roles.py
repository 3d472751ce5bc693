"""mkdocs hook: show Sphinx roles of the docstrings (:func:`x`, :meth:`x`, ...) as plain code."""

from __future__ import annotations

import re

ROLE = re.compile(r":(?:py:)?(?:func|meth|class|mod|attr|data|exc|obj):(<code>)~?")


def on_page_content(html, page, config, files):
    """Drop the role prefix the numpy parser leaves in front of the code span."""
    return ROLE.sub(r"\1", html)
