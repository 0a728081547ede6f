"""Helpers every mechanism shares: hazards, bounded draws, and the day's shared records.

Rates are per day; an annual hazard becomes a daily probability here, once.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

if TYPE_CHECKING:
    from sim.mechanisms.quality import CareDay
    from sim.mechanisms.staffing import StaffingDay

DAYS_PER_YEAR = 365.0


def logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def daily_probability(annual_rate: np.ndarray | float) -> np.ndarray:
    """Chance of an event today under a constant annual hazard."""
    return -np.expm1(-np.asarray(annual_rate, dtype=float) / DAYS_PER_YEAR)


def exhaustion_step(exhaustion: np.ndarray, stress: np.ndarray, recovery: np.ndarray,
                    noise: np.ndarray | float = 0.0) -> np.ndarray:
    """One day of exhaustion: stress fills the headroom, recovery drains the level.

    ``E' = clip(E + stress (1 - E) - recovery E + noise, 0, 1)``; with constant inputs
    the level settles at ``stress / (stress + recovery)``.
    """
    return np.clip(exhaustion + stress * (1.0 - exhaustion) - recovery * exhaustion + noise, 0.0, 1.0)


def gamma_day(u: np.ndarray | float, mean: float, cv: float) -> Any:
    """Whole-day durations, gamma distributed with the given mean and CV (CV 0: fixed),
    rounded half to even and at least one day, by inverse CDF of uniforms ``u`` (``mean``
    a number or an array like ``u``): one
    uniform per duration, and a larger mean gives a longer duration from the same uniform
    (common random numbers stay coupled when parameters differ). An int for a scalar ``u``."""
    if cv <= 0.0:
        days = np.maximum(1.0, np.rint(np.broadcast_to(np.asarray(mean, dtype=float), np.shape(u))))
    else:
        shape = 1.0 / cv**2
        days = np.maximum(1.0, np.rint(special.gammaincinv(shape, u) * (np.asarray(mean) / shape)))
    return int(days) if np.ndim(days) == 0 else days.astype(np.int64)


def beta_quantile(u: np.ndarray | float, mean: float, concentration: float) -> Any:
    """A Beta variate parameterised by mean and concentration (degenerate at 0 and 1), by
    inverse CDF of the uniform ``u``: the same uniform gives the same rank whatever the
    mean, so a compassionate and a mixed scenario get the same leaders, only shifted."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(np.shape(u), float(mean)) if np.ndim(u) else float(mean)
    x = special.betaincinv(mean * concentration, (1.0 - mean) * concentration, u)
    return float(x) if np.ndim(x) == 0 else x


def normal_quantile(u: np.ndarray | float) -> Any:
    """A standard normal variate by inverse CDF of the uniform ``u``."""
    return special.ndtri(u)


def binomial_quantile(u: np.ndarray, n: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """Binomial(n_t, p_t) counts per team by inverse CDF of one uniform each: the smallest
    k with CDF(k) >= u_t. A higher probability or more trials give at least as many events
    from the same uniform, and two scenarios' counts are comonotone (the tightest coupling
    of two counts), unlike ``Generator.binomial``, whose use of raw draws depends on its
    parameters.

    Vectorised over k = 0 .. max(n) by the pmf's recurrence; for p > 1/2 through
    ``n - Bin(n, 1 - p)`` (its quantile at 1 - u), so the ratio p / (1 - p) stays <= 1."""
    n = np.asarray(n, dtype=np.int64)
    u = np.asarray(u, dtype=float)
    p = np.asarray(prob, dtype=float)
    if n.min(initial=2) > 1:
        return _quantile_many(u, n, p)
    out = ((n == 1) & (u > 1.0 - p)).astype(np.int64)           # one trial: an event when u > 1 - p
    many = np.flatnonzero(n > 1)
    if len(many):
        out[many] = _quantile_many(u[many], n[many], p[many])
    return out


def _quantile_many(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``binomial_quantile`` for n >= 2: the CDF up to a cut-off k above every mean (mean
    + 4 sd + 2), then, for the rare teams whose uniform lies beyond it, up to n."""
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
    if cut < most and int(below.max()) > cut:                   # CDF(cut) < v: count further
        beyond = np.flatnonzero(below > cut)
        below[beyond] = _count_below(v[beyond], n[beyond], q[beyond], most)
    if flipped:
        below = np.where(flip, n - below, below)
    return np.minimum(below, n)


def _count_below(v: np.ndarray, n: np.ndarray, q: np.ndarray, cut: int) -> np.ndarray:
    """The number of k in 0 .. cut with CDF(k) < v (q <= 1/2: the recurrence cannot overflow)."""
    k, inv = _trial_steps(cut)
    pmf = np.empty((cut + 1, len(n)))
    pmf[0] = (1.0 - q) ** n
    np.cumprod(np.maximum(n - k, 0) * inv * (q / (1.0 - q)), axis=0, out=pmf[1:])
    pmf[1:] *= pmf[0]
    return np.count_nonzero(np.cumsum(pmf, axis=0) < v, axis=0)


@functools.cache
def _trial_steps(most: int) -> tuple[np.ndarray, np.ndarray]:
    """k = 0 .. most - 1 and 1 / (k + 1), as columns (the pmf recurrence's constants)."""
    k = np.arange(most)[:, None]
    return k, 1.0 / (k + 1)


@dataclass(slots=True)
class Today:
    """What the day's steps pass on to later steps: the staffing step fills ``staffing``
    (read by every later step), the care-quality step fills ``care``."""

    staffing: StaffingDay = None  # type: ignore[assignment]
    care: CareDay = None  # type: ignore[assignment]
