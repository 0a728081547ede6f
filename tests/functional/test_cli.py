"""End to end as a user runs it: ``python -m sim ... hydra.run.dir=OUT``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.config import REPO_ROOT
from sim.metrics import CONTRACT_METRICS

ARGS = ["organisation=small", "years=1", "n_replications=2", "n_jobs=2"]


def run_cli(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "sim", *ARGS, *extra, f"hydra.run.dir={out}"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    run_cli(out)
    return out


def test_contract_files_written(run_dir: Path) -> None:
    for name in ("timeseries.parquet", "summary.csv", "config.yaml", "provenance.json", "status.json",
                 "parameters.csv"):
        assert (run_dir / name).is_file(), name
    assert json.loads((run_dir / "status.json").read_text())["status"] == "completed"
    prov = json.loads((run_dir / "provenance.json").read_text())
    assert {"git", "packages", "seed", "started", "finished"} <= set(prov)
    assert not list(run_dir.glob(".*.tmp"))


def test_timeseries_is_tidy_with_every_metric_monthly(run_dir: Path) -> None:
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    assert list(ts.columns) == ["scenario", "replication", "month", "team", "metric", "value"]
    org = ts[ts["team"].isna()]
    counts = org[org["metric"].isin(CONTRACT_METRICS)].groupby(["metric", "replication"])["month"].nunique()
    assert len(counts) == len(CONTRACT_METRICS) * 2
    assert (counts == 12).all()
    assert ts["team"].notna().any()          # per-team rows too
    assert set(ts["scenario"]) == {"small"}   # named after the override that changed the baseline


def test_summary_columns(run_dir: Path) -> None:
    summary = pd.read_csv(run_dir / "summary.csv")
    assert {"scenario", "metric", "mean", "sd", "ci_low", "ci_high"} <= set(summary.columns)
    assert set(CONTRACT_METRICS) <= set(summary["metric"])
    assert (summary["ci_low"] <= summary["mean"]).all() and (summary["mean"] <= summary["ci_high"]).all()


def test_same_command_gives_byte_identical_timeseries(run_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    run_cli(again)
    assert (run_dir / "timeseries.parquet").read_bytes() == (again / "timeseries.parquet").read_bytes()
    assert (run_dir / "summary.csv").read_bytes() == (again / "summary.csv").read_bytes()


def test_a_changed_baseline_is_named_and_described_after_its_changes(tmp_path: Path) -> None:
    # No hydra.run.dir: the default folder results/<name>/<time>/ under the working directory.
    proc = subprocess.run([sys.executable, "-m", "sim", *ARGS, "leadership=blame", "mechanisms.contagion=false",
                           "n_replications=1", "progress=false"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (run,) = (tmp_path / "results").glob("*/*")
    assert run.parent.name == "blame+contagion=false+small"
    # compared with the baseline, run alongside (the same organisation and model switches, its own culture)
    assert set(pd.read_csv(run / "summary.csv")["scenario"]) == {"baseline", "blame+contagion=false+small"}
    base = OmegaConf.load(run / "compared_baseline" / "config.yaml")
    assert base.leadership.name == "mixed" and base.organisation.name == "small" and not base.mechanisms.contagion
    description = OmegaConf.load(run / "config.yaml").description
    assert description.endswith("This run changes it: organisation=small, leadership=blame, mechanisms.contagion=false.")
    assert "completed: " in proc.stdout + proc.stderr
    command = json.loads((run / "provenance.json").read_text())["command"]
    assert command.startswith("python -m sim organisation=small") and "leadership=blame" in command


def test_a_named_run_keeps_its_name(tmp_path: Path) -> None:
    out = tmp_path / "run"
    run_cli(out, "scenario=my_trust", "leadership=blame", "n_replications=1")
    assert set(pd.read_csv(out / "summary.csv")["scenario"]) == {"my_trust"}
