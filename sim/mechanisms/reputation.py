"""Mechanism 6 (its other half), reputation: each organisation's reputation drifts monthly
toward a target set by its leaver rate, missed care and psychological safety, and it
makes recruitment rounds more or less likely to appoint (``recruitment``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Reputation:
    initial: float = prob()
    timescale_months: float = p(0.1, 240.0)
    turnover_coef: float = p(0.0, 50.0)
    care_coef: float = p(0.0, 50.0)
    culture_coef: float = p(0.0, 50.0)
    reference_leaver_rate: float = prob()
    reference_missed_care: float = prob()
    reference_psafe: float = prob()


def reputation_target(leaver_rate: float, missed_care: float, psafe: float, *, turnover_coef: float,
                      care_coef: float, culture_coef: float, ref_leaver: float, ref_missed: float,
                      ref_psafe: float) -> float:
    x = (0.5 - turnover_coef * (leaver_rate - ref_leaver) - care_coef * (missed_care - ref_missed)
         + culture_coef * (psafe - ref_psafe))
    return float(min(1.0, max(0.0, x)))


def monthly(model: Model, by_organisation: Mapping[str, Sequence[float]]) -> None:
    """At the close of a month: each organisation's reputation moves toward its target
    (``by_organisation`` holds the month's metrics, one value per organisation)."""
    if not model.p.mechanisms.reputation:
        return
    r, reputation = model.p.reputation, model.organisations.reputation
    for k in range(model.n_organisations):
        missed = by_organisation["missed_care_rate"][k] if model.p.mechanisms.quality else r.reference_missed_care
        target = reputation_target(
            by_organisation["leaver_rate"][k], missed, by_organisation["psychological_safety"][k],
            turnover_coef=r.turnover_coef, care_coef=r.care_coef, culture_coef=r.culture_coef,
            ref_leaver=r.reference_leaver_rate, ref_missed=r.reference_missed_care, ref_psafe=r.reference_psafe)
        reputation[k] += (target - reputation[k]) / max(r.timescale_months, 1.0)
