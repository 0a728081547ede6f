"""Mechanism 5, leaving: resignations (a proportional hazard in exhaustion, psychological
safety, bullying and engagement; higher for new starters; lower with better pay) and
retirements. Each starts a notice period, after which the post becomes vacant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim import kernels
from sim.mechanisms import labour_market
from sim.mechanisms.common import Today, daily_probability
from sim.mechanisms.exhaustion import burnout_weight
from sim.schema import p

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Leaving:
    resignations_per_year: float = p(0.0, 1e5)
    exhaustion_coef: float = p(0.0, 20.0)
    psychological_safety_coef: float = p(0.0, 20.0)
    bullying_coef: float = p(0.0, 20.0)
    engagement_coef: float = p(0.0, 20.0)
    new_starter_multiplier: float = p(0.0, 10.0)
    new_starter_years: float = p(0.0, 10.0)
    pay_multiplier: float = p(0.0, 10.0)
    notice_days: int = p(0, 365)
    retirement_age: float = p(40, 80)
    retirements_per_year: float = p(0.0, 1.0)
    max_age: float = p(50, 90)


def resignation_annual_rate(exhaustion: np.ndarray, psafe: np.ndarray, bullying: np.ndarray,
                            engagement: np.ndarray, new_starter: np.ndarray, *, base: float,
                            exhaustion_coef: float, psafe_coef: float, bullying_coef: float,
                            engagement_coef: float, new_starter_multiplier: float,
                            pay_multiplier: float) -> np.ndarray:
    """Resignations a year: proportional hazards centred on mid-scale (0.5) states."""
    log_hr = (exhaustion_coef * (exhaustion - 0.5) + psafe_coef * (0.5 - psafe)
              + bullying_coef * bullying + engagement_coef * (0.5 - engagement))
    return base * pay_multiplier * np.exp(log_hr) * np.where(new_starter, new_starter_multiplier, 1.0)


def daily(model: Model, today: Today) -> None:
    """Resignations and retirements decided today; each starts a notice period."""
    p, m, s = model.p, model.p.mechanisms, model.staff
    if not m.leaving:
        return
    u_leave = model.rng.leaving.uniforms(model.day, s.capacity)     # by post slot
    lv, teams = p.leaving, model.teams
    # daily_probability(resignation_annual_rate(...)) with its arithmetic compiled and its
    # exp and expm1 numpy's (sim/kernels.py says why)
    log_hr = kernels.leaving_log_hazard(s.exhaustion, teams.psafe, teams.bullying, s.engagement, s.team,
                                        lv.exhaustion_coef, lv.psychological_safety_coef, lv.bullying_coef,
                                        lv.engagement_coef)
    x = np.expm1(kernels.negative_daily_rate(np.exp(log_hr), lv.resignations_per_year * lv.pay_multiplier, s.tenure,
                                             lv.new_starter_years, lv.new_starter_multiplier))
    p_retire = float(daily_probability(lv.retirements_per_year))
    slots, retires = kernels.leaving_events(today.staffing.active, s.resigned, s.age, u_leave, x, bool(m.retirement),
                                            p_retire, lv.retirement_age, lv.max_age)   # marks them resigned
    for i, retire in zip(slots.tolist(), retires.tolist(), strict=True):
        notice(model, i, "retirement" if retire else "resignation")


# ----------------------------------------------------------------------- SimPy callbacks


def notice(model: Model, i: int, reason: str) -> None:
    """Resign or retire at today's review: work the notice period, then leave."""
    model.log("resign" if reason == "resignation" else "retire", slot=i)
    model.after(0.5 + model.p.leaving.notice_days, leave, model, i, int(model.staff.generation[i]), reason)


def leave(model: Model, i: int, gen: int, reason: str, _event: simpy.Event) -> None:
    """The end of the notice period: the post becomes vacant (a resigner may look for a
    post elsewhere in the system)."""
    s = model.staff
    if s.generation[i] != gen:
        return
    team = s.team[i]
    model.teams.in_post[team, s.role[i]] -= 1
    person = end_spell(model, i, reason) if model.individuals is not None else -1
    if reason == "resignation" and labour_market.is_open(model):
        labour_market.seek_post(model, i, team, person)
    s.free_slot(i)
    acc = model.month
    acc.leavers += 1
    acc.leavers_t[team] += 1
    if reason == "resignation":
        acc.resignations += 1
    else:
        acc.retirements += 1
    model.log("leave", slot=i, reason=reason)


def end_spell(model: Model, i: int, reason: str) -> int:
    """Individual outputs: the end of person ``i``'s spell in post, with their state at the
    end; returns their id (a mover keeps it in the next post)."""
    s, p = model.staff, model.p
    assert model.individuals is not None
    return model.individuals.staff_end(
        i, model.env.now, reason, float(s.exhaustion[i]),
        float(burnout_weight(s.exhaustion[i], p.exhaustion.burnout_threshold, p.exhaustion.burnout_softness)),
        bool(p.mechanisms.peer_support and s.peer_u[i] < p.exhaustion.peer_support_share),
        bool(s.development_u[i] < p.leadership.development_share))
