"""Unit tier, sim/mechanisms/sickness.py: sickness.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms.sickness import sickness_annual_rate


def test_sickness_rate_is_base_when_rested_and_exponential_in_exhaustion() -> None:
    # 1.2 episodes a year at no exhaustion; log hazard 1.5: x exp(1.5 * 0.5) at E = 0.5
    got = sickness_annual_rate(np.array([0.0, 0.5]), 1.2, 1.5)
    assert got[0] == pytest.approx(1.2)
    assert got[1] == pytest.approx(1.2 * math.exp(0.75))
