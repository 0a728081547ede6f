"""Mechanism 9, culture: psychological safety drifting slowly toward the style of the
team's leader (faster where staff have leadership development), bullying (more under
blame and in exhausted teams) eroding it, and engagement's target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.common import Today
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Culture:
    psafe_min: float = prob()
    psafe_max: float = prob()
    psafe_timescale_days: float = p(1.0, 3650.0)
    development_speedup: float = p(0.0, 20.0)
    bullying_per_year: float = prob()
    bullying_blame_coef: float = p(0.0, 20.0)
    bullying_exhaustion_coef: float = p(0.0, 20.0)
    bullying_psafe_erosion: float = p(0.0, 1.0)
    engagement_base: float = prob()
    engagement_psafe_coef: float = p(0.0, 5.0)
    engagement_exhaustion_coef: float = p(0.0, 5.0)
    engagement_timescale_days: float = p(1.0, 3650.0)


def psafe_target(effective_compassion: np.ndarray, psafe_min: float, psafe_max: float) -> np.ndarray:
    """The psychological safety a leader's effective style pulls the team toward."""
    return psafe_min + (psafe_max - psafe_min) * effective_compassion


def psafe_step(psafe: np.ndarray, target: np.ndarray, timescale_days: float,
               development_share: np.ndarray, development_speedup: float,
               bullying: np.ndarray, erosion: float) -> np.ndarray:
    """Drift toward the target with inertia; staff with leadership development speed
    improvement (not decline); bullying erodes safety."""
    rate = np.where(target > psafe, 1.0 + development_speedup * development_share, 1.0) / timescale_days
    rate = np.minimum(rate, 1.0)
    return np.clip(psafe + rate * (target - psafe) - erosion * bullying, 0.0, 1.0)


def bullying_prevalence(effective_compassion: np.ndarray, team_exhaustion: np.ndarray, *,
                        per_year: float, blame_coef: float, exhaustion_coef: float) -> np.ndarray:
    """Share of staff bullied in a year: more under blame and in exhausted teams."""
    x = blame_coef * ((1.0 - effective_compassion) - 0.5) + exhaustion_coef * (team_exhaustion - 0.5)
    return np.minimum(1.0, per_year * np.exp(x))


def engagement_target(psafe: np.ndarray, exhaustion: np.ndarray, *, base: float,
                      psafe_coef: float, exhaustion_coef: float) -> np.ndarray:
    return np.clip(base + psafe_coef * (psafe - 0.5) - exhaustion_coef * (exhaustion - 0.5), 0.0, 1.0)


def daily(model: Model, today: Today) -> None:
    """Bullying, and psychological safety drifting toward the leader's style."""
    p, m, day, teams = model.p, model.p.mechanisms, today.staffing, model.teams
    eff_compassion = model.leaders.eff_compassion
    c = p.culture
    if m.bullying:
        teams.bullying = bullying_prevalence(
            eff_compassion, day.exhaustion, per_year=c.bullying_per_year, blame_coef=c.bullying_blame_coef,
            exhaustion_coef=c.bullying_exhaustion_coef)
    else:
        teams.bullying = np.zeros(model.n_teams)
    if m.culture_drift:
        target = psafe_target(eff_compassion, c.psafe_min, c.psafe_max)
        teams.psafe = psafe_step(teams.psafe, target, c.psafe_timescale_days, day.development_share,
                                 c.development_speedup, teams.bullying, c.bullying_psafe_erosion)
