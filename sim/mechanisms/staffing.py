"""Mechanisms 2 and 11, staffing and mutual aid: staff on duty (in post, not off sick) plus
bank/agency cover, the workload it gives (patients per registered nurse), and RN time lent
by collaborating neighbour teams to a team in crisis (and, in a system of organisations,
across organisation boundaries: see ``labour_market``).

The staffing step runs first each day and also computes the team aggregates of staff state
(:class:`StaffingDay`) that every later step reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from omegaconf import MISSING

from sim.mechanisms.common import DAYS_PER_YEAR, Today
from sim.mechanisms.exhaustion import burnout_weight
from sim.mechanisms.labour_market import cross_organisation_aid
from sim.month import mean_or_zero
from sim.schema import p, prob
from sim.workforce import HCA, RN

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Staffing:
    day_presence_per_wte: float = p(0.01, 1.0)
    safe_patients_per_rn: float = p(1.0, 30.0)
    agency_fill_share: float = prob()
    agency_cost_per_wte_day: float = p(0.0, None)
    agency_inexperience: float = prob()


@dataclass
class Collaboration:
    name: str = MISSING
    collaboration_mean: float = prob()
    collaboration_concentration: float = p(0.1, 1000.0)
    collaboration_shift: float = p(-1.0, 1.0)
    crisis_patients_per_rn: float = p(1.0, 50.0)
    donor_limit_patients_per_rn: float = p(1.0, 50.0)
    max_lend_share: float = prob()


@dataclass(slots=True)
class StaffingDay:
    """One day's staffing of every team and the team aggregates of staff state, computed
    once at the start of the daily review; every mechanism reads it."""

    active: np.ndarray             # per staff slot: in post
    available: np.ndarray          # per staff slot: in post and not off sick
    establishment: np.ndarray      # funded posts (team, role)
    head: np.ndarray               # per team: staff in post
    rn_on_duty: np.ndarray         # RNs on duty after bank/agency cover and mutual aid
    patients_per_rn: np.ndarray
    hca_shortfall: np.ndarray      # share of HCA establishment not on duty
    agency: np.ndarray             # bank/agency WTE covering gaps
    gap: np.ndarray                # WTE below establishment before cover
    lent: np.ndarray               # RN WTE lent to neighbours (and other organisations)
    cross_lent: float              # of which across organisation boundaries
    exhaustion: np.ndarray         # mean exhaustion of staff available
    exhaustion_mean: float         # mean exhaustion of all staff in post
    burnt: np.ndarray              # burnt-out staff in post
    burnt_share: np.ndarray
    inexperience: np.ndarray       # FTE-weighted inexperience on duty, agency included
    development_share: np.ndarray  # share of staff with leadership development
    vacant: np.ndarray             # vacant funded posts
    vacancy: np.ndarray            # vacancy rate


# ----------------------------------------------------------------------- functional forms


def ring_donors(n_organisations: int, teams_per_organisation: int) -> list[np.ndarray]:
    """Donor teams on each organisation's own ring: for every team, its left and right
    neighbour within the same organisation (one neighbour for two teams, none for one).

    Teams are numbered organisation by organisation; with one organisation this is the
    ring of all teams.
    """
    n = teams_per_organisation
    if n < 2:
        return []
    start = np.repeat(np.arange(n_organisations) * n, n)
    local = np.tile(np.arange(n), n_organisations)
    left, right = start + (local - 1) % n, start + (local + 1) % n
    return [left] if n == 2 else [left, right]


def mutual_aid(rn_on_duty: np.ndarray, patients: np.ndarray, willingness: np.ndarray, *,
               crisis_ppn: float, donor_limit_ppn: float, max_lend_share: float,
               donors: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lend RN capacity from neighbours on a ring of teams to a team in crisis.

    A team above ``crisis_ppn`` asks each neighbour in turn (left, then right; ``donors``
    gives them, default the ring of all teams) for the RNs it needs to get back to the
    crisis line; a neighbour lends at most ``max_lend_share`` of its capacity above what
    it needs to stay under ``donor_limit_ppn``, scaled by the lower of the two leaders'
    willingness to collaborate. Returns the adjusted RN on duty and the RN capacity lent
    by each team. Each array of ``donors`` must be a permutation of the teams (as the
    rings of ``ring_donors`` are), so that a team lends to one neighbour per pass.
    """
    rn = rn_on_duty.astype(float).copy()
    n = len(rn)
    lent = np.zeros(n)
    if donors is None:
        donors = ring_donors(1, n)
    for donor in donors:
        need = np.maximum(0.0, patients / crisis_ppn - rn)
        spare = np.maximum(0.0, rn - patients / donor_limit_ppn) * max_lend_share
        w = np.minimum(willingness, willingness[donor])
        give = np.minimum(need, spare[donor] * w)
        give = np.where(need > 0, give, 0.0)
        rn += give
        rn[donor] -= give           # a donor array is a permutation (one recipient per donor and pass)
        lent[donor] += give
    return rn, lent


