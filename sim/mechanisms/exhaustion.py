"""Mechanism 3, exhaustion: each person's exhaustion rises with workload above the safe
level, bullying and burnt-out colleagues, and falls faster with a compassionate leader's
support and peer support; engagement follows psychological safety and exhaustion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.common import Today, exhaustion_step
from sim.mechanisms.culture import engagement_target
from sim.mechanisms.leaders import leader_support
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model

__all__ = ["Exhaustion", "daily", "exhaustion_step", "relative_overload"]


@dataclass
class Exhaustion:
    burnout_threshold: float = prob()
    base_stress: float = p(0.0, None)
    workload_stress: float = p(0.0, None)
    bullying_stress: float = p(0.0, None)
    contagion_stress: float = p(0.0, None)
    blame_shock: float = prob()
    recovery_rate: float = p(0.0, 1.0)
    leader_support_recovery: float = p(0.0, None)
    peer_support_recovery: float = p(0.0, None)
    peer_support_share: float = prob()
    susceptibility_sd: float = p(0.0, 3.0)
    noise_sd: float = p(0.0, 1.0)
    initial_mean: float = prob()


def relative_overload(patients_per_rn: np.ndarray, safe_patients_per_rn: float) -> np.ndarray:
    """Workload above the safe level, as a share of the safe level (0 when safe)."""
    return np.maximum(0.0, patients_per_rn / safe_patients_per_rn - 1.0)


def daily(model: Model, today: Today) -> None:
    """Each person's exhaustion (stress from workload, bullying and burnt-out colleagues;
    recovery helped by the leader and peer support), then engagement."""
    p, m, s, day = model.p, model.p.mechanisms, model.staff, today.staffing
    teams, leaders = model.teams, model.leaders
    act, team, E = day.active, s.team, s.exhaustion
    e = p.exhaustion
    noise = e.noise_sd * model.rng.exhaustion_noise.normals(model.day, s.capacity)     # by post slot
    if m.exhaustion:
        stress_t = (e.base_stress + e.workload_stress * relative_overload(day.patients_per_rn,
                                                                          p.staffing.safe_patients_per_rn)
                    + e.bullying_stress * teams.bullying)
        if m.contagion:
            stress_t = stress_t + e.contagion_stress * day.burnt_share
        support = leader_support(leaders.eff_compassion, leaders.present, leaders.tenure,
                                 p.leader_wellbeing.induction_days)
        peer = (s.peer_u < e.peer_support_share) if m.peer_support else np.zeros(s.capacity, dtype=bool)
        recovery = e.recovery_rate * (1.0 + e.leader_support_recovery * support[team] + e.peer_support_recovery * peer)
        new_E = exhaustion_step(E, s.susceptibility * stress_t[team], recovery, noise)
        s.exhaustion = np.where(act, new_E, E)
    c = p.culture
    eng_target = engagement_target(teams.psafe[team], s.exhaustion, base=c.engagement_base,
                                   psafe_coef=c.engagement_psafe_coef, exhaustion_coef=c.engagement_exhaustion_coef)
    s.engagement = np.where(act, s.engagement + (eng_target - s.engagement) / c.engagement_timescale_days, s.engagement)
