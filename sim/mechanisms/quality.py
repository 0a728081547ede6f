"""Mechanism 7, quality of care: missed care and adverse events per patient-day, rising
with patients per registered nurse, exhaustion, inexperience (and, for missed care, a
shortfall of healthcare assistants), falling with the team's learning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.mechanisms.common import Today, expit, logit
from sim.schema import p, prob

if TYPE_CHECKING:
    from sim.model import Model


@dataclass
class Quality:
    adverse_events_per_1000: float = p(0.0, 1000.0)
    adverse_odds_per_patient: float = p(0.5, 3.0)
    reference_patients_per_rn: float = p(1.0, 30.0)
    adverse_exhaustion_coef: float = p(0.0, 20.0)
    adverse_inexperience_coef: float = p(0.0, 20.0)
    adverse_learning_coef: float = p(0.0, 20.0)
    missed_care_base: float = prob()
    missed_patients_coef: float = p(0.0, 20.0)
    missed_exhaustion_coef: float = p(0.0, 20.0)
    missed_inexperience_coef: float = p(0.0, 20.0)
    missed_hca_shortfall_coef: float = p(0.0, 20.0)
    missed_learning_coef: float = p(0.0, 20.0)


@dataclass(slots=True)
class CareDay:
    """One day's patients and care outcomes per team (the reporting step fills ``reported``)."""

    patients: np.ndarray
    missed: np.ndarray
    adverse: np.ndarray
    reported: np.ndarray


# ----------------------------------------------------------------------- functional forms


def adverse_event_probability(patients_per_rn: np.ndarray, exhaustion: np.ndarray,
                              inexperience: np.ndarray, learning: np.ndarray, *,
                              base_per_1000: float, odds_per_patient: float, reference_ppn: float,
                              exhaustion_coef: float, inexperience_coef: float,
                              learning_coef: float) -> np.ndarray:
    """Chance of an adverse event per patient-day (logistic; odds x OR per extra patient)."""
    x = (logit(base_per_1000 / 1000.0) + np.log(odds_per_patient) * (patients_per_rn - reference_ppn)
         + exhaustion_coef * (exhaustion - 0.5) + inexperience_coef * inexperience
         - learning_coef * learning)
    return expit(x)


def missed_care_probability(patients_per_rn: np.ndarray, exhaustion: np.ndarray,
                            inexperience: np.ndarray, hca_shortfall: np.ndarray, learning: np.ndarray, *,
                            base: float, patients_coef: float, reference_ppn: float, exhaustion_coef: float,
                            inexperience_coef: float, hca_shortfall_coef: float, learning_coef: float) -> np.ndarray:
    """Chance that a patient-day has some care left undone.

    Logistic in log workload: care is rationed when there is too little nurse time, so
    the chance vanishes as patients per RN go to zero, and ``patients_coef`` is the
    elasticity of the odds (slope ``patients_coef / reference_ppn`` per patient at the
    reference)."""
    ppn = np.maximum(patients_per_rn, 1e-9)
    x = (logit(base) + patients_coef * np.log(ppn / reference_ppn)
         + exhaustion_coef * (exhaustion - 0.5) + inexperience_coef * inexperience
         + hca_shortfall_coef * hca_shortfall - learning_coef * learning)
    return expit(x)


def daily(model: Model, today: Today) -> None:
    """Missed care and adverse events per team-day (``today.care``)."""
    p, m, T, day = model.p, model.p.mechanisms, model.n_teams, today.staffing
    n_pat = model.teams.patients.copy()
    if not m.quality:
        none = np.zeros(T, dtype=np.int64)
        today.care = CareDay(n_pat, none, none, none)
        return
    q, learning = p.quality, model.teams.learning
    # missed_care_probability and adverse_event_probability, their arithmetic compiled
    # (kernels.care_logits) and their log and exp numpy's; then binomial_quantile's steps
    log_workload = np.log(np.maximum(day.patients_per_rn, 1e-9) / q.reference_patients_per_rn)
    missed_coef = np.array([logit(q.missed_care_base), q.missed_patients_coef, q.missed_exhaustion_coef,
                            q.missed_inexperience_coef, q.missed_hca_shortfall_coef, q.missed_learning_coef])
    adverse_coef = np.array([logit(q.adverse_events_per_1000 / 1000.0), np.log(q.adverse_odds_per_patient),
                             q.reference_patients_per_rn, q.adverse_exhaustion_coef, q.adverse_inexperience_coef,
                             q.adverse_learning_coef])
    prob, base = kernels.expit_and_base(np.exp(kernels.care_logits(
        day.patients_per_rn, log_workload, day.exhaustion, day.inexperience, day.hca_shortfall, learning,
        missed_coef, adverse_coef)))
    # One uniform per ward, day and outcome (missed care by ward, then adverse events by
    # ward); the count is its binomial quantile.
    u = model.rng.care_quality.uniforms(model.day, 2 * T)
    n = np.concatenate([n_pat, n_pat])
    counts = kernels.binomial_counts(u, n, prob, base ** n)
    missed, adverse = counts[:T], counts[T:]
    today.care = CareDay(n_pat, missed, adverse, np.zeros(T, dtype=np.int64))