# ----------------------------------------------------------------------- daily steps


def daily(model: Model, today: Today) -> None:
    """Staff on duty, bank/agency cover, workload and mutual aid, with the team aggregates
    of staff state that the other mechanisms read (``today.staffing``)."""
    p, m, s, T = model.p, model.p.mechanisms, model.staff, model.n_teams
    teams = model.teams
    act = s.active
    avail = act & ~s.sick
    team, fte = s.team, s.fte
    is_rn = s.role == RN
    E = s.exhaustion
    est, est_fte = model.establishment(), model.est_fte
    fte_avail = fte * avail
    rn_avail = np.bincount(team, weights=fte * (avail & is_rn), minlength=T)
    hca_avail = np.bincount(team, weights=fte * (avail & ~is_rn), minlength=T)
    gap_rn = np.maximum(0.0, est_fte[:, RN] - rn_avail)
    gap_hca = np.maximum(0.0, est_fte[:, HCA] - hca_avail)
    fill = p.staffing.agency_fill_share if m.agency_cover else 0.0
    agency_rn, agency_hca = fill * gap_rn, fill * gap_hca
    rn_duty = (rn_avail + agency_rn) * p.staffing.day_presence_per_wte
    patients = teams.patients.astype(float)
    lent = np.zeros(T)
    cross_lent = 0.0
    if m.mutual_aid:
        c = p.collaboration
        willingness = model.leaders.willingness
        rn_duty, lent = mutual_aid(
            rn_duty, patients, willingness, crisis_ppn=c.crisis_patients_per_rn,
            donor_limit_ppn=c.donor_limit_patients_per_rn, max_lend_share=c.max_lend_share, donors=model.ring)
        if m.cross_organisation_aid and model.n_organisations > 1:
            rn_duty, cross = cross_organisation_aid(
                rn_duty, patients, willingness, teams.organisation, model.n_organisations,
                crisis_ppn=c.crisis_patients_per_rn, donor_limit_ppn=c.donor_limit_patients_per_rn,
                max_lend_share=c.max_lend_share, aid_share=p.labour_market.aid_share,
                first=model.day % model.n_organisations)
            lent = lent + cross
            cross_lent = float(cross.sum())
    hca_est = est_fte[:, HCA]
    hca_short = np.maximum(0.0, 1 - np.divide(hca_avail + agency_hca, hca_est, out=np.ones(T), where=hca_est > 0))

    head = np.bincount(team, weights=act, minlength=T)
    avail_t = np.bincount(team, weights=avail, minlength=T)
    e = p.exhaustion
    burnt = np.bincount(team, weights=act * burnout_weight(E, e.burnout_threshold, e.burnout_softness), minlength=T)
    inexp_staff = np.bincount(team, weights=fte_avail * (1 - s.experience(p.recruitment.experience_years)), minlength=T)
    agency = agency_rn + agency_hca
    avail_fte_t = np.bincount(team, weights=fte_avail, minlength=T)
    developed = np.bincount(team, weights=act & (s.development_u < p.leadership.development_share), minlength=T)
    vacant = np.maximum(0, est - teams.in_post).sum(axis=1)
    today.staffing = StaffingDay(
        active=act, available=avail, establishment=est, head=head, rn_on_duty=rn_duty,
        patients_per_rn=patients / np.maximum(rn_duty, 0.5),      # someone (site manager) always covers
        hca_shortfall=hca_short, agency=agency, gap=gap_rn + gap_hca, lent=lent, cross_lent=cross_lent,
        exhaustion=np.bincount(team, weights=E * avail, minlength=T) / np.maximum(avail_t, 1),
        exhaustion_mean=mean_or_zero(E[act]),
        burnt=burnt, burnt_share=burnt / np.maximum(head, 1),
        inexperience=(inexp_staff + agency * p.staffing.agency_inexperience) / np.maximum(avail_fte_t + agency, 1e-9),
        development_share=developed / np.maximum(head, 1),
        vacant=vacant, vacancy=vacant / np.maximum(est.sum(axis=1), 1))


def ageing(model: Model, today: Today) -> None:
    """The end of the day: staff in post age a day (age and tenure, in years)."""
    s, a_day = model.staff, today.staffing.active / DAYS_PER_YEAR
    s.age += a_day
    s.tenure += a_day
