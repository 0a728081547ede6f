"""Global sensitivity analysis (``analysis: sensitivity``) end to end, and its validation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config import REPO_ROOT, ConfigError, load_config
from sim.sensitivity import rank_parameters, run_sensitivity, with_parameters

PARAMS = ("sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.01, high: 0.03},"
          " {key: exhaustion.workload_elasticity, low: 0.3, high: 0.9},"
          " {key: reporting.blame_staff_involved, low: 1, high: 3}]")
KEYS = ["exhaustion.recovery_rate", "exhaustion.workload_elasticity", "reporting.blame_staff_involved"]
TINY = ["experiment=sensitivity", "organisation=small", "years=1", "outputs.summary_months=6", "n_jobs=2",
        "sensitivity.morris_trajectories=2", "sensitivity.sobol_n=4", "sensitivity.sobol_top=2",
        "sensitivity.replications_per_point=1", PARAMS]
METRICS = ["burnout_prevalence", "leaver_rate", "vacancy_rate", "adverse_events_per_1000"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sens") / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", *TINY, f"hydra.run.dir={out}"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_files_and_status(run_dir: Path) -> None:
    for name in ("morris.csv", "sobol.csv", "samples.csv", "config.yaml", "parameters.csv", "provenance.json",
                 "status.json", "report.html", "figures/morris.png", "figures/sobol.png"):
        assert (run_dir / name).is_file(), name
    assert json.loads((run_dir / "status.json").read_text())["status"] == "completed"
    assert not list(run_dir.rglob(".*.tmp"))
    assert not (run_dir / "timeseries.parquet").exists()


def test_morris_one_finite_row_per_parameter_and_metric(run_dir: Path) -> None:
    morris = pd.read_csv(run_dir / "morris.csv")
    assert list(morris.columns) == ["metric", "parameter", "mu_star", "mu_star_conf", "sigma", "mu"]
    assert len(morris) == len(KEYS) * len(METRICS)
    assert set(zip(morris["metric"], morris["parameter"], strict=True)) == {(m, k) for m in METRICS for k in KEYS}
    assert np.isfinite(morris["mu_star"]).all() and (morris["mu_star"] >= 0).all()
    # recovery of exhaustion must move burnout (the model's core loop)
    burnout = morris[morris["metric"] == "burnout_prevalence"].set_index("parameter")
    assert burnout.loc["exhaustion.recovery_rate", "mu_star"] > 0


def test_sobol_rows_for_the_top_parameters(run_dir: Path) -> None:
    morris = pd.read_csv(run_dir / "morris.csv")
    sobol = pd.read_csv(run_dir / "sobol.csv")
    assert list(sobol.columns) == ["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    top = set(rank_parameters(morris).index[:2])
    assert set(sobol["parameter"]) == top
    assert len(sobol) == 2 * len(METRICS)
    assert np.isfinite(sobol[["S1", "ST"]].to_numpy()).all()


def test_samples_hold_every_evaluated_point(run_dir: Path) -> None:
    samples = pd.read_csv(run_dir / "samples.csv")
    n_morris, n_sobol = 2 * (len(KEYS) + 1), 4 * (2 + 2)
    assert (samples["stage"] == "morris").sum() == n_morris
    assert (samples["stage"] == "sobol").sum() == n_sobol
    assert set(KEYS + METRICS) <= set(samples.columns)
    assert samples[KEYS + METRICS].notna().all().all()
    for sp_key, (lo, hi) in zip(KEYS, [(0.01, 0.03), (0.3, 0.9), (1, 3)], strict=True):
        assert samples[sp_key].between(lo, hi).all()


def test_report_is_self_contained(run_dir: Path) -> None:
    text = (run_dir / "report.html").read_text()
    assert text.count("data:image/png;base64,") == 2
    assert "Morris" in text and "Sobol" in text and "exhaustion.recovery_rate" in text


def test_with_parameters_casts_ints_and_copies() -> None:
    cfg = load_config(["organisation=small"])
    new = with_parameters(cfg, {"reporting.blame_staff_involved": 2.6, "exhaustion.recovery_rate": 0.03})
    assert new.reporting.blame_staff_involved == 3 and isinstance(new.reporting.blame_staff_involved, int)
    assert new.exhaustion.recovery_rate == 0.03
    assert cfg.exhaustion.recovery_rate == 0.02 and cfg.reporting.blame_staff_involved == 2


@pytest.mark.parametrize("param, message", [
    ("{key: exhaustion.no_such_thing, low: 0.01, high: 0.03}", "is not a parameter"),
    ("{key: nosection.recovery_rate, low: 0.01, high: 0.03}", "cannot be scheduled"),
    ("{key: exhaustion.recovery_rate, low: 0.03, high: 0.03}", "must be below"),
    ("{key: exhaustion.recovery_rate, low: 0.05, high: 0.01}", "must be below"),
])
def test_bad_parameter_is_refused(param: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"sensitivity\.parameters\[0\]") as info:
        load_config(["experiment=sensitivity", f"sensitivity.parameters=[{param}]"])
    assert message in str(info.value)


def test_range_outside_the_schema_fails_the_run(tmp_path: Path) -> None:
    cfg = load_config(["experiment=sensitivity", "progress=false",
                       "sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.5, high: 1.5}]"])
    with pytest.raises(ConfigError, match=r"sensitivity\.parameters\[0\].*allowed range"):
        run_sensitivity(cfg, tmp_path)
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["status"] == "failed" and "sensitivity.parameters[0]" in status["error"]


def test_cli_refuses_a_bad_parameter_with_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "sim", "experiment=sensitivity",
                           "sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.03, high: 0.01}]"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 2
    assert "sensitivity.parameters[0]" in proc.stderr
