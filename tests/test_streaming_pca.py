"""Streaming (Gram-matrix) PCA against the exact stacked PCA."""

from __future__ import annotations

import numpy as np
import pytest

from vizwidget import analysis as A
from vizwidget.errors import ShapeMismatchError, VizWidgetError
from vizwidget.runs import ArtifactLoader


def _same_up_to_sign(a: np.ndarray, b: np.ndarray, atol: float) -> None:
    assert a.shape == b.shape
    for k in range(a.shape[1]):
        sign = 1.0 if a[:, k] @ b[:, k] >= 0 else -1.0
        np.testing.assert_allclose(a[:, k], sign * b[:, k], rtol=0, atol=atol)


def test_streaming_equals_stacked_pca_on_the_demo(demo_variant):
    loader = ArtifactLoader(demo_variant)
    epochs = loader.epochs("parameters")
    keys = A.parameter_keys(loader.load("parameters", epochs[0]))
    loads = []

    def load(i: int) -> np.ndarray:
        loads.append(i)
        snap = loader.load("parameters", epochs[i])
        return np.concatenate([np.ravel(snap[k]) for k in keys])

    exact = A.pca(A.stack_parameters([loader.load("parameters", e) for e in epochs]), 3)
    streamed = A.streaming_pca(load, len(epochs), 3, block=2)
    _same_up_to_sign(streamed.projections, exact.projections, atol=1e-8)
    np.testing.assert_allclose(streamed.explained_variance_ratio,
                               exact.explained_variance_ratio, rtol=0, atol=1e-8)
    np.testing.assert_allclose(streamed.singular_values, exact.singular_values, rtol=1e-8)
    # the same sign convention as pca(), so the numbers are equal, not just up to sign
    np.testing.assert_allclose(streamed.projections, exact.projections, rtol=0, atol=1e-8)
    # lazy and blocked: every snapshot read, never all of them in one block
    assert set(loads) == set(range(len(epochs)))
    assert len(loads) > len(epochs)


@pytest.mark.parametrize("block", [1, 2, 3, 7])
def test_gram_matrix_any_block_size_is_the_centred_gram(block):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 50)) + 100.0  # a large offset: centring must stay exact
    K = A.gram_matrix(lambda i: X[i], len(X), block=block)
    Xc = X - X.mean(axis=0)
    np.testing.assert_allclose(A.centred_gram(K), Xc @ Xc.T, rtol=0, atol=1e-9)


def test_joint_streaming_pca_is_one_pca_of_all_sources():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(6, 30)).cumsum(axis=0)
    b = rng.normal(size=(4, 30)).cumsum(axis=0) + 2.0
    res, rows = A.joint_streaming_pca({"a": (lambda i: a[i], 6), "b": (lambda i: b[i], 4)}, 2)
    assert rows == {"a": slice(0, 6), "b": slice(6, 10)}
    X = np.vstack([a, b])
    U, s, _ = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    _same_up_to_sign(res.projections, U[:, :2] * s[:2], atol=1e-10)
    np.testing.assert_allclose(res.explained_variance_ratio, s[:2] ** 2 / np.sum(s**2),
                               atol=1e-12)


def test_joint_pca_with_different_sizes_names_the_source():
    a, b = np.ones((3, 10)), np.ones((3, 12))
    with pytest.raises(ShapeMismatchError, match="'wide' has 12 parameters") as info:
        A.joint_streaming_pca({"narrow": (lambda i: a[i], 3), "wide": (lambda i: b[i], 3)})
    assert isinstance(info.value, VizWidgetError)
    assert len(str(info.value).splitlines()) == 2


def test_streaming_pca_rejects_one_snapshot():
    with pytest.raises(ValueError, match="at least 2 snapshots"):
        A.streaming_pca(lambda i: np.ones(3), 1)
