"""Parameter trajectories: flattening snapshots, PCA, and epoch-normalised velocity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InconsistentSnapshotsError, UsageError
from ._checks import is_floating, non_floating_arrays, require_finite
from ._select import select_names


def parameter_keys(snapshot: Mapping[str, Any], group: str | Sequence[str] = "all") -> list[str]:
    """Names of the parameter arrays selected by ``group``.

    Only floating-point arrays are parameters: integer and boolean arrays (step counters,
    masks) are left out of ``"all"`` and cannot be named (see :func:`non_floating_arrays`).

    Parameters
    ----------
    snapshot : mapping
        One parameter snapshot, name -> array.
    group : str or sequence of str, default "all"
        ``"all"`` selects every floating-point array entry (sorted by name); a name, a glob
        pattern (``"*.mlp.*"``) or a list of them selects those (a pattern's matches sorted).

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If a requested name is not a floating-point array of the snapshot, or a pattern
        matches none; the message lists the valid ones.
    """
    try:
        return select_names(snapshot, group, is_floating, "parameter group")
    except ValueError as err:
        asked = [group] if isinstance(group, str) else list(group)
        held = {k: snapshot[k].dtype for k in asked if k in non_floating_arrays(snapshot)}
        if not held:
            raise
        why = "".join(f" ({k!r} holds {dt}, not floating point)" for k, dt in held.items())
        raise ValueError(f"Unknown parameter group {asked!r}{why}.\n"
                         f"{str(err).splitlines()[-1]}") from None


def stack_parameters(
    snapshots: Sequence[Mapping[str, Any]],
    group: str | Sequence[str] = "all",
    epochs: Sequence[int] | None = None,
    analyzer: str = "parameters",
) -> np.ndarray:
    """Flatten each snapshot's selected arrays into one row: a ``(T, D)`` float64 matrix.

    Parameters
    ----------
    snapshots : sequence of mapping
        Parameter snapshots in epoch order.
    group : str or sequence of str, default "all"
        Which arrays to concatenate, see :func:`parameter_keys`.
    epochs : sequence of int, optional
        The snapshots' epochs, named in error messages (default: their positions).
    analyzer : str, default "parameters"
        The analyzer the snapshots come from, named in error messages.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(snapshots), D)``.

    Raises
    ------
    InconsistentSnapshotsError
        If a snapshot lacks a selected array, or holds it with another shape than the first
        snapshot (same-size reshapes such as (6, 4) and (4, 6) included).
    NonFiniteDataError
        If a selected array holds NaN or Inf.
    """
    if not snapshots:
        raise ValueError("No snapshots given.\nNeed at least one parameter snapshot.")
    labels = ([f"epoch {e}" for e in epochs] if epochs is not None
              else [f"snapshot {i}" for i in range(len(snapshots))])
    keys = parameter_keys(snapshots[0], group)
    rows = [_flat_row(snap, keys, snapshots[0], label, labels[0], analyzer)
            for snap, label in zip(snapshots, labels, strict=True)]
    return np.stack(rows)


def _flat_row(snap: Mapping[str, Any], keys: list[str], first: Mapping[str, Any], label: str,
              first_label: str, analyzer: str) -> np.ndarray:
    """One snapshot's selected arrays, checked against the first snapshot, as one row."""
    missing = [k for k in keys if k not in snap]
    if missing:
        raise InconsistentSnapshotsError(
            f"{label[0].upper()}{label[1:]} lacks {', '.join(missing)}.\n"
            "Every snapshot must hold the same parameter arrays.")
    for k in keys:
        shape, ref = np.shape(snap[k]), np.shape(first[k])
        if shape != ref:
            raise InconsistentSnapshotsError(
                f"Array {k!r} has shape {ref} at {first_label} but {shape} at {label}.\n"
                "Every checkpoint must hold each array with the same shape: compare checkpoints "
                "of one architecture, or select other arrays with group=.")
    return np.concatenate([require_finite(snap[k], k, label, analyzer).ravel() for k in keys])


@dataclass(frozen=True)
class PCAResult:
    """Principal components of a ``(T, D)`` matrix of flattened snapshots.

    Attributes
    ----------
    projections : numpy.ndarray
        ``(T, k)`` coordinates of each snapshot on the first k components.
    components : numpy.ndarray
        ``(k, D)`` unit principal directions.
    explained_variance_ratio : numpy.ndarray
        ``(k,)`` share of the total variance along each component.
    singular_values : numpy.ndarray
        ``(k,)`` singular values of the centred matrix.
    mean : numpy.ndarray
        ``(D,)`` mean snapshot that was subtracted.
    """

    projections: np.ndarray
    components: np.ndarray
    explained_variance_ratio: np.ndarray
    singular_values: np.ndarray
    mean: np.ndarray


