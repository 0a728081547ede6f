"""Mechanism 9, culture: psychological safety drifting slowly toward the support the
team's leader gives (faster where staff have leadership development), bullying (a norm of
the team's climate and exhaustion) eroding it, the climate staff feel (safety rescaled to
0-1), and engagement's target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.mechanisms.common import Today
from sim.mechanisms.leaders import leader_support
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.mechanisms.staffing import StaffingDay
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


def climate(psafe: np.ndarray, psafe_min: float, psafe_max: float) -> np.ndarray:
    """The team's compassionate climate, 0-1: its psychological safety rescaled to the
    range leaders pull it over. Staff feel a leader's style through the climate the leader
    builds, so support and bullying follow it with the culture's inertia."""
    span = psafe_max - psafe_min
    if span <= 0.0:
        return np.full_like(np.asarray(psafe, dtype=float), 0.5)
    return np.clip((psafe - psafe_min) / span, 0.0, 1.0)


def bullying_prevalence(effective_compassion: np.ndarray, team_exhaustion: np.ndarray, *,
                        per_year: float, blame_coef: float, exhaustion_coef: float) -> np.ndarray:
    """Share of staff bullied in a year: more under blame and in exhausted teams.

    ``effective_compassion`` is the team's climate (:func:`climate`) in the model: bullying
    is a norm of the team, which changes as slowly as its culture."""
    x = blame_coef * ((1.0 - effective_compassion) - 0.5) + exhaustion_coef * (team_exhaustion - 0.5)
    return np.minimum(1.0, per_year * np.exp(x))


def engagement_target(psafe: np.ndarray, exhaustion: np.ndarray, *, base: float,
                      psafe_coef: float, exhaustion_coef: float) -> np.ndarray:
    return np.clip(base + psafe_coef * (psafe - 0.5) - exhaustion_coef * (exhaustion - 0.5), 0.0, 1.0)


def leader_support_now(model: Model) -> np.ndarray:
    """Per team: the support a leader's effective style gives (weaker while new, half the
    interim's while the post is vacant); it sets the climate the team drifts to."""
    lead = model.leaders
    return leader_support(lead.eff_compassion, lead.present, lead.tenure, model.p.leader_wellbeing.induction_days)


def update_bullying(model: Model, day: StaffingDay) -> None:
    """Bullying prevalence per team: a norm of the team's climate and exhaustion (no draws)."""
    c, teams = model.p.culture, model.teams
    if model.p.mechanisms.bullying:     # bullying_prevalence(climate(...), ...): its exponent compiled
        x = kernels.bullying_logit(teams.psafe, day.exhaustion, c.psafe_min, c.psafe_max, c.bullying_blame_coef,
                                   c.bullying_exhaustion_coef)
        teams.bullying = np.minimum(1.0, c.bullying_per_year * np.exp(x))
    else:
        teams.bullying = np.zeros(model.n_teams)


def daily(model: Model, today: Today) -> None:
    """Bullying, and psychological safety drifting toward the support of the leader's style."""
    p, m, day, teams = model.p, model.p.mechanisms, today.staffing, model.teams
    c = p.culture
    update_bullying(model, day)
    if m.culture_drift:     # psafe_step toward psafe_target(leader_support_now(model)), compiled
        lead = model.leaders
        teams.psafe = kernels.culture_drift(
            teams.psafe, lead.eff_compassion, lead.present, lead.tenure, p.leader_wellbeing.induction_days,
            c.psafe_min, c.psafe_max, c.psafe_timescale_days, day.development_share, c.development_speedup,
            teams.bullying, c.bullying_psafe_erosion)
