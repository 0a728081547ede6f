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
