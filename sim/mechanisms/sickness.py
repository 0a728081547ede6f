"""Mechanism 4, sickness: who starts a sickness episode today (a hazard rising with
exhaustion) and for how long (short or long term, gamma distributed). An episode decided
at today's review removes the person from the rota from the next whole day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim import kernels
from sim.mechanisms.common import Today, after_each, gamma_day
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Sickness:
    episodes_per_year: float = p(0.0, 1e5)
    exhaustion_log_hazard: float = p(0.0, 20.0)
    long_term_share: float = prob()
    short_mean_days: float = p(1.0, 365.0)
    long_mean_days: float = p(1.0, 365.0)
    duration_cv: float = p(0.0, 5.0)


def sickness_annual_rate(exhaustion: np.ndarray, episodes_per_year: float, log_hazard: float) -> np.ndarray:
    """Episodes a year: a baseline rate raised exponentially by exhaustion."""
    return episodes_per_year * np.exp(log_hazard * exhaustion)


def daily(model: Model, today: Today) -> None:
    """Who starts a sickness episode today, and for how long (by post slot: a person's
    numbers are their post's of the day, see ``sim/streams.py``)."""
    p, m, s = model.p, model.p.mechanisms, model.staff
    if not m.sickness:
        return
    sk, day = p.sickness, model.day
    u_sick = model.rng.sickness.uniforms(day, s.capacity)
    # daily_probability(sickness_annual_rate(...)) with its arithmetic compiled and its
    # exp and expm1 numpy's (sim/kernels.py says why)
    hazard_ratio = np.exp(sk.exhaustion_log_hazard * s.exhaustion)
    x = np.expm1(kernels.negative_daily_rate(hazard_ratio, sk.episodes_per_year, s.tenure, -np.inf, 1.0))
    starts = kernels.bernoulli_events(today.staffing.available, u_sick, x)
    if len(starts) == 0:
        return
    # One uniform per episode (the day's, by slot) gives both its kind and its length.
    v = model.rng.sickness_duration.uniforms(day, int(starts[-1]) + 1)[starts]   # read up to the last slot
    share = sk.long_term_share
    long = v < share
    q = np.where(long, v / max(share, 1e-300), (v - share) / max(1.0 - share, 1e-300))
    q = np.clip(q, 0.0, 1.0 - 1e-16)
    days = gamma_day(q, np.where(long, sk.long_mean_days, sk.short_mean_days), sk.duration_cv)
    gen = s.generation                  # one event for the day's episodes (common.after_each)
    after_each(model, 0.5, fall_sick, [(model, i, int(gen[i]), k) for i, k in zip(starts.tolist(), days.tolist(),
                                                                                   strict=True)])


# ----------------------------------------------------------------------- SimPy callbacks


def fall_sick(model: Model, i: int, gen: int, days: int, _event: simpy.Event) -> None:
    """Decided at the previous review: off sick from now (a whole day) for ``days`` whole days."""
    s = model.staff
    if s.generation[i] != gen:          # left before the episode began
        return
    s.sick[i] = True
    model.log("sick", slot=i, days=days)
    model.after(days, recover, model, i, gen)


def recover(model: Model, i: int, gen: int, _event: simpy.Event) -> None:
    if model.staff.generation[i] == gen:
        model.staff.sick[i] = False
        model.log("back", slot=i)
