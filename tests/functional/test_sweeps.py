"""Sweeps: experiments with several scenarios, collection, launchers, cost-effectiveness."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.app import scenario_from_overrides, single_run_name
from sim.config import REPO_ROOT

SMALL = ["organisation=small", "years=1", "outputs.summary_months=6", "n_replications=2", "n_jobs=1", "progress=false"]
#: The 2x2's demand surge starts in month 24; a one-year test moves it into the horizon
#: (a surge after the horizon is refused: it would silently never happen).
SURGE_IN_YEAR_1 = "demand.shock_start_month=6"


def sim(*args: str, module: str = "sim") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=600)


@pytest.fixture(scope="module")
def sweep_2x2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "basic"
    proc = sim("experiment=leadership_2x2", *SMALL, SURGE_IN_YEAR_1, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    return out


def test_experiment_runs_all_scenarios_and_collects_them(sweep_2x2: Path) -> None:
    summary = pd.read_csv(sweep_2x2 / "summary.csv")
    assert set(summary["scenario"]) == {"collaborative+compassionate", "collaborative+blame",
                                        "siloed+compassionate", "siloed+blame"}
    diffs = summary[summary["metric"] == "burnout_prevalence"].set_index("scenario")
    assert np.isnan(diffs.loc["siloed+blame", "diff"])                          # the reference
    assert diffs.drop(index="siloed+blame")["diff"].notna().all()
    assert (diffs["n"] == 2).all()
    assert (sweep_2x2 / "report.html").stat().st_size > 10_000
    assert list((sweep_2x2 / "figures").glob("*.png"))
    jobs = pd.read_csv(sweep_2x2 / "jobs.csv")
    assert (jobs["status"] == "completed").all() and len(jobs) == 4
    assert "Four cultures under a demand surge" in (sweep_2x2 / "report.html").read_text()   # named by its experiment


def test_joblib_launcher_gives_identical_results(sweep_2x2: Path, tmp_path: Path) -> None:
    out = tmp_path / "joblib"
    proc = sim("experiment=leadership_2x2", *SMALL, SURGE_IN_YEAR_1, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
               f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"), pd.read_csv(sweep_2x2 / "summary.csv"))


def test_collect_names_a_failed_job_and_collects_the_rest(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    (sweep / "1" / "config.yaml").mkdir(parents=True)         # job 1 cannot write its config: it fails
    first = sim("-m", *SMALL, "n_replications=1,2", f"hydra.sweep.dir={sweep}")
    assert first.returncode == 1 and "Traceback" not in first.stderr
    (sweep / "summary.csv").unlink()
    proc = sim(str(sweep), module="sim.collect")
    assert proc.returncode == 1
    assert "job 1" in proc.stderr and "failed" in proc.stderr and "config.yaml" in proc.stderr
    summary = pd.read_csv(sweep / "summary.csv")
    assert set(summary["scenario"]) == {"baseline"}           # n_replications does not name a scenario
    assert sim(str(tmp_path / "nothing"), module="sim.collect").returncode == 2


def test_scenario_names_from_swept_overrides() -> None:
    assert scenario_from_overrides(["leadership=blame", "collaboration=siloed", "years=3"]) == "siloed+blame"
    assert scenario_from_overrides(["intervention=[peer_support,pay_and_terms]"]) == "peer_support&pay_and_terms"
    assert scenario_from_overrides(["exhaustion.recovery_rate=0.03", "seed=4"]) == "recovery_rate=0.03"
    assert scenario_from_overrides(["leadership=blame", "organisation=small"], swept={"leadership"}) == "blame"


@pytest.mark.slow
def test_interventions_experiment_ranks_every_intervention(tmp_path: Path) -> None:
    out = tmp_path / "iv"
    proc = sim("experiment=interventions", "organisation=small", "years=2", "n_replications=3", "n_jobs=2",
               f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert "ranked by net cost per leaver avoided" in proc.stdout
    ce = pd.read_csv(out / "cost_effectiveness.csv")
    assert len(ce) == 7


def test_single_run_names() -> None:
    assert single_run_name("baseline", []) == "baseline"
    assert single_run_name("baseline", ["years=3", "n_replications=4", "hydra.run.dir=x"]) == "baseline"
    assert single_run_name("baseline", ["organisation=ics"]) == "ics"
    assert single_run_name("baseline", ["leadership=blame", "scenario=baseline"]) == "baseline"   # named by hand
    assert single_run_name("culture_change", ["leadership=blame"]) == "culture_change"            # by an experiment
