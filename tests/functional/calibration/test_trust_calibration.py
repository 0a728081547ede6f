"""``python -m sim.calibrate fit|check trust=NAME``: the trust's own figures as targets, the
national posterior as prior, the trust posterior beside the profile and used by its runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import calibrate, trust
from sim.calibration.design import total_distance
from sim.calibration.settings import load_settings
from sim.calibration.trust import KdePrior, apply_trust, national_prior, trust_targets
from sim.config import REPO_ROOT, load_config

EXAMPLE = REPO_ROOT / "conf" / "trust" / "example.yaml"


def test_targets_are_the_trusts_figures_with_their_ranges() -> None:
    p = trust.load("example")
    targets = trust_targets(p)
    by_name = {t.name: t for t in targets.entries}
    assert set(by_name) == {"leaver_rate", "vacancy_rate", "sickness_absence", "burnout"}
    o = p.organisations[0]
    assert by_name["leaver_rate"].value == pytest.approx(o.leaver_rate)
    assert (by_name["leaver_rate"].low, by_name["leaver_rate"].high) == pytest.approx(
        (o.leaver_rate - 0.015, o.leaver_rate + 0.015))
    assert by_name["vacancy_rate"].value == pytest.approx((o.rn_vacancies + o.hca_vacancies) / sum(p.posts()))
    assert by_name["burnout"].measure == {"estimator": "mean", "metric": "burnout_prevalence", "scenario": "trust",
                                          "window": "steady"}
    inside = {t.name: t.value for t in targets.entries}
    assert total_distance(targets, inside) == 0
    assert total_distance(targets, {**inside, "leaver_rate": o.leaver_rate + 0.05}) > 0


def test_prior_is_the_national_posterior_density() -> None:
    settings = apply_trust(load_settings([]), "example", [])
    prior = national_prior(settings)
    assert isinstance(prior, KdePrior) and prior.broad == pytest.approx(0.3)
    national = pd.read_csv(REPO_ROOT / "conf" / "calibration" / "posterior_england.csv")
    np.random.seed(3)
    draws = pd.DataFrame([dict(prior.rvs()) for _ in range(400)])
    for p in settings.parameters:
        v = draws[p.safe_name]
        assert ((v >= p.low) & (v <= p.high)).all()
    # the density is higher at the national posterior's median than at a corner of the prior box
    centre = {p.safe_name: float(national[p.key].median()) for p in settings.parameters}
    corner = {p.safe_name: p.high for p in settings.parameters}
    assert prior.pdf(centre) > 3 * prior.pdf(corner) > 0   # one ABC generation: a broad national posterior
    assert prior.pdf({**centre, settings.parameters[0].safe_name: settings.parameters[0].high * 2}) == 0


def test_quick_fit_writes_the_trust_posterior_and_runs_use_it(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "mytrust.yaml"
    shutil.copy(EXAMPLE, profile)
    out = tmp_path / "fit"
    code = calibrate.main(["fit", f"trust={profile}", "quick=true", f"output_dir={out}", "progress=false", "n_jobs=1"])
    assert code == 0, capsys.readouterr().err
    quick = out / "mytrust.posterior.csv"          # a quick fit never replaces the trust's posterior
    assert quick.exists() and not (tmp_path / "mytrust.posterior.csv").exists()
    post = pd.read_csv(quick)
    assert {"weight", "stat:leaver_rate", "stat:burnout", "exhaustion.base_stress"} <= set(post.columns)
    assert post["weight"].sum() == pytest.approx(1.0)
    # once the posterior sits beside the profile, every run of the trust uses its point
    shutil.copy(quick, tmp_path / "mytrust.posterior.csv")
    cfg = load_config([f"trust={profile}", "years=1"])
    point = trust.posterior_point(trust.load(profile))
    assert cfg.exhaustion.base_stress == pytest.approx(point["exhaustion.base_stress"])
    assert cfg.leaving.resignations_per_year == pytest.approx(point["leaving.resignations_per_year"])
    # and the check reads it: one line per figure, the trust's value, its range, the model
    capsys.readouterr()
    code = calibrate.main(["check", f"trust={profile}", "quick=true", "progress=false", "n_jobs=1"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code in (0, 1)
    assert "mytrust.posterior.csv" in lines[0]
    figure_lines = [x for x in lines if " trust " in x and " range " in x and " model " in x]
    assert len(figure_lines) == 4
    assert all(x.rstrip().endswith(("ok", "MISS")) for x in figure_lines)
    assert (code == 1) == any(x.rstrip().endswith("MISS") for x in figure_lines)


def test_example_baseline_matches_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Done-when of issue 14: after `calibrate fit trust=example` (its posterior ships beside
    the profile) the example trust's baseline is inside every stated range: the check at the
    fit's own horizon (2-year warm-up, 3 years), 2 replications instead of 8 to stay quick."""
    p = trust.load("example")
    assert p.posterior_path().exists(), "conf/trust/example.posterior.csv: run python -m sim.calibrate fit trust=example"
    code = calibrate.main(["check", "trust=example", "check.replications=2", "progress=false"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count(" ok") == 4 and "example.posterior.csv" in out.splitlines()[0]


def test_apply_with_a_trust_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert calibrate.main(["fit", "trust=example", "apply=true"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "example.posterior.csv" in err


def test_unknown_trust_is_refused_by_calibrate(capsys: pytest.CaptureFixture[str]) -> None:
    assert calibrate.main(["check", "trust=nosuch"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "trust=nosuch" in err and "example" in err
