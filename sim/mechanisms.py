"""Functional forms of the mechanisms in shared/MODEL.md, as pure vectorised functions.

Kept apart from the event machinery so each can be unit-tested by hand and read
beside its evidence comment in ``conf/config.yaml``. Rates are per day.
"""

from __future__ import annotations

import numpy as np

DAYS_PER_YEAR = 365.0


def logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def daily_probability(annual_rate: np.ndarray | float) -> np.ndarray:
    """Chance of an event today under a constant annual hazard."""
    return -np.expm1(-np.asarray(annual_rate, dtype=float) / DAYS_PER_YEAR)


# ----------------------------------------------------------------- 3. exhaustion


def exhaustion_step(exhaustion: np.ndarray, stress: np.ndarray, recovery: np.ndarray,
                    noise: np.ndarray | float = 0.0) -> np.ndarray:
    """One day of exhaustion: stress fills the headroom, recovery drains the level.

    ``E' = clip(E + stress (1 - E) - recovery E + noise, 0, 1)``; with constant inputs
    the level settles at ``stress / (stress + recovery)``.
    """
    return np.clip(exhaustion + stress * (1.0 - exhaustion) - recovery * exhaustion + noise, 0.0, 1.0)


def relative_overload(patients_per_rn: np.ndarray, safe_patients_per_rn: float) -> np.ndarray:
    """Workload above the safe level, as a share of the safe level (0 when safe)."""
    return np.maximum(0.0, patients_per_rn / safe_patients_per_rn - 1.0)


# ----------------------------------------------------------------- 4. sickness


def sickness_annual_rate(exhaustion: np.ndarray, episodes_per_year: float, log_hazard: float) -> np.ndarray:
    """Episodes a year: a baseline rate raised exponentially by exhaustion."""
    return episodes_per_year * np.exp(log_hazard * exhaustion)


def gamma_day(rng: np.random.Generator, mean: float, cv: float) -> int:
    """A whole-day duration, gamma distributed with the given mean and CV (CV 0: fixed),
    rounded half to even and at least one day. A scalar draw: one per sickness episode or
    recruitment round."""
    if cv <= 0.0:
        return max(1, round(float(mean)))
    shape = 1.0 / cv**2
    return max(1, round(rng.gamma(shape, mean / shape)))


# ----------------------------------------------------------------- 5. leaving


def resignation_annual_rate(exhaustion: np.ndarray, psafe: np.ndarray, bullying: np.ndarray,
                            engagement: np.ndarray, new_starter: np.ndarray, *, base: float,
                            exhaustion_coef: float, psafe_coef: float, bullying_coef: float,
                            engagement_coef: float, new_starter_multiplier: float,
                            pay_multiplier: float) -> np.ndarray:
    """Resignations a year: proportional hazards centred on mid-scale (0.5) states."""
    log_hr = (exhaustion_coef * (exhaustion - 0.5) + psafe_coef * (0.5 - psafe)
              + bullying_coef * bullying + engagement_coef * (0.5 - engagement))
    return base * pay_multiplier * np.exp(log_hr) * np.where(new_starter, new_starter_multiplier, 1.0)


# ----------------------------------------------------------------- 7. quality of care


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


# ----------------------------------------------------------------- 8. reporting


def report_probability(psafe: np.ndarray, p_min: float, p_max: float) -> np.ndarray:
    """Staff report more where it is safe to speak up."""
    return p_min + (p_max - p_min) * psafe


# ----------------------------------------------------------------- 9. culture


def psafe_target(effective_compassion: np.ndarray, psafe_min: float, psafe_max: float) -> np.ndarray:
    """The psychological safety a leader's effective style pulls the team toward."""
    return psafe_min + (psafe_max - psafe_min) * effective_compassion


def psafe_step(psafe: np.ndarray, target: np.ndarray, timescale_days: float,
               development_share: np.ndarray, development_speedup: float,
               bullying: np.ndarray, erosion: float) -> np.ndarray:
    """Drift toward the target with inertia; staff with leadership development speed
    improvement (not decline); bullying erodes safety."""
    rate = np.where(target > psafe, 1.0 + development_speedup * development_share, 1.0) / timescale_days
    rate = np.minimum(rate, 1.0)
    return np.clip(psafe + rate * (target - psafe) - erosion * bullying, 0.0, 1.0)


def bullying_prevalence(effective_compassion: np.ndarray, team_exhaustion: np.ndarray, *,
                        per_year: float, blame_coef: float, exhaustion_coef: float) -> np.ndarray:
    """Share of staff bullied in a year: more under blame and in exhausted teams."""
    x = blame_coef * ((1.0 - effective_compassion) - 0.5) + exhaustion_coef * (team_exhaustion - 0.5)
    return np.minimum(1.0, per_year * np.exp(x))


def engagement_target(psafe: np.ndarray, exhaustion: np.ndarray, *, base: float,
                      psafe_coef: float, exhaustion_coef: float) -> np.ndarray:
    return np.clip(base + psafe_coef * (psafe - 0.5) - exhaustion_coef * (exhaustion - 0.5), 0.0, 1.0)


# ----------------------------------------------------------------- 10. leaders


def effective_compassion(compassion: np.ndarray, shift: float, leader_exhaustion: np.ndarray,
                         exhaustion_loss: float, present: np.ndarray,
                         interim: float) -> np.ndarray:
    """An exhausted leader cannot lead compassionately; a vacant post has an interim."""
    own = np.clip(compassion + shift, 0.0, 1.0) * (1.0 - exhaustion_loss * leader_exhaustion)
    return np.where(present, own, interim)


def leader_support(eff_compassion: np.ndarray, present: np.ndarray, tenure_days: np.ndarray,
                   induction_days: float) -> np.ndarray:
    """Support staff feel from their leader: weaker while the post is new or vacant."""
    if induction_days > 0:
        ramp = 0.5 + 0.5 * np.minimum(1.0, tenure_days / induction_days)
    else:
        ramp = np.ones_like(tenure_days, dtype=float)
    return np.where(present, eff_compassion * ramp, 0.5 * eff_compassion)


# ----------------------------------------------------------------- 11. collaboration


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


def share_learning(gain: np.ndarray, willingness: np.ndarray, share: float,
                   donors: list[np.ndarray] | None = None) -> np.ndarray:
    """Learning of a team flows to its ring neighbours (within its organisation) in
    proportion to collaboration."""
    received = np.zeros(len(gain))
    if donors is None:
        donors = ring_donors(1, len(gain))
    for source in donors:
        w = np.minimum(willingness, willingness[source])
        received += share * w * gain[source]
    return received


# ----------------------------------------------------------------- 6. reputation


def reputation_target(leaver_rate: float, missed_care: float, psafe: float, *, turnover_coef: float,
                      care_coef: float, culture_coef: float, ref_leaver: float, ref_missed: float,
                      ref_psafe: float) -> float:
    x = (0.5 - turnover_coef * (leaver_rate - ref_leaver) - care_coef * (missed_care - ref_missed)
         + culture_coef * (psafe - ref_psafe))
    return float(min(1.0, max(0.0, x)))
