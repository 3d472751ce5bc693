"""Curve processing: each function against a hand-computed reference; pipelines; curves."""

from __future__ import annotations

import math

import numpy as np
import pytest

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
    with pytest.raises(ProcessingError, match="positive integer"):
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
    with pytest.raises(ProcessingError, match="'mad' or 'iqr'"):
        outlier_mask(y, "sigma")


def test_normalisations():
    close(normalize_values([2, 4, 6], "minmax"), [0, 0.5, 1])
    s = math.sqrt(2 / 3)
    close(normalize_values([1, 2, 3], "zscore"), [-1 / s, 0, 1 / s])
    # less-than counts 0,1,1,3; ties share the mean rank
    close(normalize_values([10, 20, 20, 30], "percentile"), [0.25, 0.625, 0.625, 1.0])
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
