"""Parameter trajectories: flattening snapshots, PCA, and epoch-normalised velocity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._select import select_names


def parameter_keys(snapshot: Mapping[str, Any], group: str | Sequence[str] = "all") -> list[str]:
    """Names of the parameter arrays selected by ``group``.

    Parameters
    ----------
    snapshot : mapping
        One parameter snapshot, name -> array.
    group : str or sequence of str, default "all"
        ``"all"`` selects every array entry (sorted by name); a name, a glob pattern
        (``"*.mlp.*"``) or a list of them selects those (a pattern's matches sorted).

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If a requested name is not in the snapshot or a pattern matches no array; the
        message lists the valid ones.
    """
    return select_names(snapshot, group, _is_parameter, "parameter group")


def _is_parameter(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.size > 0


def stack_parameters(
    snapshots: Sequence[Mapping[str, Any]], group: str | Sequence[str] = "all"
) -> np.ndarray:
    """Flatten each snapshot's selected arrays into one row: a ``(T, D)`` float64 matrix.

    Parameters
    ----------
    snapshots : sequence of mapping
        Parameter snapshots in epoch order.
    group : str or sequence of str, default "all"
        Which arrays to concatenate, see :func:`parameter_keys`.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(snapshots), D)``.
    """
    if not snapshots:
        raise ValueError("No snapshots given.\nNeed at least one parameter snapshot.")
    keys = parameter_keys(snapshots[0], group)
    rows = []
    for i, snap in enumerate(snapshots):
        missing = [k for k in keys if k not in snap]
        if missing:
            raise ValueError(f"Snapshot {i} lacks {', '.join(missing)}.\n"
                             "Every snapshot must hold the same parameter arrays.")
        rows.append(np.concatenate([np.asarray(snap[k], dtype=np.float64).ravel() for k in keys]))
    sizes = {r.size for r in rows}
    if len(sizes) > 1:
        raise ValueError(f"Snapshots have different parameter sizes {sorted(sizes)}.\n"
                         "Every snapshot must hold arrays of the same shapes.")
    return np.stack(rows)


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
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"PCA needs a 2-D array with at least 2 rows, got shape {X.shape}.\n"
                         "Pass one flattened snapshot per row, from at least two epochs.")
    if n_components < 1:
        raise ValueError(f"n_components must be >= 1, got {n_components}.")
    mean = X.mean(axis=0)
    U, s, Vt = np.linalg.svd(X - mean, full_matrices=False)
    k = min(n_components, s.size)
    U, s_k, Vt = U[:, :k], s[:k], Vt[:k]
    signs = np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(k)])
    signs[signs == 0] = 1.0
    U, Vt = U * signs, Vt * signs[:, None]
    total = float(np.sum(s**2))
    ratio = s_k**2 / total if total > 0 else np.zeros(k)
    return PCAResult(projections=U * s_k, components=Vt, explained_variance_ratio=ratio,
                     singular_values=s_k, mean=mean)


def parameter_velocity(X: np.ndarray, epochs: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Speed of the parameters between consecutive checkpoints, per epoch.

    ``v_t = ||θ_{t+1} - θ_t|| / (epoch_{t+1} - epoch_t)``, so a non-uniform checkpoint schedule
    still gives speeds in the same unit (parameter distance per epoch).

    Parameters
    ----------
    X : array_like
        ``(T, D)`` flattened parameters, one row per checkpoint.
    epochs : sequence of int
        The ``T`` strictly increasing checkpoint epochs.

    Returns
    -------
    end_epochs : numpy.ndarray
        ``(T-1,)`` the later epoch of each interval.
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


def nearest_index(epochs: Sequence[int], epoch: int | None) -> int | None:
    """Index of the epoch closest to ``epoch`` (ties go to the earlier one); None if None."""
    if epoch is None or len(epochs) == 0:
        return None
    e = np.asarray(epochs, dtype=np.float64)
    return int(np.argmin(np.abs(e - float(epoch))))
