"""Unit tier, sim/mechanisms/reputation.py: reputation.

Functional forms checked against values computed by hand.
"""

from __future__ import annotations

import pytest

from sim.mechanisms.reputation import reputation_target


def test_reputation_target_is_neutral_at_references() -> None:
    kw = dict(turnover_coef=3.0, care_coef=1.0, culture_coef=0.8, ref_leaver=0.11, ref_missed=0.25, ref_psafe=0.5)
    assert reputation_target(0.11, 0.25, 0.5, **kw) == pytest.approx(0.5)
    assert reputation_target(0.21, 0.25, 0.5, **kw) == pytest.approx(0.2)
