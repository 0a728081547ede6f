"""The one-page brief (brief.html, brief.md) and tables.xlsx beside each report."""

from __future__ import annotations

import copy
import json
import math
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.glossary import scenario_label
from sim.list import _default_config
from sim.report import build_report
from sim.report.answer import build_answer
from sim.report.brief import drivers, read_drivers, write_brief
from sim.report.data import load_run
from sim.report.tables import SHEETS
from tests.functional.report.test_report import make_run

openpyxl = pytest.importorskip("openpyxl")

INTERVENTIONS = ("none", "leadership_development", "peer_support", "leader_wellbeing_support", "staffing_uplift",
                 "pay_and_terms", "collaboration_programme", "emerging_leaders")
QUESTION = "Which intervention buys the most retention & safety per pound?"
COMMAND = "python -m sim experiment=interventions organisation=small years=2"


@pytest.fixture(scope="module")
def eight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight scenarios (none and each intervention) with full configs, costs and a command: the
    longest brief the library makes."""
    folder = make_run(tmp_path_factory.mktemp("eight") / "run", scenarios=INTERVENTIONS,
                      levels={"vacancy_rate": 0.1, "burnout_prevalence": 0.3, "leaver_rate": 0.11,
                              "adverse_events_per_1000": 12.0, "agency_cover_share": 0.8})
    base = _default_config()
    top = {**copy.deepcopy(base), "scenario": "interventions", "reference_scenario": "none", "description": QUESTION,
           "question": {**base["question"], "text": QUESTION, "answer": "difference"}}
    (folder / "config.yaml").write_text(yaml.safe_dump(top))
    for name in INTERVENTIONS:
        cfg = copy.deepcopy(top)
        cfg["scenario"] = name
        if name != "none":
            cfg["intervention"][name]["enabled"] = True
        (folder / name / "config.yaml").write_text(yaml.safe_dump(cfg))
    rows = []
    for k, name in enumerate(INTERVENTIONS[1:]):
        rows.append({"scenario": name, "n": 3, "cost": 1000.0 * (k + 1), "leavers_avoided": 1.0 + k,
                     "cost_per_leaver_avoided": 1000.0, "cost_per_leaver_ci_low": 500.0,
                     "cost_per_leaver_ci_high": math.inf if k == 2 else 2000.0, "rank_leaver": k + 1})
    pd.DataFrame(rows).to_csv(folder / "cost_effectiveness.csv", index=False)
    (folder / "provenance.json").write_text(json.dumps({"command": COMMAND, "git": {"commit": "abc1234"}}))
    ts = pd.read_parquet(folder / "timeseries.parquet")
    ts.loc[ts["metric"] == "agency_cover_share", "value"] = 0.8   # an input held fixed, as in the model
    ts.to_parquet(folder / "timeseries.parquet", index=False)
    build_report(folder)
    return folder


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_run(tmp_path_factory.mktemp("single") / "run", scenarios=("baseline",))
    build_report(folder)
    return folder


# --------------------------------------------------------------------------- tables.xlsx


def sheet(path: Path, name: str) -> pd.DataFrame:
    ws = openpyxl.load_workbook(path, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_tables_have_their_sheets_and_agree_with_summary_csv(eight: Path) -> None:
    path = eight / "tables.xlsx"
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == list(SHEETS)
    summary = pd.read_csv(eight / "summary.csv")
    got = sheet(path, "summary")
    assert len(got) == len(summary)
    assert got["scenario"].tolist() == summary["scenario"].astype(str).tolist()
    assert got["metric"].tolist() == summary["metric"].tolist()
    for col in ("n", "mean", "sd", "ci_low", "ci_high"):   # Excel keeps 16 significant digits: equal to ~1e-16
        np.testing.assert_allclose(got[col].astype(float).to_numpy(), summary[col].astype(float).to_numpy(),
                                   rtol=1e-14, atol=0)
    assert got["scenario (in words)"].tolist() == [scenario_label(s) for s in summary["scenario"]]
    assert "leadership_development" not in set(got["scenario (in words)"])

    diffs = sheet(path, "differences")
    want = summary[summary["diff"].notna()]
    assert len(diffs) == len(want) > 0 and set(diffs["reference"]) == {"none"}
    for col in ("diff", "diff_ci_low", "diff_ci_high"):
        np.testing.assert_allclose(diffs[col].astype(float).to_numpy(), want[col].to_numpy(), rtol=1e-14, atol=0)


def test_tables_costs_and_parameters_with_evidence(eight: Path) -> None:
    path = eight / "tables.xlsx"
    costs = sheet(path, "costs")
    ce = pd.read_csv(eight / "cost_effectiveness.csv")
    assert costs["scenario"].tolist() == ce["scenario"].tolist()
    assert costs["cost"].astype(float).tolist() == ce["cost"].tolist()
    assert "∞" in costs["cost_per_leaver_ci_high"].tolist()          # no infinity in Excel: shown as in the report
    params = sheet(path, "parameters").set_index("key")
    assert params.loc["exhaustion.recovery_rate", "evidence"].startswith("daily recovery of exhaustion")
    assert params.loc["exhaustion.recovery_rate", "parameter"] == "Daily recovery from exhaustion"
    row = params.loc["intervention.peer_support.enabled"]
    assert row["value"] == "differs by scenario"
    assert row["value in peer_support"] == "true" and row["value in none"] == "false"
    assert "description" not in params.index


def test_single_run_tables_say_there_is_no_cost(single: Path) -> None:
    costs = sheet(single / "tables.xlsx", "costs")
    assert costs.columns.tolist() == ["note"] and "No costed intervention" in costs["note"][0]
    assert sheet(single / "tables.xlsx", "differences").empty


# --------------------------------------------------------------------------- the brief


def test_report_links_the_brief_and_the_tables(eight: Path) -> None:
    text = (eight / "report.html").read_text(encoding="utf-8")
    for href in ("brief.html", "tables.xlsx", "summary.csv", "cost_effectiveness.csv"):
        assert f'href="{href}"' in text, href
    assert "Held fixed in this run, so not drawn: Bank and agency cover" in text
    assert not list((eight / "figures").glob("trajectory_agency_cover_share.png"))


def test_brief_md_and_html_hold_the_same_content(eight: Path) -> None:
    md = (eight / "brief.md").read_text(encoding="utf-8")
    html = (eight / "brief.html").read_text(encoding="utf-8")
    assert f"**Question.** {QUESTION}" in md and "Which intervention buys the most retention &amp; safety" in html
    assert f"```bash\n{COMMAND}\n```" in md and f"<pre>{COMMAND}</pre>" in html
    assert "abc1234" in md and "abc1234" in html
    numbers = re.findall(r"^\| ([^|]+) \| ([^|]+) \| ([^|]+) \| [^|]* \|$", md, flags=re.MULTILINE)
    assert len(numbers) == 3
    for label, value, interval in numbers:
        assert label.strip() in html and interval.strip() in html and value.split()[0] in html
    assert "What the scenarios assume" in md and "What the scenarios assume" in html
    assert "**Peer support (Schwartz Rounds)** = share attending 0.3: share of staff attending (Maben" in md
    assert "<strong>Peer support (Schwartz Rounds)</strong> = share attending 0.3: share of staff attending" in html
    assert md.count("\n- **") >= 7          # every intervention's effect sizes
    assert "](figures/brief.png)" in md and (eight / "figures" / "brief.png").is_file()
    assert 'src="data:image/png;base64,' in html and 'href="tables.xlsx"' in html and "(tables.xlsx)" in md
    assert "leadership_development" not in html.split("<pre>")[0]    # no code names above the command


def test_drivers_come_from_the_stored_sensitivity_list(single: Path, tmp_path: Path) -> None:
    listed = tmp_path / "drivers.yaml"
    listed.write_text(yaml.safe_dump({"source": "Morris screening (test)", "ranking": [
        {"key": "exhaustion.recovery_rate"}, {"key": "leaving.resignations_per_year"}]}))
    assert read_drivers(listed) == (["exhaustion.recovery_rate", "leaving.resignations_per_year"],
                                    "Morris screening (test)")
    pd.DataFrame({"key": ["exhaustion.recovery_rate"], "value": ["0.02"],
                  "evidence": ["assumption (~50 day time constant)"]}).to_csv(single / "parameters.csv", index=False)
    found, source = drivers(load_run(single), listed)
    assert source == "Morris screening (test)"
    assert [a.label for a in found] == ["Daily recovery from exhaustion", "Resignations a year (typical staff)"]
    assert found[0].value == "0.02" and found[0].evidence == "assumption (~50 day time constant)"
    (single / "parameters.csv").unlink()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF: its /Type /Page objects (not the /Pages tree)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.browser
@pytest.mark.parametrize("which", ["eight", "single", "long"])
def test_brief_prints_on_one_a4_page(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH")
    folder = request.getfixturevalue(which) if which != "long" else None
    if which == "long":   # the eight scenarios with an answer of 1,150 characters (a 2x2's effects and interaction)
        folder = tmp_path / "long"
        shutil.copytree(request.getfixturevalue("eight"), folder)
        run = load_run(folder)
        short = build_answer(run)
        write_brief(run, folder / "figures", replace(short, text="The answer, at length. " * 50))
    pdf = tmp_path / "brief.pdf"
    flags = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--no-pdf-header-footer", f"--print-to-pdf={pdf}"]
    done = subprocess.run([*flags, (folder / "brief.html").resolve().as_uri()], capture_output=True, timeout=120)
    assert done.returncode == 0 and pdf.is_file(), done.stderr[-2000:]
    assert pdf_pages(pdf.read_bytes()) == 1


def test_evidence_is_cut_at_a_word_and_keeps_saying_assumption() -> None:
    from sim.report.brief import _cut

    text = "daily rise per unit of team problems (burnt-out share + vacancy rate) (assumption; King's Fund 2019)"
    short = _cut(text, 40)
    assert short == "daily rise per unit of team problems… (an assumption)"
    assert _cut("short", 40) == "short"
