"""Unit tier: the summary statistics (sim/summary.py) against values computed by hand.

Every expected number below is worked out in the comment beside it; the t quantiles are
read from a table (t_{0.975} with 1, 2, 3, 4 degrees of freedom: 12.706205, 4.302653,
3.182446, 2.776445), not computed with scipy, so a wrong degrees of freedom, a wrong
quantile or a wrong standard error fails.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.summary import (
    DIFF_COLUMNS,
    SUMMARY_COLUMNS,
    UNCERTAINTY_COLUMN,
    last_months,
    replication_means,
    summarise,
    t_interval,
)

T975 = {1: 12.706205, 2: 4.302653, 3: 3.182446, 4: 2.776445}


def frame(rows: list[tuple[str, int, int, float | None, str, float]]) -> pd.DataFrame:
    """A long table like the model's: (scenario, replication, month, team, metric, value)."""
    df = pd.DataFrame(rows, columns=["scenario", "replication", "month", "team", "metric", "value"])
    df["team"] = pd.array([pd.NA if t is None else t for t in df["team"]], dtype="Int16")
    return df


# ----------------------------------------------------------------- t interval


def test_t_interval_of_four_values() -> None:
    # 1, 2, 3, 4: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; sd = sqrt(5 / 3)
    # = 1.2909944; half-width = 3.182446 x 1.2909944 / 2 = 2.0542593.
    mean, sd, lo, hi = t_interval(np.array([4.0, 1.0, 3.0, 2.0]))
    assert mean == pytest.approx(2.5, abs=1e-12)
    assert sd == pytest.approx(math.sqrt(5 / 3), abs=1e-12)
    assert lo == pytest.approx(2.5 - 2.0542593, abs=1e-6)
    assert hi == pytest.approx(2.5 + 2.0542593, abs=1e-6)


def test_t_interval_of_two_values_uses_one_degree_of_freedom() -> None:
    # 1, 3: mean 2, sd sqrt(2); half-width = 12.706205 x sqrt(2) / sqrt(2) = 12.706205
    # (a normal quantile, 1.96, or 2 degrees of freedom, 4.30, would be far narrower).
    mean, sd, lo, hi = t_interval([1.0, 3.0])
    assert (mean, sd) == pytest.approx((2.0, math.sqrt(2.0)), abs=1e-12)
    assert (lo, hi) == pytest.approx((2.0 - T975[1], 2.0 + T975[1]), abs=1e-5)


def test_t_interval_of_five_values() -> None:
    # 0, 0, 0, 0, 5: mean 1; deviations -1 (x4) and 4: sum of squares 4 + 16 = 20; sd = sqrt(20 / 4)
    # = sqrt(5); half = 2.776445 x sqrt(5) / sqrt(5) = 2.776445.
    mean, sd, lo, hi = t_interval(np.array([0, 0, 0, 0, 5]))
    assert (mean, sd) == pytest.approx((1.0, math.sqrt(5.0)), abs=1e-12)
    assert (lo, hi) == pytest.approx((1.0 - T975[4], 1.0 + T975[4]), abs=1e-5)


def test_t_interval_collapses_for_one_value() -> None:
    mean, sd, lo, hi = t_interval(np.array([7.5]))
    assert (mean, lo, hi) == (7.5, 7.5, 7.5)
    assert math.isnan(sd)


def test_t_interval_of_identical_values_has_zero_width() -> None:
    assert t_interval(np.array([2.0, 2.0, 2.0])) == (2.0, 0.0, 2.0, 2.0)


# ----------------------------------------------------------------- the summary window


def months_frame(last: dict[str, int]) -> pd.DataFrame:
    """Scenario s has months 0 .. last[s], one organisation row each (value = month)."""
    return frame([(s, 0, m, None, "x", float(m)) for s, n in last.items() for m in range(n + 1)])


def test_last_months_is_each_scenarios_own_last_twelve() -> None:
    df = months_frame({"long": 35, "short": 11})
    window = last_months(df, 12)
    assert sorted(window[window["scenario"] == "long"]["month"]) == list(range(24, 36))
    assert sorted(window[window["scenario"] == "short"]["month"]) == list(range(0, 12))


def test_last_months_takes_the_given_width() -> None:
    window = last_months(months_frame({"a": 23}), 3)
    assert sorted(window["month"]) == [21, 22, 23]
    assert sorted(last_months(months_frame({"a": 23}), 1)["month"]) == [23]


