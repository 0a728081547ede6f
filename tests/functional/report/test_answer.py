"""The answer first (issue 13): every experiment of experiments/ at a tiny size answers its
question with numbers and intervals over the window it needs, before any figure; no
interval of summary.csv leaves its metric's range; a single run that changes the baseline
is run alongside it under common random numbers."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.__main__ import plan_jobs
from sim.config import EXPERIMENTS_DIR, as_dict
from sim.metric_records import metric_bounds
from sim.report import load_run
from sim.report.answer import build_answer
from sim.report.build import page
from sim.runner import run_scenario
from sim.summary import cost_effectiveness, difference_bounds, summarise

REPO = Path(__file__).resolve().parents[3]

#: Tiny: one or two wards, three years (the surge is months 24-29), no warm-up, two replications.
TINY = ["organisation.n_teams=1", "years=3", "warmup_years=0", "n_replications=2", "n_jobs=1", "progress=false"]
SMALL = ["organisation=small", *TINY]

#: Every experiment whose report is a scenario report (sensitivity has its own page).
EXPERIMENTS = sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml")
                     if yaml.safe_load(p.read_text()).get("analysis", "scenario") == "scenario")


def overrides(name: str) -> list[str]:
    """The ICS keeps its five organisations (its offsets need them), one ward each."""
    return [f"experiment={name}", *(TINY if name == "ics" else SMALL)]


def run_experiment(name: str, folder: Path) -> Path:
    """Run an experiment's jobs in-process and write the folder as a collected sweep would
    (jobs' configs, timeseries, summary, cost_effectiveness, config): what the report reads."""
    plan = plan_jobs(overrides(name))
    frames, drawn, months = [], {}, {}
    for i, cfg in enumerate(plan.configs):
        frames.append(run_scenario(cfg))
        (folder / str(i)).mkdir(parents=True)
        (folder / str(i) / "config.yaml").write_text(yaml.safe_dump(as_dict(cfg)))
        drawn[cfg.scenario], months[cfg.scenario] = cfg.parameter_uncertainty, cfg.outputs.summary_months
    ts = pd.concat(frames, ignore_index=True)
    first = plan.configs[0]
    reference = first.reference_scenario if first.reference_scenario in drawn else first.scenario
    ts.to_parquet(folder / "timeseries.parquet", index=False)
    summarise(ts, reference=reference, months=months, uncertainty=drawn).to_csv(folder / "summary.csv", index=False)
    ce = cost_effectiveness(ts, reference=reference, months=months)
    if not ce.empty:
        ce.to_csv(folder / "cost_effectiveness.csv", index=False)
    top = as_dict(first)
    top.update(scenario=name, reference_scenario=reference)
    (folder / "config.yaml").write_text(yaml.safe_dump(top))
    return folder


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("library")
    return {name: run_experiment(name, root / name) for name in EXPERIMENTS}


NUMBER_WITH_INTERVAL = re.compile(r"[−+]?£?\d[\d,.]*\s*(%|pp)?[^()]{0,40}\(95% interval [−+]?£?\d")


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_each_experiment_answers_its_question_with_intervals(library: dict[str, Path], name: str) -> None:
    run = load_run(library[name])
    answer = build_answer(run)
    assert answer.question and answer.text and answer.window
    assert NUMBER_WITH_INTERVAL.search(answer.text), answer.text
    assert "replications" in answer.uncertainty
    assert ("parameter uncertainty" in answer.uncertainty) == (name != "baseline"), answer.uncertainty
    assert answer.headlines
    for h in answer.headlines:
        assert math.isfinite(h.value)
        if math.isfinite(h.low) and math.isfinite(h.high):
            assert h.low <= h.value <= h.high, h


def test_answers_use_the_window_and_the_kind_each_question_needs(library: dict[str, Path]) -> None:
    two = build_answer(load_run(library["leadership_2x2"]))
    assert "months 24–29" in two.window                              # the surge, not the last year
    assert "interaction" in two.text and "rather than" in two.text   # both main effects and the interaction
    assert [h.label.split(": ")[1] for h in two.headlines][2] == "interaction"
    culture = build_answer(load_run(library["culture_change"]))
    assert "half of its final effect" in culture.text or "no final effect" in culture.text
    base = build_answer(load_run(library["baseline"]))
    assert "national targets" in base.text and base.details and {"NHS target", "Met"} <= set(base.details[0])
    iv = build_answer(load_run(library["interventions"]))
    assert "net cost" in iv.text and "ranking first" in iv.text
    assert "∞" not in iv.text
    ics = build_answer(load_run(library["ics"]))
    assert "months 24–29" in ics.window


def test_no_interval_in_summary_leaves_its_metrics_range(library: dict[str, Path]) -> None:
    for name, folder in library.items():
        s = pd.read_csv(folder / "summary.csv")
        assert s["uncertainty"].str.contains("parameter").all() == (name != "baseline"), name
        for row in s.itertuples():
            lo, hi = metric_bounds(row.metric)
            assert lo <= row.ci_low <= row.mean <= row.ci_high <= hi, (name, row.scenario, row.metric)
            if "diff" in s.columns and not pd.isna(row.diff):
                d_lo, d_hi = difference_bounds(lo, hi)
                assert d_lo <= row.diff_ci_low <= row.diff_ci_high <= d_hi, (name, row.metric)


def test_interventions_report_net_cost_cost_per_outcome_and_chance_first(library: dict[str, Path]) -> None:
    ce = pd.read_csv(library["interventions"] / "cost_effectiveness.csv")
    assert len(ce) == 7
    for col in ("net_cost", "agency_saving", "leavers_avoided", "adverse_reduction_per_1000",
                "cost_per_leaver_avoided", "p_first_leaver", "p_first_adverse", "rank_leaver"):
        assert col in ce.columns
    assert ce["p_first_leaver"].sum() == pytest.approx(1.0) or ce["p_first_leaver"].sum() == 0
    assert not np.isinf(ce.select_dtypes("number").to_numpy()).any()       # no ∞ anywhere
    culture = pd.read_csv(library["culture_change"] / "cost_effectiveness.csv")
    assert len(culture) == 1 and "rank_leaver" not in culture.columns        # one option: no ranking


def test_report_opens_with_the_answer_before_any_figure_or_table(library: dict[str, Path], tmp_path: Path) -> None:
    run = load_run(library["leadership_2x2"])
    html = page(run, tmp_path / "figures")
    start = html.index('<section id="answer">')
    end = html.index("</section>", start)
    assert start == html.index("<section")
    assert start < html.index("<img") and start < html.index("<figure")
    assert html.index("<table") > start                                   # tables only inside or after it
    body = html[start:end]
    assert "95% interval" in body and "interaction" in body and "replications" in body


def sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=REPO, timeout=900)


