"""Derive cross-trust spreads of staff-survey burnout from NHS Staff Survey trust results.

Why: the calibration targets in ``conf/targets/england.yaml`` bound the *differences*
between trusts (the leadership presets), and NHS England publishes trust results but no
percentiles of them. This script recomputes every derived number quoted in
``docs/evidence.md`` from the public file, so anyone can check them.

Input: the file ``Data files/data_trusts_well-being - organisational results.csv`` of the
public GitHub repository ``ebmgt/NHS-Gender`` (commit e042fd3284271345f645734d769cd57bb17748ad,
about 1 MB, not shipped here). It merges NHS Staff Survey organisational results 2021-2024
(nhsstaffsurveys.com results archive). Columns used (each a % of respondents):

* ``Burned_out_rate``: Q12b "How often, if at all, do you feel burnt out because of your
  work?" answered "often" or "always".
* ``Emotional_manager_rate``: Q14b harassment, bullying or abuse from managers in the last
  12 months (100 % minus "never").
* ``Enough_staff_rate``: Q3i "There are enough staff at this organisation for me to do my
  job properly" (agree or strongly agree).

Second, optional input: ``files/data (csv and rda)/data.NHS.2012_2019.csv`` of the public
GitHub repository ``ebmgt/NHS-wellbeing`` (commit a164806e0be85275387b10fbcce5f5de7064d118,
210 kB, not shipped): NHS Staff Survey trust indicators 2012-2019 merged with SHMI. Trusts
with a SHMI value are the non-specialist acute trusts. Columns used:

* ``Engagement.Index``: the survey's overall staff engagement score (1-5), the culture
  measure of West & Dawson (2012) and of the King's Fund analysis for NHS England (2018).
* ``WorkStress.Index``: share of staff who felt unwell as a result of work-related stress
  in the last 12 months (the survey's closest item to burnout before 2021).

Usage: ``python docs/evidence/derive_staff_survey.py WELLBEING_2021_24_CSV [ENGAGEMENT_2012_19_CSV]``
(prints the tables; ``docs/evidence/staff_survey_derived.txt`` holds the output of the
committed version).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

ACUTE = "Acute and Acute & Community Trusts"
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)


def load(path: str) -> pd.DataFrame:
    """Acute (and acute & community) trusts, occupation-group weighted results only."""
    d = pd.read_csv(path)
    d = d[(d["Benchmarking group"] == ACUTE) & (d["Weighting"] == "Occupation Group")]
    return d[["ODS code", "Year", "Organisation name", "Burned_out_rate",
              "Emotional_manager_rate", "Enough_staff_rate"]].copy()


def spread(d: pd.DataFrame, column: str) -> pd.DataFrame:
    """Percentiles across trusts, per survey year (percentage points)."""
    g = d.groupby("Year")[column]
    out = g.quantile(list(QUANTILES)).unstack()
    out.columns = [f"p{int(q * 100)}" for q in QUANTILES]
    out.insert(0, "n", g.size())
    out["min"], out["max"], out["sd"] = g.min(), g.max(), g.std()
    return out.round(2)


def persistence(d: pd.DataFrame, column: str) -> pd.DataFrame:
    """Correlation of a trust's value with its own value k years later, per pair of survey
    years, and the SD across trusts of the change net of the national change."""
    wide = d.pivot_table(index="ODS code", columns="Year", values=column)
    years = sorted(wide.columns)
    rows = []
    for lag in (1, 2, 3):
        for a in years:
            b = a + lag
            if b not in years:
                continue
            x = wide[[a, b]].dropna()
            change = x[b] - x[a]
            rows.append({"from": a, "to": b, "lag_years": lag, "trusts": len(x),
                         "r": round(x[a].corr(x[b]), 3), "sd_change": round(change.std(), 2),
                         "mean_change": round(change.mean(), 2)})
    return pd.DataFrame(rows)


def culture_gradient(d: pd.DataFrame) -> pd.DataFrame:
    """Burnout of trusts at the 10th/50th/90th percentile of manager bullying, per year.

    Two estimates: (a) mean burnout of trusts in the bottom and top decile (and middle
    40-60 % band) of manager bullying; (b) the least-squares line of burnout on manager
    bullying evaluated at the 10th, 50th and 90th percentile of manager bullying.
    """
    rows = []
    for year, g in d.dropna(subset=["Emotional_manager_rate", "Burned_out_rate"]).groupby("Year"):
        x, y = g["Emotional_manager_rate"], g["Burned_out_rate"]
        q10, q50, q90 = x.quantile([0.1, 0.5, 0.9])
        slope, intercept = np.polyfit(x, y, 1)
        rows.append({
            "year": year, "n": len(g), "r": round(x.corr(y), 3),
            "bullying_p10": round(q10, 2), "bullying_p50": round(q50, 2), "bullying_p90": round(q90, 2),
            "burnout_bottom_decile": round(y[x <= q10].mean(), 2),
            "burnout_middle_band": round(y[(x >= x.quantile(0.4)) & (x <= x.quantile(0.6))].mean(), 2),
            "burnout_top_decile": round(y[x >= q90].mean(), 2),
            "line_at_p10": round(intercept + slope * q10, 2),
            "line_at_p50": round(intercept + slope * q50, 2),
            "line_at_p90": round(intercept + slope * q90, 2),
            "slope_per_point": round(slope, 3),
        })
    return pd.DataFrame(rows)


def engagement_tables(path: str) -> None:
    """Pre-pandemic check with the engagement score: work stress by engagement decile and
    how long a trust's engagement stays where it is (lags of 1-7 years)."""
    d = pd.read_csv(path).dropna(subset=["SHMI.Index"])
    rows = []
    for year, g in d.dropna(subset=["Engagement.Index", "WorkStress.Index"]).groupby("Year.Index"):
        e, w = g["Engagement.Index"], g["WorkStress.Index"] * 100
        q10, q40, q60, q90 = e.quantile([0.1, 0.4, 0.6, 0.9])
        rows.append({"year": year, "trusts": len(g), "r": round(e.corr(w), 2),
                     "engagement_p10": round(q10, 2), "engagement_p50": round(e.median(), 2),
                     "engagement_p90": round(q90, 2),
                     "stress_low_engagement_decile": round(w[e <= q10].mean(), 1),
                     "stress_middle_band": round(w[(e >= q40) & (e <= q60)].mean(), 1),
                     "stress_high_engagement_decile": round(w[e >= q90].mean(), 1),
                     "stress_p10": round(w.quantile(0.1), 1), "stress_p90": round(w.quantile(0.9), 1)})
    t = pd.DataFrame(rows)
    t["gap_low_minus_high"] = (t["stress_low_engagement_decile"] - t["stress_high_engagement_decile"]).round(1)
    print("Work-related stress (% felt unwell) by engagement decile, acute trusts 2012-2019:\n",
          t.to_string(index=False), "\n")
    for column in ("Engagement.Index", "WorkStress.Index"):
        wide = d.pivot_table(index="Code", columns="Year.Index", values=column)
        years = sorted(wide.columns)
        lag_rows = []
        for lag in range(1, len(years)):
            rs = [wide[[a, a + lag]].dropna().corr().iloc[0, 1] for a in years if a + lag in years]
            lag_rows.append({"lag_years": lag, "pairs_of_years": len(rs), "r_min": round(min(rs), 2),
                             "r_max": round(max(rs), 2), "r_mean": round(float(np.mean(rs)), 2)})
        print(f"Persistence of a trust's {column}, 2012-2019:\n", pd.DataFrame(lag_rows).to_string(index=False), "\n")


