"""The fit's helpers: weighted quantiles, the representative point, writing it into the config."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.design import FreeParameter, total_distance
from sim.calibration.fit import (
    apply_point,
    representative_index,
    representative_point,
    weighted_medians,
    weighted_quantile,
)
from sim.calibration.targets import parse_targets


def test_weighted_median_by_hand() -> None:
    # CDF midpoints: 0.1, 0.3, 0.7 at values 1, 2, 3 (weights 0.2, 0.2, 0.6): median between 2 and 3
    got = weighted_quantile(np.array([3.0, 1.0, 2.0]), np.array([0.6, 0.2, 0.2]), 0.5)
    assert got == pytest.approx(2.5)
    params = (FreeParameter("exhaustion.recovery_rate", 0.0, 10.0, "uniform", ""),)
    post = pd.DataFrame({"exhaustion.recovery_rate": [3.0, 1.0, 2.0], "weight": [0.6, 0.2, 0.2]})
    assert weighted_medians(post, params) == {"exhaustion.recovery_rate": pytest.approx(2.5)}


def test_representative_point_is_the_weighted_medoid_of_the_best_particles() -> None:
    # Particles 1-3 meet every target (distance 0); particle 0 does not, but still weighs
    # in the medoid. Weighted mean |x_i - x_j| over all particles: 0.5 -> 0.25, 0.9 -> 0.51,
    # 0.45 -> 0.24, so particle 3 (an actually simulated point) is the representative.
    params = (FreeParameter("exhaustion.base_stress", 0.0, 1.0, "uniform", ""),)
    post = pd.DataFrame({"exhaustion.base_stress": [0.1, 0.5, 0.9, 0.45], "weight": [0.4, 0.2, 0.2, 0.2],
                         "distance": [0.5, 0.0, 0.0, 0.0]})
    assert representative_index(post, params) == 3
    assert representative_point(post, params) == {"exhaustion.base_stress": 0.45}
    assert representative_index(post.drop(columns="distance"), params) == 3    # without distances: the medoid


def test_joint_distance_is_zero_only_inside_every_range() -> None:
    entry = {"label": "x", "source": "s", "strength": "weak",
             "measure": {"estimator": "mean", "metric": "leaver_rate", "scenario": "mixed", "window": "steady"}}
    targets = parse_targets({"name": "t", "entries": [dict(entry, name="a", low=0.0, high=1.0),
                                                      dict(entry, name="b", low=2.0, high=4.0)]}, "t")
    assert total_distance(targets, {"a": 0.5, "b": 3.0}) == 0.0
    assert total_distance(targets, {"a": 2.0, "b": 5.0}) == pytest.approx(math.hypot(1.0, 0.5))


def test_apply_point_keeps_comments_and_lists_keys_it_cannot_find(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("exhaustion:\n  base_stress: 0.0115          # calibrated (staff survey)\n"
                   "  recovery_rate: 0.02  # assumption\nleaving:\n  exhaustion_coef: 2.0  # RN4CAST\n")
    skipped = apply_point({"exhaustion.recovery_rate": 0.031234, "leaving.exhaustion_coef": 1.5,
                           "leadership.compassion_mean": 0.4}, cfg, source="posterior_x.csv")
    text = cfg.read_text()
    assert "  recovery_rate: 0.03123  # assumption [posterior: posterior_x.csv]" in text
    assert "  exhaustion_coef: 1.5  # RN4CAST [posterior: posterior_x.csv]" in text
    assert "base_stress: 0.0115" in text
    assert skipped == ["leadership.compassion_mean"]
