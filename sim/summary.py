"""Scenario summaries: last-year means over replications with 95% intervals, and paired
differences from the reference scenario under common random numbers."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

SUMMARY_COLUMNS = ["scenario", "metric", "n", "mean", "sd", "ci_low", "ci_high"]
DIFF_COLUMNS = ["diff", "diff_ci_low", "diff_ci_high"]
#: What every interval of a summary rests on: the uncertainty it includes and its replications.
UNCERTAINTY_COLUMN = "uncertainty"

#: Two-sided confidence of every interval.
LEVEL = 0.95


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
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) * sd / np.sqrt(n)
    return mean, sd, mean - half, mean + half


def bounded_interval(values: np.ndarray, lo: float = -np.inf, hi: float = np.inf) -> tuple[float, float, float, float]:
    """Mean, sd and a 95% interval of the mean that stays inside ``[lo, hi]``.

    The t interval is built on a scale where the range is unbounded and mapped back: logit
    for a metric bounded on both sides (shares, 0-1 levels), log for a non-negative one,
    the plain t interval for an unbounded one. The transformed interval is centred on the
    transformed mean with the delta-method standard error (``sd / sqrt(n) x g'(mean)``), so
    it contains the mean, is close to the t interval away from the bounds, and shrinks
    towards a bound instead of crossing it. With every value on a bound (sd 0) it is the
    point; with one replication it collapses to the mean (no interval: sd is NaN).
    """
    values = np.asarray(values, dtype=float)
    mean, sd, t_lo, t_hi = t_interval(values)
    n = len(values)
    if n < 2 or not np.isfinite(sd) or sd == 0:
        return mean, sd, t_lo, t_hi
    t = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1))
    se = sd / np.sqrt(n)
    finite_lo, finite_hi = np.isfinite(lo), np.isfinite(hi)
    if finite_lo and finite_hi:
        if not lo < mean < hi:                       # values outside the range: clip the t interval
            return mean, sd, max(t_lo, lo), min(t_hi, hi)
        u = (mean - lo) / (hi - lo)
        centre, half = np.log(u / (1 - u)), t * se / ((hi - lo) * u * (1 - u))
        back = [lo + (hi - lo) / (1 + np.exp(-x)) for x in (centre - half, centre + half)]
    elif finite_lo or finite_hi:
        sign, bound = (1.0, lo) if finite_lo else (-1.0, hi)
        gap = sign * (mean - bound)
        if gap <= 0:
            return mean, sd, max(t_lo, lo) if finite_lo else t_lo, min(t_hi, hi) if finite_hi else t_hi
        centre, half = np.log(gap), t * se / gap
        back = sorted(bound + sign * np.exp(x) for x in (centre - half, centre + half))
    else:
        return mean, sd, t_lo, t_hi
    return mean, sd, float(min(back)), float(max(back))


def difference_bounds(lo: float, hi: float) -> tuple[float, float]:
    """The range a difference of two values in ``[lo, hi]`` can take."""
    width = hi - lo
    return -width, width


def summarise(ts: pd.DataFrame, reference: str | None = None, months: Months = 12,
              uncertainty: Mapping[str, bool] | bool = False) -> pd.DataFrame:
    """The summary.csv table of the output contract (docs/model.md, Outputs).

    Each interval stays inside its metric's range (:func:`bounded_interval`, ranges from
    sim/metric_records.py); differences are paired by replication (common random numbers)
    and clipped to the range a difference can take. ``uncertainty`` says, per scenario or
    for all, whether replications drew their parameters from the posterior; the
    ``uncertainty`` column states what each row's intervals include and their replications.
    """
    from sim.metric_records import metric_bounds  # noqa: PLC0415 - keep this module's imports light
    from sim.uncertainty import describe  # noqa: PLC0415

    reps = replication_means(ts, months)
    scenarios = list(dict.fromkeys(reps["scenario"]))
    rows = []
    for (scenario, metric), g in reps.groupby(["scenario", "metric"], sort=False):
        lo_b, hi_b = metric_bounds(str(metric))
        mean, sd, lo, hi = bounded_interval(g["value"].to_numpy(), lo_b, hi_b)
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
            d_lo, d_hi = difference_bounds(*metric_bounds(str(row.metric)))
            diffs.append((d, max(lo, d_lo), min(hi, d_hi)))
        out[DIFF_COLUMNS] = pd.DataFrame(diffs, index=out.index)

    def says(scenario: str, n: int) -> str:
        drawn = uncertainty.get(scenario, False) if isinstance(uncertainty, Mapping) else bool(uncertainty)
        return describe(drawn, n)

    out[UNCERTAINTY_COLUMN] = [says(str(sc), int(n)) for sc, n in zip(out["scenario"], out["n"], strict=True)]
    return out


def fieller_interval(cost: np.ndarray, benefit: np.ndarray) -> tuple[float, float, float]:
    """Ratio of means ``mean(cost) / mean(benefit)`` of paired replications and its 95%
    Fieller interval, which accounts for the noise of both and their correlation.

    The interval is finite only when the benefit is distinguishable from zero (its own t
    test at the same level); otherwise (or with a non-positive mean benefit) the ratio has
    no meaningful interval and the bounds are NaN, never infinity.
    """
    c, b = np.asarray(cost, dtype=float), np.asarray(benefit, dtype=float)
    n = len(c)
    cm, bm = float(c.mean()), float(b.mean())
    if bm <= 0:
        return float("nan"), float("nan"), float("nan")
    ratio = cm / bm
    if n < 2:
        return ratio, ratio, ratio
    t2 = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) ** 2
    cov = np.cov(c, b, ddof=1) / n
    s_cc, s_cb, s_bb = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    a = bm * bm - t2 * s_bb
    if a <= 0:                                       # benefit not distinguishable from zero
        return ratio, float("nan"), float("nan")
    half_b = cm * bm - t2 * s_cb
    disc = half_b * half_b - a * (cm * cm - t2 * s_cc)
    root = float(np.sqrt(max(disc, 0.0)))
    return ratio, (half_b - root) / a, (half_b + root) / a


#: Metrics the return on investment reads (organisation level, per month).
ROI_INPUTS = ("intervention_cost", "agency_cost", "leaver_rate", "headcount", "adverse_events_per_1000",
              "patient_days")


def paired_roi(ts: pd.DataFrame, reference: str, months: Months = 12) -> pd.DataFrame:
    """Per scenario and replication, against the same replication of the reference (common
    random numbers and, with parameter uncertainty, the same posterior draw), over each
    scenario's last ``months`` months, everything per year:

    - ``intervention_cost``: the programme's extra spend;
    - ``agency_saving``: bank and agency spend saved (negative: extra spend);
    - ``net_cost``: intervention cost - agency saving (the costs the model tracks);
    - ``leaver_rate_reduction``: reference leaver rate - the scenario's (a rate, so a
      staffing uplift's larger headcount does not count as more leavers);
    - ``leavers_avoided``: that reduction x the reference's headcount (people a year);
    - ``adverse_reduction_per_1000``: adverse events per 1,000 patient-days avoided;
    - ``adverse_events_avoided``: that reduction x the reference's patient-days a year / 1,000.
    """
    org = ts[ts["team"].isna() & ts["metric"].isin(ROI_INPUTS)]
    window = last_months(org, months)
    sums = window.groupby(["scenario", "replication", "metric"], observed=True)["value"].agg(["sum", "mean", "size"])
    wide_sum = sums["sum"].unstack("metric")
    wide_mean = sums["mean"].unstack("metric")
    n_months = sums["size"].unstack("metric").max(axis=1)
    if "intervention_cost" not in wide_sum or reference not in wide_sum.index.get_level_values(0):
        return pd.DataFrame()
    per_year = 12.0 / n_months
    rows = []
    ref_sum, ref_mean, ref_year = wide_sum.loc[reference], wide_mean.loc[reference], per_year.loc[reference]
    for scenario in dict.fromkeys(wide_sum.index.get_level_values(0)):
        if scenario == reference:
            continue
        s_sum, s_mean, s_year = wide_sum.loc[scenario], wide_mean.loc[scenario], per_year.loc[scenario]
        for r in s_sum.index.intersection(ref_sum.index):
            def get(frame: pd.DataFrame, metric: str, rep: object = r) -> float:
                return float(frame.loc[rep, metric]) if metric in frame.columns else 0.0
            cost = get(s_sum, "intervention_cost") * s_year[r] - get(ref_sum, "intervention_cost") * ref_year[r]
            saving = get(ref_sum, "agency_cost") * ref_year[r] - get(s_sum, "agency_cost") * s_year[r]
            rate_cut = get(ref_mean, "leaver_rate") - get(s_mean, "leaver_rate")
            adverse_cut = get(ref_mean, "adverse_events_per_1000") - get(s_mean, "adverse_events_per_1000")
            rows.append({"scenario": scenario, "replication": r, "intervention_cost": cost, "agency_saving": saving,
                         "net_cost": cost - saving, "leaver_rate_reduction": rate_cut,
                         "leavers_avoided": rate_cut * get(ref_mean, "headcount"),
                         "adverse_reduction_per_1000": adverse_cut,
                         "adverse_events_avoided": adverse_cut * get(ref_sum, "patient_days") * ref_year[r] / 1000})
    return pd.DataFrame(rows)


#: The outcomes of the return on investment: (benefit column, cost-per column, short name).
ROI_OUTCOMES = (("leavers_avoided", "cost_per_leaver_avoided", "leaver"),
                ("adverse_events_avoided", "cost_per_adverse_event_avoided", "adverse"))


def rank_key(net_cost: float, benefit: float) -> tuple[int, float] | None:
    """How an option ranks on one outcome (lower key first), or None when it has no benefit.

    Options that save money while avoiding the outcome (net cost <= 0: they dominate doing
    nothing) come first, the one avoiding most first; then the others by net cost per unit
    of outcome avoided. A negative cost per outcome would otherwise rank an option that
    saves a little money and avoids almost nothing above one that avoids a great deal.
    """
    if not benefit > 0:
        return None
    return (0, -benefit) if net_cost <= 0 else (1, net_cost / benefit)


def probability_first(paired: pd.DataFrame, benefit: str) -> pd.Series:
    """Per scenario, the share of replications in which it ranks first (:func:`rank_key`,
    on replication r's own net cost and benefit; an option with no benefit in r cannot rank
    first; ties share the replication). Paired replications carry the same random numbers
    and posterior draw in every option, so this is the probability over both kinds of
    uncertainty that the option is the best buy."""
    wins: dict[str, float] = {s: 0.0 for s in dict.fromkeys(paired["scenario"])}
    reps = list(dict.fromkeys(paired["replication"]))
    for _, g in paired.groupby("replication", sort=False):
        keys = {str(r.scenario): k for r in g.itertuples()
                if (k := rank_key(float(r.net_cost), float(getattr(r, benefit)))) is not None}
        if not keys:
            continue
        best = min(keys.values())
        winners = [s for s, k in keys.items() if k == best]
        for s in winners:
            wins[s] += 1.0 / len(winners)
    return pd.Series({s: w / len(reps) for s, w in wins.items()})


def cost_effectiveness(ts: pd.DataFrame, reference: str, months: Months = 12) -> pd.DataFrame:
    """Return on investment of each costed scenario against the reference (cost_effectiveness.csv).

    From :func:`paired_roi` (per year, over the last ``months`` months, paired by
    replication): each quantity's mean and 95% t interval, the cost per leaver and per
    adverse event avoided (ratio of means, Fieller interval; NaN when the benefit is not
    distinguishable from zero or not positive), and with two options or more the ranking by
    cost per outcome and the probability that each ranks first. Empty when no scenario
    spends on interventions.
    """
    paired = paired_roi(ts, reference, months)
    if paired.empty:
        return pd.DataFrame()
    costed = [s for s, g in paired.groupby("scenario", sort=False) if g["intervention_cost"].mean() > 0]
    paired = paired[paired["scenario"].isin(costed)]
    if paired.empty:
        return pd.DataFrame()
    rows = []
    for scenario, g in paired.groupby("scenario", sort=False):
        row: dict[str, float | str] = {"scenario": scenario, "n": len(g)}
        for col in ("intervention_cost", "agency_saving", "net_cost", "leaver_rate_reduction", "leavers_avoided",
                    "adverse_reduction_per_1000", "adverse_events_avoided"):
            mean, _, lo, hi = t_interval(g[col].to_numpy())
            row.update({col: mean, f"{col}_ci_low": lo, f"{col}_ci_high": hi})
        for benefit, per, short in ROI_OUTCOMES:
            ratio, lo, hi = fieller_interval(g["net_cost"].to_numpy(), g[benefit].to_numpy())
            row.update({per: ratio, f"cost_per_{short}_ci_low": lo, f"cost_per_{short}_ci_high": hi})
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out) >= 2:
        for benefit, _per, short in ROI_OUTCOMES:
            first = probability_first(paired, benefit)
            out[f"p_first_{short}"] = out["scenario"].map(first).astype(float)
            keys = {i: k for i, r in out.iterrows()
                    if (k := rank_key(float(r["net_cost"]), float(r[benefit]))) is not None}
            out[f"rank_{short}"] = pd.array([1 + sum(k < keys[i] for k in keys.values()) if i in keys else pd.NA
                                             for i in out.index], dtype="Int64")
    return out
