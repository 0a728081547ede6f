"""Unit tier, sim/mechanisms/common.py: hazards and durations shared by the mechanisms.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.mechanisms.common import beta_quantile, binomial_quantile, daily_probability, gamma_day


def test_daily_probability_of_annual_hazard() -> None:
    assert daily_probability(365.0) == pytest.approx(1 - math.exp(-1))
    assert daily_probability(0.0) == 0.0


def test_gamma_day_fixed_when_cv_zero() -> None:
    assert gamma_day(0.3, 7.0, 0.0) == 7
    assert gamma_day(0.9, 0.2, 0.0) == 1          # at least a day


def test_gamma_day_is_the_rounded_gamma_quantile_of_its_uniform() -> None:
    # CV 0.5 -> shape 4, scale mean/4: the inverse CDF of scipy's gamma, rounded half to even.
    u = np.random.default_rng(3).random(50)
    expected = np.maximum(1, np.rint(stats.gamma.ppf(u, 4.0, scale=10.0 / 4.0))).astype(int)
    assert gamma_day(u, 10.0, 0.5).tolist() == expected.tolist()
    assert gamma_day(float(u[0]), 10.0, 0.5) == expected[0]
    # a longer mean never gives a shorter duration from the same uniform (monotone coupling)
    assert (gamma_day(u, 20.0, 0.5) >= gamma_day(u, 10.0, 0.5)).all()


def test_beta_quantile_keeps_ranks_across_means() -> None:
    u = np.random.default_rng(4).random(40)
    mixed, compassionate = beta_quantile(u, 0.5, 4.0), beta_quantile(u, 0.8, 12.0)
    assert mixed == pytest.approx(stats.beta.ppf(u, 2.0, 2.0))
    assert compassionate == pytest.approx(stats.beta.ppf(u, 9.6, 2.4))
    assert (np.argsort(mixed) == np.argsort(compassionate)).all()      # the same leaders, shifted
    assert beta_quantile(0.3, 1.0, 5.0) == 1.0 and beta_quantile(u, 0.0, 5.0).tolist() == [0.0] * 40


def test_binomial_quantile_is_the_inverse_cdf_and_is_monotone() -> None:
    rng = np.random.default_rng(5)
    u, n, prob = rng.random(2000), rng.integers(0, 60, 2000), rng.random(2000) * 0.6
    assert binomial_quantile(u, n, prob).tolist() == stats.binom.ppf(u, n, prob).astype(int).tolist()
    assert binomial_quantile(np.array([0.3, 0.9]), np.array([0, 0]), np.array([0.5, 0.5])).tolist() == [0, 0]
    assert binomial_quantile(np.array([1 - 1e-15]), np.array([4]), np.array([0.999999])).tolist() == [4]
    assert binomial_quantile(np.array([0.01, 0.99]), np.array([5, 5]), np.array([1.0, 0.0])).tolist() == [5, 0]
    # more probability or more trials never give fewer events from the same uniform
    assert (binomial_quantile(u, n, prob * 1.2) >= binomial_quantile(u, n, prob)).all()
    assert (binomial_quantile(u, n + 3, prob) >= binomial_quantile(u, n, prob)).all()
