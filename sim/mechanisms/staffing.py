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

from sim import kernels
from sim.mechanisms.common import DAYS_PER_YEAR, Today
from sim.mechanisms.exhaustion import burnout_weight
from sim.mechanisms.labour_market import cross_organisation_aid
from sim.schema import p, prob

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


def ring_donors_by_size(sizes: np.ndarray) -> list[np.ndarray]:
    """``ring_donors`` for organisations of different numbers of wards (``sizes``, teams
    numbered organisation by organisation): each ward's left and right neighbour on its own
    organisation's ring. A ward alone is its own donor and one of two has its one neighbour
    in the first pass only (itself in the second): a team never lends to itself, since a
    team in need has nothing spare, so both give nothing, and each array stays a permutation."""
    sizes = np.asarray(sizes, dtype=np.int64)
    if sizes.max(initial=0) < 2:
        return []
    n = np.repeat(sizes, sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    local = np.arange(int(sizes.sum())) - start
    left, right = start + (local - 1) % n, start + (local + 1) % n
    right = np.where(n > 2, right, start + local)
    return [left, right]


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
    n = len(rn_on_duty)
    if donors is None:
        donors = ring_donors(1, n)
    passes = np.array(donors, dtype=np.int64).reshape(len(donors), n)   # a donor array is a permutation
    return kernels.mutual_aid(np.asarray(rn_on_duty, dtype=float), np.asarray(patients, dtype=float),
                              np.asarray(willingness, dtype=float), crisis_ppn, donor_limit_ppn, max_lend_share,
                              passes)


# ----------------------------------------------------------------------- daily steps


def daily(model: Model, today: Today) -> None:
    """Staff on duty, bank/agency cover, workload and mutual aid, with the team aggregates
    of staff state that the other mechanisms read (``today.staffing``)."""
    p, m, s, T = model.p, model.p.mechanisms, model.staff, model.n_teams
    teams = model.teams
    act = s.active
    E, e = s.exhaustion, p.exhaustion
    est, est_fte = model.establishment(), model.est_fte
    # Every per-team sum of staff state in one compiled pass (sim.kernels.staff_sums).
    avail, sums = kernels.staff_sums(
        T, s.team, s.role, act, s.sick, s.fte, E, burnout_weight(E, e.burnout_threshold, e.burnout_softness),
        1 - s.experience(p.recruitment.experience_years), s.development_u, p.leadership.development_share)
    fill = p.staffing.agency_fill_share if m.agency_cover else 0.0
    gap_rn, gap_hca, agency_rn, agency_hca, rn_duty = kernels.staffing_cover(
        sums, est_fte, fill, p.staffing.day_presence_per_wte)
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
    # hca shortfall, agency, gap, patients per RN and the per-team shares (kernels.staffing_rates)
    r = kernels.staffing_rates(sums, patients, rn_duty, est_fte, est, teams.in_post, gap_rn, gap_hca, agency_rn,
                               agency_hca, p.staffing.agency_inexperience)
    today.staffing = StaffingDay(
        active=act, available=avail, establishment=est, head=sums[kernels.HEAD], rn_on_duty=rn_duty,
        patients_per_rn=r[kernels.PATIENTS_PER_RN],       # someone (site manager) always covers: at least 0.5 RN
        hca_shortfall=r[kernels.HCA_SHORTFALL], agency=r[kernels.AGENCY], gap=r[kernels.GAP], lent=lent,
        cross_lent=cross_lent, exhaustion=r[kernels.MEAN_EXHAUSTION], exhaustion_mean=kernels.mean_where(E, act),
        burnt=sums[kernels.BURNT], burnt_share=r[kernels.BURNT_SHARE], inexperience=r[kernels.INEXPERIENCE_SHARE],
        development_share=r[kernels.DEVELOPMENT_SHARE], vacant=r[kernels.VACANT], vacancy=r[kernels.VACANCY])


def ageing(model: Model, today: Today) -> None:
    """The end of the day: staff in post age a day (age and tenure, in years)."""
    s, a_day = model.staff, today.staffing.active / DAYS_PER_YEAR
    s.age += a_day
    s.tenure += a_day
