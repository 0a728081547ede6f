"""The stationary workforce profile the model starts from (sim/initial_profile.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.initial_profile import LeavingHazards, SpellTable, stationary_quantiles, survival

NO_RETIREMENT = LeavingHazards(new_starter_multiplier=1.0, new_starter_years=1.0, retirement_age=57.0,
                               retirements_per_year=0.15, max_age=67.0, retirement=False)


def test_tenure_of_staff_in_post_is_exponential_under_a_constant_hazard() -> None:
    # A stationary workforce leaving at rate h: tenure in post is Exp(h) (memoryless), mean 1/h.
    table = SpellTable(np.array([0.1]), 21.0, 40.0, NO_RETIREMENT)
    u = (np.arange(4000) + 0.5) / 4000
    _, tenure = table.draw(np.full(4000, 0.1), np.full(4000, 0.5), u)
    assert tenure.mean() == pytest.approx(10.0, rel=0.02)
    assert np.median(tenure) == pytest.approx(10.0 * np.log(2), rel=0.02)


def test_retirement_and_maximum_age_bound_the_age_profile() -> None:
    hz = LeavingHazards(1.6, 1.0, 57.0, 0.15, 67.0, True)
    table = SpellTable(np.array([0.05, 0.2]), 21.0, 40.0, hz)
    rng = np.random.default_rng(1)
    u1, u2 = rng.random(5000), rng.random(5000)
    age_low, tenure_low = table.draw(np.full(5000, 0.05), u1, u2)
    age_high, _ = table.draw(np.full(5000, 0.2), u1, u2)
    assert age_low.max() < 67.0 and age_low.min() >= 21.0
    assert (age_low - tenure_low).min() >= 21.0 - 1e-9 and (age_low - tenure_low).max() <= 40.0 + 1e-9
    # More turnover, a younger workforce with fewer staff near retirement.
    assert age_high.mean() < age_low.mean() - 3.0
    assert (age_high >= 57).mean() < (age_low >= 57).mean()
    # Survival falls with time in post and is 0 from the maximum age.
    s = survival(np.array(0.1), np.array(30.0), np.array([0.0, 10.0, 30.0, 36.0, 40.0]), hz)
    assert np.all(np.diff(s) < 0) and s[-1] == 0.0 and s[0] == 1.0


def test_a_higher_resignation_rate_means_a_shorter_expected_spell() -> None:
    table = SpellTable(np.array([0.05, 0.4]), 21.0, 40.0, NO_RETIREMENT)
    d = table.expected_duration(np.array([0.05, 0.1, 0.4]))
    assert d[0] > d[1] > d[2]
    assert d[2] == pytest.approx(1 / 0.4, rel=0.05)


def test_stationary_quantiles_reweight_the_uniforms() -> None:
    u = (np.arange(10000) + 0.5) / 10000
    same = stationary_quantiles(u, np.ones(50))
    np.testing.assert_allclose(same, u, atol=1e-12)
    # Weight 3 on the lower half, 1 on the upper: three quarters of the mass below 0.5.
    w = np.where(np.arange(50) < 25, 3.0, 1.0)
    out = stationary_quantiles(u, w)
    assert np.all(np.diff(out) >= 0)
    assert (out < 0.5).mean() == pytest.approx(0.75, abs=0.001)
