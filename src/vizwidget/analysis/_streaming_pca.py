"""PCA of parameter trajectories from a Gram matrix built one snapshot at a time.

The exact PCA (:func:`vizwidget.analysis.pca`) stacks all ``T`` flattened snapshots into a
``(T, D)`` matrix. Here only the ``(T, T)`` Gram matrix ``K = X Xᵀ`` is kept: snapshots are
read through a callable ``load(i) -> (D,) array`` in blocks, so at most ``block + 2``
snapshots are in memory (the current block, one other snapshot, and a float32 reference).
Centring is exact on the Gram matrix, ``K_c = K - 1k̄ᵀ - k̄1ᵀ + k̄̄``, and the eigenvectors of
``K_c`` are the left singular vectors of the centred data, so projections and explained
variance equal those of the stacked SVD.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import ShapeMismatchError

__all__ = [
    "GramPCAResult",
    "centred_gram",
    "gram_matrix",
    "joint_streaming_pca",
    "pca_from_gram",
    "streaming_pca",
]

Loader = Callable[[int], np.ndarray]


@dataclass(frozen=True)
class GramPCAResult:
    """Principal components of snapshots known only through their Gram matrix.

    Attributes
    ----------
    projections : numpy.ndarray
        ``(T, k)`` coordinates of each snapshot on the first k components.
    explained_variance_ratio : numpy.ndarray
        ``(k,)`` share of the total variance along each component.
    singular_values : numpy.ndarray
        ``(k,)`` singular values of the centred data.
    total_variance : float
        Sum of squared distances of the snapshots from their mean.
    squared_distances : numpy.ndarray
        ``(T,)`` squared distance of each snapshot from the mean (diagonal of ``K_c``).
    """

    projections: np.ndarray
    explained_variance_ratio: np.ndarray
    singular_values: np.ndarray
    total_variance: float
    squared_distances: np.ndarray


def _vector(load: Loader, i: int, size: int | None) -> np.ndarray:
    x = np.array(load(i), dtype=np.float64).ravel()  # a copy: it is modified in place
    if size is not None and x.size != size:
        raise ShapeMismatchError(
            f"Snapshot {i} has {x.size} parameters, snapshot 0 has {size}.\n"
            "Every snapshot must hold arrays of the same shapes; select a common "
            "parameter group.")
    return x


def gram_matrix(load: Loader, n: int, *, block: int = 2) -> np.ndarray:
    """The ``(n, n)`` Gram matrix of snapshots shifted by a fixed reference.

    Snapshot ``i`` is ``load(i)`` minus a float32 copy of ``load(0)``; any fixed shift leaves
    the *centred* Gram matrix unchanged and keeps the entries small, so centring loses no
    precision. Snapshots are read in blocks of ``block``: each block is held while the
    later snapshots are streamed past it one at a time (``n + n²/(2·block)`` loads).

    Parameters
    ----------
    load : callable
        ``load(i) -> array`` for ``0 <= i < n``; flattened to float64.
    n : int
        Number of snapshots.
    block : int, default 2
        Snapshots held at once besides the streamed one and the reference.

    Returns
    -------
    numpy.ndarray
        Symmetric ``(n, n)`` float64 matrix.

    Raises
    ------
    ShapeMismatchError
        If a snapshot's size differs from the first one's.
    """
    if n < 1:
        raise ValueError("No snapshots given.\nNeed at least one parameter snapshot.")
    if block < 1:
        raise ValueError(f"block must be >= 1, got {block}.")
    first = _vector(load, 0, None)
    size = first.size
    reference = first.astype(np.float32)
    del first
    K = np.empty((n, n))
    for start in range(0, n, block):
        stop = min(start + block, n)
        rows = np.empty((stop - start, size))
        for r, i in enumerate(range(start, stop)):
            rows[r] = _vector(load, i, size)
            rows[r] -= reference
        K[start:stop, start:stop] = rows @ rows.T
        for j in range(stop, n):
            x = _vector(load, j, size)
            x -= reference
            K[start:stop, j] = K[j, start:stop] = rows @ x
            del x
        del rows
    return K


def centred_gram(K: np.ndarray) -> np.ndarray:
    """Exact centring of a Gram matrix: ``K - 1k̄ᵀ - k̄1ᵀ + k̄̄`` (``k̄`` the row means)."""
    K = np.asarray(K, dtype=np.float64)
    row = K.mean(axis=1)
    return K - row[None, :] - row[:, None] + row.mean()


def pca_from_gram(K: np.ndarray, n_components: int = 3) -> GramPCAResult:
    """PCA of snapshots from their (uncentred or shifted) Gram matrix.

    Parameters
    ----------
    K : array_like
        ``(T, T)`` Gram matrix, see :func:`gram_matrix`.
    n_components : int, default 3
        Components kept; capped at ``T``.

    Returns
    -------
    GramPCAResult
        Same sign convention as :func:`vizwidget.analysis.pca`: the projection with the
        largest magnitude is positive on each component.
    """
    K = np.asarray(K, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or K.shape[0] < 2:
        raise ValueError(f"PCA needs a square Gram matrix of at least 2 snapshots, got shape "
                         f"{K.shape}.\nPass snapshots from at least two epochs.")
    if n_components < 1:
        raise ValueError(f"n_components must be >= 1, got {n_components}.")
    Kc = centred_gram(K)
    Kc = (Kc + Kc.T) / 2
    evals, evecs = np.linalg.eigh(Kc)
    order = np.argsort(evals)[::-1]
    evals = np.clip(evals[order], 0.0, None)
    k = min(n_components, evals.size)
    U = evecs[:, order[:k]]
    signs = np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(k)])
    signs[signs == 0] = 1.0
    s = np.sqrt(evals[:k])
    total = float(np.trace(Kc))
    ratio = evals[:k] / total if total > 0 else np.zeros(k)
    return GramPCAResult(projections=U * signs * s, explained_variance_ratio=ratio,
                         singular_values=s, total_variance=total,
                         squared_distances=np.clip(np.diag(Kc).copy(), 0.0, None))


def streaming_pca(load: Loader, n: int, n_components: int = 3, *,
                  block: int = 2) -> GramPCAResult:
    """PCA of ``n`` snapshots read lazily by ``load(i)``, holding ~``block + 2`` at once.

    Parameters
    ----------
    load : callable
        ``load(i) -> array`` (any shape; flattened) for ``0 <= i < n``.
    n : int
        Number of snapshots (at least 2).
    n_components : int, default 3
        Components kept.
    block : int, default 2
        See :func:`gram_matrix`.

    Returns
    -------
    GramPCAResult

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(5, 100))
    >>> res = streaming_pca(lambda i: X[i], len(X), 2)
    >>> res.projections.shape
    (5, 2)
    """
    if n < 2:
        raise ValueError(f"PCA needs at least 2 snapshots, got {n}.\n"
                         "Pass snapshots from at least two epochs.")
    return pca_from_gram(gram_matrix(load, n, block=block), n_components)


def joint_streaming_pca(
    sources: Mapping[str, tuple[Loader, int]], n_components: int = 3, *, block: int = 2
) -> tuple[GramPCAResult, dict[str, slice]]:
    """One PCA basis fitted on the snapshots of several named sources together.

    Parameters
    ----------
    sources : mapping of str to (callable, int)
        Per source (e.g. a variant label): ``load(i)`` and the number of snapshots.
    n_components : int, default 3
        Components kept.
    block : int, default 2
        See :func:`gram_matrix`.

    Returns
    -------
    result : GramPCAResult
        PCA of all snapshots, sources concatenated in the mapping's order.
    rows : dict of str to slice
        The rows of ``result.projections`` that belong to each source.

    Raises
    ------
    ShapeMismatchError
        If a source's snapshots have another size than the first source's; the message
        names the source.
    """
    names: list[str] = []
    index: list[tuple[Loader, int]] = []
    rows: dict[str, slice] = {}
    for name, (load, n) in sources.items():
        rows[name] = slice(len(index), len(index) + int(n))
        names.extend([name] * int(n))
        index.extend((load, i) for i in range(int(n)))
    sizes: dict[str, int] = {}

    def load_any(i: int) -> np.ndarray:
        load, local = index[i]
        x = load(local)
        name, size = names[i], int(np.size(x))
        first = next(iter(sizes.items()), None)
        if first is not None and first[1] != size:
            raise ShapeMismatchError(
                f"Source {name!r} has {size} parameters per snapshot, {first[0]!r} has "
                f"{first[1]}.\nA joint PCA needs equal parameter shapes; compare runs of one "
                "architecture, or select a common parameter group.")
        sizes.setdefault(name, size)
        return x

    return streaming_pca(load_any, len(index), n_components, block=block), rows

