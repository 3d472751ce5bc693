"""Label templates such as ``"p{p}-s{seed}"``: plain named fields only, checked before use."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from .errors import UsageError

__all__ = ["check_template", "format_template"]

#: A standard format spec with at most 3-digit width and precision (no nested fields).
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?:[0-9]{1,3})?[_,]?(?:\.[0-9]{1,3})?"
                   r"[bcdeEfFgGnosxX%]?", re.ASCII)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_HINT = ("Use plain fields such as '{name}' or 'p{p}-s{seed}', optionally with a format "
         "spec ('{lr:.0e}') or conversion ('{tag!s}').")


def check_template(template: str) -> list[str]:
    """The field names of ``template``, after checking each is a plain ``{name}`` field.

    Attribute access (``{lr.__class__}``), indexing (``{cfg[0]}``), positional fields
    (``{}``, ``{0}``), nested or oversized format specs (``{x:{y}}``, ``{x:>99999}``) are
    refused: a template comes from the user or a file and must not reach into objects.

    Raises
    ------
    UsageError
        Naming the template and the offending field.
    """
    if not isinstance(template, str):
        raise UsageError(f"Label template {template!r} is not a string.\n{_HINT}")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise UsageError(f"Label template {template!r} is malformed ({err}).\n"
                         "Double the braces for a literal '{' or '}'. " + _HINT) from err
    names = []
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "") + (
            f":{spec}" if spec else "") + "}"
        if (not _NAME.fullmatch(field) or conversion not in (None, "r", "s", "a")
                or not _SPEC.fullmatch(spec or "")):
            raise UsageError(f"Label template {template!r} has a field {shown!r} that is not "
                             f"a plain {{name}} field.\n{_HINT}")
        names.append(field)
    return names


def format_template(template: str, values: Mapping[str, Any]) -> str:
    """``template`` filled from ``values`` after :func:`check_template`.

    Raises
    ------
    UsageError
        For a template that is not plain named fields.
    KeyError, ValueError
        For a field missing from ``values`` or a spec that does not fit its value (the caller
        names the source of ``values``).
    """
    check_template(template)
    return template.format_map(dict(values))
