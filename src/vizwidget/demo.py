"""A tiny numpy run of modular addition that groks, written as a vizwidget variant.

``make_variant(path)`` trains a one-hidden-layer network on ``(a + b) mod p`` with full-batch
AdamW and strong weight decay: train accuracy reaches 1 within a few hundred epochs, test
accuracy only rises hundreds of epochs later (grokking). It writes::

    {path}/config.json                         hyper-parameters and the checkpoint schedule
    {path}/metrics.json                        epoch, train_loss, test_loss, train_acc, test_acc
    {path}/artifacts/parameters/epoch_{N}.npz  W_E (p, d_embed), W_in (2 d_embed, d_hidden),
                                               W_out (d_hidden, p)
    {path}/artifacts/flatness/epoch_{N}.npz    loss_deltas, scale, base_loss

at a non-uniform checkpoint schedule (dense early, sparse later). ``vizwidget demo [DIR]``
makes one and exports every built-in visualization.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ._blas import single_blas_thread
from ._deprecation import fold_legacy
from .analysis import perturbation_loss_deltas
from .export import atomic_write

__all__ = ["Training", "checkpoint_schedule", "make_variant"]


@dataclass(frozen=True)
class Training:
    """How the demo network is shaped and trained, in one value for :func:`make_variant`.

    Attributes
    ----------
    d_embed : int
        Embedding width.
    d_hidden : int
        Hidden width.
    train_fraction : float
        Share of the ``p²`` pairs used for training, in (0, 1).
    lr : float
        AdamW learning rate.
    weight_decay : float
        AdamW decoupled weight decay.
    metrics_every : int
        Epoch interval of metrics.json rows.
    flatness_samples : int
        Random perturbations per checkpoint for the flatness analyzer.
    flatness_scale : float
        Relative perturbation size.
    """

    d_embed: int = 32
    d_hidden: int = 128
    train_fraction: float = 0.4
    lr: float = 6e-3
    weight_decay: float = 1.5
    metrics_every: int = 10
    flatness_samples: int = 16
    flatness_scale: float = 0.05


#: make_variant's keywords of the previous release, now fields of Training.
_TRAINING_FIELDS = tuple(f.name for f in fields(Training))


def checkpoint_schedule(epochs: int, dense_fraction: float = 0.4) -> list[int]:
    """Checkpoint epochs: every ``epochs/75`` up to ``dense_fraction`` of the run, then 3x sparser.

    Parameters
    ----------
    epochs : int
        Last epoch of the run (included).
    dense_fraction : float, default 0.4
        Fraction of the run checkpointed densely.

    Returns
    -------
    list of int
        Sorted, unique, starting at 0 and ending at ``epochs``.
    """
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
    step = max(1, round(epochs / 75))
    cut = int(epochs * dense_fraction)
    marks = set(range(0, cut, step)) | set(range(cut, epochs, 3 * step)) | {epochs}
    return sorted(marks)


def _save_npz(path: Path, **arrays: Any) -> None:
    import numpy as np

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write(path, buf.getvalue())


def _save_json(path: Path, obj: Any) -> None:
    atomic_write(path, json.dumps(obj, indent=1))


def make_variant(
    path: str | os.PathLike[str],
    p: int = 59,
    seed: int = 0,
    epochs: int = 1500,
    *,
    training: Training | None = None,
    overwrite: bool = True,
    verbose: bool = False,
    **legacy: Any,
) -> Path:
    """Train modular addition with numpy and write a variant directory.

    Parameters
    ----------
    path : str or os.PathLike
        Variant directory to create (parents are created).
    p : int, default 59
        Modulus; inputs are pairs ``(a, b)`` with ``0 <= a, b < p``.
    seed : int, default 0
        Seed of the data split, initialisation and perturbations; equal seeds give equal
        files.
    epochs : int, default 1500
        Number of full-batch training steps.
    training : Training, optional
        Widths, data split, optimizer, metrics interval and flatness sampling (default
        ``Training()``). The keywords ``d_embed``, ``d_hidden``, ``train_fraction``, ``lr``,
        ``weight_decay``, ``metrics_every``, ``flatness_samples`` and ``flatness_scale``
        still work for one release and warn.
    overwrite : bool, default True
        Replace an existing ``artifacts/`` directory in ``path``; with False an existing
        one is an error.
    verbose : bool, default False
        Print progress.

    Returns
    -------
    pathlib.Path
        The variant directory.

    Examples
    --------
    >>> make_variant("runs/small", p=23, epochs=300,
    ...              training=Training(d_hidden=64, lr=1e-2))  # doctest: +SKIP
    """
    old = fold_legacy(legacy, "make_variant", _TRAINING_FIELDS, "training=Training(...)", 3)
    if legacy:
        raise TypeError(f"make_variant() got unexpected keyword arguments: "
                        f"{', '.join(sorted(legacy))}")
    t = replace(training or Training(), **old)
    for name, value in (("p", p), ("epochs", epochs), ("d_embed", t.d_embed),
                        ("d_hidden", t.d_hidden), ("metrics_every", t.metrics_every),
                        ("flatness_samples", t.flatness_samples)):
        if isinstance(value, bool) or int(value) != value or value < (3 if name == "p" else 1):
            raise ValueError(f"{name} must be an integer >= {3 if name == 'p' else 1}, "
                             f"got {value!r}.")
    if not 0.0 < t.train_fraction < 1.0:
        raise ValueError(f"train_fraction must be in (0, 1), got {t.train_fraction!r}.")
    out = Path(path).expanduser()
    art = out / "artifacts"
    if art.exists():
        if not overwrite:
            raise FileExistsError(f"{str(art)!r} already exists.\n"
                                  "Pass overwrite=True or choose another path.")
        shutil.rmtree(art)
    (art / "parameters").mkdir(parents=True)
    (art / "flatness").mkdir()

    with single_blas_thread():
        return _train(out, art, p, seed, epochs, t, verbose)


def _train(out: Path, art: Path, p: int, seed: int, epochs: int, training: Training,
           verbose: bool) -> Path:
    import numpy as np

    d_embed, d_hidden = training.d_embed, training.d_hidden
    lr, weight_decay = training.lr, training.weight_decay
    metrics_every = training.metrics_every
    flatness_samples, flatness_scale = training.flatness_samples, training.flatness_scale

    t0 = time.perf_counter()
    f32 = np.float32
    rng = np.random.default_rng(seed)
    a_all, b_all = (g.ravel() for g in np.meshgrid(np.arange(p), np.arange(p), indexing="ij"))
    y_all = (a_all + b_all) % p
    order = rng.permutation(p * p)
    n_train = max(1, int(round(training.train_fraction * p * p)))
    train, test = order[:n_train], order[n_train:]
    eye = np.eye(p, dtype=f32)
    A_tr, B_tr = eye[a_all[train]], eye[b_all[train]]  # one-hot, for the embedding gradient

    params = {
        "W_E": rng.normal(0.0, 1.0, (p, d_embed)).astype(f32),
        "W_in": rng.normal(0.0, 1.0 / np.sqrt(2 * d_embed), (2 * d_embed, d_hidden)).astype(f32),
        "W_out": rng.normal(0.0, 1.0 / np.sqrt(d_hidden), (d_hidden, p)).astype(f32),
    }

    def forward(P: dict, idx: np.ndarray):
        x = np.concatenate([P["W_E"][a_all[idx]], P["W_E"][b_all[idx]]], axis=1)
        z = x @ P["W_in"]
        h = np.maximum(z, 0)
        return x, z, h, h @ P["W_out"]

    def loss_acc(P: dict, idx: np.ndarray) -> tuple[float, float]:
        logits = forward(P, idx)[3].astype(np.float64)
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        y = y_all[idx]
        return float(-logp[np.arange(idx.size), y].mean()), float((logits.argmax(1) == y).mean())

    schedule = set(checkpoint_schedule(epochs))
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(v) for k, v in params.items()}
    beta1, beta2, eps = 0.9, 0.98, 1e-8
    y_tr = y_all[train]
    rows = np.arange(n_train)
    metrics: dict[str, list] = {"epoch": [], "train_loss": [], "test_loss": [],
                                "train_acc": [], "test_acc": []}

    for epoch in range(epochs + 1):
        if epoch % metrics_every == 0 or epoch in schedule:
            tr_loss, tr_acc = loss_acc(params, train)
            te_loss, te_acc = loss_acc(params, test) if test.size else (float("nan"),) * 2
            for key, val in zip(("epoch", "train_loss", "test_loss", "train_acc", "test_acc"),
                                (epoch, tr_loss, te_loss, tr_acc, te_acc), strict=True):
                metrics[key].append(val)
            if verbose and epoch % (metrics_every * 20) == 0:
                print(f"epoch {epoch:5d}  train {tr_loss:.3f}/{tr_acc:.2f}  "
                      f"test {te_loss:.3f}/{te_acc:.2f}", flush=True)
        if epoch in schedule:
            name = f"epoch_{epoch}.npz"
            _save_npz(art / "parameters" / name, **params)
            deltas = perturbation_loss_deltas(lambda P: loss_acc(P, train)[0], params,
                                              scale=flatness_scale, n_samples=flatness_samples,
                                              seed=seed * 100_003 + epoch)
            _save_npz(art / "flatness" / name, loss_deltas=deltas, scale=flatness_scale,
                      base_loss=metrics["train_loss"][-1])
        if epoch == epochs:
            break
        # full-batch step: cross-entropy gradient by hand, then AdamW
        x, z, h, logits = forward(params, train)
        logits = logits - logits.max(axis=1, keepdims=True)
        g = np.exp(logits)
        g /= g.sum(axis=1, keepdims=True)
        g[rows, y_tr] -= 1.0
        g /= n_train
        gz = (g @ params["W_out"].T) * (z > 0)
        gx = gz @ params["W_in"].T
        grads = {"W_out": h.T @ g, "W_in": x.T @ gz,
                 "W_E": A_tr.T @ gx[:, :d_embed] + B_tr.T @ gx[:, d_embed:]}
        t = epoch + 1
        for k, P in params.items():
            m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
            v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
            step = (m[k] / (1 - beta1**t)) / (np.sqrt(v[k] / (1 - beta2**t)) + eps)
            P -= f32(lr) * (step + f32(weight_decay) * P)

    _save_json(out / "metrics.json", metrics)
    _save_json(out / "config.json", {
        "task": "modular_addition", "p": p, "seed": seed, "epochs": epochs,
        "d_embed": d_embed, "d_hidden": d_hidden, "train_fraction": training.train_fraction,
        "n_train": int(n_train), "optimizer": "AdamW", "lr": lr,
        "weight_decay": weight_decay, "betas": [beta1, beta2],
        "metrics_every": metrics_every, "flatness_samples": flatness_samples,
        "flatness_scale": flatness_scale, "checkpoints": sorted(schedule),
        "analyzers": ["flatness", "metrics", "parameters"],
        "train_seconds": round(time.perf_counter() - t0, 2),
    })
    return out
