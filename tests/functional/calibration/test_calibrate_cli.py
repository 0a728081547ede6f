"""``python -m sim.calibrate``: quick fit end to end, resume, and the check's exit codes."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from sim import calibrate
from sim.calibration.check import run_check
from sim.calibration.settings import load_settings
from sim.calibration.targets import parse_targets


def test_quick_fit_writes_posterior_and_report_then_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = calibrate.main(["fit", "quick=true", f"output_dir={tmp_path}", "progress=false"])
    out = capsys.readouterr().out
    assert code == 0, out
    posterior = pd.read_csv(tmp_path / "posterior_england.csv")
    settings = load_settings(["quick=true"])
    keys = [p.key for p in settings.parameters]
    assert set(keys) <= set(posterior.columns)
    assert len(posterior) == settings.fit["population"]
    assert posterior["weight"].sum() == pytest.approx(1.0)
    for p in settings.parameters:                        # every particle inside its prior
        assert posterior[p.key].between(p.low, p.high).all()
    assert {f"stat:{t.name}" for t in settings.targets.entries} <= set(posterior.columns)
    html = (tmp_path / "report_quick.html").read_text()
    assert html.count("data:image/png;base64") == 3       # marginals, pairs, targets vs predictive
    assert "representative point" in out
    assert posterior["representative"].sum() == 1          # the shipped point is one simulated particle
    # resume: one more generation in the same database
    code = calibrate.main(["fit", "quick=true", "resume=true", "quick_settings.generations=2", f"output_dir={tmp_path}",
                           "progress=false"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "fit: 2 generation(s)" in out
    assert set(pd.read_csv(tmp_path / "posterior_england.csv")["generation"]) == {1}


def settings_with(tmp_path: Path, low: float | None, high: float | None):  # noqa: ANN201 - a Settings
    settings = load_settings(["quick=true", f"output_dir={tmp_path}", "progress=false", "n_jobs=1"])
    raw = copy.deepcopy(settings.raw["targets"])
    raw["entries"] = [dict(raw["entries"][0], low=low, high=high)]      # the leaver rate of the mixed trust
    settings.targets = parse_targets(raw, "test")
    return settings


def test_check_exit_codes_follow_the_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(settings_with(tmp_path, 0.0, 1.0)) == 0
    out = capsys.readouterr().out
    assert "1 of 1 targets met" in out and " ok" in out
    assert run_check(settings_with(tmp_path, 0.9, None)) == 1          # a leaver rate above 90 %: missed
    out = capsys.readouterr().out
    assert "MISS" in out and "0 of 1 targets met" in out


def test_no_subcommand_runs_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    code = calibrate.main(["quick=true", "progress=false", "check.replications=2"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert out.startswith("Calibration check:")
    n_targets = len(load_settings([]).targets.entries)
    assert sum(line.rstrip().endswith((" ok", " MISS")) for line in out.splitlines()) == n_targets


@pytest.mark.parametrize(("argv", "message"), [
    (["bogus"], "unknown command 'bogus'"),
    (["check", "nope=1"], "unknown key 'nope'"),
    (["check", "targets=nowhere"], "targets/nowhere"),
    (["fit", "fit.population=0"], "fit.population=0"),
    (["check", "check.parameters=best"], "check.parameters='best'"),
    (["check", "design.scenarios.mixed.years=0.5"], "design.scenarios.mixed.years=0.5"),
])
def test_bad_usage_is_one_line_and_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIM_DEBUG", raising=False)
    assert calibrate.main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_sim_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIM_DEBUG", "1")
    with pytest.raises(Exception, match="unknown key 'nope'"):
        calibrate.main(["check", "nope=1"])


@pytest.mark.slow
def test_quick_fit_on_a_local_dask_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The sampler a larger fit uses on a cluster (fit.sampler=dask), here on a local Dask cluster."""
    code = calibrate.main(["fit", "quick=true", "fit.sampler=dask", f"output_dir={tmp_path}", "progress=false"])
    assert code == 0, capsys.readouterr().out
    assert pd.read_csv(tmp_path / "posterior_england.csv")["weight"].sum() == pytest.approx(1.0)
