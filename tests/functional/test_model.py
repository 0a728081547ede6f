"""Functional tier: determinism, conservation, extreme values, every switch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.metrics import CONTRACT_METRICS
from sim.model import Model
from sim.runner import run_scenario
from tests.conftest import org_series, small


def test_same_seed_same_outputs_and_serial_equals_parallel() -> None:
    serial = run_scenario(small("years=1", "n_replications=3", "n_jobs=1"))
    again = run_scenario(small("years=1", "n_replications=3", "n_jobs=1"))
    parallel = run_scenario(small("years=1", "n_replications=3", "n_jobs=2"))
    pd.testing.assert_frame_equal(serial, again)
    pd.testing.assert_frame_equal(serial, parallel)
    other_seed = run_scenario(small("years=1", "n_replications=3", "n_jobs=1", "seed=1"))
    assert not serial["value"].equals(other_seed["value"])


def test_replications_differ_from_each_other() -> None:
    ts = run_scenario(small("years=1", "n_replications=2"))
    a, b = (ts[ts.replication == r]["value"].to_numpy() for r in (0, 1))
    assert not np.array_equal(a, b)


def test_all_contract_metrics_every_month(small_default: Model) -> None:
    df = small_default.recorder.to_frame("s", 0, with_teams=True)
    org = df[df["team"].isna()]
    for metric in CONTRACT_METRICS:
        values = org.loc[org.metric == metric, "value"]
        assert len(values) == small_default.n_months == 24, metric
        assert values.notna().all(), metric


def test_headcount_conservation_every_month(small_default: Model) -> None:
    head, hires, leavers = (org_series(small_default, k) for k in ("headcount", "hires", "leavers"))
    start = small_default.initial_headcount        # staff in post when the outputs begin (after the warm-up)
    previous = pd.concat([pd.Series([start]), head[:-1]], ignore_index=True)
    pd.testing.assert_series_equal(head, previous + hires - leavers, check_names=False)
    assert leavers.sum() > 0 and hires.sum() > 0


def test_patient_conservation_every_month(small_default: Model) -> None:
    beds, adm, dis = (org_series(small_default, k) for k in ("patients_in_beds", "admissions", "discharges"))
    previous = pd.concat([pd.Series([float(small_default.initial_patients)]), beds[:-1]], ignore_index=True)
    pd.testing.assert_series_equal(beds, previous + adm - dis, check_names=False)


def test_rates_within_bounds(small_default: Model) -> None:
    for metric in ("vacancy_rate", "burnout_prevalence", "sickness_absence_rate", "missed_care_rate",
                   "psychological_safety", "agency_cover_share", "reputation", "engagement_mean"):
        values = org_series(small_default, metric)
        assert values.between(0, 1).all(), metric


def test_no_leaving_means_no_vacancies_after_start_up() -> None:
    m = Model(small("years=3", "mechanisms.leaving=false"), 0)
    m.run()
    assert org_series(m, "leavers").sum() == 0
    assert (org_series(m, "vacancy_rate")[-12:] == 0).all()
    assert org_series(m, "headcount").iloc[-1] == m.establishment().sum()


def test_no_recruitment_means_no_hires_and_vacancies_only_grow() -> None:
    m = Model(small("years=2", "mechanisms.recruitment=false"), 0)
    m.run()
    assert org_series(m, "hires").sum() == 0
    assert org_series(m, "headcount").is_monotonic_decreasing


def test_ample_staff_leaves_almost_no_missed_care() -> None:
    """Four times the staff: about 2 patients per RN, and care is (almost) never left undone."""
    m = Model(small("years=1", "organisation.rn_posts_per_team=76", "organisation.hca_posts_per_team=48"), 0)
    m.run()
    assert org_series(m, "patients_per_nurse").max() < 2.5
    assert org_series(m, "missed_care_rate").mean() < 0.02


def test_zero_demand_means_no_patients_and_no_incidents() -> None:
    m = Model(small("years=1", "demand.occupancy=0.05", "demand.los_mean_days=0.5", "mechanisms.seasonality=false"), 0)
    m.run()
    assert org_series(m, "adverse_events_per_1000").mean() < 20
    assert org_series(m, "patients_per_nurse").mean() < 1


# Each switch: switched off, its mechanism leaves no trace in the outputs.
SWITCH_OFF_EFFECTS = {
    "sickness": ("sickness_absence_rate", 0.0),
    "leaving": ("leavers", 0.0),
    "retirement": ("retirements", 0.0),
    "recruitment": ("hires", 0.0),
    "agency_cover": ("agency_cost", 0.0),
    "exhaustion": ("exhaustion_mean", 0.0),
    "quality": ("adverse_events", 0.0),
    "blame": ("blamed_incidents", 0.0),
    "learning": ("learning", 0.0),
    "bullying": ("bullying_prevalence", 0.0),
    "leader_wellbeing": ("leader_exhaustion", 0.0),
    "leader_turnover": ("leader_turnover", 0.0),
    "mutual_aid": ("mutual_aid_rn", 0.0),
}


@pytest.mark.parametrize("switch", sorted(SWITCH_OFF_EFFECTS))
def test_switch_off_removes_its_mechanism(switch: str, small_default: Model) -> None:
    metric, expected = SWITCH_OFF_EFFECTS[switch]
    assert org_series(small_default, metric).sum() > 0, f"{metric} is already zero with {switch} on"
    m = Model(small(f"mechanisms.{switch}=false"), 0)
    m.run()
    assert (org_series(m, metric) == expected).all()


def test_seasonality_and_growth_switches_flatten_demand() -> None:
    on = Model(small("demand=growing"), 0)
    on.run()
    assert org_series(on, "demand_index").std() > 0
    off = Model(small("demand=growing", "mechanisms.seasonality=false", "mechanisms.demand_growth=false"), 0)
    off.run()
    assert org_series(off, "demand_index").std() == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("switch", ["culture_drift", "reputation"])
def test_switch_off_freezes_a_state(switch: str) -> None:
    metric = {"culture_drift": "psychological_safety", "reputation": "reputation"}[switch]
    m = Model(small(f"mechanisms.{switch}=false"), 0)
    m.run()
    values = org_series(m, metric)
    assert values.max() - values.min() < 1e-12


# A switch off is exactly the same run as its strength set to zero (common random numbers).
SWITCH_EQUALS_ZERO = {
    "contagion": "exhaustion.contagion_stress=0",
    "peer_support": "exhaustion.peer_support_share=0",
    "shared_learning": "reporting.learning_share=0",
}


@pytest.mark.parametrize("switch", sorted(SWITCH_EQUALS_ZERO))
def test_switch_off_equals_zero_strength(switch: str) -> None:
    extra = ["exhaustion.peer_support_share=0.5"] if switch == "peer_support" else []
    off = Model(small(*extra, f"mechanisms.{switch}=false"), 0).run().to_frame("s", 0, True)
    zero = Model(small(*extra, SWITCH_EQUALS_ZERO[switch]), 0).run().to_frame("s", 0, True)
    on = Model(small(*extra), 0).run().to_frame("s", 0, True)
    pd.testing.assert_frame_equal(off, zero)
    assert not on["value"].equals(off["value"])


@pytest.mark.parametrize("leadership", ["mixed", "blame"])
def test_no_culture_drifts_over_a_decade(leadership: str) -> None:
    """Month 0 is a steady state, not a start that settles for years: without an
    intervention, year 1 and years 8-10 differ by no more than noise. Before the
    workforce's equilibrium start (sim/initial_profile.py), survivor selection and the age
    structure drifted the mixed culture's burnout by 6.6 points over the decade (16
    replications of 4 wards). Mean of 2 replications of 16 wards: burnout within 2 points;
    leavers and vacancies within 3.5, because one organisation's reputation-vacancy loop
    makes them wander by 2-4 points over years in a single replication (on a trust, 4
    replications: within 1.5 points, docs/model.md "Time")."""
    change = {"burnout_prevalence": [], "leaver_rate": [], "vacancy_rate": []}
    for r in range(2):
        m = Model(small("years=10", "organisation.n_teams=16", f"leadership={leadership}"), r)
        m.run()
        for metric, moves in change.items():
            s = org_series(m, metric)
            moves.append(s.iloc[84:].mean() - s.iloc[:12].mean())
    assert abs(np.mean(change["burnout_prevalence"])) < 0.02, change
    assert abs(np.mean(change["leaver_rate"])) < 0.035, change
    assert abs(np.mean(change["vacancy_rate"])) < 0.035, change


@pytest.mark.parametrize("leadership", ["blame", "compassionate"])
def test_warmed_up_culture_does_not_jump_in_its_first_months(leadership: str) -> None:
    """Issue 11: month 0 is a trust that has had its culture for years, so without an
    intervention or shock burnout moves in its first 3 months only as it does in the same
    months of any later year: January to April falls with winter demand (1-2 points on a
    trust at the fitted workload elasticity 1.1; the calibration check's start_jump targets
    bound the raw move on a trust). Here the start's move minus the same calendar months'
    move a year later stays under 2 points (mean of 3 replications of 8 wards)."""
    moves = []
    for r in range(3):
        m = Model(small("years=1.5", "outputs.summary_months=6", "organisation.n_teams=8", f"leadership={leadership}"), r)
        m.run()
        b = org_series(m, "burnout_prevalence")
        moves.append((b[3] - b[0]) - (b[15] - b[12]))
    assert abs(np.mean(moves)) < 0.02, moves
