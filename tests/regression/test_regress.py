"""``python -m sim.regress``: the stored baselines pass, a material change fails, an
output-only change passes; plus the update/changelog logic on synthetic data (fast).

The full check (5 scenarios) runs once; the perturbation tests use ``--only`` to run a
subset of the scenarios, which keeps this file at about 1.5 minutes on 2 cores.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import sim.regress as regress
from sim.regress import MECHANISM_METRICS, REGRESSION_METRICS


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = regress.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def regression_rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.rstrip().endswith("REGRESSION")]


# ----------------------------------------------------------------- the real model


def test_check_passes_on_the_current_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "check")
    n_checks = len(regress.SCENARIOS) * len(REGRESSION_METRICS) + 2 * len(regress.DIRECTIONS)
    assert out.rstrip().endswith(f"{n_checks} checks, 0 failed"), out
    assert "direction: blame>compassionate burnout_prevalence (siloed)" in out
    assert code == 0


def test_material_change_fails_and_names_the_moved_metric(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "check", "--only", "baseline", "--", "exhaustion.base_stress=0.02")
    assert code == 1, out
    moved = regression_rows(out)
    assert any("burnout_prevalence" in line for line in moved), out
    assert out.rstrip().splitlines()[-1].endswith(f"{len(moved)} failed")


def test_output_only_change_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "check", "--only", "baseline", "outputs.team_metrics=false", "progress=true")
    assert code == 0, out
    assert out.rstrip().endswith(f"{len(REGRESSION_METRICS)} checks, 0 failed")


def test_a_mechanism_seen_only_in_its_own_metric_fails(capsys: pytest.CaptureFixture[str]) -> None:
    # 30 % more bullying moves bullying prevalence far beyond its tolerance while every contract
    # metric stays within its own: the contract-only check (before issue 17) passed this change.
    # (At the refitted defaults, 40 % more also moves agency cost beyond its tolerance.)
    code, out, _ = run_main(capsys, "check", "--only", "baseline", "--", "culture.bullying_per_year=0.26")
    assert code == 1, out
    moved = regression_rows(out)
    assert [line.split()[1] for line in moved] == ["bullying_prevalence"], out
    assert set(MECHANISM_METRICS) <= {line.split()[1] for line in out.splitlines()[2:] if line.startswith("baseline")}


def test_stored_baselines_cover_every_scenario_and_metric() -> None:
    stored = pd.read_csv(regress.BASELINES)
    assert list(stored.columns) == regress.BASELINE_COLUMNS
    assert set(zip(stored["scenario"], stored["metric"], strict=True)) == {
        (s, m) for s, _ in regress.SCENARIOS for m in REGRESSION_METRICS}
    for r in stored.itertuples():
        assert r.tolerance == pytest.approx(regress.tolerance(r.sd, r.n, r.mean), rel=1e-8)


# ----------------------------------------------------------------- usage errors (no model run)


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_main(capsys, "--baselines", str(tmp_path / "none.csv"), "check")
    assert code == 2 and err.count("\n") == 1 and "no baseline file" in err
    code, _, err = run_main(capsys, "check", "exhaustion.no_such_key=1")
    assert code == 2 and "no_such_key" in err
    assert run_main(capsys, "update")[0] == 2            # --reason is required
    assert run_main(capsys, "update", "--reason", " ")[0] == 2
    assert run_main(capsys)[0] == 2


# ----------------------------------------------------------------- update logic on synthetic runs


def fake_reps(shift: dict[tuple[str, str], float] | None = None) -> pd.DataFrame:
    """Six replications per scenario; blame worse than compassionate on every direction metric."""
    rows = []
    for scenario, _ in regress.SCENARIOS:
        blame = scenario.startswith("blame")
        for i, metric in enumerate(REGRESSION_METRICS):
            sign = regress.DIRECTIONS.get(metric, 0)
            centre = 1.0 + i + (0.5 * sign if blame else 0.0)
            centre += (shift or {}).get((scenario, metric), 0.0)
            rows += [{"scenario": scenario, "replication": r, "metric": metric, "value": centre + 0.01 * (r - 2.5)}
                     for r in range(6)]
    return pd.DataFrame(rows)


def test_update_writes_baselines_and_changelog(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    csv, log = tmp_path / "b.csv", tmp_path / "CHANGELOG.md"
    args = ("--baselines", str(csv), "update", "--changelog", str(log))
    monkeypatch.setattr(regress, "run", lambda configs: fake_reps())
    assert run_main(capsys, *args, "--reason", "first")[0] == 0
    stored = pd.read_csv(csv)
    assert len(stored) == len(regress.SCENARIOS) * len(REGRESSION_METRICS)
    sd = pd.Series([0.01 * (r - 2.5) for r in range(6)]).std()
    assert stored["tolerance"].iloc[0] == pytest.approx(3 * sd * math.sqrt(2 / 6) + 1e-6 * max(1.0, stored["mean"].iloc[0]))

    # the check against these baselines: exact data passes, a moved metric fails
    assert run_main(capsys, "--baselines", str(csv), "check")[0] == 0
    monkeypatch.setattr(regress, "run", lambda configs: fake_reps({("baseline", "headcount"): 1.0}))
    code, out, _ = run_main(capsys, "--baselines", str(csv), "check")
    assert code == 1 and [line.split()[:2] for line in regression_rows(out)] == [["baseline", "headcount"]]

    assert run_main(capsys, *args, "--reason", "second  run")[0] == 0
    entries = [line for line in log.read_text().splitlines() if line.startswith("- ")]
    assert len(entries) == 2
    assert "reason: first" in entries[0] and "moved beyond tolerance: none" in entries[0]
    assert "reason: second run" in entries[1] and "moved beyond tolerance: baseline/headcount" in entries[1]


def test_failed_direction_fails_check_and_blocks_update(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv = tmp_path / "b.csv"
    monkeypatch.setattr(regress, "run", lambda configs: fake_reps())
    assert run_main(capsys, "--baselines", str(csv), "update", "--changelog", str(tmp_path / "c.md"), "--reason", "x")[0] == 0
    # compassionate (siloed) now burns out more than blame (siloed)
    worse = fake_reps({("compassionate_siloed", "burnout_prevalence"): 1.0})
    monkeypatch.setattr(regress, "run", lambda configs: worse)
    code, out, _ = run_main(capsys, "--baselines", str(csv), "check")
    assert code == 1
    assert "direction: blame>compassionate burnout_prevalence (siloed)" in out and "DIRECTION FAILED" in out
    before = csv.read_text()
    assert run_main(capsys, "--baselines", str(csv), "update", "--changelog", str(tmp_path / "c.md"), "--reason", "y")[0] == 1
    assert csv.read_text() == before
