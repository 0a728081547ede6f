"""Unit tier, sim/mechanisms/common.py: hazards and durations shared by the mechanisms.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms.common import daily_probability, gamma_day


def test_daily_probability_of_annual_hazard() -> None:
    assert daily_probability(365.0) == pytest.approx(1 - math.exp(-1))
    assert daily_probability(0.0) == 0.0


def test_gamma_day_fixed_when_cv_zero() -> None:
    rng = np.random.default_rng(0)
    assert gamma_day(rng, 7.0, 0.0) == 7
    assert gamma_day(rng, 0.2, 0.0) == 1          # at least a day


def test_gamma_day_is_one_rounded_gamma_draw() -> None:
    # CV 0.5 -> shape 4, scale mean/4; the same generator state gives the same raw draw.
    raw = np.random.default_rng(3).gamma(4.0, 10.0 / 4.0, size=20)
    rng = np.random.default_rng(3)
    assert [gamma_day(rng, 10.0, 0.5) for _ in range(20)] == [max(1, int(np.rint(x))) for x in raw]
