"""Numpy analysis against independent references (to 1e-6)."""

from __future__ import annotations

import numpy as np
import pytest

from vizwidget import analysis as A


def test_pca_matches_covariance_eigendecomposition():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 40)) @ np.diag(np.linspace(3, 0.1, 40)) + 5.0
    res = A.pca(X, n_components=3)
    # independent reference: eigenvectors of the covariance (not an SVD of X)
    Xc = X - X.mean(axis=0)
    evals, evecs = np.linalg.eigh(Xc.T @ Xc)
    order = np.argsort(evals)[::-1]
    evals, evecs = evals[order], evecs[:, order]
    ref_proj = Xc @ evecs[:, :3]
    for k in range(3):  # PCA is defined up to the sign of each component
        sign = np.sign(ref_proj[:, k] @ res.projections[:, k])
        np.testing.assert_allclose(res.projections[:, k], sign * ref_proj[:, k], atol=1e-6)
        np.testing.assert_allclose(res.components[k], sign * evecs[:, k], atol=1e-6)
    np.testing.assert_allclose(res.explained_variance_ratio, evals[:3] / evals.sum(), atol=1e-6)
    np.testing.assert_allclose(res.mean, X.mean(axis=0), atol=1e-12)
    # deterministic sign convention: the largest |projection| of each component is positive
    for k in range(3):
        col = res.projections[:, k]
        assert col[np.argmax(np.abs(col))] > 0


def test_pca_caps_components_and_rejects_one_row():
    assert A.pca(np.arange(6.0).reshape(2, 3), n_components=5).projections.shape == (2, 2)
    with pytest.raises(ValueError, match="at least 2 rows"):
        A.pca(np.ones((1, 4)))


def test_stack_parameters_groups():
    snaps = [{"W_E": np.ones((2, 2)) * i, "W_in": np.arange(3.0) + i, "lr": 0.1} for i in range(3)]
    assert A.parameter_keys(snaps[0]) == ["W_E", "W_in"]
    assert A.stack_parameters(snaps).shape == (3, 7)
    np.testing.assert_array_equal(A.stack_parameters(snaps, "W_in")[2], [2, 3, 4])
    with pytest.raises(ValueError, match="Use 'all' or one of: W_E, W_in"):
        A.stack_parameters(snaps, "W_out")


def test_velocity_by_hand_on_non_uniform_schedule():
    epochs = [0, 100, 200, 700, 1200]
    X = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 4.0], [3.0, 9.0], [9.0, 17.0]])
    ends, speeds = A.parameter_velocity(X, epochs)
    np.testing.assert_array_equal(ends, [100, 200, 700, 1200])
    # |(3,4)|/100, 0/100, |(0,5)|/500, |(6,8)|/500
    np.testing.assert_allclose(speeds, [0.05, 0.0, 0.01, 0.02], atol=1e-12)
    with pytest.raises(ValueError, match="strictly increasing"):
        A.parameter_velocity(X, [0, 100, 100, 200, 300])


def test_participation_ratio_and_entropy_on_known_spectra():
    assert A.participation_ratio([1, 1, 1, 1]) == pytest.approx(4.0, abs=1e-12)
    assert A.participation_ratio([5, 0, 0]) == pytest.approx(1.0, abs=1e-12)
    assert A.participation_ratio([3, 1]) == pytest.approx(16 / 10, abs=1e-12)
    assert A.entropy_dimensionality([2, 2, 2]) == pytest.approx(3.0, abs=1e-12)
    p = np.array([0.5, 0.25, 0.25])
    assert A.entropy_dimensionality(p * 8) == pytest.approx(np.exp(-(p * np.log(p)).sum()),
                                                            abs=1e-12)
    assert A.participation_ratio([0, 0]) == 0.0
    with pytest.raises(ValueError):
        A.participation_ratio([1, -1])


def test_effective_dimensionality_of_a_built_matrix():
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    V, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    s = np.array([3.0, 2.0, 1.0, 0.0, 0.0])
    M = U[:, :5] @ np.diag(s) @ V.T
    np.testing.assert_allclose(A.singular_values(M), s, atol=1e-6)
    lam = s**2
    d = A.effective_dimensionality(M)
    assert d["participation_ratio"] == pytest.approx(lam.sum() ** 2 / (lam**2).sum(), abs=1e-6)


def test_fourier_basis_is_orthonormal_and_finds_frequencies():
    for p in (7, 8):
        basis, labels = A.fourier_basis(p)
        np.testing.assert_allclose(basis @ basis.T, np.eye(p), atol=1e-10)
        assert labels[:3] == ["const", "cos 1", "sin 1"] and len(labels) == p
    p = 23
    x = np.arange(p)
    W = np.stack([np.cos(2 * np.pi * 4 * x / p), 3 * np.sin(2 * np.pi * 9 * x / p)], axis=1)
    freqs, norms = A.frequency_norms(W)
    assert list(freqs) == list(range(1, 12))
    assert list(freqs[A.dominant_frequencies(norms, 2)]) == [9, 4]
    np.testing.assert_allclose(norms[[3, 8]], [np.sqrt(p / 2), 3 * np.sqrt(p / 2)], atol=1e-6)
    assert np.all(norms[[i for i in range(11) if i not in (3, 8)]] < 1e-9)


def test_ema_matches_recurrence_and_skips_missing():
    out = A.ema([1.0, None, 3.0, 5.0], smoothing=0.5)
    assert out[0] == 1.0 and np.isnan(out[1])
    # debiased from zero: s = 0.5, 1.75, 3.375 over 1 - 0.5**n = 0.5, 0.75, 0.875
    assert out[2] == pytest.approx(7 / 3) and out[3] == pytest.approx(27 / 7)
    np.testing.assert_array_equal(A.ema([1, 2, 3], 0.0), [1, 2, 3])
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        A.ema([1], 1.0)


def test_flatness_deltas_of_a_quadratic():
    params = {"w": np.full(400, 2.0)}

    def loss(P, c=1.0):
        return c * float(np.sum(P["w"] ** 2))

    d1 = A.perturbation_loss_deltas(loss, params, scale=0.1, n_samples=64, seed=1)
    d2 = A.perturbation_loss_deltas(loss, params, scale=0.1, n_samples=64, seed=1)
    np.testing.assert_array_equal(d1, d2)
    # E[Δ] = Σ σ² = 400 * (0.1 * rms)² with rms = 2  ->  16
    assert A.flatness_summary(d1)["mean"] == pytest.approx(16.0, rel=0.6)
    sharp = A.perturbation_loss_deltas(lambda P: loss(P, 10.0), params, 0.1, 64, seed=1)
    assert A.flatness_summary(sharp)["mean"] == pytest.approx(10 * A.flatness_summary(d1)["mean"])


def test_nearest_index():
    assert A.nearest_index([0, 100, 600], 340) == 1
    assert A.nearest_index([0, 100, 600], 351) == 2
    assert A.nearest_index([0, 100], None) is None


def test_analysis_does_not_import_plotly():
    import subprocess
    import sys

    code = "import sys, vizwidget.analysis; print('plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
