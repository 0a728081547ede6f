"""Unit tier, sim/mechanisms/culture.py: culture (psychological safety, bullying).

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms.culture import bullying_prevalence, climate, psafe_step


def test_psafe_step_by_hand() -> None:
    # improving: rate (1 + 2*0.5)/100 = 0.02; 0.3 + 0.02*(0.8-0.3) - 0.001*0.2 = 0.3098
    got = psafe_step(np.array([0.3]), np.array([0.8]), 100.0, np.array([0.5]), 2.0, np.array([0.2]), 0.001)
    assert got[0] == pytest.approx(0.3098)
    # declining: development does not speed decline: 0.8 + (0.3-0.8)/100 = 0.795
    got = psafe_step(np.array([0.8]), np.array([0.3]), 100.0, np.array([0.5]), 2.0, np.array([0.0]), 0.001)
    assert got[0] == pytest.approx(0.795)


def test_bullying_is_base_under_a_neutral_leader() -> None:
    got = bullying_prevalence(np.array([0.5, 0.0]), np.array([0.5, 0.5]), per_year=0.2, blame_coef=2.0,
                              exhaustion_coef=1.0)
    np.testing.assert_allclose(got, [0.2, 0.2 * math.e])


def test_climate_rescales_safety_to_the_leaders_range() -> None:
    c = climate(np.array([0.1, 0.2, 0.525, 0.85, 0.9]), 0.2, 0.85)
    assert c.tolist() == [0.0, 0.0, pytest.approx(0.5), 1.0, 1.0]
