"""Unit tier: tests written for mutants that survived ``make mutation`` (docs/mutation.md),
each a behaviour the other tests did not pin down."""

from __future__ import annotations

import numpy as np

from sim.mechanisms.culture import climate


def test_climate_without_a_range_is_neutral_for_integer_safety_too() -> None:
    got = climate(np.array([0, 1]), 0.5, 0.5)
    assert got.tolist() == [0.5, 0.5] and got.dtype == float


def test_exhaustion_equilibrium_of_whole_number_rates() -> None:
    from sim.mechanisms.exhaustion import exhaustion_equilibrium

    np.testing.assert_allclose(exhaustion_equilibrium(np.array([1, 0]), np.array([3, 0])), [0.25, 0.0])


def test_sickness_trace_names_the_post_and_the_days() -> None:
    from tests.conftest import run_trace

    m = run_trace("mechanisms.sickness=true", "mechanisms.exhaustion=false", "sickness.episodes_per_year=1e5",
                  "sickness.exhaustion_log_hazard=0", "sickness.long_term_share=0", "sickness.short_mean_days=3",
                  "sickness.duration_cv=0", years=1 / 12)
    assert m.trace is not None
    sick = [(t, e, d) for t, e, d in m.trace if e in ("sick", "back")][:2]
    assert sick == [(1.0, "sick", {"slot": 0, "days": 3}), (4.0, "back", {"slot": 0})]