def pca(X: np.ndarray, n_components: int = 3) -> PCAResult:
    """PCA by SVD of the centred data, with a deterministic sign per component.

    Parameters
    ----------
    X : array_like
        ``(T, D)`` data, one row per snapshot.
    n_components : int, default 3
        Number of components kept; capped at ``min(T, D)``.

    Returns
    -------
    PCAResult

    Notes
    -----
    Each component's sign is chosen so that the projection with the largest magnitude is
    positive, so results do not flip between calls or machines.

    The data are centred on the first row before the mean is taken, so identical rows give
    exactly zero variance (explained ratios all 0) instead of rounding noise that would
    read as "PC1 100%". Use :func:`no_movement` to tell a still trajectory from a moving one.
    Every row weighs the same: the ratios are shares of the variance *over checkpoints*, so
    a denser checkpoint schedule in one period weighs that period more.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"PCA needs a 2-D array with at least 2 rows, got shape {X.shape}.\n"
                         "Pass one flattened snapshot per row, from at least two epochs.")
    if n_components < 1:
        raise ValueError(f"n_components must be >= 1, got {n_components}.")
    D = X - X[0]  # exact zeros for identical rows, and small numbers for close ones
    shift = D.mean(axis=0)
    mean = X[0] + shift
    U, s, Vt = np.linalg.svd(D - shift, full_matrices=False)
    k = min(n_components, s.size)
    U, s_k, Vt = U[:, :k], s[:k], Vt[:k]
    signs = np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(k)])
    signs[signs == 0] = 1.0
    U, Vt = U * signs, Vt * signs[:, None]
    total = float(np.sum(s**2))
    ratio = s_k**2 / total if total > 0 else np.zeros(k)
    return PCAResult(projections=U * s_k, components=Vt, explained_variance_ratio=ratio,
                     singular_values=s_k, mean=mean)


def no_movement(X: np.ndarray, rtol: float = 1e-12) -> bool:
    """Whether the rows of ``X`` are the same point up to ``rtol`` of the data's scale.

    True when the total variance over rows (the mean squared distance of a row from the mean
    row) is at most ``(rtol * max|X|)²``: a frozen parameter group, or a run whose
    checkpoints are all identical. PCA percentages of such data are meaningless.

    Parameters
    ----------
    X : array_like
        ``(T, D)`` data, one row per snapshot.
    rtol : float, default 1e-12
        Tolerance relative to the largest absolute value in ``X``.

    Returns
    -------
    bool
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"Need a (T, D) array with T >= 1, got shape {X.shape}.")
    D = X - X[0]
    total = float(np.sum((D - D.mean(axis=0)) ** 2)) / X.shape[0]
    return _still(total, float(np.max(np.abs(X))) if X.size else 0.0, rtol)


def _still(mean_squared_distance: float, scale: float, rtol: float) -> bool:
    return mean_squared_distance <= (rtol * scale) ** 2


def is_still(mean_squared_distance: float, scale: float, rtol: float = 1e-12) -> bool:
    """:func:`no_movement`'s rule, for data known only by its spread (e.g. a Gram matrix).

    Parameters
    ----------
    mean_squared_distance : float
        The mean squared distance of a snapshot from the mean snapshot.
    scale : float
        The largest absolute value in the snapshots.
    rtol : float, default 1e-12
        Tolerance relative to ``scale``.

    Returns
    -------
    bool
        True when ``mean_squared_distance <= (rtol * scale)²``.

    Raises
    ------
    UsageError
        If either number is NaN.
    """
    if np.isnan(mean_squared_distance) or np.isnan(scale):
        raise UsageError(f"is_still needs numbers, got mean_squared_distance="
                         f"{mean_squared_distance!r} and scale={scale!r}.\n"
                         "Pass the spread and scale of finite snapshots.")
    return _still(float(mean_squared_distance), float(scale), rtol)


def parameter_velocity(X: np.ndarray, epochs: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Chord speed of the parameters between consecutive checkpoints, per epoch.

    ``v_t = ||θ_{t+1} - θ_t|| / (epoch_{t+1} - epoch_t)``, so a non-uniform checkpoint schedule
    still gives speeds in the same unit (parameter distance per epoch). It is the straight-line
    distance between two checkpoints over their gap: a lower bound of the mean speed along
    the path actually travelled, which only checkpoints closer together would resolve.

    Parameters
    ----------
    X : array_like
        ``(T, D)`` flattened parameters, one row per checkpoint.
    epochs : sequence of int
        The ``T`` strictly increasing checkpoint epochs.

    Returns
    -------
    end_epochs : numpy.ndarray
        ``(T-1,)`` the later epoch of each interval (where each speed is plotted).
    speeds : numpy.ndarray
        ``(T-1,)`` the speeds.
    """
    X = np.asarray(X, dtype=np.float64)
    e = np.asarray(epochs, dtype=np.float64)
    if X.ndim != 2 or e.shape != (X.shape[0],):
        raise ValueError(f"Need a (T, D) array and T epochs, got {X.shape} and {e.shape}.")
    gaps = np.diff(e)
    if np.any(gaps <= 0):
        raise ValueError("Epochs must be strictly increasing to compute a velocity.\n"
                         "Sort the snapshots by epoch and drop duplicates.")
    return np.asarray(epochs)[1:], np.linalg.norm(np.diff(X, axis=0), axis=1) / gaps
