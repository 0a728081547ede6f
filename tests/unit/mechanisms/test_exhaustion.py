"""Unit tier, sim/mechanisms/exhaustion.py: exhaustion.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms.exhaustion import exhaustion_step, relative_overload


def test_exhaustion_step_by_hand() -> None:
    # E=0.4, stress 0.1, recovery 0.05: 0.4 + 0.1*0.6 - 0.05*0.4 = 0.44
    assert exhaustion_step(np.array([0.4]), 0.1, 0.05)[0] == pytest.approx(0.44)
    # bounded in [0, 1] whatever the noise
    assert exhaustion_step(np.array([0.99]), 0.5, 0.0, 0.5)[0] == 1.0
    assert exhaustion_step(np.array([0.01]), 0.0, 0.5, -0.5)[0] == 0.0


def test_exhaustion_settles_at_stress_over_stress_plus_recovery() -> None:
    e = np.array([0.0])
    for _ in range(2000):
        e = exhaustion_step(e, 0.01, 0.03)
    assert e[0] == pytest.approx(0.25, abs=1e-9)


def test_relative_overload_is_zero_at_or_below_safe_level() -> None:
    np.testing.assert_allclose(relative_overload(np.array([6.0, 8.0, 10.0]), 8.0), [0.0, 0.0, 0.25])