def main(path: str) -> None:
    d = load(path)
    pd.set_option("display.width", 200)
    print(f"Acute and acute & community trusts, occupation-weighted; rows: {len(d)}\n")
    print("Burnout (Q12b often/always, %) across trusts:\n", spread(d, "Burned_out_rate"), "\n")
    print("Manager bullying (Q14b, % ever in 12 months) across trusts:\n", spread(d, "Emotional_manager_rate"), "\n")
    print("Enough staff (Q3i, % agree) across trusts:\n", spread(d, "Enough_staff_rate"), "\n")
    print("Persistence of a trust's burnout:\n", persistence(d, "Burned_out_rate").to_string(index=False), "\n")
    print("Persistence of a trust's manager bullying:\n",
          persistence(d, "Emotional_manager_rate").to_string(index=False), "\n")
    corr = d.groupby("Year")[["Burned_out_rate", "Enough_staff_rate", "Emotional_manager_rate"]].corr()
    print("Correlations across trusts, per year:\n", corr.round(3).to_string(), "\n")
    print("Burnout by manager-bullying percentile:\n", culture_gradient(d).to_string(index=False))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python docs/evidence/derive_staff_survey.py WELLBEING_2021_24_CSV [ENGAGEMENT_2012_19_CSV]")
    main(sys.argv[1])
    if len(sys.argv) == 3:
        print()
        engagement_tables(sys.argv[2])
