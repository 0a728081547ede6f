"""Scenario summaries: last-year means over replications with 95% intervals, and paired
differences from the reference scenario under common random numbers."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

SUMMARY_COLUMNS = ["scenario", "metric", "n", "mean", "sd", "ci_low", "ci_high"]
DIFF_COLUMNS = ["diff", "diff_ci_low", "diff_ci_high"]


#: Months of a summary window: one number for every scenario, or one per scenario (a
#: collected sweep whose jobs set their own ``outputs.summary_months``).
Months = int | Mapping[str, int]


def last_months(frame: pd.DataFrame, months: Months = 12) -> pd.DataFrame:
    """The rows of each scenario's own last ``months`` months.

    Each scenario's window ends at its own last month: a collected sweep may hold jobs
    of different horizons (``-m years=1,2``), and a window taken from the longest job
    would leave the shorter jobs out of the summary altogether.
    """
    last = frame.groupby("scenario", sort=False, observed=True)["month"].transform("max")
    width = frame["scenario"].map(lambda s: months.get(s, 12)).astype(float) if isinstance(months, Mapping) else months
    return frame[frame["month"] > last - width]


def replication_means(ts: pd.DataFrame, months: Months = 12) -> pd.DataFrame:
    """Each replication's organisation-level metrics averaged over its scenario's last ``months``."""
    window = last_months(ts[ts["team"].isna()], months)
    return window.groupby(["scenario", "replication", "metric"], sort=False, observed=True)["value"].mean().reset_index()


def t_interval(values: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, sd and the 95% t interval of the mean (the interval collapses for n = 1)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = float(values.mean())
    if n < 2:
        return mean, float("nan"), mean, mean
    sd = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n)
    return mean, sd, mean - half, mean + half


def summarise(ts: pd.DataFrame, reference: str | None = None, months: Months = 12) -> pd.DataFrame:
    """The summary.csv table of the output contract (docs/model.md, Outputs)."""
    reps = replication_means(ts, months)
    scenarios = list(dict.fromkeys(reps["scenario"]))
    rows = []
    for (scenario, metric), g in reps.groupby(["scenario", "metric"], sort=False):
        mean, sd, lo, hi = t_interval(g["value"].to_numpy())
        rows.append({"scenario": scenario, "metric": metric, "n": len(g), "mean": mean, "sd": sd,
                     "ci_low": lo, "ci_high": hi})
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    if len(scenarios) > 1:
        ref = reference if reference is not None else scenarios[0]
        if ref not in scenarios:
            raise ValueError(f"reference scenario {ref!r} not among {scenarios}")
        wide = reps.pivot_table(index=["metric", "replication"], columns="scenario", values="value")
        diffs = []
        for row in out.itertuples():
            if row.scenario == ref:
                diffs.append((np.nan, np.nan, np.nan))
                continue
            pair = wide.loc[row.metric][[row.scenario, ref]].dropna()
            d, _, lo, hi = t_interval((pair[row.scenario] - pair[ref]).to_numpy())
            diffs.append((d, lo, hi))
        out[DIFF_COLUMNS] = pd.DataFrame(diffs, index=out.index)
    return out


def _ratio_interval(cost: float, lo: float, hi: float) -> tuple[float, float]:
    """Interval of cost / benefit from the benefit's interval (cost is fixed by design):
    unbounded above when the benefit's interval reaches zero."""
    upper = cost / lo if lo > 0 else np.inf
    lower = cost / hi if hi > 0 else np.inf
    return lower, upper


def cost_effectiveness(ts: pd.DataFrame, reference: str, months: Months = 12) -> pd.DataFrame:
    """Cost per leaver and per adverse event avoided vs the reference, paired by replication.

    Over the last ``months`` months: the extra intervention spend, and the leavers and
    (true) adverse events avoided, each replication against the same replication of the
    reference (common random numbers). Empty when no scenario spends on interventions.
    """
    org = ts[ts["team"].isna() & ts["metric"].isin(["intervention_cost", "leavers", "adverse_events"])]
    window = last_months(org, months)
    totals = window.groupby(["scenario", "replication", "metric"])["value"].sum().unstack("metric")
    if "intervention_cost" not in totals or reference not in totals.index.get_level_values(0):
        return pd.DataFrame()
    ref = totals.loc[reference]
    rows = []
    for scenario in dict.fromkeys(totals.index.get_level_values(0)):
        if scenario == reference:
            continue
        paired = totals.loc[scenario].merge(ref, left_index=True, right_index=True, suffixes=("", "_ref"))
        cost = float((paired["intervention_cost"] - paired["intervention_cost_ref"]).mean())
        if cost <= 0:
            continue
        row: dict[str, float | str] = {"scenario": scenario, "cost": cost, "n": len(paired)}
        for metric, label in (("leavers", "leaver"), ("adverse_events", "adverse")):
            avoided = (paired[f"{metric}_ref"] - paired[metric]).to_numpy()
            mean, _, lo, hi = t_interval(avoided)
            name = "leavers_avoided" if label == "leaver" else "adverse_events_avoided"
            per = "cost_per_leaver_avoided" if label == "leaver" else "cost_per_adverse_event_avoided"
            row.update({name: mean, f"{name}_ci_low": lo, f"{name}_ci_high": hi,
                        per: cost / mean if mean > 0 else np.inf})
            row[f"cost_per_{label}_ci_low"], row[f"cost_per_{label}_ci_high"] = _ratio_interval(cost, lo, hi)
        rows.append(row)
    out = pd.DataFrame(rows)
    if not out.empty:
        out["rank_leaver"] = out["cost_per_leaver_avoided"].rank(method="min").astype(int)
        out["rank_adverse"] = out["cost_per_adverse_event_avoided"].rank(method="min").astype(int)
    return out
