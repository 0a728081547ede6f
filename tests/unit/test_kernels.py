"""Unit tier: the compiled kernels (sim/kernels.py) give the very numbers of the numpy code
they replaced, kept here as the reference."""

from __future__ import annotations

import functools
import math

import numpy as np

from sim.mechanisms.common import binomial_quantile
from sim.mechanisms.staffing import mutual_aid, ring_donors

# ----------------------------------------------------------------------- numpy references


def reference_binomial_quantile(u: np.ndarray, n: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """``binomial_quantile`` as it was in numpy (vectorised over k up to a cut-off)."""
    n = np.asarray(n, dtype=np.int64)
    u = np.asarray(u, dtype=float)
    p = np.asarray(prob, dtype=float)
    if n.min(initial=2) > 1:
        return _quantile_many(u, n, p)
    out = ((n == 1) & (u > 1.0 - p)).astype(np.int64)
    many = np.flatnonzero(n > 1)
    if len(many):
        out[many] = _quantile_many(u[many], n[many], p[many])
    return out


def _quantile_many(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    flipped = float(p.max()) > 0.5
    if flipped:
        flip = p > 0.5
        q, v = np.where(flip, 1.0 - p, p), np.where(flip, 1.0 - u, u)
    else:
        q, v = p, u
    most = int(n.max())
    mean = float((n * q).max())
    cut = min(most, int(mean + 4.0 * math.sqrt(mean) + 2.0))
    below = _count_below(v, n, q, cut)
    if cut < most and int(below.max()) > cut:
        beyond = np.flatnonzero(below > cut)
        below[beyond] = _count_below(v[beyond], n[beyond], q[beyond], most)
    if flipped:
        below = np.where(flip, n - below, below)
    return np.minimum(below, n)


def _count_below(v: np.ndarray, n: np.ndarray, q: np.ndarray, cut: int) -> np.ndarray:
    k, inv = _trial_steps(cut)
    pmf = np.empty((cut + 1, len(n)))
    pmf[0] = (1.0 - q) ** n
    np.cumprod(np.maximum(n - k, 0) * inv * (q / (1.0 - q)), axis=0, out=pmf[1:])
    pmf[1:] *= pmf[0]
    return np.count_nonzero(np.cumsum(pmf, axis=0) < v, axis=0)


@functools.cache
def _trial_steps(most: int) -> tuple[np.ndarray, np.ndarray]:
    k = np.arange(most)[:, None]
    return k, 1.0 / (k + 1)


def reference_mutual_aid(rn_on_duty: np.ndarray, patients: np.ndarray, willingness: np.ndarray, *,
                         crisis_ppn: float, donor_limit_ppn: float, max_lend_share: float,
                         donors: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``staffing.mutual_aid`` as it was in numpy."""
    rn = rn_on_duty.astype(float).copy()
    lent = np.zeros(len(rn))
    for donor in donors:
        need = np.maximum(0.0, patients / crisis_ppn - rn)
        spare = np.maximum(0.0, rn - patients / donor_limit_ppn) * max_lend_share
        w = np.minimum(willingness, willingness[donor])
        give = np.minimum(need, spare[donor] * w)
        give = np.where(need > 0, give, 0.0)
        rn += give
        rn[donor] -= give
        lent[donor] += give
    return rn, lent


# ----------------------------------------------------------------------- tests


def test_binomial_quantile_matches_the_numpy_reference_exactly() -> None:
    rng = np.random.default_rng(3)
    for _ in range(300):
        m = int(rng.integers(1, 80))
        n = rng.integers(0, 60, m) if rng.random() < 0.5 else rng.integers(2, 400, m)
        p = rng.choice([rng.uniform(0, 0.02, m), rng.uniform(0, 1, m), rng.uniform(0.9, 1, m)])
        u = rng.random(m)
        u[rng.random(m) < 0.05] = 1 - 1e-16               # far tails: the second pass, and beyond n
        assert binomial_quantile(u, n, p).tolist() == reference_binomial_quantile(u, n, p).tolist()


def test_mutual_aid_matches_the_numpy_reference_exactly() -> None:
    rng = np.random.default_rng(4)
    for _ in range(200):
        k, per = int(rng.integers(1, 4)), int(rng.integers(1, 40))
        n = k * per
        rn, patients = rng.uniform(0, 8, n), rng.integers(0, 40, n).astype(float)
        willing = np.where(rng.random(n) < 0.2, 0.0, rng.random(n))
        kw = dict(crisis_ppn=float(rng.uniform(5, 12)), donor_limit_ppn=float(rng.uniform(4, 9)),
                  max_lend_share=float(rng.random()), donors=ring_donors(k, per))
        got, want = mutual_aid(rn, patients, willing, **kw), reference_mutual_aid(rn, patients, willing, **kw)
        assert got[0].tobytes() == want[0].tobytes() and got[1].tobytes() == want[1].tobytes()


def test_the_steps_daily_probabilities_are_the_functional_forms() -> None:
    """sickness.daily and leaving.daily compute daily_probability(annual rate) through
    kernels.negative_daily_rate with numpy's exp and expm1: the very same numbers."""
    from sim import kernels
    from sim.mechanisms.common import daily_probability
    from sim.mechanisms.leaving import resignation_annual_rate
    from sim.mechanisms.sickness import sickness_annual_rate

    rng = np.random.default_rng(5)
    n, T = 3000, 40
    E, eng, tenure = rng.random(n), rng.random(n), rng.uniform(0, 3, n)
    team = rng.integers(0, T, n)
    psafe, bullying = rng.random(T), rng.uniform(0, 0.3, T)
    want = daily_probability(sickness_annual_rate(E, 0.85, 2.2))
    got = -np.expm1(kernels.negative_daily_rate(np.exp(2.2 * E), 0.85, tenure, -np.inf, 1.0))
    assert got.tobytes() == want.tobytes()
    coef = dict(exhaustion_coef=1.7, psafe_coef=0.9, bullying_coef=2.1, engagement_coef=0.6)
    want = daily_probability(resignation_annual_rate(
        E, psafe[team], bullying[team], eng, tenure < 1.0, base=0.068, new_starter_multiplier=1.6,
        pay_multiplier=0.9, **coef))
    log_hr = kernels.leaving_log_hazard(E, psafe, bullying, eng, team, *coef.values())
    got = -np.expm1(kernels.negative_daily_rate(np.exp(log_hr), 0.068 * 0.9, tenure, 1.0, 1.6))
    assert got.tobytes() == want.tobytes()


def test_array_sum_is_numpys_sum_bit_for_bit() -> None:
    from sim import kernels
    from sim.month import mean_or_zero

    rng = np.random.default_rng(6)
    for n in [*range(0, 300), 511, 512, 513, 1216, 4096, 8191, 8193, 12_345]:
        a = rng.standard_normal(n) * rng.choice([1e-3, 1.0, 1e6], n)
        assert np.float64(kernels.array_sum(a)).tobytes() == np.float64(a.sum()).tobytes()
        where = rng.random(n) < 0.8
        assert kernels.mean_where(a, where) == mean_or_zero(a[where])


def test_compiled_kernels_load_from_the_cache_in_a_fresh_process() -> None:
    """numba's cache (``cache=True``) is what later processes run: a fresh interpreter runs
    a small model on it (a kernel that cannot be cached, e.g. a recursive one, crashes here)."""
    import subprocess
    import sys

    code = ("from sim.config import load_config; from sim.model import Model; "
            "Model(load_config(['organisation=small', 'years=1', 'warmup_years=0']), 0).run(); print('ok')")
    for _ in range(2):                           # the first may compile and write the cache, the second loads it
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_care_quality_steps_probabilities_and_counts_are_the_functional_forms() -> None:
    """quality.daily's kernels give missed_care_probability, adverse_event_probability and
    binomial_quantile's counts bit for bit."""
    from sim import kernels
    from sim.mechanisms.common import logit
    from sim.mechanisms.quality import adverse_event_probability, missed_care_probability

    rng = np.random.default_rng(7)
    T = 57
    ppn, exh, inexp = rng.uniform(0, 20, T), rng.random(T), rng.random(T)
    ppn[:3] = [0.0, 1e-12, 8.0]
    hca, learning, n = rng.random(T), rng.random(T), rng.integers(0, 40, T)
    q = dict(base=0.3, patients_coef=1.1, reference_ppn=8.0, exhaustion_coef=1.3, inexperience_coef=0.7,
             hca_shortfall_coef=0.5, learning_coef=0.9)
    a = dict(base_per_1000=5.0, odds_per_patient=1.2, reference_ppn=8.0, exhaustion_coef=1.1,
             inexperience_coef=0.6, learning_coef=0.8)
    want_p = np.concatenate([missed_care_probability(ppn, exh, inexp, hca, learning, **q),
                             adverse_event_probability(ppn, exh, inexp, learning, **a)])
    log_workload = np.log(np.maximum(ppn, 1e-9) / 8.0)
    missed = np.array([logit(0.3), 1.1, 1.3, 0.7, 0.5, 0.9])
    adverse = np.array([logit(5.0 / 1000.0), np.log(1.2), 8.0, 1.1, 0.6, 0.8])
    p, base = kernels.expit_and_base(np.exp(kernels.care_logits(ppn, log_workload, exh, inexp, hca, learning,
                                                                  missed, adverse)))
    assert p.tobytes() == want_p.tobytes()
    u, nn = rng.random(2 * T), np.concatenate([n, n])
    assert (kernels.binomial_counts(u, nn, p, base ** nn).tolist()
            == reference_binomial_quantile(u, nn, want_p).tolist())


def test_the_culture_and_leadership_kernels_are_the_functional_forms() -> None:
    from sim import kernels
    from sim.mechanisms.culture import bullying_prevalence, climate, psafe_step, psafe_target
    from sim.mechanisms.leaders import effective_compassion, leader_support

    rng = np.random.default_rng(8)
    T = 45
    psafe, exh, eff, dev, bullying = (rng.random(T) for _ in range(5))
    present, tenure = rng.random(T) < 0.8, rng.uniform(0, 400, T)
    for lo, hi, induction in ((0.2, 0.8, 90.0), (0.5, 0.5, 0.0)):
        want = bullying_prevalence(climate(psafe, lo, hi), exh, per_year=0.2, blame_coef=1.5, exhaustion_coef=2.0)
        got = np.minimum(1.0, 0.2 * np.exp(kernels.bullying_logit(psafe, exh, lo, hi, 1.5, 2.0)))
        assert got.tobytes() == want.tobytes()
        target = psafe_target(leader_support(eff, present, tenure, induction), lo, hi)
        want = psafe_step(psafe, target, 540.0, dev, 2.0, bullying, 0.001)
        got = kernels.culture_drift(psafe, eff, present, tenure, induction, lo, hi, 540.0, dev, 2.0, bullying, 0.001)
        assert got.tobytes() == want.tobytes()
    comp, collab = rng.uniform(-0.2, 1.2, T), rng.uniform(-0.2, 1.2, T)
    eff_got, willing = kernels.leader_styles(comp, collab, exh, present, 0.1, 0.4, 0.45, -0.1)
    assert eff_got.tobytes() == effective_compassion(comp, 0.1, exh, 0.4, present, 0.45).tobytes()
    assert willing.tobytes() == np.where(present, np.clip(collab - 0.1, 0.0, 1.0), 0.0).tobytes()


def test_the_leaders_wellbeing_kernel_is_the_functional_forms() -> None:
    from sim import kernels
    from sim.mechanisms.common import exhaustion_step

    rng = np.random.default_rng(9)
    T = 41
    E, willing, burnt, vacancy = (rng.random(T) for _ in range(4))
    present = rng.random(T) < 0.8
    isolation = (1.0 - willing) * (1.0 - 0.3)
    stress = 0.01 + 0.02 * (burnt + vacancy) + 0.015 * isolation
    want = np.where(present, exhaustion_step(E, stress, 0.025), E)
    got, log_hr = kernels.leader_exhaustion(E, present, willing, burnt, vacancy, 0.3, 0.01, 0.02, 0.015, 0.025, 1.7)
    assert got.tobytes() == want.tobytes()
    assert log_hr.tobytes() == (1.7 * (want - 0.5)).tobytes()
