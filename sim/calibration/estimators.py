"""How the model measures each target: one estimator per kind of evidence.

Every estimator reads one replication of the calibration design (a
:class:`Replication`: each scenario's tidy time series with months counted from the end
of the warm-up, and, when needed, its individual snapshots) and returns one number, so
that the spread over replications is the model's predictive spread. ``window: steady``
is the last 12 months of the outputs; ``all`` every month; ``[a, b]`` months a..b-1.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Months of the steady-state window (the last year of outputs).
STEADY_MONTHS = 12

#: Organisation-level measures derived from the output metrics, month by month (a target
#: may name them like a metric). ``nurses_missing_some_care``: the chance that a nurse with
#: the mean caseload leaves some care undone for at least one of their patients on a
#: shift, ``1 - (1 - missed_care_rate) ** patients_per_nurse`` (Ball et al. 2014 report
#: the share of nurses missing some care on their last shift).
DERIVED_METRICS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "nurses_missing_some_care": lambda org: 1.0 - (1.0 - org["missed_care_rate"]) ** org["patients_per_nurse"],
}


@dataclass
class Replication:
    """One replication of every scenario of the design (common random numbers)."""

    series: Mapping[str, pd.DataFrame]                     # scenario -> tidy frame (month, team, metric, value)
    snapshots: Mapping[str, pd.DataFrame] = field(default_factory=dict)  # scenario -> month, person, burnt_out
    start_month: Mapping[str, int] = field(default_factory=dict)         # scenario -> intervention start (post warm-up)
    _org: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _team: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def org(self, scenario: str) -> pd.DataFrame:
        """Organisation-level metrics, one row per month, one column per metric."""
        if scenario not in self._org:
            ts = self.series[scenario]
            rows = ts[ts["team"].isna()]
            org = rows.pivot_table(index="month", columns="metric", values="value", aggfunc="first")
            for name, derive in DERIVED_METRICS.items():
                if name not in org.columns:
                    with contextlib.suppress(KeyError):      # a design without the inputs of this measure
                        org[name] = derive(org)
            self._org[scenario] = org
        return self._org[scenario]

    def teams(self, scenario: str) -> pd.DataFrame:
        """Per-team metrics, one row per team-month (index month, team)."""
        if scenario not in self._team:
            ts = self.series[scenario]
            rows = ts[ts["team"].notna()]
            self._team[scenario] = rows.pivot_table(index=["month", "team"], columns="metric", values="value",
                                                    aggfunc="first")
        return self._team[scenario]


def window_months(window: Any, months: pd.Index) -> np.ndarray:
    """The months of a window among the months a scenario has."""
    m = np.asarray(sorted(set(months)))
    if window == "steady":
        return m[m > m.max() - STEADY_MONTHS]
    if window == "all":
        return m
    lo, hi = window
    return m[(m >= lo) & (m < hi)]


def _series(rep: Replication, scenario: str, metric: str) -> pd.Series:
    org = rep.org(scenario)
    if metric not in org.columns:
        raise KeyError(f"metric '{metric}' is not in the outputs of scenario '{scenario}'")
    return org[metric]


def _window_mean(rep: Replication, scenario: str, metric: str, window: Any) -> float:
    s = _series(rep, scenario, metric)
    return float(s.loc[window_months(window, s.index)].mean())


def mean(rep: Replication, *, metric: str, scenario: str, window: Any = "steady") -> float:
    """Mean of an organisation-level metric over the window."""
    return _window_mean(rep, scenario, metric, window)


def difference(rep: Replication, *, metric: str, scenario: str, minus: str, window: Any = "steady") -> float:
    """Window mean of ``scenario`` minus that of ``minus`` (e.g. blame - compassionate)."""
    return _window_mean(rep, scenario, metric, window) - _window_mean(rep, minus, metric, window)


def ratio_of_means(rep: Replication, *, metric: str, scenario: str, minus: str, window: Any = "steady") -> float:
    """Window mean of ``scenario`` over that of ``minus`` (nan when the latter is 0)."""
    den = _window_mean(rep, minus, metric, window)
    return _window_mean(rep, scenario, metric, window) / den if den != 0 else math.nan


def team_percentile_ratio(rep: Replication, *, metric: str, scenario: str, q_low: float, q_high: float,
                          window: Any = "steady") -> float:
    """Quantile ``q_high`` over quantile ``q_low`` (0-1) of the per-team team-month values
    (e.g. worst-to-best wards: 0.9 over 0.1); nan when the low quantile is 0."""
    teams = rep.teams(scenario)
    months = window_months(window, teams.index.get_level_values("month"))
    values = teams.loc[teams.index.get_level_values("month").isin(months), metric].dropna().to_numpy()
    if not len(values):
        return math.nan
    lo, hi = np.quantile(values, [q_low, q_high])
    return float(hi / lo) if lo > 0 else math.nan


def logistic_slope(x: np.ndarray, successes: np.ndarray, trials: np.ndarray, iterations: int = 50) -> float:
    """Slope of a binomial logistic regression of ``successes / trials`` on ``x`` (IRLS,
    non-integer counts allowed: a quasi-binomial fit of rates with their denominators)."""
    ok = trials > 0
    x, k, n = x[ok], successes[ok], trials[ok]
    if len(x) < 2 or np.ptp(x) == 0:
        return math.nan
    X = np.column_stack([np.ones_like(x), x])
    y = k / n
    p0 = np.clip(y.mean() if y.mean() > 0 else 1e-6, 1e-9, 1 - 1e-9)
    beta = np.array([math.log(p0 / (1 - p0)), 0.0])
    for _ in range(iterations):
        eta = X @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        w = n * p * (1 - p)
        if not np.all(np.isfinite(w)) or w.sum() <= 0:
            return math.nan
        z = eta + (y - p) / np.maximum(p * (1 - p), 1e-12)
        XtW = X.T * w
        try:
            new = np.linalg.solve(XtW @ X, XtW @ z)
        except np.linalg.LinAlgError:
            return math.nan
        if np.max(np.abs(new - beta)) < 1e-10:
            beta = new
            break
        beta = new
    return float(beta[1])


#: Per-team count behind each rate the dose-response can use: (denominator metric, scale of the rate).
DOSE_RESPONSE_METRICS: dict[str, tuple[str, float]] = {
    "burnout_prevalence": ("staff_in_post", 1.0),
    "adverse_events_per_1000": ("patient_days", 1000.0),
}


def dose_response_odds_ratio(rep: Replication, *, metric: str, scenario: str, window: Any = "steady") -> float:
    """Odds ratio of the outcome (burnout or an adverse event) per extra patient per RN
    across team-months: a binomial fit of team counts (rate x denominator) on patients
    per RN, as in the cross-sectional nurse-staffing studies (ecological here)."""
    denominator, scale = DOSE_RESPONSE_METRICS[metric]
    teams = rep.teams(scenario)
    months = window_months(window, teams.index.get_level_values("month"))
    rows = teams[teams.index.get_level_values("month").isin(months)][[metric, "patients_per_nurse", denominator]].dropna()
    n = rows[denominator].to_numpy(dtype=float)
    k = rows[metric].to_numpy(dtype=float) / scale * n
    return math.exp(logistic_slope(rows["patients_per_nurse"].to_numpy(dtype=float), k, n))


def individual_persistence(rep: Replication, *, scenario: str, lag_months: int, window: Any = "all") -> float:
    """Share of staff burnt out at a snapshot who are still burnt out ``lag_months`` later,
    among those still in post then (pooled over every pair of snapshots in the window).

    ``burnt_out`` is each person's chance of reporting burnout (the model's soft step; 0/1
    when ``exhaustion.burnout_softness=0``), so the share is ``sum(w_then x w_later) /
    sum(w_then)`` over the pairs (reports independent given exhaustion); with 0/1 values it
    is the plain share."""
    snaps = rep.snapshots.get(scenario)
    if snaps is None or snaps.empty:
        raise KeyError(f"scenario '{scenario}' has no individual snapshots (the design records them when a "
                       "target needs them)")
    months = window_months(window, pd.Index(snaps["month"]))
    first = snaps[snaps["month"].isin(months)][["month", "person", "burnt_out"]]
    later = snaps[["month", "person", "burnt_out"]].assign(month=snaps["month"] - lag_months)
    pairs = first.merge(later, on=["month", "person"], how="inner", suffixes=("_then", "_later"))
    w_then = pairs["burnt_out_then"].to_numpy(dtype=float)
    total = w_then.sum()
    return float((w_then * pairs["burnt_out_later"].to_numpy(dtype=float)).sum() / total) if total > 0 else math.nan


def time_to_half(rep: Replication, *, metric: str, scenario: str, reference: str | None = None,
                 smooth_months: int = 3) -> float:
    """Months from the intervention's start until its effect on ``metric`` (``scenario``
    minus ``reference``, month by month; without a reference, change from the start
    month) first reaches half of its final effect (mean of the last 12 months), on a
    ``smooth_months`` rolling mean. Censored at the months observed if never reached."""
    start = int(rep.start_month.get(scenario, 0))
    s = _series(rep, scenario, metric)
    effect = s - _series(rep, reference, metric).reindex(s.index) if reference else s - float(s.loc[start])
    effect = effect.loc[effect.index >= start]
    final = float(effect.iloc[-STEADY_MONTHS:].mean())
    smoothed = effect.rolling(smooth_months, min_periods=1).mean().to_numpy()
    if final == 0 or not len(smoothed):
        return math.nan
    reached = np.flatnonzero(smoothed / final >= 0.5)
    return float(reached[0]) if len(reached) else float(len(smoothed))


def start_jump(rep: Replication, *, metric: str, scenario: str) -> float:
    """|month 3 - month 0| of an organisation-level metric: a scenario that starts from
    its own steady state does not move in its first months without a cause."""
    s = _series(rep, scenario, metric)
    return abs(float(s.loc[3]) - float(s.loc[0]))


#: Estimator name -> (function, required keys, optional keys) of a target's ``measure``.
ESTIMATORS: dict[str, tuple[Callable[..., float], tuple[str, ...], tuple[str, ...]]] = {
    "mean": (mean, ("metric", "scenario", "window"), ()),
    "difference": (difference, ("metric", "scenario", "minus", "window"), ()),
    "ratio_of_means": (ratio_of_means, ("metric", "scenario", "minus", "window"), ()),
    "team_percentile_ratio": (team_percentile_ratio, ("metric", "scenario", "q_low", "q_high", "window"), ()),
    "dose_response_odds_ratio": (dose_response_odds_ratio, ("metric", "scenario", "window"), ()),
    "individual_persistence": (individual_persistence, ("scenario", "lag_months"), ("window",)),
    "time_to_half": (time_to_half, ("metric", "scenario"), ("reference", "smooth_months")),
    "start_jump": (start_jump, ("metric", "scenario"), ()),
}


def measure(rep: Replication, spec: Mapping[str, Any]) -> float:
    """Apply a target's ``measure`` (estimator name and its keys) to one replication."""
    func = ESTIMATORS[spec["estimator"]][0]
    return func(rep, **{k: v for k, v in spec.items() if k != "estimator"})
