"""Functional tier: common random numbers that survive divergence (issue 16).

The property itself: a change that affects only some wards of an organisation leaves the
other wards' trajectories identical, bit for bit, until the first interaction through
shared state. With mutual aid and shared learning off and one organisation (no labour
market), the wards of an organisation interact only through its reputation (monthly,
from the organisation's leaver rate, missed care and psychological safety), which sets
every recruitment round's chance of appointing (docs/model.md, "Randomness and common
random numbers").
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pytest

from sim import crn
from sim.config import load_config
from sim.model import Model
from sim.workforce import RN

ISOLATED = ["organisation=small", "years=2", "n_replications=1", "n_jobs=1", "progress=false",
            "mechanisms.mutual_aid=false", "mechanisms.shared_learning=false",
            "demand=shock", "demand.shock_start_month=3", "demand.shock_months=6", "demand.shock_team_share=0.25",
            # from the very start: a shocked ward's arrivals differ from t = 0 of the simulation
            # (its thinning bound is higher), so a warm-up would only move the coupling before month 0
            "warmup_years=0"]
TEAM_METRICS = ("vacancy_rate", "burnout_prevalence", "patients_per_nurse", "missed_care_rate",
                "adverse_events_per_1000", "psychological_safety")
OTHERS = slice(1, None)       # ward 0 is the one changed (the first ward of a small organisation of 4)


def run(*overrides: str, uplift_day: int | None = None) -> Model:
    """One replication; ``uplift_day`` adds 6 RN posts to ward 0 alone on that day (a
    ward-level establishment uplift, which also grows the state arrays)."""
    model = Model(load_config([*ISOLATED, *overrides]), 0)
    if uplift_day is not None:
        def uplift() -> Generator[Any, Any, None]:
            yield model.env.timeout(uplift_day - model.env.now)     # output day uplift_day
            model.teams.posts[0, RN] += 6
            model._refresh_derived()
        model.env.process(uplift())
    model.run()
    return model


def team_series(model: Model) -> np.ndarray:
    """(metric, month, team) of the per-ward monthly metrics."""
    return np.stack([model.recorder.team[m] for m in TEAM_METRICS])


def first_difference(a: np.ndarray, b: np.ndarray) -> int | None:
    """The first month at which two (month,) or (metric, month, ...) arrays differ."""
    month_axis = 0 if a.ndim == 1 else 1
    differs = np.moveaxis(a != b, month_axis, 0).reshape(a.shape[month_axis], -1).any(axis=1)
    months = np.flatnonzero(differs)
    return int(months[0]) if len(months) else None


@pytest.mark.parametrize("change", ["shock", "uplift"])
def test_other_wards_are_identical_until_reputation_first_differs(change: str) -> None:
    # Reference: the same shock with multiplier 1 (no extra demand); changed: ward 0 alone
    # gets 50 % more admissions from month 3, or 6 more RN posts from day 60.
    reference = run("demand.shock_multiplier=1")
    changed = run("demand.shock_multiplier=1.5") if change == "shock" else run("demand.shock_multiplier=1",
                                                                               uplift_day=60)
    ref, new = team_series(reference), team_series(changed)
    start = 3 if change == "shock" else 1
    assert (ref[:, start:, 0] != new[:, start:, 0]).any()                 # the change does act on ward 0
    if change == "uplift":      # (a shocked ward's arrivals differ from the start: its thinning bound is higher)
        assert first_difference(ref[:, :, 0], new[:, :, 0]) == start
    rep_ref, rep_new = reference.recorder.org["reputation"], changed.recorder.org["reputation"]
    coupled = first_difference(rep_ref, rep_new)
    assert coupled is not None and (coupled >= start or change == "shock")
    # Reputation closing month `coupled` first differs: until then, and in that month, every
    # other ward's every metric is identical bit for bit.
    others_from = first_difference(ref[:, :, OTHERS], new[:, :, OTHERS])
    assert others_from is None or others_from > coupled
    np.testing.assert_array_equal(ref[:, :coupled + 1, OTHERS], new[:, :coupled + 1, OTHERS])


@pytest.mark.parametrize("change", ["shock", "uplift"])
def test_without_reputation_other_wards_never_differ(change: str) -> None:
    off = "mechanisms.reputation=false"
    reference = run("demand.shock_multiplier=1", off)
    changed = (run("demand.shock_multiplier=1.5", off) if change == "shock"
               else run("demand.shock_multiplier=1", off, uplift_day=60))
    ref, new = team_series(reference), team_series(changed)
    assert (ref[..., 0] != new[..., 0]).any()
    np.testing.assert_array_equal(ref[..., OTHERS], new[..., OTHERS])
    # ... and so does each of their staff, slot by slot (the uplift appended rows of posts)
    s_ref, s_new = reference.staff, changed.staff
    if change == "uplift":
        assert s_new.capacity > s_ref.capacity
    common = np.arange(s_ref.capacity)
    other = common[s_ref.team[common] != 0]
    for name in ("active", "exhaustion", "age", "fte", "generation", "sick"):
        np.testing.assert_array_equal(getattr(s_ref, name)[other], getattr(s_new, name)[other], err_msg=name)


def test_variance_reduction_measurement_runs_and_pairs() -> None:
    # Two replications of a small organisation for half a year: the table is complete, and a
    # paired difference is far less variable than an independent one for a small change.
    tiny = crn.Comparison("pay", ("leaving.pay_multiplier=1.0",), ("leaving.pay_multiplier=0.97",))
    common = ["organisation=small", "years=1", "n_replications=4", "n_jobs=1", "progress=false"]
    table = crn.measure(tiny, common, seed=3)
    assert table["metric"].tolist() == list(crn.METRICS)
    assert (table["n"] == 4).all()
    # 4 replications estimate a variance ratio roughly: ask for a clear gain on every metric
    # and a large one on most (independent streams give about 1).
    assert (table["vrf_pooled"] > 3).all()
    assert table["vrf_pooled"].median() > 10
