"""Unit tier: exact event traces of each life-cycle mechanism on a one-person organisation.

Timing convention (sim/model.py): the daily process runs at d + 0.5 and what it
decides takes effect from the next whole day.
"""

from __future__ import annotations

import pytest

from tests.conftest import events, org_series, run_trace

CERTAIN = "1e5"  # an annual hazard so high that the daily probability is 1.0


def test_sickness_episodes_start_next_day_and_last_exactly_k_days() -> None:
    m = run_trace("mechanisms.sickness=true", "mechanisms.exhaustion=false", f"sickness.episodes_per_year={CERTAIN}",
                  "sickness.exhaustion_log_hazard=0", "sickness.long_term_share=0", "sickness.short_mean_days=3",
                  "sickness.duration_cv=0")
    assert events(m, "sick", "back")[:6] == [(1.0, "sick"), (4.0, "back"), (5.0, "sick"), (8.0, "back"),
                                            (9.0, "sick"), (12.0, "back")]
    # Days 0..30 form month 0: sick on every day except 0, 4, 8, ..., 28 -> 23 of 31 days.
    assert org_series(m, "sickness_absence_rate")[0] == pytest.approx(23 / 31)


def test_resignation_notice_vacancy_recruitment_and_hire() -> None:
    m = run_trace("mechanisms.leaving=true", "mechanisms.retirement=false", "mechanisms.recruitment=true",
                  f"leaving.resignations_per_year={CERTAIN}", "leaving.exhaustion_coef=0",
                  "leaving.psychological_safety_coef=0", "leaving.bullying_coef=0", "leaving.engagement_coef=0",
                  "leaving.new_starter_multiplier=1", "leaving.notice_days=10", "recruitment.attempt_days=20",
                  "recruitment.attempt_cv=0", "recruitment.success_prob_rn=1", "recruitment.reputation_elasticity=0",
                  "recruitment.start_delay_days=5")
    # resign at the day-0 review; leave after 10 days' notice; the open post is seen at day 11's
    # review, advertised from day 12, appointed after 20 days, starts 5 days later.
    assert events(m, "resign", "leave", "hire") == [(0.5, "resign"), (11.0, "leave"), (37.0, "hire"),
                                                    (37.5, "resign"), (48.0, "leave"), (74.0, "hire"),
                                                    (74.5, "resign"), (85.0, "leave")]
    # Month 0: the post is vacant on days 11..30 = 20 of 31 days; one leaver out of one.
    assert org_series(m, "vacancy_rate")[0] == pytest.approx(20 / 31)
    assert org_series(m, "leavers")[0] == 1
    assert org_series(m, "hires")[1] == 1


def test_failed_recruitment_rounds_repeat() -> None:
    m = run_trace("mechanisms.leaving=true", "mechanisms.retirement=false", "mechanisms.recruitment=true",
                  f"leaving.resignations_per_year={CERTAIN}", "leaving.notice_days=0", "recruitment.attempt_days=20",
                  "recruitment.attempt_cv=0", "recruitment.success_prob_rn=0")
    assert events(m, "leave", "no_appointment", "hire")[:4] == [(1.0, "leave"), (22.0, "no_appointment"),
                                                               (42.0, "no_appointment"), (62.0, "no_appointment")]
    assert org_series(m, "hires").sum() == 0


def test_retirement_at_maximum_age() -> None:
    m = run_trace("mechanisms.leaving=true", "leaving.resignations_per_year=0", "leaving.notice_days=0",
                  "recruitment.new_starter_age_min=68", "recruitment.new_starter_age_max=68", "leaving.max_age=67")
    assert events(m, "retire", "leave") == [(0.5, "retire"), (1.0, "leave")]
    assert org_series(m, "retirements")[0] == 1
    assert org_series(m, "headcount")[0] == 0


def test_leader_leaves_post_stays_vacant_then_replacement_starts() -> None:
    m = run_trace("mechanisms.leader_turnover=true", "mechanisms.leader_wellbeing=false",
                  f"leader_wellbeing.departures_per_year={CERTAIN}", "leader_wellbeing.vacancy_days=10")
    assert events(m, "leader_leaves", "leader_starts")[:4] == [(0.5, "leader_leaves"), (11.0, "leader_starts"),
                                                              (11.5, "leader_leaves"), (22.0, "leader_starts")]
    # Departures at 0.5, 11.5 and 22.5 fall in month 0: 3 a month x 12 / 1 team.
    assert org_series(m, "leader_turnover")[0] == pytest.approx(36.0)


def test_scheduled_change_applies_from_the_start_of_its_month() -> None:
    m = run_trace("+schedule=[{month: 1, key: leaving.pay_multiplier, value: 0.5}]")
    assert [(t, e, d) for t, e, d in m.trace if e == "schedule"] == [
        (31.5, "schedule", {"key": "leaving.pay_multiplier", "value": 0.5})]
    assert m.p.leaving.pay_multiplier == 0.5
    assert m.cfg.leaving.pay_multiplier == 1.0        # the configured value is untouched


@pytest.mark.parametrize(("compassion", "learned", "blamed"), [("0", 0, None), ("1", None, 0)])
def test_every_reported_incident_becomes_learning_or_blame(compassion: str, learned: int | None,
                                                            blamed: int | None) -> None:
    m = run_trace("mechanisms.quality=true", "reporting.report_prob_min=1", "reporting.report_prob_max=1",
                  "reporting.review_days=0", f"leadership.compassion_mean={compassion}",
                  "leadership.exhaustion_compassion_loss=0", "quality.adverse_events_per_1000=200")
    adverse, reported = org_series(m, "adverse_events").sum(), org_series(m, "reported_incidents").sum()
    n_learned, n_blamed = org_series(m, "learned_incidents").sum(), org_series(m, "blamed_incidents").sum()
    assert adverse > 0 and reported == adverse
    # Reviews of the final day's reports run after the last month has closed.
    last_day = m.recorder.org["reported_incidents"][-1]
    assert reported - last_day <= n_learned + n_blamed <= reported
    if learned is not None:
        assert n_learned == learned
    if blamed is not None:
        assert n_blamed == blamed


