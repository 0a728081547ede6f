"""Unit tier, sim/mechanisms/labour_market.py: the labour market (mutual aid across organisations).

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms.labour_market import cross_organisation_aid

CROSS = dict(crisis_ppn=10.0, donor_limit_ppn=9.0, max_lend_share=0.5, aid_share=0.5)


def test_cross_organisation_aid_by_hand() -> None:
    # Team 0 (organisation 0) needs 30/10 - 2 = 1 RN. Teams 2 and 3 (organisation 1) each offer
    # (5 - 20/9) * 0.5 * 0.5 = 0.694 RN: supply 1.389 covers the need, taken 0.5 from each
    # (in proportion to offer). Team 1, of team 0's own organisation, is not asked.
    org = np.array([0, 0, 1, 1])
    rn, lent = cross_organisation_aid(np.array([2.0, 5.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0, 20.0]),
                                      np.ones(4), org, 2, **CROSS)
    np.testing.assert_allclose(rn, [3.0, 5.0, 4.5, 4.5])
    np.testing.assert_allclose(lent, [0.0, 0.0, 0.5, 0.5])


def test_cross_organisation_aid_short_supply_and_silos() -> None:
    org = np.array([0, 0, 1, 1])
    rn0, patients = np.array([0.0, 5.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0, 20.0])
    rn, lent = cross_organisation_aid(rn0, patients, np.ones(4), org, 2, **CROSS)
    offer = (5.0 - 20.0 / 9.0) * 0.25
    np.testing.assert_allclose(rn, [2 * offer, 5.0, 5.0 - offer, 5.0 - offer])   # need 3 > supply: all of it
    assert rn.sum() == pytest.approx(rn0.sum())
    siloed_recipient = cross_organisation_aid(rn0, patients, np.array([0.0, 1, 1, 1]), org, 2, **CROSS)[1]
    siloed_donors = cross_organisation_aid(rn0, patients, np.array([1.0, 1, 0, 0]), org, 2, **CROSS)[1]
    one_organisation = cross_organisation_aid(rn0, patients, np.ones(4), np.zeros(4, dtype=int), 1, **CROSS)[1]
    assert siloed_recipient.sum() == siloed_donors.sum() == one_organisation.sum() == 0.0
