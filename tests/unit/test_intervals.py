"""Interval functions and the return-on-investment arithmetic of sim/summary.py, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.metric_records import metric_bounds
from sim.summary import (
    bounded_interval,
    cost_effectiveness,
    difference_bounds,
    fieller_interval,
    paired_roi,
    probability_first,
    rank_key,
    summarise,
    t_interval,
)

T975 = {1: 12.706204736, 2: 4.302652730, 4: 2.776445105}   # Student t 97.5% quantiles (tables)


def test_t_interval_by_hand() -> None:
    mean, sd, lo, hi = t_interval(np.array([1.0, 2.0, 3.0]))
    assert (mean, sd) == (2.0, 1.0)
    half = T975[2] / math.sqrt(3)
    assert lo == pytest.approx(2 - half) and hi == pytest.approx(2 + half)


def test_one_replication_has_no_interval() -> None:
    mean, sd, lo, hi = bounded_interval(np.array([0.3]), 0.0, 1.0)
    assert mean == lo == hi == 0.3 and math.isnan(sd)


def test_logit_interval_of_two_replications_by_hand() -> None:
    # mean 0.3, sd sqrt(0.02), se 0.1; logit scale: centre ln(3/7), half-width t x se / (0.3 x 0.7)
    mean, sd, lo, hi = bounded_interval(np.array([0.2, 0.4]), 0.0, 1.0)
    half = T975[1] * 0.1 / 0.21
    expit = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    assert mean == pytest.approx(0.3) and sd == pytest.approx(math.sqrt(0.02))
    assert lo == pytest.approx(expit(math.log(3 / 7) - half)) and hi == pytest.approx(expit(math.log(3 / 7) + half))
    assert 0 < lo < 0.002 and 0.99 < hi < 1                       # the t interval would be -0.97 to 1.57
    t_lo, t_hi = t_interval(np.array([0.2, 0.4]))[2:]
    assert t_lo < 0 and t_hi > 1


def test_log_interval_of_a_count_by_hand() -> None:
    mean, sd, lo, hi = bounded_interval(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 0.0, math.inf)
    half = T975[4] * math.sqrt(2.5 / 5) / 3
    assert lo == pytest.approx(3 * math.exp(-half)) and hi == pytest.approx(3 * math.exp(half))
    assert lo > 0


def test_interval_near_the_middle_is_close_to_the_t_interval() -> None:
    values = np.random.default_rng(0).normal(0.5, 0.01, 50)
    _, _, lo, hi = bounded_interval(values, 0.0, 1.0)
    _, _, t_lo, t_hi = t_interval(values)
    assert lo == pytest.approx(t_lo, abs=1e-4) and hi == pytest.approx(t_hi, abs=1e-4)


def test_values_on_a_bound_give_the_point() -> None:
    assert bounded_interval(np.array([0.0, 0.0, 0.0]), 0.0, 1.0)[2:] == (0.0, 0.0)
    assert bounded_interval(np.array([1.0, 1.0]), 0.0, 1.0)[2:] == (1.0, 1.0)


def test_small_shares_stay_in_range_where_the_t_interval_does_not() -> None:
    values = np.array([0.0, 0.0, 0.01, 0.0, 0.02])     # e.g. leader turnover in a quiet year
    _, _, lo, hi = bounded_interval(values, 0.0, 1.0)
    assert t_interval(values)[2] < 0 <= lo <= values.mean() <= hi <= 1


def test_ranges_from_the_metric_records() -> None:
    assert metric_bounds("burnout_prevalence") == (0.0, 1.0)
    assert metric_bounds("psychological_safety") == (0.0, 1.0)
    assert metric_bounds("leader_turnover") == (0.0, math.inf)        # annualised monthly flow
    assert metric_bounds("retirements") == (0.0, math.inf)
    assert metric_bounds("agency_cost") == (0.0, math.inf)
    assert metric_bounds("not_a_metric") == (-math.inf, math.inf)
    assert difference_bounds(0.0, 1.0) == (-1.0, 1.0)


def test_summary_states_its_uncertainty() -> None:
    rows = [{"scenario": s, "replication": r, "month": m, "team": pd.NA, "metric": "burnout_prevalence",
             "value": v + 0.01 * r} for s, v in (("a", 0.3), ("b", 0.2)) for r in range(3) for m in range(12)]
    out = summarise(pd.DataFrame(rows), reference="a", uncertainty={"a": True, "b": True})
    assert (out["uncertainty"] == "parameter (calibration posterior) and stochastic; 3 replications").all()
    assert out.set_index("scenario").loc["b", "diff"] == pytest.approx(-0.1)
    plain = summarise(pd.DataFrame(rows), reference="a")
    assert (plain["uncertainty"] == "stochastic only; 3 replications").all()


# --------------------------------------------------------------------------- ratio of means


def test_fieller_interval_of_a_fixed_ratio_is_the_ratio() -> None:
    ratio, lo, hi = fieller_interval(np.array([100.0, 120.0, 110.0]), np.array([10.0, 12.0, 11.0]))
    assert ratio == pytest.approx(10) and lo == pytest.approx(10) and hi == pytest.approx(10)


def test_fieller_bounds_solve_the_defining_equation() -> None:
    cost = np.array([900.0, 1100.0, 1000.0, 1200.0, 800.0])
    benefit = np.array([2.0, 2.5, 1.8, 2.2, 2.1])
    ratio, lo, hi = fieller_interval(cost, benefit)
    n, t2 = len(cost), T975[4] ** 2

    def excess(r: float) -> float:    # (C - rB)^2 - t^2 var(C - rB): zero at the bounds, negative inside
        d = cost - r * benefit
        return d.mean() ** 2 - t2 * d.var(ddof=1) / n

    assert ratio == pytest.approx(cost.mean() / benefit.mean())
    assert lo < ratio < hi
    assert excess(lo) == pytest.approx(0, abs=1e-6 * cost.mean() ** 2)
    assert excess(hi) == pytest.approx(0, abs=1e-6 * cost.mean() ** 2)
    assert excess(ratio) < 0


def test_fieller_without_a_sure_benefit_has_no_interval() -> None:
    ratio, lo, hi = fieller_interval(np.array([100.0, 100.0, 100.0]), np.array([1.0, -1.0, 0.5]))
    assert ratio == pytest.approx(600) and math.isnan(lo) and math.isnan(hi)     # never infinity
    assert all(math.isnan(x) for x in fieller_interval(np.array([100.0, 100.0]), np.array([-1.0, 0.0])))


def test_rank_key_puts_options_that_pay_for_themselves_first() -> None:
    assert rank_key(-100.0, 2.0) < rank_key(-100.0, 1.0) < rank_key(50.0, 1.0) < rank_key(100.0, 1.0)
    assert rank_key(10.0, 0.0) is None and rank_key(10.0, -1.0) is None


# --------------------------------------------------------------------------- return on investment


def _ts() -> pd.DataFrame:
    """12 months x 3 replications: none; a (a programme); b (more staff: more people, same rates)."""
    rows = []
    spec = {  # monthly values; leaver rate per replication
        "none": {"intervention_cost": 0.0, "agency_cost": 10_000.0, "leaver_rate": [0.12, 0.12, 0.12],
                 "headcount": 100.0, "adverse_events_per_1000": 10.0, "patient_days": 3_000.0},
        "a": {"intervention_cost": 1_000.0, "agency_cost": 9_500.0, "leaver_rate": [0.10, 0.11, 0.09],
              "headcount": 100.0, "adverse_events_per_1000": 9.0, "patient_days": 3_000.0},
        "b": {"intervention_cost": 5_000.0, "agency_cost": 5_000.0, "leaver_rate": [0.12, 0.12, 0.12],
              "headcount": 110.0, "adverse_events_per_1000": 10.0, "patient_days": 3_000.0},
    }
    for scenario, metrics in spec.items():
        for r in range(3):
            for month in range(12):
                for metric, v in metrics.items():
                    rows.append({"scenario": scenario, "replication": r, "month": month, "team": pd.NA,
                                 "metric": metric, "value": v[r] if isinstance(v, list) else v})
    return pd.DataFrame(rows)


def test_paired_roi_by_hand() -> None:
    p = paired_roi(_ts(), "none", 12).set_index(["scenario", "replication"])
    a = p.loc["a"]
    assert (a["intervention_cost"] == 12_000).all() and (a["agency_saving"] == 6_000).all()
    assert (a["net_cost"] == 6_000).all()
    assert a["leaver_rate_reduction"].tolist() == pytest.approx([0.02, 0.01, 0.03])
    assert a["leavers_avoided"].tolist() == pytest.approx([2.0, 1.0, 3.0])          # x the reference's 100 staff
    assert a["adverse_reduction_per_1000"].tolist() == pytest.approx([1.0] * 3)
    assert a["adverse_events_avoided"].tolist() == pytest.approx([36.0] * 3)         # 1 x 36,000 patient-days / 1,000
    b = p.loc["b"]
    assert (b["net_cost"] == 0).all()                                                  # 60,000 spent, 60,000 saved
    assert (b["leavers_avoided"] == 0).all()       # more staff at the same rate is not more leavers


def test_cost_effectiveness_by_hand() -> None:
    ce = cost_effectiveness(_ts(), "none", 12).set_index("scenario")
    assert ce.loc["a", "net_cost"] == 6_000 and ce.loc["a", "leavers_avoided"] == pytest.approx(2.0)
    assert ce.loc["a", "cost_per_leaver_avoided"] == pytest.approx(3_000)
    # benefit [2, 1, 3]: Fieller's a = 4 - t^2 x (1/3) < 0, the benefit is not sure: no interval (not infinity)
    assert math.isnan(ce.loc["a", "cost_per_leaver_ci_low"]) and math.isnan(ce.loc["a", "cost_per_leaver_ci_high"])
    assert ce.loc["a", "cost_per_adverse_event_avoided"] == pytest.approx(6_000 / 36)
    assert ce.loc["a", "cost_per_adverse_ci_low"] == pytest.approx(6_000 / 36)   # no spread: the point
    assert math.isnan(ce.loc["b", "cost_per_leaver_avoided"])                      # no benefit: no ratio, no ∞
    assert ce.loc["a", "rank_leaver"] == 1 and pd.isna(ce.loc["b", "rank_leaver"])
    assert ce.loc["a", "p_first_leaver"] == 1.0 and ce.loc["b", "p_first_leaver"] == 0.0
    assert not np.isinf(ce.select_dtypes("number").to_numpy(dtype=float)).any()
    one = cost_effectiveness(_ts()[_ts()["scenario"] != "b"], "none", 12)
    assert len(one) == 1 and "rank_leaver" not in one.columns and "p_first_leaver" not in one.columns


def test_probability_first_by_hand() -> None:
    paired = pd.DataFrame({
        "scenario": ["x", "y"] * 4, "replication": [0, 0, 1, 1, 2, 2, 3, 3],
        "net_cost": [100, 100, 100, 300, -10, 50, 100, 100],
        "benefit": [1, 2, 1, 1, 0.5, 5, -1, 0],
    })
    first = probability_first(paired, "benefit")
    # r0: y (50/unit) beats x (100); r1: x (100) beats y (300); r2: x saves money, first; r3: no benefit
    assert first["x"] == pytest.approx(2 / 4) and first["y"] == pytest.approx(1 / 4)
