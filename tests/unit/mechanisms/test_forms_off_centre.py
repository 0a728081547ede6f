"""Unit tier: every functional form of sim/mechanisms/ at off-centre points, where each
term matters, against values computed by hand (in the comments).

The forms are centred on mid-scale (0.5) states, so a test at 0.5 cannot see a wrong
coefficient or a flipped sign of a centred term; here every state is away from 0.5 and
each coefficient is varied on its own (issue 17). For the logistic and log-linear forms
each term is checked as its own step on the log-odds or log scale.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms.common import (
    beta_quantile,
    binomial_quantile,
    daily_probability,
    exhaustion_step,
    expit,
    gamma_day,
    logit,
    normal_quantile,
)
from sim.mechanisms.culture import bullying_prevalence, climate, engagement_target, psafe_step, psafe_target
from sim.mechanisms.exhaustion import burnout_weight, exhaustion_equilibrium, relative_overload, workload_factor
from sim.mechanisms.labour_market import cross_organisation_aid
from sim.mechanisms.leaders import effective_compassion, leader_support
from sim.mechanisms.leaving import resignation_annual_rate
from sim.mechanisms.quality import adverse_event_probability, missed_care_probability
from sim.mechanisms.reporting import report_probability, share_learning
from sim.mechanisms.reputation import reputation_target
from sim.mechanisms.sickness import sickness_annual_rate
from sim.mechanisms.staffing import mutual_aid, ring_donors


def a(*x: float) -> np.ndarray:
    return np.array(x, dtype=float)


def log_odds(p: np.ndarray | float) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


# ----------------------------------------------------------------- common


def test_logit_expit_and_daily_probability_by_hand() -> None:
    assert logit(0.2) == pytest.approx(math.log(0.25), abs=1e-12)           # ln(0.2 / 0.8)
    assert logit(0.9) == pytest.approx(2.1972246, abs=1e-7)                  # ln 9
    np.testing.assert_allclose(expit(a(1.0, -2.0, 0.0)), [0.7310586, 0.1192029, 0.5], atol=1e-7)
    # 1 - exp(-rate / 365): 365 a year -> 1 - 1/e; 36.5 a year -> 1 - exp(-0.1)
    np.testing.assert_allclose(daily_probability(a(365.0, 36.5, 0.0)), [0.6321206, 0.0951626, 0.0], atol=1e-7)
    assert daily_probability(73.0) == pytest.approx(1 - math.exp(-0.2))


def test_exhaustion_step_each_term() -> None:
    # 0.2 + 0.1 x 0.8 - 0.3 x 0.2 + 0.05 = 0.27
    assert exhaustion_step(a(0.2), a(0.1), a(0.3), 0.05)[0] == pytest.approx(0.27)
    assert exhaustion_step(a(0.2), a(0.1), a(0.3))[0] == pytest.approx(0.22)          # noise defaults to 0
    assert exhaustion_step(a(0.2), a(0.0), a(0.3))[0] == pytest.approx(0.14)          # recovery alone: 0.2 - 0.06
    assert exhaustion_step(a(0.2), a(0.1), a(0.0))[0] == pytest.approx(0.28)          # stress alone: 0.2 + 0.08
    # clipped to [0, 1]
    assert exhaustion_step(a(0.9, 0.1), a(0.5, 0.0), a(0.0, 0.5), a(0.1, -0.1)).tolist() == [1.0, 0.0]


def test_gamma_day_fixed_and_gamma_durations() -> None:
    assert gamma_day(0.3, 3.4, 0.0) == 3 and isinstance(gamma_day(0.3, 3.4, 0.0), int)
    assert gamma_day(0.3, 0.2, 0.0) == 1                                               # at least one day
    assert gamma_day(0.3, 2.5, 0.0) == 2 and gamma_day(0.3, 3.5, 0.0) == 4              # half to even
    assert gamma_day(a(0.1, 0.9), a(3.0, 7.0), 0.0).tolist() == [3, 7]
    # CV 1: exponential; median ln 2 x mean: 10 ln 2 = 6.93 -> 7; u = 0.9: -10 ln 0.1 = 23.03 -> 23
    assert gamma_day(0.5, 10.0, 1.0) == 7
    assert gamma_day(a(0.5, 0.9), 10.0, 1.0).tolist() == [7, 23]
    # CV 0.5: shape 4, scale mean / 4; the median of Gamma(4, 1) is 3.67206: 10 x 3.67206 / 4 = 9.18 -> 9
    assert gamma_day(0.5, 10.0, 0.5) == 9
    assert gamma_day(0.5, 40.0, 0.5) == 37                                             # 36.72
    assert gamma_day(1e-9, 10.0, 1.0) == 1
    assert gamma_day(a(0.5), 10.0, 1.0).dtype == np.int64


def test_beta_quantile_by_hand() -> None:
    # mean 0.5, concentration 2: Beta(1, 1), the uniform itself
    assert beta_quantile(0.3, 0.5, 2.0) == pytest.approx(0.3)
    # mean 0.25, concentration 4: Beta(1, 3), CDF 1 - (1 - x)^3; median 1 - 0.5^(1/3) = 0.2062995
    assert beta_quantile(0.5, 0.25, 4.0) == pytest.approx(0.2062995, abs=1e-7)
    # mean 0.75: Beta(3, 1), CDF x^3; median 0.5^(1/3) = 0.7937005
    np.testing.assert_allclose(beta_quantile(a(0.5, 0.125), 0.75, 4.0), [0.7937005, 0.5], atol=1e-7)
    assert beta_quantile(0.3, 0.0, 4.0) == 0.0 and beta_quantile(0.3, 1.0, 4.0) == 1.0
    assert beta_quantile(a(0.3, 0.6), 1.0, 4.0).tolist() == [1.0, 1.0]
    assert isinstance(beta_quantile(0.3, 0.25, 4.0), float)


def test_normal_quantile_by_hand() -> None:
    np.testing.assert_allclose(normal_quantile(a(0.975, 0.5, 0.1587)), [1.959964, 0.0, -1.0], atol=2e-4)


def test_binomial_quantile_by_hand() -> None:
    # n = 3, p = 0.5: CDF 0.125, 0.5, 0.875, 1 -> the smallest k with CDF(k) >= u
    n, p = np.full(5, 3), np.full(5, 0.5)
    assert binomial_quantile(a(0.1, 0.125, 0.3, 0.6, 0.9), n, p).tolist() == [0, 0, 1, 2, 3]
    # n = 3, p = 0.8 (through n - Bin(3, 0.2)): CDF 0.008, 0.104, 0.488, 1
    assert binomial_quantile(a(0.005, 0.05, 0.2, 0.6), n[:4], np.full(4, 0.8)).tolist() == [0, 1, 2, 3]
    # one trial: an event when u > 1 - p; none with no trials
    assert binomial_quantile(a(0.65, 0.75, 0.99), np.array([1, 1, 0]), a(0.3, 0.3, 0.9)).tolist() == [0, 1, 0]
    # mixed: n = 1 and n = 3 in one call
    assert binomial_quantile(a(0.8, 0.6), np.array([1, 3]), a(0.5, 0.5)).tolist() == [1, 2]
    # far tail beyond the cut-off (mean + 4 sd + 2): n = 100, p = 0.01, u just below 1
    assert binomial_quantile(a(1 - 1e-12), np.array([100]), a(0.01)).tolist()[0] >= 8
    # n = 100, p = 0.99: P(100) = 0.99^100 = 0.366, P(99) = 0.370, P(98) = 0.185: CDF(97) = 0.079,
    # CDF(98) = 0.264, CDF(99) = 0.634
    assert binomial_quantile(a(0.05, 0.2, 0.3, 0.7), np.full(4, 100), np.full(4, 0.99)).tolist() == [97, 98, 99, 100]


# ----------------------------------------------------------------- culture


def test_psafe_target_by_hand() -> None:
    np.testing.assert_allclose(psafe_target(a(0.3, 0.0, 1.0), 0.2, 0.9), [0.41, 0.2, 0.9])   # 0.2 + 0.7 x 0.3


def test_psafe_step_each_term() -> None:
    # rate = (1 + 3 x 0.4) / 50 = 0.044: 0.3 + 0.044 x 0.4 - 0.01 x 0.5 = 0.3126
    assert psafe_step(a(0.3), a(0.7), 50.0, a(0.4), 3.0, a(0.5), 0.01)[0] == pytest.approx(0.3126)
    assert psafe_step(a(0.3), a(0.7), 50.0, a(0.0), 3.0, a(0.5), 0.01)[0] == pytest.approx(0.3030)   # no development
    assert psafe_step(a(0.3), a(0.7), 50.0, a(0.4), 0.0, a(0.5), 0.01)[0] == pytest.approx(0.3030)   # no speed-up
    assert psafe_step(a(0.3), a(0.7), 50.0, a(0.4), 3.0, a(0.0), 0.01)[0] == pytest.approx(0.3176)   # no bullying
    assert psafe_step(a(0.3), a(0.7), 25.0, a(0.4), 3.0, a(0.5), 0.0)[0] == pytest.approx(0.3352)    # 0.3 + 0.088 x 0.4
    # the rate is capped at one day's full step; declines are not sped up
    assert psafe_step(a(0.3), a(0.7), 1.0, a(1.0), 3.0, a(0.0), 0.0)[0] == pytest.approx(0.7)
    assert psafe_step(a(0.7), a(0.3), 50.0, a(1.0), 3.0, a(0.0), 0.0)[0] == pytest.approx(0.692)
    assert psafe_step(a(0.3), a(0.3), 50.0, a(1.0), 3.0, a(0.0), 0.0)[0] == pytest.approx(0.3)
    assert psafe_step(a(0.01, 0.99), a(0.01, 1.0), 1.0, a(0.0, 0.0), 0.0, a(1.0, 0.0), 0.5).tolist() == [0.0, 1.0]


def test_climate_by_hand() -> None:
    np.testing.assert_allclose(climate(a(0.3, 0.55), 0.2, 0.7), [0.2, 0.7])    # (x - 0.2) / 0.5
    assert climate(a(0.3, 0.9), 0.5, 0.5).tolist() == [0.5, 0.5]                  # no range: neutral
    assert climate(a(0.3), 0.6, 0.4).tolist() == [0.5]


def test_bullying_prevalence_each_term() -> None:
    # climate 0.2 (blame term 1 - 0.2 - 0.5 = 0.3), exhaustion 0.7 (term 0.2): x = 2 x 0.3 + 1 x 0.2 = 0.8
    got = bullying_prevalence(a(0.2), a(0.7), per_year=0.1, blame_coef=2.0, exhaustion_coef=1.0)
    assert got[0] == pytest.approx(0.2225541, abs=1e-7)                     # 0.1 e^0.8
    assert bullying_prevalence(a(0.2), a(0.7), per_year=0.1, blame_coef=0.0, exhaustion_coef=1.0)[0] == \
        pytest.approx(0.1221403, abs=1e-7)                                   # 0.1 e^0.2
    assert bullying_prevalence(a(0.2), a(0.7), per_year=0.1, blame_coef=2.0, exhaustion_coef=0.0)[0] == \
        pytest.approx(0.1822119, abs=1e-7)                                   # 0.1 e^0.6
    assert bullying_prevalence(a(0.9), a(0.1), per_year=0.1, blame_coef=2.0, exhaustion_coef=1.0)[0] == \
        pytest.approx(0.1 * math.exp(-0.8 - 0.4))                             # compassionate, rested: below base
    assert bullying_prevalence(a(0.2), a(0.7), per_year=0.9, blame_coef=2.0, exhaustion_coef=1.0)[0] == 1.0


def test_engagement_target_each_term() -> None:
    # 0.5 + 0.4 x (0.7 - 0.5) - 0.3 x (0.2 - 0.5) = 0.67
    kw = {"base": 0.5, "psafe_coef": 0.4, "exhaustion_coef": 0.3}
    assert engagement_target(a(0.7), a(0.2), **kw)[0] == pytest.approx(0.67)
    assert engagement_target(a(0.7), a(0.2), **{**kw, "psafe_coef": 0.0})[0] == pytest.approx(0.59)
    assert engagement_target(a(0.7), a(0.2), **{**kw, "exhaustion_coef": 0.0})[0] == pytest.approx(0.58)
    assert engagement_target(a(0.7), a(0.2), **{**kw, "base": 0.2})[0] == pytest.approx(0.37)
    assert engagement_target(a(1.0, 0.0), a(0.0, 1.0), base=0.9, psafe_coef=1.0, exhaustion_coef=1.0).tolist() == [1.0, 0.0]


# ----------------------------------------------------------------- exhaustion


def test_workload_forms_by_hand() -> None:
    np.testing.assert_allclose(relative_overload(a(8.0, 5.0, 6.0), 6.0), [1 / 3, 0.0, 0.0])
    np.testing.assert_allclose(workload_factor(a(9.0, 3.0), 6.0, 1.5), [1.8371173, 0.3535534], atol=1e-7)  # 1.5^1.5, 0.5^1.5
    assert workload_factor(a(9.0), 6.0, 0.0)[0] == 1.0
    assert workload_factor(a(0.0), 6.0, 1.0)[0] == pytest.approx(1e-9 / 6)      # floored, never 0 ** negative


def test_exhaustion_equilibrium_and_burnout_weight() -> None:
    np.testing.assert_allclose(exhaustion_equilibrium(a(0.1, 0.0, 0.3), a(0.3, 0.0, 0.0)), [0.25, 0.0, 1.0])
    assert burnout_weight(a(0.7, 0.5, 0.49), 0.5, 0.0).tolist() == [1.0, 0.0, 0.0]      # hard: above, not at
    np.testing.assert_allclose(burnout_weight(a(0.7, 0.4), 0.5, 0.1), [0.8807971, 0.2689414], atol=1e-7)  # expit(+-2), expit(-1)
    np.testing.assert_allclose(burnout_weight(a(0.7), 0.6, 0.05), [0.8807971], atol=1e-7)


# ----------------------------------------------------------------- leaders


def test_effective_compassion_each_term() -> None:
    present = np.array([True, True, True, False])
    got = effective_compassion(a(0.6, 0.8, 0.2, 0.6), 0.1, a(0.4, 0.4, 0.4, 0.4), 0.5, present, 0.35)
    # (0.6 + 0.1) x (1 - 0.5 x 0.4) = 0.56; 0.9 x 0.8 = 0.72; 0.3 x 0.8 = 0.24; vacant: the interim's
    np.testing.assert_allclose(got, [0.56, 0.72, 0.24, 0.35])
    np.testing.assert_allclose(effective_compassion(a(0.8, 0.2), 0.3, a(0.0, 0.0), 0.5, present[:2], 0.35), [1.0, 0.5])
    np.testing.assert_allclose(effective_compassion(a(0.2), -0.3, a(0.0), 0.5, present[:1], 0.35), [0.0])
    np.testing.assert_allclose(effective_compassion(a(0.6), 0.0, a(0.4), 0.0, present[:1], 0.35), [0.6])


def test_leader_support_ramps_over_induction() -> None:
    present = np.array([True, True, True, False])
    # ramp 0.5 + 0.5 x min(1, tenure / 100): 0.75 at 50 days, 1 after 100; vacant: half the interim's
    got = leader_support(a(0.8, 0.8, 0.8, 0.6), present, a(50.0, 200.0, 0.0, 50.0), 100.0)
    np.testing.assert_allclose(got, [0.6, 0.8, 0.4, 0.3])
    np.testing.assert_allclose(leader_support(a(0.8, 0.6), present[2:], a(0.0, 0.0), 0.0), [0.8, 0.3])


# ----------------------------------------------------------------- leaving, sickness


def test_resignation_rate_each_term() -> None:
    # exhaustion 0.8 (+0.3), safety 0.3 (+0.2), bullying 0.2, engagement 0.4 (+0.1); coefs 1, 2, 3, 4:
    # log HR = 0.3 + 0.4 + 0.6 + 0.4 = 1.7; 0.1 x 0.9 x e^1.7 = 0.4926553
    states = (a(0.8), a(0.3), a(0.2), a(0.4), np.array([False]))
    kw = {"base": 0.1, "exhaustion_coef": 1.0, "psafe_coef": 2.0, "bullying_coef": 3.0, "engagement_coef": 4.0,
          "new_starter_multiplier": 2.0, "pay_multiplier": 0.9}
    assert resignation_annual_rate(*states, **kw)[0] == pytest.approx(0.4926553, abs=1e-7)
    for coef, term in (("exhaustion_coef", 0.3), ("psafe_coef", 0.4), ("bullying_coef", 0.6), ("engagement_coef", 0.4)):
        assert resignation_annual_rate(*states, **{**kw, coef: 0.0})[0] == pytest.approx(0.09 * math.exp(1.7 - term))
    new = (*states[:4], np.array([True]))
    assert resignation_annual_rate(*new, **kw)[0] == pytest.approx(2 * 0.4926553, abs=1e-6)
    assert resignation_annual_rate(*states, **{**kw, "pay_multiplier": 1.0})[0] == pytest.approx(0.1 * math.exp(1.7))


def test_sickness_rate_by_hand() -> None:
    np.testing.assert_allclose(sickness_annual_rate(a(0.4, 0.0), 2.0, 1.5), [3.6442376, 2.0], atol=1e-7)  # 2 e^0.6


# ----------------------------------------------------------------- quality


QKW = {"base_per_1000": 5.0, "odds_per_patient": 1.1, "reference_ppn": 6.0, "exhaustion_coef": 1.0,
       "inexperience_coef": 2.0, "learning_coef": 3.0}


def test_adverse_event_probability_by_hand_and_each_term() -> None:
    # ppn 8, exhaustion 0.7, inexperience 0.2, learning 0.3:
    # x = logit(0.005) + ln(1.1) x 2 + 1 x 0.2 + 2 x 0.2 - 3 x 0.3 = -5.2933048 + 0.1906204 + 0.2 + 0.4 - 0.9
    states = (a(8.0), a(0.7), a(0.2), a(0.3))
    p = adverse_event_probability(*states, **QKW)[0]
    assert p == pytest.approx(0.0044842733, rel=1e-7)
    base = log_odds(p)
    for coef, zero, term in (("odds_per_patient", 1.0, math.log(1.1) * 2), ("exhaustion_coef", 0.0, 0.2),
                             ("inexperience_coef", 0.0, 0.4), ("learning_coef", 0.0, -0.9)):
        assert base - log_odds(adverse_event_probability(*states, **{**QKW, coef: zero})[0]) == pytest.approx(term)
    # the reference workload: no workload term; the base rate sets the intercept
    assert log_odds(adverse_event_probability(a(6.0), a(0.5), a(0.0), a(0.0), **QKW)[0]) == pytest.approx(logit(0.005))
    assert log_odds(adverse_event_probability(*states, **{**QKW, "reference_ppn": 7.0})[0]) == \
        pytest.approx(base - math.log(1.1))


MKW = {"base": 0.2, "patients_coef": 1.5, "reference_ppn": 6.0, "exhaustion_coef": 1.0, "inexperience_coef": 2.0,
       "hca_shortfall_coef": 3.0, "learning_coef": 0.5}


def test_missed_care_probability_by_hand_and_each_term() -> None:
    # ppn 8, exhaustion 0.7, inexperience 0.2, HCA shortfall 0.1, learning 0.3:
    # x = logit(0.2) + 1.5 ln(8/6) + 0.2 + 0.4 + 0.3 - 0.15 = -1.3862944 + 0.4315231 + 0.75
    states = (a(8.0), a(0.7), a(0.2), a(0.1), a(0.3))
    p = missed_care_probability(*states, **MKW)[0]
    assert p == pytest.approx(0.4489853216, rel=1e-8)
    base = log_odds(p)
    for coef, term in (("patients_coef", 1.5 * math.log(8 / 6)), ("exhaustion_coef", 0.2), ("inexperience_coef", 0.4),
                       ("hca_shortfall_coef", 0.3), ("learning_coef", -0.15)):
        assert base - log_odds(missed_care_probability(*states, **{**MKW, coef: 0.0})[0]) == pytest.approx(term)
    assert log_odds(missed_care_probability(a(6.0), a(0.5), a(0.0), a(0.0), a(0.0), **MKW)[0]) == pytest.approx(logit(0.2))
    assert log_odds(missed_care_probability(*states, **{**MKW, "reference_ppn": 4.0})[0]) == \
        pytest.approx(base + 1.5 * math.log(6 / 4))
    assert missed_care_probability(a(0.0), a(0.5), a(0.0), a(0.0), a(0.0), **MKW)[0] < 1e-9   # no nurse time needed


# ----------------------------------------------------------------- reporting and reputation


def test_report_probability_by_hand() -> None:
    np.testing.assert_allclose(report_probability(a(0.3, 0.0, 1.0), 0.2, 0.8), [0.38, 0.2, 0.8])


def test_share_learning_on_a_ring_by_hand() -> None:
    # ring of 4 (left, right neighbours); gains 1 (team 0) and 0.4 (team 2); willingness 0.5, 1, 0.2, 1; share 0.5
    # team 1 receives from 0 (min(1, 0.5) = 0.5) and 2 (min(1, 0.2) = 0.2): 0.5 x (0.5 x 1 + 0.2 x 0.4) = 0.29
    # team 3 likewise from 2 and 0: 0.29; teams 0 and 2 receive nothing (their neighbours gained nothing)
    got = share_learning(a(1.0, 0.0, 0.4, 0.0), a(0.5, 1.0, 0.2, 1.0), 0.5)
    np.testing.assert_allclose(got, [0.0, 0.29, 0.0, 0.29])
    # two organisations of two teams: each team's one neighbour is the other team of its organisation
    got = share_learning(a(1.0, 0.0, 0.0, 0.5), a(1.0, 0.6, 1.0, 1.0), 0.5, ring_donors(2, 2))
    np.testing.assert_allclose(got, [0.0, 0.3, 0.25, 0.0])


def test_reputation_target_each_term() -> None:
    kw = {"turnover_coef": 2.0, "care_coef": 1.0, "culture_coef": 3.0, "ref_leaver": 0.1, "ref_missed": 0.2,
          "ref_psafe": 0.5}
    # 0.5 - 2 x 0.05 - 1 x 0.1 + 3 x 0.1 = 0.6
    assert reputation_target(0.15, 0.3, 0.6, **kw) == pytest.approx(0.6)
    assert reputation_target(0.15, 0.3, 0.6, **{**kw, "turnover_coef": 0.0}) == pytest.approx(0.7)
    assert reputation_target(0.15, 0.3, 0.6, **{**kw, "care_coef": 0.0}) == pytest.approx(0.7)
    assert reputation_target(0.15, 0.3, 0.6, **{**kw, "culture_coef": 0.0}) == pytest.approx(0.3)
    assert reputation_target(0.15, 0.3, 0.6, **{**kw, "ref_leaver": 0.0}) == pytest.approx(0.4)
    assert reputation_target(0.15, 0.3, 0.6, **{**kw, "ref_missed": 0.0}) == pytest.approx(0.4)
    assert reputation_target(0.15, 0.3, 0.6, **{**kw, "ref_psafe": 0.3}) == pytest.approx(1.0)
    assert reputation_target(0.9, 0.3, 0.6, **kw) == 0.0 and reputation_target(0.0, 0.0, 1.0, **kw) == 1.0


# ----------------------------------------------------------------- mutual aid


def test_ring_donors() -> None:
    left, right = ring_donors(2, 3)
    assert left.tolist() == [2, 0, 1, 5, 3, 4] and right.tolist() == [1, 2, 0, 4, 5, 3]
    (only,) = ring_donors(2, 2)
    assert only.tolist() == [1, 0, 3, 2]
    assert ring_donors(3, 1) == []
    left, right = ring_donors(1, 4)
    assert left.tolist() == [3, 0, 1, 2] and right.tolist() == [1, 2, 3, 0]


def test_mutual_aid_three_wards_by_hand() -> None:
    # RN on duty 2, 6, 5; patients 30, 24, 20; crisis 10, donor limit 6 patients per RN, lend at most half
    # the spare; willingness 1, 0.8, 0.5. Only ward 0 is in crisis (needs 30/10 - 2 = 1 RN).
    # left neighbour (ward 2): spare (5 - 20/6) x 0.5 = 0.8333, x min(1, 0.5) = 0.4167 lent -> ward 0 has 2.4167
    # right neighbour (ward 1): needs 0.5833 more; spare (6 - 4) x 0.5 = 1, x 0.8 = 0.8 >= 0.5833 -> exactly 3
    rn, lent = mutual_aid(a(2.0, 6.0, 5.0), a(30.0, 24.0, 20.0), a(1.0, 0.8, 0.5), crisis_ppn=10.0, donor_limit_ppn=6.0,
                          max_lend_share=0.5)
    np.testing.assert_allclose(rn, [3.0, 6.0 - 7 / 12, 5.0 - 5 / 12])
    np.testing.assert_allclose(lent, [0.0, 7 / 12, 5 / 12])
    # no willingness on the crisis ward: nothing moves; a ward not in crisis asks for nothing
    rn, lent = mutual_aid(a(2.0, 6.0, 5.0), a(30.0, 24.0, 20.0), a(0.0, 0.8, 0.5), crisis_ppn=10.0, donor_limit_ppn=6.0,
                          max_lend_share=0.5)
    np.testing.assert_allclose(rn, [2.0, 6.0, 5.0]) and np.testing.assert_allclose(lent, 0.0)
    # a donor over its own limit lends nothing; the lending cap scales the loan
    rn, lent = mutual_aid(a(2.0, 3.0, 5.0), a(30.0, 24.0, 20.0), a(1.0, 1.0, 1.0), crisis_ppn=10.0, donor_limit_ppn=6.0,
                          max_lend_share=0.25)
    np.testing.assert_allclose(lent, [0.0, 0.0, (5 - 20 / 6) * 0.25])
    np.testing.assert_allclose(rn[0], 2.0 + (5 - 20 / 6) * 0.25)


def test_mutual_aid_uses_the_given_rings() -> None:
    # two organisations of two wards: ward 0's only neighbour is ward 1 (ward 3 is in the other organisation)
    rn, lent = mutual_aid(a(1.0, 6.0, 9.0, 9.0), a(20.0, 12.0, 10.0, 10.0), a(1.0, 1.0, 1.0, 1.0), crisis_ppn=10.0,
                          donor_limit_ppn=6.0, max_lend_share=0.5, donors=ring_donors(2, 2))
    # ward 0 needs 1; ward 1 spares (6 - 2) x 0.5 = 2 -> lends 1
    np.testing.assert_allclose(rn, [2.0, 5.0, 9.0, 9.0])
    np.testing.assert_allclose(lent, [0.0, 1.0, 0.0, 0.0])


def test_cross_organisation_aid_by_hand() -> None:
    # two organisations of two wards. Organisation 0: ward 0 needs 20/10 - 1 = 1 RN (x its willingness 0.5 = 0.5).
    # Organisation 1 offers (rn - patients/6) x 0.5 x aid 0.4 x willingness: ward 2 (9 - 1) x 0.2 x 1 = 1.6,
    # ward 3 (3 - 3) = 0. Supply 1.6 >= demand 0.5: ward 0 gets 0.5, taken from ward 2.
    org = np.array([0, 0, 1, 1])
    rn, lent = cross_organisation_aid(a(1.0, 5.0, 9.0, 3.0), a(20.0, 10.0, 6.0, 18.0), a(0.5, 1.0, 1.0, 1.0), org, 2,
                                      crisis_ppn=10.0, donor_limit_ppn=6.0, max_lend_share=0.5, aid_share=0.4)
    np.testing.assert_allclose(rn, [1.5, 5.0, 8.5, 3.0])
    np.testing.assert_allclose(lent, [0.0, 0.0, 0.5, 0.0])
    # supply short of demand: each recipient gets its need x supply / demand; ward 3 (organisation 1) needs
    # 1.8 - 1 ... first organisation 1 draws from organisation 0's offer (first=1)
    rn, lent = cross_organisation_aid(a(9.0, 1.0, 1.0, 1.0), a(6.0, 6.0, 20.0, 30.0), a(1.0, 1.0, 1.0, 1.0), org, 2,
                                      crisis_ppn=10.0, donor_limit_ppn=6.0, max_lend_share=0.5, aid_share=0.5, first=1)
    # offers: ward 0 (9 - 1) x 0.25 = 2, ward 1 0; organisation 1 needs 1 (ward 2) + 2 (ward 3) = 3 > 2:
    # each gets 2/3 of its need; then organisation 0 needs nothing (ward 1: 0.6 - 1 < 0)
    np.testing.assert_allclose(rn, [7.0, 1.0, 1.0 + 2 / 3, 1.0 + 4 / 3])
    np.testing.assert_allclose(lent, [2.0, 0.0, 0.0, 0.0])
    # one organisation, or no aid share: nothing moves
    for k, share in ((1, 0.5), (2, 0.0)):
        rn, lent = cross_organisation_aid(a(9.0, 1.0, 1.0, 1.0), a(6.0, 6.0, 20.0, 30.0), a(1.0, 1.0, 1.0, 1.0), org, k,
                                          crisis_ppn=10.0, donor_limit_ppn=6.0, max_lend_share=0.5, aid_share=share)
        np.testing.assert_allclose(rn, [9.0, 1.0, 1.0, 1.0]) and np.testing.assert_allclose(lent, 0.0)


def test_binomial_quantile_boundaries_of_the_definition() -> None:
    # the smallest k with CDF(k) >= u, exactly at the boundaries: one trial with u = 1 - p gives no event
    # (CDF(0) = 1 - p >= u), in the one-trial path and beside flipped (p > 1/2) teams alike
    got = binomial_quantile(a(0.75, 0.25, 0.5), np.array([1, 1, 3]), a(0.25, 0.75, 0.5))
    assert got.tolist() == [0, 0, 1]                       # n = 3, p = 1/2: CDF(0) = 0.125 < 0.5 <= CDF(1)
    # p = 1/2 is not flipped even when another team's p is: u = 0.125 = CDF(0) gives 0, not 1
    assert binomial_quantile(a(0.125, 0.6), np.array([3, 3]), a(0.5, 0.8)).tolist() == [0, 3]
    # counts given as floats still give whole counts
    got = binomial_quantile(a(0.3, 0.6), np.array([3.0, 3.0]), a(0.5, 0.5))
    assert got.tolist() == [1, 2] and got.dtype == np.int64


def test_binomial_quantile_far_tail_is_exact() -> None:
    from scipy import stats

    # beyond the first pass's cut-off (mean + 4 sd + 2 = 7 for Bin(100, 0.01)): counted on to the exact quantile
    u = a(1 - 1e-12, 0.5, 1 - 1e-9)
    n, p = np.array([100, 100, 60]), a(0.01, 0.01, 0.02)
    assert binomial_quantile(u, n, p).tolist() == [int(stats.binom.ppf(x, k, q)) for x, k, q in zip(u, n, p, strict=True)]
    assert binomial_quantile(u, n, p)[0] > 7


def test_beta_quantile_of_a_degenerate_mean_is_a_plain_number() -> None:
    assert type(beta_quantile(0.3, 0.0, 4.0)) is float and type(beta_quantile(0.3, 1.0, 4.0)) is float
