"""Functional tier, property based: invariants over randomly drawn valid configurations.

Hypothesis draws overrides of the small organisation (team count and size, starting
vacancies, demand, leadership and collaboration mix, stress, resignation, recruitment and
sickness rates, a random subset of mechanisms switched off, the seed) over a short
horizon, composes them exactly as ``python -m sim`` would, runs one replication and
checks, every month, the invariants that must hold whatever the parameters:

* every rate or share lies in [0, 1];
* no stock or count is negative, reported incidents never exceed adverse events, and no
  organisation-level metric is NaN;
* staff and patients are conserved month to month;
* headcount never exceeds the establishment (recruitment only appoints into a vacant post);
* the same configuration and seed gives identical outputs.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from sim.config import Config, Mechanisms, load_config
from sim.metrics import CONTRACT_METRICS
from sim.model import Model
from tests.conftest import org_series

MECHANISMS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Mechanisms))

FIXED = ["organisation=small", "n_replications=1", "n_jobs=1", "progress=false"]

RATE_METRICS: tuple[str, ...] = (
    "vacancy_rate", "burnout_prevalence", "sickness_absence_rate", "missed_care_rate",
    "psychological_safety", "agency_cover_share", "reputation", "engagement_mean",
    "exhaustion_mean", "bullying_prevalence", "learning",
)

NON_NEGATIVE_METRICS: tuple[str, ...] = (
    "headcount", "patients_in_beds", "hires", "leavers", "admissions", "discharges",
    "agency_cost", "adverse_events", "reported_incidents", "patients_per_nurse",
)


def _float(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


#: key -> strategy of its value; every range lies inside the schema's allowed range.
PARAMETERS: dict[str, st.SearchStrategy[int | float]] = {
    "organisation.n_organisations": st.integers(1, 3),
    "organisation.n_teams": st.integers(1, 4),
    "organisation.rn_posts_per_team": st.integers(1, 25),
    "organisation.hca_posts_per_team": st.integers(0, 15),
    "organisation.initial_vacancy_rate": _float(0.0, 0.5),
    "demand.occupancy": _float(0.3, 1.3),
    "leadership.compassion_mean": _float(0.0, 1.0),
    "collaboration.collaboration_mean": _float(0.0, 1.0),
    "exhaustion.base_stress": _float(0.0, 0.05),
    "leaving.resignations_per_year": _float(0.0, 0.5),
    "recruitment.success_prob_rn": _float(0.05, 1.0),
    "sickness.episodes_per_year": _float(0.0, 5.0),
}


@st.composite
def overrides(draw: st.DrawFn) -> list[str]:
    """A list of Hydra overrides giving a valid, fast configuration."""
    items = [f"{key}={draw(strategy)!r}" for key, strategy in PARAMETERS.items()]
    off = draw(st.lists(st.sampled_from(MECHANISMS), unique=True, max_size=len(MECHANISMS)))
    items += [f"mechanisms.{name}=false" for name in sorted(off)]
    items.append(f"seed={draw(st.integers(0, 2**32))}")
    if draw(st.booleans()):
        items.append("years=1")
    else:
        items += ["years=0.5", "outputs.summary_months=6"]
    return items


def build(items: list[str]) -> Config:
    return load_config([*items, *FIXED])


def run(items: list[str]) -> Model:
    model = Model(build(items), 0)
    model.run()
    return model


def check_rates(model: Model) -> None:
    for metric in RATE_METRICS:
        values = org_series(model, metric)
        assert values.between(0.0, 1.0).all(), f"{metric} outside [0, 1]: {values.tolist()}"


def check_counts(model: Model) -> None:
    for metric in NON_NEGATIVE_METRICS:
        values = org_series(model, metric)
        assert (values >= 0).all(), f"{metric} negative: {values.tolist()}"
    reported, adverse = org_series(model, "reported_incidents"), org_series(model, "adverse_events")
    assert (reported <= adverse).all(), f"reported {reported.tolist()} > adverse {adverse.tolist()}"
    for metric in CONTRACT_METRICS:
        assert org_series(model, metric).notna().all(), f"{metric} has NaN"
    for metric, values in model.recorder.org.items():
        assert len(values) == model.n_months, metric
        assert np.isfinite(values).all(), f"{metric} not finite: {values.tolist()}"


def check_headcount_conservation(model: Model) -> None:
    head, hires, leavers = (org_series(model, k) for k in ("headcount", "hires", "leavers"))
    start = model.initial_headcount           # staff in post when the outputs begin (after the warm-up)
    previous = pd.concat([pd.Series([start], dtype=float), head[:-1]], ignore_index=True)
    pd.testing.assert_series_equal(head, previous + hires - leavers, check_names=False)


def check_patient_conservation(model: Model) -> None:
    beds, adm, dis = (org_series(model, k) for k in ("patients_in_beds", "admissions", "discharges"))
    previous = pd.concat([pd.Series([float(model.initial_patients)]), beds[:-1]], ignore_index=True)
    pd.testing.assert_series_equal(beds, previous + adm - dis, check_names=False)


def check_headcount_within_establishment(model: Model) -> None:
    # Recruitment opens only est - in_post - recruiting posts and appoints only while
    # in_post < est; the initial state fills est - rint(est x vacancy rate). So in-post
    # staff (who are the active slots, including those serving notice) never exceed est.
    est = float(model.establishment().sum())
    head = org_series(model, "headcount")
    assert (head <= est).all(), f"headcount {head.tolist()} exceeds establishment {est}"
    assert (org_series(model, "establishment") == est).all()
    assert int(model.staff.active.sum()) == int(model.in_post.sum())
    assert (model.in_post <= model.establishment()).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=overrides())
def test_invariants_hold_for_any_valid_configuration(items: list[str]) -> None:
    note(f"overrides: {items}")
    model = run(items)
    assert model.n_months == (12 if "years=1" in items else 6)
    check_rates(model)
    check_counts(model)
    check_headcount_conservation(model)
    check_patient_conservation(model)
    check_headcount_within_establishment(model)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=overrides())
def test_same_configuration_and_seed_give_identical_outputs(items: list[str]) -> None:
    note(f"overrides: {items}")
    first = run(items).recorder.to_frame("s", 0, with_teams=True)
    second = run(items).recorder.to_frame("s", 0, with_teams=True)
    pd.testing.assert_frame_equal(first, second)
