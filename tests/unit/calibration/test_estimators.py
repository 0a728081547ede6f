"""Each estimator against values computed by hand on tiny frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration import estimators as est
from sim.calibration.estimators import Replication


def org_frame(scenario: str, metric: str, values: list[float]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({"scenario": scenario, "replication": 0, "month": np.arange(n),
                         "team": pd.array([pd.NA] * n, dtype="Int16"), "metric": metric, "value": values})


def team_frame(scenario: str, metric: str, values: np.ndarray) -> pd.DataFrame:
    """``values[month, team]`` as per-team rows."""
    months, teams = values.shape
    return pd.DataFrame({"scenario": scenario, "replication": 0, "month": np.repeat(np.arange(months), teams),
                         "team": pd.array(np.tile(np.arange(teams), months), dtype="Int16"), "metric": metric,
                         "value": values.ravel()})


def rep_of(**frames: list[pd.DataFrame]) -> Replication:
    return Replication({s: pd.concat(f, ignore_index=True) for s, f in frames.items()})


def test_mean_difference_and_ratio_use_the_last_12_months() -> None:
    a = org_frame("a", "burnout_prevalence", [m / 100 for m in range(14)])     # months 0..13
    b = org_frame("b", "burnout_prevalence", [0.05] * 14)
    rep = rep_of(a=[a], b=[b])
    # steady window = months 2..13: mean of 2..13 = 7.5 -> 0.075
    assert est.mean(rep, metric="burnout_prevalence", scenario="a", window="steady") == pytest.approx(0.075)
    assert est.mean(rep, metric="burnout_prevalence", scenario="a", window="all") == pytest.approx(0.065)
    assert est.mean(rep, metric="burnout_prevalence", scenario="a", window=[0, 2]) == pytest.approx(0.005)
    assert est.difference(rep, metric="burnout_prevalence", scenario="a", minus="b",
                          window="steady") == pytest.approx(0.025)
    assert est.ratio_of_means(rep, metric="burnout_prevalence", scenario="a", minus="b",
                              window="steady") == pytest.approx(1.5)


def test_team_percentile_ratio_over_team_months() -> None:
    # 12 months x 2 teams; the team-month values are 1..24 -> quantiles 0.1 and 0.9 (linear)
    values = np.arange(1, 25, dtype=float).reshape(12, 2)
    rep = rep_of(a=[team_frame("a", "missed_care_rate", values)])
    lo, hi = 1 + 0.1 * 23, 1 + 0.9 * 23
    got = est.team_percentile_ratio(rep, metric="missed_care_rate", scenario="a", q_low=0.1, q_high=0.9, window="steady")
    assert got == pytest.approx(hi / lo)


def test_dose_response_recovers_a_known_odds_ratio() -> None:
    # prevalence exactly logistic in patients per RN with odds ratio 1.2 per patient
    months, teams = 12, 5
    ppn = np.linspace(5, 11, months * teams).reshape(months, teams)
    p = 1 / (1 + np.exp(-(-3.0 + math.log(1.2) * ppn)))
    frames = [team_frame("a", "burnout_prevalence", p), team_frame("a", "patients_per_nurse", ppn),
              team_frame("a", "staff_in_post", np.full((months, teams), 30.0))]
    rep = rep_of(a=frames)
    assert est.dose_response_odds_ratio(rep, metric="burnout_prevalence", scenario="a", window="steady") == \
        pytest.approx(1.2, rel=1e-6)
    # adverse events: rate per 1,000 patient-days, odds ratio 1.07
    p_ae = 1 / (1 + np.exp(-(-5.0 + math.log(1.07) * ppn)))
    frames = [team_frame("a", "adverse_events_per_1000", 1000 * p_ae), team_frame("a", "patients_per_nurse", ppn),
              team_frame("a", "patient_days", np.full((months, teams), 800.0))]
    assert est.dose_response_odds_ratio(rep_of(a=frames), metric="adverse_events_per_1000", scenario="a",
                                        window="all") == pytest.approx(1.07, rel=1e-6)


def test_individual_persistence_counts_only_staff_still_in_post() -> None:
    snaps = pd.DataFrame({
        "month": [11, 11, 11, 11, 23, 23, 23],
        "person": [1, 2, 3, 4, 1, 2, 4],          # person 3 left before month 23
        "burnt_out": [True, True, True, False, True, False, True],
    })
    rep = Replication({}, snapshots={"a": snaps})
    # burnt out at 11 and in post at 23: persons 1 and 2; still burnt out: person 1 -> 1/2
    assert est.individual_persistence(rep, scenario="a", lag_months=12) == pytest.approx(0.5)


def test_time_to_half_from_the_intervention_start() -> None:
    # effect ramps 0.01 a month from month 4 (the start) to 0.09, then stays: half (0.045) first passed at month 9
    ref = org_frame("ref", "psychological_safety", [0.3] * 30)
    arm = [0.3 + (min(max(m - 4, 0), 9) * 0.01) for m in range(30)]
    rep = rep_of(ref=[ref], arm=[org_frame("arm", "psychological_safety", arm)])
    rep.start_month["arm"] = 4
    got = est.time_to_half(rep, metric="psychological_safety", scenario="arm", reference="ref", smooth_months=1)
    assert got == pytest.approx(5.0)        # months after the start: 9 - 4
    no_ref = est.time_to_half(rep, metric="psychological_safety", scenario="arm", reference=None, smooth_months=1)
    assert no_ref == pytest.approx(5.0)
    # a 3-month rolling mean delays it by one month on a linear ramp
    assert est.time_to_half(rep, metric="psychological_safety", scenario="arm", reference="ref") == pytest.approx(6.0)


def test_start_jump_is_the_absolute_move_over_three_months() -> None:
    rep = rep_of(a=[org_frame("a", "burnout_prevalence", [0.30, 0.33, 0.36, 0.27, 0.5])])
    assert est.start_jump(rep, metric="burnout_prevalence", scenario="a") == pytest.approx(0.03)


def test_measure_dispatches_on_the_estimator_name() -> None:
    rep = rep_of(a=[org_frame("a", "leaver_rate", [0.1] * 12)])
    spec = {"estimator": "mean", "metric": "leaver_rate", "scenario": "a", "window": "steady"}
    assert est.measure(rep, spec) == pytest.approx(0.1)


def test_nurses_missing_some_care_is_derived_month_by_month() -> None:
    """1 - (1 - missed)^ppn by hand: missed 0.25 and 2 patients -> 1 - 0.75^2 = 0.4375."""
    rows = [{"month": 0, "team": None, "metric": "missed_care_rate", "value": 0.25},
            {"month": 0, "team": None, "metric": "patients_per_nurse", "value": 2.0},
            {"month": 1, "team": None, "metric": "missed_care_rate", "value": 0.5},
            {"month": 1, "team": None, "metric": "patients_per_nurse", "value": 1.0}]
    rep = est.Replication({"mixed": pd.DataFrame(rows)})
    assert est.mean(rep, metric="nurses_missing_some_care", scenario="mixed", window="all") == pytest.approx(
        (0.4375 + 0.5) / 2)
