"""Unit tier: exact model-level tests of the daily steps on a tiny organisation (three
wards of two RN and one HCA posts), in the style of test_traces.py.

Each test builds the model, sets the state that a step reads (who is on duty, exhaustion,
patients, leaders), runs that one step and checks what it decided against numbers worked
out by hand in the comments. Post slots (sim/workforce.py): ward t's RN posts are slots
2t and 6 + 2t, its HCA post slot 2t + 1.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import yaml

from sim.config import Config, validate
from sim.mechanisms import culture, exhaustion, leaders, reporting, reputation, staffing
from sim.mechanisms.common import Today, beta_quantile
from sim.mechanisms.demand import PatientFlow
from sim.model import Model
from sim.workforce import HCA, WardLayout
from tests.conftest import QUIET, composed

THREE_WARDS = [
    *QUIET, "years=0.25", "organisation.n_teams=3", "organisation.rn_posts_per_team=2", "organisation.hca_posts_per_team=1",
    "staffing.day_presence_per_wte=1.0", "staffing.agency_fill_share=0.5", "staffing.agency_inexperience=0.6",
    "collaboration.crisis_patients_per_rn=8", "collaboration.donor_limit_patients_per_rn=4",
    "collaboration.max_lend_share=0.5", "exhaustion.burnout_threshold=0.6", "exhaustion.burnout_softness=0",
    "leadership.development_share=0.5", "recruitment.experience_years=2",
]


def ward_config(*overrides: str) -> Config:
    """THREE_WARDS with ``key=value`` overrides set on a copy of its typed config and validated
    (composing each variant with Hydra would take most of this file's time)."""
    cfg = composed(THREE_WARDS)
    for override in overrides:
        key, text = override.split("=", 1)
        *path, name = key.split(".")
        node: Any = cfg
        for part in path:
            node = getattr(node, part)
        old, value = getattr(node, name), yaml.safe_load(text)
        setattr(node, name, bool(value) if isinstance(old, bool) else type(old)(value))
    validate(cfg)
    return cfg


def three_wards(*overrides: str) -> Model:
    """Three wards, every post filled, full-time; then the state of the staffing test below."""
    m = Model(ward_config(*overrides), 0)
    m.steps = ()                    # the model's own daily review does nothing: each test runs its step
    s = m.staff
    assert s.active.sum() == 9 and m.establishment().tolist() == [[2, 1]] * 3
    m.teams.patients[:] = [24, 4, 4]
    s.sick[:] = False
    s.sick[[0, 3]] = True                                  # ward 0's first RN, ward 1's HCA
    s.exhaustion[:9 + 3] = 0.0
    s.exhaustion[[0, 6, 1]] = [0.9, 0.7, 0.5]              # ward 0: RN (sick), RN, HCA
    s.exhaustion[[2, 8, 3]] = [0.2, 0.4, 0.65]             # ward 1: RN, RN, HCA (sick)
    s.exhaustion[[4, 10, 5]] = [0.1, 0.3, 0.7]             # ward 2
    s.experience0[:] = 1.0
    s.tenure[:] = 0.0
    s.experience0[6] = 0.5                                 # half-experienced, new: inexperience 0.5
    s.development_u[:] = 0.9
    s.development_u[[1, 2, 8]] = 0.2                       # developed: one in ward 0, two in ward 1
    m.leaders.willingness[:] = [1.0, 1.0, 0.6]
    return m


def staffing_day(m: Model) -> Today:
    today = Today()
    staffing.daily(m, today)
    return today


def test_staffing_step_on_three_wards_by_hand() -> None:
    m = three_wards()
    # ward 2's HCA leaves: its post is vacant
    m.staff.active[5] = False
    m.teams.in_post[2, HCA] = 0
    d = staffing_day(m).staffing
    # RNs available 1, 2, 2; ward 0 is one RN short: agency covers half (0.5). HCAs available 1, 0, 0: wards
    # 1 and 2 are one short, covered 0.5 each.
    np.testing.assert_allclose(d.gap, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(d.agency, [0.5, 0.5, 0.5])
    np.testing.assert_allclose(d.hca_shortfall, [0.0, 0.5, 0.5])
    # mutual aid: ward 0 has 1.5 RN for 24 patients, 3 below the crisis line of 8 per RN (needs 1.5). Its left
    # neighbour (ward 2) spares (2 - 4/4) x 0.5 = 0.5, x min(1, 0.6) = 0.3; then its right neighbour (ward 1)
    # spares 0.5 at full willingness: ward 0 ends with 2.3 RN, ward 1 with 1.5, ward 2 with 1.7.
    np.testing.assert_allclose(d.rn_on_duty, [2.3, 1.5, 1.7])
    np.testing.assert_allclose(d.lent, [0.0, 0.5, 0.3])
    assert d.cross_lent == 0.0
    np.testing.assert_allclose(d.patients_per_rn, [24 / 2.3, 4 / 1.5, 4 / 1.7])
    assert d.head.tolist() == [3, 3, 2]
    # mean exhaustion of staff available: (0.7 + 0.5) / 2, (0.2 + 0.4) / 2, (0.1 + 0.3) / 2; of all in post: 3.75 / 8
    np.testing.assert_allclose(d.exhaustion, [0.6, 0.3, 0.2])
    assert d.exhaustion_mean == pytest.approx(3.75 / 8)
    # burnt out (hard threshold 0.6, everyone in post, sick or not): 0.9 and 0.7; 0.65; none
    assert d.burnt.tolist() == [2.0, 1.0, 0.0]
    np.testing.assert_allclose(d.burnt_share, [2 / 3, 1 / 3, 0.0])
    # inexperience: ward 0 (0.5 of one RN + agency 0.5 x 0.6) / (2 available + 0.5 agency) = 0.32; ward 1
    # 0.3 / 2.5 = 0.12; ward 2 likewise 0.12
    np.testing.assert_allclose(d.inexperience, [0.32, 0.12, 0.12])
    np.testing.assert_allclose(d.development_share, [1 / 3, 2 / 3, 0.0])
    assert d.vacant.tolist() == [0, 0, 1]
    np.testing.assert_allclose(d.vacancy, [0.0, 0.0, 1 / 3])
    assert d.available.sum() == 6 and d.active.sum() == 8


def test_staffing_step_without_agency_or_mutual_aid() -> None:
    m = three_wards("mechanisms.agency_cover=false", "mechanisms.mutual_aid=false")
    d = staffing_day(m).staffing
    np.testing.assert_allclose(d.rn_on_duty, [1.0, 2.0, 2.0])
    np.testing.assert_allclose(d.agency, 0.0)
    np.testing.assert_allclose(d.lent, 0.0)
    np.testing.assert_allclose(d.hca_shortfall, [0.0, 1.0, 0.0])
    np.testing.assert_allclose(d.inexperience, [0.25, 0.0, 0.0])          # 0.5 / 2 available
    np.testing.assert_allclose(d.patients_per_rn, [24.0, 2.0, 2.0])


def test_staffing_presence_scales_rn_on_duty_and_someone_always_covers() -> None:
    m = three_wards("staffing.day_presence_per_wte=0.25", "mechanisms.mutual_aid=false")
    m.teams.patients[:] = [24, 4, 0]
    d = staffing_day(m).staffing
    np.testing.assert_allclose(d.rn_on_duty, [1.5 * 0.25, 0.5, 0.5])
    np.testing.assert_allclose(d.patients_per_rn, [24 / 0.5, 8.0, 0.0])     # at least 0.5 RN counted


def test_staffing_step_part_time_staff_count_by_their_hours() -> None:
    m = three_wards("mechanisms.mutual_aid=false", "mechanisms.agency_cover=false")
    m.staff.fte[8] = 0.5                                                    # ward 1's second RN works half time
    d = staffing_day(m).staffing
    np.testing.assert_allclose(d.rn_on_duty, [1.0, 1.5, 2.0])
    assert d.head.tolist() == [3, 3, 3]


def test_ageing_adds_a_day_to_staff_in_post() -> None:
    m = three_wards()
    m.staff.active[5] = False
    age, tenure = m.staff.age.copy(), m.staff.tenure.copy()
    staffing.ageing(m, staffing_day(m))
    np.testing.assert_allclose(m.staff.age[:4] - age[:4], 1 / 365)
    assert m.staff.age[5] == age[5] and m.staff.tenure[5] == tenure[5]
    np.testing.assert_allclose(m.staff.tenure[6] - tenure[6], 1 / 365)


CULTURE = ["culture.psafe_min=0.2", "culture.psafe_max=0.8", "culture.psafe_timescale_days=10",
           "culture.development_speedup=2", "culture.bullying_per_year=0.1", "culture.bullying_blame_coef=2",
           "culture.bullying_exhaustion_coef=1", "culture.bullying_psafe_erosion=0.01",
           "leader_wellbeing.induction_days=100"]


def test_culture_step_on_three_wards_by_hand() -> None:
    m = three_wards(*CULTURE)
    today = staffing_day(m)                 # exhaustion of staff available 0.6, 0.3, 0.3667; development 1/3, 2/3, 0
    m.teams.psafe[:] = [0.5, 0.3, 0.8]      # climate (psafe - 0.2) / 0.6 = 0.5, 1/6, 1
    m.leaders.eff_compassion[:] = [0.9, 0.4, 0.6]
    m.leaders.present[:] = [True, True, False]
    m.leaders.tenure[:] = [50.0, 200.0, 0.0]
    culture.daily(m, today)
    # bullying 0.1 exp(2 ((1 - climate) - 0.5) + (exhaustion - 0.5)): exponents 0.1; 2/3 - 0.2; -1 - 0.1333
    bullying = 0.1 * np.exp([0.1, 2 / 3 - 0.2, -1 - (0.5 - 1.1 / 3)])
    np.testing.assert_allclose(m.teams.bullying, bullying)
    # support: 0.9 x 0.75 (half-way through induction), 0.4, vacant: 0.5 x 0.6; targets 0.2 + 0.6 x support
    target = 0.2 + 0.6 * np.array([0.675, 0.4, 0.3])
    # rates: improving (1 + 2 x development) / 10; ward 2 declines at 1/10
    rate = np.array([(1 + 2 / 3) / 10, (1 + 4 / 3) / 10, 0.1])
    psafe = np.array([0.5, 0.3, 0.8])
    np.testing.assert_allclose(m.teams.psafe, psafe + rate * (target - psafe) - 0.01 * bullying)


def test_culture_switches() -> None:
    m = three_wards(*CULTURE, "mechanisms.bullying=false", "mechanisms.culture_drift=false")
    today = staffing_day(m)
    m.teams.psafe[:] = [0.5, 0.3, 0.8]
    m.teams.bullying[:] = 0.3
    culture.daily(m, today)
    assert m.teams.bullying.tolist() == [0.0, 0.0, 0.0]
    assert m.teams.psafe.tolist() == [0.5, 0.3, 0.8]


EXHAUSTION = ["exhaustion.base_stress=0.02", "exhaustion.workload_elasticity=1", "staffing.safe_patients_per_rn=4",
              "exhaustion.bullying_stress=0.1", "exhaustion.contagion_stress=0.03", "exhaustion.recovery_rate=0.05",
              "exhaustion.leader_support_recovery=1", "exhaustion.peer_support_recovery=0.5",
              "exhaustion.peer_support_share=0.5", "exhaustion.noise_sd=0", "culture.psafe_min=0.2",
              "culture.psafe_max=0.8", "culture.engagement_base=0.5", "culture.engagement_psafe_coef=0.4",
              "culture.engagement_exhaustion_coef=0.3", "culture.engagement_timescale_days=10",
              "mechanisms.mutual_aid=false", "mechanisms.agency_cover=false"]


def test_exhaustion_step_on_three_wards_by_hand() -> None:
    m = three_wards(*EXHAUSTION)
    s = m.staff
    today = staffing_day(m)                 # patients per RN 24, 2, 2; burnt-out shares 2/3, 1/3, 1/3
    m.teams.bullying[:] = [0.2, 0.0, 0.1]
    m.teams.psafe[:] = [0.5, 0.8, 0.2]      # climate 0.5, 1, 0
    s.susceptibility[:] = 1.0
    s.susceptibility[6] = 2.0
    s.peer_u[:] = 0.9
    s.peer_u[[6, 4]] = 0.1                  # attend peer support
    s.engagement[:] = 0.4
    before = s.exhaustion.copy()
    exhaustion.daily(m, today)
    # ward 0: stress 0.02 x 24/4 + 0.1 x 0.2 + 0.03 x 2/3 = 0.16; slot 6 x susceptibility 2 = 0.32;
    # recovery 0.05 x (1 + 1 x 0.5 + 0.5 x 1) = 0.1
    stress0, rec6 = 0.02 * 6 + 0.02 + 0.02, 0.1
    assert s.exhaustion[6] == pytest.approx(0.7 + 2 * stress0 * 0.3 - rec6 * 0.7)
    # slot 1 (ward 0's HCA, no peer support): recovery 0.05 x 1.5 = 0.075
    assert s.exhaustion[1] == pytest.approx(0.5 + stress0 * 0.5 - 0.075 * 0.5)
    # slot 0 is off sick but in post: its exhaustion moves too (recovery and stress as its ward's)
    assert s.exhaustion[0] == pytest.approx(0.9 + stress0 * 0.1 - 0.075 * 0.9)
    # ward 1: stress 0.02 x 2/4 + 0 + 0.03 x 1/3 = 0.02; recovery 0.05 x (1 + 1) = 0.1 (climate 1)
    assert s.exhaustion[2] == pytest.approx(0.2 + 0.02 * 0.8 - 0.1 * 0.2)
    # ward 2: stress 0.01 + 0.01 + 0.01 = 0.03; climate 0; slot 4 with peer support: recovery 0.05 x 1.5
    assert s.exhaustion[4] == pytest.approx(0.1 + 0.03 * 0.9 - 0.075 * 0.1)
    assert s.exhaustion[10] == pytest.approx(0.3 + 0.03 * 0.7 - 0.05 * 0.3)
    assert (s.exhaustion[~s.active] == before[~s.active]).all()
    # engagement moves a tenth of the way to 0.5 + 0.4 (psafe - 0.5) - 0.3 (new exhaustion - 0.5)
    e6 = s.exhaustion[6]
    assert s.engagement[6] == pytest.approx(0.4 + (0.5 + 0.0 - 0.3 * (e6 - 0.5) - 0.4) / 10)
    e2 = s.exhaustion[2]
    assert s.engagement[2] == pytest.approx(0.4 + (0.5 + 0.4 * 0.3 - 0.3 * (e2 - 0.5) - 0.4) / 10)


def test_exhaustion_contagion_and_peer_support_switches() -> None:
    m = three_wards(*EXHAUSTION, "mechanisms.contagion=false", "mechanisms.peer_support=false")
    s = m.staff
    today = staffing_day(m)
    m.teams.bullying[:] = 0.0
    m.teams.psafe[:] = 0.5
    s.susceptibility[:] = 1.0
    s.peer_u[:] = 0.1
    exhaustion.daily(m, today)
    # ward 0: stress 0.12 only; recovery 0.05 x 1.5 (no peer support)
    assert s.exhaustion[6] == pytest.approx(0.7 + 0.12 * 0.3 - 0.075 * 0.7)


LEADERS = ["leader_wellbeing.base_stress=0.01", "leader_wellbeing.team_problem_stress=0.05",
           "leader_wellbeing.isolation_stress=0.02", "leader_wellbeing.recovery_rate=0.04",
           "leader_wellbeing.peer_support=0.25", "leader_wellbeing.peer_support_recovery=2",
           "mechanisms.leader_turnover=false", "mechanisms.mutual_aid=false", "mechanisms.agency_cover=false"]


def test_leader_exhaustion_step_by_hand() -> None:
    m = three_wards(*LEADERS)
    m.staff.active[5] = False
    m.teams.in_post[2, HCA] = 0
    today = staffing_day(m)                 # burnt-out shares 2/3, 1/3, 0; vacancy 0, 0, 1/3
    L = m.leaders
    L.willingness[:] = [1.0, 0.2, 0.6]
    L.exhaustion[:] = [0.3, 0.5, 0.1]
    L.present[:] = [True, True, False]
    L.tenure[:] = [10.0, 20.0, 0.0]
    leaders.daily(m, today)
    # isolation (1 - willingness) x 0.75; stress 0.01 + 0.05 (burnt + vacancy) + 0.02 isolation; recovery 0.04 x 1.5
    stress = 0.01 + 0.05 * np.array([2 / 3, 1 / 3]) + 0.02 * np.array([0.0, 0.6])
    np.testing.assert_allclose(L.exhaustion[:2], [0.3, 0.5] + stress * [0.7, 0.5] - 0.06 * np.array([0.3, 0.5]))
    assert L.exhaustion[2] == 0.1                          # vacant: the interim's is not tracked
    assert L.tenure.tolist() == [11.0, 21.0, 0.0]


def test_leaders_leave_at_a_certain_hazard() -> None:
    m = three_wards("mechanisms.leader_turnover=true", "leader_wellbeing.departures_per_year=1e5",
                    "leader_wellbeing.exhaustion_coef=0")
    m.env.run(until=0.25)                      # the leader posts' processes start (their leave events)
    today = staffing_day(m)
    m.leaders.present[:] = [True, False, True]
    leaders.daily(m, today)
    assert [e.triggered for e in m.leaders.leaves] == [True, False, True]
    assert m.month.leader_departures == 2


def exhaustion_for(p_leave: float, rate: float, coef: float) -> float:
    """The leader exhaustion at which the daily chance of leaving is ``p_leave``:
    1 - exp(-rate e^(coef (E - 0.5)) / 365) = p  <=>  E = 0.5 + ln(-365 ln(1 - p) / rate) / coef."""
    return 0.5 + math.log(-365 * math.log1p(-p_leave) / rate) / coef


def test_leader_departure_hazard_rises_with_exhaustion() -> None:
    m = three_wards("mechanisms.leader_turnover=true", "leader_wellbeing.departures_per_year=300",
                    "leader_wellbeing.exhaustion_coef=4", "mechanisms.leader_wellbeing=true",
                    "leader_wellbeing.base_stress=0", "leader_wellbeing.team_problem_stress=0",
                    "leader_wellbeing.isolation_stress=0", "leader_wellbeing.recovery_rate=0")
    m.env.run(until=0.25)
    today = staffing_day(m)
    u = m.rng.leaders.uniforms(m.day, 3)                  # the day's uniforms, by leader post
    # leader 0's chance just above its uniform (leaves), leader 1's just below (stays); leader 2 certain to
    # stay (exhaustion 0: 300 e^-2 a year)
    m.leaders.exhaustion[:] = [exhaustion_for(min(u[0] * 1.01, 0.999), 300, 4), exhaustion_for(u[1] * 0.99, 300, 4), 0.0]
    assert m.leaders.exhaustion[:2].min() >= 0.0 and m.leaders.exhaustion[:2].max() <= 1.0, u
    leaders.daily(m, today)
    triggered = [e.triggered for e in m.leaders.leaves]
    assert triggered[:2] == [True, False] and m.month.leader_departures == 1 + triggered[2]
    assert triggered[2] == bool(u[2] < -math.expm1(-300 * math.exp(-2) / 365))


def test_leader_departure_without_leader_wellbeing_ignores_exhaustion() -> None:
    m = three_wards("mechanisms.leader_turnover=true", "leader_wellbeing.departures_per_year=300",
                    "leader_wellbeing.exhaustion_coef=4", "mechanisms.leader_wellbeing=false")
    m.env.run(until=0.25)
    today = staffing_day(m)
    u = m.rng.leaders.uniforms(m.day, 3)
    m.leaders.exhaustion[:] = 1.0
    leaders.daily(m, today)
    p = -math.expm1(-300 / 365)                # about 0.56; with the exhaustion term it would be 0.998
    assert [e.triggered for e in m.leaders.leaves] == (u < p).tolist()


def test_leader_styles_today() -> None:
    m = three_wards("leadership.compassion_shift=0.1", "leadership.exhaustion_compassion_loss=0.5",
                    "leader_wellbeing.interim_compassion=0.35", "collaboration.collaboration_shift=-0.2",
                    "mechanisms.leader_wellbeing=true")
    L = m.leaders
    L.compassion[:] = [0.6, 0.95, 0.2]
    L.collaboration[:] = [0.5, 0.1, 0.9]
    L.exhaustion[:] = [0.4, 0.0, 0.4]
    L.present[:] = [True, True, False]
    leaders.update_styles(m)
    np.testing.assert_allclose(L.eff_compassion, [0.56, 1.0, 0.35])
    np.testing.assert_allclose(L.willingness, [0.3, 0.0, 0.0])
    m2 = three_wards("leadership.compassion_shift=0.1", "leadership.exhaustion_compassion_loss=0.5",
                     "mechanisms.leader_wellbeing=false")
    m2.leaders.compassion[:] = 0.6
    m2.leaders.exhaustion[:] = 0.4
    m2.leaders.present[:] = True
    leaders.update_styles(m2)
    np.testing.assert_allclose(m2.leaders.eff_compassion, 0.7)       # no erosion without leader wellbeing


# ----------------------------------------------------------------- learning and incident reviews


def test_learning_decays_with_its_time_scale() -> None:
    m = three_wards("reporting.learning_decay_years=2")
    m.teams.learning[:] = [0.5, 0.2, 0.0]
    reporting.learning_decay(m, Today())
    np.testing.assert_allclose(m.teams.learning, np.array([0.5, 0.2, 0.0]) * math.exp(-1 / 730))
    m = three_wards("mechanisms.learning=false")
    m.teams.learning[:] = 0.5
    reporting.learning_decay(m, Today())
    assert m.teams.learning.tolist() == [0.5, 0.5, 0.5]


def test_a_reviewed_incident_becomes_shared_learning_under_a_compassionate_leader() -> None:
    m = three_wards("reporting.learning_gain=0.2", "reporting.learning_share=0.5")
    m.leaders.eff_compassion[:] = 1.0          # every review becomes learning
    m.leaders.willingness[:] = [1.0, 0.5, 0.8]
    m.teams.learning[:] = [0.5, 0.0, 0.1]
    reporting.incident_review(m, 0, 0, 0, None)
    # ward 0 gains 0.2; neighbours 1 and 2 receive 0.5 x min(w) x 0.2 = 0.05 and 0.08; each x (1 - learning)
    np.testing.assert_allclose(m.teams.learning, [0.5 + 0.2 * 0.5, 0.05, 0.1 + 0.08 * 0.9])
    assert m.month.learned == 1 and m.month.blamed == 0


def test_a_reviewed_incident_becomes_blame_under_a_blaming_leader() -> None:
    m = three_wards("reporting.blame_staff_involved=10", "exhaustion.blame_shock=0.5", "reporting.blame_engagement_drop=0.3",
                    "reporting.blame_psafe_drop=0.1")
    m.leaders.eff_compassion[:] = 0.0          # every review becomes blame
    s = m.staff
    s.engagement[:] = 0.2
    m.teams.psafe[:] = [0.6, 0.05, 0.5]
    before = s.exhaustion.copy()
    reporting.incident_review(m, 1, 0, 0, None)
    # ward 1's staff on duty (slots 2 and 8; its HCA, slot 3, is off sick) are blamed
    blamed = [2, 8]
    np.testing.assert_allclose(s.exhaustion[blamed], before[blamed] + 0.5 * (1 - before[blamed]))
    np.testing.assert_allclose(s.engagement[blamed], [0.0, 0.0])     # 0.2 - 0.3, floored at 0
    others = np.setdiff1d(np.arange(s.capacity), blamed)
    assert (s.exhaustion[others] == before[others]).all() and (s.engagement[others] == 0.2).all()
    np.testing.assert_allclose(m.teams.psafe, [0.6, 0.0, 0.5])       # 0.05 - 0.1, floored at 0
    assert m.month.blamed == 1 and m.month.learned == 0


# ----------------------------------------------------------------- reputation


def fake_model(reputation_now: list[float], quality: bool = True) -> SimpleNamespace:
    r = SimpleNamespace(timescale_months=4.0, turnover_coef=2.0, care_coef=1.0, culture_coef=3.0,
                        reference_leaver_rate=0.1, reference_missed_care=0.2, reference_psafe=0.5)
    return SimpleNamespace(p=SimpleNamespace(mechanisms=SimpleNamespace(reputation=True, quality=quality), reputation=r),
                           organisations=SimpleNamespace(reputation=np.array(reputation_now)),
                           n_organisations=len(reputation_now))


def test_reputation_moves_a_quarter_of_the_way_to_each_organisations_target() -> None:
    m = fake_model([0.5, 0.8])
    # targets: 0.5 - 2 x 0.05 - 0.1 + 3 x 0.1 = 0.6; 0.5 + 0 - 1 x (-0.1) + 3 x (-0.1) = 0.3
    reputation.monthly(m, {"leaver_rate": [0.15, 0.1], "missed_care_rate": [0.3, 0.1], "psychological_safety": [0.6, 0.4]})
    np.testing.assert_allclose(m.organisations.reputation, [0.5 + 0.1 / 4, 0.8 - 0.5 / 4])
    m = fake_model([0.5], quality=False)       # without the quality mechanism, missed care is at its reference
    reputation.monthly(m, {"leaver_rate": [0.15], "missed_care_rate": [0.9], "psychological_safety": [0.6]})
    np.testing.assert_allclose(m.organisations.reputation, [0.5 + 0.2 / 4])
    m.p.reputation.timescale_months = 0.5       # a time scale under a month moves all the way
    reputation.monthly(m, {"leaver_rate": [0.15], "missed_care_rate": [0.9], "psychological_safety": [0.6]})
    np.testing.assert_allclose(m.organisations.reputation, [0.7])
    m.p.mechanisms.reputation = False
    reputation.monthly(m, {"leaver_rate": [0.9], "missed_care_rate": [0.9], "psychological_safety": [0.0]})
    np.testing.assert_allclose(m.organisations.reputation, [0.7])


# ----------------------------------------------------------------- demand


def flow(*overrides: str, n_days: int = 730) -> PatientFlow:
    cfg = composed(["organisation=small", "years=2", "organisation.n_teams=4", "organisation.beds_per_team=20",
                    "demand.occupancy=0.9", "demand.los_mean_days=6", "demand.seasonal_amplitude=0.2",
                    "demand.seasonal_peak_day=30", "demand.growth_per_year=0.1", *overrides])
    return PatientFlow(cfg, WardLayout.from_config(cfg.organisation), 1, n_days)


def test_patient_flow_level_by_hand() -> None:
    f = flow("demand.shock_months=0")
    assert f.base == pytest.approx(3.0)                                   # 20 beds x 0.9 / 6 days
    # the winter peak (day 30), half a year later, a quarter (cos = 0: growth only), a year on
    assert f.level(30.0) == pytest.approx(3.0 * 1.2 * 1.1 ** (30 / 365))
    assert f.level(30.0 + 365 / 2) == pytest.approx(3.0 * 0.8 * 1.1 ** (212.5 / 365))
    assert f.level(30.0 + 365 / 4) == pytest.approx(3.0 * 1.1 ** (121.25 / 365))
    assert f.level(395.0) == pytest.approx(3.0 * 1.2 * 1.1 ** (395 / 365))
    assert flow("mechanisms.seasonality=false", "demand.shock_months=0").level(200.0) == \
        pytest.approx(3.0 * 1.1 ** (200 / 365))
    assert flow("mechanisms.demand_growth=false", "demand.shock_months=0").level(395.0) == pytest.approx(3.6)
    # bound: base x (1 + amplitude) x growth over the run
    assert f.bound == pytest.approx(3.0 * 1.2 * 1.1 ** 2)
    assert flow("demand.growth_per_year=-0.2", "demand.shock_months=0").bound == pytest.approx(3.6)


def test_patient_flow_shock_by_hand() -> None:
    f = flow("demand.shock_months=3", "demand.shock_start_month=6", "demand.shock_multiplier=1.5",
             "demand.shock_team_share=0.3")
    assert f.shocked_teams(4) == 2                                        # ceil(0.3 x 4)
    assert f.team_shocked == [True, True, False, False]
    month = 365 / 12
    assert f.shock_multiplier(6 * month) == 1.5 and f.shock_multiplier(9 * month - 1e-6) == 1.5
    assert f.shock_multiplier(6 * month - 1e-6) == 1.0 and f.shock_multiplier(9 * month) == 1.0
    t = 7 * month
    assert f.rate(0, t) == pytest.approx(1.5 * f.level(t)) and f.rate(3, t) == f.level(t)
    assert f.bounds == [f.bound, f.bound, f.bound / 1.5, f.bound / 1.5]
    assert f.mean_shock(t) == pytest.approx((2 * 1.5 + 2) / 4)
    assert f.mean_shock(0.0) == 1.0
    assert flow("demand.shock_months=0", "demand.shock_team_share=0.3").shocked_teams(4) == 0


def test_length_of_stay_lognormal_by_hand() -> None:
    f = flow("demand.los_cv=0.5", "demand.shock_months=0")
    # sigma^2 = ln(1 + 0.25); mu = ln 6 - sigma^2 / 2: the median exp(mu) = 6 / sqrt(1.25)
    assert f.length_of_stay(0.0) == pytest.approx(6 / math.sqrt(1.25))
    assert f.length_of_stay(1.0) == pytest.approx(6 / math.sqrt(1.25) * math.exp(math.sqrt(math.log(1.25))))
    assert flow("demand.los_cv=0", "demand.shock_months=0").length_of_stay(1.3) == 6.0


# ----------------------------------------------------------------- care quality, reporting, sickness, leaving, costs


def test_care_quality_counts_are_the_binomial_quantiles_of_the_day() -> None:
    from sim.mechanisms import quality
    from sim.mechanisms.common import binomial_quantile
    from sim.mechanisms.quality import adverse_event_probability, missed_care_probability

    m = three_wards("mechanisms.quality=true", "quality.missed_care_base=0.3", "quality.adverse_events_per_1000=50")
    today = staffing_day(m)
    m.teams.learning[:] = [0.1, 0.5, 0.9]
    quality.daily(m, today)
    d, q = today.staffing, m.p.quality
    p_missed = missed_care_probability(d.patients_per_rn, d.exhaustion, d.inexperience, d.hca_shortfall, m.teams.learning,
                                       base=0.3, patients_coef=q.missed_patients_coef, reference_ppn=q.reference_patients_per_rn,
                                       exhaustion_coef=q.missed_exhaustion_coef, inexperience_coef=q.missed_inexperience_coef,
                                       hca_shortfall_coef=q.missed_hca_shortfall_coef, learning_coef=q.missed_learning_coef)
    p_ae = adverse_event_probability(d.patients_per_rn, d.exhaustion, d.inexperience, m.teams.learning, base_per_1000=50,
                                     odds_per_patient=q.adverse_odds_per_patient, reference_ppn=q.reference_patients_per_rn,
                                     exhaustion_coef=q.adverse_exhaustion_coef, inexperience_coef=q.adverse_inexperience_coef,
                                     learning_coef=q.adverse_learning_coef)
    u = m.rng.care_quality.uniforms(m.day, 6)             # missed care by ward, then adverse events by ward
    n = np.array([24, 4, 4])
    assert today.care.patients.tolist() == [24, 4, 4]
    assert today.care.missed.tolist() == binomial_quantile(u[:3], n, p_missed).tolist()
    assert today.care.adverse.tolist() == binomial_quantile(u[3:], n, p_ae).tolist()
    assert today.care.missed.sum() > 0 and today.care.reported.tolist() == [0, 0, 0]
    m = three_wards("mechanisms.quality=false")
    today = staffing_day(m)
    quality.daily(m, today)
    assert today.care.missed.tolist() == today.care.adverse.tolist() == [0, 0, 0]


@pytest.mark.parametrize(("report", "expected"), [(1.0, [3, 0, 1]), (0.0, [0, 0, 0])])
def test_reported_incidents_go_to_review_after_the_review_days(report: float, expected: list[int]) -> None:
    from sim.mechanisms.quality import CareDay

    m = three_wards("mechanisms.quality=true", f"reporting.report_prob_min={report}", f"reporting.report_prob_max={report}",
                    "reporting.review_days=5")
    m.env.run(until=0.5)
    today = staffing_day(m)
    zero = np.zeros(3, dtype=np.int64)
    today.care = CareDay(m.teams.patients.copy(), zero, np.array([3, 0, 1]), zero)
    m.leaders.eff_compassion[:] = 1.0
    reporting.daily(m, today)
    assert today.care.reported.tolist() == expected
    m.env.run(until=5.4)
    assert m.month.learned == 0
    m.env.run(until=5.6)                                   # reviews end 5 days after the day's review (t = 0.5)
    assert m.month.learned == sum(expected)


def test_sickness_starts_for_staff_on_duty_and_lasts_its_days() -> None:
    from sim.mechanisms import sickness

    m = three_wards("mechanisms.sickness=true", "sickness.episodes_per_year=1e5", "sickness.long_term_share=0",
                    "sickness.short_mean_days=3", "sickness.duration_cv=0")
    today = staffing_day(m)                                 # slots 0 and 3 are already off sick
    sickness.daily(m, today)
    s = m.staff
    s.sick[[0, 3]] = False                                  # (those two were never rostered off by the model)
    m.env.run(until=0.6)
    assert np.flatnonzero(s.sick).tolist() == [1, 2, 4, 5, 6, 8, 10]
    m.env.run(until=3.4)
    assert s.sick.sum() == 7
    m.env.run(until=3.6)                                    # back after 3 whole days
    assert s.sick.sum() == 0


def test_sickness_long_episodes_take_the_long_mean() -> None:
    from sim.mechanisms import sickness

    m = three_wards("mechanisms.sickness=true", "sickness.episodes_per_year=1e5", "sickness.long_term_share=1",
                    "sickness.short_mean_days=3", "sickness.long_mean_days=20", "sickness.duration_cv=0")
    sickness.daily(m, staffing_day(m))
    m.staff.sick[[0, 3]] = False
    m.env.run(until=20.4)
    assert m.staff.sick.sum() == 7
    m.env.run(until=20.6)
    assert m.staff.sick.sum() == 0


def test_leaving_retires_the_old_and_resigns_at_a_certain_hazard() -> None:
    from sim.mechanisms import leaving

    m = three_wards("mechanisms.leaving=true", "mechanisms.retirement=true", "leaving.retirement_age=60",
                    "leaving.retirements_per_year=0", "leaving.max_age=65", "leaving.resignations_per_year=0",
                    "leaving.notice_days=10")
    s = m.staff
    s.age[:] = 40.0
    s.age[[1, 2]] = [66.0, 61.0]                            # past the maximum age; past retirement age (hazard 0)
    leaving.daily(m, staffing_day(m))
    assert np.flatnonzero(s.resigned).tolist() == [1]
    m.env.run(until=10.4)
    assert s.active[1]
    m.env.run(until=10.6)                                   # leaves after the notice period
    assert not s.active[1] and m.month.retirements == 1 and m.month.leavers == 1
    assert m.teams.in_post[0].tolist() == [2, 0]


def test_intervention_cost_per_funded_post_from_its_start_month() -> None:
    from sim.mechanisms import interventions

    m = three_wards("intervention.peer_support.enabled=true", "intervention.peer_support.start_month=1",
                    "intervention.peer_support.cost_per_staff_year=24", "intervention.pay_and_terms.enabled=true",
                    "intervention.pay_and_terms.start_month=2", "intervention.pay_and_terms.cost_per_staff_year=120",
                    "intervention.emerging_leaders.cost_per_staff_year=1000")
    # 9 funded posts: 24 x 9 / 12 = 18 a month from month 1; + 120 x 9 / 12 = 90 from month 2; disabled: nothing
    assert [interventions.cost(m, k) for k in range(4)] == [0.0, 18.0, 108.0, 108.0]


def test_exhaustion_noise_is_each_posts_normal_of_the_day() -> None:
    m = three_wards(*EXHAUSTION, "exhaustion.noise_sd=0.01")
    s = m.staff
    today = staffing_day(m)
    m.teams.bullying[:] = 0.0
    m.teams.psafe[:] = 0.5
    s.susceptibility[:] = 1.0
    s.peer_u[:] = 0.9
    z = m.rng.exhaustion_noise.normals(m.day, s.capacity)          # by post slot
    quiet = three_wards(*EXHAUSTION)
    quiet.teams.bullying[:] = 0.0
    quiet.teams.psafe[:] = 0.5
    quiet.staff.susceptibility[:] = 1.0
    quiet.staff.peer_u[:] = 0.9
    exhaustion.daily(m, today)
    exhaustion.daily(quiet, staffing_day(quiet))
    act = s.active
    np.testing.assert_allclose(s.exhaustion[act], np.clip(quiet.staff.exhaustion[act] + 0.01 * z[act], 0, 1))
    assert np.abs(z[act]).max() > 0.1


def test_peer_support_is_for_those_below_the_share() -> None:
    m = three_wards(*EXHAUSTION)
    today = staffing_day(m)
    m.teams.psafe[:] = 0.5
    m.staff.peer_u[:] = 0.5                     # exactly the share: not attending
    _, recovery = exhaustion.exhaustion_rates(m, today.staffing)
    np.testing.assert_allclose(recovery[m.staff.active], 0.05 * 1.5)


def test_leader_stress_from_vacancies_adds_to_burnout() -> None:
    m = three_wards(*LEADERS)
    m.staff.active[5] = False
    m.teams.in_post[2, HCA] = 0
    today = staffing_day(m)                 # ward 2: no burnt-out staff, vacancy 1/3
    L = m.leaders
    L.willingness[:] = 1.0
    L.exhaustion[:] = 0.2
    L.present[:] = True
    leaders.daily(m, today)
    stress = 0.01 + 0.05 * (0.0 + 1 / 3)
    assert L.exhaustion[2] == pytest.approx(0.2 + stress * 0.8 - 0.06 * 0.2)


def test_a_leaving_leader_is_counted_once_however_often_the_day_is_reviewed() -> None:
    m = three_wards("mechanisms.leader_turnover=true", "leader_wellbeing.departures_per_year=1e5",
                    "leader_wellbeing.exhaustion_coef=0")
    m.env.run(until=0.25)
    today = staffing_day(m)
    leaders.daily(m, today)
    leaders.daily(m, today)                 # the holders have not left yet: their departures are already decided
    assert m.month.leader_departures == 3


def test_leader_post_is_vacant_then_refilled_with_the_individual_tables() -> None:
    from sim.individuals import LEADER_REASONS

    m = three_wards("mechanisms.leader_turnover=true", "leader_wellbeing.departures_per_year=1e5",
                    "leader_wellbeing.exhaustion_coef=0", "leader_wellbeing.vacancy_days=10", "outputs.individuals=true",
                    "mechanisms.leader_wellbeing=false")
    m.env.run(until=0.25)
    m.trace = []
    m.leaders.exhaustion[:] = [0.1, 0.2, 0.3]
    m.leaders.present[:] = [True, False, True]
    leaders.daily(m, staffing_day(m))
    m.env.run(until=0.4)
    assert m.leaders.present.tolist() == [False, False, False]
    d = m.individuals.leaders.data
    rows = {int(d["team"][i]): i for i in range(m.individuals.leaders.n) if not np.isnan(d["end_day"][i])}
    assert sorted(rows) == [0, 2]
    assert [float(d["end_day"][rows[t]]) for t in (0, 2)] == [0.25, 0.25]
    assert [LEADER_REASONS[int(d["reason"][rows[t]])] for t in (0, 2)] == ["departure", "departure"]
    np.testing.assert_allclose([d["exhaustion_end"][rows[t]] for t in (0, 2)], [0.1, 0.3])
    m.env.run(until=10.7)                   # vacant for 0.5 + 10 days
    assert m.leaders.present.tolist() == [False, False, False]
    m.env.run(until=10.8)
    assert m.leaders.present.tolist() == [True, False, True]
    assert m.leaders.tenure[[0, 2]].tolist() == [0.0, 0.0]
    assert [(t, e, d) for t, e, d in m.trace if e.startswith("leader")] == [
        (0.25, "leader_leaves", {"team": 0}), (0.25, "leader_leaves", {"team": 2}),
        (10.75, "leader_starts", {"team": 0}), (10.75, "leader_starts", {"team": 2})]
    # each replacement's styles: the inverse CDF of the post's own two uniforms (appointment 0)
    L, C = m.p.leadership, m.p.collaboration
    for t in (0, 2):
        u = m.rng.leader_appointments.at(0, t).random(2)
        assert m.leaders.compassion[t] == beta_quantile(u[0], L.compassion_mean, L.compassion_concentration)
        assert m.leaders.collaboration[t] == beta_quantile(u[1], C.collaboration_mean, C.collaboration_concentration)
    assert m.leaders.appointments.tolist() == [1, 0, 1]


def test_who_resigns_and_who_retires_today() -> None:
    from sim.mechanisms import leaving

    coefs = ["leaving.exhaustion_coef=0", "leaving.psychological_safety_coef=0", "leaving.bullying_coef=0",
             "leaving.engagement_coef=0"]
    m = three_wards("mechanisms.leaving=true", "mechanisms.retirement=true", *coefs, "leaving.resignations_per_year=250",
                    "leaving.pay_multiplier=1", "leaving.new_starter_multiplier=0", "leaving.new_starter_years=1",
                    "leaving.retirement_age=60", "leaving.retirements_per_year=0.9", "leaving.max_age=80")
    s = m.staff
    s.age[:] = 40.0
    s.tenure[:] = 5.0
    s.age[[4, 10]] = 61.0                                   # past retirement age
    s.tenure[8] = 0.5                                       # a new starter: multiplier 0, never resigns
    s.resigned[6] = True                                    # already serving notice
    u = m.rng.leaving.uniforms(m.day, s.capacity)          # by post slot
    leaving.daily(m, staffing_day(m))
    p_res, p_ret = -math.expm1(-250 / 365), -math.expm1(-0.9 / 365)
    active = s.active.copy()
    retire = active & np.isin(np.arange(s.capacity), [4, 10]) & (u < p_ret)
    resign = active & ~retire & (u < np.where(np.isin(np.arange(s.capacity), [4, 10]), p_ret, 0.0) + p_res)
    resign[[6, 8]] = False
    expected = retire | resign
    expected[6] = True                                      # was already resigned
    assert s.resigned.tolist() == expected.tolist()
    assert 0 < resign.sum() < active.sum() - 2, u          # the draws split the staff


def test_sickness_episode_lengths_come_from_their_own_uniform(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.mechanisms import sickness
    from sim.mechanisms.common import gamma_day

    m = three_wards("mechanisms.sickness=true", "sickness.episodes_per_year=1e5", "sickness.long_term_share=0.4",
                    "sickness.short_mean_days=3", "sickness.long_mean_days=30", "sickness.duration_cv=0.5")
    episodes: list[tuple[int, int]] = []
    monkeypatch.setattr(sickness, "after_each",        # the day's episodes, as scheduled in one event
                        lambda model, delay, callback, calls: episodes.extend((i, days) for _, i, _g, days in calls))
    sickness.daily(m, staffing_day(m))
    starts = [1, 2, 4, 5, 6, 8, 10]                         # on duty (slots 0 and 3 are off sick)
    v = m.rng.sickness_duration.uniforms(m.day, 11)[starts]
    # long when v < 0.4 (its quantile v / 0.4), else short ((v - 0.4) / 0.6)
    long = v < 0.4
    q = np.where(long, v / 0.4, (v - 0.4) / 0.6)
    days = [gamma_day(x, 30.0 if lg else 3.0, 0.5) for x, lg in zip(q, long, strict=True)]
    assert episodes == list(zip(starts, days, strict=True))
    assert 0 < long.sum() < len(starts), v


def two_organisations(*overrides: str) -> Model:
    """Two organisations of two wards with two RNs each (no HCAs), all on duty."""
    m = Model(composed([*QUIET, "years=0.25", "organisation.n_organisations=2", "organisation.n_teams=2",
                        "organisation.rn_posts_per_team=2", "organisation.hca_posts_per_team=0",
                        "staffing.day_presence_per_wte=1.0", "mechanisms.agency_cover=false",
                        "collaboration.crisis_patients_per_rn=8", "collaboration.donor_limit_patients_per_rn=4",
                        "collaboration.max_lend_share=0.5", "labour_market.aid_share=0.5", *overrides]), 0)
    m.steps = ()
    m.staff.sick[:] = False
    m.teams.patients[:] = [40, 8, 4, 4]
    m.leaders.willingness[:] = [1.0, 1.0, 0.8, 1.0]
    return m


def test_mutual_aid_across_organisations_in_the_staffing_step() -> None:
    d = staffing_day(two_organisations()).staffing
    # ward 0 needs 40/8 - 2 = 3 RN; its own organisation's other ward has nothing to spare (2 - 8/4 = 0).
    # Organisation 1 offers (2 - 4/4) x 0.5 x 0.5 x willingness = 0.2 and 0.25: all of it goes to ward 0.
    np.testing.assert_allclose(d.rn_on_duty, [2.45, 2.0, 1.8, 1.75])
    np.testing.assert_allclose(d.lent, [0.0, 0.0, 0.2, 0.25])
    assert d.cross_lent == pytest.approx(0.45)
    d = staffing_day(two_organisations("mechanisms.cross_organisation_aid=false")).staffing
    np.testing.assert_allclose(d.rn_on_duty, [2.0, 2.0, 2.0, 2.0])
    assert d.cross_lent == 0.0


def test_admissions_and_discharges_by_hand() -> None:
    from sim.streams import Streams

    cfg = composed([*QUIET, "years=0.25", "organisation.n_teams=2", "organisation.beds_per_team=10", "demand.occupancy=0.5",
                    "demand.los_mean_days=4", "demand.los_cv=0", "mechanisms.seasonality=false",
                    "mechanisms.demand_growth=false", "demand.shock_months=0"])
    m = Model(cfg, 0)
    m.steps = ()
    assert m.teams.patients.tolist() == [5, 5]               # round(10 beds x 0.5)
    # the rate (10 x 0.5 / 4 = 1.25 a day) is constant and equals its bound: every candidate is admitted,
    # at the cumulative standard-exponential gaps / 1.25, and stays 4 days; the initial patients stay the
    # elapsed share (the acceptance uniform) x 4 days
    expected_at: dict[float, list[int]] = {}
    admitted = 0
    for t in (2.5, 9.5, 20.5):                               # daily reviews: the flow is moved on to each (sim/beds.py)
        expected_at[t] = []
    for team in range(2):
        ref = Streams(cfg.seed, 0, 2).admissions_by_team[team]
        gaps, acceptance, stays = (iter(np.concatenate([ref.draw(use) for _ in range(4)]).tolist()) for use in range(3))
        initial = []
        for _ in range(5):
            initial.append(next(acceptance) * 4.0)
            next(stays)
        arrivals, now = [], 0.0
        while now < 21:
            now += next(gaps) / 1.25
            next(acceptance)
            next(stays)
            arrivals.append(now)
        for t in expected_at:
            expected_at[t].append(sum(s > t for s in initial) + sum(a <= t < a + 4 for a in arrivals))
        admitted += sum(a <= 20.5 for a in arrivals)
    for t, expected in expected_at.items():
        m.env.run(until=t + 0.1)
        assert m.teams.patients.tolist() == expected, t
    assert m.month.admissions == admitted
    assert m.month.discharges == 10 + admitted - sum(expected_at[20.5])


def test_initial_leaders_from_their_posts_uniforms() -> None:
    m = three_wards("exhaustion.initial_mean=0.3", "mechanisms.leader_wellbeing=true", "outputs.individuals=true")
    L, C, T = m.p.leadership, m.p.collaboration, 3
    u = m.rng.initial_state.at(0, 1).random(3 * T).reshape(T, 3)      # per leader post: style, collaboration, tenure
    np.testing.assert_array_equal(m.leaders.compassion, beta_quantile(u[:, 0], L.compassion_mean, L.compassion_concentration))
    np.testing.assert_array_equal(m.leaders.collaboration,
                                  beta_quantile(u[:, 1], C.collaboration_mean, C.collaboration_concentration))
    np.testing.assert_allclose(m.leaders.tenure, 5 * 365 * u[:, 2])
    np.testing.assert_allclose(m.leaders.exhaustion, 0.3)
    d = m.individuals.leaders.data
    assert m.individuals.leaders.n == 3 and d["team"][:3].tolist() == [0, 1, 2]
    np.testing.assert_array_equal(d["compassion"][:3], m.leaders.compassion)
    assert m.leaders.eff_compassion.any() and m.leaders.willingness.any()        # styles shown from the start


def test_initial_leaders_of_organisations_with_compassion_offsets() -> None:
    cfg = composed([*QUIET, "years=0.25", "organisation.n_organisations=2", "organisation.n_teams=2",
                    "organisation.compassion_offsets=[-0.2,0.3]", "mechanisms.leader_wellbeing=false"])
    m = Model(cfg, 0)
    L = cfg.leadership
    u = m.rng.initial_state.at(0, 1).random(12).reshape(4, 3)
    means = np.clip(L.compassion_mean + np.array([-0.2, -0.2, 0.3, 0.3]), 0, 1)
    expected = [beta_quantile(u[t, 0], means[t], L.compassion_concentration) for t in range(4)]
    np.testing.assert_allclose(m.leaders.compassion, expected)
    np.testing.assert_array_equal(m.leaders.exhaustion, 0.0)


def test_blame_falls_on_the_staff_on_duty_with_the_lowest_uniforms() -> None:
    m = three_wards("reporting.blame_staff_involved=1", "exhaustion.blame_shock=0.5", "reporting.blame_engagement_drop=0.1",
                    "reporting.blame_psafe_drop=0.1", "mechanisms.exhaustion=false", "mechanisms.culture_drift=false")
    m.leaders.eff_compassion[:] = 0.0
    m.staff.engagement[:] = 0.5
    m.teams.psafe[:] = 0.5
    before = m.staff.exhaustion.copy()
    reporting.incident_review(m, 1, 4, 7, None)            # an incident of day 4, report key 7
    g = m.rng.incident_response.at(4, 7)
    g.random()                                             # learning or blame
    u_post = g.random(4)                                   # ward 1's posts: slots 2, 3, 8, 9 (only 2 and 8 on duty)
    blamed = 2 if u_post[0] < u_post[2] else 8
    assert m.staff.engagement.tolist() == [0.4 if i == blamed else 0.5 for i in range(m.staff.capacity)]
    assert (m.staff.exhaustion == before).all()            # no exhaustion mechanism: no shock
    assert m.teams.psafe.tolist() == [0.5, 0.5, 0.5]       # no culture drift: safety unchanged


def test_learning_without_sharing_or_without_the_learning_mechanism() -> None:
    m = three_wards("reporting.learning_gain=0.2", "reporting.learning_share=0.5", "mechanisms.shared_learning=false")
    m.leaders.eff_compassion[:] = 1.0
    m.teams.learning[:] = [0.5, 0.0, 0.1]
    reporting.incident_review(m, 0, 0, 0, None)
    np.testing.assert_allclose(m.teams.learning, [0.6, 0.0, 0.1])
    m = three_wards("reporting.learning_gain=0.2", "mechanisms.learning=false")
    m.leaders.eff_compassion[:] = 1.0
    m.teams.learning[:] = 0.5
    reporting.incident_review(m, 0, 0, 0, None)
    assert m.teams.learning.tolist() == [0.5, 0.5, 0.5] and m.month.learned == 1


def test_replacement_leaders_of_organisations_with_offsets_draw_each_appointment_anew() -> None:
    cfg = composed([*QUIET, "years=0.25", "organisation.n_organisations=2", "organisation.n_teams=1",
                    "organisation.compassion_offsets=[-0.9,0.2]", "mechanisms.leader_turnover=true",
                    "leader_wellbeing.departures_per_year=1e5", "leader_wellbeing.exhaustion_coef=0",
                    "leader_wellbeing.vacancy_days=0", "mechanisms.leader_wellbeing=false"])
    m = Model(cfg, 0)
    m.steps = ()
    L = cfg.leadership
    for k, until in enumerate((0.25, 1.25)):              # two departures, each refilled half a day later
        m.env.run(until=until)
        leaders.daily(m, staffing_day(m))
        m.env.run(until=until + 0.6)
        for t, offset in enumerate((-0.9, 0.2)):
            u = m.rng.leader_appointments.at(k, t).random(2)
            mean = min(1.0, max(0.0, L.compassion_mean + offset))
            assert m.leaders.compassion[t] == beta_quantile(u[0], mean, L.compassion_concentration), (k, t)
    assert m.leaders.appointments.tolist() == [2, 2]
    assert L.compassion_mean - 0.9 < 0 and m.leaders.compassion[0] == 0.0     # clipped at 0: a degenerate style


def test_a_leavers_spell_ends_in_the_staff_table_and_the_months_accounts() -> None:
    from sim.individuals import STAFF_REASONS
    from sim.mechanisms import leaving

    m = three_wards("outputs.individuals=true", "leaving.notice_days=2", "exhaustion.burnout_threshold=0.6",
                    "exhaustion.burnout_softness=0", "exhaustion.peer_support_share=0.5", "mechanisms.peer_support=true")
    m.trace = []
    s = m.staff
    s.exhaustion[6], s.peer_u[6], s.development_u[6] = 0.7, 0.1, 0.9     # ward 0's second RN
    s.exhaustion[5], s.peer_u[5], s.development_u[5] = 0.3, 0.9, 0.1     # ward 2's HCA
    row6, row5 = int(m.individuals.row_of_slot[6]), int(m.individuals.row_of_slot[5])
    leaving.notice(m, 6, "resignation")
    leaving.notice(m, 5, "retirement")
    m.env.run(until=2.6)                                   # leave after 0.5 + 2 days
    assert not s.active[6] and not s.active[5] and s.generation[[6, 5]].tolist() == [1, 1]
    assert m.teams.in_post.tolist() == [[1, 1], [2, 1], [2, 0]]
    acc = m.month
    assert (acc.leavers, acc.resignations, acc.retirements) == (2, 1, 1)
    assert acc.leavers_t.tolist() == [1.0, 0.0, 1.0]
    d = m.individuals.staff.data
    assert [STAFF_REASONS[int(d["reason"][r])] for r in (row6, row5)] == ["resignation", "retirement"]
    assert [float(d["end_day"][r]) for r in (row6, row5)] == [2.5, 2.5]
    np.testing.assert_allclose([d["exhaustion_end"][r] for r in (row6, row5)], [0.7, 0.3])
    assert [float(d["burnt_out_end"][r]) for r in (row6, row5)] == [1.0, 0.0]
    assert [bool(d["peer_support"][r]) for r in (row6, row5)] == [True, False]
    assert [bool(d["development_cohort"][r]) for r in (row6, row5)] == [False, True]
    assert [(t, e, dd) for t, e, dd in m.trace] == [
        (0.0, "resign", {"slot": 6}), (0.0, "retire", {"slot": 5}),
        (2.5, "leave", {"slot": 6, "reason": "resignation"}), (2.5, "leave", {"slot": 5, "reason": "retirement"})]
