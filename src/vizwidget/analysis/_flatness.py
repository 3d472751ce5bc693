"""Loss-landscape flatness: loss change under random parameter perturbations."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ._checks import is_floating


def perturbation_loss_deltas(
    loss_fn: Callable[[Mapping[str, np.ndarray]], float],
    params: Mapping[str, np.ndarray],
    scale: float = 0.05,
    n_samples: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """Loss increase under random Gaussian perturbations of relative size ``scale``.

    Each floating-point parameter array ``P`` gets noise ``N(0, (scale * rms(P))²)``
    elementwise, so the perturbation is the same fraction of every layer's size
    (layer-normalised), and ``loss_fn(perturbed) - loss_fn(params)`` is recorded. This is the
    flatness measure of the built-in figures: lower = flatter.

    Integer and boolean arrays (step counters, masks) are not parameters: they are passed to
    ``loss_fn`` unchanged. :func:`non_floating_arrays` lists them.

    Parameters
    ----------
    loss_fn : callable
        Maps a dict of parameter arrays to a scalar loss.
    params : mapping
        The parameters at which to probe the landscape.
    scale : float, default 0.05
        Perturbation size relative to each array's root-mean-square value.
    n_samples : int, default 32
        Number of random directions.
    seed : int, default 0
        Seed of the perturbations (results are deterministic for a seed).

    Returns
    -------
    numpy.ndarray
        ``(n_samples,)`` loss deltas; a flatter minimum gives smaller values.
    """
    if scale <= 0 or n_samples < 1:
        raise ValueError(f"Need scale > 0 and n_samples >= 1, got {scale}, {n_samples}.")
    rng = np.random.default_rng(seed)
    base = float(loss_fn(params))
    deltas = np.empty(n_samples)
    for i in range(n_samples):
        noisy = {name: _perturbed(p, scale, rng) for name, p in params.items()}
        deltas[i] = float(loss_fn(noisy)) - base
    return deltas


def _perturbed(p: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    """``p`` plus layer-normalised Gaussian noise, in ``p``'s dtype; non-float ``p`` as is."""
    p = np.asarray(p)
    if not is_floating(p):
        return p
    x = p.astype(np.float64)
    rms = float(np.sqrt(np.mean(x**2)))
    return (x + (scale * rms) * rng.standard_normal(p.shape)).astype(p.dtype)


def flatness_summary(deltas: np.ndarray) -> dict[str, float]:
    """Mean, standard deviation, median and 90th percentile of loss deltas."""
    d = np.asarray(deltas, dtype=np.float64).ravel()
    if d.size == 0:
        raise ValueError("No loss deltas given.")
    return {"mean": float(d.mean()), "std": float(d.std()), "median": float(np.median(d)),
            "q90": float(np.quantile(d, 0.9))}