def test_last_months_per_scenario_widths_and_default_of_twelve() -> None:
    window = last_months(months_frame({"a": 23, "b": 23, "c": 23}), {"a": 2, "b": 5})
    by = {s: sorted(g["month"]) for s, g in window.groupby("scenario")}
    assert by == {"a": [22, 23], "b": [19, 20, 21, 22, 23], "c": list(range(12, 24))}


def test_replication_means_average_the_window_of_organisation_rows_only() -> None:
    # replication 0: months 0..3 with values 10, 20, 30, 40; window 2 -> mean of 30, 40 = 35.
    # replication 1: 1, 2, 3, 5 -> (3 + 5) / 2 = 4. Team rows (team 0) are left out.
    rows = [("s", 0, m, None, "x", v) for m, v in enumerate([10.0, 20.0, 30.0, 40.0])]
    rows += [("s", 1, m, None, "x", v) for m, v in enumerate([1.0, 2.0, 3.0, 5.0])]
    rows += [("s", 0, m, 0, "x", 1000.0) for m in range(4)]
    reps = replication_means(frame(rows), 2)
    assert list(reps.columns) == ["scenario", "replication", "metric", "value"]
    assert reps.set_index("replication")["value"].to_dict() == {0: 35.0, 1: 4.0}


# ----------------------------------------------------------------- summary table and paired differences


def two_scenarios() -> pd.DataFrame:
    """Three replications of a reference and a treated scenario, months 0..1, window 1 (month 1).

    Reference month-1 values 1, 5, 9 (replication 0, 1, 2); treated 2, 7, 10: paired
    differences 1, 2, 1. Month 0 (outside the window) is 100 everywhere."""
    rows = []
    for s, vals in (("ref", [1.0, 5.0, 9.0]), ("treated", [2.0, 7.0, 10.0])):
        for r, v in enumerate(vals):
            rows += [(s, r, 0, None, "x", 100.0), (s, r, 1, None, "x", v)]
    return frame(rows)


def test_summary_table_by_hand() -> None:
    out = summarise(two_scenarios(), months=1)
    assert list(out.columns) == [*SUMMARY_COLUMNS, *DIFF_COLUMNS, UNCERTAINTY_COLUMN]
    ref = out[out["scenario"] == "ref"].iloc[0]
    # 1, 5, 9: mean 5, sd 4, half = 4.302653 x 4 / sqrt(3) = 9.9365508
    assert (ref["n"], ref["mean"], ref["sd"]) == (3, 5.0, 4.0)
    assert (ref["ci_low"], ref["ci_high"]) == pytest.approx((5 - 9.9365508, 5 + 9.9365508), abs=1e-5)
    assert np.isnan(ref[DIFF_COLUMNS].astype(float)).all()
    tr = out[out["scenario"] == "treated"].iloc[0]
    # paired differences 1, 2, 1: mean 4/3, sd sqrt(((1/3)^2 x 2 + (2/3)^2) / 2) = sqrt(1/3);
    # half = 4.302653 x sqrt(1/3) / sqrt(3) = 4.302653 / 3 = 1.4342177. (Unpaired, the
    # interval would be about ten times wider.)
    assert tr["diff"] == pytest.approx(4 / 3, abs=1e-12)
    assert (tr["diff_ci_low"], tr["diff_ci_high"]) == pytest.approx((4 / 3 - 1.4342177, 4 / 3 + 1.4342177), abs=1e-5)


def test_paired_differences_pair_by_replication_not_by_row_order() -> None:
    df = two_scenarios()
    shuffled = pd.concat([df[df["scenario"] == "ref"], df[df["scenario"] == "treated"].iloc[::-1]], ignore_index=True)
    a, b = summarise(df, months=1), summarise(shuffled, months=1)
    pd.testing.assert_frame_equal(a, b)


def test_reference_scenario_can_be_the_second() -> None:
    out = summarise(two_scenarios(), reference="treated", months=1).set_index("scenario")
    assert np.isnan(out.loc["treated", "diff"])
    assert out.loc["ref", "diff"] == pytest.approx(-4 / 3, abs=1e-12)
    assert out.loc["ref", "diff_ci_high"] == pytest.approx(-4 / 3 + 1.4342177, abs=1e-5)


def test_unknown_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="'nope'"):
        summarise(two_scenarios(), reference="nope", months=1)


