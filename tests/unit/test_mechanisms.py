"""Unit tier: the functional forms, checked against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import mechanisms as mech


def test_exhaustion_step_by_hand() -> None:
    # E=0.4, stress 0.1, recovery 0.05: 0.4 + 0.1*0.6 - 0.05*0.4 = 0.44
    assert mech.exhaustion_step(np.array([0.4]), 0.1, 0.05)[0] == pytest.approx(0.44)
    # bounded in [0, 1] whatever the noise
    assert mech.exhaustion_step(np.array([0.99]), 0.5, 0.0, 0.5)[0] == 1.0
    assert mech.exhaustion_step(np.array([0.01]), 0.0, 0.5, -0.5)[0] == 0.0


def test_exhaustion_settles_at_stress_over_stress_plus_recovery() -> None:
    e = np.array([0.0])
    for _ in range(2000):
        e = mech.exhaustion_step(e, 0.01, 0.03)
    assert e[0] == pytest.approx(0.25, abs=1e-9)


def test_daily_probability_of_annual_hazard() -> None:
    assert mech.daily_probability(365.0) == pytest.approx(1 - math.exp(-1))
    assert mech.daily_probability(0.0) == 0.0


def test_relative_overload_is_zero_at_or_below_safe_level() -> None:
    np.testing.assert_allclose(mech.relative_overload(np.array([6.0, 8.0, 10.0]), 8.0), [0.0, 0.0, 0.25])


def test_resignation_rate_is_base_at_mid_scale_and_proportional() -> None:
    kw = dict(base=0.1, exhaustion_coef=2.0, psafe_coef=1.5, bullying_coef=1.0, engagement_coef=1.5,
              new_starter_multiplier=1.6, pay_multiplier=1.0)
    half = np.array([0.5])
    assert mech.resignation_annual_rate(half, half, np.array([0.0]), half, np.array([False]), **kw)[0] == pytest.approx(0.1)
    # exhaustion 1.0 instead of 0.5: x exp(2 * 0.5); a new starter: x 1.6
    got = mech.resignation_annual_rate(np.array([1.0]), half, np.array([0.0]), half, np.array([True]), **kw)[0]
    assert got == pytest.approx(0.1 * math.exp(1.0) * 1.6)


def test_adverse_event_odds_ratio_per_extra_patient_is_the_input() -> None:
    kw = dict(base_per_1000=12.0, odds_per_patient=1.07, reference_ppn=8.0, exhaustion_coef=1.0,
              inexperience_coef=0.8, learning_coef=0.6)
    p8, p9 = mech.adverse_event_probability(np.array([8.0, 9.0]), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2), **kw)
    assert p8 == pytest.approx(0.012)
    assert (p9 / (1 - p9)) / (p8 / (1 - p8)) == pytest.approx(1.07)


def test_missed_care_base_at_reference() -> None:
    p = mech.missed_care_probability(np.array([8.0]), np.array([0.5]), np.zeros(1), np.zeros(1), np.zeros(1), base=0.25,
                                     patients_coef=2.4, reference_ppn=8.0, exhaustion_coef=3.0,
                                     inexperience_coef=0.8, hca_shortfall_coef=1.5, learning_coef=0.3)
    assert p[0] == pytest.approx(0.25)


def test_missed_care_odds_elasticity_and_vanishing_at_no_workload() -> None:
    kw = dict(base=0.25, patients_coef=2.4, reference_ppn=8.0, exhaustion_coef=0.0, inexperience_coef=0.0,
              hca_shortfall_coef=0.0, learning_coef=0.3)
    p8, p16, p0 = mech.missed_care_probability(np.array([8.0, 16.0, 0.0]), np.full(3, 0.5), np.zeros(3),
                                               np.zeros(3), np.zeros(3), **kw)
    assert (p16 / (1 - p16)) / (p8 / (1 - p8)) == pytest.approx(2**2.4)   # doubling the load
    assert p0 == pytest.approx(0.0, abs=1e-12)


def test_report_probability_rises_with_safety() -> None:
    np.testing.assert_allclose(mech.report_probability(np.array([0.0, 0.5, 1.0]), 0.2, 0.8), [0.2, 0.5, 0.8])


def test_psafe_step_by_hand() -> None:
    # improving: rate (1 + 2*0.5)/100 = 0.02; 0.3 + 0.02*(0.8-0.3) - 0.001*0.2 = 0.3098
    got = mech.psafe_step(np.array([0.3]), np.array([0.8]), 100.0, np.array([0.5]), 2.0, np.array([0.2]), 0.001)
    assert got[0] == pytest.approx(0.3098)
    # declining: development does not speed decline: 0.8 + (0.3-0.8)/100 = 0.795
    got = mech.psafe_step(np.array([0.8]), np.array([0.3]), 100.0, np.array([0.5]), 2.0, np.array([0.0]), 0.001)
    assert got[0] == pytest.approx(0.795)


def test_bullying_is_base_under_a_neutral_leader() -> None:
    got = mech.bullying_prevalence(np.array([0.5, 0.0]), np.array([0.5, 0.5]), per_year=0.2, blame_coef=2.0,
                                   exhaustion_coef=1.0)
    np.testing.assert_allclose(got, [0.2, 0.2 * math.e])


def test_effective_compassion_and_support() -> None:
    eff = mech.effective_compassion(np.array([0.8, 0.8]), 0.1, np.array([0.5, 0.0]), 0.4,
                                    np.array([True, False]), 0.3)
    np.testing.assert_allclose(eff, [0.9 * 0.8, 0.3])
    sup = mech.leader_support(eff, np.array([True, False]), np.array([60.0, 0.0]), 120.0)
    np.testing.assert_allclose(sup, [0.72 * 0.75, 0.15])


def test_mutual_aid_by_hand() -> None:
    # Team 0 in crisis: 30 patients, 2 RN -> needs 30/10 - 2 = 1 RN.
    # Its neighbours (1 and 2) each have 5 RN for 20 patients: spare (5 - 20/9) * 0.5 = 1.3889, willingness 1.
    rn, lent = mech.mutual_aid(np.array([2.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0]), np.ones(3),
                               crisis_ppn=10.0, donor_limit_ppn=9.0, max_lend_share=0.5)
    np.testing.assert_allclose(rn, [3.0, 5.0, 4.0])      # the left neighbour (team 2) lends first
    np.testing.assert_allclose(lent, [0.0, 0.0, 1.0])
    assert rn.sum() == pytest.approx(12.0)               # lending conserves RN capacity


def test_siloed_teams_lend_nothing() -> None:
    rn, lent = mech.mutual_aid(np.array([2.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0]), np.array([0.0, 1.0, 1.0]),
                               crisis_ppn=10.0, donor_limit_ppn=9.0, max_lend_share=0.5)
    np.testing.assert_allclose(rn, [2.0, 5.0, 5.0])
    assert lent.sum() == 0


def test_share_learning_by_hand() -> None:
    got = mech.share_learning(np.array([0.1, 0.0, 0.0]), np.array([1.0, 0.5, 0.0]), 0.5)
    np.testing.assert_allclose(got, [0.0, 0.5 * 0.5 * 0.1, 0.0])


def test_reputation_target_is_neutral_at_references() -> None:
    kw = dict(turnover_coef=3.0, care_coef=1.0, culture_coef=0.8, ref_leaver=0.11, ref_missed=0.25, ref_psafe=0.5)
    assert mech.reputation_target(0.11, 0.25, 0.5, **kw) == pytest.approx(0.5)
    assert mech.reputation_target(0.21, 0.25, 0.5, **kw) == pytest.approx(0.2)


def test_gamma_day_fixed_when_cv_zero() -> None:
    rng = np.random.default_rng(0)
    assert mech.gamma_day(rng, 7.0, 0.0) == 7
    assert mech.gamma_day(rng, 0.2, 0.0) == 1          # at least a day


def test_gamma_day_is_one_rounded_gamma_draw() -> None:
    # CV 0.5 -> shape 4, scale mean/4; the same generator state gives the same raw draw.
    raw = np.random.default_rng(3).gamma(4.0, 10.0 / 4.0, size=20)
    rng = np.random.default_rng(3)
    assert [mech.gamma_day(rng, 10.0, 0.5) for _ in range(20)] == [max(1, int(np.rint(x))) for x in raw]


def test_ring_donors_stay_within_each_organisation() -> None:
    left, right = mech.ring_donors(2, 3)
    np.testing.assert_array_equal(left, [2, 0, 1, 5, 3, 4])
    np.testing.assert_array_equal(right, [1, 2, 0, 4, 5, 3])
    (only,) = mech.ring_donors(2, 2)                 # two teams: one neighbour, asked once
    np.testing.assert_array_equal(only, [1, 0, 3, 2])
    assert mech.ring_donors(3, 1) == []              # one team per organisation: no neighbours


def test_mutual_aid_does_not_cross_organisations() -> None:
    # Organisation 0: team 0 in crisis (30 patients, 2 RN), team 1 can spare (5 - 20/9) * 0.5 = 1.389 RN.
    # Organisation 1: teams 2 and 3 could spare as much, but are not team 0's neighbours.
    rn, lent = mech.mutual_aid(np.array([2.0, 5.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0, 20.0]), np.ones(4),
                               crisis_ppn=10.0, donor_limit_ppn=9.0, max_lend_share=0.5, donors=mech.ring_donors(2, 2))
    np.testing.assert_allclose(rn, [3.0, 4.0, 5.0, 5.0])
    np.testing.assert_allclose(lent, [0.0, 1.0, 0.0, 0.0])


CROSS = dict(crisis_ppn=10.0, donor_limit_ppn=9.0, max_lend_share=0.5, aid_share=0.5)


def test_cross_organisation_aid_by_hand() -> None:
    # Team 0 (organisation 0) needs 30/10 - 2 = 1 RN. Teams 2 and 3 (organisation 1) each offer
    # (5 - 20/9) * 0.5 * 0.5 = 0.694 RN: supply 1.389 covers the need, taken 0.5 from each
    # (in proportion to offer). Team 1, of team 0's own organisation, is not asked.
    org = np.array([0, 0, 1, 1])
    rn, lent = mech.cross_organisation_aid(np.array([2.0, 5.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0, 20.0]),
                                           np.ones(4), org, 2, **CROSS)
    np.testing.assert_allclose(rn, [3.0, 5.0, 4.5, 4.5])
    np.testing.assert_allclose(lent, [0.0, 0.0, 0.5, 0.5])


def test_cross_organisation_aid_short_supply_and_silos() -> None:
    org = np.array([0, 0, 1, 1])
    rn0, patients = np.array([0.0, 5.0, 5.0, 5.0]), np.array([30.0, 20.0, 20.0, 20.0])
    rn, lent = mech.cross_organisation_aid(rn0, patients, np.ones(4), org, 2, **CROSS)
    offer = (5.0 - 20.0 / 9.0) * 0.25
    np.testing.assert_allclose(rn, [2 * offer, 5.0, 5.0 - offer, 5.0 - offer])   # need 3 > supply: all of it
    assert rn.sum() == pytest.approx(rn0.sum())
    siloed_recipient = mech.cross_organisation_aid(rn0, patients, np.array([0.0, 1, 1, 1]), org, 2, **CROSS)[1]
    siloed_donors = mech.cross_organisation_aid(rn0, patients, np.array([1.0, 1, 0, 0]), org, 2, **CROSS)[1]
    one_organisation = mech.cross_organisation_aid(rn0, patients, np.ones(4), np.zeros(4, dtype=int), 1, **CROSS)[1]
    assert siloed_recipient.sum() == siloed_donors.sum() == one_organisation.sum() == 0.0
