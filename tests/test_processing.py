"""Curve processing: each function against a hand-computed reference; pipelines; curves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vizwidget.errors import UsageError, VizWidgetError
from vizwidget.processing import (
    Pipeline,
    ProcessingError,
    drop_outliers,
    ema,
    ema_values,
    gaussian,
    gaussian_values,
    interpolate,
    interpolate_values,
    mask_outliers,
    normalize,
    normalize_values,
    outlier_mask,
    rolling_mean,
    rolling_mean_values,
)
from vizwidget.registry import render_visualization

NAN = float("nan")


def close(a, b) -> None:
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=1e-12)


def test_ema_is_tensorboards_debiased_form():
    # m1 = .5*2 = 1 -> 1/.5 = 2; m2 = .5*1+.5*4 = 2.5 -> 2.5/.75; NaN kept; m3 = 5.25 -> /.875
    close(ema_values([2, 4, None, 8], 0.5), [2.0, 2.5 / 0.75, NAN, 5.25 / 0.875])
    close(ema_values([3, 1], 0.0), [3, 1])
    with pytest.raises(ProcessingError, match="ema"):
        ema(1.0)


def test_rolling_mean_is_centred_and_skips_missing_points():
    close(rolling_mean_values([1, 2, NAN, 4, 10], 3), [1.5, 1.5, NAN, 7.0, 7.0])
    with pytest.raises(ProcessingError, match="positive whole number"):
        rolling_mean_values([1.0], 0)


def test_gaussian_weights_by_epoch_distance():
    x, y = np.array([0.0, 1.0, 3.0]), np.array([0.0, 3.0, 6.0])
    w = [[math.exp(-((a - b) ** 2) / 2) for b in x] for a in x]
    expected = [sum(wi[j] * y[j] for j in range(3)) / sum(wi) for wi in w]
    close(gaussian_values(x, y, 1.0), expected)
    assert gaussian_values(x, np.array([0.0, NAN, 6.0]), 1.0)[1] != gaussian_values(x, y, 1)[1]


def test_outliers_mad_and_iqr():
    y = [1, 2, 3, 4, 100]  # median 3, MAD 1 -> robust z of 100 is 97/1.4826 = 65.4
    assert outlier_mask(y, "mad").tolist() == [False, False, False, False, True]
    assert outlier_mask(y, "mad", threshold=1.0).tolist() == [True, False, False, False, True]
    # Q1 = 2, Q3 = 4, IQR = 2: fences at -1 and 7
    assert outlier_mask(y, "iqr").tolist() == [False, False, False, False, True]
    assert outlier_mask([1, 1, 1, NAN], "mad").tolist() == [False] * 4
    with pytest.raises(ProcessingError, match="'sigma'.*\n.*'mad', 'iqr'"):
        outlier_mask(y, "sigma")


def test_normalisations():
    close(normalize_values([2, 4, 6], "minmax"), [0, 0.5, 1])
    s = math.sqrt(2 / 3)
    close(normalize_values([1, 2, 3], "zscore"), [-1 / s, 0, 1 / s])
    # the fraction of values <= each one: 1, 3, 3, 4 of 4
    close(normalize_values([10, 20, 20, 30], "percentile"), [0.25, 0.75, 0.75, 1.0])
    close(normalize_values([5, NAN], "minmax"), [0, NAN])


def test_interpolation_fills_gaps_and_resamples_without_extrapolating():
    x, y = interpolate_values([0, 10, 20, 30], [1, NAN, 5, NAN])
    close(x, [0, 10, 20, 30])
    close(y, [1, 3, 5, NAN])
    x, y = interpolate_values([0, 10, 20], [1, 2, 5], at=[5, 15, 25, -1])
    close(y, [1.5, 3.5, NAN, NAN])


def test_pipeline_chains_steps_in_order():
    x = np.arange(5.0)
    y = np.array([1.0, 2, 3, 4, 100])
    x2, y2 = Pipeline([drop_outliers("mad", 5), ema(0.5)])(x, y)
    close(x2, [0, 1, 2, 3])
    close(y2, [1, 1.25 / 0.75, 2.125 / 0.875, 3.0625 / 0.9375])
    x3, y3 = Pipeline([mask_outliers("iqr"), interpolate(), normalize("minmax")])(x, y)
    close(x3, x)
    close(y3, [0, 1 / 3, 2 / 3, 1, NAN])
    assert "gaussian(2.0)" in repr(Pipeline([gaussian(2.0)]))
    with pytest.raises(ProcessingError, match="callables"):
        Pipeline([3])


def test_training_curves_accept_processing(demo_variant):
    fig = render_visualization("training_curves", demo_variant,
                               processing=Pipeline([normalize("minmax")]), log_y=False)
    loss = [t for t in fig.data if t.name and "loss" in t.name][0]
    assert np.nanmin(loss.y) == 0.0 and np.nanmax(loss.y) == 1.0
    plain = render_visualization("training_curves", demo_variant)
    spiky = [drop_outliers("iqr", 0.0)]  # drops everything outside the quartiles
    short = render_visualization("training_curves", demo_variant, processing=spiky)
    assert len(short.data[0].x) < len(plain.data[0].x)


# -- argument validation ----------------------------------------------------------------------
@pytest.mark.parametrize(("make", "step", "bad", "valid"), [
    (lambda: ema("0.5"), "ema", "'0.5'", "[0, 1)"),
    (lambda: ema(1.0), "ema", "1.0", "[0, 1)"),
    (lambda: ema(NAN), "ema", "nan", "[0, 1)"),
    (lambda: ema(True), "ema", "True", "[0, 1)"),
    (lambda: gaussian("5"), "gaussian", "'5'", "positive number"),
    (lambda: gaussian(0), "gaussian", "0", "positive number"),
    (lambda: gaussian(math.inf), "gaussian", "inf", "positive number"),
    (lambda: rolling_mean(NAN), "rolling_mean", "nan", "positive whole number"),
    (lambda: rolling_mean(0), "rolling_mean", "0", "positive whole number"),
    (lambda: rolling_mean(2.5), "rolling_mean", "2.5", "positive whole number"),
    (lambda: rolling_mean("3"), "rolling_mean", "'3'", "positive whole number"),
    (lambda: drop_outliers("bogus"), "drop_outliers", "'bogus'", "'mad', 'iqr'"),
    (lambda: drop_outliers("mad", -1), "drop_outliers", "-1", ">= 0"),
    (lambda: mask_outliers("iqr", "x"), "mask_outliers", "'x'", ">= 0"),
    (lambda: normalize("bogus"), "normalize", "'bogus'", "'minmax', 'zscore', 'percentile'"),
    (lambda: normalize(None), "normalize", "None", "'percentile'"),
    (lambda: interpolate("abc"), "interpolate", "'abc'", "list of epochs"),
    (lambda: interpolate([[1, 2]]), "interpolate", "[[1, 2]]", "flat list"),
])
def test_steps_validate_their_arguments_at_construction(make, step, bad, valid):
    with pytest.raises(ProcessingError) as info:
        make()
    assert isinstance(info.value, UsageError) and isinstance(info.value, VizWidgetError)
    message = str(info.value)
    first, second = message.split("\n")
    assert first.startswith(f"{step}:") and bad in first and valid in message
    assert second.startswith(("Pass", "Use"))


def test_valid_arguments_build_steps():
    for step in (ema(0), ema(np.float32(0.5)), gaussian(np.int64(3)), rolling_mean(4.0),
                 drop_outliers("iqr", 0), mask_outliers("mad", None), normalize("zscore"),
                 interpolate([0, 1])):
        assert callable(step)


# -- against independent references -----------------------------------------------------------
@pytest.mark.parametrize("window", [1, 2, 3, 4, 5, 8, 11, 50])
def test_rolling_mean_averages_exactly_window_points_like_pandas(window):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(window)
    y = rng.normal(100.0, 3.0, 40)
    y[[3, 4, 17, 39]] = NAN
    ours = rolling_mean_values(y, window)
    ref = pd.Series(y).rolling(window, center=True, min_periods=1).mean().to_numpy()
    finite = np.isfinite(y)
    np.testing.assert_allclose(ours[finite], ref[finite], rtol=1e-12, atol=0)
    assert np.isnan(ours[~finite]).all()
    # the window is exactly `window` points: the interior of 0, 1, 2, ... is the window's mean
    ramp = rolling_mean_values(np.arange(30.0), window)
    i = 15
    assert ramp[i] == np.mean(np.arange(i - window // 2, i + (window - 1) // 2 + 1))


def _scipy_gaussian(y: np.ndarray, sigma_steps: float) -> np.ndarray:
    ndimage = pytest.importorskip("scipy.ndimage")
    mask = np.isfinite(y).astype(float)
    num = ndimage.gaussian_filter1d(np.where(mask > 0, y, 0.0), sigma_steps, mode="constant",
                                    truncate=4.0)
    den = ndimage.gaussian_filter1d(mask, sigma_steps, mode="constant", truncate=4.0)
    out = num / den
    out[mask == 0] = NAN
    return out


@pytest.mark.parametrize(("sigma", "spacing"), [(0.7, 1.0), (1.0, 1.0), (2.5, 1.0), (30.0, 10.0),
                                                (100.0, 1.0)])
def test_gaussian_equals_scipy_normalised_filter_on_even_epochs(sigma, spacing):
    rng = np.random.default_rng(7)
    y = rng.normal(size=60)
    y[[0, 10, 11, 45]] = NAN
    x = 500.0 + spacing * np.arange(60)
    ours = gaussian_values(x, y, sigma)
    ref = _scipy_gaussian(y, sigma / spacing)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    # order of the points does not matter
    perm = rng.permutation(60)
    np.testing.assert_allclose(gaussian_values(x[perm], y[perm], sigma), ours[perm], rtol=1e-10)


def test_gaussian_on_uneven_epochs_is_the_documented_truncated_sum():
    rng = np.random.default_rng(3)
    x = np.sort(rng.choice(5000, size=300, replace=False)).astype(float)
    y = rng.normal(size=300)
    y[::17] = NAN
    sigma = 40.0
    ok = np.isfinite(y)
    d = x[:, None] - x[None, ok]
    w = np.exp(-(d**2) / (2 * sigma**2)) * (np.abs(d) <= 4 * sigma)
    ref = np.full(300, NAN)
    ref[ok] = ((w @ y[ok]) / w.sum(axis=1))[ok]
    np.testing.assert_allclose(gaussian_values(x, y, sigma), ref, rtol=1e-10, atol=1e-12)


@pytest.mark.timeout(20)
def test_a_million_points_smooth_and_rank_quickly():
    n = 1_000_000
    rng = np.random.default_rng(0)
    x = np.arange(n, dtype=float)
    y = rng.normal(size=n)
    smooth = gaussian_values(x, y, 2000.0)
    assert smooth.shape == (n,) and np.isfinite(smooth).all() and smooth.std() < 0.05
    uneven = np.cumsum(rng.uniform(0.5, 1.5, n))
    assert np.isfinite(gaussian_values(uneven, y, 1.5)).all()
    ranks = normalize_values(y, "percentile")
    assert ranks.min() == 1 / n and ranks.max() == 1.0
    assert np.isfinite(rolling_mean_values(y, 5000)).all()


def test_percentile_is_scipys_weak_percentile_of_score():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(11)
    y = rng.integers(0, 6, 50).astype(float)  # many ties
    y[[2, 30]] = NAN
    finite = y[np.isfinite(y)]
    ref = [stats.percentileofscore(finite, v, kind="weak") / 100 for v in finite]
    ours = normalize_values(y, "percentile")
    close(ours[np.isfinite(y)], ref)
    assert np.isnan(ours[[2, 30]]).all()
    close(ours[np.isfinite(y)], stats.rankdata(finite, method="max") / finite.size)


def test_constant_curves_normalise_as_documented():
    flat = [4.0, 4.0, NAN, 4.0]
    close(normalize_values(flat, "percentile"), [1, 1, NAN, 1])
    close(normalize_values(flat, "minmax"), [0, 0, NAN, 0])
    close(normalize_values(flat, "zscore"), [0, 0, NAN, 0])


def test_zscore_is_population_standard_score():
    stats = pytest.importorskip("scipy.stats")
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    np.testing.assert_allclose(normalize_values(y, "zscore"), stats.zscore(y, ddof=0),
                               rtol=1e-12)


def test_gaussian_by_fft_on_long_curves_equals_scipy():
    rng = np.random.default_rng(5)
    y = np.cumsum(rng.normal(size=6000))
    y[100:140] = NAN
    ours = gaussian_values(np.arange(6000.0) * 2, y, 1200.0)  # 2401-point kernel: FFT path
    np.testing.assert_allclose(ours, _scipy_gaussian(y, 600.0), rtol=1e-9, atol=1e-9)
