"""Colour means identity: one colour-blind-safe colour per run and per series, stable by name.

The rule (the same in every comparison figure, overlay, Dashboard panel, eval view and file):

- The palette is Okabe–Ito's colours (colour-blind safe) less its yellow (too faint on
  white), with its black replaced by a grey that also shows on the dark theme.
- A name ending in a number (``seed0``, ``run_12``) takes the colour at that number;
  any other name the colour its SHA-1 digest points at. So a name's colour never depends
  on which other names are shown, and ``seed0``, ``seed1``, ``seed2`` get the palette's
  first three colours.
- When two names of one figure land on the same colour, the name that sorts first keeps
  it and the other takes the next free colour (only then can removing a name change
  another's colour). Past seven names colours repeat.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

__all__ = ["HIGHLIGHT", "PALETTE", "assign_colors", "color_of", "translucent"]

#: Okabe–Ito: blue, orange, bluish green, reddish purple, sky blue, vermillion, grey.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
#: The current epoch's marker and line, in every figure (outside the palette: it is no run).
HIGHLIGHT = "#e4572e"
_TRAILING_NUMBER = re.compile(r"(\d+)\D*$")


def _slot(name: str) -> int:
    """The palette index a name asks for (before collisions are resolved)."""
    found = _TRAILING_NUMBER.search(name)
    if found and len(found.group(1)) <= 9:
        return int(found.group(1)) % len(PALETTE)
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % len(PALETTE)


def color_of(name: str) -> str:
    """The colour of ``name`` on its own (see the module's rule)."""
    return PALETTE[_slot(str(name))]


def assign_colors(names: Iterable[str]) -> dict[str, str]:
    """A colour per distinct name: its own colour, or the next free one when it is taken.

    Parameters
    ----------
    names : iterable of str
        Run labels, group names or series names shown together (duplicates allowed).

    Returns
    -------
    dict of str to str
        Name -> hex colour; distinct names get distinct colours while there are at most
        ``len(PALETTE)`` of them.
    """
    unique = sorted(dict.fromkeys(str(n) for n in names))
    out: dict[str, str] = {}
    taken: set[int] = set()
    later: list[str] = []
    for name in unique:  # first every name that can have its own colour
        slot = _slot(name)
        if slot in taken:
            later.append(name)
        else:
            taken.add(slot)
            out[name] = PALETTE[slot]
    for name in later:  # then the others, at the next free colour
        slot = _slot(name)
        if len(taken) < len(PALETTE):
            while slot in taken:
                slot = (slot + 1) % len(PALETTE)
        taken.add(slot)
        out[name] = PALETTE[slot]
    return {name: out[name] for name in unique}


def translucent(hex_color: str, alpha: float) -> str:
    """``"#RRGGBB"`` as an ``rgba()`` colour of opacity ``alpha`` (bands, many-run lines)."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:.3g})"
