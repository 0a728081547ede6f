"""Unit tier, sim/mechanisms/staffing.py: staffing and mutual aid.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms.staffing import mutual_aid, ring_donors


def test_mutual_aid_by_hand() -> None:
    # Team 0 in crisis: 30 patients, 2 RN -> needs 30/10 - 2 = 1 RN.
    # Its neighbours (1 and 2) each have 5 RN for 20 patients: spare (5 - 20/9) * 0.5 = 1.3889, willingness 1.
    rn, lent = mutual_aid(np.array([2.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0]), np.ones(3),
                          crisis_ppn=10.0, donor_limit_ppn=9.0, max_lend_share=0.5)
    np.testing.assert_allclose(rn, [3.0, 5.0, 4.0])      # the left neighbour (team 2) lends first
    np.testing.assert_allclose(lent, [0.0, 0.0, 1.0])
    assert rn.sum() == pytest.approx(12.0)               # lending conserves RN capacity


def test_siloed_teams_lend_nothing() -> None:
    rn, lent = mutual_aid(np.array([2.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0]), np.array([0.0, 1.0, 1.0]),
                          crisis_ppn=10.0, donor_limit_ppn=9.0, max_lend_share=0.5)
    np.testing.assert_allclose(rn, [2.0, 5.0, 5.0])
    assert lent.sum() == 0


def test_ring_donors_stay_within_each_organisation() -> None:
    left, right = ring_donors(2, 3)
    np.testing.assert_array_equal(left, [2, 0, 1, 5, 3, 4])
    np.testing.assert_array_equal(right, [1, 2, 0, 4, 5, 3])
    (only,) = ring_donors(2, 2)                 # two teams: one neighbour, asked once
    np.testing.assert_array_equal(only, [1, 0, 3, 2])
    assert ring_donors(3, 1) == []              # one team per organisation: no neighbours


def test_mutual_aid_does_not_cross_organisations() -> None:
    # Organisation 0: team 0 in crisis (30 patients, 2 RN), team 1 can spare (5 - 20/9) * 0.5 = 1.389 RN.
    # Organisation 1: teams 2 and 3 could spare as much, but are not team 0's neighbours.
    rn, lent = mutual_aid(np.array([2.0, 5.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0, 20.0]), np.ones(4),
                          crisis_ppn=10.0, donor_limit_ppn=9.0, max_lend_share=0.5, donors=ring_donors(2, 2))
    np.testing.assert_allclose(rn, [3.0, 4.0, 5.0, 5.0])
    np.testing.assert_allclose(lent, [0.0, 1.0, 0.0, 0.0])
