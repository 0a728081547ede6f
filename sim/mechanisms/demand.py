"""Mechanism 1, demand: patients admitted to each team as a seasonal, growing (and possibly
shocked) Poisson process, staying a lognormal length of stay.

Admissions are thinned against an upper bound of the rate, and each stay ends in a
discharge; ``sim.beds`` moves every ward's flow on in bulk just before each daily review.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from omegaconf import MISSING

from sim.mechanisms.common import DAYS_PER_YEAR
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.config import Config
    from sim.workforce import WardLayout


@dataclass
class Demand:
    name: str = MISSING
    occupancy: float = p(0.05, 2.0)
    los_mean_days: float = p(0.5, 100.0)
    los_cv: float = p(0.0, 5.0)
    seasonal_amplitude: float = p(0.0, 0.9)
    seasonal_peak_day: int = p(0, 364)
    growth_per_year: float = p(-0.5, 1.0)
    shock_start_month: int = p(0, None)
    shock_months: int = p(0, None)
    shock_multiplier: float = p(0.0, 10.0)
    shock_team_share: float = prob()


class PatientFlow:
    """The constants of the patient flow derived from the live parameters, which every
    candidate arrival reads; rebuilt whenever the schedule may have changed them. Each ward
    has its own base load (beds x occupancy / mean stay) and length-of-stay distribution;
    a ward without its own occupancy or stay (``WardLayout``: NaN) follows the live
    ``demand`` section."""

    def __init__(self, params: Config, wards: WardLayout, n_organisations: int, n_days: int) -> None:
        self.p = params                     # live parameters
        self.wards = wards
        self.n_organisations = n_organisations
        self.n_teams = T = wards.n_teams
        self.n_days = n_days
        d, m = params.demand, params.mechanisms
        self.occupancy = [d.occupancy if math.isnan(x) else float(x) for x in wards.occupancy]
        self.los_mean = [d.los_mean_days if math.isnan(x) else float(x) for x in wards.los_mean_days]
        self.beds = [int(b) for b in wards.beds]
        self.bases = [self.base_admissions(t) for t in range(T)]
        self.base = self.bases[0] if T else 0.0
        self.season = (d.seasonal_amplitude, d.seasonal_peak_day) if m.seasonality else None
        self.growth = 1.0 + d.growth_per_year if m.demand_growth else None
        sizes = wards.sizes(n_organisations)
        local = np.arange(T) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        n_shocked = [self.shocked_teams(int(n)) for n in sizes]
        self.team_shocked = [bool(local[t] < n_shocked[wards.organisation[t]]) for t in range(T)]
        self.n_shocked = sum(self.team_shocked)
        if d.los_cv <= 0:
            self.los: list[tuple[float, float]] | None = None
        else:
            sigma2 = math.log1p(d.los_cv**2)
            self.los = [(math.log(mean) - sigma2 / 2, math.sqrt(sigma2)) for mean in self.los_mean]
        #: each team's own bound, so a shock on some wards leaves the others' arrivals alone
        self.bounds = [self.rate_bound(t, shocked) for t, shocked in enumerate(self.team_shocked)]
        self.bound = max(self.bounds, default=0.0)

    def base_admissions(self, team: int) -> float:
        return self.beds[team] * self.occupancy[team] / self.los_mean[team]

    def level(self, time: float, team: int = 0) -> float:
        """Expected admissions a day of an unshocked team: base load x winter pressure x growth."""
        rate = self.bases[team]
        if self.season is not None:
            amplitude, peak_day = self.season
            rate *= 1.0 + amplitude * math.cos(2 * math.pi * ((time % 365) - peak_day) / 365)
        if self.growth is not None:
            rate *= self.growth ** (time / DAYS_PER_YEAR)
        return rate

    def rate(self, team: int, time: float) -> float:
        """Expected admissions a day of a team: the demand level x its shock."""
        level = self.level(time, team)
        return level * self.shock_multiplier(time) if self.team_shocked[team] else level

    def mean_rate(self, time: float) -> float:
        """Expected admissions a day averaged over the teams (the demand index)."""
        if self.wards.uniform:
            return self.level(time) * self.mean_shock(time)
        return sum(self.rate(t, time) for t in range(self.n_teams)) / max(1, self.n_teams)

    def shocked_teams(self, n_wards: int) -> int:
        """Teams of an organisation of ``n_wards`` wards hit by a demand shock (its first ones)."""
        d = self.p.demand
        return math.ceil(d.shock_team_share * n_wards) if d.shock_months > 0 else 0

    def shock_multiplier(self, time: float) -> float:
        d = self.p.demand
        month = time * 12 / DAYS_PER_YEAR
        return d.shock_multiplier if d.shock_start_month <= month < d.shock_start_month + d.shock_months else 1.0

    def rate_bound(self, team: int, shocked: bool = True) -> float:
        """An upper bound of a team's admission rate over the run (for thinning); of the
        team unshocked with ``shocked=False``."""
        d, m = self.p.demand, self.p.mechanisms
        rate = self.base_admissions(team) * (1.0 + (d.seasonal_amplitude if m.seasonality else 0.0))
        if m.demand_growth and d.growth_per_year > 0:
            rate *= (1.0 + d.growth_per_year) ** (self.n_days / DAYS_PER_YEAR)
        return rate * max(1.0, d.shock_multiplier if shocked and d.shock_months > 0 else 1.0)

    def length_of_stay(self, z: float, team: int = 0) -> float:
        """A lognormal length of stay of a team's patient (its mean stay, CV ``los_cv``)
        from a standard normal draw ``z``."""
        if self.los is None:
            return self.los_mean[team]
        mu, sigma = self.los[team]
        return math.exp(mu + sigma * z)

    def mean_shock(self, time: float) -> float:
        """The shock multiplier averaged over all teams (for the demand index)."""
        shocked, n = self.n_shocked, self.n_teams
        return (shocked * self.shock_multiplier(time) + (n - shocked)) / n if shocked else 1.0

