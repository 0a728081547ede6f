"""Compiled (numba) kernels of the hot loops, kept apart from the mechanisms that call them.

Every kernel gives the very floating-point results of the Python/numpy code it replaces:
the same operations in the same order (sums accumulate in index order, as ``np.bincount``
and ``np.cumsum`` do), and transcendental functions only where the replaced code also used
the C library's (``math.cos``, ``math.exp``, ``**`` on Python floats: numba calls the same
libm). Where the replaced code used numpy's own vectorised ``exp``/``log``/``power`` (which,
with AVX-512, differ from libm in the last bit), the caller still computes those with numpy
and passes them in. ``cache=True`` keeps the compiled code in ``__pycache__``, so only the
first run on a machine pays the compilation (a few seconds); later processes load it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Statuses of :func:`advance_beds` besides "done" (-1): a team whose draws ran out or whose
#: bed array is full is returned as its index, for the caller to refill or grow and call again.
DONE = -1


@njit(cache=True)
def _rate(t: float, team: int, base: np.ndarray, shocked: np.ndarray, season: np.ndarray,
          growth: float, shock: np.ndarray) -> float:
    """``demand.PatientFlow.rate(team, t)``, operation for operation (libm cos and pow)."""
    rate = base[team]
    if season[0] != 0.0:                                   # season = (on, amplitude, peak day)
        rate *= 1.0 + season[1] * math.cos(2 * math.pi * ((t % 365) - season[2]) / 365)
    if growth > 0.0:                                       # 0: no demand growth
        rate *= growth ** (t / 365.0)
    if shocked[team]:                                      # shock = (multiplier, first month, end month)
        month = t * 12 / 365.0
        rate = rate * (shock[0] if shock[1] <= month < shock[2] else 1.0)
    return rate


@njit(cache=True)
def advance_beds(until: float, next_arrival: np.ndarray, pending_bound: np.ndarray, bounds: np.ndarray,
                 base: np.ndarray, shocked: np.ndarray, season: np.ndarray, growth: float, shock: np.ndarray,
                 los: np.ndarray, gaps: np.ndarray, acceptance: np.ndarray, stays: np.ndarray,
                 position: np.ndarray, discharge_at: np.ndarray, patients: np.ndarray,
                 counts: np.ndarray) -> int:
    """Every team's candidate arrivals (thinning) and discharges before ``until``.

    Per team, candidate ``k`` at ``next_arrival`` is admitted when its acceptance uniform
    x the bound its gap was drawn under is at most the rate then; an admitted patient's
    discharge time (arrival + lognormal stay) joins the team's ``discharge_at`` row; the
    next candidate comes ``gap / bounds[team]`` later. Then discharges before ``until``
    leave. ``position[team]`` holds the read positions of the team's gaps, acceptance and
    stays blocks; ``counts`` accumulates (admissions, discharges). Returns ``DONE``, or a
    team whose block ran out or whose bed row is full (nothing half done: call again after
    refilling or growing)."""
    n_teams, block = gaps.shape
    cap = discharge_at.shape[1]
    for team in range(n_teams):
        while next_arrival[team] < until:
            if (position[team, 0] == block or position[team, 1] == block or position[team, 2] == block
                    or patients[team] == cap):
                return team
            t = next_arrival[team]
            u = acceptance[team, position[team, 1]]
            position[team, 1] += 1
            if u * pending_bound[team] <= _rate(t, team, base, shocked, season, growth, shock):
                z = stays[team, position[team, 2]]
                position[team, 2] += 1
                stay = (math.exp(los[team, 1] + los[team, 2] * z) if los[team, 0] != 0.0
                        else los[team, 1])                  # los[team] = (lognormal?, mu or mean, sigma)
                discharge_at[team, patients[team]] = t + stay
                patients[team] += 1
                counts[0] += 1
            b = bounds[team]
            next_arrival[team] = t + gaps[team, position[team, 0]] / b
            position[team, 0] += 1
            pending_bound[team] = b
        kept = 0
        for i in range(patients[team]):
            if discharge_at[team, i] < until:
                counts[1] += 1
            else:
                discharge_at[team, kept] = discharge_at[team, i]
                kept += 1
        patients[team] = kept
    return DONE


@njit(cache=True)
def binomial_counts(u: np.ndarray, n: np.ndarray, p: np.ndarray, pmf0: np.ndarray) -> np.ndarray:
    """``common.binomial_quantile`` with ``pmf0 = (1 - q) ** n`` (``q`` the smaller of p and
    1 - p) computed by the caller in numpy: the pmf's recurrence, its cumulative sum and the
    count of CDF values below the uniform, term for term as ``_count_below`` computes them
    (every column of its arrays is one ward's), stopping at the first CDF value at or above
    the uniform (the CDF does not decrease, so the count is the same) and counting on to the
    largest ``n`` of the wards with n >= 2, as the cut-off's second pass does."""
    m = len(n)
    out = np.zeros(m, dtype=np.int64)
    most = 0
    for j in range(m):
        if n[j] > 1 and n[j] > most:
            most = n[j]
    for j in range(m):
        nj = n[j]
        if nj <= 1:
            out[j] = 1 if (nj == 1 and u[j] > 1.0 - p[j]) else 0
            continue
        flip = p[j] > 0.5
        q = 1.0 - p[j] if flip else p[j]
        v = 1.0 - u[j] if flip else u[j]
        ratio = q / (1.0 - q)
        base = pmf0[j]
        cdf = base
        below = 0
        if cdf < v:
            below = 1
            step = 1.0
            for k in range(most):
                factor = (max(nj - k, 0) * (1.0 / (k + 1))) * ratio      # pmf(k + 1) / pmf(k)
                step = factor if k == 0 else step * factor              # their running product
                cdf = cdf + step * base
                if cdf < v:
                    below += 1
                else:
                    break
        below = nj - below if flip else below
        out[j] = below if below < nj else nj
    return out


#: Rows of :func:`staff_sums`' result, per team.
RN_AVAILABLE, HCA_AVAILABLE, HEAD, AVAILABLE, BURNT, INEXPERIENCE, AVAILABLE_FTE, DEVELOPED, EXHAUSTION = range(9)


@njit(cache=True)
def staff_sums(n_teams: int, team: np.ndarray, role: np.ndarray, active: np.ndarray, sick: np.ndarray,
               fte: np.ndarray, exhaustion: np.ndarray, burnt_weight: np.ndarray, inexperience: np.ndarray,
               development_u: np.ndarray, development_share: float) -> tuple[np.ndarray, np.ndarray]:
    """The staffing step's per-team sums in one pass over the post slots: who is available
    (in post, not off sick) and, per team (rows above), the RN and HCA FTE available, head
    count, staff available, burnt-out weight, FTE-weighted inexperience available, FTE
    available, staff with leadership development, and exhaustion summed over staff
    available. Each sum adds its slots in slot order, as ``np.bincount`` with weights does;
    a slot whose weight is zero is skipped (adding +0.0 changes no sum)."""
    n = len(team)
    available = np.empty(n, dtype=np.bool_)
    out = np.zeros((9, n_teams))
    for i in range(n):
        t = team[i]
        avail = active[i] and not sick[i]
        available[i] = avail
        if active[i]:
            out[HEAD, t] += 1.0
            out[BURNT, t] += burnt_weight[i]
            if development_u[i] < development_share:
                out[DEVELOPED, t] += 1.0
        if avail:
            if role[i] == 0:
                out[RN_AVAILABLE, t] += fte[i]
            else:
                out[HCA_AVAILABLE, t] += fte[i]
            out[AVAILABLE, t] += 1.0
            out[INEXPERIENCE, t] += fte[i] * inexperience[i]
            out[AVAILABLE_FTE, t] += fte[i]
            out[EXHAUSTION, t] += exhaustion[i]
    return available, out


@njit(cache=True)
def mutual_aid(rn_on_duty: np.ndarray, patients: np.ndarray, willingness: np.ndarray, crisis_ppn: float,
               donor_limit_ppn: float, max_lend_share: float, donors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``staffing.mutual_aid`` (see there), elementwise as its numpy passes compute it: in each
    pass (a row of ``donors``, a permutation of the teams) every team's need and spare come
    from the RN on duty before the pass; then every team receives, then every donor gives."""
    n = len(rn_on_duty)
    rn = rn_on_duty.astype(np.float64)
    lent = np.zeros(n)
    need = np.empty(n)
    spare = np.empty(n)
    give = np.empty(n)
    for d in range(donors.shape[0]):
        donor = donors[d]
        for j in range(n):
            x = patients[j] / crisis_ppn - rn[j]
            need[j] = x if x > 0.0 else 0.0
            y = rn[j] - patients[j] / donor_limit_ppn
            spare[j] = (y if y > 0.0 else 0.0) * max_lend_share
        for j in range(n):
            a, b = willingness[j], willingness[donor[j]]
            w = a if a <= b else b
            g = spare[donor[j]] * w
            g = need[j] if need[j] <= g else g
            give[j] = g if need[j] > 0 else 0.0
        for j in range(n):
            rn[j] += give[j]
        for j in range(n):
            rn[donor[j]] -= give[j]
            lent[donor[j]] += give[j]
    return rn, lent


@njit(cache=True)
def leaving_log_hazard(exhaustion: np.ndarray, psafe: np.ndarray, bullying: np.ndarray, engagement: np.ndarray,
                       team: np.ndarray, exhaustion_coef: float, psafe_coef: float, bullying_coef: float,
                       engagement_coef: float) -> np.ndarray:
    """The log hazard ratio of ``leaving.resignation_annual_rate`` per slot (team states
    read through ``team``), in its order of operations."""
    out = np.empty(len(exhaustion))
    for i in range(len(exhaustion)):
        t = team[i]
        out[i] = (exhaustion_coef * (exhaustion[i] - 0.5) + psafe_coef * (0.5 - psafe[t])
                  + bullying_coef * bullying[t] + engagement_coef * (0.5 - engagement[i]))
    return out


@njit(cache=True)
def negative_daily_rate(hazard_ratio: np.ndarray, scale: float, tenure: np.ndarray, new_starter_years: float,
                        new_starter_multiplier: float) -> np.ndarray:
    """``-annual rate / 365`` per slot, the annual rate being ``scale x hazard_ratio``, times
    ``new_starter_multiplier`` where tenure < ``new_starter_years`` (-inf: never): the
    argument of ``common.daily_probability``'s ``expm1`` (which the caller applies in numpy)."""
    out = np.empty(len(hazard_ratio))
    for i in range(len(hazard_ratio)):
        rate = (scale * hazard_ratio[i]) * (new_starter_multiplier if tenure[i] < new_starter_years else 1.0)
        out[i] = -rate / 365.0
    return out


@njit(cache=True)
def bernoulli_events(eligible: np.ndarray, u: np.ndarray, expm1_negative: np.ndarray) -> np.ndarray:
    """The eligible slots whose uniform is below their daily probability
    ``-expm1_negative`` (``common.daily_probability``), in slot order."""
    out = np.empty(len(u), dtype=np.int64)
    k = 0
    for i in range(len(u)):
        if eligible[i] and u[i] < -expm1_negative[i]:
            out[k] = i
            k += 1
    return out[:k]


@njit(cache=True)
def leaving_events(active: np.ndarray, resigned: np.ndarray, age: np.ndarray, u: np.ndarray,
                   expm1_negative: np.ndarray, retirement: bool, p_retire: float, retirement_age: float,
                   max_age: float) -> tuple[np.ndarray, np.ndarray]:
    """``leaving.daily``'s decisions: of the staff in post not already serving notice, who
    retires (uniform below the retirement probability: ``p_retire`` from
    ``retirement_age``, certain from ``max_age``) and who resigns (below it plus the
    resignation probability ``-expm1_negative``); each is marked as serving notice.
    Returns the slots in order and whether each retires."""
    n = len(u)
    slots = np.empty(n, dtype=np.int64)
    retires = np.empty(n, dtype=np.bool_)
    k = 0
    for i in range(n):
        if not active[i] or resigned[i]:
            continue
        p_ret = 0.0
        if retirement:
            p_ret = p_retire if age[i] >= retirement_age else 0.0
            p_ret = 1.0 if age[i] >= max_age else p_ret
        retire = u[i] < p_ret
        if retire or u[i] < p_ret + -expm1_negative[i]:
            resigned[i] = True
            slots[k] = i
            retires[k] = retire
            k += 1
    return slots[:k], retires[:k]


@njit(cache=True)
def _clip01(x: float) -> float:
    """``np.clip(x, 0.0, 1.0)`` for one float, as numpy's clip loop computes it."""
    if x != x:
        return x
    y = x if x > 0.0 else 0.0
    return y if y < 1.0 else 1.0


@njit(cache=True)
def exhaustion_engagement(active: np.ndarray, team: np.ndarray, exhaustion: np.ndarray, engagement: np.ndarray,
                          susceptibility: np.ndarray, peer_u: np.ndarray, peer_share: float, peer_support: bool,
                          stress_t: np.ndarray, climate_t: np.ndarray, psafe: np.ndarray, z: np.ndarray,
                          noise_sd: float, recovery_rate: float, leader_support_recovery: float,
                          peer_support_recovery: float, update_exhaustion: bool, engagement_base: float,
                          engagement_psafe_coef: float, engagement_exhaustion_coef: float,
                          engagement_timescale: float) -> tuple[np.ndarray, np.ndarray]:
    """``exhaustion.daily`` per slot of staff in post: exhaustion by ``common.exhaustion_step``
    with ``exhaustion.exhaustion_rates``' stress and recovery (the team's stress and climate
    given) and noise ``noise_sd x z``; then engagement toward ``culture.engagement_target``.
    New arrays (slots not in post keep their values), in the functions' order of operations."""
    n = len(exhaustion)
    E = exhaustion.copy()
    eng = engagement.copy()
    for i in range(n):
        if not active[i]:
            continue
        t = team[i]
        if update_exhaustion:
            peer = 1.0 if (peer_support and peer_u[i] < peer_share) else 0.0
            recovery = recovery_rate * (1.0 + leader_support_recovery * climate_t[t] + peer_support_recovery * peer)
            stress = susceptibility[i] * stress_t[t]
            e = exhaustion[i]
            E[i] = _clip01(e + stress * (1.0 - e) - recovery * e + noise_sd * z[i])
        target = _clip01(engagement_base + engagement_psafe_coef * (psafe[t] - 0.5)
                         - engagement_exhaustion_coef * (E[i] - 0.5))
        eng[i] = engagement[i] + (target - engagement[i]) / engagement_timescale
    return E, eng


@njit(cache=True)
def _at_least(x: float, floor: float) -> float:
    """``np.maximum(x, floor)`` for one float (x is never NaN here)."""
    return x if x >= floor else floor


@njit(cache=True)
def staffing_cover(sums: np.ndarray, est_fte: np.ndarray, fill: float,
                   presence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The staffing step's cover before mutual aid, per team: the RN and HCA WTE gaps below
    establishment, the bank/agency share ``fill`` of each, and the RNs on duty."""
    T = sums.shape[1]
    gap_rn, gap_hca, agency_rn, agency_hca, rn_duty = (np.empty(T), np.empty(T), np.empty(T), np.empty(T),
                                                       np.empty(T))
    for t in range(T):
        x = est_fte[t, 0] - sums[RN_AVAILABLE, t]
        gap_rn[t] = x if x > 0.0 else 0.0
        y = est_fte[t, 1] - sums[HCA_AVAILABLE, t]
        gap_hca[t] = y if y > 0.0 else 0.0
        agency_rn[t] = fill * gap_rn[t]
        agency_hca[t] = fill * gap_hca[t]
        rn_duty[t] = (sums[RN_AVAILABLE, t] + agency_rn[t]) * presence
    return gap_rn, gap_hca, agency_rn, agency_hca, rn_duty


#: Rows of :func:`staffing_rates`' result, per team.
HCA_SHORTFALL, AGENCY, GAP, PATIENTS_PER_RN, MEAN_EXHAUSTION, BURNT_SHARE, INEXPERIENCE_SHARE, \
    DEVELOPMENT_SHARE, VACANT, VACANCY = range(10)


@njit(cache=True)
def staffing_rates(sums: np.ndarray, patients: np.ndarray, rn_duty: np.ndarray, est_fte: np.ndarray,
                   est: np.ndarray, in_post: np.ndarray, gap_rn: np.ndarray, gap_hca: np.ndarray,
                   agency_rn: np.ndarray, agency_hca: np.ndarray, agency_inexperience: float) -> np.ndarray:
    """The staffing step's per-team rates after mutual aid (rows above), as its numpy
    expressions compute them (``np.maximum`` with a floor, ``np.divide`` where the
    denominator is positive, integer vacancies)."""
    T = sums.shape[1]
    out = np.empty((10, T))
    for t in range(T):
        hca_est = est_fte[t, 1]
        covered = (sums[HCA_AVAILABLE, t] + agency_hca[t]) / hca_est if hca_est > 0 else 1.0
        short = 1 - covered
        out[HCA_SHORTFALL, t] = short if short > 0.0 else 0.0
        agency = agency_rn[t] + agency_hca[t]
        out[AGENCY, t] = agency
        out[GAP, t] = gap_rn[t] + gap_hca[t]
        out[PATIENTS_PER_RN, t] = patients[t] / _at_least(rn_duty[t], 0.5)
        out[MEAN_EXHAUSTION, t] = sums[EXHAUSTION, t] / _at_least(sums[AVAILABLE, t], 1.0)
        out[BURNT_SHARE, t] = sums[BURNT, t] / _at_least(sums[HEAD, t], 1.0)
        out[INEXPERIENCE_SHARE, t] = ((sums[INEXPERIENCE, t] + agency * agency_inexperience)
                                      / _at_least(sums[AVAILABLE_FTE, t] + agency, 1e-9))
        out[DEVELOPMENT_SHARE, t] = sums[DEVELOPED, t] / _at_least(sums[HEAD, t], 1.0)
        vacant = max(0, est[t, 0] - in_post[t, 0]) + max(0, est[t, 1] - in_post[t, 1])
        out[VACANT, t] = vacant
        out[VACANCY, t] = vacant / max(est[t, 0] + est[t, 1], 1)
    return out


@njit(cache=True)
def learn(learning: np.ndarray, willingness: np.ndarray, donors: np.ndarray, team: int, gain_value: float,
          share: float, shared: bool) -> None:
    """``reporting.incident_review``'s learning, in place: ``team`` gains ``gain_value``, its
    ring neighbours a share (``reporting.share_learning``, when ``shared``), each team's
    learning moving that far toward 1; over every team, as the numpy expressions did."""
    T = len(learning)
    gain = np.zeros(T)
    gain[team] = gain_value
    if shared:
        received = np.zeros(T)
        for d in range(donors.shape[0]):
            for j in range(T):
                a, b = willingness[j], willingness[donors[d, j]]
                w = a if a <= b else b
                received[j] += share * w * gain[donors[d, j]]
        for j in range(T):
            gain[j] += received[j]
    for j in range(T):
        learning[j] += gain[j] * (1.0 - learning[j])


@njit(cache=True)
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """numpy's pairwise summation of a block ``a[lo:lo + n]``, n <= 128: sequential below 8,
    else eight accumulators combined as a tree, then the rest (``DOUBLE_pairwise_sum``)."""
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    whole = n - (n % 8)
    while i < whole:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def array_sum(a: np.ndarray) -> float:
    """``a.sum()`` of a contiguous float64 array, as numpy adds it up: 0.0 plus the pairwise
    sum, which halves a segment above 128 values (the first half a multiple of 8) and adds
    the halves' sums. The halving is walked with an explicit stack (numba cannot cache a
    recursive function)."""
    lo = np.empty(64, dtype=np.int64)
    size = np.empty(64, dtype=np.int64)
    stage = np.empty(64, dtype=np.int64)          # 0 new, 1 left half done, 2 right half done
    left = np.empty(64)
    lo[0], size[0], stage[0] = 0, len(a), 0
    depth = 1
    value = 0.0                                   # the sum the last finished segment returned
    while depth > 0:
        k = depth - 1
        if stage[k] == 0:
            if size[k] <= 128:
                value = _block_sum(a, lo[k], size[k])
                depth -= 1
                continue
            half = size[k] // 2
            half -= half % 8
            stage[k] = 1
            lo[depth], size[depth], stage[depth] = lo[k], half, 0
            depth += 1
        elif stage[k] == 1:
            left[k] = value
            half = size[k] // 2
            half -= half % 8
            stage[k] = 2
            lo[depth], size[depth], stage[depth] = lo[k] + half, size[k] - half, 0
            depth += 1
        else:
            value = left[k] + value
            depth -= 1
    return 0.0 + value


@njit(cache=True)
def mean_where(x: np.ndarray, where: np.ndarray) -> float:
    """``month.mean_or_zero(x[where])``: numpy's sum of the selected values over their count."""
    picked = x[where]
    return array_sum(picked) / len(picked) if len(picked) else 0.0


@njit(cache=True)
def accumulate_day(vacant_t: np.ndarray, est_t: np.ndarray, burnt_t: np.ndarray, head_t: np.ndarray,
                   ppn_t: np.ndarray, patient_days_t: np.ndarray, missed_t: np.ndarray, adverse_t: np.ndarray,
                   psafe_t: np.ndarray, vacant: np.ndarray, est: np.ndarray, burnt: np.ndarray, head: np.ndarray,
                   ppn: np.ndarray, patients: np.ndarray, missed: np.ndarray, adverse: np.ndarray,
                   psafe: np.ndarray, fte: np.ndarray, active: np.ndarray, sick: np.ndarray,
                   engagement: np.ndarray, rn_on_duty: np.ndarray, agency: np.ndarray, gap: np.ndarray,
                   lent: np.ndarray, bullying: np.ndarray, learning: np.ndarray, leader_exhaustion: np.ndarray,
                   leader_compassion: np.ndarray) -> np.ndarray:
    """``month.accumulate``'s array work: adds the day's per-team figures into the month's
    per-team accumulators (in place), and returns the day's sums and means (numpy's
    pairwise sums, over the same arrays): burnt, head, sick FTE, contracted FTE, RNs on
    duty, agency, gap, lent, mean engagement of staff in post, and the means of bullying,
    learning, leader exhaustion and leader compassion."""
    T = len(vacant_t)
    for t in range(T):
        vacant_t[t] += vacant[t]
        est_t[t] += est[t, 0] + est[t, 1]
        burnt_t[t] += burnt[t]
        head_t[t] += head[t]
        ppn_t[t] += ppn[t]
        patient_days_t[t] += patients[t]
        missed_t[t] += missed[t]
        adverse_t[t] += adverse[t]
        psafe_t[t] += psafe[t]
    n = len(fte)
    sick_fte = np.empty(n)
    contract_fte = np.empty(n)
    for i in range(n):
        sick_fte[i] = fte[i] * (1.0 if (active[i] and sick[i]) else 0.0)
        contract_fte[i] = fte[i] * (1.0 if active[i] else 0.0)
    out = np.empty(13)
    out[0] = array_sum(burnt)
    out[1] = array_sum(head)
    out[2] = array_sum(sick_fte)
    out[3] = array_sum(contract_fte)
    out[4] = array_sum(rn_on_duty)
    out[5] = array_sum(agency)
    out[6] = array_sum(gap)
    out[7] = array_sum(lent)
    out[8] = mean_where(engagement, active)
    out[9] = array_sum(bullying) / len(bullying) if len(bullying) else 0.0
    out[10] = array_sum(learning) / len(learning) if len(learning) else 0.0
    out[11] = array_sum(leader_exhaustion) / len(leader_exhaustion) if len(leader_exhaustion) else 0.0
    out[12] = array_sum(leader_compassion) / len(leader_compassion) if len(leader_compassion) else 0.0
    return out


@njit(cache=True)
def care_logits(ppn: np.ndarray, log_workload: np.ndarray, exhaustion: np.ndarray, inexperience: np.ndarray,
                hca_shortfall: np.ndarray, learning: np.ndarray, missed: np.ndarray, adverse: np.ndarray) -> np.ndarray:
    """Minus the log-odds of missed care then of an adverse event per ward (2 x wards), as
    ``quality.missed_care_probability`` and ``adverse_event_probability`` sum their terms;
    ``log_workload`` is numpy's log of patients per RN over the reference. ``missed`` holds
    (logit of the base, workload, exhaustion, inexperience, HCA shortfall, learning
    coefficients); ``adverse`` (logit of the base, log odds per patient, reference patients
    per RN, exhaustion, inexperience, learning coefficients)."""
    T = len(ppn)
    out = np.empty(2 * T)
    for t in range(T):
        x = (missed[0] + missed[1] * log_workload[t] + missed[2] * (exhaustion[t] - 0.5)
             + missed[3] * inexperience[t] + missed[4] * hca_shortfall[t] - missed[5] * learning[t])
        out[t] = -x
        y = (adverse[0] + adverse[1] * (ppn[t] - adverse[2]) + adverse[3] * (exhaustion[t] - 0.5)
             + adverse[4] * inexperience[t] - adverse[5] * learning[t])
        out[T + t] = -y
    return out


@njit(cache=True)
def expit_and_base(exp_neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``expit`` from numpy's ``exp(-x)`` (``1 / (1 + exp(-x))``), and ``1 - q`` (q the
    smaller of p and 1 - p), the base of ``binomial_quantile``'s ``(1 - q) ** n``."""
    n = len(exp_neg)
    p = np.empty(n)
    base = np.empty(n)
    for i in range(n):
        p[i] = 1.0 / (1.0 + exp_neg[i])
        q = 1.0 - p[i] if p[i] > 0.5 else p[i]
        base[i] = 1.0 - q
    return p, base


@njit(cache=True)
def leader_styles(compassion: np.ndarray, collaboration: np.ndarray, exhaustion: np.ndarray, present: np.ndarray,
                  shift: float, loss: float, interim: float, collaboration_shift: float) -> tuple[np.ndarray, np.ndarray]:
    """``leaders.update_styles``: effective compassion (``leaders.effective_compassion``) and
    willingness to collaborate per leader post, in the functional forms' order."""
    T = len(compassion)
    eff = np.empty(T)
    willing = np.empty(T)
    for t in range(T):
        eff[t] = _clip01(compassion[t] + shift) * (1.0 - loss * exhaustion[t]) if present[t] else interim
        willing[t] = _clip01(collaboration[t] + collaboration_shift) if present[t] else 0.0
    return eff, willing


@njit(cache=True)
def bullying_logit(psafe: np.ndarray, team_exhaustion: np.ndarray, psafe_min: float, psafe_max: float,
                   blame_coef: float, exhaustion_coef: float) -> np.ndarray:
    """The exponent of ``culture.bullying_prevalence`` per team, with the team's climate
    (``culture.climate``) for its compassion; numpy's exp follows (``bullying_from``)."""
    T = len(psafe)
    span = psafe_max - psafe_min
    out = np.empty(T)
    for t in range(T):
        clim = _clip01((psafe[t] - psafe_min) / span) if span > 0.0 else 0.5
        out[t] = blame_coef * ((1.0 - clim) - 0.5) + exhaustion_coef * (team_exhaustion[t] - 0.5)
    return out


@njit(cache=True)
def culture_drift(psafe: np.ndarray, eff_compassion: np.ndarray, present: np.ndarray, tenure: np.ndarray,
                  induction_days: float, psafe_min: float, psafe_max: float, timescale: float,
                  development_share: np.ndarray, speedup: float, bullying: np.ndarray, erosion: float) -> np.ndarray:
    """``culture.psafe_step`` toward ``psafe_target(leader_support(...))`` per team, as the
    functional forms compute them (a new array)."""
    T = len(psafe)
    out = np.empty(T)
    for t in range(T):
        if induction_days > 0:
            r = tenure[t] / induction_days
            ramp = 0.5 + 0.5 * (1.0 if r >= 1.0 else r)
        else:
            ramp = 1.0
        support = eff_compassion[t] * ramp if present[t] else 0.5 * eff_compassion[t]
        target = psafe_min + (psafe_max - psafe_min) * support
        rate = (1.0 + speedup * development_share[t] if target > psafe[t] else 1.0) / timescale
        rate = rate if rate <= 1.0 else 1.0
        out[t] = _clip01(psafe[t] + rate * (target - psafe[t]) - erosion * bullying[t])
    return out


@njit(cache=True)
def leader_exhaustion(exhaustion: np.ndarray, present: np.ndarray, willingness: np.ndarray, burnt_share: np.ndarray,
                      vacancy: np.ndarray, peer_support: float, base_stress: float, team_problem_stress: float,
                      isolation_stress: float, recovery: float, exhaustion_coef: float) -> tuple[np.ndarray, np.ndarray]:
    """``leaders.daily``'s wellbeing: each present leader's exhaustion by
    ``common.exhaustion_step`` (stress from team problems and isolation, no noise), and the
    log hazard ratio of departure from the new level; in the functional forms' order."""
    T = len(exhaustion)
    E = np.empty(T)
    log_hr = np.empty(T)
    for t in range(T):
        e = exhaustion[t]
        if present[t]:
            isolation = (1.0 - willingness[t]) * (1.0 - peer_support)
            stress = base_stress + team_problem_stress * (burnt_share[t] + vacancy[t]) + isolation_stress * isolation
            e = _clip01(e + stress * (1.0 - e) - recovery * e + 0.0)
        E[t] = e
        log_hr[t] = exhaustion_coef * (e - 0.5)
    return E, log_hr
