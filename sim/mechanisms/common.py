"""Helpers every mechanism shares: hazards, bounded draws, and the day's shared records.

Rates are per day; an annual hazard becomes a daily probability here, once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

from sim.kernels import binomial_counts

if TYPE_CHECKING:
    from sim.mechanisms.quality import CareDay
    from sim.mechanisms.staffing import StaffingDay
    from sim.model import Model

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

    The CDF is summed from k = 0 by the pmf's recurrence (compiled: ``sim.kernels``); for
    p > 1/2 through ``n - Bin(n, 1 - p)`` (its quantile at 1 - u), so the ratio p / (1 - p)
    stays <= 1. ``(1 - p) ** n`` is numpy's, as the recurrence's start."""
    n = np.asarray(n, dtype=np.int64)
    u = np.asarray(u, dtype=float)
    p = np.asarray(prob, dtype=float)
    q = np.where(p > 0.5, 1.0 - p, p)
    return binomial_counts(u, n, p, (1.0 - q) ** n)


def after_each(model: Model, delay: float, callback: Callable[..., None], calls: Sequence[tuple[Any, ...]]) -> None:
    """Call ``callback(*args, event)`` for each ``args`` of ``calls``, in order, after
    ``delay``: one SimPy timeout for the whole batch (a day's sickness episodes, its incident
    reviews). The same as one ``model.after`` per call, in the same order: those timeouts
    would have been consecutive in SimPy's queue (the same time, consecutive event ids, as
    nothing else is scheduled between them), so nothing could run between their callbacks."""
    if calls:
        model.env.timeout(delay).callbacks.append(functools.partial(_call_each, callback, calls))


def _call_each(callback: Callable[..., None], calls: Sequence[tuple[Any, ...]], event: Any) -> None:
    for args in calls:
        callback(*args, event)


@dataclass(slots=True)
class Today:
    """What the day's steps pass on to later steps: the staffing step fills ``staffing``
    (read by every later step), the care-quality step fills ``care``."""

    staffing: StaffingDay = None  # type: ignore[assignment]
    care: CareDay = None  # type: ignore[assignment]
