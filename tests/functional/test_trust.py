"""Trust profiles (sim/trust.py): the example trust runs with its own wards and culture, the
Excel template round-trips, and every class of bad profile is refused with one line, exit 2,
nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import trust
from sim.config import REPO_ROOT, ConfigError, load_config
from sim.model import Model

EXAMPLE = REPO_ROOT / "conf" / "trust" / "example.yaml"
FAST = ["years=1", "warmup_years=0", "n_replications=1", "n_jobs=1", "progress=false"]


def run_cli(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SIM_DEBUG"}
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def example_dict() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


# ----------------------------------------------------------------------------- the example trust


def test_example_is_fictional_and_of_realistic_size() -> None:
    p = trust.load("example")
    assert p.fictional and "FICTIONAL" in p.description
    assert 25 <= len(p.wards) <= 35
    assert len({w.type for w in p.wards}) >= 4
    assert len({(w.beds, w.rn_posts, w.hca_posts) for w in p.wards}) > 10      # wards of different sizes


def test_example_wards_beds_and_establishment_come_from_the_profile() -> None:
    p = trust.load("example")
    cfg = load_config(["trust=example", *FAST])
    m = Model(cfg, 0)
    assert m.n_teams == len(p.wards)
    np.testing.assert_array_equal(m.establishment(), [[w.rn_posts, w.hca_posts] for w in p.wards])
    assert m.flow.beds == [w.beds for w in p.wards]
    o = p.organisations[0]
    vacant = m.establishment() - m.teams.in_post
    assert vacant[:, 0].sum() == o.rn_vacancies and vacant[:, 1].sum() == o.hca_vacancies
    assert cfg.leadership.compassion_mean == pytest.approx(trust.compassion_from_survey(o.survey_manager_bullying))
    assert cfg.staffing.agency_cost_per_wte_day == pytest.approx(trust.agency_cost(p))
    assert [w.name for w in cfg.organisation.wards] == [w.name for w in p.wards]


def test_python_m_sim_trust_example_runs_and_reports_the_trust(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = run_cli("-m", "sim", "trust=example", *FAST, f"hydra.run.dir={out}")
    assert r.returncode == 0, r.stderr
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["scenario"]) == {"example+warmup_years=0"}
    est = summary[summary["metric"] == "establishment"]["mean"].iloc[0]
    assert est == sum(trust.load("example").posts())
    html = (out / "report.html").read_text()
    assert "Your trust" in html and "Fictional trust" in html and "Leaver rate (a year)" in html
    stored = yaml.safe_load((out / "config.yaml").read_text())
    assert stored["trust"]["name"] == "example" and len(stored["organisation"]["wards"]) == 30


def test_interventions_experiment_runs_for_the_trust(tmp_path: Path) -> None:
    from sim.__main__ import plan_jobs  # the sweep's jobs, composed and validated as the CLI does

    plan = plan_jobs(["experiment=interventions", "trust=example", "years=2", "n_replications=1"])
    assert len(plan.configs) > 2
    for cfg in plan.configs:
        assert cfg.trust["name"] == "example" and len(cfg.organisation.wards) == 30


def test_compassion_mapping_reproduces_the_presets() -> None:
    for bullying, preset in ((0.074, "compassionate"), (0.104, "mixed"), (0.130, "blame")):
        mean = yaml.safe_load((REPO_ROOT / "conf" / "leadership" / f"{preset}.yaml").read_text())["compassion_mean"]
        assert trust.compassion_from_survey(bullying) == pytest.approx(mean)
    assert trust.compassion_from_survey(0.0) == 0.95 and trust.compassion_from_survey(0.5) == 0.05   # kept off 0 and 1


def test_several_organisations(tmp_path: Path) -> None:
    d = example_dict()
    second = dict(d["organisations"][0], name="Second Hospital", survey_manager_bullying=0.13)
    d["organisations"].append(second)
    for w in d["wards"][:20]:
        w["organisation"] = d["organisations"][0]["name"]
    for w in d["wards"][20:]:
        w["organisation"] = "Second Hospital"
    d["organisations"][1].update(rn_vacancies=10, hca_vacancies=5, rn_in_post=150, hca_in_post=100)
    d["organisations"][0].update(rn_vacancies=40, hca_vacancies=20, rn_in_post=330, hca_in_post=230)
    path = tmp_path / "ics.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    cfg = load_config([f"trust={path}", *FAST])
    assert cfg.organisation.n_organisations == 2
    assert [w.organisation for w in cfg.organisation.wards] == [0] * 20 + [1] * 10
    offsets = cfg.organisation.compassion_offsets
    for k, bullying in enumerate((0.112, 0.13)):
        assert cfg.leadership.compassion_mean + offsets[k] == pytest.approx(trust.compassion_from_survey(bullying))
    m = Model(cfg, 0)
    m.run()
    assert m.recorder.by_organisation["establishment"][0].tolist() == [float(sum(trust.load(path).posts(n)))
                                                                      for n in (d["organisations"][0]["name"],
                                                                                "Second Hospital")]


# ----------------------------------------------------------------------------- the Excel template


def test_template_round_trips_to_the_same_configuration(tmp_path: Path) -> None:
    book, back = tmp_path / "t.xlsx", tmp_path / "back.yaml"
    assert trust.main(["template", "example", str(book)]) == 0
    assert trust.main(["read", str(book), str(back)]) == 0
    assert trust.load(back) == trust.load("example")
    via_yaml = load_config(["trust=example", *FAST])
    via_book = load_config([f"trust={book}", *FAST])
    for section in ("organisation", "leadership"):
        assert getattr(via_yaml, section) == getattr(via_book, section)
    assert via_yaml.staffing.agency_cost_per_wte_day == via_book.staffing.agency_cost_per_wte_day


def test_shipped_template_matches_the_example(tmp_path: Path) -> None:
    assert trust.load(REPO_ROOT / "examples" / "trust_template.xlsx") == trust.load("example")


# ----------------------------------------------------------------------------- bad profiles


def _edit(d: dict, change: str) -> None:
    o, w = d["organisations"][0], d["wards"][3]
    if change == "missing field":
        del w["beds"]
    elif change == "zero beds":
        w["beds"] = 0
    elif change == "vacancies above posts":
        o["rn_vacancies"] = 10_000
    elif change == "rate above 1":
        o["leaver_rate"] = 1.3
    elif change == "survey out of range":
        o["survey_burnout"] = 31
    elif change == "unknown field":
        w["bedz"] = 3


BAD = [("missing field", "wards[3] (Respiratory (Cedar)): missing field 'beds'"),
       ("zero beds", "wards[3] (Respiratory (Cedar)): beds=0 is out of range; allowed: a whole number from 1 to 200"),
       ("vacancies above posts", "rn_vacancies=10000 is above its wards' rn_posts (524); allowed: 0 to 524"),
       ("rate above 1", "leaver_rate=1.3 is out of range; allowed: a number from 0 to 1"),
       ("survey out of range", "survey_burnout=31 is out of range; allowed: a number from 0 to 1 (a share: 31 % is 0.31)"),
       ("unknown field", "wards[3] (Respiratory (Cedar)): unknown field 'bedz'")]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_yaml_profile_is_refused(tmp_path: Path, change: str, message: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    d = example_dict()
    _edit(d, change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    assert trust.main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and message in err, err


@pytest.mark.parametrize(("change", "message"), BAD[:5])
def test_bad_workbook_is_refused_and_nothing_written(tmp_path: Path, change: str, message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    book = tmp_path / "bad.xlsx"
    trust.write_workbook(trust.load("example"), book)
    wb = openpyxl.load_workbook(book)
    sheet, row = (wb["Wards"], 5) if change in ("missing field", "zero beds") else (wb["Organisations"], 2)
    header = [c.value for c in sheet[1]]
    column = {"missing field": "beds", "zero beds": "beds", "vacancies above posts": "rn_vacancies",
              "rate above 1": "leaver_rate", "survey out of range": "survey_burnout"}[change]
    value = {"missing field": None, "zero beds": 0, "vacancies above posts": 10_000, "rate above 1": 1.3,
             "survey out of range": 31}[change]
    sheet.cell(row=row, column=header.index(column) + 1).value = value
    wb.save(book)
    out = tmp_path / "out.yaml"
    assert trust.main(["read", str(book), str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(book) in err and column in err, err
    if change != "missing field":
        assert message.split(": ", 1)[-1] in err or message in err, err
    else:
        assert "sheet Wards row 5 (Respiratory (Cedar)): missing field 'beds'" in err
    assert not out.exists()


def test_workbook_missing_a_column_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    book = tmp_path / "nocol.xlsx"
    trust.write_workbook(trust.load("example"), book)
    wb = openpyxl.load_workbook(book)
    wb["Wards"].delete_cols(4)                       # beds
    wb.save(book)
    assert trust.main(["read", str(book), str(tmp_path / "o.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "sheet Wards: no column 'beds'; required columns:" in err, err


def test_unreadable_workbook_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"this is not a zip file")
    assert trust.main(["read", str(book), str(tmp_path / "o.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{book}: not a readable Excel workbook" in err
    assert not (tmp_path / "o.yaml").exists()


def test_bad_profile_refused_by_python_m_sim_before_anything_is_written(tmp_path: Path) -> None:
    d = example_dict()
    d["wards"][0]["beds"] = 0
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    out = tmp_path / "run"
    r = run_cli("-m", "sim", f"trust={path}", *FAST, f"hydra.run.dir={out}")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "beds=0 is out of range" in r.stderr and str(path) in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("value", ["nosuch", "nosuch/profile.yaml"])
def test_unknown_trust_is_refused(tmp_path: Path, value: str) -> None:
    out = tmp_path / "run"
    r = run_cli("-m", "sim", f"trust={value}", *FAST, f"hydra.run.dir={out}")
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "nosuch" in line and "example" in line, line
    assert not out.exists()


def test_trust_posterior_point_is_used(tmp_path: Path) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text(EXAMPLE.read_text())
    pd.DataFrame({"generation": [0, 0, 0], "exhaustion.recovery_rate": [0.01, 0.02, 0.03],
                  "leaving.resignations_per_year": [0.05, 0.06, 0.07], "weight": [0.25, 0.5, 0.25],
                  "stat:leaver_rate": [0.1, 0.1, 0.1]}).to_csv(tmp_path / "mine.posterior.csv", index=False)
    cfg = load_config([f"trust={profile}", *FAST])
    assert cfg.exhaustion.recovery_rate == pytest.approx(0.02)
    assert cfg.leaving.resignations_per_year == pytest.approx(0.06)
    assert cfg.trust["_posterior"] == "mine.posterior.csv"


def test_inconsistent_agency_spend_is_refused(tmp_path: Path) -> None:
    d = example_dict()
    d["organisations"][0]["agency_spend_per_year"] = 5e8
    path = tmp_path / "spend.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    with pytest.raises(ConfigError, match="agency_spend_per_year .* per WTE-day"):
        trust.load(path)
