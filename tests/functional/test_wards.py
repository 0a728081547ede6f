"""Wards of different sizes (``organisation.wards``): exact sizes, conservation, equivalence
with equal wards, and organisations of different numbers of wards."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sim.config import ConfigError, Ward, _check_wards, load_config
from sim.mechanisms import staffing
from sim.mechanisms.common import Today
from sim.model import Model
from sim.runner import run_scenario
from tests.conftest import QUIET, org_series

#: name, beds, occupancy, mean stay, RN posts, HCA posts
THREE = [("Acute medical unit", "medical", 20, 0.9, 5.0, 12, 8),
         ("Elective surgery", "surgical", 30, 0.9, 8.0, 20, 10),
         ("Elderly care", "elderly care", 12, 0.75, 20.0, 8, 6)]


def three_ward_config(*overrides: str, quiet: bool = True, vacancies: bool = False):
    base = QUIET if quiet else ["organisation=small", "n_replications=1", "n_jobs=1", "progress=false"]
    cfg = load_config([*base, "mechanisms.mutual_aid=false", *overrides])
    cfg.organisation.wards = [
        Ward(name=n, type=k, beds=b, occupancy=o, los_mean_days=los, rn_posts=rn, hca_posts=hca,
             rn_vacancies=(2 if vacancies and i == 0 else None), hca_vacancies=(1 if vacancies and i == 2 else None))
        for i, (n, k, b, o, los, rn, hca) in enumerate(THREE)]
    return cfg


def test_three_wards_have_their_own_posts_beds_and_workload() -> None:
    m = Model(three_ward_config("years=0.25"), 0)
    assert m.n_teams == 3
    np.testing.assert_array_equal(m.establishment(), [[12, 8], [20, 10], [8, 6]])
    np.testing.assert_array_equal(m.teams.in_post, [[12, 8], [20, 10], [8, 6]])   # no starting vacancies
    np.testing.assert_array_equal(m.teams.patients, [18, 27, 9])                  # beds x occupancy
    assert [m.flow.rate(t, 0.0) for t in range(3)] == pytest.approx([20 * 0.9 / 5, 30 * 0.9 / 8, 12 * 0.75 / 20],
                                                                     rel=1e-12)
    today = Today()
    staffing.daily(m, today)
    presence = m.cfg.staffing.day_presence_per_wte                    # full-time staff, nobody sick
    expected = np.array([18 / (12 * presence), 27 / (20 * presence), 9 / (8 * presence)])
    np.testing.assert_allclose(today.staffing.patients_per_rn, expected, rtol=1e-12)


def test_ward_starting_vacancies() -> None:
    m = Model(three_ward_config("years=0.25", "organisation.initial_vacancy_rate=0.5", vacancies=True), 0)
    # ward 0 RN and ward 2 HCA have their own; the rest follow initial_vacancy_rate (rint(x * 0.5))
    np.testing.assert_array_equal(m.teams.in_post, [[10, 4], [10, 5], [4, 5]])


def test_three_wards_conserve_patients_and_staff_over_a_year() -> None:
    m = Model(three_ward_config("years=1", "warmup_years=0", quiet=False), 0)
    m.run()
    head, hires, leavers = (org_series(m, k) for k in ("headcount", "hires", "leavers"))
    previous = pd.concat([pd.Series([m.initial_headcount]), head[:-1]], ignore_index=True)
    pd.testing.assert_series_equal(head, previous + hires - leavers, check_names=False)
    beds, adm, dis = (org_series(m, k) for k in ("patients_in_beds", "admissions", "discharges"))
    previous = pd.concat([pd.Series([float(m.initial_patients)]), beds[:-1]], ignore_index=True)
    pd.testing.assert_series_equal(beds, previous + adm - dis, check_names=False)
    assert (org_series(m, "establishment") == 64).all()
    # each ward's occupancy follows its own beds x occupancy (Poisson, mean stays 5-20 days)
    days = m.recorder.team["patient_days"].sum(axis=0)
    occupied = days / (m.n_days * np.array([20, 30, 12]))
    np.testing.assert_allclose(occupied, [0.9, 0.9, 0.75], rtol=0.12)


def test_explicit_equal_wards_reproduce_equal_wards() -> None:
    """The same four equal wards given one by one: the same outputs (up to float rounding of sums)."""
    over = ["organisation=small", "years=1", "warmup_years=1", "n_replications=1", "n_jobs=1", "progress=false"]
    plain = run_scenario(load_config(over))
    cfg = load_config(over)
    o = cfg.organisation
    cfg.organisation.wards = [Ward(name=f"w{t}", beds=o.beds_per_team, rn_posts=o.rn_posts_per_team,
                                   hca_posts=o.hca_posts_per_team) for t in range(o.n_teams)]
    wards = run_scenario(cfg)
    pd.testing.assert_frame_equal(plain, wards, check_exact=False, rtol=1e-9)


def test_organisations_of_different_numbers_of_wards() -> None:
    cfg = load_config(["organisation=small", "organisation.n_organisations=2", "years=1", "warmup_years=0",
                       "n_replications=1", "n_jobs=1", "progress=false"])
    cfg.organisation.wards = [Ward(name=f"a{t}", beds=20 + 4 * t, rn_posts=12 + t, hca_posts=8, organisation=0)
                              for t in range(3)] + [Ward(name="b0", beds=28, rn_posts=19, hca_posts=12, organisation=1)]
    m = Model(cfg, 0)
    m.run()
    assert m.org_sizes.tolist() == [3, 1]
    assert (org_series(m, "establishment") == 63 + 31).all()
    by_org = m.recorder.by_organisation
    assert by_org["establishment"][:, 0].tolist() == [63.0] * m.n_months
    assert by_org["establishment"][:, 1].tolist() == [31.0] * m.n_months
    np.testing.assert_array_equal(by_org["headcount"].sum(axis=1), org_series(m, "headcount"))


def test_ring_of_unequal_organisations() -> None:
    left, right = staffing.ring_donors_by_size(np.array([3, 1, 2]))
    assert left.tolist() == [2, 0, 1, 3, 5, 4]
    assert right.tolist() == [1, 2, 0, 3, 4, 5]        # alone or one of two: itself in the second pass
    for equal in (1, 2, 3, 5):
        ring = staffing.ring_donors(2, equal)
        assert [r.tolist() for r in ring] == [r.tolist() for r in staffing.ring_donors_by_size(np.array([equal] * 2))
                                              ][:len(ring)]


@pytest.mark.parametrize(("change", "message"), [
    ({"rn_vacancies": 13}, "rn_vacancies=13 is above its rn_posts=12"),
    ({"organisation": 1}, "organisation.wards[0] (Acute medical unit).organisation=1 is out of range"),
])
def test_bad_wards_are_refused(change: dict, message: str) -> None:
    cfg = three_ward_config()
    for key, value in change.items():
        setattr(cfg.organisation.wards[0], key, value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        _check_wards(cfg.organisation)
