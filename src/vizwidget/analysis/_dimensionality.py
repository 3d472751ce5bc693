"""Effective dimensionality of a matrix from its singular value spectrum."""

from __future__ import annotations

import numpy as np


def singular_values(matrix: np.ndarray) -> np.ndarray:
    """Singular values of a 2-D array, descending (1-D arrays are treated as one row)."""
    m = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
    if m.ndim != 2:
        raise ValueError(f"Need a 2-D array, got shape {m.shape}.")
    return np.linalg.svd(m, compute_uv=False)


def _weights(values: np.ndarray) -> np.ndarray:
    lam = np.asarray(values, dtype=np.float64).ravel()
    if lam.size == 0 or np.any(lam < 0) or not np.all(np.isfinite(lam)):
        raise ValueError("Need a non-empty spectrum of finite, non-negative values.")
    return lam


def participation_ratio(eigenvalues: np.ndarray) -> float:
    """Participation ratio ``(Σλ)² / Σλ²`` of a spectrum of variances ``λ``.

    Equals k for k equal non-zero values, 1 for a single one; 0 for an all-zero spectrum.
    For a matrix, pass the squared singular values.
    """
    lam = _weights(eigenvalues)
    denom = float(np.sum(lam**2))
    return float(np.sum(lam) ** 2 / denom) if denom > 0 else 0.0


def entropy_dimensionality(eigenvalues: np.ndarray) -> float:
    """``exp(H(p))`` with ``p = λ / Σλ``: the entropy-based effective dimension of a spectrum."""
    lam = _weights(eigenvalues)
    total = float(np.sum(lam))
    if total <= 0:
        return 0.0
    p = lam[lam > 0] / total
    return float(np.exp(-np.sum(p * np.log(p))))


def effective_dimensionality(matrix: np.ndarray) -> dict[str, float]:
    """Both effective dimensions of a matrix, from its squared singular values.

    Returns
    -------
    dict
        ``{"participation_ratio": float, "entropy": float}``.
    """
    lam = singular_values(matrix) ** 2
    return {"participation_ratio": participation_ratio(lam),
            "entropy": entropy_dimensionality(lam)}
