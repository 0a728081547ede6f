"""Global sensitivity analysis (``analysis: sensitivity``) end to end, and its validation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.config import REPO_ROOT, ConfigError, load_config
from sim.model import Model
from sim.sensitivity import evaluate, rank_parameters, resolve_ranges, run_sensitivity, with_parameters

PARAMS = ("sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.01, high: 0.03},"
          " {key: exhaustion.workload_elasticity, low: 0.5, high: 1.2},"
          " {key: reporting.blame_staff_involved, low: 1, high: 3}]")
#: The experiment explores the calibrated parameters over posterior ranges with preset differences;
#: these tests give their own parameters and ranges, and add differences only where they test them.
GIVEN = ["sensitivity.ranges=given", "sensitivity.parameters_from=list", "sensitivity.differences=[]"]
KEYS = ["exhaustion.recovery_rate", "exhaustion.workload_elasticity", "reporting.blame_staff_involved"]
TINY = ["experiment=sensitivity", *GIVEN, "organisation=small", "years=1", "outputs.summary_months=6", "n_jobs=2",
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
    for sp_key, (lo, hi) in zip(KEYS, [(0.01, 0.03), (0.5, 1.2), (1, 3)], strict=True):
        assert samples[sp_key].between(lo, hi).all()


def test_report_is_self_contained(run_dir: Path) -> None:
    text = (run_dir / "report.html").read_text()
    assert text.count("data:image/png;base64,") == 2
    assert "Morris" in text and "Sobol" in text and "exhaustion.recovery_rate" in text


def test_report_opens_with_the_answer(run_dir: Path) -> None:
    text = (run_dir / "report.html").read_text()
    start = text.index('<section id="answer">')
    assert start == text.index("<section") and start < text.index("<img") and start < text.index("<table")
    body = text[start:text.index("</section>", start)]
    assert "μ*" in body and "95% interval" in body


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
        load_config(["experiment=sensitivity", *GIVEN, f"sensitivity.parameters=[{param}]"])
    assert message in str(info.value)


def test_range_outside_the_schema_fails_the_run(tmp_path: Path) -> None:
    cfg = load_config(["experiment=sensitivity", *GIVEN, "progress=false",
                       "sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.5, high: 1.5}]"])
    with pytest.raises(ConfigError, match=r"sensitivity\.parameters\[0\].*allowed range"):
        run_sensitivity(cfg, tmp_path)
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["status"] == "failed" and "sensitivity.parameters[0]" in status["error"]


def test_cli_refuses_a_bad_parameter_with_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "sim", "experiment=sensitivity", *GIVEN,
                           "sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.03, high: 0.01}]"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 2
    assert "sensitivity.parameters[0]" in proc.stderr


# --------------------------------------------------------------------------- posterior ranges, preset differences

#: A tiny model for the tests below: 2 wards, 1 year, no warm-up, 1 replication.
MINI = ["experiment=sensitivity", *GIVEN, "organisation=small", "organisation.n_teams=2", "years=1", "warmup_years=0",
        "outputs.summary_months=6", "n_jobs=1", "progress=false", "sensitivity.replications_per_point=1"]
BURNOUT_GAP = "sensitivity.differences=[{metric: burnout_prevalence, scenario: blame, minus: compassionate}]"


def _posterior(path: Path, columns: dict[str, list[float]]) -> Path:
    weights = [0.02, 0.06, 0.02, 0.8, 0.1]
    pd.DataFrame({"generation": 4, **columns, "weight": weights, "distance": 0.0}).to_csv(path, index=False)
    return path


def _calibrated() -> list[str]:
    return [str(p["key"]) for p in yaml.safe_load(
        (REPO_ROOT / "conf" / "calibration" / "calibration.yaml").read_text())["parameters"]]


def test_the_experiment_explores_every_calibrated_parameter_over_its_posterior_range(tmp_path: Path) -> None:
    keys = _calibrated()
    post = _posterior(tmp_path / "posterior.csv", {k: [1.0, 2.0, 3.0, 4.0, 5.0] for k in keys})
    cfg = resolve_ranges(load_config(["experiment=sensitivity", f"sensitivity.posterior={post}"]))
    assert [(p.key, p.low, p.high) for p in cfg.sensitivity.parameters] == [(k, 2.0, 5.0) for k in keys]
    assert {(d.metric, d.scenario, d.minus) for d in cfg.sensitivity.differences} == {
        (m, "blame", "compassionate") for m in ("burnout_prevalence", "leaver_rate", "vacancy_rate")}


def test_posterior_ranges_are_weighted_5th_to_95th_percentiles(tmp_path: Path) -> None:
    # weights 0.02 0.06 0.02 0.8 0.1; the weighted CDF at each value is its cumulative weight less half its own.
    # recovery_rate in value order has those weights: CDF .01 .05 .09 .5 .95 -> 5th = 0.015, 95th = 0.03
    # (unweighted percentiles would be 0.011 and 0.029).
    # workload_elasticity sorted: 0.2 (w .06), 0.4 (.8), 0.6 (.02), 0.8 (.1), 1.0 (.02): CDF .03 .46 .87 .93 .99,
    # so 5th = 0.2 + 0.2 * (.05 - .03) / (.46 - .03), 95th = 0.8 + 0.2 * (.95 - .93) / (.99 - .93).
    post = _posterior(tmp_path / "posterior.csv", {
        "exhaustion.recovery_rate": [0.010, 0.015, 0.020, 0.025, 0.030],
        "exhaustion.workload_elasticity": [0.6, 0.2, 1.0, 0.4, 0.8]})
    cfg = load_config([*MINI, "sensitivity.ranges=posterior", f"sensitivity.posterior={post}",
                       "sensitivity.parameters=[{key: exhaustion.recovery_rate}, {key: exhaustion.workload_elasticity}]"])
    ranges = {p.key: (p.low, p.high) for p in resolve_ranges(cfg).sensitivity.parameters}
    assert ranges["exhaustion.recovery_rate"] == pytest.approx((0.015, 0.030))
    assert ranges["exhaustion.workload_elasticity"] == pytest.approx((0.2 + 0.2 * 0.02 / 0.43, 0.8 + 0.2 * 0.02 / 0.06))
    assert cfg.sensitivity.parameters[0].low is None  # the config itself is not changed


def test_given_ranges_need_low_and_high_and_posterior_ranges_refuse_them() -> None:
    with pytest.raises(ConfigError, match=r"sensitivity\.parameters\[0\]: low and high are required"):
        load_config([*MINI, "sensitivity.parameters=[{key: exhaustion.recovery_rate}]"])
    with pytest.raises(ConfigError, match=r"sensitivity\.parameters\[0\]: low/high are taken from the posterior"):
        load_config([*MINI, "sensitivity.ranges=posterior",
                     "sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.01, high: 0.03}]"])


def test_parameter_missing_from_the_posterior_is_one_line_exit_2(tmp_path: Path) -> None:
    # every parameter the calibration fits, from a posterior that lacks one of them
    keys = _calibrated()
    missing = keys[2]
    post = _posterior(tmp_path / "posterior.csv", {k: [1.0, 2.0, 3.0, 4.0, 5.0] for k in keys if k != missing})
    args = [*MINI, "sensitivity.ranges=posterior", "sensitivity.parameters_from=calibration",
            "sensitivity.parameters=[]", f"sensitivity.posterior={post}"]
    with pytest.raises(ConfigError, match=f"'{missing}' is not in the posterior"):
        resolve_ranges(load_config(args))
    proc = subprocess.run([sys.executable, "-m", "sim", *args, f"hydra.run.dir={tmp_path / 'run'}"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and missing in lines[0], proc.stderr


def _last_months_mean(overrides: list[str], values: dict[str, float], metric: str) -> float:
    cfg = with_parameters(load_config(overrides), values)
    return float(np.mean(Model(cfg, 0).run().org[metric][-cfg.outputs.summary_months:]))


def test_difference_output_is_the_difference_of_the_two_preset_runs() -> None:
    values = {"exhaustion.recovery_rate": 0.025}
    cfg = load_config([*MINI, BURNOUT_GAP])
    out = evaluate(cfg, values)
    blame = _last_months_mean([*MINI, "leadership=blame"], values, "burnout_prevalence")
    compassionate = _last_months_mean([*MINI, "leadership=compassionate"], values, "burnout_prevalence")
    assert blame != compassionate
    assert out["burnout_prevalence[blame-compassionate]"] == pytest.approx(blame - compassionate, abs=1e-12)
    # the scenario's own metrics are still its own run (leadership=mixed in the experiment)
    assert out["burnout_prevalence"] == pytest.approx(_last_months_mean(MINI, values, "burnout_prevalence"), abs=1e-12)


@pytest.mark.parametrize("diff, message", [
    ("{metric: burnout_prevalence, scenario: blame, minus: blame}", "both 'blame'"),
    ("{metric: burnout_prevalence, scenario: blamey, minus: compassionate}", "not a leadership preset"),
    ("{metric: burnout, scenario: blame, minus: compassionate}", "is not a metric"),
])
def test_bad_difference_fails_the_run(tmp_path: Path, diff: str, message: str) -> None:
    cfg = load_config([*MINI, f"sensitivity.differences=[{diff}]",
                       "sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.01, high: 0.03}]"])
    with pytest.raises(ConfigError, match=r"sensitivity\.differences\[0\]") as info:
        run_sensitivity(cfg, tmp_path)
    assert message in str(info.value)


def test_difference_is_analysed_and_shown_with_a_readable_label(tmp_path: Path) -> None:
    cfg = load_config([*MINI, BURNOUT_GAP, "sensitivity.metrics=[leaver_rate]", "sensitivity.morris_trajectories=2",
                       "sensitivity.sobol_top=0",
                       "sensitivity.parameters=[{key: exhaustion.recovery_rate, low: 0.01, high: 0.03}]"])
    run_sensitivity(cfg, tmp_path)
    morris = pd.read_csv(tmp_path / "morris.csv")
    assert list(morris["metric"]) == ["leaver_rate", "burnout_prevalence[blame-compassionate]"]
    samples = pd.read_csv(tmp_path / "samples.csv")
    assert samples["burnout_prevalence[blame-compassionate]"].notna().all()
    text = (tmp_path / "report.html").read_text()
    assert "Burnout prevalence: blame \u2212 compassionate" in text
    assert json.loads((tmp_path / "provenance.json").read_text())["model_runs"] == 2 * 2 * 3
