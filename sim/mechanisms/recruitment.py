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
from sim.mechanisms.common import Today, beta_quantile, gamma_day, normal_quantile
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
    being recruited to; each round recruits to one vacant post (the lowest-numbered), whose
    slot keys its random numbers."""
    if not model.p.mechanisms.recruitment:
        return
    teams, s = model.teams, model.staff
    open_posts = today.staffing.establishment - teams.in_post - teams.recruiting
    for t, r in zip(*np.nonzero(open_posts > 0), strict=True):
        for _ in range(open_posts[t, r]):
            teams.recruiting[t, r] += 1
            i = s.free_post(int(t), int(r))
            s.reserved[i] = True
            model.env.process(recruit(model, int(t), int(r), i))


# ----------------------------------------------------------------------- SimPy process


def recruit(model: Model, team: int, role: int, slot: int) -> Generator[simpy.Event, Any, None]:
    """Advertise, interview, appoint (a mover from elsewhere in the system, or from the
    wider market; else try again), then the starter arrives in post ``slot``.

    Each attempt reads three uniforms of the ``recruitment`` stream at (the post's attempt
    number, its slot): the attempt's length, its outcome and a mover's answer."""
    stream, s = model.rng.recruitment, model.staff
    organisation = int(model.teams.organisation[team])
    yield model.env.timeout(0.5)
    mover = None
    while True:
        r = model.p.recruitment
        u = stream.at(s.attempts[slot], slot).random(3)
        s.attempts[slot] += 1
        yield model.env.timeout(gamma_day(u[0], r.attempt_days, r.attempt_cv))
        appeal = math.exp(r.reputation_elasticity * (model.organisations.reputation[organisation] - 0.5))
        if labour_market.is_open(model):
            mover = labour_market.take_mover(model, role, organisation, appeal, u[2])
            if mover is not None:
                break
        base = r.success_prob_rn if role == RN else r.success_prob_hca
        p_appoint = min(1.0, base * r.applicant_multiplier * appeal)
        if u[1] < p_appoint:
            break
        model.log("no_appointment", team=team, role=role)
    yield model.env.timeout(int(round(model.p.recruitment.start_delay_days)))
    model.teams.recruiting[team, role] -= 1
    s.reserved[slot] = False
    if model.teams.in_post[team, role] < model.establishment()[team, role]:
        hire(model, team, role, slot if not s.active[slot] else s.free_post(team, role), mover=mover)


def hire(model: Model, team: int, role: int, slot: int, initial: bool = False,
         mover: Mover | None = None) -> int:
    """Fill post ``slot`` of ``team`` and ``role``: a new holder whose attributes come from
    the ``new_starters`` stream at (the post's hire number, its slot) (a mover from another
    organisation brings their age, hours, experience, susceptibility and part of their
    exhaustion)."""
    p, s, i = model.p, model.staff, slot
    u = model.rng.new_starters.at(s.generation[i], i).random(6)
    s.active[i] = True
    s.fte[i] = 1.0 if u[0] < p.organisation.fte_full_share else p.organisation.fte_part
    lo, hi = p.recruitment.new_starter_age_min, p.recruitment.new_starter_age_max
    s.age[i] = lo + (hi - lo) * u[1]
    s.tenure[i] = 0.0
    s.experience0[i] = p.recruitment.new_starter_experience
    e = p.exhaustion
    s.exhaustion[i] = beta_quantile(u[4], e.initial_mean, 6.0) if p.mechanisms.exhaustion else 0.0
    s.engagement[i] = p.culture.engagement_base
    sd = e.susceptibility_sd
    s.susceptibility[i] = math.exp(sd * normal_quantile(u[5]) - sd * sd / 2)
    s.peer_u[i], s.development_u[i] = u[2], u[3]
    if mover is not None:
        s.age[i], s.fte[i], s.experience0[i] = mover.age, mover.fte, mover.experience
        s.susceptibility[i] = mover.susceptibility
        s.exhaustion[i] = p.labour_market.exhaustion_carryover * mover.exhaustion if p.mechanisms.exhaustion else 0.0
        model.month.transfers += 1
        model.month.transfers_t[team] += 1
        model.month.transfers_out[mover.from_organisation] += 1
    model.teams.in_post[team, role] += 1
    if model.individuals is not None:
        if mover is not None:
            model.individuals.mark_moved(mover.person)
        model.individuals.staff_start(i, team, role, model.env.now, None if mover is None else mover.person)
    if not initial:
        model.month.hires += 1
        model.log("hire", slot=i, team=team, role=role,
                  from_organisation=None if mover is None else mover.from_organisation)
    return i
