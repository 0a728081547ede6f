"""The month's accounts: what the daily steps and the SimPy callbacks add up during a
month (:class:`Month`), and its close, which turns them into the month's metrics in the
:class:`~sim.metrics.MonthlyRecorder` (system, per team and per organisation).

Imports nothing from ``sim.mechanisms`` at run time: the daily order there lists
:func:`accumulate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import kernels

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sim.mechanisms.common import Today
    from sim.model import Model


def mean_or_zero(x: np.ndarray) -> float:
    """The mean of ``x`` (0 when empty), as ``x.mean()`` gives it without its overhead:
    the daily accumulators call it on every day of the run."""
    return float(x.sum() / x.size) if x.size else 0.0


@dataclass(slots=True)
class Month:
    """Accumulators of one month, reset when the month's metrics are written. Counts are
    floats (they are written as metric values); ``*_t`` are per team."""

    transfers_out: np.ndarray       # by the organisation a mover left
    vacant_t: np.ndarray
    est_t: np.ndarray
    burnt_t: np.ndarray
    head_t: np.ndarray
    ppn_t: np.ndarray
    patient_days_t: np.ndarray
    missed_t: np.ndarray
    adverse_t: np.ndarray
    psafe_t: np.ndarray
    leavers_t: np.ndarray
    transfers_t: np.ndarray
    days: int = 0
    leavers: float = 0.0
    resignations: float = 0.0
    retirements: float = 0.0
    hires: float = 0.0
    admissions: float = 0.0
    discharges: float = 0.0
    leader_departures: float = 0.0
    blamed: float = 0.0
    learned: float = 0.0
    reported: float = 0.0
    head: float = 0.0
    burnt: float = 0.0
    sick_fte: float = 0.0
    contract_fte: float = 0.0
    ppn: float = 0.0
    agency_cost: float = 0.0
    gap: float = 0.0
    covered: float = 0.0
    lent: float = 0.0
    exhaustion: float = 0.0
    engagement: float = 0.0
    bullying: float = 0.0
    learning: float = 0.0
    leader_exhaustion: float = 0.0
    leader_compassion: float = 0.0
    leader_vacant: float = 0.0
    demand: float = 0.0
    transfers: float = 0.0
    cross_lent: float = 0.0

    @classmethod
    def start(cls, n_teams: int, n_organisations: int = 1) -> Month:
        """Empty accounts for a month of ``n_teams`` teams in ``n_organisations``."""
        return cls(np.zeros(n_organisations), *(np.zeros(n_teams) for _ in range(11)))


def accumulate(model: Model, today: Today) -> None:
    """Add the day to the month's accumulators (the monthly metrics are their means). The
    array work is one compiled call (``kernels.accumulate_day``: the same sums as numpy's)."""
    p, s, acc = model.p, model.staff, model.month
    day, care, teams, leaders = today.staffing, today.care, model.teams, model.leaders
    (burnt, head, sick_fte, contract_fte, rn_on_duty, agency, gap, lent, engagement, bullying, learning,
     leader_exhaustion, leader_compassion) = kernels.accumulate_day(
        acc.vacant_t, acc.est_t, acc.burnt_t, acc.head_t, acc.ppn_t, acc.patient_days_t, acc.missed_t,
        acc.adverse_t, acc.psafe_t, day.vacant, day.establishment, day.burnt, day.head, day.patients_per_rn,
        care.patients, care.missed, care.adverse, teams.psafe, s.fte, day.active, s.sick, s.engagement,
        day.rn_on_duty, day.agency, day.gap, day.lent, teams.bullying, teams.learning, leaders.exhaustion,
        leaders.eff_compassion).tolist()
    acc.days += 1
    acc.cross_lent += day.cross_lent
    acc.head += head
    acc.burnt += burnt
    acc.sick_fte += sick_fte
    acc.contract_fte += contract_fte
    acc.ppn += int(teams.patients.sum()) / max(rn_on_duty, 0.5)
    acc.reported += float(care.reported.sum())
    acc.agency_cost += agency * p.staffing.agency_cost_per_wte_day
    acc.gap += gap
    acc.covered += agency
    acc.lent += lent
    acc.exhaustion += day.exhaustion_mean
    acc.engagement += engagement
    acc.bullying += bullying
    acc.learning += learning
    acc.leader_exhaustion += leader_exhaustion
    acc.leader_compassion += leader_compassion
    acc.leader_vacant += float((~leaders.present).sum())
    now = model.env.now
    acc.demand += model.flow.mean_rate(now)


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else 0.0


def close_month(model: Model, month: int, intervention_cost: float) -> Mapping[str, Sequence[float]]:
    """Write the month's metrics (system, per organisation, per team) to the recorder (an
    output month, ``month >= 0``; warm-up months are not recorded) and
    return them per organisation (one value each; the system's when there is one), which
    the reputation update reads. ``Model`` then starts a new :class:`Month`."""
    acc, rec, T = model.month, model.recorder, model.n_teams
    days = max(acc.days, 1)
    pd_total = acc.patient_days_t.sum()
    mean_head = acc.head / days
    values = {
        "vacancy_rate": _ratio(acc.vacant_t.sum(), acc.est_t.sum()),
        "leaver_rate": _ratio(acc.leavers * 12, mean_head),
        "burnout_prevalence": _ratio(acc.burnt, acc.head),
        "sickness_absence_rate": _ratio(acc.sick_fte, acc.contract_fte),
        "patients_per_nurse": acc.ppn / days,
        "missed_care_rate": _ratio(acc.missed_t.sum(), pd_total),
        "adverse_events_per_1000": _ratio(acc.adverse_t.sum() * 1000, pd_total),
        "reported_incidents_per_1000": _ratio(acc.reported * 1000, pd_total),
        "psychological_safety": acc.psafe_t.sum() / (days * T),
        "leader_turnover": acc.leader_departures * 12 / T,
        "agency_cost": acc.agency_cost,
        "headcount": float(model.staff.active.sum()),
        "hires": acc.hires, "leavers": acc.leavers, "resignations": acc.resignations,
        "retirements": acc.retirements, "admissions": acc.admissions, "discharges": acc.discharges,
        "patients_in_beds": float(model.teams.patients.sum()), "patient_days": float(pd_total),
        "adverse_events": float(acc.adverse_t.sum()), "reported_incidents": acc.reported,
        "blamed_incidents": acc.blamed, "learned_incidents": acc.learned,
        "agency_cover_share": _ratio(acc.covered, acc.gap),
        "mutual_aid_rn": acc.lent / days, "exhaustion_mean": acc.exhaustion / days,
        "engagement_mean": acc.engagement / days, "bullying_prevalence": acc.bullying / days,
        "learning": acc.learning / days, "leader_exhaustion": acc.leader_exhaustion / days,
        "leader_compassion": acc.leader_compassion / days, "leader_vacancies": acc.leader_vacant / days,
        "reputation": float(model.organisations.reputation.mean()),
        "establishment": float(model.establishment().sum()),
        "demand_index": acc.demand / days,
        "intervention_cost": intervention_cost,
        "transfers": acc.transfers, "cross_organisation_aid_rn": acc.cross_lent / days,
    }
    per_org = organisation_values(model) if model.n_organisations > 1 else None
    if month >= 0:                       # warm-up months (< 0) are computed (reputation reads them), not recorded
        for name, value in values.items():
            rec.org[name][month] = value
        if per_org is not None:
            for name, by_org in per_org.items():
                rec.by_organisation[name][month] = by_org
        _close_teams(model, month)
    return per_org if per_org is not None else {k: [v] for k, v in values.items()}


def _close_teams(model: Model, month: int) -> None:
    """The month's metrics of each team."""
    acc, team = model.month, model.recorder.team
    days = max(acc.days, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        team["vacancy_rate"][month] = np.where(acc.est_t > 0, acc.vacant_t / acc.est_t, 0.0)
        team["burnout_prevalence"][month] = np.where(acc.head_t > 0, acc.burnt_t / acc.head_t, 0.0)
        team["patients_per_nurse"][month] = acc.ppn_t / days
        team["missed_care_rate"][month] = np.where(acc.patient_days_t > 0, acc.missed_t / acc.patient_days_t, 0.0)
        team["adverse_events_per_1000"][month] = np.where(
            acc.patient_days_t > 0, acc.adverse_t * 1000 / acc.patient_days_t, 0.0)
        team["psychological_safety"][month] = acc.psafe_t / days
        team["patient_days"][month] = acc.patient_days_t          # denominators of the team's rates
        team["staff_in_post"][month] = acc.head_t / days
    if model.individuals is not None:
        s = model.staff
        act = np.flatnonzero(s.active)
        from sim.mechanisms.exhaustion import burnout_weight  # noqa: PLC0415 - sim.mechanisms imports this module

        e = model.p.exhaustion
        model.individuals.snapshot(month, act, s.team[act], s.exhaustion[act],
                                   burnout_weight(s.exhaustion[act], e.burnout_threshold, e.burnout_softness))


def organisation_values(model: Model) -> dict[str, np.ndarray]:
    """The month's metrics of each organisation of the system (teams are in blocks)."""
    acc, K = model.month, model.n_organisations
    days = max(acc.days, 1)
    tpo = model.teams_per_organisation if model.teams_per_organisation is not None else model.org_sizes
    starts = np.cumsum(model.org_sizes) - model.org_sizes

    def by_org(x: np.ndarray) -> np.ndarray:
        if model.teams_per_organisation is not None:       # equal wards: organisations are equal blocks
            return np.asarray(x, dtype=float).reshape(K, -1).sum(axis=1)
        return np.add.reduceat(np.asarray(x, dtype=float), starts)

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.divide(a, b, out=np.zeros(K), where=b > 0)

    pd_k = by_org(acc.patient_days_t)
    est = model.establishment().sum(axis=1)
    s = model.staff
    return {
        "vacancy_rate": ratio(by_org(acc.vacant_t), by_org(acc.est_t)),
        "leaver_rate": ratio(by_org(acc.leavers_t) * 12, by_org(acc.head_t) / days),
        "burnout_prevalence": ratio(by_org(acc.burnt_t), by_org(acc.head_t)),
        "patients_per_nurse": by_org(acc.ppn_t) / (days * tpo),
        "missed_care_rate": ratio(by_org(acc.missed_t), pd_k),
        "adverse_events_per_1000": ratio(by_org(acc.adverse_t) * 1000, pd_k),
        "psychological_safety": by_org(acc.psafe_t) / (days * tpo),
        "reputation": model.organisations.reputation.copy(),
        "transfers_in": by_org(acc.transfers_t),
        "transfers_out": acc.transfers_out.copy(),
        "headcount": by_org(np.bincount(s.team[s.active], minlength=model.n_teams)),
        "establishment": by_org(est),
    }
