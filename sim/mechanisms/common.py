"""Helpers every mechanism shares: hazards, bounded draws, and the day's shared records.

Rates are per day; an annual hazard becomes a daily probability here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

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


def gamma_day(rng: np.random.Generator, mean: float, cv: float) -> int:
    """A whole-day duration, gamma distributed with the given mean and CV (CV 0: fixed),
    rounded half to even and at least one day. A scalar draw: one per sickness episode or
    recruitment round."""
    if cv <= 0.0:
        return max(1, round(float(mean)))
    shape = 1.0 / cv**2
    return max(1, round(rng.gamma(shape, mean / shape)))


def beta_draw(rng: np.random.Generator, mean: float, concentration: float, size: int | None = None) -> Any:
    """A Beta draw parameterised by mean and concentration (degenerate at 0 and 1)."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, float(mean)) if size is not None else float(mean)
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=size)


@dataclass(slots=True)
class Today:
    """What the day's steps pass on to later steps: the staffing step fills ``staffing``
    (read by every later step), the care-quality step fills ``care``."""

    staffing: StaffingDay = None  # type: ignore[assignment]
    care: CareDay = None  # type: ignore[assignment]
