"""Mechanism 1, demand: patients admitted to each team as a seasonal, growing (and possibly
shocked) Poisson process, staying a lognormal length of stay.

Admissions are thinned against an upper bound of the rate, and each stay ends in a
discharge; ``sim.beds`` moves every ward's flow on in bulk just before each daily review.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from omegaconf import MISSING

from sim.mechanisms.common import DAYS_PER_YEAR
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.config import Config


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
    candidate arrival reads; rebuilt whenever the schedule may have changed them."""

    def __init__(self, params: Config, beds_per_team: int, teams_per_organisation: int, n_teams: int, n_days: int) -> None:
        self.p = params                     # live parameters
        self.beds_per_team = beds_per_team
        self.teams_per_organisation = teams_per_organisation
        self.n_days = n_days
        d, m = params.demand, params.mechanisms
        self.base = self.base_admissions()
        self.season = (d.seasonal_amplitude, d.seasonal_peak_day) if m.seasonality else None
        self.growth = 1.0 + d.growth_per_year if m.demand_growth else None
        n_shocked = self.shocked_teams()
        self.team_shocked = [t % teams_per_organisation < n_shocked for t in range(n_teams)]
        if d.los_cv <= 0:
            self.los: tuple[float, float] | None = None
        else:
            sigma2 = math.log1p(d.los_cv**2)
            self.los = (math.log(d.los_mean_days) - sigma2 / 2, math.sqrt(sigma2))
        self.bound = self.rate_bound()
        unshocked = self.rate_bound(shocked=False)
        #: each team's own bound, so a shock on some wards leaves the others' arrivals alone
        self.bounds = [self.bound if shocked else unshocked for shocked in self.team_shocked]

    def base_admissions(self) -> float:
        d = self.p.demand
        return self.beds_per_team * d.occupancy / d.los_mean_days

    def level(self, time: float) -> float:
        """Expected admissions a day of an unshocked team: base load x winter pressure x growth."""
        rate = self.base
        if self.season is not None:
            amplitude, peak_day = self.season
            rate *= 1.0 + amplitude * math.cos(2 * math.pi * ((time % 365) - peak_day) / 365)
        if self.growth is not None:
            rate *= self.growth ** (time / DAYS_PER_YEAR)
        return rate

    def rate(self, team: int, time: float) -> float:
        """Expected admissions a day of a team: the demand level x its shock."""
        level = self.level(time)
        return level * self.shock_multiplier(time) if self.team_shocked[team] else level

    def shocked_teams(self) -> int:
        """Teams of each organisation hit by a demand shock (its first ones)."""
        d = self.p.demand
        return math.ceil(d.shock_team_share * self.teams_per_organisation) if d.shock_months > 0 else 0

    def shock_multiplier(self, time: float) -> float:
        d = self.p.demand
        month = time * 12 / DAYS_PER_YEAR
        return d.shock_multiplier if d.shock_start_month <= month < d.shock_start_month + d.shock_months else 1.0

    def rate_bound(self, shocked: bool = True) -> float:
        """An upper bound of every team's admission rate over the run (for thinning); of an
        unshocked team's with ``shocked=False``."""
        d, m = self.p.demand, self.p.mechanisms
        rate = self.base_admissions() * (1.0 + (d.seasonal_amplitude if m.seasonality else 0.0))
        if m.demand_growth and d.growth_per_year > 0:
            rate *= (1.0 + d.growth_per_year) ** (self.n_days / DAYS_PER_YEAR)
        return rate * max(1.0, d.shock_multiplier if shocked and d.shock_months > 0 else 1.0)

    def length_of_stay(self, z: float) -> float:
        """A lognormal length of stay (mean ``los_mean_days``, CV ``los_cv``) from a standard
        normal draw ``z``."""
        if self.los is None:
            return self.p.demand.los_mean_days
        mu, sigma = self.los
        return math.exp(mu + sigma * z)

    def mean_shock(self, time: float, n_organisations: int, n_teams: int) -> float:
        """The shock multiplier averaged over all teams (for the demand index)."""
        shocked = self.shocked_teams() * n_organisations
        return (shocked * self.shock_multiplier(time) + (n_teams - shocked)) / n_teams if shocked else 1.0
