"""Mechanism 13, the labour market of an integrated care system (more than one
organisation): staff who resign may look for a post in another organisation of the
system, and another organisation's recruitment round appoints such a mover first; and
mutual aid across organisation boundaries, like a shared staff bank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class LabourMarket:
    """One labour market shared by the organisations of an integrated care system."""

    move_share: float = prob()
    search_days: float = p(1.0, 3650.0)
    appoint_prob: float = prob()
    exhaustion_carryover: float = prob()
    aid_share: float = prob()


@dataclass
class Mover:
    """A member of staff who resigned from one organisation of the system and is looking
    for a post in another (the shared labour market of an integrated care system)."""

    role: int
    from_organisation: int
    until: float            # leaves the system's market at this time
    age: float
    fte: float
    experience: float
    exhaustion: float
    susceptibility: float
    person: int = -1        # id in the individual-level outputs (outputs.individuals)


# ----------------------------------------------------------------------- functional forms


def cross_organisation_aid(rn_on_duty: np.ndarray, patients: np.ndarray, willingness: np.ndarray,
                           organisation: np.ndarray, n_organisations: int, *, crisis_ppn: float,
                           donor_limit_ppn: float, max_lend_share: float, aid_share: float,
                           first: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mutual aid across organisation boundaries (a shared staff bank of the system).

    After aid within each organisation, teams still above ``crisis_ppn`` draw on the spare
    RN capacity of teams in *other* organisations: each donor offers ``aid_share`` x
    ``max_lend_share`` of its capacity above ``donor_limit_ppn``, scaled by its leader's
    willingness to collaborate; each recipient asks for its gap to the crisis line scaled
    by its own leader's willingness (a siloed team neither lends nor asks). Organisations
    draw in turn from ``first`` (rotated by the caller so that none is always first);
    within one organisation's turn, supply is shared in proportion to need and taken from
    donors in proportion to their offer. Returns the adjusted RN on duty and the RN
    capacity each team lent.
    """
    rn = rn_on_duty.astype(float).copy()
    lent = np.zeros(len(rn))
    if n_organisations < 2 or aid_share <= 0.0:
        return rn, lent
    offer = np.maximum(0.0, rn - patients / donor_limit_ppn) * max_lend_share * aid_share * willingness
    for j in range(n_organisations):
        mine = organisation == (first + j) % n_organisations
        need = np.where(mine, np.maximum(0.0, patients / crisis_ppn - rn) * willingness, 0.0)
        demand = float(need.sum())
        if demand <= 0.0:
            continue
        available = np.where(mine, 0.0, offer)
        supply = float(available.sum())
        if supply <= 0.0:
            continue
        given = available * min(1.0, demand / supply)
        rn += need * min(1.0, supply / demand) - given
        offer -= given
        lent += given
    return rn, lent


# ----------------------------------------------------------------------- events


def is_open(model: Model) -> bool:
    """Whether the system's labour market operates (several organisations, switched on)."""
    return model.n_organisations > 1 and model.p.mechanisms.labour_market


def seek_post(model: Model, i: int, team: int, person: int = -1) -> None:
    """At the end of a resignation's notice: with chance ``move_share`` the leaver looks for
    a post elsewhere in the system for ``search_days`` (the ``labour_market`` uniform of the
    day and the leaver's post)."""
    s, lm = model.staff, model.p.labour_market
    if model.rng.labour_market.at(model.day, i).random() < lm.move_share:
        model.organisations.movers.append(Mover(
            role=int(s.role[i]), from_organisation=int(model.teams.organisation[team]),
            until=model.env.now + lm.search_days, age=float(s.age[i]), fte=float(s.fte[i]),
            experience=float(s.experience(model.p.recruitment.experience_years)[i]),
            exhaustion=float(s.exhaustion[i]), susceptibility=float(s.susceptibility[i]), person=person))


def take_mover(model: Model, role: int, organisation: int, appeal: float, u: float) -> Mover | None:
    """A mover of ``role`` from another organisation who accepts this post, if any.

    Movers whose search has ended leave the market first; the longest-searching
    eligible mover is offered the post and takes it with chance
    ``labour_market.appoint_prob`` x the hiring organisation's appeal (the uniform ``u``
    is the recruitment attempt's own).
    """
    now, orgs = model.env.now, model.organisations
    orgs.movers = [m for m in orgs.movers if m.until > now]
    for k, m in enumerate(orgs.movers):
        if m.role == role and m.from_organisation != organisation:
            if u < min(1.0, model.p.labour_market.appoint_prob * appeal):
                return orgs.movers.pop(k)
            return None
    return None
