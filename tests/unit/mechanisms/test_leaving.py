"""Unit tier, sim/mechanisms/leaving.py: leaving (resignations).

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms.leaving import resignation_annual_rate


def test_resignation_rate_is_base_at_mid_scale_and_proportional() -> None:
    kw = dict(base=0.1, exhaustion_coef=2.0, psafe_coef=1.5, bullying_coef=1.0, engagement_coef=1.5,
              new_starter_multiplier=1.6, pay_multiplier=1.0)
    half = np.array([0.5])
    assert resignation_annual_rate(half, half, np.array([0.0]), half, np.array([False]), **kw)[0] == pytest.approx(0.1)
    # exhaustion 1.0 instead of 0.5: x exp(2 * 0.5); a new starter: x 1.6
    got = resignation_annual_rate(np.array([1.0]), half, np.array([0.0]), half, np.array([True]), **kw)[0]
    assert got == pytest.approx(0.1 * math.exp(1.0) * 1.6)
