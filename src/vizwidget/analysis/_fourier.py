"""Fourier analysis of embeddings indexed by residues mod p."""

from __future__ import annotations

import numpy as np


def fourier_basis(p: int) -> tuple[np.ndarray, list[str]]:
    """Orthonormal real Fourier basis over the residues ``0..p-1``.

    Returns
    -------
    basis : numpy.ndarray
        ``(p, p)``; row 0 is the constant, then ``cos k`` and ``sin k`` for k = 1, 2, ...
        (for even p the last row is ``cos p/2``). ``basis @ basis.T`` is the identity.
    labels : list of str
        ``"const"``, ``"cos 1"``, ``"sin 1"``, ...
    """
    if int(p) != p or p < 2:
        raise ValueError(f"p must be an integer >= 2, got {p!r}.")
    p = int(p)
    x = np.arange(p)
    rows, labels = [np.ones(p)], ["const"]
    for k in range(1, p // 2 + 1):
        rows.append(np.cos(2 * np.pi * k * x / p))
        labels.append(f"cos {k}")
        if 2 * k != p:
            rows.append(np.sin(2 * np.pi * k * x / p))
            labels.append(f"sin {k}")
    basis = np.stack(rows)
    basis /= np.linalg.norm(basis, axis=1, keepdims=True)
    return basis, labels


def frequency_norms(embedding: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Norm of a ``(p, d)`` embedding along each frequency ``k = 1..p//2``.

    The embedding's coefficients in :func:`fourier_basis` are grouped per frequency
    (cos k and sin k together) and their Frobenius norm is returned.

    Returns
    -------
    freqs : numpy.ndarray
        ``(p//2,)`` integer frequencies.
    norms : numpy.ndarray
        ``(p//2,)`` norms.
    """
    W = np.asarray(embedding, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"Need a (p, d) embedding matrix, got shape {W.shape}.")
    basis, labels = fourier_basis(W.shape[0])
    coef_sq = np.sum((basis @ W) ** 2, axis=1)
    freqs = np.arange(1, W.shape[0] // 2 + 1)
    norms = np.zeros(freqs.size)
    for sq, label in zip(coef_sq[1:], labels[1:], strict=True):
        norms[int(label.split()[1]) - 1] += sq
    return freqs, np.sqrt(norms)


def dominant_frequencies(
    norms: np.ndarray, top_k: int | None = None, min_gap: float = 1.5
) -> np.ndarray:
    """Indices of the dominant norms, largest first (ties by lower index).

    Parameters
    ----------
    norms : array_like
        Non-negative norms, e.g. from :func:`frequency_norms`.
    top_k : int, optional
        Return exactly the ``top_k`` largest. By default the count is read off the spectrum:
        the norms are sorted, and the cut goes where the ratio of one norm to the next is
        largest, so near-tied key frequencies are kept or left out together. Only cuts
        within the fewest norms holding 99% of the total norm² count, so a tail of
        rounding-level norms does not make its own gap.
    min_gap : float, default 1.5
        With ``top_k=None``, the largest ratio must be at least this for any frequency to
        count as dominant; a flat spectrum (no clear gap) gives an empty result.

    Returns
    -------
    numpy.ndarray
        Integer indices into ``norms``.
    """
    n = np.asarray(norms, dtype=np.float64).ravel()
    order = np.lexsort((np.arange(n.size), -n))
    if top_k is not None:
        return order[: max(0, min(top_k, n.size))]
    return order[: _gap_count(n[order], min_gap)]


def _gap_count(sorted_norms: np.ndarray, min_gap: float, mass: float = 0.99) -> int:
    """How many of the descending ``sorted_norms`` lie above their largest ratio gap.

    Cuts are looked for only among the fewest norms that hold ``mass`` of the total norm²,
    so a tail at rounding level (ratio ~1e14 to the last real norm) is not taken as the gap.
    """
    sq = sorted_norms**2
    total = float(np.sum(sq))
    if sorted_norms.size == 0 or total <= 0:
        return 0
    if sorted_norms.size == 1:
        return 1
    held = int(np.searchsorted(np.cumsum(sq) / total, mass - 1e-12)) + 1
    upper, lower = sorted_norms[:-1], sorted_norms[1:]
    safe = np.where(lower > 0, lower, 1.0)
    ratios = np.where(lower > 0, upper / safe, np.where(upper > 0, np.inf, 1.0))
    ratios = ratios[: min(held, ratios.size)]
    cut = int(np.argmax(ratios))
    return cut + 1 if ratios[cut] >= min_gap else 0
