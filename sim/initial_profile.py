"""The workforce in post at the start, drawn from the model's own stationary profile.

Staff who stay long are not a random sample of those hired: the more susceptible to
stress burn out and resign sooner, and everyone ages toward retirement. A workforce drawn
like new starters (every susceptibility equally likely) with arbitrary ages and tenures
therefore drifts for decades, as survivors are selected and the age structure settles,
longer than any affordable warm-up (docs/model.md, "Time", "Equilibrium start").

Under constant hazards, a post-holder seen at a random moment of a stationary workforce
has attributes x (susceptibility, hiring age) with density proportional to
``f(x) x E[time in post | x]`` (the inspection paradox of renewal theory), and time in
post tau given x with density proportional to the survival ``S(tau | x)``. These
functions give both, for resignation hazards set by the equilibrium exhaustion each
susceptibility settles at, plus retirement from ``retirement_age`` and leaving at
``max_age``. They are deterministic transforms of the uniforms the start already reads
(inverse CDFs on grids), so no random stream changes position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TENURE_STEP = 0.05          # years: resolution of the time-in-post grid
HIRE_AGE_POINTS = 24        # grid points over the hiring-age range


@dataclass(frozen=True)
class LeavingHazards:
    """What ends a spell in post: resignations (annual rate, x multiplier in the first
    ``new_starter_years``), retirements from ``retirement_age`` and leaving at ``max_age``
    (both only when ``retirement`` is on)."""

    new_starter_multiplier: float
    new_starter_years: float
    retirement_age: float
    retirements_per_year: float
    max_age: float
    retirement: bool


def survival(rate: np.ndarray, hire_age: np.ndarray, tenure: np.ndarray, hz: LeavingHazards) -> np.ndarray:
    """Probability of still being in post ``tenure`` years after hiring at ``hire_age``
    under an annual resignation ``rate`` (arrays broadcast)."""
    first = np.minimum(tenure, hz.new_starter_years)
    log_s = -rate * (hz.new_starter_multiplier * first + (tenure - first))
    if hz.retirement:
        age = hire_age + tenure
        log_s = log_s - hz.retirements_per_year * (np.maximum(0.0, age - hz.retirement_age)
                                                   - np.maximum(0.0, hire_age - hz.retirement_age))
        return np.where(age < hz.max_age, np.exp(log_s), 0.0)
    return np.exp(log_s + 0.0 * hire_age)          # the full broadcast shape


class SpellTable:
    """Stationary (hiring age, tenure) distributions on a grid of resignation rates.

    Rows: log-spaced annual resignation rates; for each, the marginal of the hiring age
    (uniform hiring ages weighted by the expected time in post) and, given the hiring age,
    the tenure's density, proportional to the survival."""

    def __init__(self, rates: np.ndarray, age_min: float, age_max: float, hz: LeavingHazards) -> None:
        lo = max(float(np.min(rates)), 1e-4)
        hi = max(float(np.max(rates)), lo * 1.0001)
        self.log_rates = np.linspace(np.log(lo), np.log(hi), 48)
        n_age = HIRE_AGE_POINTS if age_max > age_min else 1
        self.ages = age_min + (age_max - age_min) * (np.arange(n_age) + 0.5) / n_age
        horizon = max(hz.max_age - age_min, 1.0) if hz.retirement else 60.0
        self.edges = np.arange(0.0, horizon + TENURE_STEP, TENURE_STEP)
        mid = 0.5 * (self.edges[1:] + self.edges[:-1])
        s = survival(np.exp(self.log_rates)[:, None, None], self.ages[None, :, None], mid[None, None, :], hz)
        mass = s * TENURE_STEP                                          # (rate, age, tenure cell)
        self.duration = mass.sum(axis=2)                                # expected time in post
        total = self.duration.sum(axis=1, keepdims=True)
        self.age_cdf = np.cumsum(self.duration, axis=1) / np.where(total > 0, total, 1.0)
        self.tenure_cdf = np.cumsum(mass, axis=2) / np.where(self.duration > 0, self.duration, 1.0)[:, :, None]

    def row(self, rate: np.ndarray) -> np.ndarray:
        """The grid row of each annual resignation rate (nearest on the log scale)."""
        x = np.log(np.maximum(np.asarray(rate, dtype=float), 1e-12))
        step = self.log_rates[1] - self.log_rates[0]
        return np.clip(np.rint((x - self.log_rates[0]) / step), 0, len(self.log_rates) - 1).astype(np.int64)

    def expected_duration(self, rate: np.ndarray) -> np.ndarray:
        """Mean time in post of a hire (averaged over hiring ages) at each resignation rate."""
        return self.duration[self.row(rate)].mean(axis=1)

    def draw(self, rate: np.ndarray, u_age: np.ndarray, u_tenure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Age and tenure of staff in post with these resignation rates, by inverse CDF of
        two uniforms each (hiring age first, then tenure given it)."""
        r = self.row(rate)
        n_age = len(self.ages)
        k = np.minimum((self.age_cdf[r] < u_age[:, None]).sum(axis=1), n_age - 1)
        width = (self.ages[-1] - self.ages[0]) / max(n_age - 1, 1) if n_age > 1 else 0.0
        lo_cdf = np.where(k > 0, self.age_cdf[r, np.maximum(k - 1, 0)], 0.0)
        cell = self.age_cdf[r, k] - lo_cdf
        frac = np.where(cell > 0, (u_age - lo_cdf) / np.where(cell > 0, cell, 1.0), 0.5)
        hire_age = self.ages[k] + (np.clip(frac, 0.0, 1.0) - 0.5) * width
        cdf = self.tenure_cdf[r, k]                                     # (staff, tenure cells)
        j = (cdf < u_tenure[:, None]).sum(axis=1)
        j = np.minimum(j, len(self.edges) - 2)
        prev = np.where(j > 0, cdf[np.arange(len(j)), np.maximum(j - 1, 0)], 0.0)
        step = cdf[np.arange(len(j)), j] - prev
        within = np.where(step > 0, (u_tenure - prev) / np.where(step > 0, step, 1.0), 0.0)
        tenure = np.where(self.duration[r, k] > 0, self.edges[j] + np.clip(within, 0.0, 1.0) * TENURE_STEP, 0.0)
        return hire_age + tenure, tenure


def stationary_quantiles(u: np.ndarray, weight_of_u: np.ndarray) -> np.ndarray:
    """Map uniforms ``u`` to the quantiles of a distribution reweighted by
    ``weight_of_u`` (weights at the midpoints of equal cells of the original uniform):
    the result's density is proportional to the weight. Monotone in ``u``."""
    n = len(weight_of_u)
    grid = np.linspace(0.0, 1.0, n + 1)
    cdf = np.concatenate([[0.0], np.cumsum(weight_of_u)])
    if cdf[-1] <= 0:
        return u
    return np.interp(u, cdf / cdf[-1], grid)
