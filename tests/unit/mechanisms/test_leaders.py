"""Unit tier, sim/mechanisms/leaders.py: leaders.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.leaders import effective_compassion, leader_support


def test_effective_compassion_and_support() -> None:
    eff = effective_compassion(np.array([0.8, 0.8]), 0.1, np.array([0.5, 0.0]), 0.4,
                               np.array([True, False]), 0.3)
    np.testing.assert_allclose(eff, [0.9 * 0.8, 0.3])
    sup = leader_support(eff, np.array([True, False]), np.array([60.0, 0.0]), 120.0)
    np.testing.assert_allclose(sup, [0.72 * 0.75, 0.15])
