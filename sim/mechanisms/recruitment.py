"""Mechanism 6, recruitment: a recruitment round for every funded post that is neither
filled nor already being recruited to. A round advertises and interviews (a gamma
distributed time), appoints with a chance that rises with the organisation's reputation
(a mover from elsewhere in the system first), then the new starter arrives.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.mechanisms import labour_market
from sim.mechanisms.common import Today, beta_draw, gamma_day
from sim.mechanisms.labour_market import Mover
from sim.schema import p, prob
from sim.workforce import RN

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Recruitment:
    attempt_days: float = p(1.0, 730.0)
    attempt_cv: float = p(0.0, 5.0)
    success_prob_rn: float = prob()
    success_prob_hca: float = prob()
    applicant_multiplier: float = p(0.0, 10.0)
    reputation_elasticity: float = p(0.0, 10.0)
    start_delay_days: float = p(0.0, 365.0)
    new_starter_experience: float = prob()
    experience_years: float = p(0.01, 30.0)
    new_starter_age_min: float = p(16, 70)
    new_starter_age_max: float = p(16, 70)


def daily(model: Model, today: Today) -> None:
    """Open a recruitment round (a SimPy process) for every funded post neither filled nor
    being recruited to."""
    if not model.p.mechanisms.recruitment:
        return
    teams = model.teams
    open_posts = today.staffing.establishment - teams.in_post - teams.recruiting
    for t, r in zip(*np.nonzero(open_posts > 0), strict=True):
        for _ in range(open_posts[t, r]):
            teams.recruiting[t, r] += 1
            model.env.process(recruit(model, int(t), int(r)))


# ----------------------------------------------------------------------- SimPy process


def recruit(model: Model, team: int, role: int) -> Generator[simpy.Event, Any, None]:
    """Advertise, interview, appoint (a mover from elsewhere in the system, or from the
    wider market; else try again), then the starter arrives."""
    g = model.rng.recruitment
    organisation = int(model.teams.organisation[team])
    yield model.env.timeout(0.5)
    mover = None
    while True:
        r = model.p.recruitment
        yield model.env.timeout(gamma_day(g, r.attempt_days, r.attempt_cv))
        appeal = math.exp(r.reputation_elasticity * (model.organisations.reputation[organisation] - 0.5))
        if labour_market.is_open(model):
            mover = labour_market.take_mover(model, role, organisation, appeal)
            if mover is not None:
                break
        base = r.success_prob_rn if role == RN else r.success_prob_hca
        p_appoint = min(1.0, base * r.applicant_multiplier * appeal)
        if g.random() < p_appoint:
            break
        model.log("no_appointment", team=team, role=role)
    yield model.env.timeout(int(round(model.p.recruitment.start_delay_days)))
    model.teams.recruiting[team, role] -= 1
    if model.teams.in_post[team, role] < model.establishment()[team, role]:
        hire(model, team, role, model.rng.new_starters, mover=mover)


def hire(model: Model, team: int, role: int, g: np.random.Generator, initial: bool = False,
         mover: Mover | None = None) -> int:
    """Fill a post: a new person with drawn attributes takes a free slot (a mover from
    another organisation brings their age, hours, experience, susceptibility and part of
    their exhaustion)."""
    p, s = model.p, model.staff
    u = g.random(5)
    i = s.take_slot()
    s.active[i] = True
    s.team[i], s.role[i] = team, role
    s.fte[i] = 1.0 if u[0] < p.organisation.fte_full_share else p.organisation.fte_part
    lo, hi = p.recruitment.new_starter_age_min, p.recruitment.new_starter_age_max
    s.age[i] = lo + (hi - lo) * u[1]
    s.tenure[i] = 0.0
    s.experience0[i] = p.recruitment.new_starter_experience
    e = p.exhaustion
    s.exhaustion[i] = beta_draw(g, e.initial_mean, 6.0) if p.mechanisms.exhaustion else 0.0
    s.engagement[i] = p.culture.engagement_base
    sd = e.susceptibility_sd
    s.susceptibility[i] = math.exp(sd * g.standard_normal() - sd * sd / 2)
    s.peer_u[i], s.development_u[i] = u[2], u[3]
    if mover is not None:
        s.age[i], s.fte[i], s.experience0[i] = mover.age, mover.fte, mover.experience
        s.susceptibility[i] = mover.susceptibility
        s.exhaustion[i] = p.labour_market.exhaustion_carryover * mover.exhaustion if p.mechanisms.exhaustion else 0.0
        model.month.transfers += 1
        model.month.transfers_t[team] += 1
        model.month.transfers_out[mover.from_organisation] += 1
    model.teams.in_post[team, role] += 1
    if not initial:
        model.month.hires += 1
        model.log("hire", slot=i, team=team, role=role,
                  from_organisation=None if mover is None else mover.from_organisation)
    return i