def test_single_run_that_changes_the_baseline_is_compared_with_it(tmp_path: Path) -> None:
    out = tmp_path / "blame"
    proc = sim("leadership=blame", "intervention=peer_support", "intervention.peer_support.start_month=0",
               "organisation=small", "organisation.n_teams=1", "years=1", "warmup_years=0",
               "n_replications=2", "n_jobs=1", "progress=false", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    ts = pd.read_parquet(out / "timeseries.parquet")
    names = list(dict.fromkeys(ts["scenario"]))
    assert len(names) == 2 and names[0] == "baseline" and "blame" in names[1] and "peer_support" in names[1]
    run = names[1]
    summary = pd.read_csv(out / "summary.csv")
    assert summary[summary["scenario"] == "baseline"]["diff"].isna().all()
    assert summary[summary["scenario"] == run]["diff"].notna().all()
    # common random numbers: the patient flow does not depend on the culture
    adm = ts[(ts["metric"] == "admissions") & ts["team"].isna()].pivot_table(
        index=["replication", "month"], columns="scenario", values="value")
    assert (adm["baseline"] == adm[run]).all()
    html = (out / "report.html").read_text()
    answer = html[html.index('<section id="answer">'):]
    answer = answer[:answer.index("</section>")]
    assert "run alongside the baseline under common random numbers" in answer
    assert "leadership=blame" in answer and "95% interval" in answer
    assert "Return on investment" in answer and "net cost" in answer          # a costed change: its return
    assert len(pd.read_csv(out / "cost_effectiveness.csv")) == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPERIMENTS)
def test_each_experiment_report_from_the_command_line(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    folder = "hydra.run.dir" if name == "baseline" else "hydra.sweep.dir"
    proc = sim(*overrides(name), f"{folder}={out}")
    assert proc.returncode == 0, proc.stderr
    html = (out / "report.html").read_text()
    start = html.index('<section id="answer">')
    assert start == html.index("<section") and start < html.index("<img")
    body = html[start:html.index("</section>", start)]
    assert NUMBER_WITH_INTERVAL.search(re.sub(r"<[^>]+>", " ", body.replace("&#39;", "'")))
    s = pd.read_csv(out / "summary.csv")
    for row in s.itertuples():
        lo, hi = metric_bounds(row.metric)
        assert lo <= row.ci_low <= row.ci_high <= hi
