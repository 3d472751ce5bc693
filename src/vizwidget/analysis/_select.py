"""Pick named arrays out of a snapshot by exact name or glob pattern, touching only those."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_GLOB_CHARS = frozenset("*?[")


def select_names(
    snapshot: Mapping[str, Any],
    wanted: str | Sequence[str],
    accept: Callable[[Any], bool],
    what: str,
    *,
    choose: str = "one of",
) -> list[str]:
    """Names in ``snapshot`` selected by ``wanted`` whose values pass ``accept``.

    Parameters
    ----------
    snapshot : mapping
        Name -> value; only the values of candidate names are read, so a lazy mapping
        (a safetensors checkpoint) loads just the selected tensors.
    wanted : str or sequence of str
        ``"all"``, or names and glob patterns (``"*.mlp.*"``, ``"model.layers.?.attn.*"``).
        A pattern keeps the matching names whose values pass ``accept``, sorted; an exact
        name must pass ``accept``.
    accept : callable
        Whether a value is usable (e.g. a non-empty array).
    what : str
        What is selected, for error messages ("parameter group", "matrix").
    choose : str, default "one of"
        How the error message introduces the valid names ("Use 'all' or one of: …").

    Returns
    -------
    list of str
        In the order asked for, without repeats.

    Raises
    ------
    ValueError
        If ``wanted`` is empty, names something absent or unusable, or a pattern matches
        nothing usable; the message lists the names available.
    """
    names = sorted(snapshot)
    if isinstance(wanted, str) and wanted == "all":
        chosen = [n for n in names if accept(snapshot[n])]
        if not chosen:
            raise ValueError(f"The snapshot holds no array usable as a {what} "
                             f"({len(names)} entries).\n"
                             "Save each parameter tensor as a named numeric array.")
        return chosen
    patterns = [wanted] if isinstance(wanted, str) else list(wanted)
    chosen, bad = [], []
    for pattern in patterns:
        if pattern in snapshot:
            hits = [pattern] if accept(snapshot[pattern]) else []
        elif isinstance(pattern, str) and _GLOB_CHARS & set(pattern):
            hits = [n for n in fnmatch.filter(names, pattern) if accept(snapshot[n])]
        else:
            hits = []
        if not hits:
            bad.append(pattern)
        chosen.extend(h for h in hits if h not in chosen)
    if bad or not chosen:
        # a plain dict is in memory: list the usable names; a lazy mapping: every name
        valid = [n for n in names if accept(snapshot[n])] if isinstance(snapshot, dict) else names
        shown = ", ".join(valid[:20]) + (f", … ({len(valid)} in all)" if len(valid) > 20 else "")
        raise ValueError(f"Unknown {what} {bad or patterns!r}.\n"
                         f"Use 'all' or {choose}: {shown} (or a glob pattern such as '*.mlp.*').")
    return chosen
