"""Unit tier, sim/mechanisms/quality.py: quality of care.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms.quality import adverse_event_probability, missed_care_probability


def test_adverse_event_odds_ratio_per_extra_patient_is_the_input() -> None:
    kw = dict(base_per_1000=12.0, odds_per_patient=1.07, reference_ppn=8.0, exhaustion_coef=1.0,
              inexperience_coef=0.8, learning_coef=0.6)
    p8, p9 = adverse_event_probability(np.array([8.0, 9.0]), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2), **kw)
    assert p8 == pytest.approx(0.012)
    assert (p9 / (1 - p9)) / (p8 / (1 - p8)) == pytest.approx(1.07)


def test_missed_care_base_at_reference() -> None:
    p = missed_care_probability(np.array([8.0]), np.array([0.5]), np.zeros(1), np.zeros(1), np.zeros(1), base=0.25,
                                patients_coef=2.4, reference_ppn=8.0, exhaustion_coef=3.0,
                                inexperience_coef=0.8, hca_shortfall_coef=1.5, learning_coef=0.3)
    assert p[0] == pytest.approx(0.25)


def test_missed_care_odds_elasticity_and_vanishing_at_no_workload() -> None:
    kw = dict(base=0.25, patients_coef=2.4, reference_ppn=8.0, exhaustion_coef=0.0, inexperience_coef=0.0,
              hca_shortfall_coef=0.0, learning_coef=0.3)
    p8, p16, p0 = missed_care_probability(np.array([8.0, 16.0, 0.0]), np.full(3, 0.5), np.zeros(3),
                                          np.zeros(3), np.zeros(3), **kw)
    assert (p16 / (1 - p16)) / (p8 / (1 - p8)) == pytest.approx(2**2.4)   # doubling the load
    assert p0 == pytest.approx(0.0, abs=1e-12)
