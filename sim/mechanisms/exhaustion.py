"""Mechanism 3, exhaustion: each person's exhaustion rises with workload (the base stress
times a log-linear workload factor), bullying and burnt-out colleagues, and falls faster in
a compassionate team climate and with peer support; engagement follows psychological
safety and exhaustion. Burnout is a soft (logistic) step in exhaustion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.mechanisms.common import Today, exhaustion_step, expit
from sim.mechanisms.culture import climate
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.mechanisms.staffing import StaffingDay
    from sim.model import Model

__all__ = ["Exhaustion", "burnout_weight", "daily", "exhaustion_equilibrium", "exhaustion_rates", "exhaustion_step",
           "relative_overload", "team_rates", "workload_factor"]


@dataclass
class Exhaustion:
    burnout_threshold: float = prob()
    burnout_softness: float = p(0.0, 1.0)
    base_stress: float = p(0.0, None)
    workload_elasticity: float = p(0.0, 10.0)
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


def workload_factor(patients_per_rn: np.ndarray, safe_patients_per_rn: float, elasticity: float) -> np.ndarray:
    """Multiplier of the job's base stress from workload: ``(ppn / safe) ** elasticity``.

    Continuous and log-linear (no kink at the safe level), because burnout rises with
    patients per nurse across the whole observed range (Aiken et al. 2002: odds x1.23 per
    extra patient), and proportional to the base stress, so that the workload response
    cannot outgrow the ordinary job's stress the way an additive overload term did."""
    ppn = np.maximum(np.asarray(patients_per_rn, dtype=float), 1e-9)
    return (ppn / safe_patients_per_rn) ** elasticity


def exhaustion_equilibrium(stress: np.ndarray, recovery: np.ndarray) -> np.ndarray:
    """The level at which :func:`exhaustion_step` settles with constant inputs (no noise)."""
    total = stress + recovery
    return np.divide(stress, total, out=np.zeros_like(total, dtype=float), where=total > 0)


def burnout_weight(exhaustion: np.ndarray, threshold: float, softness: float) -> np.ndarray:
    """How far each person counts as burnt out: a logistic step at ``threshold`` of width
    ``softness`` (0 = the hard threshold, 1 above it, 0 at or below).

    The staff-survey measure is a self-report of how *often* one feels burnt out, so the
    chance of reporting it rises smoothly with exhaustion rather than jumping at one level;
    the smooth step also keeps the prevalence from swinging when many staff sit near the
    threshold. The model's ``burnout_prevalence`` and the individual tables both use it."""
    e = np.asarray(exhaustion, dtype=float)
    if softness <= 0.0:
        return (e > threshold).astype(float)
    return expit((e - threshold) / softness)


def team_rates(model: Model, day: StaffingDay) -> tuple[np.ndarray, np.ndarray]:
    """Per team: the stress of the job today (base stress x workload factor, plus bullying
    and burnt-out colleagues) and the climate that helps recovery."""
    p, m = model.p, model.p.mechanisms
    e, c = p.exhaustion, p.culture
    stress_t = (e.base_stress * workload_factor(day.patients_per_rn, p.staffing.safe_patients_per_rn,
                                                e.workload_elasticity)
                + e.bullying_stress * model.teams.bullying)
    if m.contagion:
        stress_t = stress_t + e.contagion_stress * day.burnt_share
    return stress_t, climate(model.teams.psafe, c.psafe_min, c.psafe_max)


def exhaustion_rates(model: Model, day: StaffingDay) -> tuple[np.ndarray, np.ndarray]:
    """Per staff slot: today's stress (the team's, x susceptibility) and recovery (helped by
    the team's climate and by peer support). Draws no random numbers (the equilibrium start
    calls it; the daily step computes the same per slot in ``kernels.exhaustion_engagement``)."""
    p, m, s = model.p, model.p.mechanisms, model.staff
    e, team = p.exhaustion, s.team
    stress_t, team_climate = team_rates(model, day)
    peer = (s.peer_u < e.peer_support_share) if m.peer_support else np.zeros(s.capacity, dtype=bool)
    recovery = e.recovery_rate * (1.0 + e.leader_support_recovery * team_climate[team] + e.peer_support_recovery * peer)
    return s.susceptibility * stress_t[team], recovery


def daily(model: Model, today: Today) -> None:
    """Each person's exhaustion (stress from workload, bullying and burnt-out colleagues;
    recovery helped by the team's climate and peer support), then engagement: one compiled
    pass over the staff in post (``kernels.exhaustion_engagement``: the arithmetic of
    ``exhaustion_rates``, ``exhaustion_step`` and ``engagement_target``, in their order)."""
    p, m, s, day = model.p, model.p.mechanisms, model.staff, today.staffing
    e, c = p.exhaustion, p.culture
    z = model.rng.exhaustion_noise.normals(model.day, s.capacity)     # by post slot
    if m.exhaustion:
        stress_t, team_climate = team_rates(model, day)
    else:
        stress_t = team_climate = np.zeros(model.n_teams)
    s.exhaustion, s.engagement = kernels.exhaustion_engagement(
        day.active, s.team, s.exhaustion, s.engagement, s.susceptibility, s.peer_u, e.peer_support_share,
        bool(m.peer_support), stress_t, team_climate, model.teams.psafe, z, e.noise_sd, e.recovery_rate,
        e.leader_support_recovery, e.peer_support_recovery, bool(m.exhaustion), c.engagement_base,
        c.engagement_psafe_coef, c.engagement_exhaustion_coef, c.engagement_timescale_days)
