"""Mechanism 10, leaders: each team's leader has a compassion style and a willingness to
collaborate (drawn from the organisation's leadership mix), their own exhaustion (team
problems and isolation), which erodes their compassion, and departures; a vacant post has
an interim, and a replacement is drawn from the mix.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy
from omegaconf import MISSING

from sim import kernels
from sim.mechanisms.common import DAYS_PER_YEAR, Today, beta_quantile, daily_probability
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Leadership:
    name: str = MISSING
    compassion_mean: float = prob()
    compassion_concentration: float = p(0.1, 1000.0)
    compassion_shift: float = p(-1.0, 1.0)
    development_share: float = prob()
    exhaustion_compassion_loss: float = prob()


@dataclass
class LeaderWellbeing:
    base_stress: float = p(0.0, None)
    team_problem_stress: float = p(0.0, None)
    isolation_stress: float = p(0.0, None)
    recovery_rate: float = p(0.0, 1.0)
    peer_support: float = prob()
    peer_support_recovery: float = p(0.0, None)
    departures_per_year: float = p(0.0, 1e5)
    exhaustion_coef: float = p(0.0, 20.0)
    vacancy_days: float = p(0.0, 730.0)
    induction_days: float = p(0.0, 730.0)
    interim_compassion: float = prob()


# ----------------------------------------------------------------------- functional forms


def effective_compassion(compassion: np.ndarray, shift: float, leader_exhaustion: np.ndarray,
                         exhaustion_loss: float, present: np.ndarray,
                         interim: float) -> np.ndarray:
    """An exhausted leader cannot lead compassionately; a vacant post has an interim."""
    own = np.clip(compassion + shift, 0.0, 1.0) * (1.0 - exhaustion_loss * leader_exhaustion)
    return np.where(present, own, interim)


def leader_support(eff_compassion: np.ndarray, present: np.ndarray, tenure_days: np.ndarray,
                   induction_days: float) -> np.ndarray:
    """Support staff feel from their leader: weaker while the post is new or vacant."""
    if induction_days > 0:
        ramp = 0.5 + 0.5 * np.minimum(1.0, tenure_days / induction_days)
    else:
        ramp = np.ones_like(tenure_days, dtype=float)
    return np.where(present, eff_compassion * ramp, 0.5 * eff_compassion)


# ----------------------------------------------------------------------- state and daily steps


def initial(model: Model) -> None:
    """The leaders in post at the start: three uniforms per leader post from the
    ``initial_state`` stream (day 0, key 1), styles by inverse CDF (the same ranks in every
    leadership mix)."""
    cfg, T, leaders = model.cfg, model.n_teams, model.leaders
    L, C = cfg.leadership, cfg.collaboration
    u = model.rng.initial_state.at(0, 1).random(3 * T).reshape(T, 3)
    offsets = cfg.organisation.compassion_offsets
    if offsets:
        mean = np.clip(L.compassion_mean + np.asarray(offsets, dtype=float)[model.teams.organisation], 0.0, 1.0)
        leaders.compassion[:] = [beta_quantile(u[t, 0], m, L.compassion_concentration) for t, m in enumerate(mean)]
    else:
        leaders.compassion[:] = beta_quantile(u[:, 0], L.compassion_mean, L.compassion_concentration)
    leaders.collaboration[:] = beta_quantile(u[:, 1], C.collaboration_mean, C.collaboration_concentration)
    leaders.tenure[:] = 5 * DAYS_PER_YEAR * u[:, 2]
    if cfg.mechanisms.leader_wellbeing:
        leaders.exhaustion[:] = cfg.exhaustion.initial_mean
    if model.individuals is not None:
        for t in range(T):
            model.individuals.leader_start(t, 0.0, float(leaders.compassion[t]))
    update_styles(model)


def update_styles(model: Model, today: Today | None = None) -> None:
    """The styles leaders show today: compassion (shifted, eroded by exhaustion; an
    interim's when vacant) and willingness to collaborate (none when vacant)."""
    p, m, leaders = model.p, model.p.mechanisms, model.leaders
    loss = p.leadership.exhaustion_compassion_loss if m.leader_wellbeing else 0.0
    # effective_compassion and the clipped, shifted collaboration, compiled
    leaders.eff_compassion, leaders.willingness = kernels.leader_styles(
        leaders.compassion, leaders.collaboration, leaders.exhaustion, leaders.present,
        p.leadership.compassion_shift, loss, p.leader_wellbeing.interim_compassion,
        p.collaboration.collaboration_shift)


def daily(model: Model, today: Today) -> None:
    """Leaders' own exhaustion (team problems, isolation) and departures."""
    p, m, T, day, leaders = model.p, model.p.mechanisms, model.n_teams, today.staffing, model.leaders
    lw = p.leader_wellbeing
    if m.leader_wellbeing:     # exhaustion_step of present leaders and the departure log hazard, compiled
        recovery_l = lw.recovery_rate * (1.0 + lw.peer_support_recovery * lw.peer_support)
        leaders.exhaustion, log_hr = kernels.leader_exhaustion(
            leaders.exhaustion, leaders.present, leaders.willingness, day.burnt_share, day.vacancy, lw.peer_support,
            lw.base_stress, lw.team_problem_stress, lw.isolation_stress, recovery_l, lw.exhaustion_coef)
    if m.leader_turnover:
        u_leader = model.rng.leaders.uniforms(model.day, T)       # by leader post
        if m.leader_wellbeing:   # daily_probability(departures x exp(log_hr)): numpy's exp and expm1
            x = np.expm1(kernels.negative_daily_rate(np.exp(log_hr), lw.departures_per_year, leaders.tenure, -np.inf, 1.0))
            leaving = kernels.bernoulli_events(leaders.present, u_leader, x)
        else:
            leaving = np.flatnonzero(leaders.present & (u_leader < daily_probability(lw.departures_per_year * np.exp(0.0))))
        for t in leaving:
            event = leaders.leaves[t]
            if event is not None and not event.triggered:
                event.succeed()
                model.month.leader_departures += 1     # counted on the day it is decided
    leaders.tenure += leaders.present


# ----------------------------------------------------------------------- SimPy process


def post(model: Model, team: int) -> Generator[simpy.Event, Any, None]:
    """A team's leader post: holder leaves, post vacant, replacement drawn from the mix."""
    leaders = model.leaders
    while True:
        leaders.leaves[team] = model.env.event()
        yield leaders.leaves[team]
        leaders.present[team] = False
        if model.individuals is not None:
            model.individuals.leader_end(team, model.env.now, "departure", float(leaders.exhaustion[team]))
        model.log("leader_leaves", team=team)
        yield model.env.timeout(0.5 + round(model.p.leader_wellbeing.vacancy_days))
        L, C = model.p.leadership, model.p.collaboration
        u = model.rng.leader_appointments.at(leaders.appointments[team], team).random(2)
        leaders.appointments[team] += 1
        mean = L.compassion_mean
        if model.cfg.organisation.compassion_offsets:
            offset = model.cfg.organisation.compassion_offsets[model.teams.organisation[team]]
            mean = min(1.0, max(0.0, mean + offset))
        leaders.compassion[team] = beta_quantile(u[0], mean, L.compassion_concentration)
        leaders.collaboration[team] = beta_quantile(u[1], C.collaboration_mean, C.collaboration_concentration)
        leaders.exhaustion[team] = model.p.exhaustion.initial_mean if model.p.mechanisms.leader_wellbeing else 0.0
        leaders.tenure[team] = 0.0
        leaders.present[team] = True
        if model.individuals is not None:
            model.individuals.leader_start(team, model.env.now, float(leaders.compassion[team]))
        model.log("leader_starts", team=team)