def test_scheduled_establishment_uplift_opens_posts_that_are_recruited_into() -> None:
    m = run_trace("mechanisms.recruitment=true", "recruitment.attempt_days=10", "recruitment.attempt_cv=0",
                  "recruitment.success_prob_rn=1", "recruitment.reputation_elasticity=0", "recruitment.start_delay_days=0",
                  "+schedule=[{month: 1, key: organisation.establishment_multiplier, value: 3}]")
    # From month 1 (day 31) the one-post team has 3 posts: two rounds start the next day, hires 10 days later.
    assert events(m, "hire") == [(42.0, "hire"), (42.0, "hire")]
    assert org_series(m, "headcount").tolist() == [1, 3, 3]
    assert org_series(m, "establishment").tolist() == [1, 3, 3]


def test_uplift_beyond_the_state_arrays_grows_them() -> None:
    m = run_trace("mechanisms.recruitment=true", "recruitment.attempt_days=10", "recruitment.attempt_cv=0",
                  "recruitment.success_prob_rn=1", "recruitment.reputation_elasticity=0", "recruitment.start_delay_days=0",
                  "organisation.rn_posts_per_team=3",
                  "+schedule=[{month: 1, key: organisation.establishment_multiplier, value: 5}]")
    assert m.staff.capacity == 2 * 15               # 3 rows of posts (RN, HCA) at the start, 15 after
    assert org_series(m, "headcount").tolist() == [3, 15, 15]


def test_intervention_changes_parameters_from_its_start_month_and_costs_per_post() -> None:
    m = run_trace("intervention=[peer_support,pay_and_terms]", "intervention.peer_support.start_month=1",
                  "intervention.pay_and_terms.start_month=2")
    changes = [(t, d["key"], d["value"]) for t, e, d in m.trace if e == "schedule"]
    assert changes == [(31.5, "exhaustion.peer_support_share", 0.3), (61.5, "leaving.pay_multiplier", 0.85),
                       (61.5, "recruitment.applicant_multiplier", 1.15)]  # month 2 starts on day 61
    # One funded post: peer support costs 25/12 a month from month 1, pay and terms 1050/12 from month 2.
    assert org_series(m, "intervention_cost").tolist() == pytest.approx([0.0, 25 / 12, (25 + 1050) / 12])


#: Two organisations of one single-RN team each, whose nurses resign at once and who can
#: only recruit movers from the other (the external market appoints nobody).
SWAP = ("organisation.n_organisations=2", "mechanisms.leaving=true", "mechanisms.retirement=false",
        "mechanisms.recruitment=true", f"leaving.resignations_per_year={CERTAIN}", "leaving.exhaustion_coef=0",
        "leaving.psychological_safety_coef=0", "leaving.bullying_coef=0", "leaving.engagement_coef=0",
        "leaving.new_starter_multiplier=1", "leaving.notice_days=10", "recruitment.attempt_days=20",
        "recruitment.attempt_cv=0", "recruitment.success_prob_rn=0", "recruitment.reputation_elasticity=0",
        "recruitment.start_delay_days=5", "labour_market.move_share=1", "labour_market.appoint_prob=1")


def test_movers_swap_organisations_through_the_shared_labour_market() -> None:
    m = run_trace(*SWAP, "labour_market.search_days=30")
    # Both resign at the day-0 review and leave after 10 days' notice onto the system's market;
    # each organisation's round (advertised from day 12, 20 days) appoints the other's nurse,
    # who starts 5 days later, at day 37.
    assert events(m, "resign", "leave", "hire")[:6] == [(0.5, "resign"), (0.5, "resign"), (11.0, "leave"),
                                                       (11.0, "leave"), (37.0, "hire"), (37.0, "hire")]
    hires = [(t, d["team"], d["from_organisation"]) for t, e, d in m.trace if e == "hire"][:2]
    assert hires == [(37.0, 0, 1), (37.0, 1, 0)]
    assert org_series(m, "transfers")[1] == 2
    assert m.recorder.by_organisation["transfers_in"][1].tolist() == [1, 1]
    assert m.recorder.by_organisation["transfers_out"][1].tolist() == [1, 1]


def test_movers_leave_the_market_when_their_search_ends() -> None:
    m = run_trace(*SWAP, "labour_market.search_days=15")
    # Off the market at day 26, before the rounds end at day 32: nobody is appointed.
    assert events(m, "leave", "no_appointment", "hire")[:4] == [(11.0, "leave"), (11.0, "leave"),
                                                               (32.0, "no_appointment"), (32.0, "no_appointment")]
    assert org_series(m, "transfers").sum() == 0


def test_warm_up_runs_before_month_0_and_the_schedule_counts_from_month_0() -> None:
    m = run_trace("warmup_years=1", "+schedule=[{month: 1, key: leaving.pay_multiplier, value: 0.5}]")
    assert m.warmup_days == 365 and m.trace is not None                  # simulated from t = -365
    assert [(t, e) for t, e, _ in m.trace if e == "schedule"] == [(31.5, "schedule")]
    assert len(org_series(m, "headcount")) == 3                          # only output months are recorded
    assert org_series(m, "headcount").notna().all()
