"""Epoch choice shared by CLI, widget, Dashboard and comparisons: nearest epoch, epoch ranges.

One tie rule everywhere: a target halfway between two epochs goes to the EARLIER epoch.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import UsageError

__all__ = ["epochs_in_range", "nearest_epoch", "nearest_index"]


def nearest_index(epochs: Sequence[int], target: int | float | None) -> int | None:
    """Index in ``epochs`` of the epoch nearest to ``target``; ties go to the earlier epoch.

    Parameters
    ----------
    epochs : sequence of int
        Available epochs, in any order (the first index wins among repeated epochs).
    target : int, float or None
        The epoch asked for.

    Returns
    -------
    int or None
        None when ``target`` is None or ``epochs`` is empty. O(len(epochs)).
    """
    if target is None or len(epochs) == 0:
        return None
    best = 0
    for i in range(1, len(epochs)):
        d, d_best = abs(epochs[i] - target), abs(epochs[best] - target)
        if d < d_best or (d == d_best and epochs[i] < epochs[best]):
            best = i
    return best


def nearest_epoch(epochs: Sequence[int], target: int | float) -> int:
    """The epoch of ``epochs`` nearest to ``target``; ties go to the earlier epoch.

    Raises
    ------
    UsageError
        If ``epochs`` is empty.
    """
    i = nearest_index(epochs, target)
    if i is None:
        raise UsageError("There are no epochs to choose from.\n"
                         "Check that the variant has artifacts for this visualization.")
    return int(epochs[i])


def epochs_in_range(available: Sequence[int], start: int | None, stop: int | None,
                    step: int | None) -> list[int]:
    """The available epochs a ``START:STOP[:STEP]`` range picks, ascending.

    Without ``step``: the available epochs in ``[start, stop]`` (open ends when None). With
    ``step``: for each target ``first, first + step, ... <= last`` (``first``/``last`` are
    ``start``/``stop``, or the first/last available epoch inside when None), the available
    epoch in ``[start, stop]`` nearest to it (ties: the earlier), each once. The range is
    never iterated: each epoch checks whether a target falls in the stretch of epochs it is
    nearest to, so the work is O(number of available epochs) for any range.
    """
    inside = sorted({int(e) for e in available if (start is None or e >= start)
                     and (stop is None or e <= stop)})
    if step is None or not inside:
        return inside
    if step <= 0:
        raise UsageError(f"An epoch range needs a positive step, got {step}.\n"
                         "Use START:STOP:STEP such as 0:1500:100.")
    first = inside[0] if start is None else start
    last = inside[-1] if stop is None else stop
    chosen = []
    for k, e in enumerate(inside):
        # integer targets t whose nearest epoch is e: prev < (prev + e) / 2 < t <= (e + next) / 2
        lo = first if k == 0 else max(first, (inside[k - 1] + e) // 2 + 1)
        hi = last if k == len(inside) - 1 else min(last, (e + inside[k + 1]) // 2)
        t = first + -(-(lo - first) // step) * step  # the first target >= lo
        if t <= hi:
            chosen.append(e)
    return chosen
