"""Functional tier: the integrated-care-system scale (several organisations, one labour market)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config import REPO_ROOT
from sim.metrics import ORGANISATION_METRICS, organisation_metric
from sim.model import Model
from sim.runner import run_scenario
from tests.conftest import config, org_series, small

#: Three small organisations (4 wards each), the first with a blame-leaning culture.
SYSTEM = ("organisation.n_organisations=3", "organisation.compassion_offsets=[-0.3,0,0.2]", "years=3")


@pytest.fixture(scope="module")
def system() -> Model:
    model = Model(small(*SYSTEM), 0)
    model.run()
    return model


def by_org(model: Model, metric: str) -> np.ndarray:
    return model.recorder.by_organisation[metric]


def test_ics_is_about_ten_thousand_staff_in_several_organisations() -> None:
    o = config("organisation=ics").organisation
    assert o.n_organisations >= 3
    assert 9_000 <= o.n_organisations * o.n_teams * (o.rn_posts_per_team + o.hca_posts_per_team) <= 11_000


def test_headcount_and_moves_add_up(system: Model) -> None:
    head, hires, leavers = (org_series(system, k) for k in ("headcount", "hires", "leavers"))
    start = system.initial_headcount          # staff in post when the outputs begin (after the warm-up)
    previous = pd.concat([pd.Series([start]), head[:-1]], ignore_index=True)
    pd.testing.assert_series_equal(head, previous + hires - leavers, check_names=False)
    np.testing.assert_array_equal(by_org(system, "headcount").sum(axis=1), head)
    moves = org_series(system, "transfers").to_numpy()
    np.testing.assert_array_equal(by_org(system, "transfers_in").sum(axis=1), moves)
    np.testing.assert_array_equal(by_org(system, "transfers_out").sum(axis=1), moves)
    assert moves.sum() > 0
    assert (moves <= hires.to_numpy()).all()


def test_each_organisation_has_its_own_metrics_in_the_outputs(system: Model) -> None:
    df = system.recorder.to_frame("s", 0, with_teams=True)
    org_rows = df[df["team"].isna()]
    for metric in ORGANISATION_METRICS:
        for k in range(3):
            values = org_rows.loc[org_rows.metric == organisation_metric(metric, k), "value"]
            assert len(values) == system.n_months and values.notna().all(), (metric, k)
    assert df["team"].max() == 3 * 4 - 1
    np.testing.assert_array_equal(by_org(system, "establishment")[0], [124, 124, 124])


def test_blame_culture_loses_staff_to_its_neighbours(system: Model) -> None:
    # A direction of effect, so pooled over replications: one replication of three small
    # organisations moves a dozen staff or so, too few to order them reliably on its own.
    systems = [system] + [Model(small(*SYSTEM), r) for r in range(1, 4)]
    for m in systems[1:]:
        m.run()
    leaver = np.mean([by_org(m, "leaver_rate")[12:].mean(axis=0) for m in systems], axis=0)
    reputation = np.mean([by_org(m, "reputation")[-1] for m in systems], axis=0)
    out = sum(by_org(m, "transfers_out").sum(axis=0) for m in systems)
    into = sum(by_org(m, "transfers_in").sum(axis=0) for m in systems)
    assert leaver[0] > leaver[2]
    assert reputation[0] < reputation[1] < reputation[2]
    assert out[0] > into[0]          # the blame-leaning organisation is a net exporter of staff
    assert into[2] > out[2]          # the most compassionate one a net importer


@pytest.mark.parametrize("off", ["mechanisms.labour_market=false", "labour_market.move_share=0"])
def test_no_moves_without_the_labour_market(off: str) -> None:
    m = Model(small("organisation.n_organisations=2", "years=1", off), 0)
    m.run()
    assert org_series(m, "transfers").sum() == 0


def test_one_organisation_has_no_moves_and_no_per_organisation_rows(small_default: Model) -> None:
    assert org_series(small_default, "transfers").sum() == 0
    assert org_series(small_default, "cross_organisation_aid_rn").sum() == 0
    df = small_default.recorder.to_frame("s", 0, with_teams=False)
    assert not df["metric"].str.contains("@").any()


SHOCK = ("organisation.n_organisations=2", "years=1", "demand=shock", "demand.shock_start_month=0",
         "demand.shock_multiplier=1.6", "demand.shock_team_share=0.5")


def test_collaborative_systems_lend_across_organisation_boundaries() -> None:
    def cross(*extra: str) -> float:
        m = Model(small(*SHOCK, *extra), 0)
        m.run()
        return float(org_series(m, "cross_organisation_aid_rn").sum())

    assert cross("collaboration=collaborative") > 0
    assert cross("collaboration=collaborative", "mechanisms.cross_organisation_aid=false") == 0
    assert cross("collaboration=collaborative", "labour_market.aid_share=0") == 0
    assert cross("collaboration=siloed", "collaboration.collaboration_mean=0") == 0


def test_system_runs_are_deterministic_serial_or_parallel() -> None:
    cfg = small("organisation.n_organisations=2", "years=1", "n_replications=2")
    serial = run_scenario(cfg)
    parallel = run_scenario(small("organisation.n_organisations=2", "years=1", "n_replications=2", "n_jobs=2"))
    pd.testing.assert_frame_equal(serial, parallel)


def test_cli_runs_a_system_and_reports_each_organisation(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", "organisation=small", *SYSTEM[:2], "years=1",
                           "n_replications=2", "progress=false", f"hydra.run.dir={out}"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = pd.read_csv(out / "summary.csv")
    assert {"vacancy_rate@org1", "transfers_in@org3", "transfers"} <= set(summary["metric"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Organisations of the system" in html
    assert "Vacancy rate, organisation 1" in html


@pytest.mark.slow
def test_full_ics_runs_ten_years() -> None:
    m = Model(config("organisation=ics", "years=10", "n_replications=1"), 0)
    m.run()
    assert m.n_teams == 320 and m.n_months == 120
    head = org_series(m, "headcount")
    assert head.notna().all() and 8_000 < head.iloc[-1] < 10_500
    assert org_series(m, "transfers").sum() > 0
