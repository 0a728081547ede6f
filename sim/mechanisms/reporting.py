"""Mechanism 8, reporting and learning: adverse events are reported more where it is safe
to speak up; each reported event goes to an incident review, which under a compassionate
leader becomes learning (shared with collaborating neighbour teams) and under a blaming
one becomes blame (exhaustion, disengagement and lost safety for the staff involved).
Learning decays slowly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim import kernels
from sim.mechanisms.common import DAYS_PER_YEAR, Today, after_each, binomial_quantile
from sim.mechanisms.staffing import ring_donors
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Reporting:
    report_prob_min: float = prob()
    report_prob_max: float = prob()
    review_days: float = p(0.0, 365.0)
    learning_gain: float = prob()
    initial_learning: float = prob()
    learning_decay_years: float = p(0.01, 100.0)
    learning_share: float = prob()
    blame_staff_involved: int = p(0, 20)
    blame_psafe_drop: float = prob()
    blame_engagement_drop: float = prob()


# ----------------------------------------------------------------------- functional forms


def report_probability(psafe: np.ndarray, p_min: float, p_max: float) -> np.ndarray:
    """Staff report more where it is safe to speak up."""
    return p_min + (p_max - p_min) * psafe


def share_learning(gain: np.ndarray, willingness: np.ndarray, share: float,
                   donors: list[np.ndarray] | None = None) -> np.ndarray:
    """Learning of a team flows to its ring neighbours (within its organisation) in
    proportion to collaboration."""
    received = np.zeros(len(gain))
    if donors is None:
        donors = ring_donors(1, len(gain))
    own = np.arange(len(gain))
    for source in donors:
        w = np.minimum(willingness, willingness[source])
        w = np.where(source != own, w, 0.0)      # a ward that is its own ring neighbour (wards of unequal organisations)
        received += share * w * gain[source]
    return received


# ----------------------------------------------------------------------- daily steps


def daily(model: Model, today: Today) -> None:
    """Which of today's adverse events are reported; each goes to an incident review."""
    p = model.p
    if not p.mechanisms.quality:
        return
    care = today.care
    p_rep = report_probability(model.teams.psafe, p.reporting.report_prob_min, p.reporting.report_prob_max)
    T, day = model.n_teams, model.day
    reported = care.reported = binomial_quantile(model.rng.reporting.uniforms(day, T), care.adverse, p_rep)
    review_days = p.reporting.review_days
    after_each(model, review_days, incident_review,      # one event for the day's reviews, in this order
               [(model, t, day, j * T + t) for t in np.flatnonzero(reported).tolist() for j in range(reported[t])])


def learning_decay(model: Model, today: Today) -> None:
    """The slow decay of what teams have learned."""
    p = model.p
    if p.mechanisms.learning:
        model.teams.learning *= math.exp(-1.0 / (p.reporting.learning_decay_years * DAYS_PER_YEAR))


# ----------------------------------------------------------------------- SimPy callback


def incident_review(model: Model, team: int, day: int, key: int, _event: simpy.Event) -> None:
    """A reported adverse event, once reviewed, becomes learning (just culture) or blame.

    Its numbers are the ``incident_response`` stream's at (the incident's day, ``key`` =
    the report's number x wards + ward): one uniform for learning or blame, then one per
    post of the ward; the blamed are the staff on duty with the lowest of those."""
    p, m, teams, s = model.p, model.p.mechanisms, model.teams, model.staff
    g = model.rng.incident_response.at(day, key)
    u = g.random()
    if u < model.leaders.eff_compassion[team]:
        model.month.learned += 1
        if m.learning:     # share_learning and the update, compiled (kernels.learn)
            kernels.learn(teams.learning, model.leaders.willingness, model.ring_array, team,
                          p.reporting.learning_gain, p.reporting.learning_share, bool(m.shared_learning))
        model.log("learning", team=team)
    elif m.blame:
        model.month.blamed += 1
        column = np.arange(2 * team, s.capacity, s.row).reshape(-1, 1) + np.array([0, 1])   # the ward's posts
        column = column.ravel()                                # local post number: 2 k + role
        u_post = g.random(len(column))
        duty = s.active[column] & ~s.sick[column]
        k = min(p.reporting.blame_staff_involved, int(duty.sum()))
        blamed = column[duty][np.argsort(u_post[duty], kind="stable")[:k]]
        if m.exhaustion:
            s.exhaustion[blamed] += p.exhaustion.blame_shock * (1.0 - s.exhaustion[blamed])
        s.engagement[blamed] = np.maximum(0.0, s.engagement[blamed] - p.reporting.blame_engagement_drop)
        if m.culture_drift:
            teams.psafe[team] = max(0.0, teams.psafe[team] - p.reporting.blame_psafe_drop)
        model.log("blame", team=team, staff=blamed.tolist())
