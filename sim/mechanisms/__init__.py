"""The mechanisms of the model (docs/model.md), one module each.

Each module holds the mechanism's parameter dataclass (its section of the config schema,
re-exported by :mod:`sim.config`), its pure functional forms (unit-tested by hand in
``tests/unit/mechanisms/``), its daily step and its SimPy processes and callbacks. Steps
read the live parameters ``model.p``, so scheduled changes take effect.

``DAILY_STEPS`` is the daily review's order, written once: :meth:`sim.model.Model._day`
runs it and ``bench/run.py`` times it. Each step is ``step(model, today)``; the order
matters (each step reads what earlier ones decided) and so does each step's order of
draws on its named random streams (``sim/streams.py``): common random numbers depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sim import month
from sim.mechanisms import (
    culture,
    demand,
    exhaustion,
    interventions,
    labour_market,
    leaders,
    leaving,
    quality,
    recruitment,
    reporting,
    reputation,
    sickness,
    staffing,
)
from sim.mechanisms.common import (
    DAYS_PER_YEAR,
    Today,
    beta_quantile,
    binomial_quantile,
    daily_probability,
    exhaustion_step,
    expit,
    gamma_day,
    logit,
)
from sim.mechanisms.culture import bullying_prevalence, engagement_target, psafe_step, psafe_target
from sim.mechanisms.exhaustion import relative_overload
from sim.mechanisms.labour_market import cross_organisation_aid
from sim.mechanisms.leaders import effective_compassion, leader_support
from sim.mechanisms.leaving import resignation_annual_rate
from sim.mechanisms.quality import adverse_event_probability, missed_care_probability
from sim.mechanisms.reporting import report_probability, share_learning
from sim.mechanisms.reputation import reputation_target
from sim.mechanisms.sickness import sickness_annual_rate
from sim.mechanisms.staffing import mutual_aid, ring_donors
from sim.month import mean_or_zero

if TYPE_CHECKING:
    from sim.model import Model

DailyStep = Callable[["Model", Today], None]

#: The daily review at mid-day, in order: (name, step). The numbers are the mechanisms' of docs/model.md.
DAILY_STEPS: tuple[tuple[str, DailyStep], ...] = (
    ("leadership", leaders.update_styles),   # 10: styles shown today
    ("staffing", staffing.daily),            # 2 and 11: on duty, cover, workload, mutual aid
    ("care_quality", quality.daily),         # 7: missed care, adverse events
    ("reporting", reporting.daily),          # 8: reported events go to review
    ("culture", culture.daily),              # 9: bullying, psychological safety
    ("learning_decay", reporting.learning_decay),  # 8: learning fades
    ("exhaustion", exhaustion.daily),        # 3: staff exhaustion and engagement
    ("leaders", leaders.daily),              # 10: leaders' exhaustion and departures
    ("sickness", sickness.daily),            # 4
    ("leaving", leaving.daily),              # 5
    ("recruitment", recruitment.daily),      # 6
    ("accumulate", month.accumulate),        # the month's accounts
    ("ageing", staffing.ageing),             # staff age a day
)

__all__ = [
    "DAILY_STEPS", "DAYS_PER_YEAR", "DailyStep", "Today", "adverse_event_probability", "binomial_quantile", "beta_quantile",
    "bullying_prevalence", "cross_organisation_aid", "culture", "daily_probability", "demand",
    "effective_compassion", "engagement_target", "exhaustion", "exhaustion_step", "expit", "gamma_day",
    "interventions", "labour_market", "leader_support", "leaders", "leaving", "logit", "mean_or_zero",
    "missed_care_probability", "mutual_aid", "psafe_step", "psafe_target", "quality", "recruitment",
    "relative_overload", "report_probability", "reporting", "reputation", "reputation_target",
    "resignation_annual_rate", "share_learning", "sickness", "sickness_annual_rate", "staffing", "ring_donors",
]
