"""Mechanism 12, interventions: each programme, switched on from its start month, becomes
scheduled changes of live parameters (``INTERVENTION_EFFECTS``; applied by the model's
schedule) and is costed per funded staff post per year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from omegaconf import MISSING

from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Intervention:
    """A programme switched on from ``start_month``, costed per staff post per year."""

    enabled: bool = False
    start_month: int = p(0, None, default=0)
    cost_per_staff_year: float = p(0.0, None, default=0.0)


@dataclass
class LeadershipDevelopment(Intervention):
    compassion_shift: float = p(-1.0, 1.0, default=MISSING)
    rollout_months: int = p(1, 240, default=1)


@dataclass
class PeerSupport(Intervention):
    share_attending: float = prob()


@dataclass
class LeaderWellbeingSupport(Intervention):
    peer_support: float = prob()


@dataclass
class StaffingUplift(Intervention):
    establishment_multiplier: float = p(0.1, 5.0)


@dataclass
class PayAndTerms(Intervention):
    pay_multiplier: float = p(0.0, 10.0)
    applicant_multiplier: float = p(0.0, 10.0)


@dataclass
class CollaborationProgramme(Intervention):
    collaboration_shift: float = p(-1.0, 1.0)


@dataclass
class EmergingLeaders(Intervention):
    development_share: float = prob()


@dataclass
class Interventions:
    """Mechanism 12 of docs/model.md; each becomes scheduled parameter changes from its start."""

    leadership_development: LeadershipDevelopment = field(default_factory=LeadershipDevelopment)
    peer_support: PeerSupport = field(default_factory=PeerSupport)
    leader_wellbeing_support: LeaderWellbeingSupport = field(default_factory=LeaderWellbeingSupport)
    staffing_uplift: StaffingUplift = field(default_factory=StaffingUplift)
    pay_and_terms: PayAndTerms = field(default_factory=PayAndTerms)
    collaboration_programme: CollaborationProgramme = field(default_factory=CollaborationProgramme)
    emerging_leaders: EmergingLeaders = field(default_factory=EmergingLeaders)


#: What each intervention changes: its field -> the live model parameter it sets.
INTERVENTION_EFFECTS: dict[str, dict[str, str]] = {
    "leadership_development": {"compassion_shift": "leadership.compassion_shift"},
    "peer_support": {"share_attending": "exhaustion.peer_support_share"},
    "leader_wellbeing_support": {"peer_support": "leader_wellbeing.peer_support"},
    "staffing_uplift": {"establishment_multiplier": "organisation.establishment_multiplier"},
    "pay_and_terms": {"pay_multiplier": "leaving.pay_multiplier", "applicant_multiplier": "recruitment.applicant_multiplier"},
    "collaboration_programme": {"collaboration_shift": "collaboration.collaboration_shift"},
    "emerging_leaders": {"development_share": "leadership.development_share"},
}


def cost(model: Model, month: int) -> float:
    """Spend in the month on every intervention that has started (per funded post)."""
    posts = float(model.establishment().sum())
    total = 0.0
    for name in INTERVENTION_EFFECTS:
        iv = getattr(model.cfg.intervention, name)
        if iv.enabled and month >= iv.start_month:
            total += iv.cost_per_staff_year * posts / 12
    return total