def test_a_replication_missing_from_one_scenario_is_left_out_of_the_pairs() -> None:
    df = two_scenarios()
    df = df[~((df["scenario"] == "treated") & (df["replication"] == 2))]
    tr = summarise(df, months=1).set_index("scenario").loc["treated"]
    # pairs: replication 0 (2 - 1 = 1) and 1 (7 - 5 = 2): mean 1.5, sd sqrt(0.5), half = 12.706205 x 0.5
    assert tr["n"] == 2
    assert tr["diff"] == pytest.approx(1.5, abs=1e-12)
    assert (tr["diff_ci_low"], tr["diff_ci_high"]) == pytest.approx((1.5 - T975[1] / 2, 1.5 + T975[1] / 2), abs=1e-5)


def test_one_scenario_has_no_difference_columns() -> None:
    df = two_scenarios()
    out = summarise(df[df["scenario"] == "ref"], months=1)
    assert list(out.columns) == [*SUMMARY_COLUMNS, UNCERTAINTY_COLUMN]


def test_summary_of_a_single_replication() -> None:
    out = summarise(frame([("s", 0, 0, None, "x", 3.0), ("s", 0, 1, None, "x", 5.0)]), months=2)
    row = out.iloc[0]
    assert (row["n"], row["mean"], row["ci_low"], row["ci_high"]) == (1, 4.0, 4.0, 4.0)


# ----------------------------------------------------------------- cost-effectiveness


def cost_frame() -> pd.DataFrame:
    """Months 0..2 (window 2 = months 1, 2), replications 0 and 1, organisation rows.

    reference: no spend; leavers 4 + 6 (rep 0) and 5 + 5 (rep 1); adverse 2 + 2 and 3 + 3.
    programme: spend 50 + 50 in each; leavers 3 + 3 (rep 0, 4 avoided) and 4 + 4 (rep 1, 2
    avoided); adverse 2 + 2 (0 avoided) and 2 + 2 (2 avoided). Month 0 is outside the window."""
    rows = []
    data = {
        "reference": {"intervention_cost": [[0, 0, 0], [0, 0, 0]], "leavers": [[99, 4, 6], [99, 5, 5]],
                      "adverse_events": [[99, 2, 2], [99, 3, 3]]},
        "programme": {"intervention_cost": [[999, 50, 50], [999, 50, 50]], "leavers": [[0, 3, 3], [0, 4, 4]],
                      "adverse_events": [[0, 2, 2], [0, 2, 2]]},
    }
    for s, metrics in data.items():
        for metric, reps in metrics.items():
            for r, values in enumerate(reps):
                rows += [(s, r, m, None, metric, float(v)) for m, v in enumerate(values)]
    rows.append(("programme", 0, 1, 0, "leavers", 1000.0))   # a team row: left out
    return frame(rows)


# ----------------------------------------------------------------- defaults, order and edge cases (mutation testing)


def test_the_default_window_is_twelve_months() -> None:
    df = months_frame({"a": 29})                                 # months 0..29: the default window is 18..29
    assert sorted(last_months(df)["month"]) == list(range(18, 30))
    rows = [("s", 0, m, None, "x", float(m)) for m in range(30)]
    assert replication_means(frame(rows))["value"].tolist() == [23.5]          # mean of 18..29
    assert summarise(frame(rows))["mean"].tolist() == [23.5]


def test_tables_keep_the_scenarios_in_the_order_they_were_run() -> None:
    rows = [(s, r, 0, None, m, float(r)) for s in ("zeta", "alpha") for r in (1, 0) for m in ("y", "x")]
    reps = replication_means(frame(rows), 1)
    assert list(zip(reps["scenario"], reps["replication"], reps["metric"], strict=True))[:3] == [
        ("zeta", 1, "y"), ("zeta", 1, "x"), ("zeta", 0, "y")]
    out = summarise(frame(rows), months=1)
    assert list(zip(out["scenario"], out["metric"], strict=True)) == [("zeta", "y"), ("zeta", "x"), ("alpha", "y"),
                                                                     ("alpha", "x")]
    assert out["diff"].isna().tolist() == [True, True, False, False]           # the first scenario is the reference


def test_categorical_columns_give_no_rows_for_unused_categories() -> None:
    rows = [("s", 0, m, None, "x", 1.0) for m in range(3)]
    df = frame(rows)
    df["scenario"] = pd.Categorical(df["scenario"], categories=["s", "unused"])
    df["metric"] = pd.Categorical(df["metric"], categories=["x", "unused"])
    reps = replication_means(df, 2)
    assert len(reps) == 1 and reps["value"].tolist() == [1.0]
    assert len(last_months(df, 2)) == 2


def test_summary_of_nothing_has_the_contract_columns() -> None:
    out = summarise(frame([]), months=1)
    assert out.empty and list(out.columns) == [*SUMMARY_COLUMNS, UNCERTAINTY_COLUMN]

