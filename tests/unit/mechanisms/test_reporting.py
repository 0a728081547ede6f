"""Unit tier, sim/mechanisms/reporting.py: reporting and learning.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.reporting import report_probability, share_learning


def test_report_probability_rises_with_safety() -> None:
    np.testing.assert_allclose(report_probability(np.array([0.0, 0.5, 1.0]), 0.2, 0.8), [0.2, 0.5, 0.8])


def test_share_learning_by_hand() -> None:
    got = share_learning(np.array([0.1, 0.0, 0.0]), np.array([1.0, 0.5, 0.0]), 0.5)
    np.testing.assert_allclose(got, [0.0, 0.5 * 0.5 * 0.1, 0.0])
