"""Unit tier, sim/mechanisms/exhaustion.py: exhaustion.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms.exhaustion import (
    burnout_weight,
    exhaustion_equilibrium,
    exhaustion_step,
    relative_overload,
    workload_factor,
)


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


def test_workload_factor_is_log_linear_without_a_kink() -> None:
    f = workload_factor(np.array([4.0, 8.0, 16.0]), 8.0, 0.6)
    assert f[1] == pytest.approx(1.0)
    assert f[0] == pytest.approx(0.5**0.6) and f[2] == pytest.approx(2**0.6)
    assert workload_factor(np.array([12.0]), 8.0, 0.0)[0] == pytest.approx(1.0)


def test_exhaustion_equilibrium_is_where_the_step_settles() -> None:
    s, r = np.array([0.01, 0.0]), np.array([0.03, 0.0])
    eq = exhaustion_equilibrium(s, r)
    assert eq.tolist() == [pytest.approx(0.25), 0.0]
    assert exhaustion_step(eq, s, r)[0] == pytest.approx(eq[0])


def test_burnout_weight_hard_and_soft() -> None:
    e = np.array([0.3, 0.5, 0.7])
    assert burnout_weight(e, 0.5, 0.0).tolist() == [0.0, 0.0, 1.0]
    soft = burnout_weight(e, 0.5, 0.1)
    assert soft[1] == pytest.approx(0.5)
    assert soft[0] == pytest.approx(1 - soft[2]) and 0 < soft[0] < 0.2
